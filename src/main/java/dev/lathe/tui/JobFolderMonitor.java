package dev.lathe.tui;

import dev.lathe.jobs.Control;
import dev.lathe.jobs.JobFolder;
import dev.lathe.jobs.JobStatus;
import dev.lathe.jobs.Metrics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The Monitor attached to a job folder, whoever runs the job (this process, {@code lathe train} in another, another
 * console): a daemon thread reads state.json, the new lines of metrics.jsonl, the log tail and samples/ every
 * {@code periodMs} and publishes snapshots through a {@link MonitorFeed}. Controls drop files in control/ on the same
 * thread, so the GUI thread never touches the disk. A failed read or request shows in the snapshot and the log tail.
 */
public final class JobFolderMonitor implements MonitorSource, JobControls, AutoCloseable {
  private final JobFolder job;
  private final MonitorFeed feed = new MonitorFeed();
  private final ExecutorService io;
  private long offset;
  private long lastStep = -1;
  private long logSize = -1;
  private final Set<Path> seenSamples = new HashSet<>();
  private List<String> prompts;                      // the job's sample prompts, read once from job.toml
  private volatile boolean paused;

  public JobFolderMonitor(Path dir, long periodMs) {
    this.job = new JobFolder(dir);
    this.io = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "lathe-job-watch");
      t.setDaemon(true);
      return t;
    });
    feed.job(job.name(), 0, JobState.STARTING, dir);
    ((java.util.concurrent.ScheduledExecutorService) io).scheduleWithFixedDelay(this::poll, 0, periodMs, TimeUnit.MILLISECONDS);
  }

  @Override
  public MonitorSnapshot snapshot() {
    return feed.snapshot();
  }

  /** One read of the folder (the watcher thread; tests call it directly). */
  void poll() {
    try {
      JobStatus st = job.readStatus();
      paused = job.pending().contains(Control.PAUSE);
      MonitorSnapshot cur = feed.snapshot();
      if (cur.totalSteps() != st.totalSteps()) {
        feed.job(job.name(), st.totalSteps(), cur.state(), job.dir());    // total known only now: start over
        offset = 0;
        lastStep = -1;
        seenSamples.clear();
        logSize = -1;
      }
      JobState s = mapState(st.state());   // state first: a reader never sees new steps under an old state
      if (s != feed.snapshot().state() || !java.util.Objects.equals(st.message(), feed.snapshot().message())) {
        feed.state(s, st.message());
      }
      readMetrics(st);
      readSamples();
      readLog();
    } catch (IOException | RuntimeException e) {
      String m = e.getMessage() == null ? e.toString() : e.getMessage().split("\n")[0];
      if (!m.equals(feed.snapshot().message())) feed.state(feed.snapshot().state(), m);
    }
  }

  private void readMetrics(JobStatus st) throws IOException {
    Path f = job.metricsFile();
    if (Files.exists(f) && Files.size(f) < offset) {       // rewritten by a resume: read it again from the start
      feed.job(job.name(), st.totalSteps(), feed.snapshot().state(), job.dir());
      offset = 0;
      lastStep = -1;
      seenSamples.clear();
      logSize = -1;
    }
    JobFolder.MetricsChunk chunk = job.readMetrics(offset);
    offset = chunk.nextOffset();
    boolean gpu = st.device() != null && !st.device().equals("cpu");
    for (Metrics m : chunk.rows()) {
      if (m.step() < lastStep || m.loss() == null && m.lr() == null) continue;
      lastStep = m.step();
      feed.step(m.step(), m.loss() == null ? Double.NaN : m.loss(), m.lr() == null ? Double.NaN : m.lr(),
          m.itPerSec() == null ? 0 : m.itPerSec());
      if (m.vramUsed() != null) {
        feed.memory(new MonitorSnapshot.Memory(m.vramUsed(), m.vramPeak() == null ? -1 : m.vramPeak(),
            m.vramTotal() == null ? -1 : m.vramTotal(), gpu));
      }
    }
  }

  private void readSamples() throws IOException {
    for (JobFolder.Sample s : job.samples()) {
      if (seenSamples.add(s.file())) feed.sample(s.prompt(), promptText(s.prompt()), s.step(), s.file());
    }
  }

  /** The text of sample prompt {@code i} as the job's config gives it ("" when unknown). */
  private String promptText(int i) {
    if (prompts == null) {
      List<String> p = List.of();
      try {
        if (Files.exists(job.config())) {
          p = dev.lathe.config.Configs.load(job.config()).config().sample().prompts().stream()
              .map(dev.lathe.config.SamplePrompt::prompt).toList();
        }
      } catch (IOException | RuntimeException ignored) {
        // an unreadable job.toml only costs the captions
      }
      prompts = p;
    }
    return i >= 0 && i < prompts.size() ? prompts.get(i) : "";
  }

  private void readLog() throws IOException {
    Path f = job.logFile();
    long size = Files.exists(f) ? Files.size(f) : 0;
    if (size == logSize) return;
    logSize = size;
    List<String> tail = job.tailLog(MonitorFeed.LOG_LINES);
    feed.replaceLog(tail);
  }

  static JobState map(dev.lathe.jobs.JobState s) {
    switch (s) {
      case QUEUED: return JobState.QUEUED;
      case RUNNING: return JobState.RUNNING;
      case STOPPING: return JobState.STOPPING;
      case STOPPED: return JobState.STOPPED;
      case FINISHED: return JobState.FINISHED;
      case FAILED: return JobState.FAILED;
      default: return JobState.INTERRUPTED;
    }
  }

  private JobState mapState(dev.lathe.jobs.JobState s) {
    return s == dev.lathe.jobs.JobState.RUNNING && paused ? JobState.PAUSED : map(s);
  }

  private void ask(String what, IoAction a) {
    io.execute(() -> {
      try {
        a.run();
        poll();
      } catch (IOException e) {
        feed.log("console: " + what + " request failed: " + e.getMessage());
      }
    });
  }

  private interface IoAction {
    void run() throws IOException;
  }

  @Override
  public void stop() {
    ask("stop", () -> job.request(Control.STOP));
  }

  @Override
  public void pause() {
    ask("pause", () -> job.request(Control.PAUSE));
  }

  @Override
  public void resume() {
    ask("resume", () -> job.clear(Control.PAUSE));
  }

  @Override
  public void saveNow() {
    ask("save-now", () -> job.request(Control.SAVE_NOW));
  }

  @Override
  public void sampleNow() {
    ask("sample-now", () -> job.request(Control.SAMPLE_NOW));
  }

  /** Stops watching; a control request asked for just before still reaches the folder (within two seconds). */
  @Override
  public void close() {
    io.shutdown();                                     // periodic polls are cancelled, queued requests still run
    try {
      if (!io.awaitTermination(2, TimeUnit.SECONDS)) io.shutdownNow();
    } catch (InterruptedException e) {
      io.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}
