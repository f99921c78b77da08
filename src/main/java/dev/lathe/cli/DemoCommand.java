package dev.lathe.cli;

import dev.lathe.demo.Demo;
import dev.lathe.jobs.JobFolder;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code lathe demo}: generate the embedded demo (tiny model, dataset, job) and train it here on the CPU. */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Build a tiny Z-Image model and a captioned dataset locally, then train a LoRA on them in a few minutes on the CPU.")
final class DemoCommand implements Callable<Integer> {
  @Option(names = "--steps", description = "training steps (default: ${DEFAULT-VALUE}; env LATHE_DEMO_STEPS)",
      defaultValue = "${env:LATHE_DEMO_STEPS:-400}") int steps;
  @Option(names = "--vae-steps", description = "autoencoder fitting steps when the demo model is built (default: ${DEFAULT-VALUE})",
      defaultValue = "${env:LATHE_DEMO_VAE_STEPS:-150}") int vaeSteps;
  @Option(names = {"-o", "--output"}, description = "folder for the job folder (default: ${DEFAULT-VALUE})", defaultValue = "output") Path output;
  @Option(names = "--home", description = "where the generated model and dataset are kept (default: ~/.cache/lathe/demo)") Path home;
  @Option(names = "--prepare-only", description = "write the assets and the job file, do not train") boolean prepareOnly;
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    Path h = home != null ? home : Demo.defaultHome();
    Path job = Demo.prepare(h, steps, vaeSteps, output, out::println);
    out.println("demo: job file " + job);
    if (prepareOnly) return ExitCode.OK;
    String name = "demo";
    for (int i = 2; new JobFolder(output.toAbsolutePath().resolve(name)).exists(); i++) name = "demo-" + i;
    TrainCommands.Train t = new TrainCommands.Train();
    t.file = job;
    t.name = name;
    t.spec = spec;
    int code = t.call();
    if (code == ExitCode.OK) {
      out.println("demo: done. The LoRA is " + output.toAbsolutePath().resolve(name).resolve(name + ".safetensors")
          + "; previews are in " + output.toAbsolutePath().resolve(name).resolve("samples"));
    }
    return code;
  }
}
