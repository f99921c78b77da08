package dev.lathe.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The warm-up's stopping rule: a minimum, then JIT quiet or the time cap, whichever comes first. */
class JitWarmupTest {
  static int run(JitWarmup w, double stepSeconds) {
    int n = 0;
    while (w.more() && n < 10_000) {
      w.stepped(stepSeconds);
      n++;
    }
    return n;
  }

  @Test
  void exact_runsTheMinimumOnly() {
    JitWarmup w = new JitWarmup(4, false);
    assertThat(run(w, 0.001)).isEqualTo(4);
    assertThat(w.steps()).isEqualTo(4);
    assertThat(w.quiet()).isFalse();
    assertThat(run(new JitWarmup(0, false), 0.001)).isZero();
  }

  @Test
  void untilQuiet_neverFewerThanTheMinimum_andStopsAtTheTimeCap() {
    // steps of 11 s: the 30 s cap ends the warm-up after at most 3 steps past the minimum, quiet or not
    JitWarmup w = new JitWarmup(2, true);
    int n = run(w, 11);
    assertThat(n).isBetween(2, 2 + 3);
    // long steps make the JIT's share tiny, so three quiet steps come first unless a compile burst hits each one
    JitWarmup q = new JitWarmup(0, true);
    assertThat(run(q, 11)).isLessThanOrEqualTo(3);
  }

  @Test
  void untilQuiet_waitsForThreeQuietStepsInARow() {
    JitWarmup w = new JitWarmup(1, true);
    int n = run(w, 5);                      // 5 s steps: 2 % is 100 ms of compilation, rarely reached
    assertThat(n).isGreaterThanOrEqualTo(1 + JitWarmup.QUIET_STEPS - 1).isLessThanOrEqualTo(7);
    if (n < 7) assertThat(w.quiet()).isTrue();
  }
}
