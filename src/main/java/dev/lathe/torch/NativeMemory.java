package dev.lathe.torch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.bytedeco.javacpp.Pointer;

/**
 * How native memory held by unreachable Java handles gets back, without a cost on every tensor.
 *
 * <p>JavaCPP can guard native memory itself: with {@code org.bytedeco.javacpp.maxPhysicalBytes} above zero, every
 * new handle (each tensor an op returns, each size list, each optional) first reads the process's resident size from
 * /proc and, when it is over the limit, runs the garbage collector. That read costs more than a small op itself
 * ({@code lathe bench calls} measures it; a training step makes thousands of such calls, figures in the README).
 * Lathe therefore sets the limit to 0 ({@link #PROPERTY}; the launcher, {@code Main} and the test JVMs do) and runs
 * this watchdog instead: once a second it reads the resident size and, above {@link #limitBytes}, asks for a
 * collection, at most once every {@link #MIN_GC_INTERVAL_NANOS}. Training code releases its tensors through
 * PointerScopes anyway; the watchdog is the safety net for handles that were dropped without one.
 *
 * <p>The limit is 90 % of the smaller of physical RAM and the cgroup's memory.max (containers), or
 * {@code -Dlathe.gcAtRssBytes=N}.
 */
public final class NativeMemory {
  private NativeMemory() {}

  /** JavaCPP's per-allocation RSS check; Lathe runs with it at 0 (off). */
  public static final String PROPERTY = "org.bytedeco.javacpp.maxPhysicalBytes";
  static final long MIN_GC_INTERVAL_NANOS = 10_000_000_000L;
  private static final long PERIOD_MS = 1000;

  private static volatile Thread watchdog;
  private static final AtomicLong collections = new AtomicLong();

  /**
   * Turns JavaCPP's per-allocation check off unless the command line chose a value. Takes effect only when called
   * before JavaCPP's {@code Pointer} class initialises, i.e. first thing in {@code main}.
   */
  public static void configure() {
    if (System.getProperty(PROPERTY) == null) System.setProperty(PROPERTY, "0");
  }

  /** Starts the watchdog thread once per process (a daemon; cheap to call again). */
  public static void startWatchdog() {
    if (watchdog != null) return;
    synchronized (NativeMemory.class) {
      if (watchdog != null) return;
      long limit = limitBytes(Runtime.physicalRam(), cgroupLimit(), System.getProperty("lathe.gcAtRssBytes"));
      if (limit <= 0) return;
      Guard guard = new Guard(limit, NativeMemory::rss, System::nanoTime, NativeMemory::collect);
      Thread t = new Thread(() -> {
        while (true) {
          guard.check();
          try {
            Thread.sleep(PERIOD_MS);
          } catch (InterruptedException e) {
            return;
          }
        }
      }, "lathe-native-memory");
      t.setDaemon(true);
      t.start();
      watchdog = t;
    }
  }

  /** Collections the watchdog has asked for in this process. */
  public static long collections() {
    return collections.get();
  }

  /**
   * The resident size above which the watchdog collects: {@code override} when set, else 90 % of the smaller known
   * of {@code physicalRam} and {@code cgroupLimit} (either may be ≤ 0 for unknown); 0 when nothing is known.
   *
   * @throws IllegalArgumentException when {@code override} is not a positive number of bytes
   */
  static long limitBytes(long physicalRam, long cgroupLimit, String override) {
    if (override != null && !override.isBlank()) {
      long v;
      try {
        v = Long.parseLong(override.trim());
      } catch (NumberFormatException e) {
        v = -1;
      }
      if (v <= 0) throw new IllegalArgumentException("-Dlathe.gcAtRssBytes=" + override + ": give a positive number of bytes");
      return v;
    }
    long known = physicalRam > 0 ? physicalRam : Long.MAX_VALUE;
    if (cgroupLimit > 0) known = Math.min(known, cgroupLimit);
    return known == Long.MAX_VALUE ? 0 : known / 10 * 9;
  }

  /** The decision, apart from the clock, /proc and the collector, so that tests can drive it. */
  static final class Guard {
    private final long limit;
    private final LongSupplier rss;
    private final LongSupplier clock;
    private final Runnable collect;
    private long lastCollect = Long.MIN_VALUE;

    Guard(long limit, LongSupplier rss, LongSupplier clock, Runnable collect) {
      this.limit = limit;
      this.rss = rss;
      this.clock = clock;
      this.collect = collect;
    }

    /** Collects when the resident size is over the limit and the last collection is long enough ago. */
    boolean check() {
      long now = clock.getAsLong();
      if (lastCollect != Long.MIN_VALUE && now - lastCollect < MIN_GC_INTERVAL_NANOS) return false;
      long r = rss.getAsLong();
      if (r <= limit) return false;
      lastCollect = now;
      collect.run();
      return true;
    }
  }

  private static long rss() {
    return Pointer.physicalBytes();
  }

  private static void collect() {
    collections.incrementAndGet();
    System.gc();   // unreachable handles are enqueued; JavaCPP's deallocator thread then frees their native memory
  }

  /** cgroup v2 memory.max (or v1 limit_in_bytes) of this process, or -1 when unlimited or unknown. */
  static long cgroupLimit() {
    for (String f : new String[] {"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"}) {
      try {
        String s = Files.readString(Path.of(f)).trim();
        if (s.equals("max")) return -1;
        long v = Long.parseLong(s);
        return v >= (1L << 60) ? -1 : v;   // v1 reports "unlimited" as a huge number
      } catch (IOException | NumberFormatException | SecurityException ignored) {
        // not this cgroup version, or not Linux
      }
    }
    return -1;
  }
}
