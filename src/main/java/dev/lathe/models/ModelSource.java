package dev.lathe.models;

/**
 * Where a family's weights are. {@code model} is a local diffusers folder, a single-file checkpoint, or a Hugging
 * Face repo id resolved in the local cache (never downloaded). The optional parts override what the model
 * folder would provide (needed next to a single-file transformer).
 *
 * @param model path or repo id of the base model (required)
 * @param textEncoder path of the text-encoder weights, or null to take them from {@code model}
 * @param vae path of the VAE weights, or null to take them from {@code model}
 * @param tokenizer path of a tokenizer.json or its folder, or null to take it from {@code model}
 */
public record ModelSource(String model, String textEncoder, String vae, String tokenizer) {
  public static ModelSource of(String model) {
    return new ModelSource(model, null, null, null);
  }
}
