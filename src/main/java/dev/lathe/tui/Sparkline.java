package dev.lathe.tui;

import com.googlecode.lanterna.TerminalSize;
import com.googlecode.lanterna.gui2.AbstractComponent;
import com.googlecode.lanterna.gui2.ComponentRenderer;
import com.googlecode.lanterna.gui2.TextGUIGraphics;

/**
 * One row of eight-level bars ({@code ▁▂▃▄▅▆▇█}, or {@code _.-=+*#} without Unicode) of the newest points of a
 * series, one bar per column averaging the points that fall in it, scaled between their min and max.
 */
public final class Sparkline extends AbstractComponent<Sparkline> {
  static final String BARS = "▁▂▃▄▅▆▇█";
  static final String ASCII = "_.-=+*#@";

  private final Skin skin;
  private final Role role;
  private Series series = Series.EMPTY;
  private int window;                       // points shown, 0 = as many as there are columns × 4

  public Sparkline(Skin skin, Role role) {
    this.skin = skin;
    this.role = role;
  }

  public Sparkline show(Series s) {
    if (s != series) {
      series = s;
      invalidate();
    }
    return this;
  }

  /** Shows the newest {@code n} points (0: four per column). */
  public Sparkline window(int n) {
    window = n;
    invalidate();
    return this;
  }

  /** The bars for the newest points of {@code s} in {@code width} columns. Pure; "" when empty. */
  static String bars(Series s, int width, int window, boolean unicode) {
    if (s.isEmpty() || width < 1) return "";
    int n = Math.min(s.size(), window > 0 ? window : width * 4);
    int start = s.size() - n;
    int cols = Math.min(width, n);
    double[] v = new double[cols];
    double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
    for (int c = 0; c < cols; c++) {
      int a = start + (int) ((long) n * c / cols), b = start + (int) ((long) n * (c + 1) / cols);
      double sum = 0;
      int k = 0;
      for (int i = a; i < b; i++) {
        if (Double.isFinite(s.y(i))) {
          sum += s.y(i);
          k++;
        }
      }
      v[c] = k == 0 ? Double.NaN : sum / k;
      if (k > 0) {
        lo = Math.min(lo, v[c]);
        hi = Math.max(hi, v[c]);
      }
    }
    String glyphs = unicode ? BARS : ASCII;
    StringBuilder sb = new StringBuilder(cols);
    for (double x : v) {
      if (Double.isNaN(x)) {
        sb.append(' ');
        continue;
      }
      int level = hi > lo ? (int) Math.round((x - lo) / (hi - lo) * 7) : 3;
      sb.append(glyphs.charAt(level));
    }
    return sb.toString();
  }

  @Override
  protected ComponentRenderer<Sparkline> createDefaultRenderer() {
    return new ComponentRenderer<>() {
      @Override
      public TerminalSize getPreferredSize(Sparkline c) {
        return new TerminalSize(20, 1);
      }

      @Override
      public void drawComponent(TextGUIGraphics g, Sparkline c) {
        c.skin.theme().apply(g, Role.TEXT);
        g.fill(' ');
        Frames.text(g, c.skin, 0, 0, bars(c.series, g.getSize().getColumns(), c.window, c.skin.unicode()), c.role);
      }
    };
  }
}
