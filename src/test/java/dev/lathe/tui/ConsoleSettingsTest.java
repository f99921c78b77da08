package dev.lathe.tui;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.googlecode.lanterna.TerminalSize;
import com.googlecode.lanterna.input.KeyStroke;
import com.googlecode.lanterna.input.KeyType;
import com.googlecode.lanterna.terminal.virtual.DefaultVirtualTerminal;
import dev.lathe.io.AtomicFiles;
import dev.lathe.term.TermProfile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** console.toml: where it lives, what it accepts, which theme wins at start, and a live switch saved with comments kept. */
class ConsoleSettingsTest {
  @TempDir Path dir;

  static final String HAND_WRITTEN = """
      # my console settings
      # (keep this comment)

      theme = "nord"   # dark, easy on the eyes
      """;

  Path file() {
    return dir.resolve("lathe").resolve(ConsoleSettings.FILE_NAME);
  }

  void write(String text) throws IOException {
    Files.createDirectories(file().getParent());
    Files.writeString(file(), text, StandardCharsets.UTF_8);
  }

  String read() throws IOException {
    return Files.readString(file(), StandardCharsets.UTF_8);
  }

  @Test
  void defaultFile_followsXdgConfigHome_elseHome() {
    assertThat(ConsoleSettings.defaultFile(Map.of("XDG_CONFIG_HOME", "/x/cfg", "HOME", "/h")))
        .isEqualTo(Path.of("/x/cfg/lathe/console.toml"));
    assertThat(ConsoleSettings.defaultFile(Map.of("HOME", "/h"))).isEqualTo(Path.of("/h/.config/lathe/console.toml"));
  }

  @Test
  void load_missingFileIsEmpty_andAHandWrittenOneGivesItsTheme() throws IOException {
    assertThat(ConsoleSettings.load(file()).theme()).isEmpty();
    write(HAND_WRITTEN);
    assertThat(ConsoleSettings.load(file()).theme()).contains("nord");
  }

  @Test
  void load_badFiles_areOneLineErrorsNamingFileAndLine() throws IOException {
    write("# ok\ntheme = nord\n");
    assertThatThrownBy(() -> ConsoleSettings.load(file())).isInstanceOf(ThemeException.class)
        .hasMessageStartingWith(file() + ":2: ").hasMessageNotContaining("\n");
    write("\ntheme = \"nord\"\ncolour = \"red\"\n");
    assertThatThrownBy(() -> ConsoleSettings.load(file())).hasMessage(file() + ":3: colour: unknown setting (known: theme)");
    write("theme = 3\n");
    assertThatThrownBy(() -> ConsoleSettings.load(file())).hasMessageStartingWith(file() + ":1: theme: must be a theme name in quotes");
  }

  @Test
  void startTheme_commandLineWins_thenTheFile_andAnUnknownSavedThemeIsAnError() throws IOException {
    List<String> known = List.of("default", "mono", "nord");
    assertThat(ConsoleSettings.load(file()).startTheme(null, known)).isNull();          // nothing saved: console decides
    write(HAND_WRITTEN);
    ConsoleSettings s = ConsoleSettings.load(file());
    assertThat(s.startTheme(null, known)).isEqualTo("nord");
    assertThat(s.startTheme("mono", known)).isEqualTo("mono");
    write("theme = \"gone\"\n");
    ConsoleSettings bad = ConsoleSettings.load(file());
    assertThat(bad.startTheme("mono", known)).isEqualTo("mono");                        // --theme sidesteps it
    assertThatThrownBy(() -> bad.startTheme(null, known))
        .hasMessage(file() + ": theme: no theme 'gone' (known: default, mono, nord); fix the line or start with --theme NAME");
  }

  @Test
  void withTheme_changesOnlyTheValue() {
    assertThat(ConsoleSettings.withTheme(HAND_WRITTEN, "mono"))
        .isEqualTo(HAND_WRITTEN.replace("theme = \"nord\"   #", "theme = \"mono\"   #"));
    // no theme line yet: added above the first table, the rest untouched
    String tables = "# top\n\n[later]\nx = 1\n";
    assertThat(ConsoleSettings.withTheme(tables, "nord")).isEqualTo("# top\n\ntheme = \"nord\"\n[later]\nx = 1\n");
    // a theme key inside a table is not the console's
    assertThat(ConsoleSettings.withTheme("[t]\ntheme = 'x'\n", "nord")).isEqualTo("theme = \"nord\"\n[t]\ntheme = 'x'\n");
    assertThat(ConsoleSettings.withTheme("# only a comment", "nord")).isEqualTo("# only a comment\ntheme = \"nord\"\n");
    assertThat(ConsoleSettings.withTheme("a = 1\r\ntheme = 'x' # c\r\n", "nord")).isEqualTo("a = 1\r\ntheme = \"nord\" # c\r\n");
    assertThat(ConsoleSettings.withTheme(null, "nord")).startsWith("# ").endsWith("\ntheme = \"nord\"\n");
  }

  @Test
  void saveTheme_createsTheFolderAndFile_thenEditsInPlace_leavingNoTempFiles() throws IOException {
    ConsoleSettings s = ConsoleSettings.load(file());
    s.saveTheme("gruvbox");
    assertThat(ConsoleSettings.load(file()).theme()).contains("gruvbox");
    assertThat(s.theme()).contains("gruvbox");
    write(HAND_WRITTEN);
    s.saveTheme("solarized-dark");
    assertThat(read()).isEqualTo(HAND_WRITTEN.replace("\"nord\"", "\"solarized-dark\""));
    try (Stream<Path> l = Files.list(file().getParent())) {
      assertThat(l.filter(AtomicFiles::isTemp)).isEmpty();
    }
  }

  @Test
  void saveTheme_refusesToTouchABrokenFile() throws IOException {
    write(HAND_WRITTEN);
    ConsoleSettings s = ConsoleSettings.load(file());
    String broken = "theme = \"nord\"\ntheme = \"mono\"\n";   // edited by hand since: a duplicate key, TOML rejects it
    write(broken);
    assertThatThrownBy(() -> s.saveTheme("x")).isInstanceOf(IOException.class).hasMessageStartingWith(file() + ":2: ");
    assertThat(read()).isEqualTo(broken);
  }

  @Test
  void liveSwitch_tAndThemeCommand_areSavedForTheNextStart_commentsKept() throws IOException {
    write(HAND_WRITTEN);
    ConsoleSettings s = ConsoleSettings.load(file());
    Themes themes = Themes.load(null);
    DefaultVirtualTerminal vt = new DefaultVirtualTerminal(new TerminalSize(100, 30));
    Console c = Console.builder().terminal(vt).profile(TermProfile.virtual(100, 30)).themes(themes)
        .theme(s.startTheme(null, themes.names())).settings(s).workers(Runnable::run).imageExecutor(Runnable::run).build();
    c.tick();
    assertThat(c.themeName()).isEqualTo("nord");
    assertThat(read()).isEqualTo(HAND_WRITTEN);                          // starting does not write

    vt.addInput(new KeyStroke('t', false, false));
    c.tick();
    c.tick();
    String next = themes.next("nord");
    assertThat(c.themeName()).isEqualTo(next);
    assertThat(read()).isEqualTo(HAND_WRITTEN.replace("\"nord\"", "\"" + next + "\""));
    assertThat(Headless.of(vt).text()).contains("saved in " + file());

    vt.addInput(new KeyStroke(':', false, false));
    for (char ch : "theme mono".toCharArray()) vt.addInput(new KeyStroke(ch, false, false));
    vt.addInput(new KeyStroke(KeyType.Enter));
    c.tick();
    c.tick();
    assertThat(c.themeName()).isEqualTo("mono");
    assertThat(read()).isEqualTo(HAND_WRITTEN.replace("\"nord\"", "\"mono\""));
    assertThat(ConsoleSettings.load(file()).startTheme(null, themes.names())).isEqualTo("mono");
  }
}
