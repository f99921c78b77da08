package dev.lathe.config;

import java.util.List;

/**
 * TRAINING panel: the optimisation itself.
 *
 * @param batchSize images (or clips) per forward pass
 * @param gradientAccumulation micro-batches whose gradients are summed into one optimizer step
 * @param steps optimizer steps in the run
 * @param optimizer the update rule
 * @param learningRate peak learning rate
 * @param weightDecay decoupled weight decay
 * @param lrScheduler how the learning rate moves after warm-up
 * @param warmupSteps steps of linear warm-up from 0 to the learning rate
 * @param timestepType distribution training timesteps are drawn from
 * @param timestepBias extra lean toward noisy or clean timesteps
 * @param lossType per-element error between prediction and target
 * @param useEma keep an exponential moving average of the adapter and save that
 * @param emaDecay EMA decay per step
 * @param cacheTextEmbeddings encode each caption once and reuse it, freeing the text encoder
 * @param unloadTextEncoder drop the text encoder after encoding the trigger and the empty prompt (captions unused)
 * @param gradientCheckpointing recompute activations in the backward pass to save memory
 * @param maxGradNorm clip the gradient norm to this; 0 = no clipping
 * @param seed seed of every random choice in the run (noise, timesteps, data order, dropout)
 * @param dtype compute precision of the frozen base
 * @param switchBoundaryEvery two-expert models: steps spent on one expert before switching to the other
 */
public record Training(int batchSize, int gradientAccumulation, int steps, Optimizer optimizer, double learningRate,
    double weightDecay, LrSchedule lrScheduler, int warmupSteps, TimestepType timestepType, TimestepBias timestepBias,
    LossType lossType, boolean useEma, double emaDecay, boolean cacheTextEmbeddings, boolean unloadTextEncoder,
    boolean gradientCheckpointing, double maxGradNorm, long seed, Precision dtype, int switchBoundaryEvery) {
  public static final Training DEFAULTS = new Training(1, 1, 3000, Optimizer.ADAMW8BIT, 1e-4, 1e-4,
      LrSchedule.CONSTANT, 0, TimestepType.WEIGHTED, TimestepBias.BALANCED, LossType.MSE, false, 0.99, false, false,
      true, 1.0, 42, Precision.BF16, 1);

  /** Samples per optimizer step: batch size × gradient accumulation. */
  public int effectiveBatch() {
    return batchSize * gradientAccumulation;
  }

  public enum Optimizer implements Choice {
    ADAMW("adamw", "AdamW", true, List.of()),
    ADAMW8BIT("adamw8bit", "AdamW 8-bit", true, List.of("adamw_8bit", "adamw8")),
    ADAFACTOR("adafactor", "Adafactor", true, List.of()),
    ADAM("adam", "Adam", false, List.of()),
    ADAM8BIT("adam8bit", "Adam 8-bit", false, List.of("adam8")),
    PRODIGY("prodigy", "Prodigy", false, List.of("prodigyopt")),
    PRODIGY8BIT("prodigy8bit", "Prodigy 8-bit", false, List.of()),
    LION("lion", "Lion", false, List.of("lion8bit")),
    AUTOMAGIC("automagic", "Automagic", false, List.of("automagic2", "automagic3"));

    private final String key;
    private final String label;
    private final boolean implemented;
    private final List<String> aliases;

    Optimizer(String key, String label, boolean implemented, List<String> aliases) {
      this.key = key;
      this.label = label;
      this.implemented = implemented;
      this.aliases = aliases;
    }

    @Override public String key() { return key; }
    @Override public String label() { return label; }
    @Override public boolean implemented() { return implemented; }
    @Override public List<String> aliases() { return aliases; }
  }

  public enum LrSchedule implements Choice {
    CONSTANT("constant", "Constant", true, List.of("constant_with_warmup")),
    COSINE("cosine", "Cosine", true, List.of()),
    LINEAR("linear", "Linear", true, List.of()),
    COSINE_WITH_RESTARTS("cosine_with_restarts", "Cosine with restarts", false, List.of());

    private final String key;
    private final String label;
    private final boolean implemented;
    private final List<String> aliases;

    LrSchedule(String key, String label, boolean implemented, List<String> aliases) {
      this.key = key;
      this.label = label;
      this.implemented = implemented;
      this.aliases = aliases;
    }

    @Override public String key() { return key; }
    @Override public String label() { return label; }
    @Override public boolean implemented() { return implemented; }
    @Override public List<String> aliases() { return aliases; }
  }

  public enum TimestepType implements Choice {
    LINEAR("linear", "Linear", true),
    SIGMOID("sigmoid", "Sigmoid", true),
    WEIGHTED("weighted", "Weighted", true),
    SHIFT("shift", "Shift", true),
    LOGNORM_BLEND("lognorm_blend", "Lognorm blend", false);

    private final String key;
    private final String label;
    private final boolean implemented;

    TimestepType(String key, String label, boolean implemented) {
      this.key = key;
      this.label = label;
      this.implemented = implemented;
    }

    @Override public String key() { return key; }
    @Override public String label() { return label; }
    @Override public boolean implemented() { return implemented; }
  }

  public enum TimestepBias implements Choice {
    BALANCED("balanced", "Balanced", List.of()),
    HIGH_NOISE("high_noise", "High Noise", List.of("content", "high-noise")),
    LOW_NOISE("low_noise", "Low Noise", List.of("style", "low-noise"));

    private final String key;
    private final String label;
    private final List<String> aliases;

    TimestepBias(String key, String label, List<String> aliases) {
      this.key = key;
      this.label = label;
      this.aliases = aliases;
    }

    @Override public String key() { return key; }
    @Override public String label() { return label; }
    @Override public List<String> aliases() { return aliases; }
  }

  public enum LossType implements Choice {
    MSE("mse", "Mean Squared Error", true, List.of("l2")),
    MAE("mae", "Mean Absolute Error", true, List.of("l1")),
    WAVELET("wavelet", "Wavelet", false, List.of()),
    STEPPED("stepped", "Stepped", false, List.of()),
    PSEUDO_HUBER("pseudo_huber", "Pseudo-Huber", false, List.of());

    private final String key;
    private final String label;
    private final boolean implemented;
    private final List<String> aliases;

    LossType(String key, String label, boolean implemented, List<String> aliases) {
      this.key = key;
      this.label = label;
      this.implemented = implemented;
      this.aliases = aliases;
    }

    @Override public String key() { return key; }
    @Override public String label() { return label; }
    @Override public boolean implemented() { return implemented; }
    @Override public List<String> aliases() { return aliases; }
  }
}
