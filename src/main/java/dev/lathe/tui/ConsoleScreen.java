package dev.lathe.tui;

import com.googlecode.lanterna.gui2.Component;
import dev.lathe.torch.Gpus;
import java.util.List;
import java.util.Map;

/**
 * One of the console's screens (Dashboard, Queue, Datasets, New job, Monitor). To add one: implement this, bind its
 * number key as a {@code SCREEN_*} action in {@link Keymap#DEFAULTS}, its own keys under a new {@link Scope}, and pass
 * it to {@link Console.Builder#screen}. The console owns the header, tabs and footer; the screen owns its body.
 */
public interface ConsoleScreen {
  /**
   * What the console hands every screen at each refresh that brought something new: the attached job, the GPUs and
   * the output folder's jobs ({@link Workspace.Snapshot#EMPTY} when the console has no output folder).
   */
  record Frame(MonitorSnapshot job, List<Gpus.GpuStatus> gpus, Workspace.Snapshot workspace) {
    public Frame(MonitorSnapshot job, List<Gpus.GpuStatus> gpus) {
      this(job, gpus, Workspace.Snapshot.EMPTY);
    }
  }

  /** The tab label: "Monitor". */
  String title();

  /** The {@code SCREEN_*} action that shows this screen. */
  Action showAction();

  /** Whose keys apply while this screen is shown. */
  Scope scope();

  /** The body, laid out in whatever space the console gives it. */
  Component component();

  /** New data; called on the GUI thread only when the snapshot or the GPU list changed. Must not block. */
  void show(Frame frame);

  /** Handlers for this screen's actions (its scope's bindings). */
  Map<Action, Runnable> handlers();

  /** Why {@code action} cannot run now ("no job is attached"), or null when it can. */
  default String disabledReason(Action action) {
    return null;
  }

  /**
   * Offered every key before the keymap: a screen with a focused text field takes what it types (so {@code q} is a
   * letter there, not quit) and returns true. Keys it returns false for go to the keymap as usual.
   */
  default boolean keyTyped(com.googlecode.lanterna.input.KeyStroke key) {
    return false;
  }

  /** Tab / Shift-Tab: move focus between this screen's panes. */
  default void focusNext(boolean forward) {}

  /** Called when the screen becomes visible. */
  default void shown() {}
}
