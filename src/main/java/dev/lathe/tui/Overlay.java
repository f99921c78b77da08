package dev.lathe.tui;

import com.googlecode.lanterna.gui2.Component;
import com.googlecode.lanterna.input.KeyStroke;

/** A modal box over the screen (help, command palette, a question) that takes every key while it is open. */
interface Overlay {
  Component component();

  /** Handles a key; returns false when the overlay is done and should close. */
  boolean onKey(KeyStroke key);
}
