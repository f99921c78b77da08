package dev.lathe.config;

import dev.lathe.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.tomlj.MutableTomlArray;
import org.tomlj.MutableTomlTable;
import org.tomlj.Toml;
import org.tomlj.TomlParseResult;
import org.tomlj.TomlValue;

/**
 * A job or preset file open for editing, the way the console's forms change it: set or unset one field, add or
 * remove a dataset or a prompt, save. Comments, key order, blank lines and every line that was not edited come
 * back byte for byte (tomlj 2.2 keeps the source and rewrites only the touched entries); a changed value keeps
 * its trailing comment, a new key goes at the end of its table, an unset key leaves with the comment above it.
 *
 * <p>Paths are the schema's: {@code training.learning_rate}, {@code datasets[1].folder},
 * {@code sample.prompts[0].seed}, {@code extends}. Every value is checked against its {@link FieldSpec} before it
 * reaches the document, so a document never holds a value the loader would refuse. Not thread-safe.
 */
public final class ConfigDocument {
  private static final Pattern LIST_PATH = Pattern.compile("^(datasets|sample\\.prompts)\\[(\\d+)]\\.([a-z_]+)$");

  private final Path file;
  private final TomlParseResult toml;
  private final String original;

  private ConfigDocument(Path file, TomlParseResult toml, String original) {
    this.file = file;
    this.toml = toml;
    this.original = original;
  }

  /**
   * Opens a file for editing.
   *
   * @throws ConfigException if its TOML syntax is broken (the problems carry line and column)
   * @throws IOException if it cannot be read
   */
  public static ConfigDocument load(Path file) throws IOException, ConfigException {
    return parse(Configs.read(file), file);
  }

  /** Opens TOML text that will be saved to {@code file}. */
  public static ConfigDocument parse(String text, Path file) throws ConfigException {
    TomlParseResult t = Toml.parse(text);
    if (t.hasErrors()) {
      List<Problem> ps = t.errors().stream().map(e -> Resolver.syntax(file, e)).toList();
      throw new ConfigException(ps);
    }
    return new ConfigDocument(file, t, text);
  }

  /** A new, empty document that will be written to {@code file} on {@link #save()}. */
  public static ConfigDocument create(Path file) {
    return new ConfigDocument(file, Toml.parse(""), "");
  }

  public Path file() {
    return file;
  }

  /** The document as it would be saved now. */
  public String text() {
    return toml.toToml();
  }

  /** True when the text differs from what was loaded. */
  public boolean modified() {
    return !text().equals(original);
  }

  /** The value this file sets at {@code path} in normal form (Long, Double, String, List...), or null if unset. */
  public Object get(String path) {
    Target t = target(path, false);
    if (t == null || !t.table.contains(List.of(t.key))) return null;
    FieldSpec.Decoded d = t.spec.decode(t.table.get(List.of(t.key)));
    return d.ok() ? d.value() : null;
  }

  public boolean isSet(String path) {
    Target t = target(path, false);
    return t != null && t.table.contains(List.of(t.key));
  }

  /**
   * Sets a field. {@code value} may be a normal-form value, an Integer, a {@link Choice}, or a List; null unsets.
   *
   * @throws IllegalArgumentException for an unknown path, a missing list entry, or a value the field refuses
   *     (the message says why, in the same words validation uses)
   */
  public ConfigDocument set(String path, Object value) {
    if (value == null) {
      unset(path);
      return this;
    }
    FieldSpec<?> spec = spec(path);
    FieldSpec.Decoded d = spec.decode(value);
    if (!d.ok()) throw new IllegalArgumentException(path + ": " + d.error());
    Target t = target(path, true);
    t.table.set(List.of(t.key), TomlValue.parse(spec.literal(d.value())));
    return this;
  }

  /** Sets a field from what a person typed ({@link FieldSpec#parseText}); empty text unsets a nullable field. */
  public ConfigDocument setText(String path, String text) {
    FieldSpec<?> spec = spec(path);
    FieldSpec.Decoded d = spec.parseText(text);
    if (!d.ok()) throw new IllegalArgumentException(path + ": " + d.error());
    return set(path, d.value());
  }

  /** Removes a field (and the comment lines right above it); the parent's or default value applies again. */
  public boolean unset(String path) {
    spec(path);
    Target t = target(path, false);
    if (t == null || !t.table.contains(List.of(t.key))) return false;
    t.table.remove(List.of(t.key));
    return true;
  }

  /** Appends a {@code [[datasets]]} table with the given folder; returns its index. */
  public int addDataset(String folder) {
    MutableTomlArray arr = toml.getOrCreateArray(List.of("datasets"));
    MutableTomlTable t = MutableTomlTable.create();
    t.set(List.of("folder"), TomlValue.parse(TomlText.string(folder)));
    arr.add(t);
    return arr.size() - 1;
  }

  public void removeDataset(int index) {
    MutableTomlArray arr = array(List.of("datasets"), index, "datasets");
    arr.remove(index);
  }

  /** Appends a {@code [[sample.prompts]]} table; returns its index. */
  public int addPrompt(String prompt) {
    MutableTomlArray arr = toml.getOrCreateArray(List.of("sample", "prompts"));
    MutableTomlTable t = MutableTomlTable.create();
    t.set(List.of("prompt"), TomlValue.parse(TomlText.string(prompt)));
    arr.add(t);
    return arr.size() - 1;
  }

  public void removePrompt(int index) {
    MutableTomlArray arr = array(List.of("sample", "prompts"), index, "sample.prompts");
    arr.remove(index);
  }

  /** Number of entries of a list ("datasets" or "sample.prompts") in this file. */
  public int count(String list) {
    MutableTomlArray arr = toml.getArray(list.equals("datasets") ? List.of("datasets") : List.of("sample", "prompts"));
    return arr == null ? 0 : arr.size();
  }

  /**
   * Writes the document to {@link #file()} atomically. The text is parsed again first and nothing is written if
   * that fails, so a save never leaves a file the loader cannot read.
   */
  public void save() throws IOException {
    saveAs(file);
  }

  public void saveAs(Path target) throws IOException {
    saveAs(target, (ch, bytes) -> AtomicFiles.writeFully(ch, java.nio.ByteBuffer.wrap(bytes)));
  }

  /** Copies the saved bytes into the temporary file of an atomic write; tests pass one that fails midway. */
  interface BytesOut {
    void write(java.nio.channels.FileChannel channel, byte[] bytes) throws IOException;
  }

  void saveAs(Path target, BytesOut out) throws IOException {
    String text = text();
    TomlParseResult check = Toml.parse(text);
    if (check.hasErrors())
      throw new IOException(target + ": refusing to save, the edited text does not parse: " + check.errors().get(0));
    byte[] bytes = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    AtomicFiles.write(target, ch -> out.write(ch, bytes));
  }

  // ---- path handling ----

  private record Target(MutableTomlTable table, String key, FieldSpec<?> spec) {}

  private static FieldSpec<?> spec(String path) {
    FieldSpec<?> f = Schema.field(path).orElseThrow(() -> new IllegalArgumentException(
        "unknown field " + path + Suggest.didYouMean(path, Schema.leafPaths())));
    if (f.type() == FieldSpec.Type.TABLE || f.type() == FieldSpec.Type.TABLES)
      throw new IllegalArgumentException(path + " is a table; set its fields one by one");
    return f;
  }

  /** Finds (or, with {@code create}, makes) the table holding the field; null when it does not exist. */
  private Target target(String path, boolean create) {
    FieldSpec<?> spec = spec(path);
    Matcher m = LIST_PATH.matcher(path);
    if (m.matches()) {
      List<String> listKey = m.group(1).equals("datasets") ? List.of("datasets") : List.of("sample", "prompts");
      int index = Integer.parseInt(m.group(2));
      MutableTomlArray arr = toml.getArray(listKey);
      if (arr == null || index >= arr.size()) {
        if (!create) return null;
        array(listKey, index, m.group(1));   // throws with the count
      }
      if (!arr.isTable(index))
        throw new IllegalArgumentException(m.group(1) + "[" + index + "] is not written as a table; edit it by hand");
      return new Target(arr.getTable(index), m.group(3), spec);
    }
    if (path.contains("[")) throw new IllegalArgumentException("cannot address " + path);
    List<String> parts = new ArrayList<>(List.of(path.split("\\.")));
    String key = parts.remove(parts.size() - 1);
    MutableTomlTable t = toml;
    for (String p : parts) {
      if (!t.contains(List.of(p))) {
        if (!create) return null;
        t = t.getOrCreateTable(List.of(p));
      } else if (t.isTable(List.of(p))) {
        t = t.getTable(List.of(p));
      } else {
        throw new IllegalArgumentException(p + " is not a table in " + file);
      }
    }
    return new Target(t, key, spec);
  }

  private MutableTomlArray array(List<String> key, int index, String name) {
    MutableTomlArray arr = toml.getArray(key);
    int n = arr == null ? 0 : arr.size();
    if (index < 0 || index >= n)
      throw new IllegalArgumentException("no " + name + "[" + index + "]: " + file + " has " + n + " " + name + " entr" + (n == 1 ? "y" : "ies"));
    return arr;
  }
}
