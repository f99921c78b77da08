package dev.lathe.torch;

/**
 * Memory at one moment. On the CPU only the process figures are set; on a GPU the device figures come from the
 * torch allocator (allocated, peak) and the driver (free, total). Unknown values are -1.
 */
public record MemoryStats(long rssBytes, long peakRssBytes, long deviceAllocated, long devicePeak,
    long deviceReserved, long deviceFree, long deviceTotal) {

  public boolean hasDevice() {
    return deviceTotal > 0;
  }

  /** What a gauge shows as "used": device allocation on a GPU, process RSS on the CPU. */
  public long used() {
    return hasDevice() ? deviceAllocated : rssBytes;
  }

  public long peak() {
    return hasDevice() ? devicePeak : peakRssBytes;
  }

  /** Capacity for a gauge: device memory on a GPU, physical RAM on the CPU. */
  public long total() {
    return hasDevice() ? deviceTotal : Runtime.physicalRam();
  }
}
