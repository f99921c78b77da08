package dev.lathe.nn;

import java.util.List;
import org.bytedeco.pytorch.Tensor;

/**
 * A transformer block whose work is per token except for one attention over all tokens: its rows can be computed
 * in parts, each part's queries attending to every part's keys. {@link TokenSplit} runs such a block on several
 * threads at once; {@link #whole} is the same computation in one piece.
 *
 * <p>The block's input is a token stream x [B, T, D] plus an optional {@code shared} tensor every row reads (e.g.
 * the modulation computed from the timestep); gradients flow to both.
 */
public interface Tokenwise {
  /**
   * Per-token work up to the attention, for rows [from, from + t) of the block input.
   *
   * @param x those rows [B, t, D]
   * @return {q, k, v}, each [B, H, t, hd]
   */
  Tensor[] toAttention(Tensor x, Tensor shared, long from);

  /** The attention of q's rows [B, H, t, hd] against every key and value [B, H, T, hd]: [B, H, t, hd]. */
  Tensor attend(Tensor q, Tensor k, Tensor v);

  /**
   * Whether {@link #attend} treats each head on its own, so that it gives the same result on any contiguous group of
   * heads (q's heads with the key and value heads they read, and the output's heads line up with q's). A split block
   * may then divide its attention between the threads by heads instead of by query rows.
   */
  default boolean attendsPerHead() {
    return false;
  }

  /** Per-token work after the attention: the rows x [B, t, D] and their attention output [B, H, t, hd] → [B, t, D]. */
  Tensor fromAttention(Tensor x, Tensor attention, Tensor shared);

  /**
   * Every trainable tensor the block reads (adapter factors, unfrozen parameters), or null when that is not known.
   * A split block computes these gradients itself, so a missing one would be lost: null keeps it whole.
   */
  List<Tensor> trainables();

  /** Whether the forward pass draws random numbers (adapter dropout): a split would draw them in another order. */
  boolean stochastic();

  /** The block in one piece. */
  static Tensor whole(Tokenwise b, Tensor x, Tensor shared) {
    Tensor[] qkv = b.toAttention(x, shared, 0);
    return b.fromAttention(x, b.attend(qkv[0], qkv[1], qkv[2]), shared);
  }
}
