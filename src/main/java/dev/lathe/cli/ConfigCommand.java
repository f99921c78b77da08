package dev.lathe.cli;

import dev.lathe.config.ConfigDocs;
import dev.lathe.config.Configs;
import dev.lathe.config.Environment;
import dev.lathe.config.PresetLibrary;
import dev.lathe.config.Problem;
import dev.lathe.config.ResolvedConfig;
import dev.lathe.config.Validation;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code lathe config}: check and print job files. */
@Command(name = "config", mixinStandardHelpOptions = true, description = "Check and print job config files.",
    subcommands = {ConfigCommand.Check.class, ConfigCommand.Show.class, ConfigCommand.Docs.class})
public final class ConfigCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getOut());
    return ExitCode.OK;
  }

  static ResolvedConfig load(Path file, boolean preset) {
    try {
      PresetLibrary lib = PresetLibrary.standard();
      return preset ? Configs.presetFile(file, lib) : Configs.load(file, lib);
    } catch (NoSuchFileException e) {
      throw new CliException(ExitCode.CONFIG, file + ": no such file");
    } catch (IOException e) {
      throw new CliException(ExitCode.CONFIG, e.getMessage());
    }
  }

  /** Prints problems one per line; true when any is an error. */
  static boolean report(List<Problem> problems, PrintWriter to, boolean all) {
    for (Problem p : problems) if (all || p.isError()) to.println(p);
    to.flush();
    return Problem.anyErrors(problems);
  }

  @Command(name = "check", mixinStandardHelpOptions = true,
      description = {"Read a job file, resolve its preset and report every problem: errors (exit 3) and warnings (exit 0).",
          "The VRAM check uses the detected GPU unless --vram or --no-gpu says otherwise."})
  static final class Check implements Callable<Integer> {
    @Parameters(paramLabel = "FILE", description = "a job file (TOML)")
    Path file;

    @Option(names = "--preset", description = "check FILE as a preset: no job name or datasets needed")
    boolean preset;

    @Option(names = "--vram", paramLabel = "GB", description = "check against a GPU of this many GB instead of the detected one")
    Double vramGb;

    @Option(names = "--no-gpu", description = "skip the VRAM check")
    boolean noGpu;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      ResolvedConfig r = load(file, preset);
      Environment env = noGpu ? Environment.none()
          : vramGb != null ? Environment.gpuGb(vramGb)
          : Environment.detect(r.config().job().gpuId());
      List<Problem> problems = Validation.check(r, env);
      PrintWriter out = spec.commandLine().getOut();
      report(problems, out, true);
      long errors = problems.stream().filter(Problem::isError).count();
      long warnings = problems.size() - errors;
      String family = r.family().map(f -> f.displayName()).orElse("no family");
      String gpu = env.hasGpu() ? String.format(Locale.ROOT, "; checked against %s (%.0f GB)", env.gpuName(), env.gpuGb()) : "";
      if (problems.isEmpty()) out.println(file + ": ok (" + family + ", " + r.config().training().steps() + " steps" + gpu + ")");
      else out.println(file + ": " + plural(errors, "error") + ", " + plural(warnings, "warning") + gpu);
      out.flush();
      return errors > 0 ? ExitCode.CONFIG : ExitCode.OK;
    }
  }

  @Command(name = "show", mixinStandardHelpOptions = true,
      description = "Print a job file; with --resolved, every field after applying its preset, each with its source.")
  static final class Show implements Callable<Integer> {
    @Parameters(paramLabel = "FILE")
    Path file;

    @Option(names = "--resolved", description = "print the complete resolved config")
    boolean resolved;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
      PrintWriter out = spec.commandLine().getOut();
      if (!resolved) {
        if (!Files.isRegularFile(file)) throw new CliException(ExitCode.CONFIG, file + ": no such file");
        out.print(Files.readString(file));
        out.flush();
        return ExitCode.OK;
      }
      ResolvedConfig r = load(file, false);
      if (!r.parsed()) {
        report(r.problems(), spec.commandLine().getErr(), true);
        return ExitCode.CONFIG;
      }
      out.print(r.toToml());
      out.flush();
      return report(r.problems(), spec.commandLine().getErr(), true) ? ExitCode.CONFIG : ExitCode.OK;
    }
  }

  @Command(name = "docs", mixinStandardHelpOptions = true, description = "Print the field reference (docs/CONFIG.md) generated from the schema.")
  static final class Docs implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      spec.commandLine().getOut().print(ConfigDocs.markdown());
      spec.commandLine().getOut().flush();
      return ExitCode.OK;
    }
  }

  static String plural(long n, String word) {
    return n + " " + word + (n == 1 ? "" : "s");
  }
}
