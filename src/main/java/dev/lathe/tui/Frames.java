package dev.lathe.tui;

import com.googlecode.lanterna.TerminalPosition;
import com.googlecode.lanterna.TerminalSize;
import com.googlecode.lanterna.gui2.TextGUIGraphics;

/** Pane frames: a one-line border with the title in its top edge, in the border or focused-border role. */
final class Frames {
  private Frames() {}

  /**
   * Fills {@code g} with the text role, draws a frame titled {@code title} and returns the graphics inside it, or
   * {@code g} itself when it is too small for a frame.
   */
  static TextGUIGraphics framed(TextGUIGraphics g, Skin skin, String title, boolean focused) {
    Theme t = skin.theme();
    TerminalSize size = g.getSize();
    t.apply(g, Role.TEXT);
    g.fill(' ');
    int w = size.getColumns(), h = size.getRows();
    if (w < 4 || h < 3) return g;
    boolean u = skin.unicode();
    t.applyFg(g, focused ? Role.BORDER_FOCUSED : Role.BORDER);
    String hz = u ? "─" : "-", vt = u ? "│" : "|";
    g.putString(0, 0, (u ? "┌" : "+") + hz.repeat(w - 2) + (u ? "┐" : "+"));
    g.putString(0, h - 1, (u ? "└" : "+") + hz.repeat(w - 2) + (u ? "┘" : "+"));
    for (int y = 1; y < h - 1; y++) {
      g.putString(0, y, vt);
      g.putString(w - 1, y, vt);
    }
    if (title != null && !title.isEmpty() && w > 6) {
      t.applyFg(g, focused ? Role.BORDER_FOCUSED : Role.TITLE);
      g.putString(2, 0, " " + Fmt.fit(u ? title : Fmt.ascii(title), w - 6, u) + " ");
    }
    t.apply(g, Role.TEXT);
    return g.newTextGraphics(new TerminalPosition(1, 1), new TerminalSize(w - 2, h - 2));
  }

  /** Draws {@code s} at (col,row) in {@code role}, keeping the background, cut to the graphics' width. */
  static void text(TextGUIGraphics g, Skin skin, int col, int row, String s, Role role) {
    int w = g.getSize().getColumns() - col;
    if (w <= 0 || row < 0 || row >= g.getSize().getRows()) return;
    skin.theme().applyFg(g, role);
    g.putString(col, row, Fmt.fit(skin.unicode() ? s : Fmt.ascii(s), w, skin.unicode()));
  }
}
