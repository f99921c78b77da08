package dev.lathe.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lathe.testing.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AiToolkitImportTest {
  @TempDir Path dir;

  static Path example(String name) throws Exception {
    return Path.of(AiToolkitImportTest.class.getResource("/aitoolkit/" + name).toURI());
  }

  ResolvedConfig load(AiToolkitImport.Result r) throws Exception {
    Path job = dir.resolve("job.toml");
    Files.writeString(job, r.toml());
    return Configs.load(job, PresetLibrary.builtInOnly());
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"zimage_turbo_adapter.yaml", "flux1_dev.yaml", "wan22_t2v_14b.yaml"})
  void realisticJobs_importWithNothingUnmapped(String name) throws Exception {
    AiToolkitImport.Result r = AiToolkitImport.convert(example(name));
    System.out.println(r.toml());
    assertThat(r.unmapped()).as(r.toml()).isEmpty();
    ResolvedConfig c = load(r);
    assertThat(c.problems()).as(r.toml()).isEmpty();
  }

  @Test
  void zimageTurbo_mapsEveryPanel() throws Exception {
    AiToolkitImport.Result r = AiToolkitImport.convert(example("zimage_turbo_adapter.yaml"));
    assertThat(r.family()).isEqualTo("zimage_turbo");
    JobConfig c = load(r).config();
    assertThat(c.preset()).isEqualTo("zimage_turbo");
    assertThat(c.output()).isEqualTo("/workspace/ai-toolkit/output");
    assertThat(c.job()).isEqualTo(new Job("zimage_char_redhead_v1", 0, "zchar_redhead"));
    assertThat(c.model().architecture()).isEqualTo("zimage_turbo");
    assertThat(c.model().trainingAdapter()).isEqualTo("ostris/zimage_turbo_training_adapter/zimage_turbo_training_adapter_v2.safetensors");
    assertThat(c.model().lowVram()).isTrue();
    assertThat(c.quantization().transformer()).isEqualTo(Quantization.QType.FLOAT8);
    assertThat(c.quantization().textEncoder()).isEqualTo(Quantization.QType.FLOAT8);
    assertThat(c.target()).isEqualTo(new Target(Target.Type.LORA, 16, 16, 0, 0, -1, List.of(), List.of()));
    assertThat(c.save()).isEqualTo(new Save(Precision.BF16, 250, 4));
    assertThat(c.training().timestepType()).isEqualTo(Training.TimestepType.WEIGHTED);
    assertThat(c.training().weightDecay()).isEqualTo(1e-4);
    assertThat(c.datasets()).singleElement().satisfies(d -> {
      assertThat(d.folder()).isEqualTo("/workspace/datasets/redhead");
      assertThat(d.defaultCaption()).isEqualTo("photo of [trigger]");
      assertThat(d.resolutions()).containsExactly(512, 768, 1024);
      assertThat(d.cacheLatents()).isTrue();
    });
    assertThat(c.sample().guidanceScale()).isZero();   // ai-toolkit's 1 means no CFG
    assertThat(c.sample().steps()).isEqualTo(8);
    assertThat(c.sample().prompts()).hasSize(3);
    assertThat(c.sample().prompts().get(1).seed()).isEqualTo(7L);
    assertThat(c.sample().prompts().get(2).loraScale()).isEqualTo(0.8);
    assertThat(r.toml()).contains("training_adapter = \"ostris/").contains("# model.assistant_lora_path (line 90)")
        .contains("# TARGET: network").contains("conv (line 16): Z-Image Turbo (w/ Training Adapter) has no convolution layers");
  }

  @Test
  void zimageDeTurbo_guidanceCopiedUnchanged() throws Exception {
    String yaml = Files.readString(example("zimage_turbo_adapter.yaml"))
        .replace("name_or_path: Tongyi-MAI/Z-Image-Turbo", "name_or_path: ostris/Z-Image-De-Turbo\n        extras_name_or_path: Tongyi-MAI/Z-Image-Turbo")
        .replace("arch: zimage:turbo", "arch: zimage:deturbo")
        .replace("        assistant_lora_path: ostris/zimage_turbo_training_adapter/zimage_turbo_training_adapter_v2.safetensors\n", "")
        .replace("guidance_scale: 1", "guidance_scale: 3")
        .replace("sample_steps: 8", "sample_steps: 25");
    assertThat(yaml).contains("arch: zimage:deturbo").contains("guidance_scale: 3").doesNotContain("assistant_lora_path");
    AiToolkitImport.Result r = AiToolkitImport.convert(yaml, dir.resolve("deturbo.yaml"));
    assertThat(r.family()).isEqualTo("zimage_deturbo");
    JobConfig c = load(r).config();
    // ai-toolkit hands max(0, cfg - 1) to diffusers' ZImagePipeline, which computes pos + g'(pos - neg); with
    // g' = cfg - 1 that is neg + cfg(pos - neg), Lathe's standard form, so ai-toolkit's 3 is Lathe's 3
    assertThat(c.sample().guidanceScale()).isEqualTo(3.0);
    assertThat(c.sample().steps()).isEqualTo(25);
  }

  @Test
  void flux_mapsLegacyKeysAndPromptStrings() throws Exception {
    JobConfig c = load(AiToolkitImport.convert(example("flux1_dev.yaml"))).config();
    assertThat(c.model().architecture()).isEqualTo("flux1_dev");
    assertThat(c.training().gradientAccumulation()).isEqualTo(2);
    assertThat(c.training().lrScheduler()).isEqualTo(Training.LrSchedule.COSINE);
    assertThat(c.training().timestepBias()).isEqualTo(Training.TimestepBias.HIGH_NOISE);
    assertThat(c.training().useEma()).isTrue();
    assertThat(c.quantization().transformer()).isEqualTo(Quantization.QType.UINT6);
    assertThat(c.save().dtype()).isEqualTo(Precision.FP16);
    assertThat(c.target().include()).containsExactly("transformer_blocks");
    assertThat(c.advanced().differentialOutputPreservation()).isTrue();
    assertThat(c.advanced().dopClass()).isEqualTo("painting");
    assertThat(c.datasets()).extracting(Dataset::isRegularization).containsExactly(false, true);
    assertThat(c.sample().prompts()).extracting(SamplePrompt::prompt).containsExactly(
        "[trigger] a fishing village at dawn", "[trigger] a portrait of an old sailor", "a fishing village at dawn");
    assertThat(c.sample().guidanceScale()).isEqualTo(4.0);
  }

  @Test
  void wan22_mapsExpertsAndTheRecoveryAdapter() throws Exception {
    JobConfig c = load(AiToolkitImport.convert(example("wan22_t2v_14b.yaml"))).config();
    assertThat(c.model().architecture()).isEqualTo("wan22_t2v_14b");
    assertThat(c.model().trainHighNoise()).isTrue();
    assertThat(c.training().switchBoundaryEvery()).isEqualTo(10);
    assertThat(c.quantization().transformer()).isEqualTo(Quantization.QType.UINT4);
    assertThat(c.quantization().accuracyRecoveryAdapter())
        .isEqualTo("ostris/accuracy_recovery_adapters/wan22_14b_t2i_torchao_uint4.safetensors");
    assertThat(c.datasets().get(0).numFrames()).isEqualTo(33);
    assertThat(c.sample().numFrames()).isEqualTo(41);
    assertThat(c.target().linearRank()).isEqualTo(32);
  }

  @Test
  void unsupportedKeys_areListedWithTheirLines() throws Exception {
    AiToolkitImport.Result r = AiToolkitImport.convert(example("unsupported.yaml"));
    assertThat(r.unmapped()).extracting(n -> n.key() + ":" + n.line()).containsExactlyInAnyOrder(
        "network.type:10",
        "network.pretrained_lora_path:13",
        "save.push_to_hub:17",
        "save.hf_repo_id:18",
        "datasets[0].num_repeats:22",
        "datasets[0].augmentations:23",
        "train.noise_offset:30",
        "train.train_text_encoder:31",
        "train.min_snr_gamma:32",
        "train.fancy_new_option:33",
        "sample.sampler:38",
        "logging.use_wandb:47",
        "logging.project_name:48");
    assertThat(r.toml()).contains("# NOT imported").contains("train.fancy_new_option (line 33): not an ai-toolkit key Lathe knows");
    ResolvedConfig c = load(r);
    assertThat(c.problems()).isEmpty();   // what was imported is valid
    assertThat(c.config().datasets().get(0).resolutions()).containsExactly(1024);
  }

  @Test
  void malformedYaml_givesLineAndColumn() throws Exception {
    Path bad = dir.resolve("bad.yaml");
    Files.writeString(bad, "config:\n  name: x\n  process:\n    - type: sd_trainer\n     train: {\n");
    assertThatThrownBy(() -> AiToolkitImport.convert(bad)).isInstanceOfSatisfying(ConfigException.class, e -> {
      Problem p = e.problems().get(0);
      assertThat(p.line()).isEqualTo(5);
      assertThat(p.column()).isPositive();
      assertThat(p.toString()).startsWith(bad + ":5:" + p.column() + ": YAML syntax: ");
    });
    Files.writeString(bad, "config:\n  name: a\n  name: b\n");
    assertThatThrownBy(() -> AiToolkitImport.convert(bad)).isInstanceOfSatisfying(ConfigException.class,
        e -> assertThat(e.problems().get(0).message()).contains("duplicate key"));
  }

  @Test
  void everyKeyIsAccountedFor() throws Exception {
    // each YAML key lands in exactly one list or in the output: none may vanish
    AiToolkitImport.Result r = AiToolkitImport.convert(example("zimage_turbo_adapter.yaml"));
    String toml = r.toml();
    for (String key : List.of("lokr_full_rank", "sqlite_db_path", "mask_min_value", "shrink_video_to_frames",
        "layer_offloading_text_encoder_percent", "meta.version", "noise_scheduler", "train_unet"))
      assertThat(r.accepted()).as(key).anyMatch(n -> n.key().endsWith(key));
    assertThat(toml).contains("# Recognised without a Lathe field");
  }

  @Test
  void fixturesHelperStillWorks() {
    assertThat(Fixtures.class).isNotNull();
  }
}
