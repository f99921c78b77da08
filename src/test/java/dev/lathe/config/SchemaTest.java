package dev.lathe.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lathe.config.FieldSpec.Range;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SchemaTest {
  record Two(int a, int b) {}

  @Test
  void tableOutOfOrder_isRejectedWhenBuilt() {
    assertThatThrownBy(() -> new Section<>("save", "SAVE", Save.class, Save.DEFAULTS, false, List.of(
        FieldSpec.choice("dtype", Save::dtype, Precision.class, "d", "h"),
        FieldSpec.integer("keep_last", Save::keepLast, Range.ANY, "k", "h"),
        FieldSpec.integer("every", Save::every, Range.ANY, "e", "h"))))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("rebuilding DEFAULTS from the field table changes it");
    // equal defaults hide a swap from the rebuild; changing one field at a time still finds it
    assertThatThrownBy(() -> new Section<>("two", "TWO", Two.class, new Two(1, 1), false, List.of(
        FieldSpec.integer("b", Two::b, Range.ANY, "b", "h"),
        FieldSpec.integer("a", Two::a, Range.ANY, "a", "h"))))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("two.b is not component a of Two");
    assertThatThrownBy(() -> new Section<>("save", "SAVE", Save.class, Save.DEFAULTS, false, List.of(
        FieldSpec.choice("dtype", Save::dtype, Precision.class, "d", "h"))))
        .hasMessageContaining("1 fields for 3 components");
  }

  @Test
  void everyPathIsUnique_andFindable() {
    Set<String> seen = new HashSet<>();
    for (String p : Schema.leafPaths()) {
      assertThat(seen.add(p)).as(p).isTrue();
      assertThat(Schema.field(p)).as(p).isPresent();
    }
    assertThat(Schema.field("datasets[3].resolutions").orElseThrow().key()).isEqualTo("resolutions");
    assertThat(Schema.field("dataset_defaults.num_frames").orElseThrow().path()).isEqualTo("datasets.num_frames");
    assertThat(Schema.field("sample.prompts[0].seed").orElseThrow().nullable()).isTrue();
    assertThat(Schema.field("training.nope")).isEmpty();
  }

  @Test
  void defaultsComeFromTheRecords() {
    assertThat(Schema.field("save.every").orElseThrow().defaultValue()).isEqualTo(Save.DEFAULTS.every());
    assertThat(Schema.field("training.learning_rate").orElseThrow().defaultValue()).isEqualTo(1e-4);
    assertThat(Schema.field("datasets.resolutions").orElseThrow().defaultValue()).isEqualTo(List.of(512, 768, 1024));
  }

  @Test
  @SuppressWarnings("unchecked")
  void with_changesOneField() {
    FieldSpec<Training> lr = (FieldSpec<Training>) Schema.field("training.learning_rate").orElseThrow();
    Training t = lr.with(Training.DEFAULTS, 3e-4);
    assertThat(t.learningRate()).isEqualTo(3e-4);
    assertThat(t.steps()).isEqualTo(Training.DEFAULTS.steps());
  }

  @Test
  void parseText_readsWhatPeopleType() {
    assertThat(Schema.field("training.use_ema").orElseThrow().parseText("on").value()).isEqualTo(true);
    assertThat(Schema.field("training.learning_rate").orElseThrow().parseText("2e-4").value()).isEqualTo(2e-4);
    assertThat(Schema.field("training.steps").orElseThrow().parseText("3_000").value()).isEqualTo(3000L);
    assertThat(Schema.field("training.optimizer").orElseThrow().parseText("AdamW 8-bit").value()).isEqualTo(Training.Optimizer.ADAMW8BIT);
    assertThat(Schema.field("datasets.resolutions").orElseThrow().parseText("512, 768 / 1024").value()).isEqualTo(List.of(512L, 768L, 1024L));
    assertThat(Schema.field("sample.prompts.seed").orElseThrow().parseText("").value()).isNull();
    assertThat(Schema.field("training.steps").orElseThrow().parseText("0").error()).isEqualTo("must be between 1 and 10000000, got 0");
    assertThat(Schema.field("training.use_ema").orElseThrow().parseText("maybe").error()).isEqualTo("expected on or off, got \"maybe\"");
  }

  @Test
  void numbers_printTheWayPeopleWriteThem() {
    assertThat(TomlText.number(1e-4)).isEqualTo("1e-4");
    assertThat(TomlText.number(1.5e-4)).isEqualTo("1.5e-4");
    assertThat(TomlText.number(5e-5)).isEqualTo("5e-5");
    assertThat(TomlText.number(0.05)).isEqualTo("0.05");
    assertThat(TomlText.number(0.001)).isEqualTo("0.001");
    assertThat(TomlText.number(3)).isEqualTo("3.0");
    assertThat(TomlText.number(0)).isEqualTo("0.0");
    assertThat(TomlText.number(-2.5)).isEqualTo("-2.5");
    for (double d : new double[] {1e-4, 1.5e-4, 5e-5, 0.05, 3, 0.99, 1e-10, 123456.75})
      assertThat(Double.parseDouble(TomlText.number(d))).isEqualTo(d);
    assertThat(TomlText.literal("a \"b\"\n")).isEqualTo("\"a \\\"b\\\"\\n\"");
  }

  @Test
  void suggestions_needToBeClose() {
    assertThat(Suggest.closest("learnig_rate", List.of("learning_rate", "steps"))).contains("learning_rate");
    assertThat(Suggest.closest("optimiser", List.of("optimizer", "seed"))).contains("optimizer");
    assertThat(Suggest.closest("xyz", List.of("learning_rate", "steps"))).isEmpty();
    assertThat(Suggest.distance("ab", "ba")).isEqualTo(1);
  }

  @Test
  void flatten_listsEveryLeaf() {
    var flat = Schema.flatten(JobConfig.DEFAULTS);
    assertThat(flat).containsEntry("training.learning_rate", 1e-4).containsEntry("datasets", List.of())
        .containsEntry("sample.prompts[2].prompt", "a close-up photo, soft natural light")
        .containsEntry("dataset_defaults.resolutions", List.of(512, 768, 1024));
    assertThat(flat.get("sample.prompts[0].seed")).isNull();
  }

  @Test
  void catalog_idsAndArchsAreUnique_andVariantsResolve() {
    Set<String> ids = new HashSet<>();
    Set<String> archs = new HashSet<>();
    for (FamilyCatalog.Family f : FamilyCatalog.ALL) {
      assertThat(ids.add(f.id())).as(f.id()).isTrue();
      for (String a : f.aitkArchs()) assertThat(archs.add(a)).as(a).isTrue();
      assertThat(f.vram().recommendedGb()).as(f.id()).isGreaterThanOrEqualTo(f.vram().minGb());
    }
    assertThat(FamilyCatalog.ALL.stream().filter(FamilyCatalog.Family::implemented).map(FamilyCatalog.Family::id))
        .containsExactly("zimage_turbo", "zimage_deturbo", "zimage");
    assertThat(FamilyCatalog.fromAiToolkit("zimage", "Tongyi-MAI/Z-Image-Turbo").orElseThrow().id()).isEqualTo("zimage_turbo");
    assertThat(FamilyCatalog.fromAiToolkit("zimage", "ostris/Z-Image-De-Turbo").orElseThrow().id()).isEqualTo("zimage_deturbo");
    assertThat(FamilyCatalog.fromAiToolkit("zimage", "Tongyi-MAI/Z-Image").orElseThrow().id()).isEqualTo("zimage");
    assertThat(FamilyCatalog.fromAiToolkit("wan22_14b:t2v", "").orElseThrow().id()).isEqualTo("wan22_t2v_14b");
    assertThat(FamilyCatalog.fromAiToolkit("flux", "black-forest-labs/FLUX.1-Kontext-dev").orElseThrow().id()).isEqualTo("flux1_kontext_dev");
    assertThat(FamilyCatalog.fromAiToolkit("mystery", "")).isEmpty();
  }

  @Test
  void problem_printsOnOneLine() {
    Problem p = Problem.error(java.nio.file.Path.of("job.toml"), 12, "training.learning_rate", "must be > 0, got -1", "value");
    assertThat(p).hasToString("job.toml:12: training.learning_rate: must be > 0, got -1 (error)");
    assertThat(new Problem(java.nio.file.Path.of("j.toml"), 3, 7, "", "TOML syntax: x", Problem.Severity.ERROR, "syntax"))
        .hasToString("j.toml:3:7: TOML syntax: x (error)");
  }
}
