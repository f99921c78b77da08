package dev.lathe.torch;

import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.MemoryFormatOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import static org.bytedeco.pytorch.global.torch.empty;

/** Small helpers that the presets' overload set makes verbose. */
public final class Tensors {
  private Tensors() {}

  /** {@code t} converted to {@code dtype} on {@code device} (null: the CPU); may return {@code t} itself. */
  public static Tensor to(Tensor t, ScalarType dtype, Device device) {
    Tensor out = t;
    if (device != null && !sameDevice(out, device)) out = out.to(device, dtype);
    if (out.scalar_type().intern() != dtype.intern()) out = out.to(dtype);
    return out;
  }

  static boolean sameDevice(Tensor t, Device d) {
    Device td = t.device();
    return td.type().intern() == d.type().intern() && (d.index() < 0 || td.index() == d.index());
  }

  /** A new CPU float tensor holding {@code values} in the given shape. */
  public static Tensor fromFloats(float[] values, long... shape) {
    long n = TensorInfo.numel(shape);
    if (n != values.length) throw new IllegalArgumentException(values.length + " values do not fill shape " + java.util.Arrays.toString(shape));
    Tensor t = empty(shape, new TensorOptions(ScalarType.Float), new MemoryFormatOptional());
    if (n > 0) t.data_ptr_float().put(values);
    return t;
  }

  /** A new CPU long tensor holding {@code values} in the given shape. */
  public static Tensor fromLongs(long[] values, long... shape) {
    long n = TensorInfo.numel(shape);
    if (n != values.length) throw new IllegalArgumentException(values.length + " values do not fill shape " + java.util.Arrays.toString(shape));
    Tensor t = empty(shape, new TensorOptions(ScalarType.Long), new MemoryFormatOptional());
    if (n > 0) t.data_ptr_long().put(values);
    return t;
  }

  /** The values of {@code t} as fp32, in row-major order. */
  public static float[] toFloats(Tensor t) {
    Tensor c = t.detach().to(ScalarType.Float).cpu().contiguous();
    float[] out = new float[(int) c.numel()];
    if (out.length > 0) c.data_ptr_float().get(out);
    return out;
  }

  /** The values of an integer tensor as longs, in row-major order. */
  public static long[] toLongs(Tensor t) {
    Tensor c = t.detach().to(ScalarType.Long).cpu().contiguous();
    long[] out = new long[(int) c.numel()];
    if (out.length > 0) c.data_ptr_long().get(out);
    return out;
  }

  /** Address of the first element, 0 for an empty tensor (whose data pointer is null). */
  public static long address(Tensor t) {
    var p = t.data_ptr();
    return p == null ? 0 : p.address();
  }

  /**
   * A direct buffer over {@code length} bytes of native memory starting {@code offset} bytes after {@code base}'s
   * address. {@code length} must fit an int; {@code offset} may be anything. (Pointer.position/limit +
   * asByteBuffer measure from the base in int-sized capacities, which silently wraps past 2 GiB.)
   */
  static java.nio.ByteBuffer window(org.bytedeco.javacpp.BytePointer base, long offset, long length) {
    if (length < 0 || length > Integer.MAX_VALUE) throw new IllegalArgumentException("window of " + length + " bytes");
    return base.getPointer(offset).capacity(length).limit(length).asByteBuffer();
  }

  /** The device of {@code t} when it is an accelerator, null for CPU and shape-only (meta) tensors. */
  public static Device acceleratorOf(Tensor t) {
    var type = t.device().type().intern();
    return type == torch.DeviceType.CPU || type == torch.DeviceType.Meta ? null : t.device();
  }

  /** The shape of {@code t}. */
  public static long[] shape(Tensor t) {
    return t.sizes().vec().get();
  }

  /** The intern'ed scalar type of {@code t} (native enums are not the Java singletons). */
  public static ScalarType dtype(Tensor t) {
    return t.scalar_type().intern();
  }
}
