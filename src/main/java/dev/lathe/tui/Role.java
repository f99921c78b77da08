package dev.lathe.tui;

import java.util.Locale;

/**
 * What a piece of the screen is, for colouring. Widgets draw with roles, never with literal colours; a theme file
 * names each role in lower snake case ({@code loss_smooth}).
 */
public enum Role {
  /** Ordinary text and the screen background (its {@code bg}). */
  TEXT,
  /** Secondary text: units, hints, axis labels. */
  MUTED,
  /** Highlights: the active tab's number, prompts. */
  ACCENT,
  /** Pane titles. */
  TITLE,
  /** Pane frames. */
  BORDER,
  /** The frame of the pane that has focus. */
  BORDER_FOCUSED,
  /** Selected row, active tab. */
  SELECTED,
  /** The top status line. */
  HEADER,
  /** A key in the footer and the help overlay. */
  KEY,
  /** Raw loss points. */
  LOSS,
  /** The smoothed (EMA) loss curve. */
  LOSS_SMOOTH,
  /** Learning-rate curve. */
  LR,
  /** Memory gauge fill. */
  VRAM,
  /** Peak-memory marker. */
  VRAM_PEAK,
  /** GPU utilisation gauge fill. */
  GPU,
  /** The unfilled part of a gauge. */
  GAUGE_EMPTY,
  /** Running, finished, healthy. */
  OK,
  /** Paused, stopping, warnings. */
  WARN,
  /** Failed, errors. */
  ERROR;

  /** The key of this role in a theme file. */
  public String key() {
    return name().toLowerCase(Locale.ROOT);
  }
}
