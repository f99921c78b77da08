package dev.lathe.nn;

import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

/** A square-kernel 2-d convolution with bias, registered as {@code weight} [out, in, k, k] and {@code bias} [out]. */
public final class Conv2d extends Layer {
  private static final long[] ONE = {1, 1};
  public final long in;
  public final long out;
  public final int kernel;
  private final Tensor weight;
  private final Tensor bias;
  private final long[] stride;
  private final long[] padding;

  public Conv2d(long in, long out, int kernel, int stride, int padding, Params params) {
    super("Conv2d");
    this.in = in;
    this.out = out;
    this.kernel = kernel;
    this.weight = Params.register(this, "weight", params, out, in, kernel, kernel);
    this.bias = Params.register(this, "bias", params, out);
    this.stride = new long[] {stride, stride};
    this.padding = new long[] {padding, padding};
  }

  /** [B, in, H, W] → [B, out, H', W']. */
  public Tensor forward(Tensor x) {
    return torch.conv2d(x, weight, new TensorOptional(bias), stride, padding, ONE, 1);
  }
}
