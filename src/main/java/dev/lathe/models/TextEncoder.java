package dev.lathe.models;

import java.util.List;
import org.bytedeco.pytorch.Tensor;

/** Prompt → conditioning, the family's text encoder with its tokenizer and prompt template. */
public interface TextEncoder {
  /** Identifies the encoder for caches (family, encoder version, weights fingerprint). */
  String cacheId();

  /** Width of one embedding row. */
  long embeddingDim();

  /**
   * Encodes each prompt separately.
   *
   * @return one tensor per prompt, [S_i, D]: only the prompt's real tokens (no padding rows), fp32 on the CPU
   *     or in the runtime's compute dtype on its device
   */
  List<Tensor> encode(List<String> prompts);
}
