package dev.lathe.torch;

import java.util.Locale;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Element types of the safetensors format, with their width and, where libtorch has one, the matching
 * {@link ScalarType}. Sub-byte types (F6, F4) are packed in the file; they can be listed and copied as raw
 * bytes but not loaded as tensors.
 */
public enum DType {
  BOOL(8, ScalarType.Bool),
  U8(8, ScalarType.Byte),
  I8(8, ScalarType.Char),
  I16(16, ScalarType.Short),
  U16(16, ScalarType.UInt16),
  I32(32, ScalarType.Int),
  U32(32, ScalarType.UInt32),
  I64(64, ScalarType.Long),
  U64(64, ScalarType.UInt64),
  F16(16, ScalarType.Half),
  BF16(16, ScalarType.BFloat16),
  F32(32, ScalarType.Float),
  F64(64, ScalarType.Double),
  C64(64, ScalarType.ComplexFloat),
  F8_E4M3(8, ScalarType.Float8_e4m3fn),
  F8_E5M2(8, ScalarType.Float8_e5m2),
  F8_E8M0(8, ScalarType.Float8_e8m0fnu),
  F8_E4M3FNUZ(8, ScalarType.Float8_e4m3fnuz),
  F8_E5M2FNUZ(8, ScalarType.Float8_e5m2fnuz),
  F6_E2M3(6, null),
  F6_E3M2(6, null),
  F4(4, null);

  private final int bits;
  private final ScalarType scalarType;

  DType(int bits, ScalarType scalarType) {
    this.bits = bits;
    this.scalarType = scalarType;
  }

  public int bits() {
    return bits;
  }

  /** The libtorch type, or null for packed sub-byte types. */
  public ScalarType scalarType() {
    return scalarType;
  }

  /** Byte alignment used to order tensors when writing (widest first), as the reference writer does. */
  int alignment() {
    return Math.max(1, bits / 8);
  }

  /** The safetensors name, e.g. "BF16"; null when the name is unknown. */
  public static DType parse(String name) {
    if (name == null) return null;
    try {
      return valueOf(name.toUpperCase(Locale.ROOT).equals(name) ? name : "?");
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** The safetensors type of a libtorch type. */
  public static DType of(ScalarType type) {
    ScalarType t = type.intern();
    for (DType d : values()) if (d.scalarType == t) return d;
    throw new IllegalArgumentException("libtorch type " + t + " has no safetensors equivalent");
  }

  /** Byte count of {@code numel} elements, or -1 when it is not a whole number of bytes. */
  public long byteCount(long numel) {
    long totalBits = Math.multiplyExact(numel, bits);
    return totalBits % 8 == 0 ? totalBits / 8 : -1;
  }
}
