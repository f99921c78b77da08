package dev.lathe.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/** What the numbers were measured on: the BLAS in the process, its threads, the library version, the GEMM peak. */
public final class Machine {
  private Machine() {}

  /** The libtorch version of the presets on the class path, e.g. "2.10.0 (JavaCPP presets 1.5.13)". */
  public static String torchVersion() {
    String v = torch.class.getPackage() == null ? null : torch.class.getPackage().getImplementationVersion();
    if (v == null) return "libtorch (version unknown)";
    int dash = v.indexOf('-');
    return dash < 0 ? v : v.substring(0, dash) + " (JavaCPP presets " + v.substring(dash + 1) + ")";
  }

  /**
   * The BLAS libraries mapped into this process (after a matmul has run), as file names. libtorch's fp32 GEMM runs
   * on the OpenBLAS the presets ship; the JVM maps two copies of it (with and without LAPACK).
   */
  public static String blas() {
    try (PointerScope s = new PointerScope()) {
      Tensor a = torch.ones(new long[] {64, 64}, new TensorOptions(ScalarType.Float));
      a.mm(a);
    }
    Set<String> libs = new LinkedHashSet<>();
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
        int slash = line.indexOf('/');
        if (slash < 0) continue;
        String name = Path.of(line.substring(slash)).getFileName().toString();
        if (name.toLowerCase(java.util.Locale.ROOT).contains("blas") && !name.startsWith("libjni")) libs.add(name);
      }
    } catch (IOException e) {
      return "unknown (/proc/self/maps unreadable)";
    }
    String version = openBlasVersion();
    return libs.isEmpty() ? "unknown (no BLAS library mapped)" : version + " (" + String.join(", ", libs) + ")";
  }

  private static String openBlasVersion() {
    try {
      Class<?> c = Class.forName("org.bytedeco.openblas.global.openblas_nolapack");
      Package p = c.getPackage();
      String v = p == null ? null : p.getImplementationVersion();
      return v == null ? "OpenBLAS" : "OpenBLAS " + v.split("-")[0];
    } catch (ClassNotFoundException e) {
      return "BLAS";
    }
  }

  /** OpenBLAS's thread count (Lathe sets it, see {@link dev.lathe.torch.Blas}); -1 when unknown. */
  public static int blasThreads() {
    return dev.lathe.torch.Blas.threads();
  }

  /** fp32 GEMM throughput on n×n matrices: two warm-ups, then {@code repeats} timed runs. */
  public record Peak(int n, double gflopsBest, double gflopsMedian) {}

  /**
   * The machine's matmul peak on the runtime's device: on the CPU fp32 with every intra-op thread working on the
   * matmul (OpenBLAS set to the intra-op count for the measurement, then restored), so that it is the same yardstick
   * whatever thread split the run used; on a GPU in the compute dtype, timed between device synchronisations.
   */
  public static Peak matmulPeak(dev.lathe.torch.Runtime rt, int n, int repeats) {
    int before = rt.isCuda() ? -1 : dev.lathe.torch.Blas.threads();
    if (!rt.isCuda()) dev.lathe.torch.Blas.setThreads(torch.get_num_threads());
    try (PointerScope s = new PointerScope()) {
      TensorOptions opts = rt.isCuda() ? rt.options() : rt.options(ScalarType.Float);
      Tensor a = torch.randn(new long[] {n, n}, opts);
      Tensor b = torch.randn(new long[] {n, n}, opts);
      Tensor c = torch.empty(new long[] {n, n}, opts, new org.bytedeco.pytorch.MemoryFormatOptional());
      for (int i = 0; i < 2; i++) torch.mm_out(c, a, b);
      sync(rt);
      double[] secs = new double[repeats];
      for (int i = 0; i < repeats; i++) {
        long t0 = System.nanoTime();
        torch.mm_out(c, a, b);
        sync(rt);
        secs[i] = (System.nanoTime() - t0) / 1e9;
      }
      double flops = 2.0 * n * n * n;
      return new Peak(n, flops / Arrays.stream(secs).min().orElseThrow() / 1e9, flops / Stats.of(secs).median() / 1e9);
    } finally {
      if (before > 0) dev.lathe.torch.Blas.setThreads(before);
    }
  }

  private static void sync(dev.lathe.torch.Runtime rt) {
    rt.synchronize();
  }

  /** CPU time of the whole process so far (every thread), in nanoseconds; -1 where the JVM cannot tell. */
  public static long processCpuNanos() {
    java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    return os instanceof com.sun.management.OperatingSystemMXBean s ? s.getProcessCpuTime() : -1;
  }

  /** "2 CPUs, AMD EPYC ..., load average 1.2 3.4 5.6" for reports. */
  public static String describe() {
    String model = "unknown CPU";
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("model name")) {
          model = line.substring(line.indexOf(':') + 1).trim();
          break;
        }
      }
    } catch (IOException ignored) {
      // not Linux
    }
    String load = "";
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
      load = ", load average " + f[0] + " " + f[1] + " " + f[2];
    } catch (IOException ignored) {
      // not Linux
    }
    return java.lang.Runtime.getRuntime().availableProcessors() + " CPUs, " + model + load;
  }
}
