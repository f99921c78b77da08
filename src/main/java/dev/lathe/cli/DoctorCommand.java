package dev.lathe.cli;

import dev.lathe.torch.Allocator;
import dev.lathe.torch.Gpus;
import dev.lathe.torch.Runtime;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code lathe doctor}: what this machine offers Lathe, and what is wrong with it. Exit 0 healthy, 1 problems. */
@Command(name = "doctor", mixinStandardHelpOptions = true,
    description = "Report Java, libtorch, CPU and GPU facts, and check that tensors compute.")
public final class DoctorCommand implements Callable<Integer> {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    List<String> problems = new ArrayList<>();
    out.printf("lathe      %s%n", VersionProvider.version());
    out.printf("java       %s (%s) %s%n", System.getProperty("java.version"), System.getProperty("java.vendor"),
        System.getProperty("java.home"));
    out.printf("os         %s %s, %d cores, %s RAM%n", System.getProperty("os.name"), System.getProperty("os.arch"),
        java.lang.Runtime.getRuntime().availableProcessors(), bytes(Runtime.physicalRam()));
    out.printf("cpu        %s%n", cpuModel());
    out.printf("cpu flags  %s%n", String.join(" ", cpuFeatures()));

    try {
      long t0 = System.nanoTime();
      Runtime.load();
      long loadMs = (System.nanoTime() - t0) / 1_000_000;
      String cfg = torch.show_config().getString();
      out.printf("libtorch   %s (Bytedeco presets %s), loaded in %d ms%n", buildSetting(cfg, "TORCH_VERSION"),
          presetsVersion(), loadMs);
      out.printf("build      BLAS=%s, oneDNN=%s, CPU capability %s, CUDA=%s%n", buildSetting(cfg, "BLAS_INFO"),
          torch.get_mkldnn_version().getString().replaceAll("^.*?(v[0-9.]+).*$", "$1"), torch.get_cpu_capability().getString(),
          Runtime.isGpuBuild() ? "yes" : "no (CPU natives)");
      out.printf("threads    intra-op %d, inter-op %d, OMP_WAIT_POLICY=%s%n", torch.get_num_threads(),
          torch.get_num_interop_threads(), System.getenv().getOrDefault("OMP_WAIT_POLICY", "(unset)"));
      String malloc = Allocator.current();
      out.printf("malloc     %s%s%n", malloc, !Allocator.isSystem(malloc) ? ""
          : "system".equals(System.getenv("LATHE_MALLOC")) ? " (LATHE_MALLOC=system)" : "; " + Allocator.HINT);
      if (!Runtime.ompPassive())
        problems.add("OMP_WAIT_POLICY is not PASSIVE: training steps run 8-20x slower; start Lathe with scripts/lathe");
      String check = selfTest();
      out.printf("self-test  %s%n", check);
      if (!check.startsWith("ok")) problems.add("tensor self-test failed: " + check);
    } catch (Throwable t) {
      out.printf("libtorch   FAILED to load: %s%n", Main.oneLine(t));
      problems.add("libtorch does not load: " + Main.oneLine(t));
    }

    Gpus.Report gpus = Gpus.probe();
    if (gpus.present()) {
      out.printf("gpu        driver %s, CUDA driver API %s, runtime %s, torch sees CUDA: %s%n", gpus.driverVersion(),
          Gpus.cudaVersion(gpus.cudaDriverApi()), Gpus.cudaVersion(gpus.cudaRuntimeApi()), safeCudaAvailable());
      for (Gpus.GpuStatus g : gpus.devices()) {
        out.printf("  cuda:%d   %s, %s total, %s used, %d%% util, %d C, %.0f W%n", g.index(), g.name(), bytes(g.memTotal()),
            bytes(g.memUsed()), g.utilPercent(), g.temperatureC(), g.powerWatts());
      }
      if (!safeCudaAvailable()) problems.add("NVIDIA driver present but libtorch cannot use CUDA: " + Runtime.cudaAbsenceReason());
    } else {
      out.printf("gpu        none: %s; training runs on the CPU%n", gpus.absenceReason());
    }
    out.printf("cache      %s%n", System.getProperty("org.bytedeco.javacpp.cachedir",
        Path.of(System.getProperty("user.home"), ".javacpp", "cache").toString()));

    if (problems.isEmpty()) {
      out.println("status     ok");
      return ExitCode.OK;
    }
    for (String p : problems) out.println("problem    " + p);
    return ExitCode.PROBLEMS;
  }

  private static boolean safeCudaAvailable() {
    try {
      return Runtime.cudaUsable();
    } catch (Throwable t) {
      return false;
    }
  }

  /** A 64x64 matmul against a hand-checkable identity: proves the natives compute, not just load. */
  private static String selfTest() {
    try (var scope = new org.bytedeco.javacpp.PointerScope()) {
      long t0 = System.nanoTime();
      Tensor a = torch.rand(64, 64);
      Tensor eye = torch.eye(64);
      double err = a.matmul(eye).sub(a).abs().max().item_double();
      long us = (System.nanoTime() - t0) / 1000;
      return err == 0 ? "ok (matmul 64x64 in " + us + " us)" : "matmul error " + err;
    } catch (Throwable t) {
      return "error: " + Main.oneLine(t);
    }
  }

  private static String buildSetting(String cfg, String key) {
    int i = cfg.indexOf(key + "=");
    if (i < 0) return "?";
    int end = cfg.indexOf(',', i);
    return cfg.substring(i + key.length() + 1, end < 0 ? cfg.length() : end).trim();
  }

  private static String presetsVersion() {
    Package p = torch.class.getPackage();
    String v = p == null ? null : p.getImplementationVersion();
    return v == null ? "?" : v;
  }

  private static String cpuModel() {
    for (String line : cpuinfo()) if (line.startsWith("model name")) return line.substring(line.indexOf(':') + 1).trim();
    return System.getProperty("os.arch");
  }

  /** The SIMD features that matter for libtorch kernels. */
  static List<String> cpuFeatures() {
    Set<String> wanted = new LinkedHashSet<>(List.of("sse4_2", "avx", "avx2", "fma", "f16c", "avx512f", "avx512bw",
        "avx512_vnni", "avx512_bf16", "amx_bf16", "amx_tile", "asimd", "sve"));
    for (String line : cpuinfo()) {
      if (line.startsWith("flags") || line.startsWith("Features")) {
        Set<String> have = Set.of(line.substring(line.indexOf(':') + 1).trim().split("\\s+"));
        wanted.retainAll(have);
        return new ArrayList<>(wanted);
      }
    }
    return List.of("(unknown)");
  }

  private static List<String> cpuinfo() {
    try {
      return Files.readAllLines(Path.of("/proc/cpuinfo"));
    } catch (IOException e) {
      return List.of();
    }
  }

  static String bytes(long b) {
    if (b < 0) return "?";
    if (b < 1024) return b + " B";
    String[] units = {"KiB", "MiB", "GiB", "TiB"};
    double v = b;
    int u = -1;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
  }
}
