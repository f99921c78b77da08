package dev.lathe.jobs;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The content of a job's {@code state.json}. Written atomically by whoever owns the job (its runner process);
 * read by anyone (console, {@code lathe status}).
 *
 * @param status the state
 * @param step optimizer steps done
 * @param totalSteps steps the job runs to
 * @param pid process running the job, or 0
 * @param pidStart that process's start time (epoch ms), to tell it apart from a later process with the same pid
 * @param host machine the process runs on
 * @param device "cpu" or "cuda:N" the job runs on (its queue)
 * @param queuePosition order within the queue (lower runs first)
 * @param started first start time, ISO-8601
 * @param updated last write, ISO-8601
 * @param checkpointStep step of the newest full-state checkpoint, or -1
 * @param message last error or reason (failed, interrupted), or null
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JobStatus(
    @JsonProperty("status") String status,
    @JsonProperty("step") long step,
    @JsonProperty("total_steps") long totalSteps,
    @JsonProperty("pid") long pid,
    @JsonProperty("pid_start") long pidStart,
    @JsonProperty("host") String host,
    @JsonProperty("device") String device,
    @JsonProperty("queue_position") long queuePosition,
    @JsonProperty("started") String started,
    @JsonProperty("updated") String updated,
    @JsonProperty("checkpoint_step") long checkpointStep,
    @JsonProperty("message") String message) {

  public JobState state() {
    return JobState.parse(status);
  }

  public static JobStatus queued(long totalSteps, String device, long position) {
    return new JobStatus(JobState.QUEUED.id(), 0, totalSteps, 0, 0, null, device, position, null, now(), -1, null);
  }

  public JobStatus with(JobState s, String msg) {
    return new JobStatus(s.id(), step, totalSteps, pid, pidStart, host, device, queuePosition, started, now(), checkpointStep, msg);
  }

  public JobStatus withStep(long s) {
    return new JobStatus(status, s, totalSteps, pid, pidStart, host, device, queuePosition, started, now(), checkpointStep, message);
  }

  public JobStatus withCheckpoint(long s) {
    return new JobStatus(status, step, totalSteps, pid, pidStart, host, device, queuePosition, started, now(), s, message);
  }

  public JobStatus withOwner(long p, long pStart, String h) {
    return new JobStatus(status, step, totalSteps, p, pStart, h, device, queuePosition, started == null ? now() : started, now(), checkpointStep, message);
  }

  public JobStatus withPosition(long pos) {
    return new JobStatus(status, step, totalSteps, pid, pidStart, host, device, pos, started, now(), checkpointStep, message);
  }

  public JobStatus withTotal(long total) {
    return new JobStatus(status, step, total, pid, pidStart, host, device, queuePosition, started, now(), checkpointStep, message);
  }

  static String now() {
    return java.time.OffsetDateTime.now().withNano(0).toString();
  }
}
