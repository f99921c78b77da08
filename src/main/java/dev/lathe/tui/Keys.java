package dev.lathe.tui;

import com.googlecode.lanterna.input.KeyStroke;
import com.googlecode.lanterna.input.KeyType;
import java.util.Locale;
import java.util.Map;

/**
 * Key names as written in the keymap and {@code keys.toml}: a printable character as itself ({@code ?}, {@code q},
 * {@code Q}, {@code [}), or a name: {@code esc tab shift-tab enter space backspace delete left right up down pgup pgdn
 * home end f1..f12}, with {@code ctrl-} or {@code alt-} before a letter ({@code ctrl-l}).
 */
public final class Keys {
  private Keys() {}

  private static final Map<KeyType, String> NAMES = Map.ofEntries(
      Map.entry(KeyType.Escape, "esc"), Map.entry(KeyType.Tab, "tab"), Map.entry(KeyType.ReverseTab, "shift-tab"),
      Map.entry(KeyType.Enter, "enter"), Map.entry(KeyType.Backspace, "backspace"), Map.entry(KeyType.Delete, "delete"),
      Map.entry(KeyType.ArrowLeft, "left"), Map.entry(KeyType.ArrowRight, "right"), Map.entry(KeyType.ArrowUp, "up"),
      Map.entry(KeyType.ArrowDown, "down"), Map.entry(KeyType.PageUp, "pgup"), Map.entry(KeyType.PageDown, "pgdn"),
      Map.entry(KeyType.Home, "home"), Map.entry(KeyType.End, "end"), Map.entry(KeyType.Insert, "insert"),
      Map.entry(KeyType.F1, "f1"), Map.entry(KeyType.F2, "f2"), Map.entry(KeyType.F3, "f3"), Map.entry(KeyType.F4, "f4"),
      Map.entry(KeyType.F5, "f5"), Map.entry(KeyType.F6, "f6"), Map.entry(KeyType.F7, "f7"), Map.entry(KeyType.F8, "f8"),
      Map.entry(KeyType.F9, "f9"), Map.entry(KeyType.F10, "f10"), Map.entry(KeyType.F11, "f11"),
      Map.entry(KeyType.F12, "f12"));

  /** The canonical name of a key press, or null for keys the keymap cannot name (mouse, unknown sequences). */
  public static String of(KeyStroke k) {
    if (k.getKeyType() == KeyType.Character) {
      char c = k.getCharacter();
      if (c == ' ') return prefix(k) + "space";
      if (k.isCtrlDown()) return "ctrl-" + Character.toLowerCase(c);
      return (k.isAltDown() ? "alt-" : "") + c;
    }
    String n = NAMES.get(k.getKeyType());
    return n == null ? null : prefix(k) + n;
  }

  private static String prefix(KeyStroke k) {
    return (k.isCtrlDown() ? "ctrl-" : "") + (k.isAltDown() ? "alt-" : "");
  }

  /**
   * Checks and normalises a key name from a file ({@code Ctrl-L} → {@code ctrl-l}).
   *
   * @throws IllegalArgumentException saying what a key name looks like
   */
  public static String parse(String s) {
    if (s.length() == 1 && s.charAt(0) > ' ' && s.charAt(0) != 0x7f) return s;
    String v = s.trim().toLowerCase(Locale.ROOT);
    String mods = "";
    while (v.startsWith("ctrl-") || v.startsWith("alt-")) {
      String m = v.startsWith("ctrl-") ? "ctrl-" : "alt-";
      mods += m;
      v = v.substring(m.length());
    }
    if (v.length() == 1 && !mods.isEmpty()) return mods + v;
    if (v.equals("space") || NAMES.containsValue(v)) return mods + v;
    throw new IllegalArgumentException("'" + s + "' is not a key (one character, or esc, tab, shift-tab, enter, space, "
        + "left, right, up, down, pgup, pgdn, home, end, f1..f12, with ctrl- or alt- before a letter)");
  }

  /** How a key is shown to people: {@code ?}, {@code Esc}, {@code Ctrl-l}, {@code ←}. */
  public static String display(String key, boolean unicode) {
    switch (key) {
      case "left": return unicode ? "←" : "Left";
      case "right": return unicode ? "→" : "Right";
      case "up": return unicode ? "↑" : "Up";
      case "down": return unicode ? "↓" : "Down";
      case "esc": return "Esc";
      case "tab": return "Tab";
      case "shift-tab": return "S-Tab";
      case "enter": return "Enter";
      case "space": return "Space";
      case "pgup": return "PgUp";
      case "pgdn": return "PgDn";
      case "home": return "Home";
      case "end": return "End";
      default:
        if (key.startsWith("ctrl-")) return "Ctrl-" + display(key.substring(5), unicode);
        if (key.startsWith("alt-")) return "Alt-" + display(key.substring(4), unicode);
        if (key.matches("f[0-9]+")) return key.toUpperCase(Locale.ROOT);
        return key;
    }
  }
}
