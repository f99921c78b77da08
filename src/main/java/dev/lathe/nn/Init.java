package dev.lathe.nn;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.GeneratorOptional;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/** Random parameters for models built without weights (tests, benchmarks, the demo). */
public final class Init {
  private Init() {}

  /**
   * Fills every parameter of {@code model}, in module order, from {@code gen} (drawn on the CPU, so a seed gives the
   * same model on every device): 1-d {@code weight}s (norm scales) ~ N(1, 0.1), biases ~ N(0, 0.02), everything else
   * ~ N(0, std).
   */
  public static void normal(Module model, Generator gen, double std, ScalarType dtype, Device device) {
    try (NoGradGuard g = new NoGradGuard()) {
      for (Modules.Named p : Modules.parameters(model)) {
        try (PointerScope scope = new PointerScope()) {
          long[] shape = p.tensor().sizes().vec().get();
          boolean bias = p.name().endsWith("bias");
          boolean scale = shape.length == 1 && !bias;
          Tensor v = torch.randn(shape, new GeneratorOptional(gen), new org.bytedeco.pytorch.TensorOptions(ScalarType.Float))
              .mul(new Scalar(scale ? 0.1 : bias ? 0.02 : std));
          if (scale) v = v.add(new Scalar(1.0));
          p.tensor().set_data(v.to(device, dtype));
        }
      }
    }
  }
}
