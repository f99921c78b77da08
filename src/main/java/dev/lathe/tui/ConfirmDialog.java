package dev.lathe.tui;

import com.googlecode.lanterna.TerminalSize;
import com.googlecode.lanterna.gui2.AbstractComponent;
import com.googlecode.lanterna.gui2.Component;
import com.googlecode.lanterna.gui2.ComponentRenderer;
import com.googlecode.lanterna.gui2.TextGUIGraphics;
import com.googlecode.lanterna.input.KeyStroke;
import com.googlecode.lanterna.input.KeyType;
import java.util.List;
import java.util.function.Consumer;

/** A question with lettered answers; Esc cancels. */
final class ConfirmDialog extends AbstractComponent<ConfirmDialog> implements Overlay {
  static final int WIDTH = 60;

  private final Skin skin;
  private final String title;
  private final String question;
  private final List<Shell.Choice> choices;
  private final Consumer<String> answer;

  ConfirmDialog(Skin skin, String title, String question, List<Shell.Choice> choices, Consumer<String> answer) {
    this.skin = skin;
    this.title = title;
    this.question = question;
    this.choices = List.copyOf(choices);
    this.answer = answer;
  }

  @Override
  public Component component() {
    return this;
  }

  @Override
  public boolean onKey(KeyStroke key) {
    if (key.getKeyType() == KeyType.Escape) return false;
    String k = Keys.of(key);
    for (Shell.Choice c : choices) {
      if (c.key().equals(k)) {
        answer.accept(c.key());
        return false;
      }
    }
    return true;                                       // other keys are ignored while the question is open
  }

  private String choiceLine() {
    StringBuilder sb = new StringBuilder();
    for (Shell.Choice c : choices) sb.append('[').append(c.key()).append("] ").append(c.label()).append("   ");
    return sb.append("[Esc] cancel").toString();
  }

  @Override
  protected ComponentRenderer<ConfirmDialog> createDefaultRenderer() {
    return new ComponentRenderer<>() {
      @Override
      public TerminalSize getPreferredSize(ConfirmDialog d) {
        int w = Math.max(WIDTH, Math.min(76, d.choiceLine().length() + 4));
        return new TerminalSize(w, Wrap.words(d.question, w - 4).size() + 5);
      }

      @Override
      public void drawComponent(TextGUIGraphics g0, ConfirmDialog d) {
        TextGUIGraphics g = Frames.framed(g0, d.skin, d.title, true);
        List<String> lines = Wrap.words(d.question, g.getSize().getColumns() - 2);
        for (int i = 0; i < lines.size(); i++) Frames.text(g, d.skin, 1, i, lines.get(i), Role.TEXT);
        int row = lines.size() + 1, x = 1;
        for (Shell.Choice c : d.choices) {
          Frames.text(g, d.skin, x, row, "[" + c.key() + "]", Role.KEY);
          x += c.key().length() + 3;
          Frames.text(g, d.skin, x, row, c.label() + "   ", Role.TEXT);
          x += c.label().length() + 3;
        }
        Frames.text(g, d.skin, x, row, "[Esc]", Role.KEY);
        Frames.text(g, d.skin, x + 6, row, "cancel", Role.MUTED);
      }
    };
  }
}
