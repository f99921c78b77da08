package dev.lathe.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code lathe} command: with no subcommand it opens the console; subcommands run headless. */
@Command(name = "lathe", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
    description = "Train LoRA / LoKr adapters for diffusion models from the terminal.",
    subcommands = {DoctorCommand.class, InspectCommand.class, ParityCommand.class, PresetsCommand.class, ConfigCommand.class,
        ImportCommand.class, DatasetsCommand.class, JobsCommands.Status.class, JobsCommands.Stop.class,
        JobsCommands.SaveNow.class, JobsCommands.SampleNow.class, TrainCommands.Train.class, TrainCommands.Resume.class,
        TrainCommands.Queue.class, DemoCommand.class, ConsoleCommand.class, ProbeCommand.class, BenchCommand.class,
        CommandLine.HelpCommand.class})
public final class Main implements java.util.concurrent.Callable<Integer> {
  static {
    dev.lathe.torch.NativeMemory.configure();   // before any JavaCPP class loads: see NativeMemory
  }

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @CommandLine.Option(names = {"-o", "--output"}, paramLabel = "DIR",
      description = "With no command: the console's output folder (see 'lathe console --help').")
  java.nio.file.Path output;

  @Override
  public Integer call() {
    if (System.console() != null) {
      CommandLine console = spec.commandLine().getSubcommands().get("console");
      return output == null ? console.execute() : console.execute("--output", output.toString());
    }
    spec.commandLine().usage(spec.commandLine().getOut());
    return ExitCode.OK;
  }

  public static void main(String[] args) {
    System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  /** Runs the CLI with the given streams and returns the exit code (tests call this). */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine cl = new CommandLine(new Main());
    cl.setOut(out);
    cl.setErr(err);
    cl.setExitCodeExceptionMapper(Main::exitCodeOf);
    cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
      commandLine.getErr().println("lathe: " + oneLine(ex));
      return exitCodeOf(ex);
    });
    cl.setParameterExceptionHandler((ex, args1) -> {
      CommandLine c = ex.getCommandLine();
      c.getErr().println("lathe: " + ex.getMessage());
      c.getErr().println("Try '" + c.getCommandSpec().qualifiedName() + " --help'.");
      return ExitCode.USAGE;
    });
    return cl.execute(args);
  }

  static int exitCodeOf(Throwable ex) {
    if (ex instanceof CliException c) return c.exitCode();
    if (ex instanceof IOException || ex instanceof UncheckedIOException) return ExitCode.DATA;
    if (ex instanceof IllegalArgumentException) return ExitCode.USAGE;
    return ExitCode.RUNTIME;
  }

  /** The first line of an exception's message: libtorch messages carry a whole C++ backtrace after it. */
  static String oneLine(Throwable ex) {
    String m = ex.getMessage();
    if (m == null || m.isBlank()) m = ex.getClass().getSimpleName();
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }
}
