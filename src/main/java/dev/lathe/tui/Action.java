package dev.lathe.tui;

import java.util.Locale;

/**
 * Everything a key can do. Code binds actions, never keys: {@link Keymap} maps keys to these, a screen maps these to
 * handlers, and {@code keys.toml} rebinds them by {@link #id()}.
 */
public enum Action {
  SCREEN_DASHBOARD("dashboard"), SCREEN_QUEUE("queue"), SCREEN_DATASETS("datasets"), SCREEN_NEW_JOB("new job"),
  SCREEN_MONITOR("monitor"),
  HELP("help"), PALETTE("command"), QUIT("quit"), FORCE_QUIT("force quit"), BACK("back"), REDRAW("redraw"),
  CYCLE_THEME("theme"), FOCUS_NEXT("focus"), FOCUS_PREV("focus back"),
  PAUSE("pause"), SAMPLE_NOW("sample"), SAVE_NOW("save"), STOP("stop"),
  PAN_LEFT("pan"), PAN_RIGHT("pan"), ZOOM_IN("zoom"), ZOOM_OUT("zoom out"), ZOOM_RESET("reset view"),
  SAMPLE_OLDER("older"), SAMPLE_NEWER("newer"), PROMPT_PREV("prev prompt"), PROMPT_NEXT("next prompt"),
  LOG_UP("log up"), LOG_DOWN("log down"), LOG_FOLLOW("follow log"),
  SELECT_UP("up"), SELECT_DOWN("down"), OPEN("open"), START("start"), DELETE("delete"), MOVE_UP("move up"),
  MOVE_DOWN("move down"), SHOW_LOG("log"), SHOW_OUTPUT("output"), ADD_DATASET("add folder"), RESCAN("rescan"),
  EDIT_PRESET("edit preset"), PANEL_PREV("prev panel"), PANEL_NEXT("next panel"), SAVE_FILE("save"), LAUNCH("launch"),
  ENTRY_ADD("add entry"), ENTRY_REMOVE("remove entry");

  private final String label;

  Action(String label) {
    this.label = label;
  }

  /** A word or two for the footer. */
  public String label() {
    return label;
  }

  /** The name in {@code keys.toml}: {@code sample_now}, {@code screen_monitor}. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }
}
