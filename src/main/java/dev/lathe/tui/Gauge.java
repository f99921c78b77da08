package dev.lathe.tui;

import com.googlecode.lanterna.TerminalSize;
import com.googlecode.lanterna.gui2.AbstractComponent;
import com.googlecode.lanterna.gui2.ComponentRenderer;
import com.googlecode.lanterna.gui2.TextGUIGraphics;

/**
 * A labelled horizontal bar with eighth-cell precision and an optional peak marker, the figures to its right:
 * {@code VRAM ██████▌░░░░░░ 12.0/24.0 GB}. Without Unicode: {@code VRAM ######=...... 12.0/24.0 GB}.
 */
public final class Gauge extends AbstractComponent<Gauge> {
  private static final String PARTIAL = " ▏▎▍▌▋▊▉";

  private final Skin skin;
  private final Role fill;
  private String label;
  private double value = -1;
  private double peak = -1;
  private double total = -1;
  private String text = "";

  public Gauge(Skin skin, String label, Role fill) {
    this.skin = skin;
    this.label = label;
    this.fill = fill;
  }

  /**
   * @param value the filled part, negative when unknown (the bar is left empty and the text says "?")
   * @param peak  where the peak marker goes, negative for none
   * @param total the full scale
   * @param text  the figures shown after the bar
   */
  public Gauge show(double value, double peak, double total, String text) {
    if (value != this.value || peak != this.peak || total != this.total || !text.equals(this.text)) {
      this.value = value;
      this.peak = peak;
      this.total = total;
      this.text = text;
      invalidate();
    }
    return this;
  }

  public Gauge label(String l) {
    if (!l.equals(label)) {
      label = l;
      invalidate();
    }
    return this;
  }

  /** The bar alone, {@code width} cells: full blocks, one partial, then empty track; '│' at the peak. Pure. */
  static String bar(double value, double peak, double total, int width, boolean unicode) {
    StringBuilder sb = new StringBuilder();
    double frac = total > 0 && value >= 0 ? Math.max(0, Math.min(1, value / total)) : 0;
    int eighths = (int) Math.round(frac * width * 8);
    int full = eighths / 8, part = eighths % 8;
    for (int i = 0; i < width; i++) {
      if (i < full) sb.append(unicode ? '█' : '#');
      else if (i == full && part > 0) sb.append(unicode ? PARTIAL.charAt(part) : '=');
      else sb.append(unicode ? '░' : '.');
    }
    if (peak > value && total > 0 && width > 0) {
      int at = Math.min(width - 1, (int) Math.floor(Math.min(1, peak / total) * width));
      if (at >= full + (part > 0 ? 1 : 0)) sb.setCharAt(at, unicode ? '│' : '|');
    }
    return sb.toString();
  }

  @Override
  protected ComponentRenderer<Gauge> createDefaultRenderer() {
    return new ComponentRenderer<>() {
      @Override
      public TerminalSize getPreferredSize(Gauge c) {
        return new TerminalSize(c.label.length() + 12 + c.text.length(), 1);
      }

      @Override
      public void drawComponent(TextGUIGraphics g, Gauge c) {
        Skin skin = c.skin;
        skin.theme().apply(g, Role.TEXT);
        g.fill(' ');
        int w = g.getSize().getColumns();
        String t = c.value < 0 ? "?" : c.text;
        int barW = w - c.label.length() - 2 - t.length();
        Frames.text(g, skin, 0, 0, c.label, Role.TEXT);
        if (barW < 3) {
          Frames.text(g, skin, c.label.length() + 1, 0, t, Role.TEXT);
          return;
        }
        String bar = bar(c.value, c.peak, c.total, barW, skin.unicode());
        int x0 = c.label.length() + 1;
        for (int i = 0; i < bar.length(); i++) {
          char ch = bar.charAt(i);
          Role r = ch == '░' || ch == '.' ? Role.GAUGE_EMPTY : ch == '│' || ch == '|' ? Role.VRAM_PEAK : c.fill;
          skin.theme().applyFg(g, r);
          g.putString(x0 + i, 0, String.valueOf(ch));
        }
        Frames.text(g, skin, x0 + barW + 1, 0, t, Role.TEXT);
      }
    };
  }
}
