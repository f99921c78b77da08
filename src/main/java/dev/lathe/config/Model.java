package dev.lathe.config;

/**
 * MODEL panel: which base model to adapt and how it is held in memory.
 *
 * @param architecture a {@link FamilyCatalog} id such as {@code zimage_turbo}; "" until a preset or the job sets it
 * @param nameOrPath base weights (diffusers folder, single file, or a cached Hugging Face repo id); "" = the
 *     family's usual repo ({@link FamilyCatalog.Family#defaultRepo()})
 * @param extrasNameOrPath source of text encoder, VAE and tokenizer when they are not beside the base weights; "" =
 *     {@code nameOrPath}
 * @param textEncoderPath explicit text-encoder weights; "" = from the extras
 * @param vaePath explicit VAE weights; "" = from the extras
 * @param trainingAdapter de-distillation LoRA merged during training of a turbo model; "" = none
 * @param lowVram keep idle parts of the model on the CPU
 * @param layerOffloading stream layer weights from CPU RAM every step
 * @param trainHighNoise two-expert models: train the high-noise expert
 * @param trainLowNoise two-expert models: train the low-noise expert
 */
public record Model(String architecture, String nameOrPath, String extrasNameOrPath, String textEncoderPath,
    String vaePath, String trainingAdapter, boolean lowVram, boolean layerOffloading, boolean trainHighNoise,
    boolean trainLowNoise) {
  public static final Model DEFAULTS = new Model("", "", "", "", "", "", false, false, true, true);
}
