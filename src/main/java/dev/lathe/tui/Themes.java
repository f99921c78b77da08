package dev.lathe.tui;

import com.googlecode.lanterna.SGR;
import dev.lathe.term.ColorDepth;
import java.io.IOException;
import java.io.InputStream;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.tomlj.Toml;
import org.tomlj.TomlParseResult;
import org.tomlj.TomlPosition;
import org.tomlj.TomlTable;

/**
 * The themes a console can switch between: those shipped in {@code themes/} (on the classpath as
 * {@code /themes/*.toml}) and the user's in {@code $XDG_CONFIG_HOME/lathe/themes/} (default
 * {@code ~/.config/lathe/themes/}), a user file replacing a shipped one of the same name. Every theme inherits the
 * roles it does not name from {@code default.toml} (or from {@code inherits = "name"}). A file that cannot be used is
 * left out and reported by {@link #problems()} as one line naming file, line and key.
 */
public final class Themes {
  public static final String DEFAULT = "default";

  private final Map<String, Theme> themes;   // name → theme at TRUECOLOR, sorted with "default" first
  private final List<String> problems;

  private Themes(Map<String, Theme> themes, List<String> problems) {
    this.themes = themes;
    this.problems = List.copyOf(problems);
  }

  /** Shipped themes plus the user's from {@link #userDir}. */
  public static Themes load() {
    return load(userDir(System.getenv()));
  }

  /** Shipped themes plus those in {@code userDir} (may be null or missing). */
  public static Themes load(Path userDir) {
    Map<String, Source> sources = new TreeMap<>();
    List<String> problems = new ArrayList<>();
    for (Map.Entry<String, String> e : builtIn().entrySet()) {
      sources.put(e.getKey(), new Source("themes/" + e.getKey() + ".toml", e.getValue()));
    }
    if (userDir != null && Files.isDirectory(userDir)) {
      try (DirectoryStream<Path> ds = Files.newDirectoryStream(userDir, "*.toml")) {
        for (Path p : ds) {
          String name = p.getFileName().toString().replaceFirst("\\.toml$", "");
          try {
            sources.put(name, new Source(p.toString(), Files.readString(p, StandardCharsets.UTF_8)));
          } catch (IOException ex) {
            problems.add(p + ": cannot read (" + ex.getMessage() + ")");
          }
        }
      } catch (IOException ex) {
        problems.add(userDir + ": cannot list (" + ex.getMessage() + ")");
      }
    }
    if (!sources.containsKey(DEFAULT)) throw new IllegalStateException("themes/default.toml is missing from the classpath");
    Map<String, Theme> done = new LinkedHashMap<>();
    resolve(DEFAULT, sources, done, problems, new ArrayList<>());
    if (!done.containsKey(DEFAULT)) throw new IllegalStateException("the shipped default theme is broken: " + problems);
    for (String name : sources.keySet()) resolve(name, sources, done, problems, new ArrayList<>());
    return new Themes(Collections.unmodifiableMap(done), problems);
  }

  private record Source(String label, String text) {}

  private static void resolve(String name, Map<String, Source> sources, Map<String, Theme> done, List<String> problems,
      List<String> chain) {
    if (done.containsKey(name) || chain.contains(name)) return;
    Source src = sources.get(name);
    if (src == null) return;
    chain.add(name);
    try {
      TomlParseResult toml = Toml.parse(src.text());
      if (toml.hasErrors()) {
        var err = toml.errors().get(0);
        throw new ThemeException(src.label() + ":" + err.position().line() + ": " + firstLine(err.getMessage()));
      }
      String parent = name.equals(DEFAULT) ? null : DEFAULT;
      if (toml.contains("inherits")) {
        if (!toml.isString("inherits")) throw bad(src, toml, "inherits", "must be a theme name in quotes");
        parent = toml.getString("inherits");
        if (!sources.containsKey(parent)) throw bad(src, toml, "inherits", "no theme named '" + parent + "'");
        if (chain.contains(parent)) throw bad(src, toml, "inherits", "'" + parent + "' inherits back from this theme");
        resolve(parent, sources, done, problems, chain);
        if (!done.containsKey(parent)) throw bad(src, toml, "inherits", "theme '" + parent + "' is itself broken");
      }
      Map<Role, Theme.Spec> specs = new EnumMap<>(Role.class);
      if (parent != null) for (Role r : Role.values()) specs.put(r, done.get(parent).spec(r));
      for (String key : toml.keySet()) {
        if (!List.of("name", "inherits", "roles", "description").contains(key)) {
          throw bad(src, toml, key, "unknown key (expected name, description, inherits, [roles])");
        }
      }
      TomlTable roles = toml.getTable("roles");
      if (roles == null) throw new ThemeException(src.label() + ":1: roles: missing [roles] table");
      for (String key : roles.keySet()) {
        Role role = roleOf(key);
        TomlPosition pos = roles.inputPositionOf(List.of(key));
        String at = src.label() + ":" + (pos == null ? 1 : pos.line()) + ": roles." + key + ": ";
        if (role == null) throw new ThemeException(at + "unknown role (known: " + roleList() + ")");
        specs.put(role, spec(roles.get(List.of(key)), at));
      }
      for (Role r : Role.values()) {
        if (!specs.containsKey(r)) throw new ThemeException(src.label() + ":1: roles." + r.key() + ": missing");
      }
      done.put(name, new Theme(name, specs, ColorDepth.TRUECOLOR));
    } catch (ThemeException e) {
      problems.add(e.getMessage());
    } finally {
      chain.remove(name);
    }
  }

  /**
   * Parses one role value: a colour string (the foreground), or an inline table
   * {@code { fg = "...", bg = "...", bold = true, underline = true, reverse = true, italic = true }}.
   */
  static Theme.Spec spec(Object value, String at) {
    if (value instanceof String s) return new Theme.Spec(colour(s, at), Theme.Colour.DEFAULT, Set.of());
    if (value instanceof Long l) return new Theme.Spec(colour(String.valueOf(l), at), Theme.Colour.DEFAULT, Set.of());
    if (!(value instanceof TomlTable t)) throw new ThemeException(at + "expected a colour or { fg, bg, bold, ... }");
    Theme.Colour fg = Theme.Colour.DEFAULT, bg = Theme.Colour.DEFAULT;
    EnumSet<SGR> sgr = EnumSet.noneOf(SGR.class);
    for (String k : t.keySet()) {
      Object v = t.get(List.of(k));
      switch (k) {
        case "fg": fg = colour(String.valueOf(v), at + "fg "); break;
        case "bg": bg = colour(String.valueOf(v), at + "bg "); break;
        case "bold": case "underline": case "reverse": case "italic":
          if (!(v instanceof Boolean b)) throw new ThemeException(at + k + " must be true or false");
          if (b) sgr.add(SGR.valueOf(k.toUpperCase(Locale.ROOT)));
          break;
        default:
          throw new ThemeException(at + "unknown attribute '" + k + "' (fg, bg, bold, underline, reverse, italic)");
      }
    }
    return new Theme.Spec(fg, bg, sgr);
  }

  private static final List<String> ANSI_NAMES = List.of("black", "red", "green", "yellow", "blue", "magenta", "cyan", "white");

  /** {@code "default"}, {@code "#RRGGBB"}, an ANSI name ({@code red}, {@code bright_red}, {@code grey}) or 0..255. */
  static Theme.Colour colour(String s, String at) {
    String v = s.trim().toLowerCase(Locale.ROOT);
    if (v.equals("default") || v.isEmpty()) return Theme.Colour.DEFAULT;
    if (v.matches("#[0-9a-f]{6}")) return Theme.Colour.rgb(Integer.parseInt(v.substring(1), 16));
    if (v.matches("[0-9]{1,3}")) {
      int i = Integer.parseInt(v);
      if (i <= 255) return new Theme.Colour(Theme.Colour.Kind.INDEXED, i);
    }
    if (v.equals("grey") || v.equals("gray")) return new Theme.Colour(Theme.Colour.Kind.ANSI, 8);
    boolean bright = v.startsWith("bright_");
    int i = ANSI_NAMES.indexOf(bright ? v.substring(7) : v);
    if (i >= 0) return new Theme.Colour(Theme.Colour.Kind.ANSI, bright ? i + 8 : i);
    throw new ThemeException(at + "'" + s + "' is not a colour (\"#RRGGBB\", an ANSI name like \"bright_blue\", 0-255, or \"default\")");
  }

  private static ThemeException bad(Source src, TomlParseResult toml, String key, String problem) {
    TomlPosition pos = toml.inputPositionOf(List.of(key));
    return new ThemeException(src.label() + ":" + (pos == null ? 1 : pos.line()) + ": " + key + ": " + problem);
  }

  private static Role roleOf(String key) {
    for (Role r : Role.values()) if (r.key().equals(key)) return r;
    return null;
  }

  private static String roleList() {
    StringBuilder sb = new StringBuilder();
    for (Role r : Role.values()) sb.append(sb.length() == 0 ? "" : ", ").append(r.key());
    return sb.toString();
  }

  private static String firstLine(String s) {
    int nl = s == null ? -1 : s.indexOf('\n');
    return s == null ? "syntax error" : nl < 0 ? s : s.substring(0, nl);
  }

  /** {@code $XDG_CONFIG_HOME/lathe/themes}, else {@code ~/.config/lathe/themes}. */
  public static Path userDir(Map<String, String> env) {
    String xdg = env.getOrDefault("XDG_CONFIG_HOME", "");
    Path base = !xdg.isEmpty() ? Path.of(xdg) : Path.of(env.getOrDefault("HOME", System.getProperty("user.home")), ".config");
    return base.resolve("lathe").resolve("themes");
  }

  /** Theme names, {@code default} first, then alphabetical. */
  public List<String> names() {
    List<String> out = new ArrayList<>(themes.keySet());
    out.remove(DEFAULT);
    Collections.sort(out);
    out.add(0, DEFAULT);
    return out;
  }

  /**
   * The theme called {@code name}, folded to {@code depth}.
   *
   * @throws IllegalArgumentException naming the known themes
   */
  public Theme get(String name, ColorDepth depth) {
    Theme t = themes.get(name);
    if (t == null) throw new IllegalArgumentException("no theme '" + name + "' (known: " + String.join(", ", names()) + ")");
    return t.fold(depth);
  }

  /** The theme after {@code current} in {@link #names()} order, wrapping around. */
  public String next(String current) {
    List<String> n = names();
    int i = n.indexOf(current);
    return n.get((i + 1) % n.size());
  }

  /** One line per theme file that was left out. */
  public List<String> problems() {
    return problems;
  }

  /** name → TOML text of every {@code /themes/*.toml} on the classpath (directory or jar). */
  static Map<String, String> builtIn() {
    Map<String, String> out = new TreeMap<>();
    URL anchor = Themes.class.getResource("/themes/default.toml");
    if (anchor == null) return out;
    try {
      if (anchor.getProtocol().equals("file")) {
        Path dir = Path.of(anchor.toURI()).getParent();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.toml")) {
          for (Path p : ds) out.put(p.getFileName().toString().replaceFirst("\\.toml$", ""), Files.readString(p));
        }
      } else if (anchor.getProtocol().equals("jar")) {
        JarURLConnection c = (JarURLConnection) anchor.openConnection();
        c.setUseCaches(false);
        try (JarFile jar = c.getJarFile()) {
          for (JarEntry e : Collections.list(jar.entries())) {
            String n = e.getName();
            if (n.startsWith("themes/") && n.endsWith(".toml") && n.indexOf('/', 7) < 0) {
              try (InputStream in = jar.getInputStream(e)) {
                out.put(n.substring(7, n.length() - 5), new String(in.readAllBytes(), StandardCharsets.UTF_8));
              }
            }
          }
        }
      }
    } catch (IOException | URISyntaxException e) {
      throw new IllegalStateException("cannot list the shipped themes: " + e.getMessage(), e);
    }
    return out;
  }
}
