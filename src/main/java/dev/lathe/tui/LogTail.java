package dev.lathe.tui;

import com.googlecode.lanterna.TerminalSize;
import com.googlecode.lanterna.gui2.AbstractComponent;
import com.googlecode.lanterna.gui2.ComponentRenderer;
import com.googlecode.lanterna.gui2.TextGUIGraphics;
import java.util.List;
import java.util.Locale;

/**
 * The newest lines of a log, bottom-aligned, long lines cut with an ellipsis; lines that mention an error or a warning
 * are coloured. Scrolling up stops following; {@link #follow()} resumes.
 */
public final class LogTail extends AbstractComponent<LogTail> {
  private final Skin skin;
  private String title;
  private boolean focused;
  private List<String> lines = List.of();
  private int scroll;                          // lines hidden below the view; 0 = following

  public LogTail(Skin skin, String title) {
    this.skin = skin;
    this.title = title;
  }

  public LogTail show(List<String> l) {
    if (l != lines) {
      if (scroll > 0) scroll = Math.max(0, scroll + l.size() - lines.size());   // keep the same lines in view
      lines = l;
      invalidate();
    }
    return this;
  }

  public LogTail focused(boolean f) {
    if (f != focused) {
      focused = f;
      invalidate();
    }
    return this;
  }

  public void scrollUp(int n) {
    scroll = Math.min(Math.max(0, lines.size() - 1), scroll + n);
    invalidate();
  }

  public void scrollDown(int n) {
    scroll = Math.max(0, scroll - n);
    invalidate();
  }

  public void follow() {
    scroll = 0;
    invalidate();
  }

  public boolean following() {
    return scroll == 0;
  }

  static Role roleOf(String line) {
    String u = line.toUpperCase(Locale.ROOT);
    if (u.contains("ERROR") || u.contains("FAILED") || u.contains("EXCEPTION")) return Role.ERROR;
    if (u.contains("WARN")) return Role.WARN;
    return Role.TEXT;
  }

  @Override
  protected ComponentRenderer<LogTail> createDefaultRenderer() {
    return new ComponentRenderer<>() {
      @Override
      public TerminalSize getPreferredSize(LogTail c) {
        return new TerminalSize(40, 6);
      }

      @Override
      public void drawComponent(TextGUIGraphics g0, LogTail c) {
        String t = c.title == null ? null : c.title + (c.scroll > 0 ? " (scrolled " + c.scroll + ", End follows)" : "");
        TextGUIGraphics g = t != null ? Frames.framed(g0, c.skin, t, c.focused) : g0;
        if (t == null) {
          c.skin.theme().apply(g, Role.TEXT);
          g.fill(' ');
        }
        int h = g.getSize().getRows();
        int end = c.lines.size() - c.scroll;
        int start = Math.max(0, end - h);
        for (int i = start; i < end; i++) {
          String line = c.lines.get(i).replace('\t', ' ');
          Frames.text(g, c.skin, 0, h - (end - i), line, roleOf(line));
        }
      }
    };
  }
}
