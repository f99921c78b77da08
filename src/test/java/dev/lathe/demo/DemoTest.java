package dev.lathe.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lathe.cli.Main;
import dev.lathe.jobs.JobFolder;
import dev.lathe.jobs.JobState;
import dev.lathe.run.JobRunnerTest;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `lathe demo` from nothing to a LoRA, on the CPU, and the LoRA measurably learned the demo's pictures. */
class DemoTest {
  @TempDir Path dir;

  @Test
  void demo_buildsTrainsAndLearns() throws Exception {
    Path home = dir.resolve("home");
    Path out = dir.resolve("output");
    StringWriter said = new StringWriter();
    // fewer steps than the defaults (400 / 150) keep CI fast and still learn by a clear margin: see docs/JOBS.md
    int code = Main.run(new String[] {"demo", "--home", home.toString(), "--steps", "120", "--vae-steps", "60", "-o", out.toString()},
        new PrintWriter(said, true), new PrintWriter(said, true));
    assertThat(code).as(said.toString()).isZero();
    JobFolder job = new JobFolder(out.resolve("demo"));
    assertThat(job.readStatus().state()).isEqualTo(JobState.FINISHED);
    assertThat(Files.exists(job.finalAdapter())).isTrue();
    assertThat(job.samples()).isNotEmpty();
    assertThat(said.toString()).contains("demo: done. The LoRA is " + job.finalAdapter());

    // the independent signal: flow-matching loss on unseen demo pictures with fixed noise, base vs LoRA
    double base = JobRunnerTest.heldOutLoss(home.resolve("model"), null, Demo.TRIGGER);
    double trained = JobRunnerTest.heldOutLoss(home.resolve("model"), job.finalAdapter(), Demo.TRIGGER);
    System.out.printf("demo held-out loss: base %.4f, with the LoRA %.4f%n", base, trained);
    assertThat(trained).isLessThan(base * 0.8);

    // a second run reuses the assets and takes the next free name
    code = Main.run(new String[] {"demo", "--home", home.toString(), "--steps", "2", "-o", out.toString()},
        new PrintWriter(said, true), new PrintWriter(said, true));
    assertThat(code).isZero();
    assertThat(new JobFolder(out.resolve("demo-2")).readStatus().state()).isEqualTo(JobState.FINISHED);
  }
}
