package dev.lathe.config;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import org.tomlj.TomlArray;
import org.tomlj.TomlTable;

/**
 * One field of a panel: its TOML key, type, allowed range, default (read from the panel's {@code DEFAULTS}), the
 * record accessor, and the label and help text a form shows next to it. The codec, the validator, the printers,
 * the generated docs and the console forms all read these; nothing else spells a key.
 *
 * @param <R> the panel record the field belongs to
 */
public final class FieldSpec<R extends Record> {
  /** Value kinds. Normal forms: Boolean, Long, Double, String, an enum implementing {@link Choice}, List of Long or
   *  String; TABLE and TABLES hold records of a child {@link Section}. */
  public enum Type { BOOL, INT, FLOAT, STRING, CHOICE, INT_LIST, STRING_LIST, TABLE, TABLES }

  /** Allowed numeric values. */
  public record Range(double min, boolean minInclusive, double max, boolean maxInclusive) {
    public static final Range ANY = new Range(Double.NEGATIVE_INFINITY, true, Double.POSITIVE_INFINITY, true);

    public static Range atLeast(double min) {
      return new Range(min, true, Double.POSITIVE_INFINITY, true);
    }

    public static Range above(double min) {
      return new Range(min, false, Double.POSITIVE_INFINITY, true);
    }

    public static Range between(double min, double max) {
      return new Range(min, true, max, true);
    }

    public boolean contains(double v) {
      boolean lo = minInclusive ? v >= min : v > min;
      boolean hi = maxInclusive ? v <= max : v < max;
      return lo && hi;
    }

    /** "must be > 0", "must be between 0 and 1", or "" for {@link #ANY}. */
    public String describe() {
      boolean hasMin = min != Double.NEGATIVE_INFINITY;
      boolean hasMax = max != Double.POSITIVE_INFINITY;
      if (hasMin && hasMax && minInclusive && maxInclusive) return "must be between " + show(min) + " and " + show(max);
      List<String> parts = new ArrayList<>();
      if (hasMin) parts.add((minInclusive ? ">= " : "> ") + show(min));
      if (hasMax) parts.add((maxInclusive ? "<= " : "< ") + show(max));
      return parts.isEmpty() ? "" : "must be " + String.join(" and ", parts);
    }

    static String show(double d) {
      return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : TomlText.number(d);
    }
  }

  /** The outcome of reading a value: the normal-form value, or why it was refused. */
  public record Decoded(Object value, String error) {
    static Decoded ok(Object v) {
      return new Decoded(v, null);
    }

    static Decoded fail(String why) {
      return new Decoded(null, why);
    }

    public boolean ok() {
      return error == null;
    }
  }

  private final String key;
  private final Type type;
  private final Function<R, ?> getter;
  private final Class<? extends Enum<?>> choiceType;
  private final Range range;
  private final boolean nullable;
  private final String label;
  private final String help;
  private final Section<?> child;
  private Section<R> section;

  private FieldSpec(String key, Type type, Function<R, ?> getter, Class<? extends Enum<?>> choiceType, Range range,
      boolean nullable, String label, String help, Section<?> child) {
    this.key = key;
    this.type = type;
    this.getter = getter;
    this.choiceType = choiceType;
    this.range = range;
    this.nullable = nullable;
    this.label = label;
    this.help = help;
    this.child = child;
  }

  // ---- table-building factories (used by Schema) ----

  static <R extends Record> FieldSpec<R> bool(String key, Function<R, Boolean> get, String label, String help) {
    return new FieldSpec<>(key, Type.BOOL, get, null, Range.ANY, false, label, help, null);
  }

  static <R extends Record> FieldSpec<R> integer(String key, Function<R, ? extends Number> get, Range range,
      String label, String help) {
    return new FieldSpec<>(key, Type.INT, get, null, range, false, label, help, null);
  }

  static <R extends Record> FieldSpec<R> number(String key, Function<R, Double> get, Range range, String label,
      String help) {
    return new FieldSpec<>(key, Type.FLOAT, get, null, range, false, label, help, null);
  }

  static <R extends Record> FieldSpec<R> text(String key, Function<R, String> get, String label, String help) {
    return new FieldSpec<>(key, Type.STRING, get, null, Range.ANY, false, label, help, null);
  }

  static <R extends Record, E extends Enum<E> & Choice> FieldSpec<R> choice(String key, Function<R, E> get,
      Class<E> type, String label, String help) {
    return new FieldSpec<>(key, Type.CHOICE, get, type, Range.ANY, false, label, help, null);
  }

  static <R extends Record> FieldSpec<R> ints(String key, Function<R, List<Integer>> get, Range each, String label,
      String help) {
    return new FieldSpec<>(key, Type.INT_LIST, get, null, each, false, label, help, null);
  }

  static <R extends Record> FieldSpec<R> strings(String key, Function<R, List<String>> get, String label,
      String help) {
    return new FieldSpec<>(key, Type.STRING_LIST, get, null, Range.ANY, false, label, help, null);
  }

  static <R extends Record> FieldSpec<R> table(String key, Function<R, ?> get, Section<?> child, String help) {
    return table(key, get, child, child.title(), help);
  }

  static <R extends Record> FieldSpec<R> table(String key, Function<R, ?> get, Section<?> child, String label,
      String help) {
    return new FieldSpec<>(key, Type.TABLE, get, null, Range.ANY, false, label, help, child);
  }

  static <R extends Record> FieldSpec<R> tables(String key, Function<R, ? extends List<?>> get, Section<?> child,
      String help) {
    return new FieldSpec<>(key, Type.TABLES, get, null, Range.ANY, false, child.title(), help, child);
  }

  /** The same field, but null (absent) is a legal value meaning "inherit". */
  FieldSpec<R> optional() {
    return new FieldSpec<>(key, type, getter, choiceType, range, true, label, help, child);
  }

  void attach(Section<R> owner) {
    if (section != null) throw new IllegalStateException(key + " already belongs to " + section.path());
    section = owner;
  }

  // ---- what callers read ----

  public String key() {
    return key;
  }

  /** Dotted path without indices: {@code training.learning_rate}, {@code datasets.folder}. */
  public String path() {
    return section == null || section.path().isEmpty() ? key : section.path() + "." + key;
  }

  public Type type() {
    return type;
  }

  public Section<R> section() {
    return section;
  }

  /** The child section of a TABLE or TABLES field, else null. */
  public Section<?> child() {
    return child;
  }

  public Range range() {
    return range;
  }

  public boolean nullable() {
    return nullable;
  }

  public String label() {
    return label;
  }

  public String help() {
    return help;
  }

  /** The allowed values of a CHOICE field (including ones not implemented yet), else empty. */
  public List<Choice> choices() {
    if (choiceType == null) return List.of();
    return Arrays.stream(choiceType.getEnumConstants()).map(c -> (Choice) c).toList();
  }

  /** The value of this field in {@code record}. */
  public Object get(R record) {
    return getter.apply(record);
  }

  /** The default, from the panel's {@code DEFAULTS}. */
  public Object defaultValue() {
    return get(section.defaults());
  }

  /** A copy of {@code record} with this field set to {@code value} (a normal-form or record-typed value). */
  public R with(R record, Object value) {
    return section.with(record, this, value);
  }

  // ---- reading values ----

  /**
   * Checks a value as tomlj returns it (String, Long, Double, Boolean, TomlArray) or as Java code passes it
   * (Integer, List, a Choice) and returns its normal form or a one-line reason. Not for TABLE / TABLES.
   */
  public Decoded decode(Object raw) {
    if (raw == null) return nullable ? Decoded.ok(null) : Decoded.fail("a value is required");
    switch (type) {
      case BOOL:
        return raw instanceof Boolean b ? Decoded.ok(b) : Decoded.fail("expected true or false, got " + describe(raw));
      case INT: {
        Long v = asLong(raw);
        if (v == null) return Decoded.fail("expected an integer, got " + describe(raw));
        return inRange(v) ? Decoded.ok(v) : Decoded.fail(range.describe() + ", got " + v);
      }
      case FLOAT: {
        if (!(raw instanceof Number n)) return Decoded.fail("expected a number, got " + describe(raw));
        double d = n.doubleValue();
        if (Double.isNaN(d) || Double.isInfinite(d)) return Decoded.fail("expected a finite number, got " + d);
        return inRange(d) ? Decoded.ok(d) : Decoded.fail(range.describe() + ", got " + TomlText.number(d));
      }
      case STRING:
        return raw instanceof String s ? Decoded.ok(s) : Decoded.fail("expected a string in quotes, got " + describe(raw));
      case CHOICE: {
        if (raw instanceof Choice c && choiceType.isInstance(c)) return Decoded.ok(c);
        if (!(raw instanceof String s)) return Decoded.fail("expected one of " + choiceKeys() + ", got " + describe(raw));
        Optional<Choice> c = lookup(s);
        if (c.isPresent()) return Decoded.ok(c.get());
        return Decoded.fail("unknown value \"" + s + "\"" + Suggest.didYouMean(s, choiceKeys())
            + "; choose one of " + String.join(", ", choiceKeys()));
      }
      case INT_LIST: {
        List<Object> items = items(raw);
        if (items == null) return Decoded.fail("expected a list of integers like [512, 768], got " + describe(raw));
        if (items.isEmpty()) return Decoded.fail("needs at least one value");
        List<Long> out = new ArrayList<>();
        for (Object o : items) {
          Long v = asLong(o);
          if (v == null) return Decoded.fail("expected integers, got " + describe(o));
          if (!inRange(v)) return Decoded.fail("each value " + range.describe() + ", got " + v);
          out.add(v);
        }
        return Decoded.ok(List.copyOf(out));
      }
      case STRING_LIST: {
        List<Object> items = items(raw);
        if (items == null) return Decoded.fail("expected a list of strings like [\"a\", \"b\"], got " + describe(raw));
        List<String> out = new ArrayList<>();
        for (Object o : items) {
          if (!(o instanceof String s)) return Decoded.fail("expected strings, got " + describe(o));
          out.add(s);
        }
        return Decoded.ok(List.copyOf(out));
      }
      default:
        throw new IllegalStateException(path() + " is a table; decode its fields instead");
    }
  }

  /**
   * Reads what a person typed into a form: {@code on}/{@code off}, {@code 1e-4}, a choice by key or label,
   * {@code 512, 768}. Empty text means "inherit" for nullable fields.
   */
  public Decoded parseText(String text) {
    String t = text.strip();
    if (t.isEmpty() && nullable) return Decoded.ok(null);
    switch (type) {
      case BOOL:
        return switch (t.toLowerCase(Locale.ROOT)) {
          case "true", "yes", "on", "1", "y" -> Decoded.ok(true);
          case "false", "no", "off", "0", "n" -> Decoded.ok(false);
          default -> Decoded.fail("expected on or off, got \"" + t + "\"");
        };
      case INT:
        try {
          return decode(Long.parseLong(t.replace("_", "")));
        } catch (NumberFormatException e) {
          return Decoded.fail("expected an integer, got \"" + t + "\"");
        }
      case FLOAT:
        try {
          return decode(Double.parseDouble(t.replace("_", "")));
        } catch (NumberFormatException e) {
          return Decoded.fail("expected a number like 1e-4 or 0.05, got \"" + t + "\"");
        }
      case STRING:
      case CHOICE:
        return decode(t);
      case INT_LIST: {
        List<Object> vals = new ArrayList<>();
        for (String part : t.replaceAll("[\\[\\]]", "").split("[,\\s/]+")) {
          if (part.isEmpty()) continue;
          try {
            vals.add(Long.parseLong(part));
          } catch (NumberFormatException e) {
            return Decoded.fail("expected integers separated by commas, got \"" + part + "\"");
          }
        }
        return decode(vals);
      }
      case STRING_LIST: {
        List<Object> vals = new ArrayList<>();
        for (String part : t.split(",")) if (!part.isBlank()) vals.add(part.strip());
        return decode(vals);
      }
      default:
        throw new IllegalStateException(path() + " is a table");
    }
  }

  /** The TOML literal of a normal-form (or record-typed) value: {@code 1e-4}, {@code "adamw8bit"}, {@code [512]}. */
  public String literal(Object value) {
    return TomlText.literal(value);
  }

  /** The value as a form shows it: choice keys, lists joined with ", ", "(inherit)" for null. */
  public String display(Object value) {
    if (value == null) return "(inherit)";
    if (value instanceof Choice c) return c.key();
    if (value instanceof Double d) return TomlText.number(d);
    if (value instanceof List<?> l) return String.join(", ", l.stream().map(String::valueOf).toList());
    return String.valueOf(value);
  }

  List<String> choiceKeys() {
    return choices().stream().map(Choice::key).toList();
  }

  /** Finds a choice by key, label or alias, ignoring case, dashes and spaces. */
  Optional<Choice> lookup(String s) {
    String n = norm(s);
    for (Choice c : choices()) {
      if (norm(c.key()).equals(n) || norm(c.label()).equals(n)) return Optional.of(c);
      for (String a : c.aliases()) if (norm(a).equals(n)) return Optional.of(c);
    }
    return Optional.empty();
  }

  private static String norm(String s) {
    return s.strip().toLowerCase(Locale.ROOT).replace('-', '_').replace(' ', '_');
  }

  private boolean inRange(double v) {
    return range.contains(v);
  }

  private static Long asLong(Object raw) {
    if (raw instanceof Long || raw instanceof Integer || raw instanceof Short || raw instanceof Byte)
      return ((Number) raw).longValue();
    return null;
  }

  private static List<Object> items(Object raw) {
    if (raw instanceof TomlArray a) return a.toList();
    if (raw instanceof List<?> l) return new ArrayList<>(l);
    if (raw instanceof Long || raw instanceof Integer || raw instanceof String) return List.of(raw);
    return null;
  }

  /** "a string", "the integer 3", "a table" — for messages. */
  static String describe(Object raw) {
    if (raw instanceof String s) return "the string \"" + s + "\"";
    if (raw instanceof Boolean b) return b.toString();
    if (raw instanceof Long || raw instanceof Integer) return "the integer " + raw;
    if (raw instanceof Double d) return "the float " + TomlText.number(d);
    if (raw instanceof TomlArray || raw instanceof List<?>) return "a list";
    if (raw instanceof TomlTable) return "a table";
    return "a " + raw.getClass().getSimpleName().replace("Local", "").toLowerCase(Locale.ROOT);
  }

  @Override
  public String toString() {
    return path() + " (" + type.name().toLowerCase(Locale.ROOT) + ")";
  }
}
