package dev.lathe.train;

import java.util.Arrays;

/**
 * Draws noise levels for training, as the reference tool does (ai-toolkit.md §3.2), on a table T of 1000
 * timesteps sorted from high noise (t = 1000) to low; an index i into T is drawn per item, σ = T[i] / 1000.
 * <ul>
 *   <li>linear: T = linspace(1000, 1); i uniform, so σ is uniform;
 *   <li>sigmoid: T = 1000·(1 − logistic(z)), z ~ N(0, 1), 1000 fresh draws per batch, sorted; σ concentrates near 0.5;
 *   <li>weighted: linear T, and each item's loss is multiplied by a bell-shaped weight over the index, mean 1
 *       (the reference's "bell-shaped mean-normalised timestep weighting", floored so no timestep gets zero weight);
 *   <li>shift: σ_k = linspace(1, 1/1000) then σ' = φσ / (1 + (φ − 1)σ) with the family's shift φ, as sampling uses.
 * </ul>
 * Bias picks the index: balanced uniform over [min, max]; high noise i = ⌊u³·1000⌋ (composition);
 * low noise i = ⌊(1 − u³)·1000⌋ (detail), remapped into [min, max]. Unlike the reference, balanced can draw
 * the last index too.
 */
public final class TimestepSampler {
  public enum Type { LINEAR, SIGMOID, WEIGHTED, SHIFT }

  public enum Bias { BALANCED, HIGH_NOISE, LOW_NOISE }

  static final int N = 1000;
  private static final double[] BELL = bell();

  private final Type type;
  private final Bias bias;
  private final double shift;
  private final int min;
  private final int max;   // inclusive

  public TimestepSampler(Type type, Bias bias, double shift) {
    this(type, bias, shift, 0, N - 1);
  }

  public TimestepSampler(Type type, Bias bias, double shift, int minIndex, int maxIndex) {
    if (minIndex < 0 || maxIndex >= N || minIndex > maxIndex) throw new IllegalArgumentException("index range [" + minIndex + ", " + maxIndex + "] outside 0..999");
    if (!(shift > 0)) throw new IllegalArgumentException("shift must be > 0");
    this.type = type;
    this.bias = bias;
    this.shift = shift;
    this.min = minIndex;
    this.max = maxIndex;
  }

  /** Noise levels and loss weights for one micro-batch. */
  public record Draw(double[] sigmas, double[] weights) {}

  public Draw draw(int batch, Rng.Scalar rng) {
    double[] table = table(rng);
    double[] sigmas = new double[batch];
    double[] weights = new double[batch];
    for (int b = 0; b < batch; b++) {
      int i = index(rng);
      sigmas[b] = table[i] / N;
      weights[b] = type == Type.WEIGHTED ? BELL[i] : 1.0;
    }
    return new Draw(sigmas, weights);
  }

  /** The timestep table, descending, t in (0, 1000]. */
  double[] table(Rng.Scalar rng) {
    double[] t = new double[N];
    switch (type) {
      case LINEAR, WEIGHTED -> {
        for (int i = 0; i < N; i++) t[i] = N - i * (N - 1.0) / (N - 1);
      }
      case SIGMOID -> {
        for (int i = 0; i < N; i++) t[i] = N * (1 - 1 / (1 + Math.exp(-rng.nextGaussian())));
        Arrays.sort(t);
        for (int i = 0; i < N / 2; i++) {
          double tmp = t[i];
          t[i] = t[N - 1 - i];
          t[N - 1 - i] = tmp;
        }
      }
      case SHIFT -> {
        for (int i = 0; i < N; i++) {
          double s = 1 - i * (1 - 1.0 / N) / (N - 1);
          t[i] = N * shifted(s, shift);
        }
      }
    }
    return t;
  }

  /** Static shift of a noise level: σ' = φσ / (1 + (φ − 1)σ). */
  public static double shifted(double sigma, double shift) {
    return shift * sigma / (1 + (shift - 1) * sigma);
  }

  int index(Rng.Scalar rng) {
    double u = rng.nextDouble();
    double raw = switch (bias) {
      case BALANCED -> -1;
      case HIGH_NOISE -> Math.floor(u * u * u * N);
      case LOW_NOISE -> Math.floor((1 - u * u * u) * N);
    };
    if (raw < 0) return min + rng.nextInt(max - min + 1);
    int i = (int) Math.round(min + raw / (N - 1) * (max - min));
    return Math.max(min, Math.min(max, i));
  }

  /** exp(−2((i − 500)/1000)²), shifted so its minimum is 0.1 of its range, scaled to mean 1. */
  private static double[] bell() {
    double[] y = new double[N];
    double lo = Double.MAX_VALUE;
    double hi = -Double.MAX_VALUE;
    for (int i = 0; i < N; i++) {
      double d = (i - N / 2.0) / N;
      y[i] = Math.exp(-2 * d * d);
      lo = Math.min(lo, y[i]);
      hi = Math.max(hi, y[i]);
    }
    double floor = 0.1 * (hi - lo);
    double sum = 0;
    for (int i = 0; i < N; i++) {
      y[i] = y[i] - lo + floor;
      sum += y[i];
    }
    for (int i = 0; i < N; i++) y[i] *= N / sum;
    return y;
  }

  /** The loss weight of index i for the weighted type (tests, docs). */
  static double weightAt(int i) {
    return BELL[i];
  }
}
