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

  public GpuWatcher(long periodMs) {
    thread = new Thread(() -> {
      while (running) {
        try {
          latest = List.copyOf(Gpus.status());
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
