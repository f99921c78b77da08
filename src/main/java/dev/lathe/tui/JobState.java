package dev.lathe.tui;

/** A job's state as the console shows it; the job store maps its own states onto these. */
public enum JobState {
  NONE("no job"), QUEUED("queued"), STARTING("starting"), RUNNING("running"), PAUSED("paused"),
  STOPPING("stopping"), STOPPED("stopped"), FINISHED("finished"), FAILED("failed"), INTERRUPTED("interrupted");

  private final String label;

  JobState(String label) {
    this.label = label;
  }

  public String label() {
    return label;
  }

  /** Training is happening or can resume without a restart: controls make sense. */
  public boolean active() {
    return this == STARTING || this == RUNNING || this == PAUSED || this == STOPPING;
  }

  /** The role its label is drawn in. */
  Role role() {
    switch (this) {
      case RUNNING: case FINISHED: return Role.OK;
      case PAUSED: case STOPPING: case STARTING: case QUEUED: return Role.WARN;
      case FAILED: case INTERRUPTED: return Role.ERROR;
      default: return Role.MUTED;
    }
  }
}
