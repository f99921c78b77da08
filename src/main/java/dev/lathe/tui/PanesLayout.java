package dev.lathe.tui;

import com.googlecode.lanterna.TerminalPosition;
import com.googlecode.lanterna.TerminalSize;
import com.googlecode.lanterna.gui2.Component;
import com.googlecode.lanterna.gui2.LayoutManager;
import java.util.List;

/**
 * A layout that places its panes itself, by arithmetic on the area it is given (each screen's body, the shell).
 * Lanterna asks for a preferred size and whether the layout changed; here the size is fixed and the answer is no,
 * so a subclass only writes {@link #doLayout}.
 */
abstract class PanesLayout implements LayoutManager {
  /** A screen body at the smallest supported terminal: 80×24 less the shell's header, tabs and footer. */
  static final TerminalSize BODY = new TerminalSize(80, 21);

  private final TerminalSize preferred;

  PanesLayout() {
    this(BODY);
  }

  PanesLayout(TerminalSize preferred) {
    this.preferred = preferred;
  }

  @Override
  public TerminalSize getPreferredSize(List<Component> components) {
    return preferred;
  }

  @Override
  public boolean hasChanged() {
    return false;
  }

  /** Shows {@code c} at (x, y) with size w×h (negative sizes clamp to 0). */
  static void place(Component c, int x, int y, int w, int h) {
    place(c, true, x, y, w, h);
  }

  /** As {@link #place(Component, int, int, int, int)} when {@code visible}, else hides it. */
  static void place(Component c, boolean visible, int x, int y, int w, int h) {
    if (c.isVisible() != visible) c.setVisible(visible);
    c.setPosition(new TerminalPosition(x, y));
    c.setSize(visible ? new TerminalSize(Math.max(0, w), Math.max(0, h)) : TerminalSize.ZERO);
  }

  static void hide(Component c) {
    place(c, false, 0, 0, 0, 0);
  }
}
