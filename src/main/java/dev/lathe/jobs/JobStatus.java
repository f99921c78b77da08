package dev.lathe.jobs;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.List;

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
 * @param history every state the job has been in, oldest first, with the time it got there (at most
 *     {@value #HISTORY_LIMIT} kept); empty for a folder written before Lathe kept one
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
    @JsonProperty("message") String message,
    @JsonProperty("history") List<Transition> history) {

  /** How many transitions {@code history} keeps (a job that is requeued for ever must not grow without end). */
  public static final int HISTORY_LIMIT = 64;

  /** One entry of {@code history}: the job became {@code status} at {@code at} (ISO-8601, milliseconds). */
  public record Transition(@JsonProperty("status") String status, @JsonProperty("at") String at) {}

  public JobStatus {
    history = history == null ? List.of() : List.copyOf(history);
  }

  public JobState state() {
    return JobState.parse(status);
  }

  public static JobStatus queued(long totalSteps, String device, long position) {
    return new JobStatus(JobState.QUEUED.id(), 0, totalSteps, 0, 0, null, device, position, null, now(), -1, null,
        List.of(new Transition(JobState.QUEUED.id(), stamp())));
  }

  /**
   * This status moved to {@code s} with {@code msg} as its message, the move appended to {@code history}. Every
   * change of state goes through here, so the table of {@link JobState#next()} holds for every file Lathe writes.
   *
   * @throws IllegalStateException naming both states when {@link JobState#canMoveTo} forbids the move (a bug)
   */
  public JobStatus with(JobState s, String msg) {
    if (!state().canMoveTo(s)) throw new IllegalStateException("a job that is " + status + " cannot become " + s.id());
    List<Transition> h = new ArrayList<>(history);
    h.add(new Transition(s.id(), stamp()));
    if (h.size() > HISTORY_LIMIT) h = h.subList(h.size() - HISTORY_LIMIT, h.size());
    return new JobStatus(s.id(), step, totalSteps, pid, pidStart, host, device, queuePosition, started, now(), checkpointStep, msg, h);
  }

  /** The states of {@code history}, oldest first. */
  public List<JobState> states() {
    return history.stream().map(t -> JobState.parse(t.status())).toList();
  }

  public JobStatus withStep(long s) {
    return new JobStatus(status, s, totalSteps, pid, pidStart, host, device, queuePosition, started, now(), checkpointStep, message, history);
  }

  public JobStatus withCheckpoint(long s) {
    return new JobStatus(status, step, totalSteps, pid, pidStart, host, device, queuePosition, started, now(), s, message, history);
  }

  public JobStatus withOwner(long p, long pStart, String h) {
    return new JobStatus(status, step, totalSteps, p, pStart, h, device, queuePosition, started == null ? now() : started, now(), checkpointStep, message, history);
  }

  public JobStatus withPosition(long pos) {
    return new JobStatus(status, step, totalSteps, pid, pidStart, host, device, pos, started, now(), checkpointStep, message, history);
  }

  public JobStatus withTotal(long total) {
    return new JobStatus(status, step, total, pid, pidStart, host, device, queuePosition, started, now(), checkpointStep, message, history);
  }

  static String now() {
    return java.time.OffsetDateTime.now().withNano(0).toString();
  }

  private static String stamp() {
    return java.time.OffsetDateTime.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS).toString();
  }
}
