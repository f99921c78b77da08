package dev.lathe.tui;

/**
 * Where a key binding applies. A screen's scope is looked up first, then {@link #GLOBAL}; a key may be bound once per
 * scope, and never in a screen scope when GLOBAL already has it (it would hide the global one there).
 */
public enum Scope {
  /** Everywhere, unless a dialog or the palette holds the keyboard. */
  GLOBAL,
  /** The Monitor screen (a running or finished job). */
  MONITOR;

  /** The heading of this scope in the help overlay and docs/KEYS.md. */
  public String title() {
    return this == GLOBAL ? "Everywhere" : "Monitor";
  }
}
