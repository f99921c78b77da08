package dev.lathe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The console's commands without a terminal (as under Maven): clear one-line answers, no stack traces. */
class ConsoleCommandTest {
  @Test
  void console_withoutATerminal_saysSo_usageExit() {
    CliTest.Result r = CliTest.run("console");
    assertThat(r.code()).isEqualTo(ExitCode.USAGE);
    assertThat(r.err().strip()).startsWith("lathe: the console needs an interactive terminal").doesNotContain("\n")
        .contains("lathe train");
  }

  @Test
  void console_badGraphicsValue_namesTheChoices() {
    CliTest.Result r = CliTest.run("console", "--graphics", "hologram");
    assertThat(r.code()).isEqualTo(ExitCode.USAGE);
    assertThat(r.err()).contains("graphics 'hologram' is not one of auto, sixel, kitty, iterm2, blocks, ascii, none");
  }

  @Test
  void probe_withoutATerminal_reportsTheEnvironmentDecision() {
    CliTest.Result r = CliTest.run("probe", "--color", "16", "--graphics", "ascii");
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("colours    16").contains("graphics   ascii").contains("console    not available")
        .contains("stdin/stdout is not a terminal: no probe");
  }

  @Test
  void console_jobThatIsNoJobFolder_isADataError(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
    CliTest.Result r = CliTest.run("console", "--job", dir.toString());
    assertThat(r.code()).isEqualTo(ExitCode.DATA);
    assertThat(r.err()).contains("not a job folder (no state.json)");
    assertThat(CliTest.run("console", "--job", dir.toString(), "--synthetic").code()).isEqualTo(ExitCode.USAGE);
  }

  @Test
  void queueRun_oneRunnerPerDevice_andItGivesTheLockBackWhenTheQueueIsEmpty(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    dev.lathe.jobs.JobStore store = new dev.lathe.jobs.JobStore(dir);
    try (dev.lathe.jobs.JobLock held = store.tryRunnerLock("cpu").orElseThrow()) {
      CliTest.Result r = CliTest.run("queue", "run", "--device", "cpu", "-o", dir.toString());
      assertThat(r.code()).isZero();
      assertThat(r.out()).contains("a runner for cpu is already working through " + store.root());
    }
    CliTest.Result r = CliTest.run("queue", "run", "--device", "cpu", "-o", dir.toString());
    assertThat(r.code()).as(r.err()).isZero();                       // nothing queued: it ends at once
    assertThat(store.runnerAlive("cpu")).isFalse();
  }
}
