package dev.lathe.sample;

import dev.lathe.models.Denoiser;
import dev.lathe.models.LatentCodec;
import dev.lathe.models.ModelFamily;
import dev.lathe.models.SamplingDefaults;
import dev.lathe.models.TextEncoder;
import dev.lathe.nn.Keep;
import dev.lathe.torch.Runtime;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.GeneratorOptional;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Text → image with any flow family: seeded noise drawn on the CPU (the same seed gives the same image on every
 * device), flow-match Euler steps with optional classifier-free guidance, then the family's VAE.
 */
public final class TextToImage {
  private TextToImage() {}

  /**
   * One image to render.
   *
   * @param negative the negative prompt ("" for none); used only when guidance is on
   * @param width pixels, a multiple of the family's bucket divisor
   * @param sampling steps, guidance (standard convention; ≤ 1 = no guidance) and schedule shift
   */
  public record Request(String prompt, String negative, int width, int height, SamplingDefaults sampling, long seed) {
    public Request {
      if (width <= 0 || height <= 0) throw new IllegalArgumentException("size " + width + "×" + height + " must be positive");
      negative = negative == null ? "" : negative;
    }
  }

  /** Called after each step with the step number (1-based) and the total. */
  @FunctionalInterface
  public interface Progress {
    Progress NONE = (step, total) -> {};

    void step(int step, int total);
  }

  /** The final latents [1, C, H/d, W/d] in fp32 on the CPU (before decoding). */
  public static float[] latents(ModelFamily family, dev.lathe.models.ModelFamily.LoadedModel model, Request r, Progress progress)
      throws IOException {
    try (PointerScope scope = new PointerScope()) {
      return dev.lathe.torch.Tensors.toFloats(run(family, model, r, progress));
    }
  }

  /** Renders the request to an RGB image of exactly width × height. */
  public static BufferedImage render(ModelFamily family, dev.lathe.models.ModelFamily.LoadedModel model, Request r, Progress progress)
      throws IOException {
    try (PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
      Tensor x = run(family, model, r, progress);
      return Png.image(model.codec().decode(x));
    }
  }

  /** The sampling loop; returns fp32 latents in the caller's scope. */
  private static Tensor run(ModelFamily family, dev.lathe.models.ModelFamily.LoadedModel model, Request r, Progress progress)
      throws IOException {
    int div = family.bucketDivisor();
    if (r.width() % div != 0 || r.height() % div != 0)
      throw new IllegalArgumentException("size " + r.width() + "×" + r.height() + " is not a multiple of " + div);
    LatentCodec codec = model.codec();
    Denoiser denoiser = model.denoiser();
    TextEncoder text = model.textEncoder();
    boolean cfg = r.sampling().usesGuidance();
    try (NoGradGuard g = new NoGradGuard()) {
      List<Tensor> conds = text.encode(cfg ? List.of(r.prompt(), r.negative()) : List.of(r.prompt()));
      long h = r.height() / codec.downscale(), w = r.width() / codec.downscale();
      Tensor x = torch.randn(new long[] {1, codec.latentChannels(), h, w}, new GeneratorOptional(Runtime.generator(r.seed())),
          new TensorOptions(ScalarType.Float));                                           // drawn on the CPU
      Device dev = denoiser.module().parameters(true).get(0).device();
      x = Keep.retained(x.to(dev, ScalarType.Float));
      try {
        double[] sigmas = FlowMatchEuler.sigmas(r.sampling().steps(), r.sampling().shift());
        for (int k = 0; k < sigmas.length - 1; k++) {
          try (PointerScope step = new PointerScope()) {
            Tensor v = velocity(denoiser, x, sigmas[k], conds, cfg, r.sampling().guidance());
            x.add_(v.to(ScalarType.Float), new Scalar(sigmas[k + 1] - sigmas[k]));    // x ← x + (σ_{k+1} − σ_k)·v
          }
          progress.step(k + 1, sigmas.length - 1);
        }
        return x.clone();
      } finally {
        x.releaseReference();
      }
    }
  }

  /** v for one step; with guidance, positive and negative run as one batch of two and v = v⁻ + g·(v⁺ − v⁻). */
  private static Tensor velocity(Denoiser d, Tensor x, double sigma, List<Tensor> conds, boolean cfg, double guidance) {
    if (!cfg) return d.velocity(x, torch.full(new long[] {1}, new Scalar(sigma), new TensorOptions(ScalarType.Float)), conds);
    Tensor both = torch.cat(new org.bytedeco.pytorch.TensorVector(x, x), 0);
    Tensor v = d.velocity(both, torch.full(new long[] {2}, new Scalar(sigma), new TensorOptions(ScalarType.Float)), conds).to(ScalarType.Float);
    Tensor pos = v.narrow(0, 0, 1), neg = v.narrow(0, 1, 1);
    return neg.add(pos.sub(neg).mul(new Scalar(guidance)));
  }
}
