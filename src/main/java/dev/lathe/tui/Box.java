package dev.lathe.tui;

import com.googlecode.lanterna.TerminalSize;
import com.googlecode.lanterna.gui2.AbstractComponent;
import com.googlecode.lanterna.gui2.ComponentRenderer;
import com.googlecode.lanterna.gui2.TextGUIGraphics;

/**
 * A titled frame with an optional caption on its last inner row; layouts place other components inside it (drawn
 * after it, so on top). Used where the content must be its own component, like an {@link ImageSlot}.
 */
public final class Box extends AbstractComponent<Box> {
  private final Skin skin;
  private String title = "";
  private String caption = "";
  private boolean focused;

  public Box(Skin skin) {
    this.skin = skin;
  }

  public Box title(String t) {
    if (!t.equals(title)) {
      title = t;
      invalidate();
    }
    return this;
  }

  public Box caption(String c) {
    if (!c.equals(caption)) {
      caption = c;
      invalidate();
    }
    return this;
  }

  public Box focused(boolean f) {
    if (f != focused) {
      focused = f;
      invalidate();
    }
    return this;
  }

  @Override
  protected ComponentRenderer<Box> createDefaultRenderer() {
    return new ComponentRenderer<>() {
      @Override
      public TerminalSize getPreferredSize(Box b) {
        return new TerminalSize(20, 6);
      }

      @Override
      public void drawComponent(TextGUIGraphics g, Box b) {
        TextGUIGraphics in = Frames.framed(g, b.skin, b.title, b.focused);
        if (!b.caption.isEmpty() && in != g) Frames.text(in, b.skin, 0, in.getSize().getRows() - 1, b.caption, Role.MUTED);
      }
    };
  }
}
