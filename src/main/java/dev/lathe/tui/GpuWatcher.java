package dev.lathe.tui;

import dev.lathe.torch.Gpus;
import java.util.List;
import java.util.function.Supplier;

/**
 * Polls NVML on its own daemon thread (every {@code periodMs}) so the GUI thread only reads the latest list. The
 * first poll loads the CUDA natives, which can take a second; that never happens on the GUI thread.
 */
public final class GpuWatcher implements Supplier<List<Gpus.GpuStatus>>, AutoCloseable {
  private volatile List<Gpus.GpuStatus> latest = List.of();
  private final Thread thread;
  private volatile boolean running = true;

  /** Polls NVML ({@link Gpus#status()}). */
  public GpuWatcher(long periodMs) {
    this(Gpus::status, periodMs);
  }

  /**
   * Polls {@code poll} instead of NVML (a test's fake devices, another source). A poll that throws ends the watching
   * for good and leaves the list empty, as a missing NVML does.
   */
  public GpuWatcher(Supplier<List<Gpus.GpuStatus>> poll, long periodMs) {
    thread = new Thread(() -> {
      while (running) {
        try {
          latest = List.copyOf(poll.get());
        } catch (Throwable t) {
          latest = List.of();
          return;                                    // no natives: nothing to poll, ever
        }
        try {
          Thread.sleep(periodMs);
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "lathe-gpu-watch");
    thread.setDaemon(true);
    thread.start();
  }

  @Override
  public List<Gpus.GpuStatus> get() {
    return latest;
  }

  @Override
  public void close() {
    running = false;
    thread.interrupt();
  }
}
