package dev.lathe.cli;

import dev.lathe.config.AiToolkitImport;
import dev.lathe.config.ConfigException;
import dev.lathe.io.AtomicFiles;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code lathe import}: bring jobs from other trainers. */
@Command(name = "import", mixinStandardHelpOptions = true, description = "Convert another trainer's job config into a Lathe job file.",
    subcommands = {ImportCommand.AiToolkit.class})
public final class ImportCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getOut());
    return ExitCode.OK;
  }

  @Command(name = "ai-toolkit", mixinStandardHelpOptions = true,
      description = {"Convert an ai-toolkit job (YAML or JSON) into a commented Lathe job file extending the family's preset.",
          "Every key is mapped, recognised as needing no field, or listed as not imported with its line."})
  static final class AiToolkit implements Callable<Integer> {
    @Parameters(paramLabel = "FILE", description = "the ai-toolkit config (.yaml, .yml or .json)")
    Path file;

    @Option(names = {"-o", "--output"}, paramLabel = "OUT", description = "write the Lathe job here (default: print it)")
    Path output;

    @Option(names = "--force", description = "replace OUT if it exists")
    boolean force;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      AiToolkitImport.Result r;
      try {
        r = AiToolkitImport.convert(file);
      } catch (NoSuchFileException e) {
        throw new CliException(ExitCode.CONFIG, file + ": no such file");
      } catch (ConfigException e) {
        throw new CliException(ExitCode.CONFIG, e.problems().get(0).toString().replaceFirst(" \\(error\\)$", ""));
      }
      PrintWriter notes = output == null ? err : out;
      if (output == null) {
        out.print(r.toml());
        out.flush();
      } else {
        if (Files.exists(output) && !force)
          throw new CliException(ExitCode.USAGE, output + ": exists; pass --force to replace it");
        AtomicFiles.writeString(output, r.toml());
        notes.println("wrote " + output + (r.family().isEmpty() ? " (family not recognised: set model.architecture)" : " (extends " + r.family() + ")"));
      }
      notes.println(r.accepted().size() + " key(s) recognised without a Lathe field (listed at the end of the file)");
      if (r.unmapped().isEmpty()) {
        notes.println("every key was imported");
      } else {
        notes.println(r.unmapped().size() + " key(s) not imported:");
        for (AiToolkitImport.Note n : r.unmapped()) notes.println("  " + file.getFileName() + ":" + n.line() + ": " + n.key() + ": " + n.reason());
      }
      if (output != null) notes.println("next: lathe config check " + output);
      notes.flush();
      return ExitCode.OK;
    }
  }
}
