package dev.lathe.models.zimage;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lathe.io.AtomicFiles;
import dev.lathe.nn.Modules;
import dev.lathe.nn.Params;
import dev.lathe.torch.Runtime;
import dev.lathe.torch.SafeTensorsWriter;
import dev.lathe.train.Optimizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.GeneratorOptional;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The embedded demo's model: Z-Image's real architectures at a tiny size, written as a diffusers folder so the demo
 * job loads it like any downloaded model. The transformer and text encoder keep seeded random weights (only the
 * LoRA trains during the job). The VAE — the fixture-sized Flux autoencoder with four levels, 8× down like the
 * released one — is first fitted for a few seconds to the demo's own images, so that previews decode to pictures
 * instead of noise; its scaling and shift are then measured from the data the way the released values were.
 */
public final class ZImageDemo {
  private ZImageDemo() {}

  /**
   * Writes the demo pipeline into {@code folder}.
   *
   * @param images the demo pictures, each [3, H, W] in [-1, 1] (H, W multiples of 8)
   * @param vaeSteps optimisation steps for the autoencoder
   * @param progress told the step after each one
   */
  public static void write(Path folder, List<Tensor> images, long seed, int vaeSteps, IntConsumer progress) throws IOException {
    ZImage family = new ZImage();
    family.writeRandom("demo", seed, folder);   // transformer, text encoder, tokenizer, and a placeholder VAE
    FluxVae.Config base = new FluxVae.Config(3, 3, List.of(16, 16, 32, 32), 1, 16, 8, 1.0, 0.0, true);   // 8 groups: cheap at 64 px
    FluxVae vae = new FluxVae(base, Params.allocate(new TensorOptions(ScalarType.Float)));
    try {
      initialise(vae, seed + 7);
      fit(vae, images, vaeSteps, seed, progress);
      double[] stats = latentStats(vae, images);
      FluxVae.Config fitted = new FluxVae.Config(3, 3, base.blockOut(), 1, 16, base.groups(), 1 / stats[1], stats[0], true);
      Path dir = folder.resolve("vae");
      try (PointerScope scope = new PointerScope()) {
        SafeTensorsWriter w = new SafeTensorsWriter().metadata("format", "pt");
        for (var p : Modules.parameters(vae)) w.put(p.name(), p.tensor().detach());
        w.write(dir.resolve("diffusion_pytorch_model.safetensors"));
      }
      ObjectMapper json = new ObjectMapper();
      AtomicFiles.write(dir.resolve("config.json"), json.writerWithDefaultPrettyPrinter().writeValueAsBytes(fitted.toJson()));
    } finally {
      Modules.free(vae);
    }
  }

  /** Fan-in scaled normal weights, unit norm scales, zero biases: a trainable start for convolutions. */
  private static void initialise(FluxVae vae, long seed) {
    var gen = Runtime.generator(seed);
    try (NoGradGuard g = new NoGradGuard()) {
      for (var p : Modules.parameters(vae)) {
        try (PointerScope scope = new PointerScope()) {
          long[] s = p.tensor().sizes().vec().get();
          Tensor v;
          if (p.name().endsWith("bias")) v = torch.zeros(s, new TensorOptions(ScalarType.Float));
          else if (s.length == 1) v = torch.ones(s, new TensorOptions(ScalarType.Float));
          else {
            long fanIn = 1;
            for (int i = 1; i < s.length; i++) fanIn *= s[i];
            v = torch.randn(s, new GeneratorOptional(gen), new TensorOptions(ScalarType.Float)).mul(new Scalar(1 / Math.sqrt(fanIn)));
          }
          p.tensor().copy_(v);
        }
      }
    }
  }

  /** Reconstruction + a light KL toward N(0, 1), AdamW, mini-batches of up to 8 images. */
  private static void fit(FluxVae vae, List<Tensor> images, int steps, long seed, IntConsumer progress) {
    Map<String, Tensor> params = new LinkedHashMap<>();
    for (var p : Modules.parameters(vae)) {
      p.tensor().requires_grad_(true);
      params.put(p.name(), p.tensor());
    }
    Optimizer opt = Optimizer.create(Optimizer.Kind.ADAMW, params, 0);
    var pick = new java.util.SplittableRandom(seed);
    int batch = Math.min(4, images.size());
    for (int step = 0; step < steps; step++) {
      try (PointerScope scope = new PointerScope()) {
        for (Tensor p : params.values()) if (p.grad() != null && p.grad().defined()) p.grad().zero_();
        TensorVector xs = new TensorVector();
        for (int i = 0; i < batch; i++) xs.push_back(images.get(pick.nextInt(images.size())));
        Tensor x = torch.stack(xs);                                                     // [B, 3, H, W]
        Tensor[] m = vae.moments(x, Probe.NONE);
        Tensor eps = torch.randn(m[0].sizes().vec().get(), new GeneratorOptional(Runtime.generator(seed + step)),
            new TensorOptions(ScalarType.Float));
        Tensor z = m[0].add(m[1].mul(new Scalar(0.5)).exp().mul(eps));
        Tensor recon = vae.decodeRaw(z, Probe.NONE);
        Tensor kl = m[0].square().add(m[1].exp()).sub(m[1]).sub(new Scalar(1.0)).mean().mul(new Scalar(0.5));
        Tensor loss = recon.sub(x).square().mean().add(kl.mul(new Scalar(1e-3)));
        loss.backward();
        double lr = 2e-3 * Math.min(1.0, (step + 1) / 20.0);
        opt.step(lr);
      }
      progress.accept(step + 1);
    }
    try (NoGradGuard g = new NoGradGuard()) {
      for (Tensor p : params.values()) p.requires_grad_(false);
    }
  }

  /** Mean and standard deviation of the posterior means over the images: the shift and 1/scale. */
  private static double[] latentStats(FluxVae vae, List<Tensor> images) {
    try (PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
      TensorVector xs = new TensorVector();
      for (Tensor t : images) xs.push_back(t);
      Tensor mean = vae.moments(torch.stack(xs), Probe.NONE)[0];
      double mu = mean.mean().item_double();
      double sd = mean.std().item_double();
      return new double[] {mu, Math.max(sd, 1e-3)};
    }
  }

}
