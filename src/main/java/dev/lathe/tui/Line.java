package dev.lathe.tui;

import com.googlecode.lanterna.TerminalSize;
import com.googlecode.lanterna.gui2.AbstractComponent;
import com.googlecode.lanterna.gui2.ComponentRenderer;
import com.googlecode.lanterna.gui2.TextGUIGraphics;
import java.util.ArrayList;
import java.util.List;

/** One row of text made of styled pieces ("spans"), cut to the width. */
final class Line extends AbstractComponent<Line> {
  record Span(String text, Role role) {}

  private final Skin skin;
  private List<Span> spans = List.of();
  private Role fill = Role.TEXT;

  Line(Skin skin) {
    this.skin = skin;
  }

  Line show(List<Span> s) {
    if (!s.equals(spans)) {
      spans = List.copyOf(s);
      invalidate();
    }
    return this;
  }

  Line fill(Role r) {
    if (r != fill) {
      fill = r;
      invalidate();
    }
    return this;
  }

  static List<Span> spans(Object... textThenRole) {
    List<Span> out = new ArrayList<>();
    for (int i = 0; i < textThenRole.length; i += 2) out.add(new Span((String) textThenRole[i], (Role) textThenRole[i + 1]));
    return out;
  }

  String text() {
    StringBuilder sb = new StringBuilder();
    for (Span s : spans) sb.append(s.text());
    return sb.toString();
  }

  @Override
  protected ComponentRenderer<Line> createDefaultRenderer() {
    return new ComponentRenderer<>() {
      @Override
      public TerminalSize getPreferredSize(Line l) {
        return new TerminalSize(Math.max(1, l.text().length()), 1);
      }

      @Override
      public void drawComponent(TextGUIGraphics g, Line l) {
        l.skin.theme().apply(g, l.fill);
        g.fill(' ');
        int x = 0, w = g.getSize().getColumns();
        for (Span s : l.spans) {
          if (x >= w) break;
          l.skin.theme().apply(g, l.fill);
          l.skin.theme().applyOver(g, s.role());
          String t = Fmt.fit(l.skin.unicode() ? s.text() : Fmt.ascii(s.text()), w - x, l.skin.unicode());
          g.putString(x, 0, t);
          x += t.length();
        }
      }
    };
  }
}
