package dev.lathe.tui;

/**
 * Where a key binding applies. A screen's scope is looked up first, then {@link #GLOBAL}; a key may be bound once per
 * scope, and never in a screen scope when GLOBAL already has it (it would hide the global one there).
 */
public enum Scope {
  /** Everywhere, unless a dialog or the palette holds the keyboard. */
  GLOBAL("Everywhere"),
  /** The Monitor screen (a running or finished job). */
  MONITOR("Monitor"),
  /** The Queue screen: every job of the output folder. */
  QUEUE("Queue"),
  /** The Datasets screen. */
  DATASETS("Datasets"),
  /** New job, first step: the list of presets (and the demo). */
  PRESETS("New job: presets"),
  /** New job, second step: the nine panels as forms. */
  PANELS("New job: panels");

  private final String title;

  Scope(String title) {
    this.title = title;
  }

  /** The heading of this scope in the help overlay and docs/KEYS.md. */
  public String title() {
    return title;
  }
}
