package dev.lathe.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.tomlj.Toml;
import org.tomlj.TomlArray;
import org.tomlj.TomlParseError;
import org.tomlj.TomlParseResult;
import org.tomlj.TomlPosition;
import org.tomlj.TomlTable;

/**
 * Reads a job or preset file and its {@code extends} chain into a {@link ResolvedConfig}: parse (tomlj), check each
 * key against the {@link Schema}, then take every field from the nearest file that sets it, else from DEFAULTS.
 * Lists of tables (datasets, sample prompts) come whole from one file. Mistakes become {@link Problem}s; a bad
 * value falls back to what the parent or default says, so one run reports everything.
 */
final class Resolver {
  /** One TOML text to read. {@code display} names it in origins ("job.toml", "preset zimage_turbo"). */
  record Source(String display, Path file, String text, Path baseDir, String presetName) {}

  /** A decoded value with where it was set. Tables hold a {@link Partial}, lists of tables a List of them. */
  record Entry(Object value, Origin origin) {}

  /** The fields one file sets in one table. */
  static final class Partial {
    final Map<String, Entry> entries = new LinkedHashMap<>();
    /** Where the table starts, for entries of a list of tables. */
    Origin origin = Origin.DEFAULT;

    Entry get(String key) {
      return entries.get(key);
    }
  }

  /** A decoded file of the chain. */
  record Layer(Source source, Partial root, String extendsName, int extendsLine) {}

  private final PresetLibrary presets;
  private final List<Problem> problems = new ArrayList<>();

  Resolver(PresetLibrary presets) {
    this.presets = presets;
  }

  ResolvedConfig resolve(Source root, boolean isPreset) {
    Optional<Layer> first = read(root);
    if (first.isEmpty()) {
      return new ResolvedConfig(root.file(), root.baseDir(), isPreset, false, JobConfig.DEFAULTS, Map.of(),
          List.of(root.display()), problems);
    }
    List<Layer> chain = new ArrayList<>();
    chain.add(first.get());
    List<String> seen = new ArrayList<>();
    seen.add(key(root));
    Layer cur = first.get();
    while (!cur.extendsName().isEmpty()) {
      Optional<Source> parent = locate(cur);
      if (parent.isEmpty()) break;
      String k = key(parent.get());
      if (seen.contains(k)) {
        List<String> names = new ArrayList<>(chain.stream().map(l -> l.source().display()).toList());
        names.add(parent.get().display());
        problems.add(Problem.error(cur.source().file(), cur.extendsLine(), "extends",
            "presets extend each other in a cycle: " + String.join(" -> ", names) + "; break it by removing one extends"
                + builtinHint(parent.get()), "extends"));
        break;
      }
      seen.add(k);
      Optional<Layer> next = read(parent.get());
      if (next.isEmpty()) break;
      chain.add(next.get());
      cur = next.get();
    }
    Map<String, Origin> origins = new HashMap<>();
    List<Partial> roots = chain.stream().map(Layer::root).toList();
    JobConfig cfg = build(Schema.ROOT, roots, "", origins);
    List<String> names = chain.stream().map(l -> l.source().display()).toList();
    return new ResolvedConfig(root.file(), root.baseDir(), isPreset, true, cfg, origins, names, problems);
  }

  private String builtinHint(Source parent) {
    if (parent.presetName() == null || presets.find(PresetLibrary.BUILTIN_PREFIX + parent.presetName()).isEmpty()) return "";
    return " (to start from the shipped preset of that name, write extends = \"" + PresetLibrary.BUILTIN_PREFIX
        + parent.presetName() + "\")";
  }

  private static String key(Source s) {
    return s.presetName() != null ? "preset:" + s.file() : s.file().toAbsolutePath().normalize().toString();
  }

  /** The source a layer's {@code extends} names, or empty with a problem. */
  private Optional<Source> locate(Layer child) {
    String name = child.extendsName();
    Path at = child.source().file();
    int line = child.extendsLine();
    if (name.endsWith(".toml")) {
      Path p = child.source().baseDir().resolve(name).normalize();
      if (!Files.isRegularFile(p)) {
        problems.add(Problem.error(at, line, "extends", "preset file " + p + " does not exist", "extends"));
        return Optional.empty();
      }
      try {
        return Optional.of(new Source(p.getFileName().toString(), p, Files.readString(p), p.getParent(), null));
      } catch (IOException e) {
        problems.add(Problem.error(at, line, "extends", "cannot read " + p + ": " + e.getMessage(), "extends"));
        return Optional.empty();
      }
    }
    Optional<PresetLibrary.Entry> e = presets.find(name);
    if (e.isEmpty()) {
      String bare = name.startsWith(PresetLibrary.BUILTIN_PREFIX) ? name.substring(PresetLibrary.BUILTIN_PREFIX.length()) : name;
      problems.add(Problem.error(at, line, "extends", "no preset named \"" + name + "\"" + Suggest.didYouMean(bare, presets.names())
          + "; `lathe presets list` shows them", "extends"));
      return Optional.empty();
    }
    try {
      PresetLibrary.Entry p = e.get();
      Path base = p.kind() == PresetLibrary.Kind.USER ? p.file().getParent() : Path.of("presets");
      return Optional.of(new Source("preset " + p.name(), p.file(), presets.text(p), base, p.name()));
    } catch (IOException ex) {
      problems.add(Problem.error(at, line, "extends", "cannot read preset " + name + ": " + ex.getMessage(), "extends"));
      return Optional.empty();
    }
  }

  /** Parses and decodes one file; empty when its syntax is broken (the problems say where). */
  private Optional<Layer> read(Source src) {
    TomlParseResult toml = Toml.parse(src.text());
    if (toml.hasErrors()) {
      for (TomlParseError e : toml.errors()) problems.add(syntax(src.file(), e));
      return Optional.empty();
    }
    Partial root = decode(toml, Schema.ROOT, "", src);
    Entry ext = root.get("extends");
    String name = ext == null ? "" : ((String) ext.value()).strip();
    return Optional.of(new Layer(src, root, name, ext == null ? 0 : ext.origin().line()));
  }

  static Problem syntax(Path file, TomlParseError e) {
    TomlPosition p = e.position();
    String msg = e.getMessage();
    return new Problem(file, p == null ? 0 : p.line(), p == null ? 0 : p.column(), "", "TOML syntax: " + msg,
        Problem.Severity.ERROR, "syntax");
  }

  // ---- decoding one table against its section ----

  private Partial decode(TomlTable table, Section<?> section, String prefix, Source src) {
    Partial out = new Partial();
    for (String key : table.keySet()) {
      List<String> k = List.of(key);
      Object raw = table.get(k);
      int line = line(table.inputPositionOf(k));
      String path = prefix.isEmpty() ? key : prefix + "." + key;
      Origin origin = new Origin(src.display(), src.file(), line);
      Optional<? extends FieldSpec<?>> f = section.field(key);
      if (f.isEmpty()) {
        problems.add(Problem.error(src.file(), line, path, unknownKey(key, section, prefix, raw instanceof TomlTable), "unknown-key"));
        continue;
      }
      FieldSpec<?> spec = f.get();
      switch (spec.type()) {
        case TABLE -> {
          if (raw instanceof TomlTable t) out.entries.put(key, new Entry(decode(t, spec.child(), path, src), origin));
          else problems.add(Problem.error(src.file(), line, path, "expected a table [" + path + "], got " + FieldSpec.describe(raw), "value"));
        }
        case TABLES -> {
          Optional<List<Partial>> items = decodeList(raw, spec, path, src, line);
          items.ifPresent(l -> out.entries.put(key, new Entry(l, origin)));
        }
        default -> {
          FieldSpec.Decoded d = spec.decode(raw);
          if (d.ok()) out.entries.put(key, new Entry(d.value(), origin));
          else problems.add(Problem.error(src.file(), line, path, d.error(), "value"));
        }
      }
    }
    return out;
  }

  private Optional<List<Partial>> decodeList(Object raw, FieldSpec<?> spec, String path, Source src, int line) {
    if (!(raw instanceof TomlArray arr)) {
      problems.add(Problem.error(src.file(), line, path, "expected [[" + path + "]] tables, got " + FieldSpec.describe(raw), "value"));
      return Optional.empty();
    }
    List<Partial> items = new ArrayList<>();
    for (int i = 0; i < arr.size(); i++) {
      Object el = arr.get(i);
      String p = path + "[" + i + "]";
      int elLine = line(arr.inputPositionOf(i));
      Origin at = new Origin(src.display(), src.file(), elLine > 0 ? elLine : line);
      if (el instanceof TomlTable t) {
        Partial one = decode(t, spec.child(), p, src);
        one.origin = at;
        items.add(one);
      } else if (el instanceof String s && spec.child() == Schema.PROMPT) {
        Partial one = new Partial();   // prompts = ["a", "b"]: shorthand for tables with only a prompt
        one.entries.put("prompt", new Entry(s, at));
        one.origin = at;
        items.add(one);
      } else {
        problems.add(Problem.error(src.file(), elLine > 0 ? elLine : line, p, "expected a table, got " + FieldSpec.describe(el), "value"));
      }
    }
    return Optional.of(items);
  }

  private static String unknownKey(String key, Section<?> section, String prefix, boolean isTable) {
    String where = prefix.isEmpty() ? "at the top level" : "in [" + prefix + "]";
    // the key may be right but in the wrong table
    if (section != Schema.ROOT && Schema.ROOT.field(key).filter(f -> f.type() == FieldSpec.Type.STRING).isPresent())
      return "\"" + key + "\" " + where + " is read as part of that table; move it to the top of the file, before the first [table]";
    for (Section<?> s : Schema.sections()) {
      if (s != section && s.field(key).isPresent() && !s.path().isEmpty()) {
        return "unknown key \"" + key + "\" " + where + "; it belongs in [" + s.path() + "]";
      }
    }
    if (isTable && section == Schema.ROOT) {
      List<String> tables = Schema.ROOT.fields().stream()
          .filter(f -> f.type() == FieldSpec.Type.TABLE || f.type() == FieldSpec.Type.TABLES).map(FieldSpec::key).toList();
      return "unknown table [" + key + "]" + Suggest.didYouMean(key, tables);
    }
    return "unknown key \"" + key + "\" " + where + Suggest.didYouMean(key, section.keys());
  }

  static int line(TomlPosition p) {
    return p == null ? 0 : p.line();
  }

  // ---- merging the chain (nearest file first) ----

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static <R extends Record> R build(Section<R> section, List<Partial> layers, String prefix,
      Map<String, Origin> origins) {
    Object[] vals = new Object[section.fields().size()];
    for (int i = 0; i < vals.length; i++) {
      FieldSpec<R> f = section.fields().get(i);
      String path = prefix.isEmpty() ? f.key() : prefix + "." + f.key();
      Entry nearest = null;
      for (Partial l : layers) {
        if (l.get(f.key()) != null) {
          nearest = l.get(f.key());
          break;
        }
      }
      switch (f.type()) {
        case TABLE -> {
          List<Partial> sub = new ArrayList<>();
          for (Partial l : layers) if (l.get(f.key()) != null) sub.add((Partial) l.get(f.key()).value());
          vals[i] = build((Section) f.child(), sub, path, origins);
        }
        case TABLES -> {
          if (nearest == null) {
            vals[i] = f.defaultValue();
          } else {
            origins.put(path, nearest.origin());
            List<Object> items = new ArrayList<>();
            List<Partial> parts = (List<Partial>) nearest.value();
            // dataset entries start from dataset_defaults (nearest file first), then Dataset.DEFAULTS
            List<Partial> inherited = new ArrayList<>();
            if (section == Schema.ROOT && f.key().equals("datasets"))
              for (Partial l : layers) if (l.get(Schema.DATASET_DEFAULTS) != null) inherited.add((Partial) l.get(Schema.DATASET_DEFAULTS).value());
            for (int j = 0; j < parts.size(); j++) {
              List<Partial> elementLayers = new ArrayList<>();
              elementLayers.add(parts.get(j));
              elementLayers.addAll(inherited);
              Map<String, Origin> elementOrigins = new HashMap<>();
              Object item = build((Section) f.child(), elementLayers, path + "[" + j + "]", elementOrigins);
              origins.putAll(elementOrigins);
              origins.put(path + "[" + j + "]", parts.get(j).origin);
              items.add(item);
            }
            vals[i] = items;
          }
        }
        default -> {
          if (nearest == null) {
            vals[i] = f.defaultValue();
          } else {
            vals[i] = nearest.value();
            origins.put(path, nearest.origin());
          }
        }
      }
    }
    return section.build(vals);
  }
}
