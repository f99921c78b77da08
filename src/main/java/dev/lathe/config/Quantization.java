package dev.lathe.config;

import java.util.List;

/**
 * QUANTIZATION panel: how the frozen base weights are compressed to fit in VRAM.
 *
 * @param transformer weight format of the denoiser
 * @param textEncoder weight format of the text encoder
 * @param accuracyRecoveryAdapter full-precision LoRA kept on a low-bit transformer to recover accuracy ("3-bit
 *     ARA"); "" = none
 */
public record Quantization(QType transformer, QType textEncoder, String accuracyRecoveryAdapter) {
  public static final Quantization DEFAULTS = new Quantization(QType.NONE, QType.NONE, "");

  /** Weight formats. Only {@link #NONE} is implemented in this build; validation says what the others cost. */
  public enum QType implements Choice {
    NONE("none", "none (bf16)", 16, List.of("bf16", "off", "false")),
    FLOAT8("float8", "float8", 8, List.of("qfloat8", "fp8", "float8_e4m3fn")),
    UINT8("uint8", "8-bit", 8, List.of("int8", "8-bit", "8bit")),
    UINT6("uint6", "6-bit", 6, List.of("6-bit", "6bit")),
    UINT4("uint4", "4-bit", 4, List.of("4-bit", "4bit")),
    UINT3("uint3", "3-bit", 3, List.of("3-bit", "3bit"));

    private final String key;
    private final String label;
    private final int bits;
    private final List<String> aliases;

    QType(String key, String label, int bits, List<String> aliases) {
      this.key = key;
      this.label = label;
      this.bits = bits;
      this.aliases = aliases;
    }

    @Override public String key() { return key; }
    @Override public String label() { return label; }
    @Override public List<String> aliases() { return aliases; }
    @Override public boolean implemented() { return this == NONE; }

    /** Bits per weight once quantized (16 for none). */
    public int bits() { return bits; }
  }
}
