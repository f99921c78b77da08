package dev.lathe.testing;

import dev.lathe.jobs.JobState;
import dev.lathe.jobs.JobStatus;

/**
 * Test fixtures in any state: builds the record directly, the way a file left by another version or a crash could
 * read, without the transition check that {@link JobStatus#with} applies to every state Lathe itself writes.
 */
public final class JobStates {
  private JobStates() {}

  public static JobStatus force(JobStatus s, JobState state, String message) {
    return new JobStatus(state.id(), s.step(), s.totalSteps(), s.pid(), s.pidStart(), s.host(), s.device(), s.queuePosition(),
        s.started(), s.updated(), s.checkpointStep(), message, s.history());
  }
}
