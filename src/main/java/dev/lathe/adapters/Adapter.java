package dev.lathe.adapters;

import dev.lathe.nn.LinearAdapter;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;

/** One trainable adapter on one Linear layer: its named tensors, its ΔW, and its forward path. */
abstract class Adapter implements LinearAdapter {
  final String path;
  final long in;
  final long out;
  double multiplier = 1;
  double savedMultiplier = 1;
  boolean enabled = true;
  boolean training;
  double dropout;

  Adapter(String path, long in, long out) {
    this.path = path;
    this.in = in;
    this.out = out;
  }

  /** Trainable tensors by their file suffix ("lora_A.weight", "lokr_w1", ...), fp32, requiring grad. */
  abstract Map<String, Tensor> tensors();

  /** The scale the factors are multiplied by (alpha / rank for LoRA). */
  abstract double scale();

  /** alpha as it is written to files. */
  abstract double alpha();

  /** ΔW = scale · (factors), [out, in], fp32, without the multiplier. */
  abstract Tensor delta();

  /** The adapter's output for x, without multiplier / enable handling. */
  abstract Tensor compute(Tensor x);

  @Override
  public final Tensor forward(Tensor x) {
    Tensor y = compute(input(x));
    return multiplier == 1 ? y : y.mul(new org.bytedeco.pytorch.Scalar(multiplier));
  }

  @Override
  public final java.util.List<Tensor> trainables() {
    return java.util.List.copyOf(tensors().values());
  }

  @Override
  public final boolean stochastic() {
    return enabled && dropout > 0 && training;
  }

  /** {@code x} with dropout applied while training. */
  final Tensor input(Tensor x) {
    return dropout > 0 && training ? org.bytedeco.pytorch.global.torch.dropout(x, dropout, true) : x;
  }

  /**
   * Marks {@code t} trainable and keeps it alive beyond any PointerScope. The handle returned by in-place ops
   * (requires_grad_, uniform_) is borrowed, so the owner passed in is what we keep.
   */
  static Tensor owned(Tensor t) {
    t.requires_grad_(true);
    t.retainReference();
    return t;
  }

  /** {@code w} in {@code like}'s dtype and device, a new tensor only when they differ (fp32 masters, bf16 compute). */
  static Tensor as(Tensor w, Tensor like) {
    if (w.scalar_type().intern() == like.scalar_type().intern() && w.device().type().intern() == like.device().type().intern()) return w;
    return w.to(like.device(), like.scalar_type());
  }
}
