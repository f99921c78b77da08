package dev.lathe.tui;

import static org.assertj.core.api.Assertions.assertThat;

import com.googlecode.lanterna.TerminalSize;
import dev.lathe.term.GraphicsProtocol;
import dev.lathe.term.TermProfile;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What watching a run costs: the console's own loop ({@link Console#run()}, 4 Hz data refresh) on a real ANSI writer
 * that counts bytes, fed by a synthetic run at 10 steps/s with a sample picture every 50 steps. Reports CPU time per
 * wall second of the GUI thread and of the whole process, and bytes per second to the terminal, into
 * target/console-load.txt. Longer runs: -Dlathe.bench.seconds=30. Not a timing assertion beyond "it does not spin".
 */
class ConsoleLoadTest {
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

  record Figures(String mode, double seconds, double uiCpu, double imageCpu, double feedCpu, double processCpu, double bytesPerSec,
      long steps, long emits, double fps) {}

  static java.util.Map<String, Long> cpuByThread(ThreadMXBean mx) {
    java.util.Map<String, Long> m = new java.util.HashMap<>();
    for (long id : mx.getAllThreadIds()) {
      var info = mx.getThreadInfo(id);
      long t = mx.getThreadCpuTime(id);
      if (info != null && t > 0) m.merge(info.getThreadName(), t, Long::sum);
    }
    return m;
  }

  Figures measure(Path dir, GraphicsProtocol g, int cols, int rows) throws Exception {
    double seconds = Double.parseDouble(System.getProperty("lathe.bench.seconds", "2"));
    Counting out = new Counting();
    HeadlessAnsiTerminal term = new HeadlessAnsiTerminal(out, new TerminalSize(cols, rows));
    try (SyntheticFeed feed = new SyntheticFeed(dir.resolve(g.flag()), 1_000_000, 10)) {
      ThreadMXBean mx = ManagementFactory.getThreadMXBean();
      com.sun.management.OperatingSystemMXBean os =
          (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
      long[] uiCpu = new long[1];
      Console[] box = new Console[1];
      Thread ui = new Thread(() -> {
        try {
          box[0] = Console.builder().terminal(term).profile(TermProfile.virtual(cols, rows).withGraphics(g))
              .themes(Themes.load(null)).theme("nord").monitor(feed.source(), feed).build();
          box[0].run();
          uiCpu[0] = mx.getCurrentThreadCpuTime();
        } catch (IOException e) {
          throw new RuntimeException(e);
        }
      }, "console-under-test");
      ui.start();
      Thread.sleep(2500);                                   // JIT warm-up, first full paint, first sample
      long bytes0 = out.bytes.get(), p0 = os.getProcessCpuTime(), t0 = System.nanoTime();
      var th0 = cpuByThread(mx);
      long step0 = feed.source().snapshot().step();
      while (box[0] == null) Thread.sleep(10);
      long f0 = box[0].gui().frames();
      Thread.sleep((long) (seconds * 1000));
      var th1 = cpuByThread(mx);
      long bytes1 = out.bytes.get(), p1 = os.getProcessCpuTime(), t1 = System.nanoTime();
      long step1 = feed.source().snapshot().step();
      long f1 = box[0].gui().frames();
      box[0].exitWith(Console.Exit.QUIT);
      ui.join(5000);
      double wall = (t1 - t0) / 1e9;
      StringBuilder top = new StringBuilder();
      th1.entrySet().stream().sorted((x, y) -> Long.compare(y.getValue() - th0.getOrDefault(y.getKey(), 0L),
          x.getValue() - th0.getOrDefault(x.getKey(), 0L))).limit(6).forEach(e -> top.append(String.format(Locale.ROOT,
          " %s=%.3f", e.getKey(), (e.getValue() - th0.getOrDefault(e.getKey(), 0L)) / 1e9 / ((t1 - t0) / 1e9))));
      System.out.println(g + " busiest threads:" + top);
      java.util.function.ToDoubleFunction<String> d =
          n -> (th1.getOrDefault(n, 0L) - th0.getOrDefault(n, 0L)) / 1e9 / wall;
      return new Figures(g.flag() + " " + cols + "x" + rows, wall, d.applyAsDouble("console-under-test"),
          d.applyAsDouble("lathe-images"), d.applyAsDouble("lathe-synthetic"), (p1 - p0) / 1e9 / wall,
          (bytes1 - bytes0) / wall, step1 - step0, box[0].gui().emits(), (f1 - f0) / wall);
    }
  }

  @Test
  void watchingARun_costsLittle_andIsRecorded(@TempDir Path dir) throws Exception {
    StringBuilder report = new StringBuilder(String.format(Locale.ROOT,
        "# console load: %d cores, %s, Java %s%nload average at start %s%nmode\tseconds\tgui_cpu\timage_cpu\tfeed_cpu\tprocess_cpu\tbytes_per_s\tsteps\timage_sends\tframes_per_s%n",
        Runtime.getRuntime().availableProcessors(), cpuModel(), System.getProperty("java.version"), loadAverage()));
    for (Object[] m : new Object[][] {{GraphicsProtocol.HALFBLOCK, 120, 40}, {GraphicsProtocol.HALFBLOCK, 80, 24},
        {GraphicsProtocol.SIXEL, 200, 60}}) {
      Figures f = measure(dir, (GraphicsProtocol) m[0], (int) m[1], (int) m[2]);
      report.append(String.format(Locale.ROOT, "%s\t%.1f\t%.3f\t%.3f\t%.3f\t%.3f\t%.0f\t%d\t%d\t%.1f%n", f.mode(), f.seconds(),
          f.uiCpu(), f.imageCpu(), f.feedCpu(), f.processCpu(), f.bytesPerSec(), f.steps(), f.emits(), f.fps()));
      assertThat(f.steps()).isGreaterThan(5);
      assertThat(f.bytesPerSec()).isGreaterThan(0);
      assertThat(f.uiCpu()).as("the GUI loop must sleep, not spin").isLessThan(0.6);
    }
    Path file = Path.of("target", "console-load.txt");
    Files.createDirectories(file.getParent());
    Files.writeString(file, report.toString());
  }

  static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).trim();
    } catch (IOException e) {
      return "?";
    }
  }

  static String cpuModel() {
    try {
      for (String l : Files.readAllLines(Path.of("/proc/cpuinfo"))) if (l.startsWith("model name")) return l.substring(l.indexOf(':') + 1).trim();
    } catch (IOException ignored) {
      // not Linux
    }
    return System.getProperty("os.arch");
  }
}
