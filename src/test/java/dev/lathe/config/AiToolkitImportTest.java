package dev.lathe.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
    assertThat(c.target()).isEqualTo(new Target(Target.Type.LORA, 16, 16, 0, 0, -1, true, 0, List.of(), List.of()));
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
  void lokrFullRankAndDropout_areImported() throws Exception {
    Path yaml = dir.resolve("lokr.yaml");
    Files.writeString(yaml, """
        job: extension
        config:
          name: lokr_run
          process:
            - type: diffusion_trainer
              network:
                type: lokr
                linear: 8
                linear_alpha: 4
                lokr_full_rank: false
                lokr_factor: 8
                dropout: 0.1
              model:
                arch: zimage
        """);
    AiToolkitImport.Result r = AiToolkitImport.convert(yaml);
    assertThat(r.unmapped()).as(r.toml()).noneMatch(n -> n.key().contains("network"));
    Target t = load(r).config().target();
    assertThat(t.type()).isEqualTo(Target.Type.LOKR);
    assertThat(t.lokrFullRank()).isFalse();
    assertThat(t.dropout()).isEqualTo(0.1);
    assertThat(t.linearRank()).isEqualTo(8);
    assertThat(t.scale()).isEqualTo(0.5);   // decomposed: alpha / rank, as a LoRA

    // a null dropout (ai-toolkit's default) is accepted as "off"
    Files.writeString(yaml, Files.readString(yaml).replace("dropout: 0.1", "dropout: null"));
    AiToolkitImport.Result off = AiToolkitImport.convert(yaml);
    assertThat(off.accepted()).anyMatch(n -> n.key().endsWith("dropout"));
    assertThat(load(off).config().target().dropout()).isZero();
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
    Files.writeString(bad, "config:\n  name: x\n  process:\n    - type: diffusion_trainer\n     train: {\n");
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

  /** A YAML key as the importer names it ("train.lr", "datasets[1].is_reg"), its line, and whether it holds a table. */
  record Key(String path, int line, boolean table) {
    /** The key's own name: "is_reg" for "datasets[1].is_reg". */
    String name() {
      return path.substring(path.lastIndexOf('.') + 1).replaceAll("\\[\\d+]$", "");
    }
  }

  /** Every key of a YAML file, walked independently of the importer. */
  static List<Key> yamlKeys(Path file) throws Exception {
    List<Key> out = new ArrayList<>();
    try (var in = Files.newBufferedReader(file)) {
      walk(new org.yaml.snakeyaml.Yaml().compose(in), "", out);
    }
    return out;
  }

  private static void walk(org.yaml.snakeyaml.nodes.Node n, String path, List<Key> out) {
    if (n instanceof org.yaml.snakeyaml.nodes.MappingNode m) {
      for (org.yaml.snakeyaml.nodes.NodeTuple t : m.getValue()) {
        String k = ((org.yaml.snakeyaml.nodes.ScalarNode) t.getKeyNode()).getValue();
        String p = path.isEmpty() ? k : path + "." + k;
        org.yaml.snakeyaml.nodes.Node v = t.getValueNode();
        boolean table = v instanceof org.yaml.snakeyaml.nodes.MappingNode
            || (v instanceof org.yaml.snakeyaml.nodes.SequenceNode sq && !sq.getValue().isEmpty()
                && sq.getValue().get(0) instanceof org.yaml.snakeyaml.nodes.MappingNode);
        out.add(new Key(AiToolkitImport.shortPath(p), t.getKeyNode().getStartMark().getLine() + 1, table));
        walk(v, p, out);
      }
    } else if (n instanceof org.yaml.snakeyaml.nodes.SequenceNode s) {
      List<org.yaml.snakeyaml.nodes.Node> items = s.getValue();
      for (int i = 0; i < items.size(); i++) walk(items.get(i), path + "[" + i + "]", out);
    }
  }

  /** key is {@code of} or lies under it ("train" covers "train.lr"; "datasets[0]" covers "datasets[0].flip_x"). */
  static boolean within(String key, String of) {
    return key.equals(of) || key.startsWith(of + ".") || key.startsWith(of + "[");
  }

  /** A TOML value whose source comment names this key and its line. */
  static boolean mapped(String toml, Key k) {
    return toml.lines().anyMatch(l -> {
      int hash = l.indexOf('#');
      if (hash < 0 || l.startsWith("#")) return false;
      String comment = l.substring(hash);
      return comment.contains(k.name()) && (comment.contains("(line " + k.line() + ")") || comment.contains(k.path() + "["));
    });
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"zimage_turbo_adapter.yaml", "flux1_dev.yaml", "wan22_t2v_14b.yaml"})
  void everyKeyIsAccountedFor(String name) throws Exception {
    // each key of the YAML is mapped (the TOML names it, with its line, as a value's source), or listed as
    // recognised with a reason, or lies inside such a key (a mapped table or list): none may vanish
    Path yaml = example(name);
    AiToolkitImport.Result r = AiToolkitImport.convert(yaml);
    assertThat(r.unmapped()).isEmpty();
    String recognised = r.toml().substring(r.toml().indexOf("# Recognised without a Lathe field"));
    for (AiToolkitImport.Note n : r.accepted()) {
      assertThat(n.reason()).as(n.key()).isNotBlank();
      assertThat(recognised).as(n.key()).contains("#   " + n);
    }
    List<Key> keys = yamlKeys(yaml);
    assertThat(keys).as("the walk found the file's keys").hasSizeGreaterThan(40);
    List<String> mappedHere = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    for (Key k : keys) {
      if (k.table()) continue;   // a table or a list of tables: judged by its keys
      boolean mapped = mapped(r.toml(), k);
      boolean accepted = r.accepted().stream().anyMatch(n -> within(k.path(), n.key()));
      boolean underMapped = keys.stream().anyMatch(o -> o != k && within(k.path(), o.path()) && mapped(r.toml(), o));
      if (mapped) mappedHere.add(k.path());
      if (!mapped && !accepted && !underMapped) missing.add(k.path() + " (line " + k.line() + ")");
    }
    assertThat(missing).as("keys neither mapped nor recognised\n" + r.toml()).isEmpty();
    assertThat(mappedHere).as("most keys become Lathe fields").hasSizeGreaterThan(keys.size() / 3);
  }
}
