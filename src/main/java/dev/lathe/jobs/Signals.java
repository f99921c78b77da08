package dev.lathe.jobs;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import sun.misc.Signal;

/**
 * SIGINT, SIGTERM and SIGHUP for a headless run. The first signal only raises a flag: the trainer finishes or
 * abandons its step, writes a full-state checkpoint and exits as interrupted. A second signal exits at once;
 * that is safe because every file Lathe writes is replaced atomically, so nothing is left half-written.
 */
public final class Signals {
  private static final AtomicInteger COUNT = new AtomicInteger();
  private static final AtomicReference<String> FIRST = new AtomicReference<>();
  private static volatile boolean installed;

  private Signals() {}

  /** Installs the handlers once per process. */
  public static synchronized void install() {
    if (installed) return;
    for (String name : new String[] {"INT", "TERM", "HUP"}) {
      try {
        Signal.handle(new Signal(name), s -> {
          FIRST.compareAndSet(null, "SIG" + s.getName());
          if (COUNT.incrementAndGet() >= 2) {
            System.err.println("\nlathe: second signal (SIG" + s.getName() + "): exiting now; files on disk are intact");
            java.lang.Runtime.getRuntime().halt(128 + s.getNumber());
          }
          System.err.println("\nlathe: SIG" + s.getName() + " received: finishing the step and writing a checkpoint (send again to exit at once)");
        });
      } catch (IllegalArgumentException e) {
        // signal not available on this platform (or reserved by the JVM): skip
      }
    }
    installed = true;
  }

  /** Whether a signal asked the process to stop. */
  public static boolean received() {
    return COUNT.get() > 0;
  }

  /** "SIGTERM" etc. of the first signal, or null. */
  public static String which() {
    return FIRST.get();
  }
}
