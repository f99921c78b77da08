package dev.lathe.nn;

import org.bytedeco.pytorch.MemoryFormatOptional;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Where a layer's parameter tensors come from when it is built. {@link #allocate} gives real (uninitialised)
 * memory. {@link #deferred} gives shape-only placeholders — one element expanded to the full shape — so a
 * multi-GB model can be built instantly and then filled tensor by tensor by a loader ({@code set_data}), never
 * holding two full copies; the placeholders also give the exact key and shape table of a model without weights.
 */
public abstract class Params {
  /** A new tensor of {@code shape}; its values are undefined until a loader or an initialiser sets them. */
  public abstract Tensor create(long... shape);

  /** Real, uninitialised memory with these options. */
  public static Params allocate(TensorOptions options) {
    return new Params() {
      @Override
      public Tensor create(long... shape) {
        return torch.empty(shape, options, new MemoryFormatOptional());
      }
    };
  }

  /** Placeholders of one element each (CPU, {@code dtype}), to be replaced with {@code set_data} before use. */
  public static Params deferred(ScalarType dtype) {
    TensorOptions one = new TensorOptions(dtype);
    return new Params() {
      @Override
      public Tensor create(long... shape) {
        return torch.empty(new long[] {1}, one, new MemoryFormatOptional()).expand(shape).detach();
      }
    };
  }

  /** True while {@code t} is still a {@link #deferred} placeholder (its storage is smaller than its shape). */
  public static boolean isPlaceholder(Tensor t) {
    return t.numel() > 1 && t.storage().nbytes() < t.numel() * t.element_size();
  }

  /**
   * Creates a frozen parameter of {@code shape} and registers it on {@code owner} under {@code name}.
   *
   * @return the tensor that was registered (never keep register_parameter's own return value: it dangles)
   */
  public static Tensor register(Module owner, String name, Params params, long... shape) {
    Tensor t = Keep.retained(params.create(shape));   // a module outlives any PointerScope it was built in
    owner.register_parameter(name, t, false);
    return t;
  }
}
