package dev.lathe.tui;

import static org.assertj.core.api.Assertions.assertThat;

import com.googlecode.lanterna.TerminalSize;
import com.googlecode.lanterna.input.KeyStroke;
import com.googlecode.lanterna.input.KeyType;
import com.googlecode.lanterna.terminal.virtual.DefaultVirtualTerminal;
import dev.lathe.demo.DemoData;
import dev.lathe.jobs.JobFolder;
import dev.lathe.jobs.JobState;
import dev.lathe.jobs.JobStore;
import dev.lathe.jobs.RunnerLauncher;
import dev.lathe.models.zimage.ZImage;
import dev.lathe.run.JobRunner;
import dev.lathe.term.TermProfile;
import dev.lathe.torch.Runtime;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Launching from the console, headless: New job → the demo entry (here a tiny job: the demo-size Z-Image with random
 * weights and eight 64 px pictures) → Enter → the job is queued, the runner takes it (a thread here instead of the
 * detached process, through the same {@link RunnerLauncher} door) → the Monitor's step counter and loss chart move →
 * x, y stops it → o shows its checkpoint. The console itself never trains: the runner thread does.
 */
class LaunchTest {
  /** Works through a device's queue on a thread, as {@code lathe queue run} does in its own process. */
  static final class ThreadRunner implements RunnerLauncher {
    final List<String> devices = new CopyOnWriteArrayList<>();
    volatile Thread thread;

    @Override
    public synchronized String ensure(JobStore store, String device) {
      devices.add(device);
      if (thread != null && thread.isAlive()) return "the test runner will take it";
      thread = new Thread(() -> {
        try {
          while (true) {
            Optional<JobStore.Claim> c = store.claimNext(device);
            if (c.isEmpty()) return;
            try (JobStore.Claim claim = c.get()) {
              new JobRunner(claim.job(), List.of(), Runtime::cpu).run();
            }
          }
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }, "test-runner");
      thread.setDaemon(true);
      thread.start();
      return "a test runner started";
    }
  }

  @TempDir Path root;
  final ThreadRunner runners = new ThreadRunner();
  Workspace ws;
  DefaultVirtualTerminal vt;

  @AfterEach
  void tearDown() throws Exception {
    if (ws != null) ws.close();
    if (runners.thread != null) {
      for (JobFolder j : new JobStore(root.resolve("output")).list()) if (j.readStatus().state().active()) j.request(dev.lathe.jobs.Control.STOP);
      runners.thread.join(60_000);
    }
  }

  /** The tiny stand-in for the demo: model, pictures and a job file of {@code steps} steps (saving every 5). */
  Path tinyDemo(Path output, int steps) throws IOException {
    Path model = root.resolve("model"), data = root.resolve("dataset");
    if (!Files.exists(model.resolve("model_index.json"))) new ZImage().writeRandom("demo", 1, model);
    if (!Files.exists(data)) DemoData.write(data, DemoData.generate(8, 64, 3));
    Path job = root.resolve("demo.toml");
    Files.writeString(job, """
        # the tiny demo of LaunchTest
        extends = "zimage_deturbo"
        output = "%s"

        [job]
        name = "demo"
        trigger_word = "lathedemo"

        [model]
        name_or_path = "%s"

        [target]
        linear_rank = 4

        [save]
        dtype = "fp32"
        every = 5
        keep_last = 2

        [training]
        batch_size = 2
        steps = %d
        optimizer = "adamw"
        learning_rate = 3e-3
        timestep_type = "sigmoid"
        gradient_checkpointing = false
        dtype = "fp32"
        seed = 5

        [[datasets]]
        folder = "%s"
        resolutions = [64]
        caption_dropout_rate = 0.0
        cache_latents = false

        [sample]
        every = 5
        disable_sampling = true
        """.formatted(output, model, steps, data));
    return job;
  }

  Console console() throws IOException {
    Runtime.load();
    ws = new Workspace(root.resolve("output"), runners, c -> "cpu", (out, say) -> {
      say.accept("writing the tiny demo");
      return tinyDemo(out, 400);
    }, null).jobFiles(root);
    ws.refresh();
    vt = new DefaultVirtualTerminal(new TerminalSize(80, 24));
    Console c = Console.builder().terminal(vt).profile(TermProfile.virtual(80, 24)).themes(Themes.load(null))
        .workspace(ws).workers(Runnable::run).imageExecutor(Runnable::run).start(Action.SCREEN_DASHBOARD).build();
    c.tick();
    return c;
  }

  void keys(Console c, Object... keys) throws IOException {
    Headless.type(c, vt, keys);
  }

  String text() {
    return Headless.of(vt).text();
  }

  void until(Console c, BooleanSupplier cond, String what) throws Exception {
    long deadline = System.nanoTime() + 240_000_000_000L;
    while (!cond.getAsBoolean()) {
      if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what + ":\n" + text());
      Thread.sleep(100);
      c.tick();
    }
  }

  static final Pattern STEP = Pattern.compile("RUNNING step (\\d+)/400");

  long step() {
    Matcher m = STEP.matcher(text());
    return m.find() ? Long.parseLong(m.group(1)) : -1;
  }

  @Test
  void demoEntry_launches_monitorStepAndLossChartMove_thenStopAndFindTheLora() throws Exception {
    Console c = console();
    keys(c, '4');
    assertThat(text()).contains("Demo: tiny model");
    keys(c, KeyType.Enter);                                         // prepare (inline here) and launch
    keys(c);
    assertThat(c.currentScreen().title()).isEqualTo("Monitor");
    assertThat(runners.devices).containsExactly("cpu");
    JobFolder job = new JobFolder(root.resolve("output/demo"));
    assertThat(job.exists()).isTrue();
    assertThat(Files.readString(job.config())).containsPattern("name +=  *\"demo\"")
        .containsPattern("output +=  *\"" + Pattern.quote(root.resolve("output").toString()) + "\"");

    until(c, () -> step() >= 2, "the first steps");
    long s1 = step();
    String chart1 = ConsoleTest.brailleOf(text());
    assertThat(chart1).isNotEmpty();
    until(c, () -> step() >= s1 + 4, "more steps");
    assertThat(ConsoleTest.brailleOf(text())).isNotEqualTo(chart1);
    assertThat(text()).containsPattern("Loss [0-9.]+ · EMA [0-9.]+").contains("LR ");
    assertThat(Thread.currentThread().getName()).isNotEqualTo("test-runner");

    keys(c, 'x');
    assertThat(text()).contains("Stop demo?");
    keys(c, 'y');
    until(c, () -> text().contains("STOPPED"), "the job to stop");
    assertThat(job.readStatus().state()).isEqualTo(JobState.STOPPED);
    Path ck = job.checkpoints().newest().map(e -> job.checkpointsDir().resolve(e.adapter())).orElseThrow();
    assertThat(ck).exists();
    keys(c, 'o');
    keys(c);
    assertThat(text()).contains("Files · demo").contains(ck.getFileName().toString());
    assertThat(String.join("\n", ((TextOverlay) c.overlay()).lines())).contains(ck.toString());
  }
}
