package dev.lathe.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every validation rule: one config that trips it and one that does not. */
class ValidationRulesTest {
  @TempDir Path dir;

  static final String JOB = "[job]\nname = \"demo\"\n";
  static final String DS = "[[datasets]]\nfolder = \"imgs\"\n";
  static final String TURBO = "extends = \"zimage_turbo\"\n";
  /** A clean Z-Image Turbo job: ten images, nothing doubtful. */
  static final String BASE = TURBO + JOB + DS;
  /** A clean SD 1.5 job (512 px buckets, batch 1, gradient checkpointing on). */
  static final String SD15 = "extends = \"sd15\"\n" + JOB + DS;

  /** One rule: the config that trips it, the one that does not, and the GPU to check against. */
  record Case(String rule, String trip, String clean, Environment tripEnv, Environment cleanEnv) {
    Case(String rule, String trip, String clean) {
      this(rule, trip, clean, Environment.none(), Environment.none());
    }

    @Override
    public String toString() {
      return rule;
    }
  }

  static Stream<Case> cases() {
    return Stream.of(
        new Case("job-name", TURBO + "[job]\nname = \"my job\"\n" + DS, BASE),
        new Case("job-name", TURBO + DS, BASE),
        new Case("architecture", "[model]\narchitecture = \"zimage_trubo\"\n" + JOB + DS, BASE),
        new Case("architecture", JOB + DS, BASE),
        new Case("family-not-implemented", "extends = \"flux1_dev\"\n" + JOB + DS, BASE),
        new Case("choice-not-implemented", BASE + "[training]\noptimizer = \"prodigy\"\n", BASE + "[training]\noptimizer = \"adafactor\"\n"),
        new Case("choice-not-implemented", BASE + "[training]\nloss_type = \"wavelet\"\n", BASE + "[training]\nloss_type = \"mae\"\n"),
        new Case("no-dataset", TURBO + JOB, BASE),
        new Case("no-dataset", TURBO + JOB + "[[datasets]]\nfolder = \"imgs\"\nis_regularization = true\n", BASE),
        new Case("dataset-folder", TURBO + JOB + "[[datasets]]\nfolder = \"missing\"\n", BASE),
        new Case("dataset-folder", TURBO + JOB + "[[datasets]]\nfolder = \"empty\"\n", BASE),
        new Case("dataset-folder", TURBO + JOB + "[[datasets]]\nfolder = \"imgs\"\ncontrol_folder = \"nope\"\n", BASE),
        new Case("dataset-defaults-folder", BASE + "[dataset_defaults]\nfolder = \"x\"\n", BASE),
        new Case("dataset-background", BASE + "alpha_background = \"white\"\n", BASE + "alpha_background = \"#FfF\"\n"),
        new Case("dataset-background", BASE + "alpha_background = \"#12345\"\n", BASE + "alpha_background = \" #123456 \"\n"),
        new Case("dataset-background", TURBO + JOB + "[dataset_defaults]\nalpha_background = \"0xffffff\"\n",
            TURBO + JOB + "[dataset_defaults]\nalpha_background = \"#000000\"\n"),
        new Case("multistage-nothing",
            "extends = \"wan22_t2v_14b\"\n" + JOB + "[model]\ntrain_high_noise = false\ntrain_low_noise = false\n" + DS,
            "extends = \"wan22_t2v_14b\"\n" + JOB + "[model]\ntrain_high_noise = false\n" + DS),
        new Case("lokr-factor", BASE + "[target]\ntype = \"lokr\"\nlokr_factor = 0\n", BASE + "[target]\ntype = \"lokr\"\nlokr_factor = 8\n"),
        new Case("quantization-not-implemented", BASE + "[quantization]\ntransformer = \"float8\"\n", BASE),
        new Case("quantization-not-implemented", BASE + "[quantization]\ntext_encoder = \"float8\"\n", BASE),
        new Case("accuracy-recovery-adapter", BASE + "[quantization]\naccuracy_recovery_adapter = \"ara.safetensors\"\n", BASE),
        new Case("accuracy-recovery-adapter", BASE + "[quantization]\ntransformer = \"uint3\"\n",
            BASE + "[quantization]\ntransformer = \"uint3\"\naccuracy_recovery_adapter = \"ara.safetensors\"\n"),
        new Case("offload-not-implemented", BASE + "[model]\nlow_vram = true\n", BASE),
        new Case("offload-not-implemented", BASE + "[model]\nlayer_offloading = true\n", BASE),
        new Case("frames-on-image-family", TURBO + JOB + DS + "num_frames = 33\n", BASE),
        new Case("frames-on-image-family", BASE + "[sample]\nnum_frames = 41\n", BASE),
        new Case("multistage-ignored", BASE + "[model]\ntrain_low_noise = false\n", BASE),
        new Case("multistage-ignored", BASE + "[training]\nswitch_boundary_every = 10\n", BASE),
        new Case("conv-rank", BASE + "[target]\nconv_rank = 8\n", BASE),
        new Case("lokr-factor-on-lora", BASE + "[target]\nlokr_factor = 8\n", BASE + "[target]\ntype = \"lokr\"\nlokr_factor = 8\n"),
        new Case("lokr-comfy-only", BASE + "[target]\ntype = \"lokr\"\n", BASE),
        new Case("timestep-type-ddpm", "extends = \"sdxl\"\n" + JOB + DS + "[training]\ntimestep_type = \"weighted\"\n",
            "extends = \"sdxl\"\n" + JOB + DS),
        new Case("control-images", "extends = \"qwen_image_edit_2509\"\n" + JOB + DS,
            "extends = \"qwen_image_edit_2509\"\n" + JOB + DS + "control_folder = \"ctrl\"\n"),
        new Case("control-images", BASE.replace(DS, DS + "control_folder = \"ctrl\"\n"), BASE),
        new Case("adapter-not-turbo", "extends = \"zimage_deturbo\"\n" + JOB + DS + "[model]\ntraining_adapter = \"a.safetensors\"\n",
            "extends = \"zimage_deturbo\"\n" + JOB + DS),
        new Case("turbo-without-adapter", BASE + "[model]\ntraining_adapter = \"\"\n", BASE),
        new Case("turbo-guidance", BASE + "[sample]\nguidance_scale = 3.5\n",
            BASE + "[sample]\nguidance_scale = 3.5\ndisable_sampling = true\n"),
        new Case("sampler-objective", BASE + "[sample]\nsampler = \"ddpm\"\n", BASE),
        new Case("sampler-objective", "extends = \"sd15\"\n" + JOB + DS + "[sample]\nsampler = \"flowmatch\"\n", "extends = \"sd15\"\n" + JOB + DS),
        new Case("differential-guidance", "extends = \"zimage_deturbo\"\n" + JOB + DS + "[advanced]\ndifferential_guidance = true\n",
            BASE + "[advanced]\ndifferential_guidance = true\n"),
        new Case("dop-without-regularization",
            TURBO + "[job]\nname = \"demo\"\ntrigger_word = \"sks\"\n" + DS + "[advanced]\ndifferential_output_preservation = true\n",
            TURBO + "[job]\nname = \"demo\"\ntrigger_word = \"sks\"\n" + DS + "[[datasets]]\nfolder = \"reg\"\nis_regularization = true\n"
                + "[advanced]\ndifferential_output_preservation = true\n"),
        new Case("dop-without-trigger",
            BASE + "[[datasets]]\nfolder = \"reg\"\nis_regularization = true\n[advanced]\ndifferential_output_preservation = true\n",
            TURBO + "[job]\nname = \"demo\"\ntrigger_word = \"sks\"\n" + DS + "[[datasets]]\nfolder = \"reg\"\nis_regularization = true\n"
                + "[advanced]\ndifferential_output_preservation = true\n"),
        new Case("dop-without-trigger",
            TURBO + "[job]\nname = \"demo\"\ntrigger_word = \"sks\"\n" + DS + "[advanced]\ndifferential_output_preservation = true\ndop_class = \"\"\n",
            TURBO + "[job]\nname = \"demo\"\ntrigger_word = \"sks\"\n" + DS + "[advanced]\ndifferential_output_preservation = true\n"),
        new Case("dop-and-blank-prompt", BASE + "[advanced]\ndifferential_output_preservation = true\nblank_prompt_preservation = true\n",
            BASE + "[advanced]\nblank_prompt_preservation = true\n"),
        new Case("cache-te-with-dop", BASE + "[training]\ncache_text_embeddings = true\n[advanced]\ndifferential_output_preservation = true\n",
            BASE + "[advanced]\ndifferential_output_preservation = true\n"),
        new Case("cache-te-with-dropout", BASE + "[training]\ncache_text_embeddings = true\n",
            TURBO + JOB + DS + "caption_dropout_rate = 0.0\n[training]\ncache_text_embeddings = true\n"),
        new Case("cache-te-with-dynamic-trigger",
            TURBO + "[job]\nname = \"demo\"\ntrigger_word = \"sks\"\n" + DS + "caption_dropout_rate = 0.0\n[training]\ncache_text_embeddings = true\n",
            TURBO + JOB + DS + "caption_dropout_rate = 0.0\n[training]\ncache_text_embeddings = true\n"),
        new Case("cache-te-with-dynamic-trigger",
            TURBO + JOB + "[[datasets]]\nfolder = \"captioned\"\ncaption_dropout_rate = 0.0\n[training]\ncache_text_embeddings = true\n",
            TURBO + JOB + "[[datasets]]\nfolder = \"captioned\"\ncaption_dropout_rate = 0.0\n"),
        new Case("unload-text-encoder", BASE + "[training]\nunload_text_encoder = true\n", BASE),
        new Case("save-sample-mismatch", BASE + "[sample]\nevery = 100\n", BASE + "[save]\nevery = 100\n[sample]\nevery = 100\n"),
        new Case("every-beyond-steps", BASE + "[training]\nsteps = 200\n", BASE + "[training]\nsteps = 250\n"),
        new Case("batch-exceeds-dataset", BASE + "[training]\nbatch_size = 4\ngradient_accumulation = 4\n",
            BASE + "[training]\nbatch_size = 2\ngradient_accumulation = 5\n"),
        new Case("alpha-scale", BASE + "[target]\nlinear_alpha = 1.0\n", BASE + "[target]\nlinear_alpha = 16.0\n"),
        // a full-rank LoKr does not use alpha; a decomposed one does
        new Case("alpha-scale", BASE + "[target]\ntype = \"lokr\"\nlokr_full_rank = false\nlinear_alpha = 1.0\n",
            BASE + "[target]\ntype = \"lokr\"\nlinear_alpha = 1.0\n"),
        new Case("warmup-too-long", BASE + "[training]\nwarmup_steps = 3000\n", BASE + "[training]\nwarmup_steps = 100\n"),
        new Case("keep-last-zero", BASE + "[save]\nkeep_last = 0\n", BASE),
        new Case("first-sample-flags", BASE + "[sample]\nskip_first_sample = true\nforce_first_sample = true\n",
            BASE + "[sample]\nskip_first_sample = true\n"),
        new Case("no-sample-prompts", BASE + "[sample]\nprompts = []\n", BASE + "[sample]\nprompts = []\ndisable_sampling = true\n"),
        new Case("sample-size", BASE + "[sample]\nwidth = 1000\n", BASE + "[sample]\nwidth = 1008\n"),
        new Case("sample-size", BASE + "[[sample.prompts]]\nprompt = \"x\"\nheight = 700\n", BASE + "[[sample.prompts]]\nprompt = \"x\"\nheight = 704\n"),
        new Case("vram", BASE, BASE, Environment.gpuGb(16), Environment.gpuGb(24)),
        new Case("vram", BASE + "[target]\nlinear_rank = 32\n", BASE + "[target]\nlinear_rank = 32\n", Environment.gpuGb(20), Environment.gpuGb(24)),
        // SD 1.5 needs no quantization for its 8 GB minimum, so each reason alone lifts the need to 12 GB
        new Case("vram", SD15.replace(DS, DS + "resolutions = [1024]\n"), SD15, Environment.gpuGb(8), Environment.gpuGb(8)),
        new Case("vram", SD15 + "[training]\nbatch_size = 2\n", SD15, Environment.gpuGb(8), Environment.gpuGb(8)),
        new Case("vram", SD15 + "[training]\ngradient_checkpointing = false\n", SD15, Environment.gpuGb(8), Environment.gpuGb(8)),
        new Case("dtype-on-cpu", BASE + "[training]\ndtype = \"bf16\"\n", BASE + "[training]\ndtype = \"fp32\"\n",
            Environment.cpu(), Environment.cpu()),
        new Case("dtype-on-cpu", BASE + "[training]\ndtype = \"fp16\"\n", BASE + "[training]\ndtype = \"fp16\"\n",
            Environment.cpu(), Environment.none()));
  }

  @BeforeEach
  void datasets() throws IOException {
    media(Files.createDirectories(dir.resolve("imgs")), 10);
    media(Files.createDirectories(dir.resolve("reg")), 5);
    media(Files.createDirectories(dir.resolve("ctrl")), 10);
    Files.createDirectories(dir.resolve("empty"));
    Path captioned = media(Files.createDirectories(dir.resolve("captioned")), 3);
    Files.writeString(captioned.resolve("img0.txt"), "a photo of [trigger] smiling");
    Files.writeString(captioned.resolve("img1.txt"), "a photo of a person");
  }

  static Path media(Path folder, int n) throws IOException {
    for (int i = 0; i < n; i++) Files.write(folder.resolve("img" + i + (i % 2 == 0 ? ".png" : ".jpg")), new byte[0]);
    Files.writeString(folder.resolve("notes.md"), "not an image");
    return folder;
  }

  static final PresetLibrary LIB = PresetLibrary.builtInOnly();

  List<Problem> check(String toml, Environment env) {
    ResolvedConfig r = Configs.parse(toml, dir.resolve("job.toml"), LIB);
    return Validation.check(r, env);
  }

  @Test
  void base_isClean() {
    assertThat(check(BASE, Environment.gpuGb(24))).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void rule_tripsOnlyWhenItShould(Case c) {
    List<Problem> trip = check(c.trip(), c.tripEnv());
    assertThat(trip).as("trip").anyMatch(p -> p.rule().equals(c.rule()));
    assertThat(check(c.clean(), c.cleanEnv())).as("clean").noneMatch(p -> p.rule().equals(c.rule()));
  }

  @Test
  void everyRule_hasACase() {
    Set<String> covered = cases().map(Case::rule).collect(Collectors.toSet());
    Set<String> all = Validation.rules().stream().map(Validation.Rule::id).collect(Collectors.toSet());
    assertThat(covered).containsExactlyInAnyOrderElementsOf(all);
  }

  @Test
  void problems_pointAtTheLineThatSetTheValue() {
    List<Problem> ps = check(BASE + "[training]\nsteps = 200\n[sample]\nguidance_scale = 2.0\n", Environment.none());
    assertThat(ps).filteredOn(p -> p.rule().equals("turbo-guidance")).singleElement()
        .satisfies(p -> {
          assertThat(p.line()).isEqualTo(9);
          assertThat(p.file()).isEqualTo(dir.resolve("job.toml"));
          assertThat(p.field()).isEqualTo("sample.guidance_scale");
        });
    // save.every comes from the preset: the problem points into the preset file
    assertThat(ps).filteredOn(p -> p.rule().equals("every-beyond-steps") && p.field().equals("save.every")).singleElement()
        .satisfies(p -> assertThat(p.file()).isEqualTo(Path.of("presets", "zimage_turbo.toml")));
  }

  @Test
  void unimplementedFamily_isAnErrorInAJob_butAWarningInAPreset() throws IOException {
    assertThat(check("extends = \"flux1_dev\"\n" + JOB + DS, Environment.none()))
        .filteredOn(p -> p.rule().equals("family-not-implemented")).singleElement().matches(Problem::isError);
    ResolvedConfig preset = Configs.preset("flux1_dev", PresetLibrary.builtInOnly());
    assertThat(Validation.check(preset, Environment.none()))
        .filteredOn(p -> p.rule().equals("family-not-implemented")).singleElement().matches(Problem::isWarning);
  }

  @Test
  void vram_namesTheSettingsAndSaysItIsAHeuristic() {
    List<Problem> ps = check(BASE + "[target]\nlinear_rank = 64\n", Environment.gpu("RTX 4080", 16L * Environment.GIB));
    assertThat(ps).filteredOn(p -> p.rule().equals("vram")).singleElement().satisfies(p -> {
      assertThat(p.message()).startsWith("heuristic: Z-Image Turbo (w/ Training Adapter) wants about 24 GB here")
          .contains("rank 64 > 16").contains("RTX 4080 has 16 GB");
      assertThat(p.field()).isEqualTo("target.linear_rank");
    });
    assertThat(check(BASE + "[target]\nlinear_rank = 64\n", Environment.gpuGb(24))).noneMatch(p -> p.rule().equals("vram"));
    assertThat(check(BASE + "[target]\nlinear_rank = 64\n", Environment.none())).noneMatch(p -> p.rule().equals("vram"));
  }

  @Test
  void vram_eachReasonIsNamed_withItsField() {
    record Reason(String extra, String says, String field) {}
    for (Reason r : List.of(
        new Reason(DS + "resolutions = [1024]\n", "bucket 1024 > 768", "datasets[0].resolutions"),
        new Reason(DS + "[training]\nbatch_size = 2\n", "batch size 2", "training.batch_size"),
        new Reason(DS + "[training]\ngradient_checkpointing = false\n", "gradient checkpointing off", "training.gradient_checkpointing"))) {
      List<Problem> ps = check(SD15.replace(DS, r.extra()), Environment.gpuGb(8));
      assertThat(ps).as(r.says()).filteredOn(p -> p.rule().equals("vram")).singleElement().satisfies(p -> {
        assertThat(p.message()).contains("SD 1.5 wants about 12 GB here (" + r.says() + ")").contains("has 8 GB");
        assertThat(p.field()).isEqualTo(r.field());
      });
      assertThat(check(SD15.replace(DS, r.extra()), Environment.gpuGb(12))).as(r.says() + " on 12 GB").noneMatch(p -> p.rule().equals("vram"));
    }
  }

  @Test
  void dtypeOnCpu_saysWhatTheRunWillUse() {
    assertThat(check(BASE, Environment.cpu())).filteredOn(p -> p.rule().equals("dtype-on-cpu")).singleElement()
        .satisfies(p -> {
          assertThat(p.field()).isEqualTo("training.dtype");
          assertThat(p.message()).contains("fp32").contains("bf16 only applies on a GPU");
        });
    // an unknown device (no detection) or a GPU: silent
    assertThat(check(BASE, Environment.none())).noneMatch(p -> p.rule().equals("dtype-on-cpu"));
    assertThat(check(BASE, Environment.gpuGb(24))).noneMatch(p -> p.rule().equals("dtype-on-cpu"));
  }

  @Test
  void allProblems_areReportedAtOnce() {
    List<Problem> ps = check("""
        [job]
        name = "bad name"
        [training]
        learning_rate = 0
        optimizer = "lion"
        [[datasets]]
        folder = "missing"
        """, Environment.none());
    assertThat(ps).extracting(Problem::rule).contains("value", "job-name", "architecture", "choice-not-implemented", "dataset-folder");
  }
}
