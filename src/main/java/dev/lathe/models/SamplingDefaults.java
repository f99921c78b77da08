package dev.lathe.models;

/**
 * How a model variant samples unless the user says otherwise.
 *
 * @param steps Euler steps
 * @param guidance classifier-free guidance in the standard convention v = v_neg + g·(v_pos − v_neg); g ≤ 1 means no
 *     guidance (one pass, no negative prompt). Some pipelines write the same thing as v_pos + g'·(v_pos − v_neg): then
 *     g = g' + 1
 * @param shift the flow-matching schedule shift σ' = sσ / (1 + (s − 1)σ)
 */
public record SamplingDefaults(int steps, double guidance, double shift) {
  public SamplingDefaults {
    if (steps < 1) throw new IllegalArgumentException("steps must be >= 1, was " + steps);
    if (shift <= 0) throw new IllegalArgumentException("shift must be > 0, was " + shift);
  }

  /** True when sampling runs a second, negative pass. */
  public boolean usesGuidance() {
    return guidance > 1.0;
  }
}
