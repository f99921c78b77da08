package dev.lathe.tui;

import com.googlecode.lanterna.TerminalSize;
import com.googlecode.lanterna.gui2.AbstractComponent;
import com.googlecode.lanterna.gui2.ComponentRenderer;
import com.googlecode.lanterna.gui2.TextGUIGraphics;
import java.util.function.DoubleFunction;

/**
 * A line chart of one {@link Series} (raw, in one role) and optionally its exponential moving average (in another),
 * drawn with braille dots (2×4 per cell), block columns, or ASCII. Each dot column shows the min..max of the points
 * that fall in it, joined to its neighbours, so spikes survive any zoom. The x-range can be zoomed and panned; at
 * zoom 1 with no pan it follows new points. Used for loss (raw + EMA) and learning rate (raw only).
 */
public final class BrailleChart extends AbstractComponent<BrailleChart> {
  /** How dots become glyphs. */
  public enum Glyphs { BRAILLE, BLOCK, ASCII }

  private final Skin skin;
  private final Role rawRole;
  private final Role smoothRole;
  private String title;
  private boolean focused;
  private Series series = Series.EMPTY;
  private double beta;                        // EMA factor, 0 = no smoothed curve
  private Glyphs glyphs;                      // null = from the skin (braille, or ASCII without Unicode)
  private DoubleFunction<String> yFormat = Fmt::num;
  private double zoom = 1;                    // visible width = full range / zoom
  private double offset;                      // distance of the right edge from the newest x; 0 = following
  private String emptyText = "no data yet";

  public BrailleChart(Skin skin, Role rawRole, Role smoothRole) {
    this.skin = skin;
    this.rawRole = rawRole;
    this.smoothRole = smoothRole;
  }

  /** Shows {@code s}; redraws only when it is a different series. */
  public BrailleChart show(Series s) {
    if (s != series) {
      series = s;
      invalidate();
    }
    return this;
  }

  public Series series() {
    return series;
  }

  public BrailleChart title(String t) {
    if (!t.equals(title)) {
      title = t;
      invalidate();
    }
    return this;
  }

  public BrailleChart focused(boolean f) {
    if (f != focused) {
      focused = f;
      invalidate();
    }
    return this;
  }

  /** Draws the debiased EMA with factor {@code beta} (e.g. 0.95) over the raw points; 0 turns it off. */
  public BrailleChart smoothing(double b) {
    if (b < 0 || b >= 1) throw new IllegalArgumentException("EMA factor must be in [0, 1), was " + b);
    beta = b;
    invalidate();
    return this;
  }

  public double smoothing() {
    return beta;
  }

  public BrailleChart glyphs(Glyphs g) {
    glyphs = g;
    invalidate();
    return this;
  }

  public BrailleChart yFormat(DoubleFunction<String> f) {
    yFormat = f;
    invalidate();
    return this;
  }

  public BrailleChart emptyText(String s) {
    emptyText = s;
    invalidate();
    return this;
  }

  /** Halves the visible x-range, keeping its right edge. */
  public void zoomIn() {
    if (fullRange() <= 0) return;
    zoom = Math.min(zoom * 2, Math.max(1, series.size() / 4.0));
    clamp();
    invalidate();
  }

  public void zoomOut() {
    zoom = Math.max(1, zoom / 2);
    clamp();
    invalidate();
  }

  /** Moves the view a quarter of its width to older x. */
  public void panLeft() {
    offset += fullRange() / zoom / 4;
    clamp();
    invalidate();
  }

  /** Moves the view a quarter of its width to newer x; reaching the newest point resumes following. */
  public void panRight() {
    offset -= fullRange() / zoom / 4;
    clamp();
    invalidate();
  }

  /** Whole run, following. */
  public void resetView() {
    zoom = 1;
    offset = 0;
    invalidate();
  }

  public double zoom() {
    return zoom;
  }

  public boolean following() {
    return offset == 0;
  }

  /** The visible x-range {lo, hi}; {0, 0} when empty. */
  public double[] view() {
    if (series.isEmpty()) return new double[] {0, 0};
    double lo0 = series.x(0), hi0 = series.lastX();
    double w = (hi0 - lo0) / zoom;
    double hi = hi0 - offset;
    return new double[] {hi - w, hi};
  }

  private double fullRange() {
    return series.size() < 2 ? 0 : series.lastX() - series.x(0);
  }

  private void clamp() {
    double maxOffset = fullRange() - fullRange() / zoom;
    offset = Math.max(0, Math.min(offset, maxOffset));
  }

  Glyphs effectiveGlyphs() {
    return glyphs != null ? glyphs : skin.unicode() ? Glyphs.BRAILLE : Glyphs.ASCII;
  }

  /** The debiased EMA of {@code s}'s y values (the first values are not pulled towards 0). */
  static double[] ema(Series s, double beta) {
    double[] out = new double[s.size()];
    double m = 0, corr = 1;
    for (int i = 0; i < s.size(); i++) {
      m = beta * m + (1 - beta) * s.y(i);
      corr *= beta;
      out[i] = m / (1 - corr);
    }
    return out;
  }

  /**
   * Rasterises points {@code from..to-1} of {@code s} (y from {@code ys}) into a dot grid of {@code w×h}, x mapped
   * from [x0, x1] and y from [y0, y1] (y1 at the top). Per dot column the min..max is drawn, and each column is
   * joined to the previous non-empty one; the points just outside the range keep lines running to the edges.
   */
  static void raster(boolean[][] dots, Series s, double[] ys, double x0, double x1, double y0, double y1) {
    int w = dots.length, h = dots[0].length;
    if (s.isEmpty()) return;
    int from = Math.max(0, s.lowerBound(x0) - 1);
    int to = Math.min(s.size(), s.lowerBound(x1) + 1);
    if (to < s.size() && s.x(to) == x1) to++;
    double xs = x1 > x0 ? (w - 1) / (x1 - x0) : 0;
    double ysc = y1 > y0 ? (h - 1) / (y1 - y0) : 0;
    int prevCol = Integer.MIN_VALUE, prevRow = 0;
    int col = Integer.MIN_VALUE, lo = 0, hi = 0, first = 0, last = 0;
    for (int i = from; i <= to; i++) {
      int c = Integer.MAX_VALUE, r = 0;
      if (i < to) {
        double x = s.x(i), y = ys[i];
        if (Double.isNaN(y) || Double.isInfinite(y)) continue;
        c = x1 > x0 ? (int) Math.floor((x - x0) * xs + 0.5) : w / 2;
        r = y1 > y0 ? (int) Math.floor((y1 - y) * ysc + 0.5) : h / 2;
        r = Math.max(-h, Math.min(2 * h, r));
      }
      if (c != col) {
        if (col != Integer.MIN_VALUE) {                   // flush the finished column
          if (prevCol != Integer.MIN_VALUE) line(dots, prevCol, prevRow, col, first);
          for (int y = lo; y <= hi; y++) set(dots, col, y);
          prevCol = col;
          prevRow = last;
        }
        if (i == to) break;
        col = c;
        lo = hi = first = last = r;
      } else {
        lo = Math.min(lo, r);
        hi = Math.max(hi, r);
        last = r;
      }
    }
  }

  private static void set(boolean[][] dots, int x, int y) {
    if (x >= 0 && x < dots.length && y >= 0 && y < dots[0].length) dots[x][y] = true;
  }

  private static void line(boolean[][] dots, int x0, int y0, int x1, int y1) {
    int dx = Math.abs(x1 - x0), dy = -Math.abs(y1 - y0);
    int sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1;
    int err = dx + dy;
    int guard = 0;
    while (guard++ < 100_000) {
      set(dots, x0, y0);
      if (x0 == x1 && y0 == y1) break;
      int e2 = 2 * err;
      if (e2 >= dy) {
        err += dy;
        x0 += sx;
      }
      if (e2 <= dx) {
        err += dx;
        y0 += sy;
      }
    }
  }

  /** Braille bit of dot (dx 0..1, dy 0..3) in a cell: left column 0,1,2,6; right column 3,4,5,7. */
  static final int[][] BRAILLE_BIT = {{0x01, 0x02, 0x04, 0x40}, {0x08, 0x10, 0x20, 0x80}};

  /** Cell glyph from a dot grid: braille pattern U+2800 + bits, blank when no dot. */
  static String brailleCell(boolean[][] dots, int cx, int cy) {
    int bits = 0;
    for (int dx = 0; dx < 2; dx++) for (int dy = 0; dy < 4; dy++) if (dots[cx * 2 + dx][cy * 4 + dy]) bits |= BRAILLE_BIT[dx][dy];
    return bits == 0 ? " " : String.valueOf((char) (0x2800 + bits));
  }

  @Override
  protected ComponentRenderer<BrailleChart> createDefaultRenderer() {
    return new Renderer();
  }

  private static final String BLOCKS = " ▁▂▃▄▅▆▇█";

  private static final class Renderer implements ComponentRenderer<BrailleChart> {
    @Override
    public TerminalSize getPreferredSize(BrailleChart c) {
      return new TerminalSize(40, 10);
    }

    @Override
    public void drawComponent(TextGUIGraphics g0, BrailleChart c) {
      Skin skin = c.skin;
      TextGUIGraphics g = c.title != null ? Frames.framed(g0, skin, c.title, c.focused) : g0;
      if (c.title == null) {
        skin.theme().apply(g, Role.TEXT);
        g.fill(' ');
      }
      int w = g.getSize().getColumns(), h = g.getSize().getRows();
      if (w < 8 || h < 2) return;
      Series s = c.series;
      if (s.isEmpty()) {
        Frames.text(g, skin, Math.max(0, (w - c.emptyText.length()) / 2), h / 2, c.emptyText, Role.MUTED);
        return;
      }
      double[] v = c.view();
      double[] raw = new double[s.size()];
      for (int i = 0; i < raw.length; i++) raw[i] = s.y(i);
      double[] smooth = c.beta > 0 ? ema(s, c.beta) : null;
      // y-range from the visible raw points (the EMA lies within it)
      int from = Math.max(0, s.lowerBound(v[0]));
      int to = Math.max(from + 1, Math.min(s.size(), s.lowerBound(v[1]) + (v[1] >= s.lastX() ? 1 : 0)));
      double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
      for (int i = Math.min(from, s.size() - 1); i < to && i < s.size(); i++) {
        double y = raw[i];
        if (Double.isNaN(y) || Double.isInfinite(y)) continue;
        lo = Math.min(lo, y);
        hi = Math.max(hi, y);
      }
      if (lo > hi) {
        lo = 0;
        hi = 1;
      }
      if (hi - lo < 1e-12 * Math.max(1, Math.abs(hi))) {
        double pad = Math.abs(hi) > 0 ? Math.abs(hi) * 0.1 : 1;
        lo -= pad;
        hi += pad;
      }
      String top = c.yFormat.apply(hi), mid = c.yFormat.apply((hi + lo) / 2), bottom = c.yFormat.apply(lo);
      int gutter = Math.max(top.length(), Math.max(mid.length(), bottom.length())) + 1;
      int pw = w - gutter, ph = h - 1;                    // the last row holds the x labels
      if (pw < 4) return;
      for (int row = 0; row < ph; row++) {
        String label = row == 0 ? top : row == ph - 1 ? bottom : row == ph / 2 && ph > 4 ? mid : "";
        Frames.text(g, skin, 0, row, String.format("%" + (gutter - 1) + "s", label), Role.MUTED);
      }
      String xl = Fmt.num(Math.round(v[0])), xr = Fmt.num(Math.round(v[1]));
      Frames.text(g, skin, gutter, ph, xl, Role.MUTED);
      String right = (c.following() ? "" : c.skin.unicode() ? "◂ " : "< ") + xr;
      if (pw > xl.length() + right.length() + 1) Frames.text(g, skin, w - right.length(), ph, right, Role.MUTED);
      TextGUIGraphics plot = g.newTextGraphics(new com.googlecode.lanterna.TerminalPosition(gutter, 0), new TerminalSize(pw, ph));
      switch (c.effectiveGlyphs()) {
        case BRAILLE: drawDots(plot, c, s, raw, smooth, v, lo, hi, pw, ph, 2, 4); break;
        case ASCII: drawDots(plot, c, s, raw, smooth, v, lo, hi, pw, ph, 1, 1); break;
        default: drawBlocks(plot, c, s, smooth != null ? smooth : raw, v, lo, hi, pw, ph);
      }
    }

    private void drawDots(TextGUIGraphics g, BrailleChart c, Series s, double[] raw, double[] smooth, double[] v,
        double lo, double hi, int pw, int ph, int sx, int sy) {
      boolean[][] rawDots = new boolean[pw * sx][ph * sy];
      raster(rawDots, s, raw, v[0], v[1], lo, hi);
      boolean[][] smoothDots = null;
      if (smooth != null) {
        smoothDots = new boolean[pw * sx][ph * sy];
        raster(smoothDots, s, smooth, v[0], v[1], lo, hi);
      }
      Theme t = c.skin.theme();
      for (int cy = 0; cy < ph; cy++) {
        for (int cx = 0; cx < pw; cx++) {
          boolean anySmooth = false, anyRaw = false;
          for (int dx = 0; dx < sx; dx++) {
            for (int dy = 0; dy < sy; dy++) {
              anyRaw |= rawDots[cx * sx + dx][cy * sy + dy];
              if (smoothDots != null) anySmooth |= smoothDots[cx * sx + dx][cy * sy + dy];
            }
          }
          if (!anyRaw && !anySmooth) continue;
          String glyph;
          if (sx == 2) {
            int bits = 0;
            for (int dx = 0; dx < 2; dx++) {
              for (int dy = 0; dy < 4; dy++) {
                boolean on = rawDots[cx * 2 + dx][cy * 4 + dy] || (smoothDots != null && smoothDots[cx * 2 + dx][cy * 4 + dy]);
                if (on) bits |= BRAILLE_BIT[dx][dy];
              }
            }
            glyph = String.valueOf((char) (0x2800 + bits));
          } else {
            glyph = anySmooth ? "*" : ".";
          }
          t.applyFg(g, anySmooth ? c.smoothRole : c.rawRole);
          g.putString(cx, cy, glyph);
        }
      }
    }

    private void drawBlocks(TextGUIGraphics g, BrailleChart c, Series s, double[] ys, double[] v, double lo, double hi,
        int pw, int ph) {
      Theme t = c.skin.theme();
      t.applyFg(g, c.smoothRole == null || c.beta == 0 ? c.rawRole : c.smoothRole);
      double span = v[1] - v[0];
      for (int cx = 0; cx < pw; cx++) {
        double a = v[0] + span * cx / pw, b = v[0] + span * (cx + 1) / pw;
        int i0 = s.lowerBound(a), i1 = cx == pw - 1 ? s.lowerBound(b) + 1 : s.lowerBound(b);
        double sum = 0;
        int n = 0;
        for (int i = i0; i < Math.min(i1, s.size()); i++) {
          if (Double.isFinite(ys[i])) {
            sum += ys[i];
            n++;
          }
        }
        if (n == 0) continue;
        double frac = hi > lo ? (sum / n - lo) / (hi - lo) : 0.5;
        int eighths = (int) Math.round(Math.max(0, Math.min(1, frac)) * ph * 8);
        for (int row = ph - 1; row >= 0 && eighths > 0; row--) {
          int e = Math.min(8, eighths);
          g.putString(cx, row, String.valueOf(BLOCKS.charAt(e)));
          eighths -= e;
        }
      }
    }
  }
}
