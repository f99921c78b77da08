package dev.lathe.bench;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * A switch flipped step by step inside one bench process: on for the first timed step, off for the next, and so
 * on, then the median of each and their ratio. Separate processes on a shared or virtual machine drift by 10–25 %
 * from one to the next (see scripts/bench/README.md), which hides a 3 % effect; steps that alternate within one
 * process see the same machine state, so a few dozen of them resolve it.
 */
public enum Alternate {
  /** The token split of the transformer blocks ({@code -Dlathe.split}). */
  SPLIT("split", dev.lathe.nn.TokenSplit::setEnabled),
  /** A split block's attention divided by heads rather than by rows ({@code -Dlathe.split.heads}). */
  SPLIT_HEADS("split-heads", dev.lathe.nn.TokenSplit::setByHeads),
  /** Joined weights of layers that share an input ({@code -Dlathe.joinWeights}). */
  JOIN_WEIGHTS("join-weights", dev.lathe.nn.Linear::setJoinWeights);

  public final String id;
  private final Function<Boolean, Boolean> set;

  Alternate(String id, Function<Boolean, Boolean> set) {
    this.id = id;
    this.set = set;
  }

  /** The switch named {@code id}; the message lists the known ones. */
  public static Alternate of(String id) {
    for (Alternate a : values()) if (a.id.equals(id)) return a;
    throw new IllegalArgumentException("unknown switch '" + id + "' for --alternate; known: "
        + String.join(", ", Arrays.stream(values()).map(a -> a.id).toList()));
  }

  /** Sets the switch for timed step {@code k} (on for even k); returns the setting before. */
  boolean setFor(int k) {
    return set.apply(on(k));
  }

  void restore(boolean before) {
    set.apply(before);
  }

  /** Whether timed step {@code k} ran with the switch on. */
  static boolean on(int k) {
    return k % 2 == 0;
  }

  /** The result entry: median step time with the switch on and off, and on / off. */
  Map<String, Object> result(double[] stepSeconds) {
    int n = stepSeconds.length;
    double[] on = new double[(n + 1) / 2], off = new double[n / 2];
    for (int k = 0; k < n; k++) {
      if (on(k)) on[k / 2] = stepSeconds[k];
      else off[k / 2] = stepSeconds[k];
    }
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("switch", id);
    r.put("steps_on", on.length);
    r.put("steps_off", off.length);
    double mOn = Stats.of(on).median() * 1e3, mOff = Stats.of(off).median() * 1e3;   // Options asks for 2+ steps
    r.put("on_ms", mOn);
    r.put("off_ms", mOff);
    r.put("ratio", mOn / mOff);
    return r;
  }

  /** One line for a person. */
  public static String describe(Map<String, Object> r) {
    return String.format(Locale.ROOT, "alternating %s: on %.1f ms, off %.1f ms (medians of %s and %s steps): on/off %.3f", r.get("switch"),
        (Double) r.get("on_ms"), (Double) r.get("off_ms"), r.get("steps_on"), r.get("steps_off"), (Double) r.get("ratio"));
  }
}
