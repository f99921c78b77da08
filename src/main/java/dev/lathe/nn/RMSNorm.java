package dev.lathe.nn;

import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * y = x · rsqrt(mean(x²) + eps) · w over the last dimension, registered as {@code weight}. The statistic is taken
 * in fp32 whatever the input type (as diffusers and transformers do); a bf16 input is normalised in fp32, cast
 * back, then scaled.
 */
public final class RMSNorm extends Layer {
  private static final long[] LAST = {-1};
  private final Tensor weight;
  private final Scalar eps;

  public RMSNorm(long dim, double eps, Params params) {
    super("RMSNorm");
    this.weight = Params.register(this, "weight", params, dim);
    this.eps = Keep.scalar(eps);
  }

  public Tensor forward(Tensor x) {
    ScalarType type = x.scalar_type().intern();
    Tensor xf = type == ScalarType.Float ? x : x.to(ScalarType.Float);
    Tensor normed = xf.mul(xf.square().mean(LAST, true, new ScalarTypeOptional()).add(eps).rsqrt());
    return (type == ScalarType.Float ? normed : normed.to(type)).mul(weight);
  }

  public Tensor weight() {
    return weight;
  }
}
