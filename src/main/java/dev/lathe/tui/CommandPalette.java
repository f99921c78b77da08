package dev.lathe.tui;

import com.googlecode.lanterna.TerminalSize;
import com.googlecode.lanterna.gui2.AbstractComponent;
import com.googlecode.lanterna.gui2.Component;
import com.googlecode.lanterna.gui2.ComponentRenderer;
import com.googlecode.lanterna.gui2.TextGUIGraphics;
import com.googlecode.lanterna.input.KeyStroke;
import com.googlecode.lanterna.input.KeyType;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The {@code :} prompt: type a command, Tab completes the command or its argument (again to cycle through the
 * candidates), Up/Down pick one, Enter runs, Esc cancels. Commands are data ({@link Command}).
 */
public final class CommandPalette extends AbstractComponent<CommandPalette> implements Overlay {
  /**
   * @param name      what is typed: {@code theme}
   * @param argHint   shown after the name: {@code <name>}, "" for none
   * @param help      one line
   * @param arguments candidates for the argument (theme names), or an empty list
   * @param run       gets the argument ("" when none)
   */
  public record Command(String name, String argHint, String help, Supplier<List<String>> arguments, Consumer<String> run) {
    public Command {
      if (!name.matches("[a-z][a-z0-9-]*")) throw new IllegalArgumentException("command name must be lower-case: " + name);
    }
  }

  private static final int SHOWN = 8;

  private final Skin skin;
  private final List<Command> commands;
  private final Consumer<String> error;
  private final StringBuilder text = new StringBuilder();
  private int selected = -1;

  /**
   * @param error where a one-line complaint goes (unknown command)
   */
  public CommandPalette(Skin skin, List<Command> commands, Consumer<String> error) {
    this.skin = skin;
    this.commands = List.copyOf(commands);
    this.error = error;
  }

  public String text() {
    return text.toString();
  }

  /** The candidates for what is typed so far: command names, or the typed command's arguments. */
  public List<String> candidates() {
    String t = text.toString();
    int sp = t.indexOf(' ');
    List<String> out = new ArrayList<>();
    if (sp < 0) {
      for (Command c : commands) if (c.name().startsWith(t)) out.add(c.name());
    } else {
      Command c = find(t.substring(0, sp));
      if (c != null) {
        String arg = t.substring(sp + 1);
        for (String a : c.arguments().get()) if (a.startsWith(arg)) out.add(c.name() + " " + a);
      }
    }
    return out;
  }

  private Command find(String name) {
    for (Command c : commands) if (c.name().equals(name)) return c;
    Command only = null;
    for (Command c : commands) {
      if (c.name().startsWith(name)) {
        if (only != null) return null;
        only = c;
      }
    }
    return name.isEmpty() ? null : only;
  }

  /** Tab: extend to the candidates' common prefix; when that adds nothing, cycle through them. */
  void complete() {
    List<String> cand = candidates();
    if (cand.isEmpty()) return;
    String t = text.toString();
    if (cand.size() == 1) {
      set(cand.get(0) + (t.indexOf(' ') < 0 && hasArgs(cand.get(0)) ? " " : ""));
      return;
    }
    String common = cand.get(0);
    for (String c : cand) while (!c.startsWith(common)) common = common.substring(0, common.length() - 1);
    if (common.length() > t.length()) {
      set(common);
    } else {
      selected = (selected + 1) % cand.size();
      text.setLength(0);
      text.append(cand.get(selected));
      invalidate();
    }
  }

  private boolean hasArgs(String name) {
    Command c = find(name);
    return c != null && !c.argHint().isEmpty();
  }

  private void set(String s) {
    text.setLength(0);
    text.append(s);
    selected = -1;
    invalidate();
  }

  /** Enter: runs the command typed (a unique prefix is enough); false when the palette should close. */
  boolean submit() {
    String t = text.toString().trim();
    if (t.isEmpty()) return false;
    int sp = t.indexOf(' ');
    String name = sp < 0 ? t : t.substring(0, sp);
    String arg = sp < 0 ? "" : t.substring(sp + 1).trim();
    Command c = find(name);
    if (c == null) {
      error.accept("unknown command '" + name + "' (Tab lists them)");
      return false;
    }
    c.run().accept(arg);
    return false;
  }

  @Override
  public Component component() {
    return this;
  }

  @Override
  public boolean onKey(KeyStroke key) {
    switch (key.getKeyType()) {
      case Escape: return false;
      case Enter: return submit();
      case Tab: complete(); return true;
      case Backspace:
        if (text.length() == 0) return false;
        set(text.substring(0, text.length() - 1));
        return true;
      case ArrowDown:
      case ArrowUp: {
        List<String> cand = candidates();
        if (!cand.isEmpty()) {
          selected = Math.floorMod(selected + (key.getKeyType() == KeyType.ArrowDown ? 1 : -1), cand.size());
          text.setLength(0);
          text.append(cand.get(selected));
          invalidate();
        }
        return true;
      }
      case Character:
        if (key.isCtrlDown() || key.isAltDown()) return true;
        text.append(key.getCharacter());
        selected = -1;
        invalidate();
        return true;
      default:
        return true;
    }
  }

  private String helpOf(String candidate) {
    String name = candidate.contains(" ") ? candidate.substring(0, candidate.indexOf(' ')) : candidate;
    Command c = find(name);
    if (c == null) return "";
    return candidate.contains(" ") ? "" : (c.argHint().isEmpty() ? "" : c.argHint() + "  ") + c.help();
  }

  @Override
  protected ComponentRenderer<CommandPalette> createDefaultRenderer() {
    return new ComponentRenderer<>() {
      @Override
      public TerminalSize getPreferredSize(CommandPalette p) {
        return new TerminalSize(64, SHOWN + 4);
      }

      @Override
      public void drawComponent(TextGUIGraphics g0, CommandPalette p) {
        TextGUIGraphics g = Frames.framed(g0, p.skin, "Command (Tab completes · Enter runs · Esc cancels)", true);
        int w = g.getSize().getColumns();
        Frames.text(g, p.skin, 0, 0, ":", Role.ACCENT);
        String shown = p.text.length() > w - 3 ? p.text.substring(p.text.length() - (w - 3)) : p.text.toString();
        Frames.text(g, p.skin, 1, 0, shown, Role.TEXT);
        p.skin.theme().apply(g, Role.SELECTED);
        g.putString(1 + shown.length(), 0, " ");                   // the caret
        p.skin.theme().apply(g, Role.TEXT);
        List<String> cand = p.candidates();
        for (int i = 0; i < Math.min(SHOWN, cand.size()); i++) {
          int first = p.selected >= SHOWN ? p.selected - SHOWN + 1 : 0;
          if (first + i >= cand.size()) break;
          String c = cand.get(first + i);
          boolean sel = first + i == p.selected;
          if (sel) {
            p.skin.theme().apply(g, Role.SELECTED);
            g.putString(0, 1 + i, " ".repeat(w));
            g.putString(1, 1 + i, Fmt.fit(c, w - 2, p.skin.unicode()));
            p.skin.theme().apply(g, Role.TEXT);
          } else {
            Frames.text(g, p.skin, 1, 1 + i, c, Role.KEY);
          }
          String h = p.helpOf(c);
          if (!sel && !h.isEmpty() && c.length() + 4 < w) Frames.text(g, p.skin, 16, 1 + i, h, Role.MUTED);
        }
        if (cand.isEmpty() && p.text.length() > 0) Frames.text(g, p.skin, 1, 1, "no such command", Role.WARN);
      }
    };
  }
}
