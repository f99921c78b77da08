package dev.lathe.config;

import java.util.List;

/**
 * TARGET panel: the adapter that is trained.
 *
 * @param type LoRA or LoKr
 * @param linearRank rank of adapters on linear layers
 * @param linearAlpha the adapter is applied at alpha / rank; 0 = same as the rank (scale 1)
 * @param convRank rank on convolution layers (U-Net families only); 0 = none
 * @param convAlpha as {@code linearAlpha} for convolutions; 0 = same as {@code convRank}
 * @param lokrFactor LoKr split of each dimension; -1 = most balanced
 * @param lokrFullRank LoKr keeps its second factor a full matrix (scale 1, rank and alpha unused); off: that factor
 *     is decomposed at {@code linearRank} and scaled by effective alpha / rank
 * @param dropout probability of zeroing an adapter's input during training; 0 = off
 * @param include only layers whose name contains one of these substrings; empty = all the family targets
 * @param exclude skip layers whose name contains one of these substrings
 */
public record Target(Type type, int linearRank, double linearAlpha, int convRank, double convAlpha, int lokrFactor,
    boolean lokrFullRank, double dropout, List<String> include, List<String> exclude) {
  public static final Target DEFAULTS = new Target(Type.LORA, 16, 0, 0, 0, -1, true, 0, List.of(), List.of());

  public Target {
    include = List.copyOf(include);
    exclude = List.copyOf(exclude);
  }

  /** Alpha as applied: {@code linearAlpha}, or the rank when it is 0. */
  public double effectiveAlpha() {
    return linearAlpha == 0 ? linearRank : linearAlpha;
  }

  /** The multiplier the adapter's output gets: effective alpha / rank (1 for a full-rank LoKr). */
  public double scale() {
    return usesAlpha() ? effectiveAlpha() / linearRank : 1;
  }

  /** False for a full-rank LoKr, whose output is not scaled, so rank and alpha play no part. */
  public boolean usesAlpha() {
    return !(type == Type.LOKR && lokrFullRank);
  }

  public enum Type implements Choice {
    LORA("lora", "LoRA"),
    LOKR("lokr", "LoKr");

    private final String key;
    private final String label;

    Type(String key, String label) {
      this.key = key;
      this.label = label;
    }

    @Override public String key() { return key; }
    @Override public String label() { return label; }
  }
}
