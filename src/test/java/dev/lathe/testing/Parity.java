package dev.lathe.testing;

import dev.lathe.torch.Tensors;
import org.bytedeco.pytorch.Tensor;

/** The fixture acceptance rule: cosine >= 0.99999 and max|a-b| <= 1e-4 * max|ref| (fp32). */
public record Parity(double cosine, double maxAbsDiff, double maxAbsRef) {

  public static Parity of(Tensor actual, Tensor reference) {
    return of(Tensors.toFloats(actual), Tensors.toFloats(reference));
  }

  public static Parity of(float[] a, float[] ref) {
    if (a.length != ref.length) throw new AssertionError("size " + a.length + " != reference size " + ref.length);
    double dot = 0, na = 0, nr = 0, maxDiff = 0, maxRef = 0;
    for (int i = 0; i < a.length; i++) {
      dot += (double) a[i] * ref[i];
      na += (double) a[i] * a[i];
      nr += (double) ref[i] * ref[i];
      maxDiff = Math.max(maxDiff, Math.abs((double) a[i] - ref[i]));
      maxRef = Math.max(maxRef, Math.abs(ref[i]));
      if (!Float.isFinite(a[i])) return new Parity(Double.NaN, Double.POSITIVE_INFINITY, maxRef);
    }
    double cos = na == 0 && nr == 0 ? 1 : dot / Math.sqrt(na * nr);
    return new Parity(cos, maxDiff, maxRef);
  }

  public boolean meetsFp32Goldens() {
    return cosine >= 0.99999 && maxAbsDiff <= 1e-4 * maxAbsRef;
  }

  /** Throws with the figures when the rule is not met. */
  public Parity assertFp32(String what) {
    if (!meetsFp32Goldens())
      throw new AssertionError(what + ": cosine " + cosine + ", max|diff| " + maxAbsDiff + " vs allowed " + 1e-4 * maxAbsRef);
    return this;
  }
}
