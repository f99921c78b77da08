package dev.lathe.tui;

import com.googlecode.lanterna.TerminalSize;
import com.googlecode.lanterna.TextCharacter;
import com.googlecode.lanterna.gui2.BasicWindow;
import com.googlecode.lanterna.gui2.Component;
import com.googlecode.lanterna.gui2.MultiWindowTextGUI;
import com.googlecode.lanterna.gui2.SameTextGUIThread;
import com.googlecode.lanterna.gui2.Window;
import com.googlecode.lanterna.screen.TerminalScreen;
import com.googlecode.lanterna.terminal.virtual.DefaultVirtualTerminal;
import dev.lathe.term.ColorDepth;
import dev.lathe.term.TermProfile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/** Renders components into a DefaultVirtualTerminal and reads the screen back as text (STYLE.md's widget tests). */
final class Headless {
  final DefaultVirtualTerminal vt;

  private Headless(DefaultVirtualTerminal vt) {
    this.vt = vt;
  }

  static Skin skin(String theme, ColorDepth depth, boolean unicode) {
    TermProfile p = TermProfile.virtual(80, 24).withColors(depth);
    if (!unicode) {
      p = new TermProfile(p.colors(), p.graphics(), 0, 0, false, false, true, 80, 24, 256, "virtual", List.of(), -1);
    }
    return new Skin(Themes.load(null).get(theme, depth), p);
  }

  static Skin mono() {
    return skin("mono", ColorDepth.MONO, true);
  }

  /** Draws {@code c} alone on a cols×rows screen. */
  static Headless render(int cols, int rows, Component c) {
    try {
      DefaultVirtualTerminal vt = new DefaultVirtualTerminal(new TerminalSize(cols, rows));
      TerminalScreen screen = new TerminalScreen(vt);
      screen.startScreen();
      MultiWindowTextGUI gui = new MultiWindowTextGUI(new SameTextGUIThread.Factory(), screen);
      BasicWindow w = new BasicWindow();
      w.setHints(List.of(Window.Hint.FULL_SCREEN, Window.Hint.NO_DECORATIONS));
      w.setComponent(c);
      gui.addWindow(w);
      gui.updateScreen();
      return new Headless(vt);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Queues {@code keys} on {@code vt} (a KeyType, a KeyStroke, a char, or a String typed char by char) and lets the
   * console run three frames, enough for a key, the screen it opens and its first refresh.
   */
  static void type(Console c, DefaultVirtualTerminal vt, Object... keys) throws IOException {
    for (Object k : keys) {
      if (k instanceof com.googlecode.lanterna.input.KeyType t) vt.addInput(new com.googlecode.lanterna.input.KeyStroke(t));
      else if (k instanceof com.googlecode.lanterna.input.KeyStroke s) vt.addInput(s);
      else if (k instanceof Character ch) vt.addInput(new com.googlecode.lanterna.input.KeyStroke(ch, false, false));
      else for (char ch : ((String) k).toCharArray()) vt.addInput(new com.googlecode.lanterna.input.KeyStroke(ch, false, false));
    }
    for (int i = 0; i < 3; i++) c.tick();
  }

  static Headless of(DefaultVirtualTerminal vt) {
    return new Headless(vt);
  }

  /** Screen rows, trailing blanks removed. */
  List<String> lines() {
    List<String> out = new ArrayList<>();
    TerminalSize s = vt.getTerminalSize();
    for (int r = 0; r < s.getRows(); r++) {
      StringBuilder sb = new StringBuilder();
      for (int c = 0; c < s.getColumns(); c++) sb.append(vt.getCharacter(c, r).getCharacterString());
      out.add(sb.toString().replaceAll("\\s+$", ""));
    }
    return out;
  }

  String text() {
    List<String> l = lines();
    int end = l.size();
    while (end > 0 && l.get(end - 1).isEmpty()) end--;
    return String.join("\n", l.subList(0, end));
  }

  TextCharacter at(int col, int row) {
    return vt.getCharacter(col, row);
  }

  /** The first (col,row) where {@code s} starts, or null. */
  int[] find(String s) {
    List<String> l = lines();
    for (int r = 0; r < l.size(); r++) {
      int c = l.get(r).indexOf(s);
      if (c >= 0) return new int[] {c, r};
    }
    return null;
  }
}
