package dev.lathe.tui;

import dev.lathe.io.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.tomlj.Toml;
import org.tomlj.TomlParseResult;
import org.tomlj.TomlPosition;

/**
 * The console's own settings file, {@code $XDG_CONFIG_HOME/lathe/console.toml} (else {@code ~/.config/lathe/}):
 * today one key, {@code theme}. The console reads it at start ({@code --theme} wins over it) and writes the theme
 * back when the user switches it live; that edit changes only the value on the {@code theme} line, so the user's
 * comments and every other byte stay as they were, and the write is atomic.
 */
public final class ConsoleSettings {
  public static final String FILE_NAME = "console.toml";
  private static final Pattern THEME_LINE =
      Pattern.compile("^(\\s*theme\\s*=\\s*)(\"(?:[^\"\\\\]|\\\\.)*\"|'[^']*'|[^\\s#]*)(.*)$", Pattern.DOTALL);
  private static final Pattern HEADER = Pattern.compile("^\\s*\\[.*", Pattern.DOTALL);   // DOTALL: a CRLF line's \r

  private final Path file;
  private volatile String theme;

  private ConsoleSettings(Path file, String theme) {
    this.file = file;
    this.theme = theme;
  }

  /** {@code $XDG_CONFIG_HOME/lathe/console.toml}, else {@code ~/.config/lathe/console.toml}. */
  public static Path defaultFile(Map<String, String> env) {
    return Themes.userDir(env).getParent().resolve(FILE_NAME);
  }

  /**
   * Reads {@code file}; a missing file is empty settings.
   *
   * @throws ThemeException one line naming the file and line: bad TOML, an unknown key, a theme that is not a string
   */
  public static ConsoleSettings load(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return new ConsoleSettings(file, null);
    } catch (IOException e) {
      throw new ThemeException(file + ": cannot read (" + e.getMessage() + ")");
    }
    return new ConsoleSettings(file, parse(text, file));
  }

  private static String parse(String text, Path file) {
    TomlParseResult t = Toml.parse(text);
    if (t.hasErrors()) {
      var e = t.errors().get(0);
      String m = e.getMessage() == null ? "syntax error" : e.getMessage().split("\n")[0];
      throw new ThemeException(file + ":" + line(e.position()) + ": " + m);
    }
    for (String k : t.keySet()) {
      if (!k.equals("theme")) {
        throw new ThemeException(file + ":" + line(t.inputPositionOf(k)) + ": " + k + ": unknown setting (known: theme)");
      }
    }
    if (!t.contains("theme")) return null;
    if (!t.isString("theme") || t.getString("theme").isBlank()) {
      throw new ThemeException(file + ":" + line(t.inputPositionOf("theme")) + ": theme: must be a theme name in quotes, e.g. theme = \"nord\"");
    }
    return t.getString("theme");
  }

  private static String line(TomlPosition p) {
    return p == null ? "?" : String.valueOf(p.line());
  }

  public Path file() {
    return file;
  }

  /** The theme the file names, if any (not checked against the installed themes: the caller knows them). */
  public Optional<String> theme() {
    return Optional.ofNullable(theme);
  }

  /**
   * The theme to start with: {@code commandLine} (--theme) when given, else the saved one, else null (the console's
   * own choice: default, or mono on a mono terminal).
   *
   * @throws ThemeException the saved theme is not among {@code known} (one line naming this file)
   */
  public String startTheme(String commandLine, java.util.List<String> known) {
    if (commandLine != null || theme == null) return commandLine;
    if (!known.contains(theme)) {
      throw new ThemeException(file + ": theme: no theme '" + theme + "' (known: " + String.join(", ", known)
          + "); fix the line or start with --theme NAME");
    }
    return theme;
  }

  /**
   * Writes {@code name} as the theme, atomically: the {@code theme} line's value is replaced in place (its comment
   * kept), or a {@code theme} line is added above the first table; a missing file is created with a short comment.
   */
  public synchronized void saveTheme(String name) throws IOException {
    String old;
    try {
      old = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      old = null;
    }
    String text = withTheme(old, name);
    try {
      if (!name.equals(parse(text, file))) throw new IOException(file + ": cannot update the theme line");
    } catch (ThemeException e) {
      throw new IOException(e.getMessage(), e);                       // the user's file is broken: leave it alone
    }
    Files.createDirectories(file.toAbsolutePath().getParent());
    AtomicFiles.writeString(file, text);
    theme = name;
  }

  /** {@code text} (null: no file yet) with {@code theme} set to {@code name}; nothing else changes. */
  static String withTheme(String text, String name) {
    String value = "\"" + name.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    if (text == null || text.isEmpty()) {
      return "# Lathe console settings (docs/TUI.md). The console writes `theme` here when you switch it with t or :theme.\n"
          + "theme = " + value + "\n";
    }
    String nl = text.contains("\r\n") ? "\r\n" : "\n";
    String[] lines = text.split("\n", -1);                 // a trailing newline gives an empty last element
    int header = -1;
    for (int i = 0; i < lines.length; i++) {
      if (HEADER.matcher(lines[i]).matches()) {
        header = i;
        break;
      }
      Matcher m = THEME_LINE.matcher(lines[i]);
      if (m.matches()) {
        lines[i] = m.group(1) + value + m.group(3);
        return String.join("\n", lines);
      }
    }
    if (header >= 0) {
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < lines.length; i++) {
        if (i == header) sb.append("theme = ").append(value).append(nl);
        sb.append(lines[i]);
        if (i < lines.length - 1) sb.append('\n');
      }
      return sb.toString();
    }
    return text + (text.endsWith("\n") ? "" : nl) + "theme = " + value + nl;
  }
}
