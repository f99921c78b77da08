package dev.lathe.tui;

import static org.assertj.core.api.Assertions.assertThat;

import com.googlecode.lanterna.TerminalSize;
import com.googlecode.lanterna.input.KeyStroke;
import com.googlecode.lanterna.terminal.virtual.DefaultVirtualTerminal;
import dev.lathe.term.TermProfile;
import dev.lathe.torch.Gpus;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * The NVML line without a GPU: fake {@link Gpus.GpuStatus} readings go through a {@link GpuWatcher}'s own thread into
 * the console, which shows utilisation, temperature, power and device memory on the Monitor, the Dashboard and in the
 * header, follows a new reading, and says so when the source fails.
 */
class GpuLineTest {
  static final Gpus.GpuStatus BUSY = new Gpus.GpuStatus(0, "NVIDIA GeForce RTX 4090", 24_000_000_000L, 10_200_000_000L, 87, 71, 245.4);
  static final Gpus.GpuStatus IDLE = new Gpus.GpuStatus(0, "NVIDIA GeForce RTX 4090", 24_000_000_000L, 1_500_000_000L, 12, 44, 61.0);

  final MonitorFeed feed = new MonitorFeed();
  final AtomicReference<List<Gpus.GpuStatus>> reading = new AtomicReference<>(List.of(BUSY));
  DefaultVirtualTerminal vt;

  Console console(int cols, int rows, GpuWatcher gpus) throws IOException {
    vt = new DefaultVirtualTerminal(new TerminalSize(cols, rows));
    Console c = Console.builder().terminal(vt).profile(TermProfile.virtual(cols, rows)).themes(Themes.load(null))
        .monitor(feed, new ConsoleTest.RecordingControls()).gpus(gpus).imageExecutor(Runnable::run).build();
    feed.job("demo", 100, JobState.RUNNING, Path.of("/tmp/out/demo"));
    feed.step(1, 0.5, 1e-4, 2.0);
    c.tick();
    return c;
  }

  static void await(BooleanSupplier cond, String what) throws InterruptedException {
    long end = System.nanoTime() + 10_000_000_000L;
    while (!cond.getAsBoolean()) {
      if (System.nanoTime() > end) throw new AssertionError("timed out waiting for " + what);
      Thread.sleep(5);
    }
  }

  String text() {
    return Headless.of(vt).text();
  }

  @Test
  void fakeNvmlReadings_reachTheMonitorDashboardAndHeader_andFollowChanges() throws Exception {
    try (GpuWatcher w = new GpuWatcher(reading::get, 5)) {
      await(() -> w.get().equals(List.of(BUSY)), "the first poll");
      Console c = console(160, 48, w);
      assertThat(feed.snapshot().gpus()).isEmpty();                       // the figures come from the watcher alone
      String mon = text();
      assertThat(c.currentScreen().title()).isEqualTo("Monitor");
      assertThat(mon).contains("Memory · GPU");
      assertThat(mon).containsPattern("GPU0 .*87%");                       // the utilisation gauge
      assertThat(mon).contains("NVIDIA GeForce RTX 4090 71°C 245W · 10.2/24.0 GB");
      assertThat(mon.lines().findFirst().orElseThrow()).endsWith("GPU0 RTX 4090 87% 71°C");   // the header
      assertThat(mon).doesNotContain("NVML not available");

      vt.addInput(new KeyStroke('1', false, false));
      c.tick();
      c.tick();
      assertThat(c.currentScreen().title()).isEqualTo("Dashboard");
      assertThat(text()).containsPattern("GPU0 .*87%").contains("NVIDIA GeForce RTX 4090 71°C 245W · 10.2/24.0 GB");

      reading.set(List.of(IDLE));                                          // a new reading on the watcher's thread
      await(() -> w.get().equals(List.of(IDLE)), "the next poll");
      c.tick();
      assertThat(text()).containsPattern("GPU0 .*12%").contains("NVIDIA GeForce RTX 4090 44°C 61W · 1.5/24.0 GB")
          .doesNotContain("87%");
    }
  }

  @Test
  void at80x24_theMonitorsGpuRowHasUtilisationTemperatureAndPower() throws Exception {
    try (GpuWatcher w = new GpuWatcher(reading::get, 5)) {
      await(() -> !w.get().isEmpty(), "the first poll");
      console(80, 24, w);
      assertThat(text()).containsPattern("GPU0 .*87% 71°C 245W");
    }
  }

  @Test
  void aFailingSource_leavesNoGpu_andTheConsoleSaysSo() throws Exception {
    reading.set(null);                                                      // List.copyOf(null) throws: as if NVML were absent
    try (GpuWatcher w = new GpuWatcher(reading::get, 5)) {
      Thread.sleep(50);
      assertThat(w.get()).isEmpty();
      console(160, 48, w);
      assertThat(text()).contains("no GPU status (NVML not available)");
      assertThat(text().lines().findFirst().orElseThrow()).endsWith("CPU");
    }
  }
}
