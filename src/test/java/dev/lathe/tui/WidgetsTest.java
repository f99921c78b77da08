package dev.lathe.tui;

import static org.assertj.core.api.Assertions.assertThat;

import com.googlecode.lanterna.SGR;
import com.googlecode.lanterna.TextColor;
import dev.lathe.term.ColorDepth;
import java.util.List;
import org.junit.jupiter.api.Test;

class WidgetsTest {
  @Test
  void vramGauge_halfFull_showsUsedOverTotal() {
    Gauge g = new Gauge(Headless.mono(), "VRAM", Role.VRAM).show(12.0, -1, 24.0, "12.0/24.0 GB");
    assertThat(Headless.render(30, 1, g).text()).isEqualTo("VRAM ██████░░░░░░ 12.0/24.0 GB");
  }

  @Test
  void gauge_eighths_andPeakMarker() {
    assertThat(Gauge.bar(13, -1, 24, 13, true)).isEqualTo("███████░░░░░░");       // 13/24·13 = 7.04 cells
    assertThat(Gauge.bar(12.0, -1, 24.0, 13, true)).isEqualTo("██████▌░░░░░░");   // 6.5 cells: a half block
    assertThat(Gauge.bar(12.0, 18.0, 24.0, 12, true)).isEqualTo("██████░░░│░░");
    assertThat(Gauge.bar(12.0, 18.0, 24.0, 12, false)).isEqualTo("######...|..");
    assertThat(Gauge.bar(-1, -1, 24.0, 4, true)).isEqualTo("░░░░");
  }

  @Test
  void gauge_unknownValue_saysQuestionMark() {
    Gauge g = new Gauge(Headless.mono(), "VRAM", Role.VRAM).show(-1, -1, -1, "x");
    assertThat(Headless.render(20, 1, g).text()).isEqualTo("VRAM ░░░░░░░░░░░░░ ?");
  }

  @Test
  void sparkline_scalesBetweenMinAndMax() {
    Series s = Series.of(new double[] {1, 2, 3, 4, 5, 6, 7, 8}, new double[] {0, 1, 2, 3, 4, 5, 6, 7});
    assertThat(Sparkline.bars(s, 8, 8, true)).isEqualTo("▁▂▃▄▅▆▇█");
    assertThat(Sparkline.bars(s, 4, 8, true)).isEqualTo("▁▃▆█");          // pairs averaged: 0.5, 2.5, 4.5, 6.5
    assertThat(Sparkline.bars(s, 8, 8, false)).isEqualTo("_.-=+*#@");
    assertThat(Sparkline.bars(Series.EMPTY, 8, 0, true)).isEmpty();
  }

  @Test
  void logTail_newestAtTheBottom_longLinesCut_errorsColoured() {
    Skin skin = Headless.skin("default", ColorDepth.COLORS_16, true);
    LogTail t = new LogTail(skin, null).show(List.of("one", "two", "ERROR three is a very long line", "four"));
    Headless h = Headless.render(20, 3, t);
    assertThat(h.lines()).containsExactly("two", "ERROR three is a ve…", "four");
    assertThat(h.at(0, 1).getForegroundColor()).isEqualTo(TextColor.ANSI.RED_BRIGHT);
    t.scrollUp(1);
    assertThat(Headless.render(20, 3, t).lines()).containsExactly("one", "two", "ERROR three is a ve…");
  }

  @Test
  void tooSmallPage_saysSizeAndNeed() {
    Headless h = Headless.render(60, 20, new TooSmallPage(Headless.mono()));
    assertThat(h.text()).contains("terminal too small: 60×20, need 80×24").contains("training goes on");
  }

  @Test
  void frame_titleInTopEdge_asciiWithoutUnicode() {
    Box b = new Box(Headless.skin("mono", ColorDepth.MONO, false)).title("Log");
    assertThat(Headless.render(10, 3, b).lines()).containsExactly("+- Log --+", "|        |", "+--------+");
    Box u = new Box(Headless.mono()).title("Log");
    assertThat(Headless.render(10, 3, u).lines()).containsExactly("┌─ Log ──┐", "│        │", "└────────┘");
  }

  @Test
  void monoTheme_selectedIsReverse_andColourThemeFoldsTo256() {
    Skin mono = Headless.mono();
    assertThat(mono.theme().style(Role.SELECTED).sgr()).contains(SGR.REVERSE);
    assertThat(mono.theme().style(Role.LOSS).fg()).isEqualTo(TextColor.ANSI.DEFAULT);
    Skin nord256 = Headless.skin("nord", ColorDepth.COLORS_256, true);
    assertThat(nord256.theme().style(Role.LOSS).fg()).isInstanceOf(TextColor.Indexed.class);
    Skin nordTrue = Headless.skin("nord", ColorDepth.TRUECOLOR, true);
    assertThat(nordTrue.theme().style(Role.LOSS).fg()).isEqualTo(new TextColor.RGB(0x5e, 0x81, 0xac));
    Skin nord16 = Headless.skin("nord", ColorDepth.COLORS_16, true);
    assertThat(nord16.theme().style(Role.TEXT).bg()).isEqualTo(TextColor.ANSI.BLACK);
  }
}
