package dev.lathe.config;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A panel as the schema sees it: its TOML table ({@code training}; {@code datasets} for an array of tables; "" for
 * the top level), its record type and {@code DEFAULTS}, and one {@link FieldSpec} per record component, in
 * component order. The constructor proves that order against the record, so a table that drifts from its record
 * fails when the class loads, not when a user's file is read.
 *
 * @param <R> the panel record
 */
public final class Section<R extends Record> {
  private final String path;
  private final String title;
  private final Class<R> type;
  private final R defaults;
  private final boolean repeated;
  private final List<FieldSpec<R>> fields;
  private final RecordComponent[] components;
  private final Constructor<R> constructor;

  Section(String path, String title, Class<R> type, R defaults, boolean repeated, List<FieldSpec<R>> fields) {
    this.path = path;
    this.title = title;
    this.type = type;
    this.defaults = Objects.requireNonNull(defaults, path + " DEFAULTS");
    this.repeated = repeated;
    this.fields = List.copyOf(fields);
    this.components = type.getRecordComponents();
    Class<?>[] types = new Class<?>[components.length];
    for (int i = 0; i < components.length; i++) types[i] = components[i].getType();
    try {
      this.constructor = type.getDeclaredConstructor(types);
    } catch (NoSuchMethodException e) {
      throw new IllegalStateException(type + " has no canonical constructor", e);
    }
    for (FieldSpec<R> f : this.fields) f.attach(this);
    selfCheck();
  }

  public String path() {
    return path;
  }

  /** Upper-case panel title as forms show it, e.g. "TRAINING". */
  public String title() {
    return title;
  }

  public Class<R> type() {
    return type;
  }

  public R defaults() {
    return defaults;
  }

  /** True for an array of tables ({@code [[datasets]]}). */
  public boolean repeated() {
    return repeated;
  }

  public List<FieldSpec<R>> fields() {
    return fields;
  }

  public Optional<FieldSpec<R>> field(String key) {
    return fields.stream().filter(f -> f.key().equals(key)).findFirst();
  }

  public List<String> keys() {
    return fields.stream().map(FieldSpec::key).toList();
  }

  /** The field values of {@code r}, in field order. */
  Object[] values(R r) {
    Object[] v = new Object[fields.size()];
    for (int i = 0; i < v.length; i++) v[i] = fields.get(i).get(r);
    return v;
  }

  /** Builds a record from values in field order; numbers and lists are converted to the component types. */
  R build(Object[] values) {
    if (values.length != components.length)
      throw new IllegalArgumentException(path + ": " + values.length + " values for " + components.length + " fields");
    Object[] args = new Object[values.length];
    for (int i = 0; i < values.length; i++) args[i] = convert(values[i], components[i].getGenericType(), components[i].getType());
    try {
      return constructor.newInstance(args);
    } catch (InvocationTargetException e) {
      throw new IllegalArgumentException(path + ": " + e.getCause().getMessage(), e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
  }

  R with(R r, FieldSpec<R> f, Object value) {
    Object[] v = values(r);
    v[fields.indexOf(f)] = value;
    return build(v);
  }

  private static Object convert(Object v, Type generic, Class<?> raw) {
    if (v == null) return null;
    if (raw == int.class || raw == Integer.class) return Math.toIntExact(((Number) v).longValue());
    if (raw == long.class || raw == Long.class) return ((Number) v).longValue();
    if (raw == double.class || raw == Double.class) return ((Number) v).doubleValue();
    if (raw == List.class && generic instanceof ParameterizedType p && p.getActualTypeArguments()[0] == Integer.class) {
      List<Integer> out = new ArrayList<>();
      for (Object o : (List<?>) v) out.add(Math.toIntExact(((Number) o).longValue()));
      return List.copyOf(out);
    }
    return v;
  }

  /** Proves the field table matches the record: same count, and field i reads and writes component i. */
  private void selfCheck() {
    if (fields.size() != components.length)
      throw new IllegalStateException(path + ": " + fields.size() + " fields for " + components.length + " components of " + type.getSimpleName());
    if (!build(values(defaults)).equals(defaults))
      throw new IllegalStateException(path + ": rebuilding DEFAULTS from the field table changes it");
    for (int i = 0; i < fields.size(); i++) {
      FieldSpec<R> f = fields.get(i);
      Object changed = perturb(f, f.get(defaults));
      Object[] vals = values(defaults);
      vals[i] = changed;
      R r = build(vals);
      for (int j = 0; j < fields.size(); j++) {
        Object expect = j == i ? convert(changed, components[j].getGenericType(), components[j].getType()) : vals[j];
        Object actual = fields.get(j).get(r);
        if (!Objects.equals(normal(expect), normal(actual)))
          throw new IllegalStateException(path + "." + f.key() + " is not component " + components[i].getName()
              + " of " + type.getSimpleName() + " (field " + fields.get(j).key() + " read " + actual + ")");
      }
    }
  }

  private static Object normal(Object o) {
    if (o instanceof Integer || o instanceof Long) return ((Number) o).longValue();
    if (o instanceof List<?> l) return l.stream().map(Section::normal).toList();
    return o;
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private Object perturb(FieldSpec<R> f, Object v) {
    return switch (f.type()) {
      case BOOL -> !(Boolean) v;
      case INT -> v == null ? 7L : ((Number) v).longValue() + 1;
      case FLOAT -> ((Number) v).doubleValue() + 0.5;
      case STRING -> v == null ? "x" : v + "x";
      case CHOICE -> f.choices().stream().filter(c -> c != v).findFirst().orElseThrow();
      case INT_LIST -> append((List) v, 1L);
      case STRING_LIST -> append((List) v, "x");
      case TABLE -> {
        Section child = f.child();
        FieldSpec first = (FieldSpec) child.fields().get(0);
        yield child.with((Record) v, first, perturb(first, first.get((Record) v)));
      }
      case TABLES -> append((List) v, f.child().defaults());
    };
  }

  private static List<Object> append(List<?> l, Object x) {
    List<Object> out = new ArrayList<>(l);
    out.add(x);
    return out;
  }

  @Override
  public String toString() {
    return path.isEmpty() ? "(top level)" : path;
  }
}
