package dev.lathe.tui;

/**
 * What the console may ask of the job it shows. Each call only asks (drops a control file, sets a flag) and returns
 * at once; the trainer acts at its next step and the change shows in a later {@link MonitorSnapshot}. A request that
 * cannot be made throws {@link IllegalStateException} with a one-line reason, which the console shows.
 */
public interface JobControls {
  /** Stop after saving a checkpoint. */
  void stop();

  /** Pause before the next step (GPU memory stays allocated). */
  void pause();

  /** Resume a paused job. */
  void resume();

  /** Save a checkpoint at the next step. */
  void saveNow();

  /** Render the sample prompts at the next step. */
  void sampleNow();

  /**
   * True when the job trains inside this console's process: quitting the console then either stops it or keeps the
   * process running headless. False for a job attached from its folder, which runs on whatever the console does.
   */
  default boolean inProcess() {
    return false;
  }

  /** Controls for when no job is attached: every request says so. */
  JobControls NONE = new JobControls() {
    private void no() {
      throw new IllegalStateException("no job is attached");
    }

    @Override public void stop() { no(); }
    @Override public void pause() { no(); }
    @Override public void resume() { no(); }
    @Override public void saveNow() { no(); }
    @Override public void sampleNow() { no(); }
  };
}
