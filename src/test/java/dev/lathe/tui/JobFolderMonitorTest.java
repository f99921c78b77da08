package dev.lathe.tui;

import static org.assertj.core.api.Assertions.assertThat;

import com.googlecode.lanterna.TerminalSize;
import com.googlecode.lanterna.terminal.virtual.DefaultVirtualTerminal;
import dev.lathe.jobs.JobFolder;
import dev.lathe.jobs.JobStatus;
import dev.lathe.jobs.Metrics;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.BooleanSupplier;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Monitor attached to a job folder written the way a runner writes it (another process, as far as it knows). */
class JobFolderMonitorTest {
  static void await(BooleanSupplier cond) throws InterruptedException {
    long end = System.nanoTime() + 10_000_000_000L;
    while (!cond.getAsBoolean()) {
      if (System.nanoTime() > end) throw new AssertionError("condition not met within 10 s");
      Thread.sleep(20);
    }
  }

  @Test
  void attaches_readsMetricsLogSamples_andDropsControlFiles(@TempDir Path root) throws Exception {
    JobFolder job = new JobFolder(root.resolve("portrait"));
    Files.createDirectories(job.dir());
    job.writeStatus(JobStatus.queued(100, "cuda:0", 0).with(dev.lathe.jobs.JobState.RUNNING, null));
    for (int s = 1; s <= 20; s++) job.append(Metrics.step(s, 1.0 / s, 1e-4, 0.5, 2.0, 10_000_000_000L, 12_000_000_000L, 80_000_000_000L));
    job.log("INFO started");
    Files.writeString(job.config(), "extends = \"zimage_turbo\"\n[[sample.prompts]]\nprompt = \"a fox in the snow\"\n");
    BufferedImage img = new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB);
    Files.createDirectories(job.samplesDir());
    ImageIO.write(img, "png", job.samplePath(10, 0).toFile());

    try (JobFolderMonitor m = new JobFolderMonitor(job.dir(), 30)) {
      await(() -> m.snapshot().step() == 20 && !m.snapshot().samples().isEmpty() && !m.snapshot().log().isEmpty());
      MonitorSnapshot s = m.snapshot();
      assertThat(s.jobName()).isEqualTo("portrait");
      assertThat(s.state()).isEqualTo(JobState.RUNNING);
      assertThat(s.totalSteps()).isEqualTo(100);
      assertThat(s.loss().size()).isEqualTo(20);
      assertThat(s.etaSeconds()).isEqualTo(40);                       // 80 steps at 2 it/s
      assertThat(s.memory()).isEqualTo(new MonitorSnapshot.Memory(10_000_000_000L, 12_000_000_000L, 80_000_000_000L, true));
      assertThat(s.samples().get(0).byStep().get(0).png()).isEqualTo(job.samplePath(10, 0));
      assertThat(s.samples().get(0).prompt()).isEqualTo("a fox in the snow");          // the text from job.toml
      assertThat(s.log().get(0)).endsWith("INFO started");

      for (int st = 21; st <= 30; st++) job.append(Metrics.step(st, 0.03, 1e-4, 0.5, 2.0, 1, 1, 2));
      await(() -> m.snapshot().step() == 30);                          // new lines only: the series grows by 10
      assertThat(m.snapshot().loss().size()).isEqualTo(30);

      m.pause();
      await(() -> Files.exists(job.controlDir().resolve("pause")) && m.snapshot().state() == JobState.PAUSED);
      m.resume();
      await(() -> !Files.exists(job.controlDir().resolve("pause")) && m.snapshot().state() == JobState.RUNNING);
      m.sampleNow();
      m.saveNow();
      m.stop();
      await(() -> Files.exists(job.controlDir().resolve("stop")) && Files.exists(job.controlDir().resolve("save-now"))
          && Files.exists(job.controlDir().resolve("sample-now")));

      job.transition(dev.lathe.jobs.JobState.STOPPING, "stop requested");   // what the runner writes when it sees the request
      job.transition(dev.lathe.jobs.JobState.STOPPED, "stopped at step 30");
      await(() -> m.snapshot().state() == JobState.STOPPED);
      assertThat(m.snapshot().message()).isEqualTo("stopped at step 30");

      DefaultVirtualTerminal vt = new DefaultVirtualTerminal(new TerminalSize(100, 30));
      Console c = Console.builder().terminal(vt).themes(Themes.load(null)).monitor(m, m).imageExecutor(Runnable::run).build();
      c.tick();
      assertThat(Headless.of(vt).text()).contains("portrait").contains("STOPPED").contains("step 30/100");
    }
  }

  @Test
  void missingFolder_saysSoInTheSnapshot(@TempDir Path root) throws Exception {
    try (JobFolderMonitor m = new JobFolderMonitor(root.resolve("nothing"), 30)) {
      await(() -> m.snapshot().message() != null);
      assertThat(m.snapshot().message()).contains("state.json: no such file");
    }
  }
}
