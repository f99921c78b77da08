package dev.lathe.nn;

import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/** A lookup table registered as {@code weight} [vocab, dim]. */
public final class Embedding extends Layer {
  public final long vocab;
  public final long dim;
  private final Tensor weight;

  public Embedding(long vocab, long dim, Params params) {
    super("Embedding");
    this.vocab = vocab;
    this.dim = dim;
    this.weight = Params.register(this, "weight", params, vocab, dim);
  }

  /** Long ids [...] → [..., dim]. */
  public Tensor forward(Tensor ids) {
    return torch.embedding(weight, ids);
  }

  public Tensor weight() {
    return weight;
  }
}
