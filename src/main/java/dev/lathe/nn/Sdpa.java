package dev.lathe.nn;

import org.bytedeco.pytorch.DoubleOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

/** The one place attention is computed: libtorch's fused scaled_dot_product_attention (flash / memory-efficient on GPU). */
public final class Sdpa {
  private Sdpa() {}

  /**
   * softmax(q·kᵀ·scale + mask)·v.
   *
   * @param q [B, Hq, T, D]
   * @param k [B, Hkv, S, D]; Hkv may divide Hq (grouped-query attention: query head n uses kv head n / (Hq/Hkv))
   * @param v [B, Hkv, S, D]
   * @param mask boolean, true = may attend, broadcastable to [B, Hq, T, S]; null for none
   * @param causal add a causal mask (only without {@code mask})
   * @return [B, Hq, T, D]
   */
  public static Tensor attention(Tensor q, Tensor k, Tensor v, Tensor mask, boolean causal) {
    boolean gqa = q.size(1) != k.size(1);
    TensorOptional m = mask == null ? new TensorOptional() : new TensorOptional(mask);
    return torch.scaled_dot_product_attention(q, k, v, m, 0.0, causal && mask == null, new DoubleOptional(), gqa);
  }

  /** Key-padding mask [B, 1, 1, S] from per-item valid lengths, or null when every item uses all S keys. */
  public static Tensor keyMask(long[] lengths, long s, org.bytedeco.pytorch.Device device) {
    boolean full = true;
    for (long l : lengths) full &= l == s;
    if (full) return null;
    boolean[] valid = new boolean[(int) (lengths.length * s)];
    for (int b = 0; b < lengths.length; b++) for (int j = 0; j < lengths[b]; j++) valid[(int) (b * s + j)] = true;
    return bools(valid, lengths.length, 1, 1, s).to(device, org.bytedeco.pytorch.global.torch.ScalarType.Bool);
  }

  static Tensor bools(boolean[] values, long... shape) {
    byte[] bytes = new byte[values.length];
    for (int i = 0; i < values.length; i++) bytes[i] = (byte) (values[i] ? 1 : 0);
    Tensor t = torch.empty(shape, new org.bytedeco.pytorch.TensorOptions(org.bytedeco.pytorch.global.torch.ScalarType.Bool),
        new org.bytedeco.pytorch.MemoryFormatOptional());
    if (bytes.length > 0) new org.bytedeco.javacpp.BytePointer(t.data_ptr()).put(bytes);
    return t;
  }
}
