package dev.lathe.tui;

import com.googlecode.lanterna.TerminalSize;
import com.googlecode.lanterna.gui2.AbstractComponent;
import com.googlecode.lanterna.gui2.ComponentRenderer;
import com.googlecode.lanterna.gui2.TextGUIGraphics;
import com.googlecode.lanterna.input.KeyStroke;
import com.googlecode.lanterna.input.KeyType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A panel of fields as a form: one row per field (label, value, and the field's problem beside it as you type), the
 * focused field's help text underneath. Values are strings; the owner turns them into a config record and answers
 * {@link #validate} with problems per field key, which are shown at once. Keys: Up/Down or Tab/Shift-Tab move,
 * typing edits a text field, Backspace deletes, Ctrl-U clears, Space or Left/Right change a choice or a toggle.
 */
public final class Form extends AbstractComponent<Form> {
  public enum Kind { TEXT, CHOICE, TOGGLE }

  /**
   * @param key     what the owner calls the field ({@code save.every_steps})
   * @param choices the values of a CHOICE field; {@code true}/{@code false} for a TOGGLE
   * @param help    the field's help text (from the panel guides)
   */
  public record Field(String key, String label, Kind kind, List<String> choices, String help) {
    public Field {
      choices = kind == Kind.TOGGLE ? List.of("false", "true") : List.copyOf(choices);
      if (kind == Kind.CHOICE && choices.isEmpty()) throw new IllegalArgumentException(key + ": a choice needs choices");
      help = help == null ? "" : help;
    }

    public static Field text(String key, String label, String help) {
      return new Field(key, label, Kind.TEXT, List.of(), help);
    }

    public static Field choice(String key, String label, List<String> choices, String help) {
      return new Field(key, label, Kind.CHOICE, choices, help);
    }

    public static Field toggle(String key, String label, String help) {
      return new Field(key, label, Kind.TOGGLE, List.of(), help);
    }
  }

  /** A problem with one field; errors block saving, warnings only inform. */
  public record Problem(String key, String message, boolean error) {}

  private final Skin skin;
  private final String title;
  private final List<Field> fields;
  private final Map<String, String> values = new LinkedHashMap<>();
  private final Function<Map<String, String>, List<Problem>> validate;
  private List<Problem> problems = List.of();
  private int focus;
  private int top;
  private String empty = "(nothing here)";

  public Form(Skin skin, String title, List<Field> fields, Map<String, String> initial,
      Function<Map<String, String>, List<Problem>> validate) {
    this.skin = skin;
    this.title = title;
    this.fields = List.copyOf(fields);
    this.validate = validate;
    for (Field f : this.fields) values.put(f.key(), initial.getOrDefault(f.key(), f.kind() == Kind.TEXT ? "" : f.choices().get(0)));
    revalidate();
  }

  public Map<String, String> values() {
    return Map.copyOf(values);
  }

  public List<Problem> problems() {
    return problems;
  }

  /** The field with the cursor, or null in a form without fields. */
  public Field focused() {
    return fields.isEmpty() ? null : fields.get(focus);
  }

  public List<Field> fields() {
    return fields;
  }

  /** Index of the focused field. */
  public int focusIndex() {
    return focus;
  }

  /** Puts the cursor on field {@code key}; false when there is no such field. */
  public boolean focus(String key) {
    for (int i = 0; i < fields.size(); i++) {
      if (fields.get(i).key().equals(key)) {
        focus = i;
        invalidate();
        return true;
      }
    }
    return false;
  }

  /** Puts the cursor on field {@code index} (clamped). */
  public void focusIndex(int index) {
    focus = fields.isEmpty() ? 0 : Math.max(0, Math.min(fields.size() - 1, index));
    invalidate();
  }

  /** A line shown when the form has no fields. */
  public Form emptyText(String text) {
    empty = text;
    invalidate();
    return this;
  }

  /** True when no problem is an error. */
  public boolean valid() {
    return problems.stream().noneMatch(Problem::error);
  }

  /** Asks the validator again with unchanged values (its owner learnt something new, e.g. a background check). */
  public void revalidate() {
    problems = List.copyOf(validate.apply(values()));
    invalidate();
  }

  /** Handles a key; false when it is not a form key (Esc, number keys outside a text field, ...). */
  public boolean onKey(KeyStroke k) {
    if (fields.isEmpty()) return false;
    Field f = fields.get(focus);
    String v = values.get(f.key());
    switch (k.getKeyType()) {
      case ArrowDown: case Tab: move(1); return true;
      case ArrowUp: case ReverseTab: move(-1); return true;
      case Backspace:
        if (f.kind() != Kind.TEXT || v.isEmpty()) return f.kind() == Kind.TEXT;
        set(f, v.substring(0, v.length() - 1));
        return true;
      case ArrowLeft: case ArrowRight:
        if (f.kind() == Kind.TEXT) return false;
        cycle(f, k.getKeyType() == KeyType.ArrowRight ? 1 : -1);
        return true;
      case Character: {
        char c = k.getCharacter();
        if (k.isCtrlDown()) {
          if (c == 'u' && f.kind() == Kind.TEXT) {
            set(f, "");
            return true;
          }
          return false;
        }
        if (f.kind() == Kind.TEXT) {
          set(f, v + c);
          return true;
        }
        if (c == ' ') {
          cycle(f, 1);
          return true;
        }
        return false;
      }
      default:
        return false;
    }
  }

  private void move(int d) {
    focus = Math.floorMod(focus + d, fields.size());
    invalidate();
  }

  private void cycle(Field f, int d) {
    int i = f.choices().indexOf(values.get(f.key()));
    set(f, f.choices().get(Math.floorMod(i + d, f.choices().size())));
  }

  /** Sets a field's value as if typed (the validator sees it); unknown keys are ignored. */
  public void value(String key, String v) {
    for (Field f : fields) if (f.key().equals(key)) set(f, v);
  }

  private void set(Field f, String v) {
    values.put(f.key(), v);
    revalidate();
  }

  private Problem problemOf(String key) {
    Problem warn = null;
    for (Problem p : problems) {
      if (!p.key().equals(key)) continue;
      if (p.error()) return p;
      if (warn == null) warn = p;
    }
    return warn;
  }

  @Override
  protected ComponentRenderer<Form> createDefaultRenderer() {
    return new ComponentRenderer<>() {
      @Override
      public TerminalSize getPreferredSize(Form f) {
        return new TerminalSize(70, f.fields.size() + 6);
      }

      @Override
      public void drawComponent(TextGUIGraphics g0, Form f) {
        TextGUIGraphics g = Frames.framed(g0, f.skin, f.title, true);
        int w = g.getSize().getColumns(), h = g.getSize().getRows();
        if (f.fields.isEmpty()) {
          Frames.text(g, f.skin, 0, 0, f.empty, Role.MUTED);
          return;
        }
        int helpRows = Math.min(3, Math.max(0, h - 4));
        int rows = Math.max(1, h - helpRows - 1);
        if (f.focus < f.top) f.top = f.focus;
        if (f.focus >= f.top + rows) f.top = f.focus - rows + 1;
        int labelW = 0;
        for (Field x : f.fields) labelW = Math.max(labelW, x.label().length());
        labelW = Math.min(labelW, w / 3);
        int valueW = Math.min(28, Math.max(8, w - labelW - 4) / 2);
        boolean u = f.skin.unicode();
        for (int i = 0; i < rows && f.top + i < f.fields.size(); i++) {
          Field x = f.fields.get(f.top + i);
          boolean on = f.top + i == f.focus;
          Frames.text(g, f.skin, 0, i, Fmt.pad(x.label(), labelW, u), on ? Role.ACCENT : Role.TEXT);
          String v = f.values.get(x.key());
          String shown = x.kind() == Kind.TOGGLE ? (v.equals("true") ? "[x]" : "[ ]")
              : x.kind() == Kind.CHOICE ? (u ? "‹ " : "< ") + v + (u ? " ›" : " >") : v + (on ? "_" : "");
          f.skin.theme().apply(g, on ? Role.SELECTED : Role.TEXT);
          g.putString(labelW + 1, i, Fmt.pad(shown.length() > valueW ? shown.substring(shown.length() - valueW) : shown, valueW, u));
          f.skin.theme().apply(g, Role.TEXT);
          Problem p = f.problemOf(x.key());
          if (p != null) {
            Frames.text(g, f.skin, labelW + valueW + 2, i, (p.error() ? "✗ " : "! ") + p.message(), p.error() ? Role.ERROR : Role.WARN);
          }
        }
        // under the rows: the focused field's problem in full (the row may have cut it), then its help
        Problem fp = f.problemOf(f.focused().key());
        List<String> below = new ArrayList<>();
        if (fp != null) below.addAll(Wrap.words(fp.message(), w));
        int problemLines = below.size();
        below.addAll(Wrap.words(f.focused().help(), w));
        for (int i = 0; i < Math.min(helpRows, below.size()); i++) {
          Role r = i < problemLines ? (fp.error() ? Role.ERROR : Role.WARN) : Role.MUTED;
          Frames.text(g, f.skin, 0, h - helpRows + i, below.get(i), r);
        }
      }
    };
  }

  /** The problems as lines, for a status line or a test. */
  public List<String> problemLines() {
    List<String> out = new ArrayList<>();
    for (Problem p : problems) out.add(p.key() + ": " + p.message());
    return out;
  }
}
