package dev.lathe.tui;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Runs scripts/tmux-e2e.sh: a new user in a real tmux pane at 80×24, keys only, from the console to a running demo job,
 * watching it learn, detaching, quitting and coming back, stopping it and finding its LoRA. The console starts through
 * scripts/lathe itself (its JVM and OpenMP settings, its argument passing), and so does the job runner the console
 * starts; {@code LATHE_CLASSPATH} hands the launcher this build's class path, as there is no target/lathe.jar during
 * {@code mvn test}. .ci/run installs tmux and {@code script}; only without tmux is the test skipped, and without
 * {@code script} the detach/reattach step fails.
 */
class TmuxEndToEndTest {
  @Test
  void newUser_inTmux_keysOnly_fromTheConsoleToARunningDemo_andItsLora() throws Exception {
    Assumptions.assumeTrue(onPath("tmux"), "tmux is not installed: the tmux end-to-end test needs it (.ci/run installs it)");
    assertThat(onPath("script")).as("'script' (util-linux; Debian/Ubuntu: bsdutils) attaches the tmux client for the"
        + " detach/reattach step; .ci/run installs it").isTrue();
    ProcessBuilder pb = new ProcessBuilder("bash", "scripts/tmux-e2e.sh").redirectErrorStream(true);
    pb.environment().remove("LATHE_CMD");                                  // the script's default: scripts/lathe
    pb.environment().put("LATHE_CLASSPATH", System.getProperty("java.class.path"));
    pb.environment().put("JAVA_HOME", System.getProperty("java.home"));   // the launcher runs this JDK's java
    long t0 = System.nanoTime();
    Process p = pb.start();
    boolean done = p.waitFor(9, TimeUnit.MINUTES);
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!done) p.destroyForcibly();
    System.out.printf("tmux end-to-end: %.0f s%n%s", (System.nanoTime() - t0) / 1e9, out);
    assertThat(done).as("finished within 9 minutes:\n%s", out).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    assertThat(out).contains("ok: the Monitor shows the demo training", "both started through scripts/lathe",
        "ok: detached and reattached; the job went on meanwhile", "ok: a console started again attaches to the running job",
        "ok: x, y stopped the job; its LoRA is", "ok: o on the Queue shows where the LoRA is", "tmux end-to-end passed");
  }

  static boolean onPath(String exe) {
    for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (Files.isExecutable(Path.of(d, exe))) return true;
    }
    return false;
  }
}
