package dev.lathe.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lathe.models.Denoiser;
import dev.lathe.models.Families;
import dev.lathe.models.LatentCodec;
import dev.lathe.models.ModelFamily;
import dev.lathe.models.SamplingDefaults;
import dev.lathe.models.TextEncoder;
import dev.lathe.nn.Layer;
import dev.lathe.nn.Linear;
import dev.lathe.torch.Runtime;
import dev.lathe.torch.Tensors;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.GeneratorOptional;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TextToImageTest {
  static ModelFamily zimage;

  @BeforeAll
  static void init() {
    Runtime.load();
    zimage = Families.find("zimage").orElseThrow();
  }

  @Test
  void sigmas_turboSchedule_handComputed() {
    // linspace(1, 1/8, 8) = 1, 7/8, ..., 1/8; shifted 3σ/(1+2σ); then 0
    double[] s = FlowMatchEuler.sigmas(8, 3.0);
    assertThat(s).hasSize(9);
    double[] expected = new double[9];
    for (int k = 0; k < 8; k++) {
      double sigma = 1.0 - k / 8.0;
      expected[k] = 3 * sigma / (1 + 2 * sigma);
    }
    assertThat(s).containsExactly(expected, org.assertj.core.data.Offset.offset(1e-15));
    assertThat(s[0]).isEqualTo(1.0);
    assertThat(s[7]).isCloseTo(0.3, org.assertj.core.data.Offset.offset(1e-15));   // σ = 1/8 → 0.375 / 1.25
    assertThat(s[8]).isZero();
    assertThat(FlowMatchEuler.sigmas(1, 3.0)).containsExactly(1.0, 0.0);
    assertThat(FlowMatchEuler.shift(0.5, 1.0)).isEqualTo(0.5);
  }

  @Test
  void eulerSteps_onAKnownVelocityField_matchTheClosedForm() throws IOException {
    // v(x) = x: each step multiplies by (1 + σ_{k+1} − σ_k); noise comes from Runtime.generator(seed) on the CPU
    FakeModel m = new FakeModel(false);
    SamplingDefaults d = new SamplingDefaults(4, 0.0, 3.0);
    float[] got = TextToImage.latents(zimage, m, new TextToImage.Request("p", null, 32, 16, d, 11), TextToImage.Progress.NONE);
    double factor = 1;
    double[] s = FlowMatchEuler.sigmas(4, 3.0);
    for (int k = 0; k < 4; k++) factor *= 1 + s[k + 1] - s[k];
    try (PointerScope scope = new PointerScope()) {
      float[] noise = Tensors.toFloats(torch.randn(new long[] {1, 16, 2, 4}, new GeneratorOptional(Runtime.generator(11)), new TensorOptions(ScalarType.Float)));
      assertThat(got).hasSameSizeAs(noise);
      for (int i = 0; i < got.length; i++) assertThat((double) got[i]).isCloseTo(noise[i] * factor, org.assertj.core.data.Offset.offset(1e-5));
    }
    assertThat(m.prompts).containsExactly(List.of("p"));   // no guidance: no negative pass
  }

  @Test
  void guidance_combinesPositiveAndNegativeAsStandardCfg() throws IOException {
    // the fake's velocity is x for the positive prompt and 0 for the negative: v = 0 + g·(x − 0) = g·x
    FakeModel m = new FakeModel(true);
    float[] got = TextToImage.latents(zimage, m, new TextToImage.Request("p", "bad", 16, 16, new SamplingDefaults(1, 3.0, 1.0), 5), TextToImage.Progress.NONE);
    try (PointerScope scope = new PointerScope()) {
      float[] noise = Tensors.toFloats(torch.randn(new long[] {1, 16, 2, 2}, new GeneratorOptional(Runtime.generator(5)), new TensorOptions(ScalarType.Float)));
      for (int i = 0; i < got.length; i++) assertThat((double) got[i]).isCloseTo(noise[i] * (1 - 3.0), org.assertj.core.data.Offset.offset(1e-5));
    }
    assertThat(m.prompts).containsExactly(List.of("p", "bad"));
  }

  @Test
  void tinyRandomModel_sameSeedSameLatents_andAPngOfTheRequestedSize(@TempDir Path dir) throws IOException {
    try (ModelFamily.LoadedModel m = zimage.random("tiny", 1, Runtime.cpu())) {
      SamplingDefaults turbo = zimage.sampling("turbo");
      var r = new TextToImage.Request("a lighthouse at dusk", null, 48, 32, turbo, 42);
      List<int[]> steps = new ArrayList<>();
      float[] a = TextToImage.latents(zimage, m, r, (k, n) -> steps.add(new int[] {k, n}));
      float[] b = TextToImage.latents(zimage, m, r, TextToImage.Progress.NONE);
      assertThat(b).containsExactly(a);
      assertThat(steps).hasSize(8);
      SamplingDefaults one = new SamplingDefaults(1, 0.0, 3.0);
      float[] seed42 = TextToImage.latents(zimage, m, new TextToImage.Request("a lighthouse at dusk", null, 48, 32, one, 42), TextToImage.Progress.NONE);
      float[] seed43 = TextToImage.latents(zimage, m, new TextToImage.Request("a lighthouse at dusk", null, 48, 32, one, 43), TextToImage.Progress.NONE);
      assertThat(seed43).isNotEqualTo(seed42);

      BufferedImage img = TextToImage.render(zimage, m, new TextToImage.Request("a lighthouse at dusk", null, 48, 32, new SamplingDefaults(2, 0.0, 3.0), 42),
          TextToImage.Progress.NONE);
      assertThat(img.getWidth()).isEqualTo(48);
      assertThat(img.getHeight()).isEqualTo(32);
      Path png = dir.resolve("sample.png");
      Png.write(png, img);
      BufferedImage back = ImageIO.read(png.toFile());
      assertThat(back.getWidth()).isEqualTo(48);
      assertThat(back.getHeight()).isEqualTo(32);
      assertThat(back.getRGB(5, 7)).isEqualTo(img.getRGB(5, 7));
      try (var files = Files.list(dir)) {
        assertThat(files.map(p -> p.getFileName().toString())).containsExactly("sample.png");   // no temporary left behind
      }
      var cfg = new TextToImage.Request("a lighthouse at dusk", "blurry", 48, 32, new SamplingDefaults(1, 3.0, 3.0), 42);
      assertThat(TextToImage.render(zimage, m, cfg, TextToImage.Progress.NONE).getWidth()).isEqualTo(48);
    }
  }

  @Test
  void sizeNotAMultipleOfTheBucket_isRefused() {
    try (ModelFamily.LoadedModel m = zimage.random("tiny", 1, Runtime.cpu())) {
      assertThatThrownBy(() -> TextToImage.latents(zimage, m, new TextToImage.Request("x", null, 40, 32, zimage.sampling(null), 1), TextToImage.Progress.NONE))
          .hasMessage("size 40×32 is not a multiple of 16");
    }
  }

  /** Velocity x for every prompt, or with {@code negativeZero} 0 for the second prompt of a batch. VAE ×8, 16 channels. */
  static final class FakeModel implements ModelFamily.LoadedModel {
    final List<List<String>> prompts = new ArrayList<>();
    final boolean negativeZero;
    final Layer module = new Layer("Fake") {};

    FakeModel(boolean negativeZero) {
      this.negativeZero = negativeZero;
      module.register_parameter("w", torch.zeros(1), false);
    }

    @Override
    public Denoiser denoiser() {
      return new Denoiser() {
        @Override
        public Module module() {
          return module;
        }

        @Override
        public Tensor velocity(Tensor latents, Tensor sigma, List<Tensor> text) {
          if (!negativeZero || latents.size(0) == 1) return latents.clone();
          return torch.cat(new org.bytedeco.pytorch.TensorVector(latents.narrow(0, 0, 1), torch.zeros_like(latents.narrow(0, 1, 1))), 0);
        }

        @Override
        public Map<String, Linear> linearLayers() {
          return Map.of();
        }

        @Override
        public boolean defaultTarget(String modulePath) {
          return false;
        }

        @Override
        public void setGradientCheckpointing(boolean on) {}
      };
    }

    @Override
    public TextEncoder textEncoder() {
      return new TextEncoder() {
        @Override
        public String cacheId() {
          return "fake";
        }

        @Override
        public long embeddingDim() {
          return 4;
        }

        @Override
        public List<Tensor> encode(List<String> p) {
          prompts.add(p);
          List<Tensor> out = new ArrayList<>();
          for (String s : p) out.add(torch.zeros(3, 4));
          return out;
        }
      };
    }

    @Override
    public LatentCodec codec() {
      return new LatentCodec() {
        @Override
        public String cacheId() {
          return "fake";
        }

        @Override
        public int latentChannels() {
          return 16;
        }

        @Override
        public int downscale() {
          return 8;
        }

        @Override
        public Tensor encode(Tensor pixels) {
          throw new UnsupportedOperationException();
        }

        @Override
        public Tensor decode(Tensor latents) {
          throw new UnsupportedOperationException();
        }
      };
    }

    @Override
    public void releaseTextEncoder() {}

    @Override
    public void close() {}
  }
}
