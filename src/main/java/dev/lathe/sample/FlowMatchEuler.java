package dev.lathe.sample;

/**
 * The flow-matching Euler schedule with a static shift (FlowMatchEulerDiscreteScheduler without dynamic shifting):
 * σ_k = linspace(1, 1/N, N), shifted σ' = sσ / (1 + (s − 1)σ), then a final 0; one Euler step is
 * x ← x + (σ_{k+1} − σ_k)·v with v ≈ ε − x0.
 */
public final class FlowMatchEuler {
  private FlowMatchEuler() {}

  /** The N + 1 noise levels of an N-step run, from 1 down to 0. */
  public static double[] sigmas(int steps, double shift) {
    if (steps < 1) throw new IllegalArgumentException("steps must be >= 1, was " + steps);
    double[] s = new double[steps + 1];
    for (int k = 0; k < steps; k++) {
      double sigma = steps == 1 ? 1.0 : 1.0 + (1.0 / steps - 1.0) * k / (steps - 1);   // linspace(1, 1/N, N)
      s[k] = shift(sigma, shift);
    }
    s[steps] = 0.0;
    return s;
  }

  /** σ' = sσ / (1 + (s − 1)σ). */
  public static double shift(double sigma, double shift) {
    return shift * sigma / (1.0 + (shift - 1.0) * sigma);
  }
}
