package dev.lathe.tui;

import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Consumer;

/** What a screen may ask of the console around it. GUI thread only, except {@link #later}. */
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

  /**
   * Runs {@code work} on a worker thread (disk, processes, anything slow); {@code done} gets the result on the GUI
   * thread. A failure is flashed in one line and {@code failed} (if not null) gets that line on the GUI thread.
   */
  <T> void background(Callable<T> work, Consumer<T> done, Consumer<String> failed);

  /** {@link #background(Callable, Consumer, Consumer)} without a failure handler. */
  default <T> void background(Callable<T> work, Consumer<T> done) {
    background(work, done, null);
  }

  /** Runs {@code r} on the GUI thread at its next turn; callable from any thread. */
  void later(Runnable r);

  /** Shows the screen of a {@code SCREEN_*} action, remembering the current one for Esc. */
  void show(Action screen);

  /** Scrollable lines over the screen (a log, a list of paths); {@code atEnd} opens at the last line. */
  void text(String title, List<String> lines, boolean atEnd);

  /** Asks for a line of text; {@code answer} gets it (trimmed) on Enter, nothing on Esc. */
  void prompt(String title, String hint, String initial, Consumer<String> answer);

  /** The output folder the console works on, or null when it has none (a bare Monitor). */
  Workspace workspace();

  /** The header, tabs and footer are drawn again (after a screen changed its scope or title). */
  void chrome();
}
