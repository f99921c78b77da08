package dev.lathe.bench;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;

/**
 * When to stop warming up: after at least the requested steps, once the JVM's JIT has gone quiet. During a JVM's first
 * seconds its compiler threads compile Lathe's and JavaCPP's code and take CPU from the step being timed (on a 2-core
 * machine, a C2 compile beside a two-thread step costs that step up to a third of its speed). A training run of
 * thousands of steps pays this once, so the bench times the steady state: it keeps warming up until
 * {@link #QUIET_STEPS} steps in a row each saw less than {@link #QUIET_FRACTION} of their wall time in compilation,
 * within {@link #MAX_SECONDS} of warm-up. The compile time spent during the timed steps is reported beside them.
 */
final class JitWarmup {
  static final double QUIET_FRACTION = 0.02;
  static final int QUIET_STEPS = 3;
  static final double MAX_SECONDS = 30;

  private final CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
  private final int minSteps;
  private final boolean untilQuiet;
  private int steps;
  private int quietInARow;
  private double seconds;
  private long lastCompileMs = compileMs();

  /** @param untilQuiet false: exactly {@code minSteps} */
  JitWarmup(int minSteps, boolean untilQuiet) {
    this.minSteps = minSteps;
    this.untilQuiet = untilQuiet && jit != null && jit.isCompilationTimeMonitoringSupported();
  }

  /** Milliseconds the JIT has compiled since the JVM started (0 where the JVM cannot say). */
  long compileMs() {
    return jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : 0;
  }

  /** True while another warm-up step is wanted; call before each step, then {@link #stepped} after it. */
  boolean more() {
    if (steps < minSteps) return true;
    return untilQuiet && quietInARow < QUIET_STEPS && seconds < MAX_SECONDS;
  }

  void stepped(double stepSeconds) {
    long now = compileMs();
    boolean quiet = (now - lastCompileMs) / 1e3 < QUIET_FRACTION * stepSeconds;
    quietInARow = quiet ? quietInARow + 1 : 0;
    lastCompileMs = now;
    seconds += stepSeconds;
    steps++;
  }

  int steps() {
    return steps;
  }

  /** Whether the warm-up ended with the JIT quiet (false when it hit the time cap or was not asked to wait). */
  boolean quiet() {
    return untilQuiet && quietInARow >= QUIET_STEPS;
  }
}
