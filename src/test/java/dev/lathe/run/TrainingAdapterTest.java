package dev.lathe.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lathe.adapters.AdapterFiles;
import dev.lathe.config.ConfigDocument;
import dev.lathe.jobs.JobFolder;
import dev.lathe.jobs.JobState;
import dev.lathe.models.ModelFamily;
import dev.lathe.models.ModelLocator;
import dev.lathe.models.ModelSource;
import dev.lathe.models.SamplingDefaults;
import dev.lathe.models.zimage.ZImage;
import dev.lathe.sample.TextToImage;
import dev.lathe.torch.Runtime;
import dev.lathe.torch.SafeTensorsFile;
import dev.lathe.torch.SafeTensorsWriter;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import javax.imageio.ImageIO;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.GeneratorOptional;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Z-Image Turbo training adapter: read from ComfyUI's fused names, merged at +1 for training, cancelled while
 * previews render (they match the base model plus the user's LoRA alone), never written into the user's LoRA.
 */
class TrainingAdapterTest {
  @TempDir static Path root;
  static TinyJob tiny;
  static Path adapter;

  @BeforeAll
  static void setUp() throws IOException {
    Runtime.load();
    tiny = TinyJob.create(root);
    // a rank-2 "de-distilling" adapter in ComfyUI's native names (fused qkv), like a file a user downloads
    adapter = root.resolve("zimage_turbo_training_adapter_test.safetensors");
    try (PointerScope scope = new PointerScope()) {
      var gen = Runtime.generator(77);
      SafeTensorsWriter w = new SafeTensorsWriter();
      for (int layer = 0; layer < 2; layer++) {
        String p = "diffusion_model.layers." + layer + ".";
        w.put(p + "attention.qkv.lora_A.weight", torch.randn(new long[] {2, 64}, new GeneratorOptional(gen), new TensorOptions(ScalarType.Float)).mul(new Scalar(0.3)));
        w.put(p + "attention.qkv.lora_B.weight", torch.randn(new long[] {192, 2}, new GeneratorOptional(gen), new TensorOptions(ScalarType.Float)).mul(new Scalar(0.3)));
        w.put(p + "feed_forward.w1.lora_A.weight", torch.randn(new long[] {2, 64}, new GeneratorOptional(gen), new TensorOptions(ScalarType.Float)).mul(new Scalar(0.3)));
        w.put(p + "feed_forward.w1.lora_B.weight", torch.randn(new long[] {170, 2}, new GeneratorOptional(gen), new TensorOptions(ScalarType.Float)).mul(new Scalar(0.3)));
      }
      w.write(adapter);
    }
  }

  @Test
  void mergedForTraining_cancelledForPreviews_neverSaved() throws Exception {
    Path f = tiny.jobFile("turbo", 6, "");
    ConfigDocument d = ConfigDocument.load(f);
    d.set("model.architecture", "zimage_turbo");
    d.set("model.training_adapter", adapter.toString());
    d.set("sample.disable_sampling", false);
    d.set("sample.every", 6);
    d.set("sample.guidance_scale", 0.0);
    d.save();
    JobFolder job = JobRunnerTest.submit(f, "turbo");
    JobRunner.Result r = JobRunnerTest.run(job);
    assertThat(r.state()).as(r.message()).isEqualTo(JobState.FINISHED);
    assertThat(job.tailLog(100)).anyMatch(l -> l.contains("training adapter " + adapter.getFileName() + " (rank 2) merged at +1"));

    // the user's LoRA holds only its own rank-4 factors
    try (SafeTensorsFile lora = SafeTensorsFile.open(job.finalAdapter())) {
      assertThat(lora.info("diffusion_model.layers.0.attention.to_q.lora_A.weight").shape()).containsExactly(4, 64);
      assertThat(lora.names()).noneMatch(n -> n.contains("qkv"));
    }

    // the final preview equals a render by the plain base model with just the user's LoRA
    var rc = dev.lathe.config.Configs.load(job.config());
    var sample = rc.config().sample();
    ModelFamily family = new ZImage();
    try (ModelFamily.LoadedModel m = family.load(ModelSource.of(tiny.model.toString()), Runtime.cpu())) {
      AdapterFiles.load(job.finalAdapter(), m.denoiser().linearLayers(), Map.of());
      var p = sample.prompts().get(0);
      long seed = p.seed() != null ? p.seed() : sample.seed();
      TextToImage.Request req = new TextToImage.Request(p.prompt().replace("[trigger]", "tinytrig"),
          sample.negativePrompt(), 64, 64, new SamplingDefaults(sample.steps(), sample.guidanceScale(), family.scheduleShift()), seed);
      BufferedImage expected = TextToImage.render(family, m, req, TextToImage.Progress.NONE);
      BufferedImage preview = ImageIO.read(job.samplePath(6, 0).toFile());
      double diff = 0;
      for (int y = 0; y < 64; y++) for (int x = 0; x < 64; x++) {
        int a = expected.getRGB(x, y), b = preview.getRGB(x, y);
        for (int s = 0; s < 24; s += 8) diff += Math.abs(((a >> s) & 255) - ((b >> s) & 255));
      }
      assertThat(diff / (64 * 64 * 3)).as("mean |Δ| per channel, 0..255").isLessThan(0.5);
    }
  }

  @Test
  void hubIdResolvesInTheLocalCache_orSaysWhereItLooked(@TempDir Path home) throws Exception {
    Path snap = home.resolve("hub/models--ostris--zimage_turbo_training_adapter/snapshots/abc123");
    Files.createDirectories(snap);
    Files.copy(adapter, snap.resolve("zimage_turbo_training_adapter_v2.safetensors"));
    Path refs = home.resolve("hub/models--ostris--zimage_turbo_training_adapter/refs");
    Files.createDirectories(refs);
    Files.writeString(refs.resolve("main"), "abc123");
    ModelLocator loc = new ModelLocator(Map.of("HF_HUB_CACHE", home.resolve("hub").toString()), home);
    Path got = JobRunner.resolveFile("ostris/zimage_turbo_training_adapter/zimage_turbo_training_adapter_v2.safetensors", "training adapter", loc);
    assertThat(got).isEqualTo(snap.resolve("zimage_turbo_training_adapter_v2.safetensors"));
    assertThat(AdapterFiles.describe(got).rank()).isEqualTo(2);
    assertThatThrownBy(() -> JobRunner.resolveFile("ostris/zimage_turbo_training_adapter/missing_v9.safetensors", "training adapter", loc))
        .hasMessageContaining("training adapter 'ostris/zimage_turbo_training_adapter/missing_v9.safetensors': not found")
        .hasMessageContaining(home.resolve("hub").toString()).hasMessageContaining("never downloads");
  }
}
