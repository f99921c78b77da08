package dev.lathe.train;

/** Requests from outside (the console, a control file, a signal), polled between steps. */
public interface TrainRequests {
  /** Stop after the current step, writing a full-state checkpoint. */
  default boolean stop() {
    return false;
  }

  /** Write a checkpoint now (consumed when read). */
  default boolean saveNow() {
    return false;
  }

  /** Render the preview samples now (consumed when read). */
  default boolean sampleNow() {
    return false;
  }

  /** Hold before the next step while true. */
  default boolean paused() {
    return false;
  }

  TrainRequests NONE = new TrainRequests() {};
}
