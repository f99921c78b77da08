package dev.lathe.jobs;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * Where a job is in its life. Allowed moves:
 * <pre>
 * queued ──▶ running ──▶ finished
 *   │          │  ├────▶ failed ─────┐
 *   │          │  └────▶ interrupted ┤ (signal, crash, lost process)
 *   │          ▼                     │
 *   │       stopping ──▶ stopped ────┤
 *   ▼                                ▼
 * stopped (cancelled)           queued again (requeue / resume)
 * </pre>
 * A job never stays "running" or "stopping" without a live process: the store finds such jobs at start-up and
 * marks them interrupted.
 */
public enum JobState {
  QUEUED, RUNNING, STOPPING, STOPPED, FINISHED, FAILED, INTERRUPTED;

  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static JobState parse(String s) {
    return valueOf(s.toUpperCase(Locale.ROOT));
  }

  /** Whether a process should be holding the job now. */
  public boolean active() {
    return this == RUNNING || this == STOPPING;
  }

  /** Whether the job can be queued again and continue from its newest full-state checkpoint. */
  public boolean resumable() {
    return this == STOPPED || this == INTERRUPTED || this == FAILED;
  }

  public Set<JobState> next() {
    return switch (this) {
      case QUEUED -> EnumSet.of(RUNNING, STOPPED);
      case RUNNING -> EnumSet.of(STOPPING, FINISHED, FAILED, INTERRUPTED);
      case STOPPING -> EnumSet.of(STOPPED, FINISHED, FAILED, INTERRUPTED);
      case STOPPED, INTERRUPTED, FAILED -> EnumSet.of(QUEUED);
      case FINISHED -> EnumSet.noneOf(JobState.class);
    };
  }

  public boolean canMoveTo(JobState target) {
    return next().contains(target);
  }
}
