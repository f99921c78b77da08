package dev.lathe.tui;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.googlecode.lanterna.SGR;
import com.googlecode.lanterna.TextColor;
import dev.lathe.term.ColorDepth;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ThemesTest {
  @Test
  void shippedThemes_allLoad_defaultFirst_andMatchTheFolder() throws IOException {
    Themes t = Themes.load(null);
    assertThat(t.problems()).isEmpty();
    assertThat(t.names()).startsWith("default").contains("mono", "nord", "gruvbox", "solarized-dark");
    try (Stream<Path> files = Files.list(Path.of("themes"))) {
      assertThat(t.names()).containsExactlyInAnyOrderElementsOf(
          files.map(p -> p.getFileName().toString().replace(".toml", "")).collect(Collectors.toList()));
    }
  }

  @Test
  void everyShippedTheme_namesEveryRole_itself() throws IOException {
    // inheritance fills gaps in user themes; the shipped ones are complete so each reads on its own
    for (Path p : Files.list(Path.of("themes")).collect(Collectors.toList())) {
      String text = Files.readString(p);
      for (Role r : Role.values()) assertThat(text).as("%s names %s", p, r.key()).containsPattern("(?m)^" + r.key() + "\\s*=");
    }
  }

  @Test
  void fold_roundsOnceFromTheFile() {
    Theme nord = Themes.load(null).get("nord", ColorDepth.TRUECOLOR);
    assertThat(nord.style(Role.VRAM).fg()).isEqualTo(new TextColor.RGB(0xa3, 0xbe, 0x8c));
    assertThat(nord.fold(ColorDepth.COLORS_256).style(Role.VRAM).fg()).isEqualTo(new TextColor.Indexed(144));
    assertThat(nord.fold(ColorDepth.COLORS_256).fold(ColorDepth.TRUECOLOR).style(Role.VRAM).fg())
        .isEqualTo(new TextColor.RGB(0xa3, 0xbe, 0x8c));                    // folding never compounds
    assertThat(nord.fold(ColorDepth.MONO).style(Role.VRAM).fg()).isEqualTo(TextColor.ANSI.DEFAULT);
  }

  @Test
  void ansiNames_stayAnsi_atEveryDepth() {
    Theme d = Themes.load(null).get("default", ColorDepth.TRUECOLOR);
    assertThat(d.style(Role.ACCENT).fg()).isEqualTo(TextColor.ANSI.CYAN);
    assertThat(d.fold(ColorDepth.COLORS_16).style(Role.ERROR).fg()).isEqualTo(TextColor.ANSI.RED_BRIGHT);
    assertThat(d.style(Role.ERROR).sgr()).contains(SGR.BOLD);
  }

  @Test
  void userTheme_inheritsMissingRoles_andOverridesShippedName(@TempDir Path dir) throws IOException {
    Files.writeString(dir.resolve("mine.toml"), "name = \"mine\"\ninherits = \"nord\"\n[roles]\nloss = \"#ff0000\"\n");
    Files.writeString(dir.resolve("mono.toml"), "[roles]\nloss = \"red\"\n");
    Themes t = Themes.load(dir);
    assertThat(t.problems()).isEmpty();
    Theme mine = t.get("mine", ColorDepth.TRUECOLOR);
    assertThat(mine.style(Role.LOSS).fg()).isEqualTo(new TextColor.RGB(255, 0, 0));
    assertThat(mine.style(Role.VRAM).fg()).isEqualTo(new TextColor.RGB(0xa3, 0xbe, 0x8c));
    assertThat(t.get("mono", ColorDepth.TRUECOLOR).style(Role.LOSS).fg()).isEqualTo(TextColor.ANSI.RED);
  }

  @Test
  void badFiles_areLeftOut_withOneLine(@TempDir Path dir) throws IOException {
    Files.writeString(dir.resolve("a.toml"), "[roles]\nlos = \"red\"\n");
    Files.writeString(dir.resolve("b.toml"), "[roles]\nloss = { fg = \"red\", blink = true }\n");
    Files.writeString(dir.resolve("c.toml"), "[roles\nloss = 1\n");
    Files.writeString(dir.resolve("d.toml"), "inherits = \"e\"\n[roles]\n");
    Files.writeString(dir.resolve("e.toml"), "inherits = \"d\"\n[roles]\n");
    Themes t = Themes.load(dir);
    assertThat(t.names()).doesNotContain("a", "b", "c", "d", "e");
    assertThat(t.problems()).anyMatch(p -> p.startsWith(dir.resolve("a.toml") + ":2: roles.los: unknown role"));
    assertThat(t.problems()).anyMatch(p -> p.startsWith(dir.resolve("b.toml") + ":2: roles.loss: unknown attribute 'blink'"));
    assertThat(t.problems()).anyMatch(p -> p.startsWith(dir.resolve("c.toml") + ":1: "));
    assertThat(t.problems()).anyMatch(p -> p.contains("d.toml:1: inherits:") || p.contains("e.toml:1: inherits:"));
    assertThat(t.problems()).allMatch(p -> !p.contains("\n"));
  }

  @Test
  void get_unknown_namesTheKnown() {
    assertThatThrownBy(() -> Themes.load(null).get("neon", ColorDepth.TRUECOLOR)).hasMessageContaining("known: default");
  }

  @Test
  void userDir_followsXdg() {
    assertThat(Themes.userDir(java.util.Map.of("XDG_CONFIG_HOME", "/x"))).isEqualTo(Path.of("/x/lathe/themes"));
    assertThat(Themes.userDir(java.util.Map.of("HOME", "/h"))).isEqualTo(Path.of("/h/.config/lathe/themes"));
  }
}
