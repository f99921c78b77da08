package dev.lathe.nn;

import org.bytedeco.pytorch.Tensor;

/**
 * A trainable path added beside a frozen {@link Linear}: y = W·x + b + adapter(x). LoRA and LoKr implement it
 * (package {@code dev.lathe.adapters}); the layer never knows which.
 */
public interface LinearAdapter {
  /** The adapter's contribution for input {@code x} [..., in]: [..., out], or null when it adds nothing now. */
  Tensor forward(Tensor x);
}
