package dev.lathe.cli;

import dev.lathe.term.TermProbe;
import dev.lathe.term.TermProfile;
import dev.lathe.demo.Demo;
import dev.lathe.jobs.DetachedRunner;
import dev.lathe.run.JobRunner;
import dev.lathe.tui.Action;
import dev.lathe.tui.Console;
import dev.lathe.tui.ConsoleSettings;
import dev.lathe.tui.Workspace;
import dev.lathe.tui.GpuWatcher;
import dev.lathe.tui.Keymap;
import dev.lathe.tui.RawUnixTerminal;
import dev.lathe.tui.SyntheticFeed;
import dev.lathe.tui.ThemeException;
import dev.lathe.tui.Themes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code lathe console}: the full-screen console on this terminal. */
@Command(name = "console", mixinStandardHelpOptions = true,
    description = {"Open the full-screen console (keys: ? help, : commands, q quit; docs/KEYS.md).",
        "Themes: themes/*.toml and ~/.config/lathe/themes/; keys: ~/.config/lathe/keys.toml."})
public final class ConsoleCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @CommandLine.Mixin
  TermOptions term = new TermOptions();

  @Option(names = "--theme", paramLabel = "NAME", description = "Colour theme (default, mono, nord, gruvbox, solarized-dark, or yours); overrides the theme saved in ~/.config/lathe/console.toml.")
  String theme;

  @Option(names = "--refresh-hz", paramLabel = "HZ", description = "Data refreshes per second (default ${DEFAULT-VALUE}).")
  double refreshHz = 4;

  @Option(names = "--synthetic", description = "Show a synthetic run (no model, no training) to try the console and its keys.")
  boolean synthetic;

  @Option(names = "--job", paramLabel = "DIR", description = "Attach the Monitor to a job folder (a job run by this or any other process).")
  Path jobDir;

  @Option(names = {"-o", "--output"}, paramLabel = "DIR", defaultValue = "output",
      description = "Folder of job folders to work on: its jobs are listed, new jobs go there (default: ${DEFAULT-VALUE}; with --job, the job's folder).")
  Path output;

  /** A count from the environment (the demo's LATHE_DEMO_STEPS, LATHE_DEMO_VAE_STEPS), else {@code fallback}. */
  static int envInt(String name, int fallback) {
    String v = System.getenv(name);
    try {
      return v == null || v.isBlank() ? fallback : Math.max(1, Integer.parseInt(v.strip()));
    } catch (NumberFormatException e) {
      return fallback;
    }
  }

  @Override
  public Integer call() throws IOException {
    if (synthetic && jobDir != null) throw new CliException(ExitCode.USAGE, "--synthetic and --job exclude each other");
    if (jobDir != null && !Files.isRegularFile(jobDir.resolve("state.json"))) {
      throw new CliException(ExitCode.DATA, jobDir + ": not a job folder (no state.json)");
    }
    TermProfile profile = TermProbe.probe(term.probeOptions());
    if (!profile.fullScreen()) {
      throw new CliException(ExitCode.USAGE, "the console needs an interactive terminal (" + profile.notes().stream()
          .filter(n -> n.startsWith("no full-screen")).findFirst().orElse("none found") + "); headless runs use 'lathe train'");
    }
    Path config = Themes.userDir(System.getenv()).getParent();
    Keymap keys;
    Themes themes;
    ConsoleSettings settings;
    try {
      keys = Keymap.load(config.resolve("keys.toml"));
      themes = Themes.load(config.resolve("themes"));
      settings = ConsoleSettings.load(config.resolve(ConsoleSettings.FILE_NAME));
    } catch (ThemeException e) {
      throw new CliException(ExitCode.CONFIG, e.getMessage());
    }
    if (theme != null && !themes.names().contains(theme)) {
      throw new CliException(ExitCode.USAGE, "no theme '" + theme + "' (known: " + String.join(", ", themes.names()) + ")");
    }
    String startTheme;
    try {
      startTheme = settings.startTheme(theme, themes.names());       // --theme, else the one saved last time
    } catch (ThemeException e) {
      throw new CliException(ExitCode.CONFIG, e.getMessage());
    }
    Path tmp = synthetic ? Files.createTempDirectory("lathe-synthetic") : null;
    SyntheticFeed feed = synthetic ? new SyntheticFeed(tmp.resolve("samples"), 2000, 8) : null;
    boolean outputGiven = spec.commandLine().getParseResult() != null && spec.commandLine().getParseResult().hasMatchedOption("--output");
    Path out = jobDir != null && !outputGiven ? jobDir.toAbsolutePath().normalize().getParent() : output;
    Path demoHome = Demo.defaultHome();
    Workspace ws = new Workspace(out, DetachedRunner.standard(), JobRunner::deviceFor,
        (o, say) -> Demo.prepare(demoHome, envInt("LATHE_DEMO_STEPS", 400), envInt("LATHE_DEMO_VAE_STEPS", Demo.VAE_STEPS), o, say),
        demoHome.resolve("dataset"));
    Console.Exit exit;
    try (GpuWatcher gpus = new GpuWatcher(2000); ws) {
      ws.refresh();
      if (jobDir != null) ws.attach(jobDir, true);
      ws.startPolling(1000);
      boolean watching = synthetic || jobDir != null || !ws.snapshot().active().isEmpty();
      Console.Builder b = Console.builder().terminal(new RawUnixTerminal()).profile(profile).themes(themes).theme(startTheme).settings(settings)
          .keymap(keys).workspace(ws).gpus(gpus).refreshHz(refreshHz)
          .start(watching ? Action.SCREEN_MONITOR : Action.SCREEN_DASHBOARD);
      if (feed != null) b.monitor(feed.source(), feed);
      exit = b.build().run();
    } finally {
      if (feed != null) feed.close();
      if (tmp != null) dev.lathe.io.AtomicFiles.deleteTree(tmp);
    }
    List<String> running = new java.util.ArrayList<>();
    for (dev.lathe.jobs.JobFolder j : ws.store().list()) {
      try {
        if (j.readStatus().state().active()) running.add(j.name());
      } catch (IOException ignored) {
        // a folder being deleted: not running
      }
    }
    String left = running.isEmpty() ? "" : "; " + String.join(", ", running)
        + (exit == Console.Exit.STOP_JOB ? " will stop after saving" : " keeps training in its runner")
        + " (lathe status -o " + ws.output() + " lists it; lathe shows it again)";
    spec.commandLine().getOut().println("lathe: console closed (" + exit.name().toLowerCase(java.util.Locale.ROOT) + ")" + left);
    return ExitCode.OK;
  }
}
