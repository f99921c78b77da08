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
 * Runs scripts/tmux-console-e2e.sh: the console in a real tmux pane (probe, UnixTerminal, keys, resizes,
 * detach/reattach) on a synthetic run. .ci/run installs tmux; without it the test is skipped.
 */
class TmuxConsoleEndToEndTest {
  @Test
  void console_inTmux_keysOnly() throws Exception {
    Assumptions.assumeTrue(onPath("tmux"), "tmux is not installed");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String cmd = java + " -cp " + System.getProperty("java.class.path") + " dev.lathe.cli.Main console --synthetic";
    ProcessBuilder pb = new ProcessBuilder("bash", "scripts/tmux-console-e2e.sh").redirectErrorStream(true);
    pb.environment().put("LATHE_CMD", cmd);
    Process p = pb.start();
    boolean done = p.waitFor(180, TimeUnit.SECONDS);
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!done) p.destroyForcibly();
    assertThat(done).as("finished within 3 minutes:\n%s", out).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    assertThat(out).contains("ok: monitor shows progress", "ok: stopped with x, y");
  }

  static boolean onPath(String exe) {
    for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (Files.isExecutable(Path.of(d, exe))) return true;
    }
    return false;
  }
}
