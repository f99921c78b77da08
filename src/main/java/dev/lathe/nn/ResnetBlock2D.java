package dev.lathe.nn;

import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * The VAE residual block (diffusers ResnetBlock2D without a time embedding):
 * out = shortcut(x) + conv2(silu(norm2(conv1(silu(norm1(x)))))), with a 1×1 {@code conv_shortcut} when the channel
 * count changes. Children are named as in diffusers checkpoints.
 */
public final class ResnetBlock2D extends Layer {
  private final GroupNorm norm1;
  private final Conv2d conv1;
  private final GroupNorm norm2;
  private final Conv2d conv2;
  private final Conv2d shortcut;   // null when in == out

  public ResnetBlock2D(long in, long out, long groups, double eps, Params params) {
    super("ResnetBlock2D");
    norm1 = register_module("norm1", new GroupNorm(groups, in, eps, params));
    conv1 = register_module("conv1", new Conv2d(in, out, 3, 1, 1, params));
    norm2 = register_module("norm2", new GroupNorm(groups, out, eps, params));
    conv2 = register_module("conv2", new Conv2d(out, out, 3, 1, 1, params));
    shortcut = in == out ? null : register_module("conv_shortcut", new Conv2d(in, out, 1, 1, 0, params));
  }

  /** [B, in, H, W] → [B, out, H, W]. */
  public Tensor forward(Tensor x) {
    Tensor h = conv1.forward(torch.silu(norm1.forward(x)));
    h = conv2.forward(torch.silu(norm2.forward(h)));
    return (shortcut == null ? x : shortcut.forward(x)).add(h);
  }
}
