package dev.lathe.train;

import java.nio.file.Path;

/**
 * What the trainer reports while it runs. The trainer never prints; the job runner turns these into
 * metrics.jsonl, log.txt and state.json, and the console reads those.
 */
public interface TrainListener {
  /** A phase began ("loading model", "caching latents", "training", "sampling", "saving"). */
  default void phase(String phase) {}

  /** An optimizer step finished. */
  default void step(StepReport report) {}

  /** A preview image was written. */
  default void sample(long step, int prompt, Path png) {}

  /** A checkpoint (adapter + full state) was written at {@code step}. */
  default void checkpoint(long step, Path adapter) {}

  /** A line for the human log. */
  default void log(String line) {}

  /** A listener that ignores everything. */
  TrainListener NONE = new TrainListener() {};
}
