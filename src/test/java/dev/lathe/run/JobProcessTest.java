package dev.lathe.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lathe.cli.Main;
import dev.lathe.config.ConfigDocument;
import dev.lathe.jobs.JobFolder;
import dev.lathe.jobs.JobState;
import dev.lathe.jobs.JobStatus;
import dev.lathe.jobs.JobStore;
import dev.lathe.jobs.Metrics;
import dev.lathe.torch.Runtime;
import dev.lathe.torch.SafeTensorsFile;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Headless runs in their own JVMs, killed and signalled as an SSH drop, a crash or Ctrl-C would: the job is never
 * left running, a resume continues to the same bytes, and no file is ever half-written.
 */
class JobProcessTest {
  @TempDir static Path root;
  static TinyJob tiny;

  @BeforeAll
  static void setUp() throws IOException {
    Runtime.load();
    tiny = TinyJob.create(root);
  }

  static Path job(String name, int steps, int saveEvery) throws Exception {
    Path f = tiny.jobFile(name, steps, "");
    ConfigDocument d = ConfigDocument.load(f);
    d.set("save.every", saveEvery);
    d.save();
    return f;
  }

  static Process lathe(String... args) throws IOException {
    return lathe(root.resolve("child-" + System.nanoTime() + ".log"), args);
  }

  /** A child JVM running {@code lathe args}, its stdout and stderr going to {@code log}. */
  static Process lathe(Path log, String... args) throws IOException {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> cmd = new ArrayList<>(List.of(java, "-Xmx512m", "-cp", System.getProperty("java.class.path"), Main.class.getName()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("OMP_WAIT_POLICY", "PASSIVE");
    return pb.start();
  }

  static int inProcess(String... args) {
    return Main.run(args, new PrintWriter(new StringWriter(), true), new PrintWriter(new StringWriter(), true));
  }

  static long lastStep(JobFolder j) throws IOException {
    long s = 0;
    for (Metrics m : j.readMetrics(0).rows()) if (m.loss() != null) s = Math.max(s, m.step());
    return s;
  }

  static void await(BooleanSupplier cond, Process p, String what) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
    while (!cond.getAsBoolean()) {
      if (!p.isAlive()) throw new AssertionError("child exited (" + p.exitValue() + ") before " + what);
      if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what);
      Thread.sleep(50);
    }
  }

  static BooleanSupplier stepAtLeast(JobFolder j, long n) {
    return () -> {
      try {
        return j.exists() && lastStep(j) >= n;
      } catch (IOException e) {
        return false;
      }
    };
  }

  @Test
  void killMinus9_midRun_isFoundInterrupted_andResumesToTheSameAdapterBytes() throws Exception {
    JobFolder ref = new JobFolder(tiny.output().resolve("ref"));
    assertThat(inProcess("train", job("ref", 24, 6).toString())).isZero();

    Path f = job("victim", 24, 6);
    JobFolder victim = new JobFolder(tiny.output().resolve("victim"));
    Process p = lathe("train", f.toString());
    await(stepAtLeast(victim, 14), p, "step 14");
    p.destroyForcibly();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(victim.readStatus().state()).isEqualTo(JobState.RUNNING);   // what the dead process left behind

    // a user comes back and types `lathe status victim`: a fresh process finds the owner gone and says so
    Path statusLog = root.resolve("status-after-kill.log");
    Process status = lathe(statusLog, "status", "-o", tiny.output().toString(), "victim");
    assertThat(status.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(status.exitValue()).isZero();
    assertThat(Files.readString(statusLog)).containsPattern("victim +interrupted +\\d+/24 .*process " + p.pid() + " .*is gone; resumable from step 12");
    JobStatus s = victim.readStatus();
    assertThat(s.state()).isEqualTo(JobState.INTERRUPTED);
    assertThat(s.checkpointStep()).isEqualTo(12);
    assertThat(inProcess("resume", "-o", tiny.output().toString(), "victim")).isZero();
    assertThat(victim.readStatus().state()).isEqualTo(JobState.FINISHED);
    assertThat(victim.readStatus().states()).containsExactly(JobState.QUEUED, JobState.RUNNING, JobState.INTERRUPTED,
        JobState.QUEUED, JobState.RUNNING, JobState.FINISHED);

    Map<String, byte[]> a = JobRunnerTest.tensorBytes(ref.finalAdapter());
    Map<String, byte[]> b = JobRunnerTest.tensorBytes(victim.finalAdapter());
    assertThat(b.keySet()).isEqualTo(a.keySet());
    for (String k : a.keySet()) assertThat(b.get(k)).as(k).isEqualTo(a.get(k));
  }

  @ParameterizedTest
  @ValueSource(strings = {"INT", "TERM", "HUP"})
  void signal_writesACheckpoint_marksInterrupted_exits6(String sig) throws Exception {
    // under nohup the JVM inherits SIGHUP as ignored and rightly keeps it so: nothing to test then
    org.junit.jupiter.api.Assumptions.assumeFalse(sig.equals("HUP") && hangupIgnored(), "SIGHUP is ignored (nohup?)");
    String name = "sig-" + sig.toLowerCase();
    Path f = job(name, 500, 1000);
    JobFolder j = new JobFolder(tiny.output().resolve(name));
    Process p = lathe("train", f.toString());
    await(stepAtLeast(j, 3), p, "step 3");
    new ProcessBuilder("kill", "-" + sig, Long.toString(p.pid())).start().waitFor();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("exits after the signal").isTrue();
    assertThat(p.exitValue()).isEqualTo(6);
    JobStatus s = j.readStatus();
    assertThat(s.state()).isEqualTo(JobState.INTERRUPTED);
    assertThat(s.states()).containsExactly(JobState.QUEUED, JobState.RUNNING, JobState.STOPPING, JobState.INTERRUPTED);
    assertThat(s.message()).contains("SIG" + sig);
    long cp = j.checkpoints().newest().orElseThrow().step();
    assertThat(cp).isEqualTo(s.step()).isGreaterThanOrEqualTo(3);
    try (SafeTensorsFile st = SafeTensorsFile.open(j.checkpoints().stateFile(cp))) {
      assertThat(st.metadata()).containsEntry("step", Long.toString(cp));
    }
  }

  @Test
  void secondSignal_exitsAtOnce_andLeavesEveryFileReadable() throws Exception {
    Path f = job("twice", 500, 2);
    JobFolder j = new JobFolder(tiny.output().resolve("twice"));
    Path log = root.resolve("twice.log");
    Process p = lathe(log, "train", f.toString());
    await(stepAtLeast(j, 5), p, "step 5");
    // two signals within microseconds, while the first one's checkpoint needs at least the rest of a step. Two
    // different ones: the kernel merges a second SIGTERM into a first that is still pending, never TERM with INT.
    new ProcessBuilder("sh", "-c", "kill -TERM " + p.pid() + "; kill -INT " + p.pid()).start().waitFor();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String out = Files.readString(log);
    // halted by whichever came second (128 + its number), never the orderly exit 6
    assertThat(p.exitValue()).as(out).isIn(128 + 2, 128 + 15);
    String second = p.exitValue() == 128 + 2 ? "SIGINT" : "SIGTERM";
    assertThat(out).contains("lathe: second signal (" + second + "): exiting now")
        .doesNotContain("twice interrupted:");                                    // the orderly path's last line never came
    new JobStore(tiny.output()).recover();
    JobStatus s = j.readStatus();                                                  // parses: never half-written
    assertThat(s.state()).isEqualTo(JobState.INTERRUPTED);
    for (var e : j.checkpoints().list()) {
      try (SafeTensorsFile a = SafeTensorsFile.open(j.checkpointsDir().resolve(e.adapter()));
          SafeTensorsFile b = SafeTensorsFile.open(j.checkpointsDir().resolve(e.state()))) {
        assertThat(a.names()).isNotEmpty();
        assertThat(b.names()).isNotEmpty();
      }
    }
    File[] stray = j.dir().toFile().listFiles(x -> x.getName().endsWith(".safetensors") && !x.getName().startsWith(".lathe-tmp"));
    assertThat(stray == null ? 0 : stray.length).isZero();
    assertThat(Files.exists(j.stateFile())).isTrue();
  }

  @Test
  void stopFromAnotherProcess_endsTheRunStopped() throws Exception {
    Path f = job("stopme", 500, 1000);
    JobFolder j = new JobFolder(tiny.output().resolve("stopme"));
    Process p = lathe("train", f.toString());
    await(stepAtLeast(j, 2), p, "step 2");
    assertThat(inProcess("stop", "-o", tiny.output().toString(), "stopme")).isZero();   // what `lathe stop` does
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isZero();
    assertThat(j.readStatus().state()).isEqualTo(JobState.STOPPED);
    assertThat(j.readStatus().states()).containsExactly(JobState.QUEUED, JobState.RUNNING, JobState.STOPPING, JobState.STOPPED);
    assertThat(j.readStatus().checkpointStep()).isGreaterThanOrEqualTo(2);
  }

  /** Whether this process ignores SIGHUP (bit 0 of SigIgn in /proc/self/status); children inherit that. */
  private static boolean hangupIgnored() throws java.io.IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("SigIgn:")) return (Long.parseLong(line.substring(7).trim(), 16) & 1) != 0;
    }
    return false;
  }
}
