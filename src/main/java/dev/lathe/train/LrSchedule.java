package dev.lathe.train;

import java.util.Locale;

/**
 * Learning rate per optimizer step (0-based): an optional linear warm-up from lr/warmup to lr over
 * {@code warmup} steps, then constant, cosine (to 0 at the last step) or linear (to 0 at the last step).
 */
public record LrSchedule(Kind kind, double lr, int warmup, int totalSteps) {
  public enum Kind {
    CONSTANT, COSINE, LINEAR;

    public static Kind parse(String s) {
      return switch (s.toLowerCase(Locale.ROOT)) {
        case "constant" -> CONSTANT;
        case "cosine" -> COSINE;
        case "linear" -> LINEAR;
        default -> throw new IllegalArgumentException("lr schedule '" + s + "' is not one of constant, cosine, linear");
      };
    }
  }

  public LrSchedule {
    if (warmup < 0 || totalSteps < 1) throw new IllegalArgumentException("warm-up " + warmup + " / steps " + totalSteps);
  }

  public double at(long step) {
    if (step < warmup) return lr * (step + 1) / warmup;
    long decaySteps = Math.max(1, totalSteps - warmup);
    double progress = Math.min(1.0, (double) (step - warmup) / decaySteps);
    return switch (kind) {
      case CONSTANT -> lr;
      case COSINE -> lr * 0.5 * (1 + Math.cos(Math.PI * progress));
      case LINEAR -> lr * (1 - progress);
    };
  }
}
