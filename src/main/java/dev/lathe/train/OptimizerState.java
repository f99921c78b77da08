package dev.lathe.train;

import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/** Named state buffers that outlive every PointerScope, with checkpoint copy-out / copy-in. */
final class OptimizerState {
  final Map<String, Tensor> buffers = new LinkedHashMap<>();
  long step;

  Tensor zeros(String name, long[] shape, ScalarType type, Tensor like) {
    Tensor t = torch.zeros(shape, new TensorOptions(type).device(new org.bytedeco.pytorch.DeviceOptional(like.device())));
    t.retainReference();
    buffers.put(name, t);
    return t;
  }

  Map<String, Tensor> export() {
    Map<String, Tensor> out = new LinkedHashMap<>();
    try (NoGradGuard g = new NoGradGuard()) {
      for (Map.Entry<String, Tensor> e : buffers.entrySet()) out.put(e.getKey(), e.getValue().cpu().clone());
      out.put("step", dev.lathe.torch.Tensors.fromLongs(new long[] {step}));
    }
    return out;
  }

  void restore(Map<String, Tensor> in) {
    try (NoGradGuard g = new NoGradGuard()) {
      for (Map.Entry<String, Tensor> e : buffers.entrySet()) {
        Tensor v = in.get(e.getKey());
        if (v == null) throw new IllegalArgumentException("optimizer state lacks '" + e.getKey() + "'");
        if (!java.util.Arrays.equals(v.sizes().vec().get(), e.getValue().sizes().vec().get()))
          throw new IllegalArgumentException("optimizer state '" + e.getKey() + "' has another shape; was the adapter config changed?");
        e.getValue().copy_(v);
      }
      Tensor s = in.get("step");
      step = s == null ? 0 : dev.lathe.torch.Tensors.toLongs(s)[0];
    }
  }

  long bytes() {
    long n = 0;
    for (Tensor t : buffers.values()) n += t.nbytes();
    return n;
  }
}
