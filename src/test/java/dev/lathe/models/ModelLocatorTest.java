package dev.lathe.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
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
}
