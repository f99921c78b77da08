package dev.lathe.config;

import java.util.List;

/** Floating-point precision of saved adapters and of training compute. */
public enum Precision implements Choice {
  BF16("bf16", "BF16", List.of("bfloat16")),
  FP16("fp16", "FP16", List.of("float16", "half")),
  FP32("fp32", "FP32", List.of("float32", "float", "full"));

  private final String key;
  private final String label;
  private final List<String> aliases;

  Precision(String key, String label, List<String> aliases) {
    this.key = key;
    this.label = label;
    this.aliases = aliases;
  }

  @Override public String key() { return key; }
  @Override public String label() { return label; }
  @Override public List<String> aliases() { return aliases; }
}
