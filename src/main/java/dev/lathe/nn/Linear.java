package dev.lathe.nn;

import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;

/**
 * y = x·Wᵀ + b with W [out, in], registered as {@code weight} / {@code bias} so a checkpoint loads by name, plus
 * an optional adapter slot. Base parameters are created frozen (requires_grad false): Lathe trains adapters,
 * and the weights are only ever replaced in place by a loader or a merge.
 */
public class Linear extends Layer {
  public final long in;
  public final long out;
  private final Tensor weight;
  private final Tensor bias;   // null when the layer has none
  private LinearAdapter adapter;

  public Linear(long in, long out, boolean bias, TensorOptions options) {
    this(in, out, bias, Params.allocate(options));
  }

  /** A layer whose tensors come from {@code params} (e.g. {@link Params#deferred} placeholders a loader fills). */
  public Linear(long in, long out, boolean bias, Params params) {
    super("Linear");
    this.in = in;
    this.out = out;
    this.weight = Params.register(this, "weight", params, out, in);   // keep our handle, never the returned reference
    this.bias = bias ? Params.register(this, "bias", params, out) : null;
  }

  public Tensor forward(Tensor x) {
    Tensor y = bias == null ? torch.linear(x, weight) : torch.linear(x, weight, new TensorOptional(bias));
    if (adapter == null) return y;
    Tensor delta = adapter.forward(x);
    return delta == null ? y : y.add(delta);
  }

  public Tensor weight() {
    return weight;
  }

  /** The bias, or null. */
  public Tensor bias() {
    return bias;
  }

  public boolean hasBias() {
    return bias != null;
  }

  /** The attached adapter, or null. */
  public LinearAdapter adapter() {
    return adapter;
  }

  /** Attaches (or with null, detaches) the adapter whose output is added to this layer's. */
  public void setAdapter(LinearAdapter adapter) {
    this.adapter = adapter;
  }
}
