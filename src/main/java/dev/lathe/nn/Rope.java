package dev.lathe.nn;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/** Rotary position embeddings in the two layouts in use. Rotation always runs in fp32, then casts back. */
public final class Rope {
  private Rope() {}

  /**
   * Interleaved pairs (Flux, Z-Image): each adjacent pair (x[2j], x[2j+1]) is multiplied as a complex number by
   * {@code cis[..., j]}.
   *
   * @param x [B, T, H, D]
   * @param cis complex64 [B, T, D/2] (one rotation per token and pair, shared by all heads)
   * @return [B, T, H, D] in x's dtype
   */
  public static Tensor interleaved(Tensor x, Tensor cis) {
    long[] s = x.sizes().vec().get();
    Tensor xc = torch.view_as_complex(x.to(ScalarType.Float).reshape(s[0], s[1], s[2], s[3] / 2, 2));
    Tensor out = torch.view_as_real(xc.mul(cis.unsqueeze(2))).flatten(3, -1);
    return out.to(x.scalar_type());
  }

  /**
   * Half-split pairs (NeoX, Llama, Qwen): x' = x·cos + rotate_half(x)·sin with rotate_half(x) = [−x₂ ; x₁].
   *
   * @param x [B, H, T, D]
   * @param cos [T, D] or [B, 1, T, D], fp32, both halves equal
   * @param sin same shape as cos
   */
  public static Tensor halfSplit(Tensor x, Tensor cos, Tensor sin) {
    long d = x.size(-1);
    Tensor xf = x.to(ScalarType.Float);
    Tensor x1 = xf.narrow(-1, 0, d / 2);
    Tensor x2 = xf.narrow(-1, d / 2, d / 2);
    Tensor rotated = torch.cat(new org.bytedeco.pytorch.TensorVector(x2.neg(), x1), -1);
    return xf.mul(cos).add(rotated.mul(sin)).to(x.scalar_type());
  }
}
