package dev.lathe.tui;

import java.util.List;
import java.util.function.Consumer;

/** What a screen may ask of the console around it. GUI thread only. */
public interface Shell {
  /** A choice in a question: its key, and its label ("s", "stop it, then quit"). */
  record Choice(String key, String label) {}

  /**
   * Asks {@code question} in a small dialog; {@code answer} gets the chosen key, or nothing when Esc cancels.
   */
  void ask(String title, String question, List<Choice> choices, Consumer<String> answer);

  /** A one-line message in the footer for a few seconds. */
  void flash(String message, Role role);

  /** The shared theme and profile. */
  Skin skin();

  /** Renders sample images off the GUI thread. */
  ImageLoader images();

  /** Where image slots report that they were drawn. */
  ImageSlot.Host imageHost();
}
