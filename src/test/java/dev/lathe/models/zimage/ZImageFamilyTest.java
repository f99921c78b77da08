package dev.lathe.models.zimage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lathe.models.Families;
import dev.lathe.models.ModelFamily;
import dev.lathe.models.ModelLocator;
import dev.lathe.models.ModelSource;
import dev.lathe.models.SamplingDefaults;
import dev.lathe.testing.Fixtures;
import dev.lathe.testing.Parity;
import dev.lathe.torch.Checkpoint;
import dev.lathe.torch.Runtime;
import dev.lathe.torch.Tensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The family end to end: models found as a diffusers folder, as a cached Hugging Face repo id, and as a ComfyUI single
 * file with separate parts, all holding the tiny fixture weights under their real names.
 */
class ZImageFamilyTest {
  static Path tokenizer;

  @BeforeAll
  static void init() {
    Runtime.load();
    tokenizer = Fixtures.path("../tokenizers/qwen-tiny/tokenizer.json");
  }

  /** transformer/, text_encoder/ (sharded BF16), vae/, tokenizer/ — a Hugging Face snapshot in miniature. */
  static Path diffusersTree(Path root) throws IOException {
    copy("zimage/weights.safetensors", root.resolve("transformer/diffusion_pytorch_model.safetensors"));
    copy("zimage/config.json", root.resolve("transformer/config.json"));
    for (String f : List.of("model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors", "model.safetensors.index.json", "config.json")) {
      copy("qwen3-te/" + f, root.resolve("text_encoder/" + f));
    }
    copy("flux-vae/weights.safetensors", root.resolve("vae/diffusion_pytorch_model.safetensors"));
    copy("flux-vae/config.json", root.resolve("vae/config.json"));
    Files.createDirectories(root.resolve("tokenizer"));
    Files.copy(tokenizer, root.resolve("tokenizer/tokenizer.json"));
    Files.writeString(root.resolve("model_index.json"), "{\"_class_name\": \"ZImagePipeline\"}");
    return root;
  }

  static void copy(String fixture, Path to) throws IOException {
    Files.createDirectories(to.getParent());
    Files.copy(Fixtures.path(fixture), to);
  }

  static ZImage family(Path dir) {
    return new ZImage(new ModelLocator(Map.of("HF_HOME", dir.resolve("hf").toString()), dir));
  }

  @Test
  void registry_knowsZImageAndItsConventions() {
    ModelFamily f = Families.find("zimage").orElseThrow();
    assertThat(f.baseModelVersion()).isEqualTo("zimage");
    assertThat(f.bucketDivisor()).isEqualTo(16);
    assertThat(f.scheduleShift()).isEqualTo(3.0);
    assertThat(f.loraKeyPrefix()).isEqualTo("diffusion_model.");
    assertThat(f.variants()).containsExactly("turbo", "de-turbo", "base");
    assertThat(f.sampling(null)).isEqualTo(new SamplingDefaults(8, 0.0, 3.0));
    assertThat(f.sampling("turbo").usesGuidance()).isFalse();
    assertThat(f.sampling("de-turbo").usesGuidance()).isTrue();
    assertThatThrownBy(() -> f.sampling("lightning")).hasMessage("unknown Z-Image variant 'lightning'; known: turbo, de-turbo, base");
  }

  @Test
  void diffusersFolder_velocityIsMinusTheRawOutputAtOneMinusSigma(@TempDir Path dir) throws IOException {
    Path root = diffusersTree(dir.resolve("Z-Image-Turbo"));
    try (ModelFamily.LoadedModel m = family(dir).load(ModelSource.of(root.toString()), Runtime.cpu());
         Checkpoint in = Checkpoint.open(Fixtures.path("zimage/inputs.safetensors"));
         Checkpoint out = Checkpoint.open(Fixtures.path("zimage/outputs.safetensors"));
         PointerScope s = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
      Tensor latents = torch.stack(new TensorVector(in.load("x.0").squeeze(1), in.load("x.1").squeeze(1)), 0);   // [2, 16, 16, 24]
      Tensor sigma = Tensors.fromFloats(new float[] {0.7f, 0.15f}, 2);                                           // t = 0.3, 0.85
      Tensor v = m.denoiser().velocity(latents, sigma, List.of(in.load("cap_feats.0"), in.load("cap_feats.1")));
      for (int i = 0; i < 2; i++) Parity.of(v.select(0, i), out.load("out." + i).squeeze(1).neg()).assertFp32("velocity " + i);
    }
  }

  /**
   * The trainer's look-ahead splits the velocity into a front (embedders, refiners) computed ahead and the rest: the
   * split gives the very same numbers, and the front counts as frozen only while no adapter reaches it.
   */
  @Test
  void velocityFromTheFront_isTheVelocity_andTheFrontIsFrozenUnlessAnAdapterReachesIt(@TempDir Path dir) throws IOException {
    Path root = diffusersTree(dir.resolve("Z-Image-Turbo"));
    try (ModelFamily.LoadedModel m = family(dir).load(ModelSource.of(root.toString()), Runtime.cpu());
         Checkpoint in = Checkpoint.open(Fixtures.path("zimage/inputs.safetensors"));
         PointerScope s = new PointerScope()) {
      var d = m.denoiser();
      Tensor latents = torch.stack(new TensorVector(in.load("x.0").squeeze(1), in.load("x.1").squeeze(1)), 0);
      Tensor sigma = Tensors.fromFloats(new float[] {0.7f, 0.15f}, 2);
      List<Tensor> caps = List.of(in.load("cap_feats.0"), in.load("cap_feats.1"));
      assertThat(d.hasFrozenFront()).isTrue();

      // with LoRAs on the default targets (the main layers), as in training: grads flow, the front stays frozen
      dev.lathe.adapters.AdapterSet a = dev.lathe.adapters.AdapterSet.attach(d.linearLayers(), d::defaultTarget,
          dev.lathe.adapters.AdapterSpec.lora(4, 4), 3);
      try {
        for (Tensor p : a.parameters().values()) try (NoGradGuard g = new NoGradGuard()) {
          p.normal_(0, 0.05, new org.bytedeco.pytorch.GeneratorOptional(Runtime.generator(9)));   // B ≠ 0: the LoRAs act
        }
        assertThat(d.hasFrozenFront()).isTrue();
        Tensor whole = d.velocity(latents, sigma, caps);
        Tensor split = d.velocity(d.front(latents, sigma, caps));
        assertThat(split.requires_grad()).isTrue();
        assertThat(Tensors.toFloats(split)).containsExactly(Tensors.toFloats(whole));
      } finally {
        a.detach();
      }

      dev.lathe.adapters.AdapterSet refiner = dev.lathe.adapters.AdapterSet.attach(d.linearLayers(),
          p -> p.startsWith("context_refiner.0.attention"), dev.lathe.adapters.AdapterSpec.lora(4, 4), 3);
      try {
        assertThat(d.hasFrozenFront()).as("a LoRA on a refiner").isFalse();
      } finally {
        refiner.detach();
      }
      assertThat(d.hasFrozenFront()).isTrue();
    }
  }

  @Test
  void diffusersFolder_textEncoderAndCodec_loadOnFirstUse(@TempDir Path dir) throws IOException {
    Path root = diffusersTree(dir.resolve("pipe"));
    try (ModelFamily.LoadedModel m = family(dir).load(ModelSource.of(root.toString()), Runtime.cpu());
         PointerScope s = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
      List<Tensor> emb = m.textEncoder().encode(List.of("hi", "hi there"));
      assertThat(Tensors.shape(emb.get(0))).containsExactly(18, 32);
      assertThat(Tensors.shape(emb.get(1))).containsExactly(22, 32);
      assertThat(m.textEncoder().embeddingDim()).isEqualTo(32);
      // the same rows as the encoder on the template's ids: hidden_states[-2], cut to the prompt's tokens
      ZImage.Prompting p = (ZImage.Prompting) m.textEncoder();
      long[] ids = p.tokenizer.encode("hi");
      Tensor direct = p.encoder.promptEmbeddings(Tensors.fromLongs(ids, 1, ids.length), new long[] {ids.length}).select(0, 0);
      Parity.of(emb.get(0), direct).assertFp32("prompt 0");
      assertThat(m.textEncoder().cacheId()).startsWith("zimage/qwen3/");
      try (Checkpoint in = Checkpoint.open(Fixtures.path("flux-vae/inputs.safetensors"));
           Checkpoint out = Checkpoint.open(Fixtures.path("flux-vae/outputs.safetensors"))) {
        Tensor z = m.codec().encode(in.load("image"));
        Parity.of(z, out.load("latent_mean").sub(new org.bytedeco.pytorch.Scalar(0.1159)).mul(new org.bytedeco.pytorch.Scalar(0.3611))).assertFp32("latents");
      }
      assertThat(m.codec().cacheId()).startsWith("zimage/flux-vae/").isNotEqualTo(m.textEncoder().cacheId());
      m.releaseTextEncoder();
      assertThat(m.textEncoder()).as("reloaded after release").isNotSameAs(p);
    }
  }

  @Test
  void cachedRepoId_andComfySingleFileWithParts_giveTheSameModel(@TempDir Path dir) throws IOException {
    Path hub = dir.resolve("hf/hub/models--Tongyi-MAI--Z-Image-Turbo");
    diffusersTree(hub.resolve("snapshots/0123abcd"));
    Files.createDirectories(hub.resolve("refs"));
    Files.writeString(hub.resolve("refs/main"), "0123abcd");
    ZImage family = family(dir);
    Path comfy = Files.copy(Fixtures.path("zimage/weights_comfy.safetensors"), dir.resolve("z_image_turbo_bf16.safetensors"));
    Path ae = Files.copy(Fixtures.path("flux-vae/weights_ldm.safetensors"), dir.resolve("ae.safetensors"));
    ModelSource single = new ModelSource(comfy.toString(), Fixtures.path("qwen3-te/model.safetensors.index.json").toString(), ae.toString(), null);
    try (ModelFamily.LoadedModel a = family.load(ModelSource.of("Tongyi-MAI/Z-Image-Turbo"), Runtime.cpu());
         ModelFamily.LoadedModel b = family.load(single, Runtime.cpu());
         PointerScope s = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
      Tensor x = torch.randn(1, 16, 8, 8);
      Tensor sigma = Tensors.fromFloats(new float[] {0.5f}, 1);
      List<Tensor> text = a.textEncoder().encode(List.of("hi there"));
      // the single-file setup found its tokenizer in the cached Z-Image-Turbo repo
      List<Tensor> textB = b.textEncoder().encode(List.of("hi there"));
      assertThat(textB.get(0).sub(text.get(0)).abs().max().item_float()).isZero();
      Tensor va = a.denoiser().velocity(x, sigma, text), vb = b.denoiser().velocity(x, sigma, text);
      assertThat(vb.sub(va).abs().max().item_float()).isZero();
      Tensor img = torch.rand(1, 3, 16, 16).mul(new org.bytedeco.pytorch.Scalar(2)).sub(new org.bytedeco.pytorch.Scalar(1));
      assertThat(b.codec().encode(img).sub(a.codec().encode(img)).abs().max().item_float()).isZero();
    }
  }

  @Test
  void componentFolderAsTheModel_findsItsSiblingParts(@TempDir Path dir) throws IOException {
    Path root = diffusersTree(dir.resolve("pipe"));
    try (ModelFamily.LoadedModel m = family(dir).load(ModelSource.of(root.resolve("transformer").toString()), Runtime.cpu());
         PointerScope s = new PointerScope()) {
      assertThat(Tensors.shape(m.textEncoder().encode(List.of("hi")).get(0))).containsExactly(18, 32);
      assertThat(m.codec().downscale()).isEqualTo(2);
    }
  }

  @Test
  void missingPieces_namedWithEveryPlaceLooked(@TempDir Path dir) throws IOException {
    Path root = diffusersTree(dir.resolve("pipe"));
    deleteTree(root.resolve("vae"));
    ZImage family = family(dir);
    try (ModelFamily.LoadedModel m = family.load(ModelSource.of(root.toString()), Runtime.cpu())) {
      assertThatThrownBy(m::codec).isInstanceOf(ModelLocator.NotFound.class)
          .hasMessage("VAE: not found; looked at " + root.resolve("vae") + "; set the VAE (--vae): ae.safetensors, a diffusers vae folder, or a cached repo id");
    }
    Path comfy = Files.copy(Fixtures.path("zimage/weights_comfy.safetensors"), dir.resolve("z.safetensors"));
    try (ModelFamily.LoadedModel m = family.load(ModelSource.of(comfy.toString()), Runtime.cpu())) {
      assertThatThrownBy(m::textEncoder).hasMessageStartingWith("text encoder: not found; looked at nothing (the model is a single file); set the text encoder");
    }
    ModelSource noTokenizer = new ModelSource(comfy.toString(), Fixtures.path("qwen3-te/model.safetensors.index.json").toString(), null, null);
    try (ModelFamily.LoadedModel m = family.load(noTokenizer, Runtime.cpu())) {
      Path te = Fixtures.path("qwen3-te");
      assertThatThrownBy(m::textEncoder).hasMessage("tokenizer: not found; looked at " + te.resolve("tokenizer/tokenizer.json") + ", "
          + te.resolve("tokenizer.json") + ", " + te.getParent().resolve("tokenizer/tokenizer.json") + ", " + te.getParent().resolve("tokenizer.json")
          + "; set the tokenizer (--tokenizer): the tokenizer.json of Tongyi-MAI/Z-Image-Turbo or Qwen/Qwen3-4B");
    }
    assertThatThrownBy(() -> family.load(ModelSource.of(dir.resolve("nothing").toString()), Runtime.cpu()))
        .hasMessage("model '" + dir.resolve("nothing") + "': not found; looked at " + dir.resolve("nothing"));
  }

  @Test
  void randomTiny_runsEveryPartAndIsSeeded() throws IOException {
    ZImage f = new ZImage();
    assertThat(f.randomSizes()).containsExactly("tiny", "demo", "small", "turbo");
    try (ModelFamily.LoadedModel a = f.random("tiny", 3, Runtime.cpu()); ModelFamily.LoadedModel b = f.random("tiny", 3, Runtime.cpu());
         ModelFamily.LoadedModel c = f.random("tiny", 4, Runtime.cpu()); PointerScope s = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
      List<Tensor> text = a.textEncoder().encode(List.of("a cat, oil painting"));
      Tensor x = torch.randn(1, 16, 8, 8);
      Tensor sigma = Tensors.fromFloats(new float[] {0.9f}, 1);
      Tensor va = a.denoiser().velocity(x, sigma, text);
      assertThat(b.denoiser().velocity(x, sigma, text).sub(va).abs().max().item_float()).isZero();
      assertThat(c.denoiser().velocity(x, sigma, text).sub(va).abs().max().item_float()).isPositive();
      assertThat(Tensors.shape(a.codec().decode(x))).containsExactly(1, 3, 16, 16);
      assertThat(Float.isFinite(va.abs().max().item_float())).isTrue();
    }
    assertThatThrownBy(() -> f.random("huge", 1, Runtime.cpu())).hasMessage("unknown size 'huge'; known: tiny, demo, small, turbo");
  }

  private static void deleteTree(Path p) throws IOException {
    try (var s = Files.walk(p)) {
      for (Path q : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(q);
    }
  }
}
