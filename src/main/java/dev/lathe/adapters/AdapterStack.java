package dev.lathe.adapters;

import dev.lathe.nn.LinearAdapter;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.Tensor;

/** Several adapters on one Linear (the user's LoRA and, while sampling, a training adapter at −1). */
final class AdapterStack implements LinearAdapter {
  final List<Adapter> members = new ArrayList<>();

  @Override
  public Tensor forward(Tensor x) {
    Tensor sum = null;
    for (Adapter a : members) {
      if (!a.enabled) continue;
      Tensor y = a.forward(x);
      sum = sum == null ? y : sum.add(y);
    }
    return sum;   // null: every member is disabled or merged
  }

  @Override
  public Tensor downProjection(Tensor x) {
    Adapter a = onlyActive();
    return a == null ? null : a.downProjection(x);
  }

  @Override
  public Tensor addUp(Tensor y, Tensor down) {
    return onlyActive().addUp(y, down);
  }

  @Override
  public List<Tensor> trainables() {
    List<Tensor> all = new ArrayList<>();
    for (Adapter a : members) all.addAll(a.trainables());
    return all;
  }

  @Override
  public boolean stochastic() {
    for (Adapter a : members) if (a.stochastic()) return true;
    return false;
  }

  private Adapter onlyActive() {
    Adapter only = null;
    for (Adapter a : members) {
      if (!a.enabled) continue;
      if (only != null) return null;
      only = a;
    }
    return only;
  }

  /** With one active member its fused path; with several, their sum added once (as {@link #forward}). */
  @Override
  public Tensor addTo(Tensor y, Tensor x) {
    Adapter only = null;
    int active = 0;
    for (Adapter a : members) {
      if (!a.enabled) continue;
      only = a;
      active++;
    }
    if (active == 0) return y;
    if (active == 1) return only.addTo(y, x);
    return y.add(forward(x));
  }
}
