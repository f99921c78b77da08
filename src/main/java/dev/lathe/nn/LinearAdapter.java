package dev.lathe.nn;

import org.bytedeco.pytorch.Tensor;

/**
 * A trainable path added beside a frozen {@link Linear}: y = W·x + b + adapter(x). LoRA and LoKr implement it
 * (package {@code dev.lathe.adapters}); the layer never knows which.
 */
public interface LinearAdapter {
  /** The adapter's contribution for input {@code x} [..., in]: [..., out], or null when it adds nothing now. */
  Tensor forward(Tensor x);

  /**
   * {@code y} plus the adapter's contribution for {@code x}: what the layer returns. Implementations may fold the
   * addition into their last matmul (one pass over the output instead of two); the default adds {@link #forward}.
   *
   * @param y the frozen layer's output [..., out], a fresh tensor the adapter may consume
   */
  default Tensor addTo(Tensor y, Tensor x) {
    Tensor delta = forward(x);
    return delta == null ? y : y.add(delta);
  }

  /**
   * For a low-rank adapter y += up(D·x): its down-projection D [r, in] in x's dtype and device, so that layers sharing
   * an input can compute all their D·x in one matmul ({@link Linear#forwardShared}); null when this adapter cannot
   * take part (another kind, dropout while training, several adapters stacked).
   */
  default Tensor downProjection(Tensor x) {
    return null;
  }

  /**
   * The trainable tensors this adapter reads, so that code which computes gradients itself (a block split between
   * threads, see {@link TokenSplit}) can route theirs; null when unknown, which keeps such code away.
   */
  default java.util.List<Tensor> trainables() {
    return null;
  }

  /** Whether the forward pass draws random numbers now (dropout while training): then it must run on one thread. */
  default boolean stochastic() {
    return false;
  }

  /** y + up(down), with {@code down} [..., r] = D·x as {@link #downProjection} describes; only called after it. */
  default Tensor addUp(Tensor y, Tensor down) {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " has no shared down-projection");
  }
}
