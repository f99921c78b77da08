package dev.lathe.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class TimestepSamplerTest {
  private static double[] sigmas(TimestepSampler s, int draws) {
    double[] out = new double[draws];
    for (int i = 0; i < draws; i++) out[i] = s.draw(1, new Rng.Scalar(42, i, 0, Rng.Stream.TIMESTEP)).sigmas()[0];
    return out;
  }

  private static double mean(double[] a) {
    return Arrays.stream(a).average().orElseThrow();
  }

  private static double std(double[] a) {
    double m = mean(a);
    return Math.sqrt(Arrays.stream(a).map(x -> (x - m) * (x - m)).average().orElseThrow());
  }

  @Test
  void linear_isUniform() {
    double[] s = sigmas(new TimestepSampler(TimestepSampler.Type.LINEAR, TimestepSampler.Bias.BALANCED, 3), 4000);
    assertThat(mean(s)).isCloseTo(0.5, within(0.02));
    assertThat(std(s)).isCloseTo(1 / Math.sqrt(12), within(0.01));
    assertThat(Arrays.stream(s).min().orElseThrow()).isGreaterThanOrEqualTo(0.001);
    assertThat(Arrays.stream(s).max().orElseThrow()).isLessThanOrEqualTo(1.0);
  }

  @Test
  void sigmoid_concentratesInTheMiddle() {
    double[] s = sigmas(new TimestepSampler(TimestepSampler.Type.SIGMOID, TimestepSampler.Bias.BALANCED, 3), 3000);
    assertThat(mean(s)).isCloseTo(0.5, within(0.02));
    assertThat(std(s)).isLessThan(0.24).isGreaterThan(0.15);   // logistic(N(0,1)) has std ≈ 0.21
  }

  @Test
  void shift_movesTowardNoise() {
    double[] s = sigmas(new TimestepSampler(TimestepSampler.Type.SHIFT, TimestepSampler.Bias.BALANCED, 3), 3000);
    // E[3σ/(1+2σ)] for σ ~ U(0,1) = 1.5 − 0.75·ln 3 ≈ 0.676
    assertThat(mean(s)).isCloseTo(1.5 - 0.75 * Math.log(3), within(0.02));
    assertThat(TimestepSampler.shifted(0.5, 3)).isCloseTo(0.75, within(1e-12));
  }

  @Test
  void bias_highAndLowNoise() {
    double hi = mean(sigmas(new TimestepSampler(TimestepSampler.Type.LINEAR, TimestepSampler.Bias.HIGH_NOISE, 3), 3000));
    double lo = mean(sigmas(new TimestepSampler(TimestepSampler.Type.LINEAR, TimestepSampler.Bias.LOW_NOISE, 3), 3000));
    // i = u³·1000 → E[u³] = 1/4 of the way from high noise: σ ≈ 0.75; low noise the mirror
    assertThat(hi).isCloseTo(0.75, within(0.03));
    assertThat(lo).isCloseTo(0.25, within(0.03));
  }

  @Test
  void weighted_weightsHaveMeanOne_peakInTheMiddle() {
    double sum = 0;
    for (int i = 0; i < 1000; i++) sum += TimestepSampler.weightAt(i);
    assertThat(sum / 1000).isCloseTo(1.0, within(1e-9));
    assertThat(TimestepSampler.weightAt(500)).isGreaterThan(TimestepSampler.weightAt(100)).isGreaterThan(TimestepSampler.weightAt(0));
    assertThat(TimestepSampler.weightAt(0)).isGreaterThan(0);
    var d = new TimestepSampler(TimestepSampler.Type.WEIGHTED, TimestepSampler.Bias.BALANCED, 3).draw(4, new Rng.Scalar(1, 1, 0, Rng.Stream.TIMESTEP));
    for (int b = 0; b < 4; b++) assertThat(d.weights()[b]).isCloseTo(TimestepSampler.weightAt((int) Math.round(1000 - d.sigmas()[b] * 1000)), within(1e-9));
  }

  @Test
  void sameStep_sameDraw() {
    var s = new TimestepSampler(TimestepSampler.Type.SIGMOID, TimestepSampler.Bias.BALANCED, 3);
    double[] a = s.draw(3, new Rng.Scalar(7, 123, 1, Rng.Stream.TIMESTEP)).sigmas();
    double[] b = s.draw(3, new Rng.Scalar(7, 123, 1, Rng.Stream.TIMESTEP)).sigmas();
    double[] c = s.draw(3, new Rng.Scalar(7, 124, 1, Rng.Stream.TIMESTEP)).sigmas();
    assertThat(a).containsExactly(b);
    assertThat(a).isNotEqualTo(c);
  }
}
