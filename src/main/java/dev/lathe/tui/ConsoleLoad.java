package dev.lathe.tui;

import com.googlecode.lanterna.TerminalSize;
import dev.lathe.io.AtomicFiles;
import dev.lathe.jobs.JobFolder;
import dev.lathe.jobs.JobStatus;
import dev.lathe.jobs.Metrics;
import dev.lathe.term.GraphicsProtocol;
import dev.lathe.term.Images;
import dev.lathe.term.TermProfile;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What watching a run costs ({@code lathe bench console}): the console's own loop ({@link Console#run()}) on the Monitor
 * screen, drawing into a real ANSI writer that counts bytes, while a stand-in run produces steps at a fixed pace with a
 * sample picture every 50 steps. Measures CPU time per wall second of the console's threads and of the whole process,
 * bytes per second to the terminal and frames per second.
 *
 * <p>Two feeds. {@link Feed#JOB} is the production path: a writer thread (the stand-in trainer, which in real use is
 * another process) appends to a job folder's metrics.jsonl, log and samples/, and the console follows the folder
 * through {@link JobFolderMonitor} at the workspace's 500 ms period, so the watcher's reads count. {@link Feed#SYNTHETIC}
 * hands the console snapshots in memory and so measures drawing alone.
 */
public final class ConsoleLoad {
  private ConsoleLoad() {}

  public enum Feed {
    JOB, SYNTHETIC;

    public String flag() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** One measured configuration. */
  public record Case(GraphicsProtocol graphics, int cols, int rows, Feed feed) {
    public String label() {
      return graphics.flag() + " " + cols + "x" + rows + " " + feed.flag();
    }
  }

  /**
   * @param consoleCpu CPU seconds per wall second of the console's threads: GUI loop, image encoder, folder watcher
   * @param guiCpu     of the GUI thread alone
   * @param imageCpu   of the image encoder thread
   * @param watchCpu   of the job-folder watcher thread (0 with the synthetic feed)
   * @param feedCpu    of the stand-in run (not the console's cost)
   * @param processCpu of the whole JVM (GC and JIT included)
   */
  public record Figures(Case of, double seconds, double consoleCpu, double guiCpu, double imageCpu, double watchCpu, double feedCpu,
      double processCpu, double bytesPerSecond, long steps, long imageSends, double framesPerSecond) {
    public Map<String, Object> toMap() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("graphics", of.graphics().flag());
      m.put("cols", of.cols());
      m.put("rows", of.rows());
      m.put("feed", of.feed().flag());
      m.put("seconds", seconds);
      m.put("console_cpu", consoleCpu);
      m.put("gui_cpu", guiCpu);
      m.put("image_cpu", imageCpu);
      m.put("watch_cpu", watchCpu);
      m.put("feed_cpu", feedCpu);
      m.put("process_cpu", processCpu);
      m.put("bytes_per_s", bytesPerSecond);
      m.put("steps", steps);
      m.put("image_sends", imageSends);
      m.put("frames_per_s", framesPerSecond);
      return m;
    }
  }

  private static final String GUI_THREAD = "lathe-console-bench";
  private static final String WRITER_THREAD = "lathe-bench-writer";

  /**
   * Runs the console on one case for {@code warmupSeconds} (JIT, first full paint, first sample) and then measures
   * {@code seconds}.
   *
   * @param dir            scratch folder (the job folder or the sample pictures go under it)
   * @param stepsPerSecond the stand-in run's pace
   */
  public static Figures measure(Path dir, Case c, double seconds, double warmupSeconds, double stepsPerSecond)
      throws IOException, InterruptedException {
    Counting out = new Counting();
    HeadlessAnsiTerminal term = new HeadlessAnsiTerminal(out, new TerminalSize(c.cols(), c.rows()));
    Path where = dir.resolve(c.graphics().flag() + "-" + c.cols() + "x" + c.rows() + "-" + c.feed().flag());
    try (Stream feed = c.feed() == Feed.JOB ? new JobFolderStream(where, stepsPerSecond) : new SyntheticStream(where, stepsPerSecond)) {
      ThreadMXBean mx = ManagementFactory.getThreadMXBean();
      Console[] box = new Console[1];
      Throwable[] failure = new Throwable[1];
      Thread ui = new Thread(() -> {
        try {
          box[0] = Console.builder().terminal(term).profile(TermProfile.virtual(c.cols(), c.rows()).withGraphics(c.graphics()))
              .themes(Themes.load(null)).theme("nord").monitor(feed.source(), feed.controls()).build();
          box[0].run();
        } catch (IOException | RuntimeException e) {
          failure[0] = e;
        }
      }, GUI_THREAD);
      ui.setDaemon(true);
      ui.start();
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (box[0] == null && failure[0] == null && System.nanoTime() < deadline) Thread.sleep(10);
      if (box[0] == null) throw new IOException("the console did not start: " + (failure[0] == null ? "timeout" : failure[0].getMessage()));
      Thread.sleep((long) (warmupSeconds * 1000));

      com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
      Map<String, Long> th0 = cpuByThread(mx);
      long bytes0 = out.bytes.get(), p0 = os.getProcessCpuTime(), t0 = System.nanoTime();
      long step0 = feed.source().snapshot().step(), f0 = box[0].gui().frames(), e0 = box[0].gui().emits();
      Thread.sleep((long) (seconds * 1000));
      Map<String, Long> th1 = cpuByThread(mx);
      long bytes1 = out.bytes.get(), p1 = os.getProcessCpuTime(), t1 = System.nanoTime();
      long step1 = feed.source().snapshot().step(), f1 = box[0].gui().frames(), e1 = box[0].gui().emits();
      box[0].exitWith(Console.Exit.QUIT);
      ui.join(5000);
      if (failure[0] != null) throw new IOException("the console failed: " + failure[0].getMessage());

      double wall = (t1 - t0) / 1e9;
      java.util.function.ToDoubleFunction<String> cpu = n -> (th1.getOrDefault(n, 0L) - th0.getOrDefault(n, 0L)) / 1e9 / wall;
      double gui = cpu.applyAsDouble(GUI_THREAD), image = cpu.applyAsDouble("lathe-images"), watch = cpu.applyAsDouble("lathe-job-watch");
      return new Figures(c, wall, gui + image + watch, gui, image, watch, cpu.applyAsDouble(feed.threadName()), (p1 - p0) / 1e9 / wall,
          (bytes1 - bytes0) / wall, step1 - step0, e1 - e0, (f1 - f0) / wall);
    }
  }

  /** CPU nanoseconds by thread name (names shared by several threads add up). */
  static Map<String, Long> cpuByThread(ThreadMXBean mx) {
    Map<String, Long> m = new HashMap<>();
    for (long id : mx.getAllThreadIds()) {
      var info = mx.getThreadInfo(id);
      long t = mx.getThreadCpuTime(id);
      if (info != null && t > 0) m.merge(info.getThreadName(), t, Long::sum);
    }
    return m;
  }

  /** The terminal: counts what the console writes and throws it away. */
  static final class Counting extends OutputStream {
    final AtomicLong bytes = new AtomicLong();

    @Override
    public void write(int b) {
      bytes.incrementAndGet();
    }

    @Override
    public void write(byte[] b, int off, int len) {
      bytes.addAndGet(len);
    }
  }

  /** A stand-in run as the console sees it. */
  private interface Stream extends AutoCloseable {
    MonitorSource source();

    JobControls controls();

    String threadName();

    @Override
    void close();
  }

  private static final class SyntheticStream implements Stream {
    private final SyntheticFeed feed;

    SyntheticStream(Path dir, double stepsPerSecond) {
      feed = new SyntheticFeed(dir.resolve("samples"), 1_000_000_000L, stepsPerSecond);
    }

    @Override
    public MonitorSource source() {
      return feed.source();
    }

    @Override
    public JobControls controls() {
      return feed;
    }

    @Override
    public String threadName() {
      return "lathe-synthetic";
    }

    @Override
    public void close() {
      feed.close();
    }
  }

  /**
   * A job folder written the way the runner writes it (state.json, one metrics line per step, a log line every 10
   * steps, two sample PNGs every 50), followed by a {@link JobFolderMonitor}.
   */
  private static final class JobFolderStream implements Stream {
    private static final long TOTAL = 1_000_000_000L;
    private final JobFolder job;
    private final Thread writer;
    private final JobFolderMonitor monitor;
    private volatile boolean closed;
    private volatile String failure;

    JobFolderStream(Path dir, double stepsPerSecond) throws IOException {
      job = new JobFolder(dir);
      Files.createDirectories(job.samplesDir());
      Files.writeString(job.config(), "extends = \"zimage_turbo\"\n[[sample.prompts]]\nprompt = \"a red fox in fresh snow\"\n"
          + "[[sample.prompts]]\nprompt = \"a lighthouse on a cliff at dusk\"\n");
      job.writeStatus(JobStatus.queued(TOTAL, "cpu", 0).with(dev.lathe.jobs.JobState.RUNNING, null));
      writer = new Thread(() -> write(stepsPerSecond), WRITER_THREAD);
      writer.setDaemon(true);
      writer.start();
      monitor = new JobFolderMonitor(dir, 500);          // the workspace's period (Workspace.follow)
    }

    private void write(double stepsPerSecond) {
      long sleepNanos = (long) (1e9 / stepsPerSecond), next = System.nanoTime();
      java.util.Random rnd = new java.util.Random(42);
      try {
        for (long step = 1; !closed; step++) {
          next += sleepNanos;
          long wait = next - System.nanoTime();
          if (wait > 0) Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
          double loss = 0.45 * Math.exp(-step / 300.0) + 0.08 + 0.03 * rnd.nextGaussian() * Math.exp(-step / 2000.0);
          long rss = 2_100_000_000L + step * 10_000L;
          job.append(Metrics.step(step, Math.max(0.001, loss), 1e-4, 0.5, stepsPerSecond, rss, rss + 150_000_000L, 64_000_000_000L));
          if (step % 10 == 0) job.log(String.format(Locale.ROOT, "INFO step %d loss %.4f", step, loss));
          if (step % 50 == 0 || step == 1) {
            for (int p = 0; p < 2; p++) AtomicFiles.write(job.samplePath(step, p), Images.png(SyntheticFeed.picture(step, p)));
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (IOException e) {
        failure = e.getMessage();
      }
    }

    @Override
    public MonitorSource source() {
      if (failure != null) throw new IllegalStateException("the stand-in run could not write " + job.dir() + ": " + failure);
      return monitor;
    }

    @Override
    public JobControls controls() {
      return monitor;
    }

    @Override
    public String threadName() {
      return WRITER_THREAD;
    }

    @Override
    public void close() {
      closed = true;
      writer.interrupt();
      try {
        writer.join(2000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      monitor.close();
    }
  }
}
