package dev.lathe.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lathe.models.zimage.ZImage;
import dev.lathe.testing.Fixtures;
import dev.lathe.torch.Runtime;
import dev.lathe.torch.Tensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelLocatorTest {
  /** hub/models--owner--name/{refs/main, snapshots/<commit>/marker} */
  static Path cacheRepo(Path hub, String repo, String commit, boolean withRef) throws IOException {
    Path r = hub.resolve("models--" + repo.replace("/", "--"));
    Path snap = Files.createDirectories(r.resolve("snapshots").resolve(commit));
    Files.writeString(snap.resolve("model_index.json"), "{}");
    if (withRef) {
      Files.createDirectories(r.resolve("refs"));
      Files.writeString(r.resolve("refs/main"), commit + "\n");
    }
    return snap;
  }

  @Test
  void hubCache_environmentPrecedence(@TempDir Path home) {
    assertThat(new ModelLocator(Map.of(), home).hubCache()).isEqualTo(home.resolve(".cache/huggingface/hub"));
    assertThat(new ModelLocator(Map.of("XDG_CACHE_HOME", "/x"), home).hubCache()).isEqualTo(Path.of("/x/huggingface/hub"));
    assertThat(new ModelLocator(Map.of("XDG_CACHE_HOME", "/x", "HF_HOME", "/h"), home).hubCache()).isEqualTo(Path.of("/h/hub"));
    assertThat(new ModelLocator(Map.of("HF_HOME", "/h", "HF_HUB_CACHE", "/c"), home).hubCache()).isEqualTo(Path.of("/c"));
  }

  @Test
  void repoId_resolvesThroughRefsMain(@TempDir Path dir) throws IOException {
    Path hub = dir.resolve("hf/hub");
    cacheRepo(hub, "Tongyi-MAI/Z-Image-Turbo", "aaa111", false);
    Path main = cacheRepo(hub, "Tongyi-MAI/Z-Image-Turbo", "bbb222", true);
    ModelLocator loc = new ModelLocator(Map.of("HF_HOME", dir.resolve("hf").toString()), dir);
    assertThat(loc.resolve("Tongyi-MAI/Z-Image-Turbo", "model")).isEqualTo(main);
    assertThat(loc.resolve("Tongyi-MAI/Z-Image-Turbo@aaa111", "model")).isEqualTo(hub.resolve("models--Tongyi-MAI--Z-Image-Turbo/snapshots/aaa111"));
  }

  @Test
  void repoId_withoutRefs_takesTheNewestSnapshot(@TempDir Path dir) throws IOException {
    Path hub = dir.resolve("hub");
    Path old = cacheRepo(hub, "ostris/Z-Image-De-Turbo", "old", false);
    Path fresh = cacheRepo(hub, "ostris/Z-Image-De-Turbo", "new", false);
    Files.setLastModifiedTime(old, FileTime.fromMillis(1_000));
    Files.setLastModifiedTime(fresh, FileTime.fromMillis(2_000));
    ModelLocator loc = new ModelLocator(Map.of("HF_HUB_CACHE", hub.toString()), dir);
    assertThat(loc.resolve("ostris/Z-Image-De-Turbo", "model")).isEqualTo(fresh);
  }

  @Test
  void localPath_winsOverTheCache(@TempDir Path dir) throws IOException {
    Path local = Files.createDirectories(dir.resolve("owner/name"));
    ModelLocator loc = new ModelLocator(Map.of("HF_HUB_CACHE", dir.resolve("hub").toString()), dir);
    assertThat(loc.resolve(local.toString(), "model")).isEqualTo(local);
  }

  @Test
  void missingRepo_namesEveryPlaceAndNeverDownloads(@TempDir Path dir) {
    ModelLocator loc = new ModelLocator(Map.of("HF_HUB_CACHE", dir.resolve("hub").toString()), dir);
    Path abs = Path.of("acme/missing").toAbsolutePath();
    assertThatThrownBy(() -> loc.resolve("acme/missing", "model")).isInstanceOf(ModelLocator.NotFound.class)
        .hasMessage("model 'acme/missing': not found; looked at " + abs + ", " + dir.resolve("hub/models--acme--missing")
            + " (Lathe never downloads: fetch it first, e.g. `hf download acme/missing`)");
  }

  @Test
  void part_overrideRootOrSubfolder_andAMessageListingEveryCandidate(@TempDir Path dir) throws IOException {
    ModelLocator loc = new ModelLocator(Map.of(), dir);
    Path root = Files.createDirectories(dir.resolve("pipe"));
    Files.createDirectories(root.resolve("vae"));
    Files.writeString(root.resolve("vae/diffusion_pytorch_model.safetensors"), "x");
    assertThat(loc.part("VAE", null, List.of("vae"), List.of(root), ModelLocator::isCheckpoint, null)).isEqualTo(root.resolve("vae"));
    // an override naming a pipeline folder gives its subfolder; naming a file gives the file
    assertThat(loc.part("VAE", root.toString(), List.of("vae"), List.of(), ModelLocator::isCheckpoint, null)).isEqualTo(root.resolve("vae"));
    Path ae = Files.writeString(dir.resolve("ae.safetensors"), "x");
    assertThat(loc.part("VAE", ae.toString(), List.of("vae"), List.of(root), ModelLocator::isCheckpoint, null)).isEqualTo(ae);
    assertThatThrownBy(() -> loc.part("text encoder", null, List.of("text_encoder"), List.of(root), ModelLocator::isCheckpoint, "pass --text-encoder"))
        .hasMessage("text encoder: not found; looked at " + root.resolve("text_encoder") + "; pass --text-encoder");
    assertThatThrownBy(() -> loc.part("text encoder", null, List.of("text_encoder"), List.of(), ModelLocator::isCheckpoint, "pass --text-encoder"))
        .hasMessage("text encoder: not found; looked at nothing (the model is a single file); pass --text-encoder");
  }

  /** A Z-Image pipeline in miniature, relative path in the repo → the fixture file that holds its bytes. */
  static Map<String, Path> pipelineFiles() {
    Map<String, Path> f = new LinkedHashMap<>();
    f.put("transformer/diffusion_pytorch_model.safetensors", Fixtures.path("zimage/weights.safetensors"));
    f.put("transformer/config.json", Fixtures.path("zimage/config.json"));
    for (String n : List.of("model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors", "model.safetensors.index.json", "config.json"))
      f.put("text_encoder/" + n, Fixtures.path("qwen3-te/" + n));
    f.put("vae/diffusion_pytorch_model.safetensors", Fixtures.path("flux-vae/weights.safetensors"));
    f.put("vae/config.json", Fixtures.path("flux-vae/config.json"));
    f.put("tokenizer/tokenizer.json", Fixtures.path("../tokenizers/qwen-tiny/tokenizer.json"));
    return f;
  }

  /**
   * The layout huggingface_hub really writes: each file's bytes once under blobs/ (named by their hash), the
   * snapshot a tree of relative symlinks into blobs/, and refs/main holding the snapshot's commit.
   */
  static Path symlinkedHubRepo(Path hub, String repo, String commit) throws IOException, NoSuchAlgorithmException {
    Path r = hub.resolve("models--" + repo.replace("/", "--"));
    Path blobs = Files.createDirectories(r.resolve("blobs"));
    Path snap = r.resolve("snapshots").resolve(commit);
    Map<String, Path> files = new LinkedHashMap<>(pipelineFiles());
    Path index = Files.writeString(hub.resolveSibling("model_index.json"), "{\"_class_name\": \"ZImagePipeline\"}");
    files.put("model_index.json", index);
    for (Map.Entry<String, Path> e : files.entrySet()) {
      byte[] bytes = Files.readAllBytes(e.getValue());
      Path blob = blobs.resolve(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)));
      if (!Files.exists(blob)) Files.write(blob, bytes);
      Path link = snap.resolve(e.getKey());
      Files.createDirectories(link.getParent());
      Files.createSymbolicLink(link, link.getParent().relativize(blob));   // e.g. ../../../blobs/<sha256>
    }
    Files.createDirectories(r.resolve("refs"));
    Files.writeString(r.resolve("refs/main"), commit);
    return snap;
  }

  @Test
  void hubCacheOfSymlinksIntoBlobs_resolvesAndLoadsLikeAPlainFolder(@TempDir Path dir) throws Exception {
    Runtime.load();
    Path hub = Files.createDirectories(dir.resolve("hf/hub"));
    Path snap = symlinkedHubRepo(hub, "Tongyi-MAI/Z-Image-Turbo", "5f2e0c1d9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d");
    Path shard = snap.resolve("text_encoder/model-00002-of-00002.safetensors");
    assertThat(Files.isSymbolicLink(shard)).isTrue();
    assertThat(Files.readSymbolicLink(shard).toString()).startsWith("../../../blobs/");
    // the shards' index names its shards relative to itself: they must be found beside the link, not in blobs/
    assertThat(shard.toRealPath().getParent()).isEqualTo(hub.resolve("models--Tongyi-MAI--Z-Image-Turbo/blobs").toRealPath());

    ModelLocator loc = new ModelLocator(Map.of("HF_HOME", dir.resolve("hf").toString()), dir);
    assertThat(loc.resolve("Tongyi-MAI/Z-Image-Turbo", "model")).isEqualTo(snap);

    // the same files copied into a plain folder: the reference
    Path plain = dir.resolve("plain");
    for (Map.Entry<String, Path> e : pipelineFiles().entrySet()) {
      Files.createDirectories(plain.resolve(e.getKey()).getParent());
      Files.copy(e.getValue(), plain.resolve(e.getKey()));
    }
    Files.writeString(plain.resolve("model_index.json"), "{\"_class_name\": \"ZImagePipeline\"}");

    ZImage family = new ZImage(loc);
    try (ModelFamily.LoadedModel viaHub = family.load(ModelSource.of("Tongyi-MAI/Z-Image-Turbo"), Runtime.cpu());
         ModelFamily.LoadedModel viaPlain = family.load(ModelSource.of(plain.toString()), Runtime.cpu());
         PointerScope s = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
      List<Tensor> text = viaHub.textEncoder().encode(List.of("a red fox"));
      assertThat(text.get(0).sub(viaPlain.textEncoder().encode(List.of("a red fox")).get(0)).abs().max().item_float()).isZero();
      Tensor x = torch.randn(1, 16, 8, 8);
      Tensor sigma = Tensors.fromFloats(new float[] {0.4f}, 1);
      Tensor v = viaHub.denoiser().velocity(x, sigma, text);
      assertThat(v.abs().max().item_float()).isGreaterThan(0f);
      assertThat(v.sub(viaPlain.denoiser().velocity(x, sigma, text)).abs().max().item_float()).isZero();
      Tensor img = torch.rand(1, 3, 16, 16).mul(new Scalar(2)).sub(new Scalar(1));
      assertThat(viaHub.codec().encode(img).sub(viaPlain.codec().encode(img)).abs().max().item_float()).isZero();
    }
  }
}
