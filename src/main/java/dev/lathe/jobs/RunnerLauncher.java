package dev.lathe.jobs;

import java.io.IOException;

/**
 * Makes sure something works through a device's queue: the console calls it after queueing a job. The standard one
 * ({@link DetachedRunner}) starts {@code lathe queue run} as its own process, so training survives the console quitting
 * or the SSH connection dropping; tests plug in a thread.
 */
@FunctionalInterface
public interface RunnerLauncher {
  /**
   * Starts a runner for {@code device}'s queue in {@code store} unless one is already going. Returns at once.
   *
   * @return one line saying what happened ("started a runner for cpu (pid 4242; output in ...)")
   * @throws IOException when no runner could be started; the message says why
   */
  String ensure(JobStore store, String device) throws IOException;
}
