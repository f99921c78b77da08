package dev.lathe.torch;

import java.util.ArrayList;
import java.util.List;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.cuda.global.nvml;
import org.bytedeco.cuda.nvml.nvmlDevice_st;
import org.bytedeco.cuda.nvml.nvmlMemory_t;
import org.bytedeco.cuda.nvml.nvmlUtilization_t;
import org.bytedeco.javacpp.Loader;

/**
 * GPU facts from the CUDA runtime and NVML, through the Bytedeco CUDA presets. On a CPU build or a machine
 * without a driver every call answers "none" with a reason instead of failing: the natives are only loaded
 * when asked, and a missing library is caught here.
 */
public final class Gpus {
  /** One device as NVML sees it now. Unknown figures are -1. */
  public record GpuStatus(int index, String name, long memTotal, long memUsed, int utilPercent, int temperatureC,
      double powerWatts) {}

  /** The answer of a probe: the driver and runtime versions and each device, or why there are none. */
  public record Report(List<GpuStatus> devices, String driverVersion, int cudaDriverApi, int cudaRuntimeApi,
      String absenceReason) {
    public boolean present() {
      return !devices.isEmpty();
    }
  }

  private static volatile Boolean nvmlReady;

  private Gpus() {}

  /** Probes the GPUs; never throws. */
  public static Report probe() {
    String reason = null;
    int drv = -1;
    int rt = -1;
    try {
      Loader.load(cudart.class);
      int[] v = new int[1];
      if (cudart.cudaDriverGetVersion(v) == 0) drv = v[0];
      if (cudart.cudaRuntimeGetVersion(v) == 0) rt = v[0];
    } catch (Throwable t) {
      reason = Runtime.cudaAbsenceReason();
    }
    if (reason != null) return new Report(List.of(), null, -1, -1, reason);
    if (!initNvml()) return new Report(List.of(), null, drv, rt, "NVML (libnvidia-ml.so.1) is not available: no NVIDIA driver");
    byte[] buf = new byte[96];
    String driver = nvml.nvmlSystemGetDriverVersion(buf, buf.length) == 0 ? cString(buf) : null;
    List<GpuStatus> devices = status();
    return new Report(devices, driver, drv, rt, devices.isEmpty() ? "the driver reports no GPU" : null);
  }

  /** Current status of every GPU, or an empty list without NVML. Cheap enough to poll once a second. */
  public static List<GpuStatus> status() {
    List<GpuStatus> out = new ArrayList<>();
    if (!initNvml()) return out;
    int[] count = new int[1];
    if (nvml.nvmlDeviceGetCount_v2(count) != 0) return out;
    for (int i = 0; i < count[0]; i++) {
      nvmlDevice_st dev = new nvmlDevice_st();
      if (nvml.nvmlDeviceGetHandleByIndex_v2(i, dev) != 0) continue;
      byte[] name = new byte[96];
      String n = nvml.nvmlDeviceGetName(dev, name, name.length) == 0 ? cString(name) : "GPU " + i;
      long total = -1;
      long used = -1;
      try (nvmlMemory_t mem = new nvmlMemory_t()) {
        if (nvml.nvmlDeviceGetMemoryInfo(dev, mem) == 0) {
          total = mem.total();
          used = mem.used();
        }
      }
      int util = -1;
      try (nvmlUtilization_t u = new nvmlUtilization_t()) {
        if (nvml.nvmlDeviceGetUtilizationRates(dev, u) == 0) util = u.gpu();
      }
      int[] v = new int[1];
      int temp = nvml.nvmlDeviceGetTemperature(dev, nvml.NVML_TEMPERATURE_GPU, v) == 0 ? v[0] : -1;
      double watts = nvml.nvmlDeviceGetPowerUsage(dev, v) == 0 ? v[0] / 1000.0 : -1;
      out.add(new GpuStatus(i, n, total, used, util, temp, watts));
    }
    return out;
  }

  private static boolean initNvml() {
    Boolean ready = nvmlReady;
    if (ready != null) return ready;
    synchronized (Gpus.class) {
      if (nvmlReady == null) {
        boolean ok;
        try {
          Loader.load(nvml.class);
          ok = nvml.nvmlInit_v2() == 0;
        } catch (Throwable t) {
          ok = false;
        }
        nvmlReady = ok;
      }
      return nvmlReady;
    }
  }

  private static String cString(byte[] b) {
    int n = 0;
    while (n < b.length && b[n] != 0) n++;
    return new String(b, 0, n, java.nio.charset.StandardCharsets.UTF_8);
  }

  /** "13.1" from CUDA's 13010 encoding. */
  public static String cudaVersion(int v) {
    return v < 0 ? "?" : (v / 1000) + "." + (v % 1000) / 10;
  }
}
