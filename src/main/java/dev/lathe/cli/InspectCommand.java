package dev.lathe.cli;

import dev.lathe.torch.Checkpoint;
import dev.lathe.torch.DType;
import dev.lathe.torch.ShardedCheckpoint;
import dev.lathe.torch.TensorInfo;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code lathe inspect}: the tensor table of a checkpoint from its headers alone. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
    description = "List the tensors of a .safetensors file, a sharded index or a folder (headers only, fast on multi-GB files).")
public final class InspectCommand implements Callable<Integer> {

  @Parameters(paramLabel = "PATH", description = "a .safetensors file, a .safetensors.index.json, or a folder holding one")
  Path path;

  @Option(names = "--grep", paramLabel = "REGEX", description = "only tensors whose name matches")
  String grep;

  @Option(names = "--totals", description = "print only the totals")
  boolean totalsOnly;

  @Option(names = "--metadata", description = "also print the __metadata__ entries")
  boolean showMetadata;

  @Option(names = "--load", description = "also load every tensor into the run dtype on the device, keep them all, and report load time and peak memory")
  boolean load;

  @Option(names = "--device", defaultValue = "auto", paramLabel = "DEV", description = "with --load: auto (default), cpu, cuda or cuda:N")
  String device;

  @Option(names = "--dtype", paramLabel = "TYPE", description = "with --load: fp32, bf16 or fp16 (default: bf16 on a GPU, fp32 on the CPU)")
  String dtype;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    Pattern filter = grep == null ? null : Pattern.compile(grep);
    try (Checkpoint ck = Checkpoint.open(path)) {
      List<String> names = ck.names().stream().filter(n -> filter == null || filter.matcher(n).find()).toList();
      int width = names.stream().mapToInt(String::length).max().orElse(4);
      if (!totalsOnly) {
        out.printf("%-" + width + "s  %-7s  %-22s  %s%n", "name", "dtype", "shape", "params");
        for (String n : names) {
          TensorInfo ti = ck.info(n);
          out.printf("%-" + width + "s  %-7s  %-22s  %,d%n", n, ti.dtype(), ti.shapeString(), ti.numel());
        }
        out.println();
      }
      Map<DType, long[]> byType = new EnumMap<>(DType.class);   // {tensors, params, bytes}
      long params = 0;
      long bytes = 0;
      for (String n : names) {
        TensorInfo ti = ck.info(n);
        long[] acc = byType.computeIfAbsent(ti.dtype(), d -> new long[3]);
        acc[0]++;
        acc[1] += ti.numel();
        acc[2] += ti.byteSize();
        params += ti.numel();
        bytes += ti.byteSize();
      }
      String source = ck instanceof ShardedCheckpoint s ? s.shards().size() + " shards" : "1 file";
      out.printf("%s: %,d tensors, %,d parameters, %s in %s%n", ck.path(), names.size(), params,
          DoctorCommand.bytes(bytes), source);
      for (Map.Entry<DType, long[]> e : byType.entrySet()) {
        long[] a = e.getValue();
        out.printf(Locale.ROOT, "  %-7s %,8d tensors  %,16d params  %s%n", e.getKey(), a[0], a[1], DoctorCommand.bytes(a[2]));
      }
      if (showMetadata) {
        for (Map.Entry<String, String> m : ck.metadata().entrySet()) {
          String v = m.getValue();
          out.printf("  meta %s = %s%n", m.getKey(), v.length() > 200 ? v.substring(0, 200) + "..." : v);
        }
      }
      if (load) loadAll(out, ck, names);
    }
    return ExitCode.OK;
  }

  /** Loads like a model load does (tensor by tensor, straight to the run dtype and device) and keeps everything. */
  private void loadAll(PrintWriter out, Checkpoint ck, List<String> names) throws java.io.IOException {
    dev.lathe.torch.Runtime rt = dev.lathe.torch.Runtime.create(device, dtype, 0);
    rt.resetPeak();
    long rssBefore = org.bytedeco.javacpp.Pointer.physicalBytes();
    long bytes = 0;
    long t0 = System.nanoTime();
    try (org.bytedeco.javacpp.PointerScope scope = new org.bytedeco.javacpp.PointerScope()) {
      for (String n : names) {
        DType d = ck.info(n).dtype();
        boolean floating = d == DType.F32 || d == DType.F16 || d == DType.BF16 || d == DType.F64 || d.name().startsWith("F8");
        org.bytedeco.pytorch.Tensor t = ck.load(n, floating ? rt.computeDtype() : null, rt.device());
        bytes += t.nbytes();
      }
      rt.synchronize();   // every copy has landed
      double secs = (System.nanoTime() - t0) / 1e9;
      dev.lathe.torch.MemoryStats mem = rt.memory();
      out.printf(Locale.ROOT, "loaded %,d tensors, %s as %s on %s in %.2f s (%s/s)%n", names.size(), DoctorCommand.bytes(bytes),
          rt.computeDtype().intern(), rt.deviceName(), secs, DoctorCommand.bytes((long) (bytes / Math.max(secs, 1e-9))));
      out.printf("  peak RSS %s (was %s before loading)%s%n", DoctorCommand.bytes(mem.peakRssBytes()), DoctorCommand.bytes(rssBefore),
          mem.hasDevice() ? ", device peak " + DoctorCommand.bytes(mem.devicePeak()) : "");
    }
  }
}
