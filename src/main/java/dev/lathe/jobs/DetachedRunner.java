package dev.lathe.jobs;

import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Starts {@code lathe queue run --device D -o OUTPUT} as a detached process: its own session ({@code setsid}, so the
 * terminal's hang-up never reaches it), stdin from /dev/null, output appended to {@link JobStore#runnerLogFile}. The
 * process outlives whoever started it; it exits by itself when the device's queue is empty. A runner already holding
 * the device's runner lock, or one this object started that is still alive, is left alone.
 */
public final class DetachedRunner implements RunnerLauncher {
  /** Set by scripts/lathe to the repository root; the runner then starts through scripts/lathe too. */
  public static final String HOME_PROPERTY = "lathe.home";

  private final List<String> command;
  private final Map<String, Process> started = new HashMap<>();

  /** @param command how to start the lathe CLI, e.g. {@code [/opt/lathe/scripts/lathe]} */
  public DetachedRunner(List<String> command) {
    if (command.isEmpty()) throw new IllegalArgumentException("empty command");
    this.command = List.copyOf(command);
  }

  /**
   * The lathe CLI of this installation: {@code $lathe.home/scripts/lathe} when the launcher set the property,
   * otherwise this JVM with its class path and memory settings.
   */
  public static DetachedRunner standard() {
    return new DetachedRunner(latheCommand());
  }

  static List<String> latheCommand() {
    String home = System.getProperty(HOME_PROPERTY);
    if (home != null && !home.isBlank() && Files.isExecutable(Path.of(home, "scripts", "lathe"))) {
      return List.of(Path.of(home, "scripts", "lathe").toString());
    }
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (a.startsWith("-Xmx") || a.startsWith("-Xss") || a.startsWith("-XX:+Use") || a.startsWith("-Dorg.bytedeco")
          || a.startsWith("-Dai.djl") || a.startsWith("-Djavacpp") || a.startsWith("-Dlathe.")) cmd.add(a);
    }
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add("dev.lathe.cli.Main");
    return cmd;
  }

  /** The command prefix in use (for messages and tests). */
  public List<String> command() {
    return command;
  }

  @Override
  public synchronized String ensure(JobStore store, String device) throws IOException {
    String key = store.root() + "\n" + device;
    Process mine = started.get(key);
    if (mine != null && mine.isAlive()) return "the runner for " + device + " (pid " + mine.pid() + ") will take it";
    if (store.runnerAlive(device)) return "the runner already working on " + device + " will take it";
    List<String> cmd = new ArrayList<>();
    String setsid = onPath("setsid");
    if (setsid != null) cmd.add(setsid);
    cmd.addAll(command);
    cmd.addAll(List.of("queue", "run", "--device", device, "-o", store.root().toString()));
    Path log = store.runnerLogFile(device);
    Files.createDirectories(store.root());
    ProcessBuilder pb = new ProcessBuilder(cmd)
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    pb.environment().putIfAbsent("OMP_WAIT_POLICY", "PASSIVE");
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      throw new IOException("cannot start " + command.get(0) + ": " + e.getMessage(), e);
    }
    started.put(key, p);
    return "started a runner for " + device + " (pid " + p.pid() + "; it keeps going after the console quits; output in "
        + log + ")";
  }

  private static String onPath(String exe) {
    for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      Path p = Path.of(d.isEmpty() ? "." : d, exe);
      if (Files.isExecutable(p)) return p.toString();
    }
    return null;
  }
}
