package dev.lathe.train;

import java.util.Locale;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;

/**
 * Updates named trainable tensors from their gradients. All state (moments, step count) is exposed as named
 * tensors so a full-state checkpoint restores it bit for bit.
 */
public interface Optimizer {
  enum Kind {
    ADAMW, ADAMW8BIT, ADAFACTOR;

    public static Kind parse(String s) {
      return switch (s.toLowerCase(Locale.ROOT).replace("_", "").replace("-", "")) {
        case "adamw" -> ADAMW;
        case "adamw8bit" -> ADAMW8BIT;
        case "adafactor" -> ADAFACTOR;
        default -> throw new IllegalArgumentException("optimizer '" + s + "' is not one of adamw, adamw8bit, adafactor");
      };
    }
  }

  /** Applies one update at learning rate {@code lr}; parameters without a gradient are skipped. */
  void step(double lr);

  /** Optimizer state by name, CPU copies, for checkpoints. */
  Map<String, Tensor> state();

  /** Restores what {@link #state()} returned. */
  void loadState(Map<String, Tensor> state);

  /** Bytes the state occupies (for the memory comparison in the docs). */
  long stateBytes();

  static Optimizer create(Kind kind, Map<String, Tensor> params, double weightDecay) {
    return switch (kind) {
      case ADAMW -> new AdamW(params, 0.9, 0.999, 1e-8, weightDecay);
      case ADAMW8BIT -> new AdamW8bit(params, 0.9, 0.999, 1e-8, weightDecay);
      case ADAFACTOR -> new Adafactor(params, weightDecay);
    };
  }
}
