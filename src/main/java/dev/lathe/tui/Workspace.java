package dev.lathe.tui;

import dev.lathe.config.Configs;
import dev.lathe.config.Environment;
import dev.lathe.config.JobConfig;
import dev.lathe.config.Problem;
import dev.lathe.config.ResolvedConfig;
import dev.lathe.jobs.Checkpoints;
import dev.lathe.jobs.Control;
import dev.lathe.jobs.JobFolder;
import dev.lathe.jobs.JobLock;
import dev.lathe.jobs.JobState;
import dev.lathe.jobs.JobStatus;
import dev.lathe.jobs.JobStore;
import dev.lathe.jobs.Metrics;
import dev.lathe.jobs.RunnerLauncher;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The console's output folder: its jobs, the job the Monitor follows, and what the screens may do to jobs. The
 * console never trains: launching queues a job in the {@link JobStore} and asks the {@link RunnerLauncher} for a runner
 * (a detached {@code lathe queue run}), then follows the job's folder like any other.
 *
 * <p>{@link #snapshot()} never blocks (the GUI thread reads it); everything else touches the disk and runs on a
 * background thread: {@link #refresh()} on the poll thread {@link #startPolling} makes, the actions on the console's
 * worker threads. Without a pinned job the Monitor follows the running job, else the newest one.
 */
public final class Workspace implements AutoCloseable {
  /**
   * One job as the Queue and the Dashboard list it.
   *
   * @param lastLoss    the newest logged loss, NaN before the first step
   * @param updated     when state.json was last written (ISO-8601), or ""
   * @param live        a live process holds the job (meaningful while it is active)
   * @param adapter     the final LoRA, null until it is written
   * @param checkpoint  the newest checkpoint's LoRA file, null when there is none
   * @param datasets    the dataset folders its job.toml trains on
   */
  public record JobRow(String name, Path dir, JobState state, long step, long totalSteps, String device,
      double lastLoss, String updated, String message, boolean live, Path adapter, Path checkpoint,
      long checkpointStep, List<DatasetRef> datasets) {
    public JobRow {
      datasets = List.copyOf(datasets);
    }

    /** The state as the console draws it. */
    public dev.lathe.tui.JobState shown() {
      return JobFolderMonitor.map(state);
    }
  }

  /**
   * A dataset folder the Datasets screen lists, with what its scan needs.
   *
   * @param resolutions bucket resolutions (the job's, or the standard ones)
   * @param trigger     the trigger word, or null
   * @param source      where it came from: a job's name, "demo" or "added"
   */
  public record DatasetRef(Path folder, List<Integer> resolutions, String trigger, String source) {
    public DatasetRef {
      resolutions = List.copyOf(resolutions);
    }
  }

  /** The folder at one moment; equal snapshots mean nothing changed. */
  public record Snapshot(Path output, List<JobRow> jobs, List<DatasetRef> datasets, Path attached, boolean pinned,
      String problem) {
    public static final Snapshot EMPTY = new Snapshot(null, List.of(), List.of(), null, false, null);

    public Snapshot {
      jobs = List.copyOf(jobs);
      datasets = List.copyOf(datasets);
    }

    public Optional<JobRow> job(String name) {
      return jobs.stream().filter(j -> j.name().equals(name)).findFirst();
    }

    /** Jobs a process trains now (running or stopping). */
    public List<JobRow> active() {
      return jobs.stream().filter(j -> j.state().active()).toList();
    }
  }

  /** Prepares the demo: writes its model and dataset if needed and returns its job file. */
  @FunctionalInterface
  public interface DemoSource {
    Path prepare(Path output, Consumer<String> progress) throws Exception;
  }

  private volatile JobStore store;
  private final RunnerLauncher runners;
  private final Function<JobConfig, String> deviceOf;
  private final DemoSource demo;
  private final Path demoDataset;
  private final FollowingMonitor follow;
  private final List<DatasetRef> added = new CopyOnWriteArrayList<>();
  private final Object followLock = new Object();                      // attach() vs the poller's follow()
  private final Map<Path, Object[]> datasetCache = new HashMap<>();   // job.toml → {mtime, List<DatasetRef>}
  private volatile Snapshot snapshot;
  private volatile boolean pinned;
  private volatile Environment environment;
  private volatile Path jobFiles = Path.of("").toAbsolutePath();
  private ScheduledExecutorService poller;
  private int polls;

  /**
   * @param output      the folder holding the job folders (created when the first job is)
   * @param runners     starts a runner for a device's queue
   * @param deviceOf    the device a job queues on ({@code JobRunner::deviceFor})
   * @param demo        prepares the demo, or null when there is none
   * @param demoDataset the demo's dataset folder, listed on the Datasets screen once it exists; may be null
   */
  public Workspace(Path output, RunnerLauncher runners, Function<JobConfig, String> deviceOf, DemoSource demo,
      Path demoDataset) {
    this.store = new JobStore(output);
    this.runners = runners;
    this.deviceOf = deviceOf;
    this.demo = demo;
    this.demoDataset = demoDataset;
    this.follow = new FollowingMonitor(500);
    this.snapshot = new Snapshot(store.root(), List.of(), List.of(), null, false, null);
  }

  public Path output() {
    return store.root();
  }

  public JobStore store() {
    return store;
  }

  /** Where New job writes new job files (default: the working directory, so relative dataset paths read naturally). */
  public Path jobFiles() {
    return jobFiles;
  }

  public Workspace jobFiles(Path dir) {
    jobFiles = dir.toAbsolutePath().normalize();
    return this;
  }

  /** The newest snapshot; never blocks. */
  public Snapshot snapshot() {
    return snapshot;
  }

  /** The Monitor's source and controls: the attached job. */
  FollowingMonitor monitor() {
    return follow;
  }

  /** Polls the folder every {@code periodMs} on a daemon thread (the first poll at once). */
  public synchronized Workspace startPolling(long periodMs) {
    if (poller != null) return this;
    poller = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "lathe-jobs");
      t.setDaemon(true);
      return t;
    });
    poller.scheduleWithFixedDelay(() -> {
      try {
        refresh();
      } catch (RuntimeException e) {
        snapshot = withProblem(snapshot, oneLine(e));
      }
    }, 0, periodMs, TimeUnit.MILLISECONDS);
    return this;
  }

  // ---- reading --------------------------------------------------------------------------------------------------

  /**
   * Lists the jobs again (marking jobs whose process is gone as interrupted, at the first call and every tenth),
   * follows the running job unless one is pinned, and publishes a new snapshot if anything changed.
   */
  public synchronized Snapshot refresh() {
    String problem = null;
    List<JobRow> rows = new ArrayList<>();
    try {
      if (polls++ % 10 == 0) store.recover();
      for (JobFolder j : store.list()) {
        try {
          rows.add(row(j));
        } catch (IOException | RuntimeException e) {
          problem = j.name() + ": " + oneLine(e);
        }
      }
    } catch (IOException e) {
      problem = store.root() + ": " + oneLine(e);
    }
    follow(rows);
    Snapshot next = new Snapshot(store.root(), rows, datasets(rows), follow.attached(), pinned, problem);
    if (!next.equals(snapshot)) snapshot = next;
    return snapshot;
  }

  private JobRow row(JobFolder j) throws IOException {
    JobStatus s = j.readStatus();
    Optional<Metrics> m = j.lastLoss();
    boolean live = s.state().active() && JobLock.held(j.dir());
    Path adapter = Files.isRegularFile(j.finalAdapter()) ? j.finalAdapter() : null;
    Path ck = null;
    long ckStep = -1;
    Checkpoints cks = j.checkpoints();
    List<Checkpoints.Entry> entries = cks.list();
    for (int i = entries.size() - 1; i >= 0 && ck == null; i--) {
      Path p = cks.dir().resolve(entries.get(i).adapter());
      if (Files.isRegularFile(p)) {
        ck = p;
        ckStep = entries.get(i).step();
      }
    }
    return new JobRow(j.name(), j.dir(), s.state(), s.step(), s.totalSteps(), s.device() == null ? "" : s.device(),
        m.map(x -> x.loss()).orElse(Double.NaN), s.updated() == null ? "" : s.updated(), s.message(), live, adapter,
        ck, ckStep, jobDatasets(j));
  }

  /** The datasets of a job's job.toml, parsed once per version of the file. */
  private List<DatasetRef> jobDatasets(JobFolder j) {
    Path f = j.config();
    try {
      long mtime = Files.getLastModifiedTime(f).toMillis();
      Object[] c = datasetCache.get(f);
      if (c != null && (long) c[0] == mtime) {
        @SuppressWarnings("unchecked")
        List<DatasetRef> l = (List<DatasetRef>) c[1];
        return l;
      }
      ResolvedConfig rc = Configs.load(f);
      List<DatasetRef> out = new ArrayList<>();
      JobConfig cfg = rc.config();
      String trigger = cfg.job().triggerWord().isBlank() ? null : cfg.job().triggerWord();
      for (int i = 0; i < cfg.datasets().size(); i++) {
        out.add(new DatasetRef(rc.datasetFolder(i), cfg.datasets().get(i).resolutions(), trigger, j.name()));
      }
      datasetCache.put(f, new Object[] {mtime, List.copyOf(out)});
      return out;
    } catch (IOException | RuntimeException e) {
      return List.of();
    }
  }

  private List<DatasetRef> datasets(List<JobRow> rows) {
    Map<Path, DatasetRef> out = new LinkedHashMap<>();
    for (DatasetRef d : added) out.putIfAbsent(d.folder(), d);
    List<JobRow> newestFirst = new ArrayList<>(rows);
    newestFirst.sort(Comparator.comparing(JobRow::updated).reversed());
    for (JobRow r : newestFirst) for (DatasetRef d : r.datasets()) out.putIfAbsent(d.folder(), d);
    if (demoDataset != null && Files.isDirectory(demoDataset)) {
      out.putIfAbsent(demoDataset.toAbsolutePath().normalize(), new DatasetRef(demoDataset.toAbsolutePath().normalize(),
          List.of(dev.lathe.demo.Demo.SIZE), dev.lathe.demo.Demo.TRIGGER, "demo"));
    }
    return List.copyOf(out.values());
  }

  /** Without a pinned job: the running job (newest first), else keep what is attached, else the newest job. */
  private void follow(List<JobRow> rows) {
    synchronized (followLock) {
      followLocked(rows);
    }
  }

  private void followLocked(List<JobRow> rows) {
    Path now = follow.attached();
    if (now != null && rows.stream().noneMatch(r -> r.dir().equals(now))) {
      follow.attach(null);                         // deleted
      pinned = false;
    }
    if (pinned) return;
    Path cur = follow.attached();
    if (cur != null && rows.stream().anyMatch(r -> r.dir().equals(cur) && r.state().active())) return;
    Optional<JobRow> running = rows.stream().filter(r -> r.state().active())
        .max(Comparator.comparing(JobRow::updated));
    if (running.isPresent()) {
      follow.attach(running.get().dir());
    } else if (follow.attached() == null && !rows.isEmpty()) {
      follow.attach(rows.stream().max(Comparator.comparing(JobRow::updated)).get().dir());
    }
  }

  /** Shows {@code jobDir} in the Monitor; pinned, it stays there until another job is chosen. Null lets go. */
  public void attach(Path jobDir, boolean pin) {
    synchronized (followLock) {
      follow.attach(jobDir);
      pinned = pin && jobDir != null;
    }
    Snapshot s = snapshot;
    snapshot = new Snapshot(s.output(), s.jobs(), s.datasets(), follow.attached(), pinned, s.problem());
  }

  /** Works on another output folder from now on; the Monitor lets go of the old folder's job. */
  public synchronized void output(Path dir) {
    store = new JobStore(dir);
    datasetCache.clear();
    polls = 0;
    attach(null, false);
    snapshot = new Snapshot(store.root(), List.of(), List.of(), null, false, null);
    refresh();
  }

  /** Lists {@code folder} on the Datasets screen for this session. */
  public void addDataset(Path folder) {
    Path f = folder.toAbsolutePath().normalize();
    if (added.stream().noneMatch(d -> d.folder().equals(f))) {
      added.add(0, new DatasetRef(f, dev.lathe.data.DatasetSpec.STANDARD_RESOLUTIONS, null, "added"));
    }
  }

  // ---- actions (background threads) -----------------------------------------------------------------------------

  /** The GPU the wizard checks VRAM against, detected once (NVML; may load natives, so never on the GUI thread). */
  public Environment environment() {
    Environment e = environment;
    if (e == null) environment = e = Environment.detect(0);
    return e;
  }

  /**
   * Queues a job from a resolved config and makes sure a runner takes it; the Monitor then follows it.
   *
   * @return one line for the footer
   * @throws IllegalArgumentException with a message for the user: errors in the config, a name already taken
   */
  public String launch(ResolvedConfig rc) throws IOException {
    List<Problem> problems = Problem.anyErrors(rc.problems()) ? rc.problems() : Configs.check(rc, environment());
    Optional<Problem> err = problems.stream().filter(Problem::isError).findFirst();
    if (err.isPresent()) {
      Problem p = err.get();
      throw new IllegalArgumentException((p.field().isEmpty() ? "" : p.field() + ": ") + p.message());
    }
    JobConfig c = rc.config();
    String name = c.job().name();
    if (new JobFolder(store.root().resolve(name)).exists()) {
      throw new IllegalArgumentException("a job named '" + name + "' already exists in " + store.root()
          + "; change the Training Name on the JOB panel");
    }
    String device = deviceOf.apply(c);
    JobFolder job = store.create(name, withOutput(rc.standaloneToml(name)), c.training().steps(), device);
    attach(job.dir(), true);
    String runner = runners.ensure(store, device);
    refresh();
    return name + " queued on " + device + "; " + runner;
  }

  /** job.toml of a job in this folder names this folder as its output, whatever the draft said. */
  private String withOutput(String toml) {
    try {
      dev.lathe.config.ConfigDocument d = dev.lathe.config.ConfigDocument.parse(toml, store.root().resolve("job.toml"));
      d.set("output", store.root().toString());
      return d.text();
    } catch (dev.lathe.config.ConfigException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  /** Whether a demo is available. */
  public boolean hasDemo() {
    return demo != null;
  }

  /** Prepares the demo (the first time this fits a small autoencoder: about a minute) and launches it as "demo". */
  public String launchDemo(Consumer<String> progress) throws Exception {
    if (demo == null) throw new IllegalStateException("this console has no demo");
    Path file = demoFile(progress);
    dev.lathe.config.ConfigDocument doc = dev.lathe.config.ConfigDocument.load(file);
    doc.set("job.name", freeName("demo"));
    return launch(Configs.parse(doc.text(), file, dev.lathe.config.PresetLibrary.standard()));
  }

  /** Prepares the demo and returns its job file (for opening it in the panels first). */
  public Path demoFile(Consumer<String> progress) throws Exception {
    if (demo == null) throw new IllegalStateException("this console has no demo");
    return demo.prepare(store.root(), progress);
  }

  /** {@code base}, or base-2, base-3... whichever no job uses yet. */
  public String freeName(String base) {
    String name = base;
    for (int i = 2; new JobFolder(store.root().resolve(name)).exists(); i++) name = base + "-" + i;
    return name;
  }

  /**
   * Starts a job now: a queued one gets a runner, a stopped, interrupted or failed one is queued again (it resumes
   * from its newest checkpoint) and gets a runner.
   */
  public String start(JobRow row) throws IOException {
    JobFolder j = new JobFolder(row.dir());
    JobStatus s = j.readStatus();
    switch (s.state()) {
      case RUNNING, STOPPING -> throw new IllegalStateException(row.name() + " is already " + s.status());
      case FINISHED -> throw new IllegalStateException(row.name() + " has finished; its LoRA is " + j.finalAdapter());
      case STOPPED, INTERRUPTED, FAILED -> store.requeue(j);
      default -> { }
    }
    String device = s.device() == null || s.device().isBlank() ? "cpu" : s.device();
    attach(j.dir(), true);
    String runner = runners.ensure(store, device);
    refresh();
    return row.name() + (s.state() == JobState.QUEUED ? "" : " queued again (it resumes from its newest checkpoint)") + "; " + runner;
  }

  /** Asks a running job to stop (it saves a checkpoint first), or takes a queued one out of the queue. */
  public String stop(JobRow row) throws IOException {
    JobFolder j = new JobFolder(row.dir());
    JobStatus s = j.readStatus();
    if (s.state() == JobState.QUEUED) {
      store.cancel(j);
      refresh();
      return row.name() + " taken out of the queue";
    }
    if (!s.state().active()) throw new IllegalStateException(row.name() + " is " + s.status() + ", not running");
    j.request(Control.STOP);
    return row.name() + ": stopping after the current step (it saves a checkpoint first)";
  }

  /** Asks every running job of the folder to stop (quitting with "stop"). */
  public void stopAll() {
    for (JobRow r : snapshot.active()) {
      try {
        new JobFolder(r.dir()).request(Control.STOP);
      } catch (IOException ignored) {
        // the job's folder went away; nothing to stop
      }
    }
  }

  /** What deleting a job removes: each file with its size, paths relative to the job folder. */
  public record Deletion(JobRow job, List<String> files, List<Long> sizes, long bytes) {}

  public Deletion deletionPlan(JobRow row) throws IOException {
    JobFolder j = new JobFolder(row.dir());
    List<String> files = new ArrayList<>();
    List<Long> sizes = new ArrayList<>();
    long total = 0;
    for (Path p : store.deletionPlan(j)) {
      long size = Files.size(p);
      files.add(j.dir().relativize(p).toString());
      sizes.add(size);
      total += size;
    }
    return new Deletion(row, files, sizes, total);
  }

  public String delete(JobRow row) throws IOException {
    JobFolder j = new JobFolder(row.dir());
    store.delete(j);
    if (row.dir().equals(follow.attached())) attach(null, false);
    refresh();
    return "deleted " + row.dir();
  }

  /** Moves a queued job one place earlier (-1) or later (+1) in its device's queue. */
  public String move(JobRow row, int delta) throws IOException {
    store.move(new JobFolder(row.dir()), delta);
    refresh();
    return row.name() + " moved " + (delta < 0 ? "up" : "down");
  }

  /** The last {@code n} lines of a job's log. */
  public List<String> log(JobRow row, int n) throws IOException {
    return new JobFolder(row.dir()).tailLog(n);
  }

  @Override
  public synchronized void close() {
    if (poller != null) poller.shutdownNow();
    follow.close();
  }

  private static Snapshot withProblem(Snapshot s, String problem) {
    return new Snapshot(s.output(), s.jobs(), s.datasets(), s.attached(), s.pinned(), problem);
  }

  static String oneLine(Throwable e) {
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }
}
