package dev.lathe.adapters;

import java.util.List;

/**
 * What to train and where: LoRA (rank, alpha) or LoKr (Kronecker factors), on which Linear layers.
 *
 * @param kind LoRA or LoKr
 * @param rank LoRA rank; for LoKr the rank of the decomposed second factor, or 0 for full factors (the
 *     reference tool's default, "lokr_full_rank")
 * @param alpha scale numerator: a LoRA scales by alpha / rank; a LoKr by alpha / rank only when a factor is
 *     decomposed, else by 1
 * @param dropout probability of zeroing adapter inputs while training (0 = off)
 * @param lokrFactor LoKr factorisation cap, -1 = most balanced split
 * @param include module-path patterns to target; empty = the family's default targets
 * @param exclude module-path patterns never targeted (applied after include)
 */
public record AdapterSpec(Kind kind, int rank, double alpha, double dropout, int lokrFactor, List<String> include,
    List<String> exclude) {

  public enum Kind { LORA, LOKR }

  public AdapterSpec {
    if (kind == Kind.LORA && rank < 1) throw new IllegalArgumentException("LoRA rank must be >= 1, was " + rank);
    if (kind == Kind.LOKR && rank < 0) throw new IllegalArgumentException("LoKr rank must be >= 0 (0 = full factors), was " + rank);
    if (!(alpha > 0)) throw new IllegalArgumentException("alpha must be > 0, was " + alpha);
    if (dropout < 0 || dropout >= 1) throw new IllegalArgumentException("dropout must be in [0, 1), was " + dropout);
    if (lokrFactor == 0 || lokrFactor < -1) throw new IllegalArgumentException("LoKr factor must be -1 (auto) or >= 1, was " + lokrFactor);
    include = List.copyOf(include);
    exclude = List.copyOf(exclude);
  }

  public static AdapterSpec lora(int rank, double alpha) {
    return new AdapterSpec(Kind.LORA, rank, alpha, 0, -1, List.of(), List.of());
  }

  public static AdapterSpec lokr(int factor) {
    return new AdapterSpec(Kind.LOKR, 0, 1, 0, factor, List.of(), List.of());
  }

  public AdapterSpec withTargets(List<String> include, List<String> exclude) {
    return new AdapterSpec(kind, rank, alpha, dropout, lokrFactor, include, exclude);
  }

  public AdapterSpec withDropout(double p) {
    return new AdapterSpec(kind, rank, alpha, p, lokrFactor, include, exclude);
  }
}
