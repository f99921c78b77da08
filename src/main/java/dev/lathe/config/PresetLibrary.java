package dev.lathe.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * The presets a job may extend: the built-in ones shipped in the jar (from presets/ in the repository) and the
 * user's own in {@code $XDG_CONFIG_HOME/lathe/presets} (default {@code ~/.config/lathe/presets}). A user preset
 * with a built-in's name replaces it; {@code extends = "builtin:NAME"} still reaches the original.
 */
public final class PresetLibrary {
  /** Classpath folder of the built-in presets. */
  static final String RESOURCE_DIR = "presets/";
  /** A preset that always ships; it locates the folder inside a jar or a classes directory. */
  private static final String ANCHOR = RESOURCE_DIR + "zimage_turbo.toml";
  /** Overrides the user preset folder (tests, unusual setups). */
  public static final String USER_DIR_PROPERTY = "lathe.presets.dir";
  public static final String BUILTIN_PREFIX = "builtin:";

  public enum Kind { BUILT_IN, USER }

  /**
   * One preset.
   *
   * @param name the name {@code extends} uses (the file name without .toml)
   * @param kind where it lives
   * @param file the file of a user preset; for a built-in, its path in the repository (presets/NAME.toml)
   * @param overridesBuiltIn a user preset that hides a built-in of the same name
   */
  public record Entry(String name, Kind kind, Path file, boolean overridesBuiltIn) {}

  private final Path userDir;
  private final Map<String, Entry> builtIn;

  private PresetLibrary(Path userDir) {
    this.userDir = userDir;
    this.builtIn = new LinkedHashMap<>();
    for (String n : builtInNames()) builtIn.put(n, new Entry(n, Kind.BUILT_IN, Path.of("presets", n + ".toml"), false));
  }

  /** Built-ins plus the user's presets folder. */
  public static PresetLibrary standard() {
    return new PresetLibrary(userDir());
  }

  /** Built-ins plus presets in {@code userDir} (which may not exist). */
  public static PresetLibrary of(Path userDir) {
    return new PresetLibrary(userDir);
  }

  /** Built-ins only. */
  public static PresetLibrary builtInOnly() {
    return new PresetLibrary(null);
  }

  /** The user presets folder this process uses (it need not exist). */
  public static Path userDir() {
    String prop = System.getProperty(USER_DIR_PROPERTY);
    if (prop != null && !prop.isBlank()) return Path.of(prop);
    String xdg = System.getenv("XDG_CONFIG_HOME");
    Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".config");
    return base.resolve("lathe").resolve("presets");
  }

  public Path userPresetDir() {
    return userDir;
  }

  /** Every preset, built-ins first in catalog order, then user presets by name; overridden built-ins are left out. */
  public List<Entry> list() {
    Map<String, Entry> user = userPresets();
    List<Entry> out = new ArrayList<>();
    for (Entry e : builtIn.values()) if (!user.containsKey(e.name())) out.add(e);
    out.addAll(user.values());
    return out;
  }

  public List<String> names() {
    return list().stream().map(Entry::name).toList();
  }

  /** The preset {@code extends = name} means: a user preset first, then a built-in; "builtin:X" only built-ins. */
  public Optional<Entry> find(String name) {
    if (name.startsWith(BUILTIN_PREFIX)) return Optional.ofNullable(builtIn.get(name.substring(BUILTIN_PREFIX.length())));
    Entry u = userPresets().get(name);
    return u != null ? Optional.of(u) : Optional.ofNullable(builtIn.get(name));
  }

  /** The text of a preset. */
  public String text(Entry e) throws IOException {
    if (e.kind() == Kind.USER) return Files.readString(e.file(), StandardCharsets.UTF_8);
    try (InputStream in = PresetLibrary.class.getClassLoader().getResourceAsStream(RESOURCE_DIR + e.name() + ".toml")) {
      if (in == null) throw new IOException("built-in preset " + e.name() + " is missing from the classpath");
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private Map<String, Entry> userPresets() {
    Map<String, Entry> out = new LinkedHashMap<>();
    if (userDir == null || !Files.isDirectory(userDir)) return out;
    try (Stream<Path> s = Files.list(userDir)) {
      s.filter(p -> p.getFileName().toString().endsWith(".toml") && Files.isRegularFile(p))
          .sorted(Comparator.comparing(p -> p.getFileName().toString()))
          .forEach(p -> {
            String n = stem(p.getFileName().toString());
            out.put(n, new Entry(n, Kind.USER, p, builtIn.containsKey(n)));
          });
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list user presets in " + userDir, e);
    }
    return out;
  }

  /** Names of the presets shipped on the classpath, catalog order first. */
  private static List<String> builtInNames() {
    TreeSet<String> found = new TreeSet<>();
    URL anchor = PresetLibrary.class.getClassLoader().getResource(ANCHOR);
    if (anchor == null) return List.of();
    try {
      if (anchor.getProtocol().equals("jar")) {
        JarURLConnection c = (JarURLConnection) anchor.openConnection();
        c.setUseCaches(false);
        try (JarFile jar = c.getJarFile()) {
          for (JarEntry je : java.util.Collections.list(jar.entries())) {
            String n = je.getName();
            if (n.startsWith(RESOURCE_DIR) && n.endsWith(".toml") && n.indexOf('/', RESOURCE_DIR.length()) < 0)
              found.add(stem(n.substring(RESOURCE_DIR.length())));
          }
        }
      } else {
        try (Stream<Path> s = Files.list(Path.of(anchor.toURI()).getParent())) {
          s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".toml")).forEach(n -> found.add(stem(n)));
        }
      }
    } catch (IOException | URISyntaxException e) {
      throw new IllegalStateException("cannot list the built-in presets at " + anchor, e);
    }
    List<String> out = new ArrayList<>();
    for (FamilyCatalog.Family f : FamilyCatalog.ALL) {
      for (String n : new ArrayList<>(found)) {
        if (n.equals(f.id()) || n.startsWith(f.id() + "_")) {
          out.add(n);
          found.remove(n);
        }
      }
    }
    out.addAll(found);
    return out;
  }

  private static String stem(String fileName) {
    return fileName.substring(0, fileName.length() - ".toml".length());
  }
}
