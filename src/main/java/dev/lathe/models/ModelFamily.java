package dev.lathe.models;

import dev.lathe.torch.Runtime;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A model family Lathe can train: one implementation per sub-package of {@code dev.lathe.models}, listed in
 * {@link Families}. Nothing outside the family's package asks which family it is talking to; what differs
 * (conventions, key names, defaults) is answered here.
 */
public interface ModelFamily {
  /** Short id used in configs and file metadata, e.g. "zimage". */
  String id();

  /** The value written as {@code ss_base_model_version} in LoRA files. */
  String baseModelVersion();

  /** Image sides must be multiples of this (VAE downscale × patch size). */
  int bucketDivisor();

  /** The flow-matching shift of the family's training and sampling schedule (Z-Image: 3.0). */
  double scheduleShift();

  /** Prefix of adapter keys in saved LoRA files, e.g. "diffusion_model.". */
  String loraKeyPrefix();

  /** Loads the family's parts (denoiser, text encoder, VAE) lazily onto the runtime's device and dtype. */
  LoadedModel load(ModelSource source, Runtime runtime) throws IOException;

  /** Names of the family's released variants, the default first (Z-Image: turbo, de-turbo, base). */
  List<String> variants();

  /**
   * How a variant samples by default.
   *
   * @param variant one of {@link #variants()}, or null for the default
   * @throws IllegalArgumentException naming the known variants
   */
  SamplingDefaults sampling(String variant);

  /** Sizes {@link #random} accepts, smallest first ("tiny" is the parity fixtures' size). */
  List<String> randomSizes();

  /**
   * A model of the given size with seeded random weights, for tests, benchmarks and the demo: the same seed gives the
   * same weights on every device. It behaves like a loaded one (parts built lazily, a tokenizer included) but its
   * outputs mean nothing.
   *
   * @throws IllegalArgumentException naming the known sizes
   */
  LoadedModel random(String size, long seed, Runtime runtime);

  /**
   * Writes the model {@link #random} builds as a folder in the family's usual layout (Z-Image: a diffusers
   * pipeline folder with transformer/, text_encoder/, tokenizer/, vae/ and their config.json), under the real key
   * names, so that {@link #load} reads it through the same code as a downloaded checkpoint. For the demo, tests
   * and benchmarks.
   */
  void writeRandom(String size, long seed, Path folder) throws IOException;

  /** Runs single parts on given weights for reference comparisons (`lathe parity`), if the family offers that. */
  default java.util.Optional<PartRunner> partRunner() {
    return java.util.Optional.empty();
  }

  /**
   * One part of a model (a transformer, an encoder half) run on weights and inputs in the goldens' file format, so
   * anyone can compare Lathe with a reference implementation.
   */
  interface PartRunner {
    /** The part names, e.g. transformer, vae-encode, vae-decode, text. */
    java.util.List<String> parts();

    /**
     * Loads {@code weights} (a file, an index or a folder in any layout the family reads), runs {@code part} on every
     * case in {@code inputs}, and returns the named outputs (fp32 or integer, on the CPU).
     *
     * @throws IllegalArgumentException for an unknown part or inputs the part cannot use, naming what is missing
     */
    java.util.Map<String, org.bytedeco.pytorch.Tensor> run(String part, java.nio.file.Path weights, dev.lathe.torch.Checkpoint inputs,
        Runtime runtime) throws IOException;
  }

  /** A loaded model. Parts that were not needed may be loaded on first use and released with {@link #close}. */
  interface LoadedModel extends AutoCloseable {
    Denoiser denoiser();

    TextEncoder textEncoder() throws IOException;

    LatentCodec codec() throws IOException;

    /** Frees the text encoder (after its outputs are cached). */
    void releaseTextEncoder();

    @Override
    void close();
  }
}
