package dev.lathe.tui;

/**
 * Where the Monitor gets its data: the job store implements this over a job folder (metrics.jsonl, state.json,
 * samples/, log.txt) or over a job running in this process. The console calls {@link #snapshot()} on its GUI
 * thread at its refresh rate (4 Hz), so it must return at once: keep the newest snapshot in a volatile or atomic
 * field, updated by your own thread ({@link MonitorFeed} does this).
 */
@FunctionalInterface
public interface MonitorSource {
  /**
   * The newest snapshot; never null, never blocks, never does I/O. Returning the same object as last time tells the
   * console nothing changed.
   */
  MonitorSnapshot snapshot();

  /** No job. */
  MonitorSource NONE = () -> MonitorSnapshot.EMPTY;
}
