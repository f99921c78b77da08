package dev.lathe.train;

import org.bytedeco.pytorch.GeneratorOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Where a micro-batch's noise ε and noise levels σ come from. Training uses {@link #seeded}; a benchmark feeds fixed
 * values so that its loss can be checked against another implementation on the same inputs.
 */
public interface NoiseSource {
  /**
   * What one micro-batch draws.
   *
   * @param noise ε, the shape, device and dtype of the latents
   * @param sigmas σ per item, in [0, 1]
   * @param weights loss weight per item (1 unless the timestep sampler weights them)
   */
  record Draw(Tensor noise, double[] sigmas, double[] weights) {}

  /** The draw for micro-batch {@code micro} of optimizer step {@code step} (0-based), for clean latents {@code x0}. */
  Draw draw(long step, int micro, Tensor x0);

  /**
   * The training default: σ from {@code timesteps} on the stream (seed, step, micro, TIMESTEP) and ε ~ N(0, 1) drawn
   * on the CPU from (seed, step, micro, NOISE), then moved, so a seed gives the same run on every device and a
   * resumed run draws what an uninterrupted one would.
   */
  static NoiseSource seeded(long seed, TimestepSampler timesteps) {
    return (step, micro, x0) -> {
      TimestepSampler.Draw d = timesteps.draw((int) x0.size(0), new Rng.Scalar(seed, step, micro, Rng.Stream.TIMESTEP));
      Tensor noise = torch.randn(x0.sizes().vec().get(), new GeneratorOptional(Rng.torch(seed, step, micro, Rng.Stream.NOISE)),
          new TensorOptions(ScalarType.Float)).to(x0.device(), x0.scalar_type());
      return new Draw(noise, d.sigmas(), d.weights());
    };
  }
}
