package dev.lathe.tui;

import com.googlecode.lanterna.TerminalSize;
import com.googlecode.lanterna.gui2.AbstractComponent;
import com.googlecode.lanterna.gui2.Component;
import com.googlecode.lanterna.gui2.ComponentRenderer;
import com.googlecode.lanterna.gui2.TextGUIGraphics;
import com.googlecode.lanterna.input.KeyStroke;
import com.googlecode.lanterna.input.KeyType;
import java.util.List;

/** The {@code ?} overlay: every binding of the current screen's scope and the global ones, rendered from the keymap. */
final class HelpOverlay extends AbstractComponent<HelpOverlay> implements Overlay {
  private final Skin skin;
  private final String screen;
  private final List<String[]> rows;   // {scope title, keys, description, action id}
  private final TerminalSize max;
  private int scroll;

  HelpOverlay(Skin skin, Keymap keymap, Scope scope, String screen, TerminalSize terminal) {
    this.skin = skin;
    this.screen = screen;
    this.rows = keymap.helpRows(scope, skin.unicode());
    this.max = terminal;
  }

  /** The text lines, headings included (for tests and drawing). */
  List<String> lines(int keyWidth) {
    List<String> out = new java.util.ArrayList<>();
    String section = null;
    for (String[] r : rows) {
      if (!r[0].equals(section)) {
        if (section != null) out.add("");
        section = r[0];
        out.add("# " + section);
      }
      out.add(String.format("%-" + keyWidth + "s %s", r[1], r[2]));
    }
    return out;
  }

  private int keyWidth() {
    int k = 0;
    for (String[] r : rows) k = Math.max(k, r[1].length());
    return k + 1;
  }

  @Override
  public Component component() {
    return this;
  }

  @Override
  public boolean onKey(KeyStroke key) {
    String k = Keys.of(key);
    if (key.getKeyType() == KeyType.ArrowDown || "j".equals(k)) scroll++;
    else if (key.getKeyType() == KeyType.ArrowUp || "k".equals(k)) scroll = Math.max(0, scroll - 1);
    else if (key.getKeyType() == KeyType.PageDown) scroll += 10;
    else if (key.getKeyType() == KeyType.PageUp) scroll = Math.max(0, scroll - 10);
    else return false;                                  // Esc, ?, q, anything else closes
    invalidate();
    return true;
  }

  @Override
  protected ComponentRenderer<HelpOverlay> createDefaultRenderer() {
    return new ComponentRenderer<>() {
      @Override
      public TerminalSize getPreferredSize(HelpOverlay h) {
        int width = 0;
        List<String> l = h.lines(h.keyWidth());
        for (String s : l) width = Math.max(width, s.length());
        return new TerminalSize(Math.min(h.max.getColumns() - 2, width + 4), Math.min(h.max.getRows() - 2, l.size() + 3));
      }

      @Override
      public void drawComponent(TextGUIGraphics g0, HelpOverlay h) {
        TextGUIGraphics g = Frames.framed(g0, h.skin, "Keys · " + h.screen + " (Esc closes)", true);
        List<String> l = h.lines(h.keyWidth());
        int rowsFit = g.getSize().getRows() - 1;
        h.scroll = Math.max(0, Math.min(h.scroll, l.size() - rowsFit));
        for (int i = 0; i < rowsFit && h.scroll + i < l.size(); i++) {
          String s = l.get(h.scroll + i);
          if (s.startsWith("# ")) {
            Frames.text(g, h.skin, 1, i, s.substring(2), Role.TITLE);
          } else if (!s.isEmpty()) {
            int kw = h.keyWidth();
            Frames.text(g, h.skin, 1, i, s.substring(0, Math.min(kw, s.length())), Role.KEY);
            if (s.length() > kw) Frames.text(g, h.skin, 1 + kw + 1, i, s.substring(kw + 1), Role.TEXT);
          }
        }
        if (l.size() > rowsFit) {
          Frames.text(g, h.skin, 1, rowsFit, "j/k scroll · " + (h.scroll + rowsFit) + "/" + l.size(), Role.MUTED);
        }
      }
    };
  }
}
