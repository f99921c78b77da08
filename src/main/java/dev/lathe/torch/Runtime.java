package dev.lathe.torch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.DeviceType;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The one place that knows which device training runs on. It loads libtorch, picks the device (cpu, cuda:N or
 * auto), the compute dtype (fp32 on the CPU, bf16 on a GPU unless configured), the thread count, and reports
 * memory. Code elsewhere asks it for tensor options and generators and never branches on the device itself.
 */
public final class Runtime {
  private static volatile boolean loaded;

  private final Device device;
  private final boolean cuda;
  private final ScalarType computeDtype;
  private final int threads;

  private Runtime(Device device, boolean cuda, ScalarType computeDtype, int threads) {
    this.device = device;
    this.cuda = cuda;
    this.computeDtype = computeDtype;
    this.threads = threads;
  }

  /** Loads the native libraries once; cheap afterwards. */
  public static void load() {
    if (loaded) return;
    synchronized (Runtime.class) {
      if (!loaded) {
        Loader.load(torch.class);
        NativeMemory.startWatchdog();
        loaded = true;
      }
    }
  }

  /** A CPU runtime in fp32 with the default thread count: what tests and the demo use. */
  public static Runtime cpu() {
    return create("cpu", null, 0);
  }

  /**
   * @param device "auto", "cpu", "cuda" or "cuda:N"
   * @param dtype "fp32", "bf16", "fp16", or null for the device's default
   * @param threads intra-op threads, 0 for every core
   * @throws IllegalArgumentException naming the value when a device or dtype is unknown or a GPU is absent
   */
  public static Runtime create(String device, String dtype, int threads) {
    load();
    String d = device == null ? "auto" : device.trim().toLowerCase(Locale.ROOT);
    boolean haveCuda = torch.cuda_is_available();
    Device dev;
    boolean cuda;
    if (d.equals("auto")) {
      cuda = haveCuda;
      dev = cuda ? new Device(DeviceType.CUDA, (byte) 0) : new Device(DeviceType.CPU);
    } else if (d.equals("cpu")) {
      cuda = false;
      dev = new Device(DeviceType.CPU);
    } else if (d.equals("cuda") || d.startsWith("cuda:")) {
      if (!haveCuda) throw new IllegalArgumentException("device '" + device + "': no CUDA GPU is usable here (" + cudaAbsenceReason() + ")");
      int index = d.equals("cuda") ? 0 : parseIndex(device, d.substring(5));
      int count = torch.cuda_device_count();
      if (index >= count) throw new IllegalArgumentException("device '" + device + "': only " + count + " GPU(s) present");
      cuda = true;
      dev = new Device(DeviceType.CUDA, (byte) index);
    } else {
      throw new IllegalArgumentException("device '" + device + "' is not one of auto, cpu, cuda, cuda:N");
    }
    ScalarType dt = dtype == null || dtype.isBlank() ? (cuda ? ScalarType.BFloat16 : ScalarType.Float) : parseDtype(dtype);
    int n = threads > 0 ? threads : defaultThreads(cuda);
    torch.set_num_threads(n);
    Blas.setThreads(Blas.threadsFor(n));   // why one by default: see Blas
    return new Runtime(dev, cuda, dt, n);
  }

  /**
   * LATHE_THREADS (or -Dlathe.threads) when set; else, training on the CPU, every core but one (the console, the
   * data loader and the OS need one; on a two-core box a second compute thread that is descheduled makes every
   * small op wait — measured 8x slower), and every core when a GPU does the work.
   */
  public static int defaultThreads(boolean gpu) {
    int cores = java.lang.Runtime.getRuntime().availableProcessors();
    int fallback = gpu ? cores : Math.max(1, cores - 1);
    return configuredThreads(fallback);
  }

  private static int configuredThreads(int fallback) {
    String v = System.getProperty("lathe.threads", System.getenv("LATHE_THREADS"));
    if (v != null && !v.isBlank()) {
      try {
        int n = Integer.parseInt(v.trim());
        if (n > 0) return n;
      } catch (NumberFormatException ignored) {
        // fall through to the core count
      }
    }
    return fallback;
  }

  private static int parseIndex(String raw, String s) {
    try {
      return Integer.parseInt(s);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("device '" + raw + "': GPU index '" + s + "' is not a number");
    }
  }

  /** "fp32" / "float32", "bf16" / "bfloat16", "fp16" / "float16". */
  public static ScalarType parseDtype(String s) {
    return switch (s.trim().toLowerCase(Locale.ROOT)) {
      case "fp32", "float32", "f32", "float" -> ScalarType.Float;
      case "bf16", "bfloat16" -> ScalarType.BFloat16;
      case "fp16", "float16", "f16", "half" -> ScalarType.Half;
      default -> throw new IllegalArgumentException("dtype '" + s + "' is not one of fp32, bf16, fp16");
    };
  }

  /** Why CUDA is not usable, in words, for doctor and error messages. */
  public static String cudaAbsenceReason() {
    load();
    if (!isGpuBuild()) return "this build carries the CPU natives; rebuild with -Pgpu on an NVIDIA machine";
    if (!Files.exists(Path.of("/dev/nvidiactl"))) return "no NVIDIA device nodes (/dev/nvidiactl): no GPU or no driver";
    return "the CUDA runtime found no usable GPU (driver too old for CUDA 13.1, or libraries missing)";
  }

  /** True when the libtorch natives on the class path were built with CUDA. */
  public static boolean isGpuBuild() {
    load();
    String cfg = torch.show_config().getString();
    return cfg.contains("USE_CUDA=1") || cfg.contains("USE_CUDA=ON");
  }

  public Device device() {
    return device;
  }

  /** Whether this runtime computes on a GPU; for reports (VRAM or RSS), never to pick a code path. */
  public boolean isCuda() {
    return cuda;
  }

  /** Waits until every queued kernel on this runtime's device has finished (a no-op on the CPU): before timing. */
  public void synchronize() {
    if (cuda) torch.synchronizeDevice(device.index());
  }

  /** GPU {@code gpuId} in {@code dtype} when CUDA is usable, else the CPU in fp32 (the dtype applies on a GPU only). */
  public static Runtime preferGpu(int gpuId, String dtype) {
    return cudaUsable() ? create("cuda:" + gpuId, dtype, 0) : cpu();
  }

  /** "cuda:N" when CUDA is usable, else "cpu": the device a job queues on. */
  public static String preferredDevice(int gpuId) {
    return cudaUsable() ? "cuda:" + gpuId : "cpu";
  }

  /** Whether a CUDA GPU is usable in this process. */
  public static boolean cudaUsable() {
    load();
    return torch.cuda_is_available();
  }

  /** The dtype models compute in. */
  public ScalarType computeDtype() {
    return computeDtype;
  }

  public int threads() {
    return threads;
  }

  /** Options for a tensor of {@code dtype} on this runtime's device. */
  public TensorOptions options(ScalarType dtype) {
    return new TensorOptions(dtype).device(new org.bytedeco.pytorch.DeviceOptional(device));
  }

  /** Options for a tensor in the compute dtype on this runtime's device. */
  public TensorOptions options() {
    return options(computeDtype);
  }

  /**
   * A random stream seeded with {@code seed}. Always a CPU generator so that the same seed draws the same numbers
   * on every device; draw on the CPU, then move.
   */
  public static Generator generator(long seed) {
    load();
    return torch.createCPUGenerator(seed);
  }

  /** "cpu" or "cuda:0". */
  public String deviceName() {
    return cuda ? "cuda:" + device.index() : "cpu";
  }

  /** Memory now; device figures only on a GPU. */
  public MemoryStats memory() {
    long rss = Pointer.physicalBytes();
    long peak = peakRss();
    if (!cuda) return new MemoryStats(rss, peak, -1, -1, -1, -1, -1);
    byte idx = device.index();
    var stats = torch.getDeviceStats(idx);
    var freeTotal = torch.getMemoryInfo(idx);
    return new MemoryStats(rss, peak, stats.allocated_bytes().current(), stats.allocated_bytes().peak(),
        stats.reserved_bytes().current(), freeTotal.first(), freeTotal.second());
  }

  /** Resets the device peak counter (GPU only). */
  public void resetPeak() {
    if (cuda) torch.resetPeakStats(device.index());
  }

  /** Peak resident set size of this process (VmHWM), or -1 where /proc is absent. */
  public static long peakRss() {
    return procStatusKb("VmHWM:") * 1024;
  }

  /** Physical RAM of the machine in bytes, or -1 if unknown. */
  public static long physicalRam() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
        if (line.startsWith("MemTotal:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
      }
    } catch (IOException | NumberFormatException ignored) {
      // not Linux
    }
    return -1;
  }

  private static long procStatusKb(String key) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith(key)) return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    } catch (IOException | NumberFormatException ignored) {
      // not Linux
    }
    return -1;
  }

  /** Whether the launcher set OMP_WAIT_POLICY=PASSIVE (libgomp reads it only at load time). */
  public static boolean ompPassive() {
    return "PASSIVE".equalsIgnoreCase(System.getenv("OMP_WAIT_POLICY"));
  }

  @Override
  public String toString() {
    return deviceName() + " " + computeDtype.intern() + " threads=" + threads;
  }
}
