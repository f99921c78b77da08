package dev.lathe.tui;

import com.googlecode.lanterna.TerminalSize;
import com.googlecode.lanterna.gui2.AbstractComponent;
import com.googlecode.lanterna.gui2.ComponentRenderer;
import com.googlecode.lanterna.gui2.TextGUIGraphics;

/** Shown instead of everything while the terminal is below the minimum size; training is not affected. */
public final class TooSmallPage extends AbstractComponent<TooSmallPage> {
  public static final int MIN_COLUMNS = 80;
  public static final int MIN_ROWS = 24;

  private final Skin skin;

  public TooSmallPage(Skin skin) {
    this.skin = skin;
  }

  /** The message for a terminal of {@code size}. */
  static String message(TerminalSize size) {
    return "terminal too small: " + size.getColumns() + "×" + size.getRows() + ", need " + MIN_COLUMNS + "×" + MIN_ROWS;
  }

  static boolean tooSmall(TerminalSize size) {
    return size.getColumns() < MIN_COLUMNS || size.getRows() < MIN_ROWS;
  }

  @Override
  protected ComponentRenderer<TooSmallPage> createDefaultRenderer() {
    return new ComponentRenderer<>() {
      @Override
      public TerminalSize getPreferredSize(TooSmallPage p) {
        return new TerminalSize(MIN_COLUMNS, MIN_ROWS);
      }

      @Override
      public void drawComponent(TextGUIGraphics g, TooSmallPage p) {
        p.skin.theme().apply(g, Role.TEXT);
        g.fill(' ');
        TerminalSize s = g.getSize();
        String a = message(s);
        if (!p.skin.unicode()) a = a.replace('×', 'x');
        String b = "training goes on; enlarge the window, or press q to quit";
        int row = Math.max(0, s.getRows() / 2 - 1);
        Frames.text(g, p.skin, Math.max(0, (s.getColumns() - a.length()) / 2), row, a, Role.WARN);
        Frames.text(g, p.skin, Math.max(0, (s.getColumns() - b.length()) / 2), row + 1, b, Role.MUTED);
      }
    };
  }
}
