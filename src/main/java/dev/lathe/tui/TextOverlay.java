package dev.lathe.tui;

import com.googlecode.lanterna.TerminalSize;
import com.googlecode.lanterna.gui2.AbstractComponent;
import com.googlecode.lanterna.gui2.Component;
import com.googlecode.lanterna.gui2.ComponentRenderer;
import com.googlecode.lanterna.gui2.TextGUIGraphics;
import com.googlecode.lanterna.input.KeyStroke;
import java.util.List;

/**
 * Lines of text over the screen (a job's log, where its files are), scrolled with j/k, arrows, PgUp/PgDn, g/G;
 * Esc or q closes. Opens at the end when {@code atEnd} (a log), else at the top.
 */
final class TextOverlay extends AbstractComponent<TextOverlay> implements Overlay {
  private final Skin skin;
  private final String title;
  private final List<String> lines;
  private final TerminalSize max;
  private int top;
  private int rows = 1;

  TextOverlay(Skin skin, String title, List<String> lines, TerminalSize terminal, boolean atEnd) {
    this.skin = skin;
    this.title = title;
    this.lines = List.copyOf(lines.isEmpty() ? List.of("(empty)") : lines);
    this.max = terminal;
    this.top = atEnd ? Integer.MAX_VALUE : 0;
  }

  @Override
  public Component component() {
    return this;
  }

  List<String> lines() {
    return lines;
  }

  @Override
  public boolean onKey(KeyStroke key) {
    String k = Keys.of(key);
    if (k == null) return true;
    switch (k) {
      case "j", "down" -> top++;
      case "k", "up" -> top--;
      case "pgdn", "space", "ctrl-d" -> top += Math.max(1, rows - 1);
      case "pgup", "ctrl-u" -> top -= Math.max(1, rows - 1);
      case "g", "home" -> top = 0;
      case "G", "end" -> top = Integer.MAX_VALUE;
      default -> {
        return false;                                 // Esc, q, anything else closes
      }
    }
    invalidate();
    return true;
  }

  /** Long lines (paths) continue on the next rows, indented, so nothing is cut off. */
  static List<String> wrap(List<String> lines, int width) {
    if (width < 10) return lines;
    List<String> out = new java.util.ArrayList<>();
    for (String l : lines) {
      if (l.length() <= width) {
        out.add(l);
        continue;
      }
      String rest = l;
      int w = width;
      while (rest.length() > w) {
        int cut = Math.max(rest.lastIndexOf('/', w - 1), rest.lastIndexOf(' ', w - 1)) + 1;   // after a / or a space
        if (cut < w / 2) cut = w;
        out.add((w < width ? "    " : "") + rest.substring(0, cut));
        rest = rest.substring(cut);
        w = width - 4;
      }
      out.add("    " + rest);
    }
    return out;
  }

  @Override
  protected ComponentRenderer<TextOverlay> createDefaultRenderer() {
    return new ComponentRenderer<>() {
      @Override
      public TerminalSize getPreferredSize(TextOverlay o) {
        int w = o.title.length() + 8;
        for (String l : o.lines) w = Math.max(w, l.length() + 4);
        return new TerminalSize(Math.max(40, Math.min(o.max.getColumns() - 2, w)), Math.min(o.max.getRows() - 2, o.lines.size() + 3));
      }

      @Override
      public void drawComponent(TextGUIGraphics g0, TextOverlay o) {
        TextGUIGraphics g = Frames.framed(g0, o.skin, o.title + " (Esc closes)", true);
        int h = g.getSize().getRows();
        List<String> shown = wrap(o.lines, g.getSize().getColumns() - 2);
        boolean scrolls = shown.size() > h;
        o.rows = scrolls ? h - 1 : h;
        o.top = Math.max(0, Math.min(o.top, shown.size() - o.rows));
        for (int i = 0; i < o.rows && o.top + i < shown.size(); i++) {
          String l = shown.get(o.top + i);
          Frames.text(g, o.skin, 1, i, l, LogTail.roleOf(l));
        }
        if (scrolls) {
          Frames.text(g, o.skin, 1, h - 1, "j/k PgUp/PgDn g/G scroll · lines " + (o.top + 1) + "-"
              + Math.min(shown.size(), o.top + o.rows) + " of " + shown.size(), Role.MUTED);
        }
      }
    };
  }
}
