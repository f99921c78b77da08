package dev.lathe.tui;

import com.googlecode.lanterna.TerminalSize;
import com.googlecode.lanterna.gui2.AbstractComponent;
import com.googlecode.lanterna.gui2.Component;
import com.googlecode.lanterna.gui2.ComponentRenderer;
import com.googlecode.lanterna.gui2.TextGUIGraphics;
import com.googlecode.lanterna.input.KeyStroke;
import java.util.List;
import java.util.function.Consumer;

/** One line of text to type (a folder path): Enter answers, Esc cancels, Backspace and Ctrl-U edit. */
final class InputDialog extends AbstractComponent<InputDialog> implements Overlay {
  private final Skin skin;
  private final String title;
  private final String hint;
  private final StringBuilder text;
  private final Consumer<String> answer;

  InputDialog(Skin skin, String title, String hint, String initial, Consumer<String> answer) {
    this.skin = skin;
    this.title = title;
    this.hint = hint;
    this.text = new StringBuilder(initial == null ? "" : initial);
    this.answer = answer;
  }

  @Override
  public Component component() {
    return this;
  }

  String text() {
    return text.toString();
  }

  @Override
  public boolean onKey(KeyStroke key) {
    switch (key.getKeyType()) {
      case Escape:
        return false;
      case Enter:
        answer.accept(text.toString().strip());
        return false;
      case Backspace:
        if (text.length() > 0) text.setLength(text.length() - 1);
        break;
      case Character:
        if (key.isCtrlDown()) {
          if (key.getCharacter() == 'u') text.setLength(0);
        } else if (!key.isAltDown()) {
          text.append(key.getCharacter());
        }
        break;
      default:
        break;
    }
    invalidate();
    return true;
  }

  @Override
  protected ComponentRenderer<InputDialog> createDefaultRenderer() {
    return new ComponentRenderer<>() {
      @Override
      public TerminalSize getPreferredSize(InputDialog d) {
        return new TerminalSize(70, Wrap.words(d.hint, 66).size() + 5);
      }

      @Override
      public void drawComponent(TextGUIGraphics g0, InputDialog d) {
        TextGUIGraphics g = Frames.framed(g0, d.skin, d.title, true);
        int w = g.getSize().getColumns();
        List<String> lines = Wrap.words(d.hint, w - 2);
        for (int i = 0; i < lines.size(); i++) Frames.text(g, d.skin, 1, i, lines.get(i), Role.MUTED);
        int row = lines.size() + 1;
        String t = d.text.toString();
        String shown = t.length() > w - 4 ? t.substring(t.length() - (w - 4)) : t;
        Frames.text(g, d.skin, 0, row, ">", Role.ACCENT);
        Frames.text(g, d.skin, 2, row, shown, Role.TEXT);
        d.skin.theme().apply(g, Role.SELECTED);
        g.putString(2 + shown.length(), row, " ");
        d.skin.theme().apply(g, Role.TEXT);
        Frames.text(g, d.skin, 1, row + 1, "Enter: OK   Esc: cancel   Ctrl-U: clear", Role.MUTED);
      }
    };
  }
}
