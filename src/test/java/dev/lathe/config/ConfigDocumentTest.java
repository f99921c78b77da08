package dev.lathe.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigDocumentTest {
  @TempDir Path dir;

  private Path copyPreset(String name) throws Exception {
    PresetLibrary lib = PresetLibrary.builtInOnly();
    Path p = dir.resolve(name + ".toml");
    Files.writeString(p, lib.text(lib.find(name).orElseThrow()));
    return p;
  }

  @Test
  void editCommentedPreset_onlyTouchedLinesChange() throws Exception {
    Path file = copyPreset("zimage_turbo");
    List<String> before = Files.readAllLines(file);

    ConfigDocument doc = ConfigDocument.load(file);
    doc.set("training.learning_rate", 5e-5);      // changed, keeps its trailing comment
    doc.set("target.linear_rank", 8);
    doc.setText("sample.steps", "9");
    assertThat(doc.unset("training.weight_decay")).isTrue();
    doc.set("training.warmup_steps", 100);         // new key, goes to the end of [training]
    doc.save();

    List<String> expected = new ArrayList<>();
    for (String line : before) {
      if (line.startsWith("learning_rate = 1e-4")) line = line.replaceFirst("1e-4", "5e-5");
      else if (line.startsWith("linear_rank = 16")) line = line.replaceFirst("16", "8");
      else if (line.equals("steps = 8               # 8 (or 9 if your pipeline counts 9 as eight transformer passes)"))
        line = line.replace("steps = 8 ", "steps = 9 ");
      else if (line.startsWith("weight_decay")) continue;
      expected.add(line);
      if (line.startsWith("unload_text_encoder")) expected.add("warmup_steps = 100");
    }
    assertThat(Files.readAllLines(file)).containsExactlyElementsOf(expected);
    assertThat(expected).hasSize(before.size());   // one line gone, one line added

    ResolvedConfig r = Configs.load(file, PresetLibrary.builtInOnly());
    assertThat(r.problems()).isEmpty();
    assertThat(r.config().training().learningRate()).isEqualTo(5e-5);
    assertThat(r.config().training().weightDecay()).isEqualTo(Training.DEFAULTS.weightDecay());
    assertThat(r.config().training().warmupSteps()).isEqualTo(100);
    assertThat(r.config().sample().steps()).isEqualTo(9);
  }

  @Test
  void untouchedDocument_savesByteIdentical() throws Exception {
    for (String name : PresetLibrary.builtInOnly().names()) {
      Path file = copyPreset(name);
      byte[] before = Files.readAllBytes(file);
      ConfigDocument doc = ConfigDocument.load(file);
      assertThat(doc.modified()).isFalse();
      doc.save();
      assertThat(Files.readAllBytes(file)).as(name).isEqualTo(before);
    }
  }

  @Test
  void datasetEntries_editInPlace_andAppend() throws Exception {
    Path file = dir.resolve("job.toml");
    String text = """
        extends = "zimage_turbo"   # start from Turbo

        [job]
        name = "demo"

        # portraits
        [[datasets]]
        folder = "a"   # first set
        resolutions = [512, 768]

        [[datasets]]
        folder = "b"
        caption_dropout_rate = 0.05
        """;
    Files.writeString(file, text);
    ConfigDocument doc = ConfigDocument.load(file);
    doc.set("datasets[1].caption_dropout_rate", 0.0);
    doc.set("datasets[0].flip_x", true);
    int i = doc.addDataset("c");
    doc.set("datasets[" + i + "].is_regularization", true);
    doc.save();
    assertThat(Files.readString(file)).isEqualTo("""
        extends = "zimage_turbo"   # start from Turbo

        [job]
        name = "demo"

        # portraits
        [[datasets]]
        folder = "a"   # first set
        resolutions = [512, 768]
        flip_x = true

        [[datasets]]
        folder = "b"
        caption_dropout_rate = 0.0

        [[datasets]]
        folder = "c"
        is_regularization = true
        """);
    assertThat(doc.get("datasets[0].resolutions")).isEqualTo(List.of(512L, 768L));
    assertThat(doc.count("datasets")).isEqualTo(3);
  }

  @Test
  void newTablesAndPrompts_areAppended() throws Exception {
    ConfigDocument doc = ConfigDocument.create(dir.resolve("new.toml"));
    doc.set("extends", "zimage_turbo");
    doc.set("job.name", "fresh");
    doc.set("training.optimizer", Training.Optimizer.ADAFACTOR);
    int p = doc.addPrompt("[trigger] on a beach");
    doc.set("sample.prompts[" + p + "].seed", 7L);
    doc.save();
    ResolvedConfig r = Configs.load(doc.file(), PresetLibrary.builtInOnly());
    assertThat(r.problems()).isEmpty();
    assertThat(r.config().training().optimizer()).isEqualTo(Training.Optimizer.ADAFACTOR);
    assertThat(r.config().sample().prompts()).containsExactly(
        new SamplePrompt("[trigger] on a beach", 7L, null, null, 1.0, "", null));
  }

  @Test
  void badValues_areRefusedBeforeTheDocumentChanges() throws Exception {
    Path file = copyPreset("zimage_turbo");
    ConfigDocument doc = ConfigDocument.load(file);
    assertThatThrownBy(() -> doc.set("training.learning_rate", -1.0))
        .hasMessage("training.learning_rate: must be > 0 and <= 10, got -1.0");
    assertThatThrownBy(() -> doc.set("training.learnig_rate", 1e-4))
        .hasMessageContaining("unknown field training.learnig_rate (did you mean training.learning_rate?)");
    assertThatThrownBy(() -> doc.setText("training.optimizer", "adamw9bit"))
        .hasMessageContaining("did you mean adamw8bit?");
    assertThatThrownBy(() -> doc.set("datasets[0].folder", "x"))
        .hasMessageContaining("no datasets[0]");
    assertThatThrownBy(() -> doc.set("training", 1)).hasMessageContaining("is a table");
    assertThat(doc.modified()).isFalse();
    assertThat(doc.unset("training.seed")).isFalse();
  }

  @Test
  void brokenToml_throwsWithLineAndColumn() throws Exception {
    Path file = dir.resolve("bad.toml");
    Files.writeString(file, "[training]\nsteps = \n");
    assertThatThrownBy(() -> ConfigDocument.load(file))
        .isInstanceOfSatisfying(ConfigException.class, e -> {
          assertThat(e.problems()).hasSize(1);
          assertThat(e.problems().get(0).line()).isEqualTo(2);
          assertThat(e.problems().get(0).column()).isEqualTo(9);   // the end of the line, where a value was due
          assertThat(e.problems().get(0).toString()).startsWith(file + ":2:9: TOML syntax: ");
        });
  }

  @Test
  void failedSave_leavesTheOldFile() throws Exception {
    Path file = copyPreset("sdxl");
    byte[] before = Files.readAllBytes(file);
    ConfigDocument doc = ConfigDocument.load(file);
    doc.set("target.linear_rank", 32);
    // the save over the SAME file dies halfway through writing its bytes (a full disk, a killed process)
    assertThatThrownBy(() -> doc.saveAs(file, (ch, bytes) -> {
      dev.lathe.io.AtomicFiles.writeFully(ch, java.nio.ByteBuffer.wrap(bytes, 0, bytes.length / 2));
      throw new java.io.IOException("No space left on device");
    })).isInstanceOf(java.io.IOException.class).hasMessageContaining("No space left");
    assertThat(Files.readAllBytes(file)).as("the old file, byte for byte").isEqualTo(before);
    try (var s = Files.list(file.getParent())) {
      assertThat(s.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith(dev.lathe.io.AtomicFiles.TEMP_PREFIX));
    }
    // the same edit saved normally replaces it (so the failure above was the write, not the edit)
    doc.save();
    assertThat(Files.readString(file)).isNotEqualTo(new String(before, java.nio.charset.StandardCharsets.UTF_8))
        .contains("linear_rank = 32");
  }

  @Test
  void saveIntoAFile_whereAFolderIsExpected_failsAndLeavesTheSourceAlone() throws Exception {
    Path file = copyPreset("sdxl");
    byte[] before = Files.readAllBytes(file);
    ConfigDocument doc = ConfigDocument.load(file);
    doc.set("target.linear_rank", 32);
    Path blocked = dir.resolve("not-a-dir");
    Files.writeString(blocked, "x");
    assertThatThrownBy(() -> doc.saveAs(blocked.resolve("job.toml"))).isInstanceOf(java.io.IOException.class);
    assertThat(Files.readAllBytes(file)).isEqualTo(before);
    assertThat(Files.readString(blocked)).isEqualTo("x");
  }
}
