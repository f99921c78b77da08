package dev.lathe.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The halves of an alternating run: even steps on, odd steps off, each half's median (hand-computed here). */
class AlternateTest {
  @Test
  void result_takesEvenStepsAsOnAndOddAsOff() {
    // on: 0.10, 0.30, 0.50 s -> median 300 ms; off: 0.20, 0.60 s -> median 400 ms
    Map<String, Object> r = Alternate.SPLIT_HEADS.result(new double[] {0.10, 0.20, 0.30, 0.60, 0.50});
    assertThat(r.get("switch")).isEqualTo("split-heads");
    assertThat(r.get("steps_on")).isEqualTo(3);
    assertThat(r.get("steps_off")).isEqualTo(2);
    assertThat((Double) r.get("on_ms")).isCloseTo(300.0, within(1e-9));
    assertThat((Double) r.get("off_ms")).isCloseTo(400.0, within(1e-9));
    assertThat((Double) r.get("ratio")).isCloseTo(0.75, within(1e-12));
    assertThat(Alternate.describe(r)).isEqualTo("alternating split-heads: on 300.0 ms, off 400.0 ms (medians of 3 and 2 steps): on/off 0.750");
  }

  @Test
  void of_namesTheKnownSwitches() {
    assertThat(Alternate.of("join-weights")).isEqualTo(Alternate.JOIN_WEIGHTS);
    assertThatThrownBy(() -> Alternate.of("fast")).hasMessage("unknown switch 'fast' for --alternate; known: split, split-heads, join-weights");
  }
}
