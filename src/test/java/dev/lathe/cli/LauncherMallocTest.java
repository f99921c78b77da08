package dev.lathe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * scripts/lathe's choice of malloc (LATHE_MALLOC), seen from inside the JVM it starts: {@code lathe doctor} reads its own
 * /proc/self/maps. Where scripts/tcmalloc-path finds tcmalloc (.ci/run installs libtcmalloc-minimal4), the default run
 * must have it mapped; elsewhere it must fall back to glibc's malloc and say how to get tcmalloc.
 */
class LauncherMallocTest {
  private record Run(int code, String out) {}

  private static Run run(Map<String, String> env, String... args) throws Exception {
    String[] cmd = new String[args.length + 1];
    cmd[0] = "scripts/lathe";
    System.arraycopy(args, 0, cmd, 1, args.length);
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().remove("LATHE_MALLOC");
    pb.environment().remove("LD_PRELOAD");
    pb.environment().put("LATHE_CLASSPATH", System.getProperty("java.class.path"));
    pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
    pb.environment().putAll(env);
    Process p = pb.start();
    boolean done = p.waitFor(2, TimeUnit.MINUTES);
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!done) p.destroyForcibly();
    assertThat(done).as("finished within 2 minutes:\n%s", out).isTrue();
    return new Run(p.exitValue(), out);
  }

  private static String tcmallocPath() throws Exception {
    Process p = new ProcessBuilder("scripts/tcmalloc-path").start();
    String path = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    return p.waitFor() == 0 ? path : null;
  }

  private static String mallocLine(String doctorOut) {
    return doctorOut.lines().filter(l -> l.startsWith("malloc ")).findFirst().orElse("(no malloc line)\n" + doctorOut);
  }

  @Test
  void byDefaultTheJvmRunsOnTcmallocWhereItIsInstalled_elseOnGlibcWithAHint() throws Exception {
    Run r = run(Map.of(), "doctor");
    String tc = tcmallocPath();
    if (tc != null) {
      assertThat(mallocLine(r.out())).as(r.out()).startsWith("malloc     tcmalloc (libtcmalloc_minimal.so.4");
    } else {
      assertThat(mallocLine(r.out())).as(r.out()).contains("glibc malloc", "install libtcmalloc-minimal4");
    }
  }

  @Test
  void systemKeepsGlibc() throws Exception {
    Run r = run(Map.of("LATHE_MALLOC", "system"), "doctor");
    assertThat(mallocLine(r.out())).as(r.out()).isEqualTo("malloc     glibc malloc (LATHE_MALLOC=system)");
  }

  @Test
  void anUnknownSettingStopsBeforeJavaStarts_withOneLine() throws Exception {
    Run r = run(Map.of("LATHE_MALLOC", "hoard"), "doctor");
    assertThat(r.code()).isEqualTo(ExitCode.USAGE);
    assertThat(r.out().strip()).isEqualTo("lathe: LATHE_MALLOC=hoard: use tcmalloc, system, or leave it unset");
  }
}
