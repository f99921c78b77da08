package dev.lathe.config;

import dev.lathe.torch.Gpus;
import java.util.List;

/**
 * The machine a config is checked against. Validation compares the VRAM guidance of the chosen family with
 * {@link #gpuMemoryBytes()}; tests pass a made-up GPU, the CLI the detected one.
 *
 * @param gpuName what to call the GPU in messages, or "" without one
 * @param gpuMemoryBytes total memory of the GPU the job will use, or 0 when there is none (no VRAM checks)
 * @param cpuOnly the run is known to go on the CPU (the trainer found no usable GPU), so GPU-only settings such as
 *     the training dtype do not apply; false when the device is simply unknown
 */
public record Environment(String gpuName, long gpuMemoryBytes, boolean cpuOnly) {
  public static final long GIB = 1L << 30;

  public Environment(String gpuName, long gpuMemoryBytes) {
    this(gpuName, gpuMemoryBytes, false);
  }

  /** A run that will go on the CPU: no VRAM checks, and settings that only apply on a GPU are reported. */
  public static Environment cpu() {
    return new Environment("", 0, true);
  }

  /** No GPU known: the VRAM rule stays silent. */
  public static Environment none() {
    return new Environment("", 0);
  }

  public static Environment gpu(String name, long memoryBytes) {
    return new Environment(name, memoryBytes);
  }

  /** A made-up GPU of {@code gb} GiB, e.g. for tests or `lathe config check --vram 24`. */
  public static Environment gpuGb(double gb) {
    return new Environment("the GPU", (long) (gb * GIB));
  }

  /** The GPU with CUDA index {@code gpuIndex} as NVML reports it, or {@link #none()}; never throws. */
  public static Environment detect(int gpuIndex) {
    try {
      List<Gpus.GpuStatus> gpus = Gpus.status();
      for (Gpus.GpuStatus g : gpus) if (g.index() == gpuIndex && g.memTotal() > 0) return gpu(g.name(), g.memTotal());
    } catch (Throwable t) {
      // no driver, no natives: nothing to compare against
    }
    return none();
  }

  public boolean hasGpu() {
    return gpuMemoryBytes > 0;
  }

  public double gpuGb() {
    return gpuMemoryBytes / (double) GIB;
  }
}
