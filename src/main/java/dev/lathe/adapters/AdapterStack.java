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
}
