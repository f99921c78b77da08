package dev.lathe.train;

/**
 * Where micro-batches come from. Implementations are deterministic given their state, and the state
 * serialises to a string, so a resumed run draws exactly the batches an uninterrupted run would.
 */
public interface BatchSource {
  /** The next micro-batch. Tensors may be released by the caller's PointerScope. */
  Batch next();

  /** Position of the stream (epoch, permutation, RNG), as text. */
  String state();

  /** Moves the stream to a position {@link #state()} returned. */
  void restore(String state);

  /** Items in one pass over the data (for "effective batch larger than the dataset" checks and epochs). */
  long size();

  /**
   * The empty prompt's embedding, [S, D], for blank-prompt preservation; null when this source has none. The
   * tensor lives as long as the source (callers do not free it).
   */
  default org.bytedeco.pytorch.Tensor blankText() {
    return null;
  }
}
