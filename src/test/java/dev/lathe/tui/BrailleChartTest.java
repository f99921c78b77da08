package dev.lathe.tui;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.lathe.term.ColorDepth;
import java.util.List;
import org.junit.jupiter.api.Test;

class BrailleChartTest {
  static Series line(int n, java.util.function.IntToDoubleFunction f) {
    Series s = Series.EMPTY;
    for (int i = 0; i < n; i++) s = s.append(i, f.applyAsDouble(i));
    return s;
  }

  static double[] ys(Series s) {
    double[] y = new double[s.size()];
    for (int i = 0; i < y.length; i++) y[i] = s.y(i);
    return y;
  }

  @Test
  void raster_diagonal_oneDotPerColumn() {
    Series s = line(4, i -> i);
    boolean[][] d = new boolean[4][4];
    BrailleChart.raster(d, s, ys(s), 0, 3, 0, 3);
    for (int x = 0; x < 4; x++) for (int y = 0; y < 4; y++) assertThat(d[x][y]).as("dot %d,%d", x, y).isEqualTo(y == 3 - x);
  }

  @Test
  void raster_manyPointsInOneColumn_drawMinToMax() {
    Series s = line(100, i -> i % 2 == 0 ? 0 : 10);       // 100 points over 2 dot columns
    boolean[][] d = new boolean[2][8];
    BrailleChart.raster(d, s, ys(s), 0, 99, 0, 10);
    for (int y = 0; y < 8; y++) assertThat(d[0][y]).isTrue();
  }

  @Test
  void raster_aSingleSpike_survivesDecimation() {
    Series s = line(10_000, i -> i == 5000 ? 100 : 1 + 0.01 * Math.sin(i));
    boolean[][] d = new boolean[40][16];
    BrailleChart.raster(d, s, ys(s), 0, 9999, 0, 100);
    boolean top = false;
    for (int x = 0; x < 40; x++) top |= d[x][0];
    assertThat(top).isTrue();
  }

  @Test
  void raster_gapsBetweenSparsePoints_areJoined() {
    Series s = Series.of(new double[] {0, 10}, new double[] {0, 0});
    boolean[][] d = new boolean[11][4];
    BrailleChart.raster(d, s, ys(s), 0, 10, -1, 1);
    for (int x = 0; x <= 10; x++) assertThat(d[x][2] || d[x][1]).as("column %d", x).isTrue();
  }

  @Test
  void brailleCell_bitsFollowTheUnicodeLayout() {
    boolean[][] d = new boolean[2][4];
    assertThat(BrailleChart.brailleCell(d, 0, 0)).isEqualTo(" ");
    d[0][0] = true;
    assertThat(BrailleChart.brailleCell(d, 0, 0)).isEqualTo("⠁");
    d[1][3] = true;
    assertThat(BrailleChart.brailleCell(d, 0, 0)).isEqualTo("⢁");     // dot 8 = 0x80
    for (boolean[] col : d) java.util.Arrays.fill(col, true);
    assertThat(BrailleChart.brailleCell(d, 0, 0)).isEqualTo("⣿");
  }

  @Test
  void ema_isDebiased() {
    Series s = Series.of(new double[] {0, 1}, new double[] {0, 10});
    double[] e = BrailleChart.ema(s, 0.5);
    assertThat(e[0]).isEqualTo(0.0);
    assertThat(e[1]).isCloseTo(5.0 / 0.75, within(1e-12));
    double[] c = BrailleChart.ema(line(50, i -> 3.0), 0.95);
    assertThat(c[0]).isCloseTo(3.0, within(1e-12));
    assertThat(c[49]).isCloseTo(3.0, within(1e-9));
  }

  @Test
  void render_labelsTheAxes_andDrawsBraille() {
    Skin skin = Headless.mono();
    BrailleChart c = new BrailleChart(skin, Role.LOSS, Role.LOSS_SMOOTH).show(line(101, i -> 1.0 - i / 200.0));
    List<String> l = Headless.render(30, 6, c).lines();
    assertThat(l.get(0)).startsWith("   1 ");                   // the max (1.0) on top
    assertThat(l.get(4)).startsWith(" 0.5 ");                   // the min at the bottom of the plot
    assertThat(l.get(5)).contains("0").endsWith("100");         // x range
    String plot = String.join("", l.subList(0, 5));
    assertThat(plot.chars().filter(ch -> ch >= 0x2800 && ch <= 0x28ff).count()).isGreaterThan(20);
  }

  @Test
  void render_empty_saysSo() {
    BrailleChart c = new BrailleChart(Headless.mono(), Role.LOSS, Role.LOSS_SMOOTH).emptyText("waiting");
    assertThat(Headless.render(20, 4, c).text()).contains("waiting");
  }

  @Test
  void render_smoothCurve_usesItsRole() {
    Skin skin = Headless.skin("default", ColorDepth.COLORS_16, true);
    BrailleChart c = new BrailleChart(skin, Role.LOSS, Role.LOSS_SMOOTH).smoothing(0.9)
        .show(line(200, i -> 1 + ((i * 7919) % 13) / 13.0));
    Headless h = Headless.render(40, 8, c);
    boolean smooth = false, raw = false;
    for (int y = 0; y < 7; y++) {
      for (int x = 0; x < 40; x++) {
        var ch = h.at(x, y);
        if (ch.getCharacterString().charAt(0) < 0x2800) continue;
        smooth |= ch.getForegroundColor().equals(skin.theme().style(Role.LOSS_SMOOTH).fg());
        raw |= ch.getForegroundColor().equals(skin.theme().style(Role.LOSS).fg());
      }
    }
    assertThat(smooth).isTrue();
    assertThat(raw).isTrue();
  }

  @Test
  void render_asciiAndBlockFallbacks() {
    Skin ascii = Headless.skin("mono", ColorDepth.MONO, false);
    BrailleChart c = new BrailleChart(ascii, Role.LOSS, Role.LOSS_SMOOTH).smoothing(0.5).show(line(50, i -> i));
    String t = Headless.render(30, 6, c).text();
    assertThat(t).contains("*").doesNotContain("⠁");
    assertThat(t.chars().allMatch(ch -> ch < 128)).isTrue();
    BrailleChart b = new BrailleChart(Headless.mono(), Role.LOSS, Role.LOSS_SMOOTH).glyphs(BrailleChart.Glyphs.BLOCK)
        .show(line(50, i -> i));
    assertThat(Headless.render(30, 6, b).text()).contains("█");
  }

  @Test
  void zoomAndPan_moveTheView_andResetFollows() {
    BrailleChart c = new BrailleChart(Headless.mono(), Role.LOSS, Role.LOSS_SMOOTH).show(line(1001, i -> i));
    assertThat(c.view()).containsExactly(0, 1000);
    c.zoomIn();
    assertThat(c.view()).containsExactly(500, 1000);
    c.panLeft();
    assertThat(c.view()).containsExactly(375, 875);
    assertThat(c.following()).isFalse();
    c.show(c.series().append(1001, 0));                          // new data does not move a panned view's right edge
    assertThat(c.view()[1]).isCloseTo(876, within(1.0));
    c.panRight();
    c.panRight();
    assertThat(c.following()).isTrue();
    for (int i = 0; i < 20; i++) c.panLeft();
    assertThat(c.view()[0]).isEqualTo(0.0);                      // never past the first step
    c.resetView();
    assertThat(c.view()).containsExactly(0, 1001);
    c.zoomOut();
    assertThat(c.zoom()).isEqualTo(1.0);
  }
}
