package dev.lathe.config;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Every model family and variant a config may name, as data: one row each. Validation reads it for "unknown
 * family", "not implemented yet" and the family-specific warnings; the ai-toolkit import reads the {@code arch}
 * strings. Recommended hyper-parameters are not here: they live in the family's preset (presets/ID.toml).
 *
 * <p>VRAM figures are the seed guides' minimum and comfortable sizes for LoRA training; where a guide gives no
 * number the row says so in {@link Vram#note()}.
 */
public final class FamilyCatalog {
  private FamilyCatalog() {}

  /** What the denoiser is trained to predict. */
  public enum Objective {
    FLOW_MATCHING(Sample.Sampler.FLOWMATCH), DDPM(Sample.Sampler.DDPM);

    private final Sample.Sampler sampler;

    Objective(Sample.Sampler sampler) {
      this.sampler = sampler;
    }

    /** The preview sampler that matches the objective. */
    public Sample.Sampler sampler() {
      return sampler;
    }
  }

  /** What the family makes. EDIT models learn from (control, target) pairs. */
  public enum Kind { IMAGE, EDIT, VIDEO }

  /**
   * VRAM guidance for LoRA training.
   *
   * @param minGb the least the guides consider workable, with careful settings
   * @param recommendedGb comfortable: higher ranks, larger buckets, longer clips
   * @param minNeedsQuantization the minimum assumes a quantized transformer (Lathe cannot quantize yet, so the
   *     recommended size applies)
   * @param comfortRank largest rank the minimum covers
   * @param comfortBucket largest bucket side the minimum covers
   * @param note the guide's advice in one line
   */
  public record Vram(int minGb, int recommendedGb, boolean minNeedsQuantization, int comfortRank, int comfortBucket,
      String note) {}

  /**
   * One family or variant.
   *
   * @param id the config id ({@code model.architecture}, preset file name)
   * @param displayName what lists show
   * @param baseFamily the {@code dev.lathe.models.ModelFamily} id whose code loads it
   * @param kind image, edit or video
   * @param objective flow matching or DDPM
   * @param turbo step- and guidance-distilled: previews want guidance 0, differential guidance applies
   * @param multistage two experts (high / low noise)
   * @param unet has convolution layers that a conv rank can target
   * @param bucketDivisor image sides snap to multiples of this
   * @param defaultRepo the usual weights
   * @param aitkArchs ai-toolkit {@code model.arch} strings (with UI variant tags) that mean this row
   * @param vram VRAM guidance
   * @param implemented whether this build can train it
   */
  public record Family(String id, String displayName, String baseFamily, Kind kind, Objective objective,
      boolean turbo, boolean multistage, boolean unet, int bucketDivisor, String defaultRepo, List<String> aitkArchs,
      Vram vram, boolean implemented) {
    public boolean video() {
      return kind == Kind.VIDEO;
    }
  }

  private static final Objective FM = Objective.FLOW_MATCHING;

  private static Family row(String id, String name, String base, Kind kind, Objective obj, boolean turbo,
      boolean multistage, boolean unet, int div, String repo, List<String> archs, Vram vram, boolean implemented) {
    return new Family(id, name, base, kind, obj, turbo, multistage, unet, div, repo, archs, vram, implemented);
  }

  private static Vram vram(int min, int rec, boolean quant, int rank, int bucket, String note) {
    return new Vram(min, rec, quant, rank, bucket, note);
  }

  /** Rows in the order `lathe presets list` shows them. */
  public static final List<Family> ALL = List.of(
      row("zimage_turbo", "Z-Image Turbo (w/ Training Adapter)", "zimage", Kind.IMAGE, FM, true, false, false, 16,
          "Tongyi-MAI/Z-Image-Turbo", List.of("zimage:turbo"),
          vram(16, 24, true, 16, 1024, "fits 16-24 GB: keep rank 8-16 and buckets at 512/768/1024; float8 on 16 GB"), true),
      row("zimage_deturbo", "Z-Image De-Turbo (De-Distilled)", "zimage", Kind.IMAGE, FM, false, false, false, 16,
          "ostris/Z-Image-De-Turbo", List.of("zimage:deturbo"),
          vram(16, 24, true, 16, 1024, "same network as Turbo: 16-24 GB with rank 8-16 and buckets up to 1024"), true),
      row("zimage", "Z-Image (base)", "zimage", Kind.IMAGE, FM, false, false, false, 16,
          "Tongyi-MAI/Z-Image", List.of("zimage"),
          vram(16, 24, true, 16, 1024, "same network as Turbo (the guides give no separate figure)"), true),
      row("flux1_dev", "FLUX.1 dev", "flux", Kind.IMAGE, FM, false, false, false, 32,
          "black-forest-labs/FLUX.1-dev", List.of("flux"),
          vram(24, 48, true, 32, 1024, "24 GB only with quantization and Low VRAM; 48 GB+ for rank 32-64 and buckets above 1024"), false),
      row("flux1_kontext_dev", "FLUX.1 Kontext dev", "flux", Kind.EDIT, FM, false, false, false, 32,
          "black-forest-labs/FLUX.1-Kontext-dev", List.of("flux_kontext"),
          vram(24, 48, true, 32, 1024, "24 GB base; 48 GB+ for higher resolution, heavier conditioning or larger ranks"), false),
      row("flux2_dev", "FLUX.2 dev", "flux2", Kind.IMAGE, FM, false, false, false, 16,
          "black-forest-labs/FLUX.2-dev", List.of("flux2"),
          vram(24, 48, true, 32, 1024, "24 GB only with quantization and Low VRAM; 48 GB+ for rank 32-64 and buckets above 1024"), false),
      row("qwen_image", "Qwen-Image", "qwen_image", Kind.IMAGE, FM, false, false, false, 32,
          "Qwen/Qwen-Image", List.of("qwen_image"),
          vram(24, 32, true, 16, 1024, "24 GB+; 32 GB+ is comfortable with 1024 buckets and larger ranks"), false),
      row("qwen_image_2512", "Qwen Image 2512", "qwen_image", Kind.IMAGE, FM, false, false, false, 32,
          "Qwen/Qwen-Image-2512", List.of("qwen_image:2512"),
          vram(24, 32, true, 16, 1024, "24 GB+; 32 GB+ is comfortable with 1024 buckets and larger ranks"), false),
      row("qwen_image_edit_2509", "Qwen-Image-Edit 2509", "qwen_image", Kind.EDIT, FM, false, false, false, 32,
          "Qwen/Qwen-Image-Edit-2509", List.of("qwen_image_edit_plus", "qwen_image_edit_plus:2509"),
          vram(24, 32, true, 16, 768, "32 GB+: about 27-28.5 GB at 1024 px, 25-26 GB at 768; 24 GB struggles even with 3-bit ARA and cached embeddings"), false),
      row("qwen_image_edit_2511", "Qwen-Image-Edit 2511", "qwen_image", Kind.EDIT, FM, false, false, false, 32,
          "Qwen/Qwen-Image-Edit-2511", List.of("qwen_image_edit_plus:2511"),
          vram(24, 32, true, 16, 768, "32 GB+: about 27-28.5 GB at 1024 px, 25-26 GB at 768; 24 GB struggles even with 3-bit ARA and cached embeddings"), false),
      row("wan21_1b", "Wan 2.1 T2V 1.3B", "wan21", Kind.VIDEO, FM, false, false, false, 16,
          "Wan-AI/Wan2.1-T2V-1.3B-Diffusers", List.of("wan21:1b", "wan21_1b"),
          vram(12, 24, false, 32, 768, "aimed at smaller GPUs; the guides give no exact figure (12 GB is our estimate)"), false),
      row("wan21_14b", "Wan 2.1 T2V 14B", "wan21", Kind.VIDEO, FM, false, false, false, 16,
          "Wan-AI/Wan2.1-T2V-14B-Diffusers", List.of("wan21:14b", "wan21", "wan21_14b"),
          vram(24, 48, true, 16, 768, "24 GB+ for LoRA training; more for long clips or high resolution"), false),
      row("wan21_i2v_14b_480p", "Wan 2.1 I2V 14B 480P", "wan21", Kind.VIDEO, FM, false, false, false, 16,
          "Wan-AI/Wan2.1-I2V-14B-480P-Diffusers", List.of("wan21_i2v:14b480p", "wan21_i2v_480p"),
          vram(24, 48, true, 16, 768, "24 GB+ base for I2V LoRAs"), false),
      row("wan21_i2v_14b_720p", "Wan 2.1 I2V 14B 720P", "wan21", Kind.VIDEO, FM, false, false, false, 16,
          "Wan-AI/Wan2.1-I2V-14B-720P-Diffusers", List.of("wan21_i2v:14b", "wan21_i2v"),
          vram(24, 48, true, 16, 768, "24 GB+ base; 48 GB+ is steadier at 720P"), false),
      row("wan22_t2v_14b", "Wan 2.2 T2V 14B", "wan22", Kind.VIDEO, FM, false, true, false, 16,
          "ai-toolkit/Wan2.2-T2V-A14B-Diffusers-bf16", List.of("wan22_14b:t2v", "wan22_14b"),
          vram(24, 48, true, 16, 512, "24 GB with short clips, quantization and Low VRAM; 48 GB+ for longer clips, higher resolution or ranks"), false),
      row("wan22_i2v_14b", "Wan 2.2 I2V 14B", "wan22", Kind.VIDEO, FM, false, true, false, 16,
          "ai-toolkit/Wan2.2-I2V-A14B-Diffusers-bf16", List.of("wan22_14b_i2v", "wan22_14b:i2v"),
          vram(24, 48, true, 16, 512, "24 GB with short clips, quantization and Low VRAM; 48 GB+ for longer clips, higher resolution or ranks"), false),
      row("wan22_ti2v_5b", "Wan 2.2 TI2V 5B", "wan22", Kind.VIDEO, FM, false, false, false, 32,
          "Wan-AI/Wan2.2-TI2V-5B-Diffusers", List.of("wan22_5b"),
          vram(16, 24, false, 16, 768, "typically 16-24 GB depending on resolution and frames; 24 GB+ to iterate comfortably"), false),
      row("ltx2", "LTX-2", "ltx2", Kind.VIDEO, FM, false, false, false, 32,
          "Lightricks/LTX-2", List.of("ltx2"),
          vram(24, 48, true, 32, 768, "24-48 GB with quantization/offload; cut frames first (121 > 81 > 49) and start at 512-768"), false),
      row("sd15", "SD 1.5", "sd15", Kind.IMAGE, Objective.DDPM, false, false, true, 16,
          "stable-diffusion-v1-5/stable-diffusion-v1-5", List.of("sd15", "sd1"),
          vram(8, 12, false, 32, 768, "starts at 8 GB; resolution and rank push it up (12 GB is our comfortable estimate)"), false),
      row("sdxl", "SDXL", "sdxl", Kind.IMAGE, Objective.DDPM, false, false, true, 16,
          "stabilityai/stable-diffusion-xl-base-1.0", List.of("sdxl"),
          vram(12, 16, false, 32, 1024, "usually 12-16 GB+; resolution and rank push it up"), false),
      row("omnigen2", "OmniGen2", "omnigen2", Kind.IMAGE, FM, false, false, false, 16,
          "OmniGen2/OmniGen2", List.of("omnigen2"),
          vram(16, 24, false, 16, 768, "24 GB is a safe base at 1024; on 16 GB use lower buckets, caching and smaller ranks"), false),
      row("chroma", "Chroma", "chroma", Kind.IMAGE, FM, false, false, false, 16,
          "lodestones/Chroma1-Base", List.of("chroma"),
          vram(24, 48, true, 32, 1024, "like other modern models: 24 GB base, 48 GB+ comfortable"), false),
      row("lumina2", "Lumina2", "lumina2", Kind.IMAGE, FM, false, false, false, 16,
          "Alpha-VLLM/Lumina-Image-2.0", List.of("lumina2"),
          vram(24, 48, false, 32, 1024, "like other modern models: 24 GB base, 48 GB+ comfortable"), false),
      row("hidream", "HiDream", "hidream", Kind.IMAGE, FM, false, false, false, 16,
          "HiDream-ai/HiDream-I1-Full", List.of("hidream"),
          vram(48, 48, false, 32, 1024, "high end: plan on a 48 GB-class GPU to train comfortably at 1024+"), false),
      row("hidream_e1", "HiDream E1", "hidream", Kind.EDIT, FM, false, false, false, 16,
          "HiDream-ai/HiDream-E1-1", List.of("hidream_e1"),
          vram(48, 48, false, 32, 1024, "high end: 48 GB+ for the extra conditioning"), false),
      row("flex1", "Flex.1", "flux", Kind.IMAGE, FM, false, false, false, 32,
          "ostris/Flex.1-alpha", List.of("flex1"),
          vram(12, 16, false, 32, 1024, "lighter: often workable on 12-16 GB depending on resolution"), false),
      row("flex2", "Flex.2", "flux", Kind.IMAGE, FM, false, false, false, 32,
          "ostris/Flex.2-preview", List.of("flex2"),
          vram(12, 16, false, 32, 1024, "lighter: often workable on 12-16 GB depending on resolution"), false));

  public static Optional<Family> find(String id) {
    return ALL.stream().filter(f -> f.id().equals(id)).findFirst();
  }

  public static List<String> ids() {
    return ALL.stream().map(Family::id).toList();
  }

  /**
   * The family an ai-toolkit {@code model.arch} means. A bare {@code zimage} is told apart by the repo name, since
   * ai-toolkit drops the UI's variant tag.
   */
  public static Optional<Family> fromAiToolkit(String arch, String nameOrPath) {
    String a = arch.strip().toLowerCase(Locale.ROOT);
    String repo = nameOrPath == null ? "" : nameOrPath.toLowerCase(Locale.ROOT);
    if (a.equals("zimage")) {
      if (repo.contains("de-turbo") || repo.contains("deturbo")) return find("zimage_deturbo");
      if (repo.contains("turbo")) return find("zimage_turbo");
    }
    if (a.equals("flux") && repo.contains("kontext")) return find("flux1_kontext_dev");
    if (a.equals("flux") && repo.contains("flex.1")) return find("flex1");
    for (Family f : ALL) if (f.aitkArchs().contains(a)) return Optional.of(f);
    return Optional.empty();
  }
}
