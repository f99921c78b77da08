package dev.lathe.cli;

import dev.lathe.models.Families;
import dev.lathe.models.ModelFamily;
import dev.lathe.torch.Checkpoint;
import dev.lathe.torch.Runtime;
import dev.lathe.torch.SafeTensorsWriter;
import dev.lathe.torch.Tensors;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code lathe parity}: one model part on given weights and inputs, outputs written in the goldens' format. */
@Command(name = "parity", mixinStandardHelpOptions = true,
    description = {"Run one part of a model on the given weights and inputs and write its outputs, so Lathe can be checked",
        "against a reference implementation. Inputs and outputs use the tensor names of the parity fixtures."})
public final class ParityCommand implements Callable<Integer> {
  @Option(names = "--family", required = true, paramLabel = "ID", description = "model family, e.g. zimage")
  String family;

  @Option(names = "--part", required = true, paramLabel = "PART", description = "zimage: transformer, vae-encode, vae-decode or text")
  String part;

  @Option(names = "--weights", required = true, paramLabel = "PATH", description = "checkpoint file, sharded index or folder, in any layout the family reads")
  Path weights;

  @Option(names = "--inputs", required = true, paramLabel = "FILE", description = "safetensors file of inputs")
  Path inputs;

  @Option(names = "--out", required = true, paramLabel = "FILE", description = "safetensors file to write (atomically)")
  Path out;

  @Option(names = "--compare", paramLabel = "FILE", description = "reference outputs: print cosine and max|Δ|/max|ref| for every tensor in both; exit 1 if any misses cos >= 0.99999 and max|Δ| <= 1e-4·max|ref|")
  Path compare;

  @Option(names = "--device", defaultValue = "cpu", paramLabel = "DEV", description = "cpu (default), cuda, cuda:N or auto")
  String device;

  @Option(names = "--dtype", defaultValue = "fp32", paramLabel = "TYPE", description = "fp32 (default), bf16 or fp16")
  String dtype;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter o = spec.commandLine().getOut();
    ModelFamily f = Families.find(family).orElseThrow(() -> new CliException(ExitCode.USAGE,
        "unknown family '" + family + "'; known: " + String.join(", ", Families.all().keySet())));
    ModelFamily.PartRunner runner = f.partRunner().orElseThrow(() -> new CliException(ExitCode.USAGE, family + " has no parity parts"));
    if (!runner.parts().contains(part))
      throw new CliException(ExitCode.USAGE, "unknown part '" + part + "' for " + family + "; parts: " + String.join(", ", runner.parts()));
    Runtime rt = Runtime.create(device, dtype, 0);
    boolean ok = true;
    try (PointerScope scope = new PointerScope(); Checkpoint in = Checkpoint.open(inputs)) {
      long t0 = System.nanoTime();
      Map<String, Tensor> result = runner.run(part, weights, in, rt);
      double secs = (System.nanoTime() - t0) / 1e9;
      SafeTensorsWriter w = new SafeTensorsWriter();
      w.metadata("lathe_part", family + "/" + part);
      result.forEach(w::put);
      w.write(out);
      o.printf(Locale.ROOT, "%s: %d tensors from %s %s on %s in %.2f s%n", out, result.size(), family, part, rt, secs);
      if (compare != null) ok = compare(o, result);
    }
    return ok ? ExitCode.OK : ExitCode.PROBLEMS;
  }

  private boolean compare(PrintWriter o, Map<String, Tensor> result) throws Exception {
    int checked = 0;
    int failed = 0;
    try (Checkpoint ref = Checkpoint.open(compare)) {
      int width = ref.names().stream().mapToInt(String::length).max().orElse(4);
      for (String name : ref.names()) {
        Tensor mine = result.get(name);
        if (mine == null) continue;
        float[] a = Tensors.toFloats(mine);
        float[] r = Tensors.toFloats(ref.load(name));
        if (a.length != r.length) {
          o.printf("%-" + width + "s  size %d vs reference %d  FAIL%n", name, a.length, r.length);
          failed++;
          checked++;
          continue;
        }
        double dot = 0, na = 0, nr = 0, maxDiff = 0, maxRef = 0;
        for (int i = 0; i < a.length; i++) {
          dot += (double) a[i] * r[i];
          na += (double) a[i] * a[i];
          nr += (double) r[i] * r[i];
          maxDiff = Math.max(maxDiff, Math.abs((double) a[i] - r[i]));
          maxRef = Math.max(maxRef, Math.abs(r[i]));
        }
        double cos = na == 0 && nr == 0 ? 1 : dot / Math.sqrt(na * nr);
        double rel = maxRef == 0 ? maxDiff : maxDiff / maxRef;
        boolean pass = cos >= 0.99999 && maxDiff <= 1e-4 * maxRef;
        o.printf(Locale.ROOT, "%-" + width + "s  1-cos %.1e  max|Δ|/max|ref| %.2e  %s%n", name, 1 - cos, rel, pass ? "ok" : "FAIL");
        checked++;
        if (!pass) failed++;
      }
    }
    o.printf("%d tensors compared, %d outside the fp32 rule%n", checked, failed);
    if (checked == 0) throw new CliException(ExitCode.DATA, compare + ": no tensor name in common with the outputs");
    return failed == 0;
  }
}
