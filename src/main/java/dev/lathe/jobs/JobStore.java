package dev.lathe.jobs;

import dev.lathe.io.AtomicFiles;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The jobs under one output folder and their queues (one per device). Queue changes and job starts take a short
 * OS lock on {@code <output>/.queue.lock}, so a console and a headless runner never start the same job twice.
 */
public final class JobStore {
  private final Path root;

  public JobStore(Path root) {
    this.root = root.toAbsolutePath().normalize();
  }

  public Path root() {
    return root;
  }

  /**
   * The lock a queue runner ({@code lathe queue run}) holds on {@code device} for as long as it works through the
   * queue, so a console knows whether it must start one.
   */
  public Path runnerLockFile(String device) {
    return root.resolve(".runner-" + fileSafe(device) + ".lock");
  }

  /** Where the output of a runner that a console started for {@code device} goes (appended). */
  public Path runnerLogFile(String device) {
    return root.resolve(".runner-" + fileSafe(device) + ".log");
  }

  /** Takes the runner lock of {@code device}; empty when a live runner (this process included) holds it. */
  public Optional<JobLock> tryRunnerLock(String device) throws IOException {
    Files.createDirectories(root);
    return JobLock.tryAcquireFile(runnerLockFile(device));
  }

  /** Whether a live queue runner holds {@code device}'s runner lock. */
  public boolean runnerAlive(String device) throws IOException {
    return JobLock.heldFile(runnerLockFile(device));
  }

  private static String fileSafe(String device) {
    return device.replaceAll("[^A-Za-z0-9_.-]", "-");
  }

  /** Every job folder (a folder holding state.json), ordered by queue position then name. */
  public List<JobFolder> list() throws IOException {
    if (!Files.isDirectory(root)) return List.of();
    List<JobFolder> out = new ArrayList<>();
    try (Stream<Path> s = Files.list(root)) {
      for (Path p : s.toList()) {
        JobFolder j = new JobFolder(p);
        if (Files.isDirectory(p) && j.exists()) out.add(j);
      }
    }
    out.sort(Comparator.comparingLong((JobFolder j) -> position(j)).thenComparing(JobFolder::name));
    return out;
  }

  private static long position(JobFolder j) {
    try {
      return j.readStatus().queuePosition();
    } catch (IOException e) {
      return Long.MAX_VALUE;
    }
  }

  /** A job by name (under the root) or by path. */
  public JobFolder open(String nameOrPath) throws IOException {
    Path p = Path.of(nameOrPath);
    JobFolder j = new JobFolder(Files.isDirectory(p) ? p : root.resolve(nameOrPath));
    if (!j.exists()) throw new IOException(j.dir() + ": not a job folder (no state.json)");
    return j;
  }

  /**
   * Creates a queued job from a resolved config text.
   *
   * @throws IllegalArgumentException for a bad name or one already taken
   */
  public JobFolder create(String name, String jobToml, long totalSteps, String device) throws IOException {
    if (!JobFolder.validName(name))
      throw new IllegalArgumentException("job name '" + name + "': use letters, digits, '_', '-' and '.', starting with a letter or digit");
    JobFolder j = new JobFolder(root.resolve(name));
    try (QueueLock q = queueLock()) {
      if (Files.exists(j.dir()) && j.exists()) throw new IllegalArgumentException("a job named '" + name + "' already exists in " + root);
      Files.createDirectories(j.dir());
      Files.createDirectories(j.controlDir());
      AtomicFiles.writeString(j.config(), jobToml);
      j.writeStatus(JobStatus.queued(totalSteps, device, nextPosition()));
      j.log("created, queued on " + device);
    }
    return j;
  }

  private long nextPosition() throws IOException {
    long max = 0;
    for (JobFolder j : list()) max = Math.max(max, position(j) == Long.MAX_VALUE ? 0 : position(j));
    return max + 1000;
  }

  /**
   * Finds jobs left running or stopping by a process that is gone (crash, kill -9, power loss) and marks them
   * interrupted, so they can be resumed. Run at every start of a console or runner.
   *
   * @return the jobs that were marked
   */
  public List<JobFolder> recover() throws IOException {
    List<JobFolder> fixed = new ArrayList<>();
    for (JobFolder j : list()) {
      JobStatus s;
      try {
        s = j.readStatus();
      } catch (IOException e) {
        continue;
      }
      if (!s.state().active()) continue;
      if (JobLock.held(j.dir())) continue;
      String why = "process " + s.pid() + (s.host() == null ? "" : " on " + s.host()) + " is gone; resumable from step "
          + Math.max(0, s.checkpointStep());
      j.transition(JobState.INTERRUPTED, why);
      j.log("marked interrupted: " + why);
      fixed.add(j);
    }
    return fixed;
  }

  /** Queued jobs of a device in run order. */
  public List<JobFolder> queue(String device) throws IOException {
    List<JobFolder> q = new ArrayList<>();
    for (JobFolder j : list()) {
      JobStatus s = j.readStatus();
      if (s.state() == JobState.QUEUED && device.equals(s.device())) q.add(j);
    }
    return q;
  }

  /** Whether a job of {@code device} is being run by a live process. */
  public Optional<JobFolder> running(String device) throws IOException {
    for (JobFolder j : list()) {
      JobStatus s = j.readStatus();
      if (s.state().active() && device.equals(s.device()) && JobLock.held(j.dir())) return Optional.of(j);
    }
    return Optional.empty();
  }

  /** Moves a queued job one place earlier (delta −1) or later (+1) within its device's queue. */
  public void move(JobFolder job, int delta) throws IOException {
    try (QueueLock q = queueLock()) {
      JobStatus s = job.readStatus();
      if (s.state() != JobState.QUEUED) throw new IllegalStateException("job " + job.name() + " is " + s.status() + ", not queued");
      List<JobFolder> queue = queue(s.device());
      int i = indexOf(queue, job);
      int k = i + Integer.signum(delta);
      if (k < 0 || k >= queue.size()) return;
      JobFolder other = queue.get(k);
      JobStatus os = other.readStatus();
      job.writeStatus(s.withPosition(os.queuePosition()));
      other.writeStatus(os.withPosition(s.queuePosition()));
    }
  }

  private static int indexOf(List<JobFolder> l, JobFolder j) {
    for (int i = 0; i < l.size(); i++) if (l.get(i).dir().equals(j.dir())) return i;
    return -1;
  }

  /** Puts a stopped, interrupted or failed job back at the end of its queue; it resumes from its newest checkpoint. */
  public void requeue(JobFolder job) throws IOException {
    try (QueueLock q = queueLock()) {
      JobStatus s = job.readStatus();
      if (!s.state().canMoveTo(JobState.QUEUED)) throw new IllegalStateException("job " + job.name() + " is " + s.status() + " and cannot be queued again");
      long pos = nextPosition();
      job.transition(JobState.QUEUED, null, n -> n.withPosition(pos));
      job.log("requeued");
    }
  }

  /** Takes a queued job out of the queue (it becomes stopped and can be requeued). */
  public void cancel(JobFolder job) throws IOException {
    try (QueueLock q = queueLock()) {
      job.transition(JobState.STOPPED, "cancelled before it started");
      job.log("cancelled");
    }
  }

  /** What {@link #delete} would remove: every file of the job, with its size. */
  public List<Path> deletionPlan(JobFolder job) throws IOException {
    List<Path> files = new ArrayList<>();
    Files.walkFileTree(job.dir(), new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
        files.add(file);
        return FileVisitResult.CONTINUE;
      }
    });
    files.sort(Comparator.naturalOrder());
    return files;
  }

  /** Deletes a job that no process runs. */
  public void delete(JobFolder job) throws IOException {
    try (QueueLock q = queueLock()) {
      if (JobLock.held(job.dir())) throw new IllegalStateException("job " + job.name() + " is running; stop it first");
      List<Path> all = deletionPlan(job);
      for (int i = all.size() - 1; i >= 0; i--) Files.deleteIfExists(all.get(i));
      try (Stream<Path> s = Files.walk(job.dir())) {
        for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
      }
    }
  }

  /**
   * Atomically claims the first queued job of {@code device} for this process: takes its lock, marks it running
   * with this process as owner. Empty when the queue is empty or another job of the device is running.
   */
  public Optional<Claim> claimNext(String device) throws IOException {
    try (QueueLock q = queueLock()) {
      if (running(device).isPresent()) return Optional.empty();
      for (JobFolder j : queue(device)) {
        Optional<Claim> c = claim(j);
        if (c.isPresent()) return c;
      }
      return Optional.empty();
    }
  }

  /** A job held by this process: close to release. */
  public record Claim(JobFolder job, JobLock lock) implements AutoCloseable {
    @Override
    public void close() throws IOException {
      lock.close();
    }
  }

  /** Takes the lock of one job (queued or resumable) and marks it running; empty when someone else holds it. */
  public Optional<Claim> claim(JobFolder j) throws IOException {
    Optional<JobLock> lock = JobLock.tryAcquire(j.dir());
    if (lock.isEmpty()) return Optional.empty();
    try {
      JobStatus s = j.readStatus();
      if (s.state().resumable()) s = j.transition(JobState.QUEUED, null);
      if (s.state() != JobState.QUEUED) throw new IllegalStateException("job " + j.name() + " is " + s.status() + " and cannot be started");
      JobLock.Owner me = JobLock.self();
      j.transition(JobState.RUNNING, null, n -> n.withOwner(me.pid(), me.startMillis(), me.host()));
    } catch (IOException | RuntimeException e) {
      lock.get().close();
      throw e;
    }
    return Optional.of(new Claim(j, lock.get()));
  }

  /** Threads of this JVM queue up here first: an OS file lock cannot be taken twice by one process. */
  private static final java.util.concurrent.locks.ReentrantLock LOCAL = new java.util.concurrent.locks.ReentrantLock();

  private QueueLock queueLock() throws IOException {
    Files.createDirectories(root);
    LOCAL.lock();
    try {
      FileChannel ch = FileChannel.open(root.resolve(".queue.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      return new QueueLock(ch, ch.lock());
    } catch (IOException | RuntimeException e) {
      LOCAL.unlock();
      throw e;
    }
  }

  private record QueueLock(FileChannel ch, FileLock lock) implements AutoCloseable {
    @Override
    public void close() throws IOException {
      try {
        lock.release();
        ch.close();
      } finally {
        LOCAL.unlock();
      }
    }
  }
}
