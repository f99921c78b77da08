package dev.lathe.adapters;

import dev.lathe.nn.Linear;
import dev.lathe.torch.Runtime;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.pytorch.GeneratorOptional;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/** Test layers: Linears with seeded random weights under module paths. */
final class Layers {
  private Layers() {}

  static Linear linear(long in, long out, long seed) {
    Runtime.load();
    Linear l = new Linear(in, out, true, new TensorOptions(ScalarType.Float));
    try (NoGradGuard g = new NoGradGuard()) {
      var gen = Runtime.generator(seed);
      l.weight().normal_(0, 0.2, new GeneratorOptional(gen));
      l.bias().normal_(0, 0.2, new GeneratorOptional(gen));
    }
    return l;
  }

  /** path → [in, out] */
  static Map<String, Linear> of(Map<String, long[]> shapes, long seed) {
    Map<String, Linear> m = new LinkedHashMap<>();
    long s = seed;
    for (Map.Entry<String, long[]> e : shapes.entrySet()) m.put(e.getKey(), linear(e.getValue()[0], e.getValue()[1], s++));
    return m;
  }

  static Map<String, Linear> small(long seed) {
    Map<String, long[]> shapes = new LinkedHashMap<>();
    shapes.put("layers.0.attention.to_q", new long[] {12, 12});
    shapes.put("layers.0.feed_forward.w1", new long[] {12, 20});
    shapes.put("layers.0.feed_forward.w2", new long[] {20, 12});
    shapes.put("noise_refiner.0.attention.to_q", new long[] {12, 12});
    shapes.put("layers.1.attention.to_out.0", new long[] {12, 12});
    return of(shapes, seed);
  }

  static org.bytedeco.pytorch.Tensor input(long rows, long in, long seed) {
    return torch.randn(new long[] {2, rows, in}, new GeneratorOptional(Runtime.generator(seed)), new TensorOptions(ScalarType.Float));
  }
}
