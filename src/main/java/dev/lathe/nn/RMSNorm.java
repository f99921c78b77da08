package dev.lathe.nn;

import org.bytedeco.pytorch.DoubleOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

/**
 * y = x · rsqrt(mean(x²) + eps) · w over the last dimension, registered as {@code weight}. The statistic is taken
 * in fp32 whatever the input type (as diffusers and transformers do); a bf16 input is normalised in fp32, cast
 * back, then scaled.
 */
public final class RMSNorm extends Layer {
  private final Tensor weight;
  private final long[] shape;
  private final TensorOptional weightArg;
  private final DoubleOptional epsArg;

  public RMSNorm(long dim, double eps, Params params) {
    super("RMSNorm");
    this.weight = Params.register(this, "weight", params, dim);
    this.shape = new long[] {dim};
    // argument wrappers made once: they hold the weight handle, which loaders only ever update in place (set_data)
    this.weightArg = Keep.retained(new TensorOptional(weight));
    this.epsArg = Keep.retained(new DoubleOptional(eps));
  }

  /** libtorch's own rms_norm (the same fp32 statistic and cast order as described above). */
  public Tensor forward(Tensor x) {
    return torch.rms_norm(x, shape, weightArg, epsArg);
  }

  /**
   * forward(x) · s with s broadcastable to [..., 1, dim] (a per-item modulation scale): the scale is folded into the
   * weight first, which saves a pass over x.
   */
  public Tensor forward(Tensor x, Tensor s) {
    return torch.rms_norm(x, shape, NONE, epsArg).mul(s.mul(weight));
  }

  private static final TensorOptional NONE = Keep.retained(new TensorOptional());

  public Tensor weight() {
    return weight;
  }
}
