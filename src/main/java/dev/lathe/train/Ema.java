package dev.lathe.train;

import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;

/**
 * Exponential moving average of the trainable tensors: after each optimizer step shadow ← d·shadow + (1−d)·θ.
 * Samples and saved files use the shadow when EMA is on: {@link #swapIn()} before, {@link #swapOut()} after.
 */
public final class Ema {
  private final Map<String, Tensor> params;
  private final Map<String, Tensor> shadow = new LinkedHashMap<>();
  private final Map<String, Tensor> stash = new LinkedHashMap<>();
  private final double decay;

  public Ema(Map<String, Tensor> params, double decay) {
    if (!(decay > 0 && decay < 1)) throw new IllegalArgumentException("EMA decay must be in (0, 1), was " + decay);
    this.params = params;
    this.decay = decay;
    try (NoGradGuard g = new NoGradGuard()) {
      for (Map.Entry<String, Tensor> e : params.entrySet()) {
        Tensor s = e.getValue().detach().clone();
        s.retainReference();
        shadow.put(e.getKey(), s);
      }
    }
  }

  public void update() {
    try (PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
      Scalar d = new Scalar(decay);
      Scalar oneMinus = new Scalar(1 - decay);
      for (Map.Entry<String, Tensor> e : params.entrySet()) shadow.get(e.getKey()).mul_(d).add_(e.getValue().detach(), oneMinus);
    }
  }

  /** Puts the averaged weights into the live tensors, keeping the trained ones aside. */
  public void swapIn() {
    if (!stash.isEmpty()) throw new IllegalStateException("EMA weights are already swapped in");
    try (NoGradGuard g = new NoGradGuard()) {
      for (Map.Entry<String, Tensor> e : params.entrySet()) {
        Tensor keep = e.getValue().detach().clone();
        keep.retainReference();
        stash.put(e.getKey(), keep);
        e.getValue().copy_(shadow.get(e.getKey()));
      }
    }
  }

  /** Restores the trained weights after {@link #swapIn()}. */
  public void swapOut() {
    try (NoGradGuard g = new NoGradGuard()) {
      for (Map.Entry<String, Tensor> e : params.entrySet()) {
        Tensor keep = stash.remove(e.getKey());
        e.getValue().copy_(keep);
        keep.releaseReference();
      }
    }
  }

  /** CPU copies of the shadow, for checkpoints. */
  public Map<String, Tensor> state() {
    Map<String, Tensor> out = new LinkedHashMap<>();
    try (NoGradGuard g = new NoGradGuard()) {
      shadow.forEach((k, v) -> out.put(k, v.cpu().clone()));
    }
    return out;
  }

  public void loadState(Map<String, Tensor> state) {
    try (NoGradGuard g = new NoGradGuard()) {
      for (Map.Entry<String, Tensor> e : shadow.entrySet()) {
        Tensor v = state.get(e.getKey());
        if (v == null) throw new IllegalArgumentException("EMA state lacks '" + e.getKey() + "'");
        e.getValue().copy_(v);
      }
    }
  }
}
