package dev.lathe.nn;

import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

/** GroupNorm with affine {@code weight} / {@code bias} [channels]. */
public final class GroupNorm extends Layer {
  private final Tensor weight;
  private final Tensor bias;
  private final long groups;
  private final double eps;

  public GroupNorm(long groups, long channels, double eps, Params params) {
    super("GroupNorm");
    if (channels % groups != 0) throw new IllegalArgumentException(channels + " channels do not split into " + groups + " groups");
    this.groups = groups;
    this.eps = eps;
    this.weight = Params.register(this, "weight", params, channels);
    this.bias = Params.register(this, "bias", params, channels);
  }

  /** [B, C, ...] → same shape. */
  public Tensor forward(Tensor x) {
    return torch.group_norm(x, groups, new TensorOptional(weight), new TensorOptional(bias), eps, true);
  }
}
