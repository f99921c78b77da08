package dev.lathe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lathe.config.PresetLibrary;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** presets / config / import through Main.run, against an empty user preset folder. */
class ConfigCliTest {
  @TempDir Path dir;

  record Result(int code, String out, String err) {}

  static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Result(code, out.toString(), err.toString());
  }

  @BeforeEach
  void userPresets() throws Exception {
    System.setProperty(PresetLibrary.USER_DIR_PROPERTY, Files.createDirectories(dir.resolve("user-presets")).toString());
  }

  @AfterEach
  void clear() {
    System.clearProperty(PresetLibrary.USER_DIR_PROPERTY);
  }

  Path job(String text) throws Exception {
    Files.createDirectories(dir.resolve("imgs"));
    for (int i = 0; i < 4; i++) Files.write(dir.resolve("imgs/" + i + ".png"), new byte[0]);
    Path p = dir.resolve("job.toml");
    Files.writeString(p, text);
    return p;
  }

  @Test
  void presetsList_showsEveryFamily() {
    Result r = run("presets", "list");
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("NAME").contains("zimage_turbo ").contains("Z-Image Turbo (w/ Training Adapter)")
        .contains("wan22_t2v_14b").contains("not yet").contains("16-24 GB").contains("extends zimage_turbo");
    assertThat(r.out().lines().filter(l -> l.contains("  built-in")).count()).isEqualTo(PresetLibrary.builtInOnly().names().size());
  }

  @Test
  void presetsList_includesUserPresets() throws Exception {
    Files.writeString(dir.resolve("user-presets/my_style.toml"), "extends = \"flux1_dev\"\n[target]\nlinear_rank = 8\n");
    Result r = run("presets", "list");
    assertThat(r.out()).contains("my_style").contains("user " + dir.resolve("user-presets/my_style.toml"));
  }

  @Test
  void presetsShow_printsResolvedWithSources() {
    Result r = run("presets", "show", "zimage_turbo_v1");
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("training_adapter").contains("_v1.safetensors").contains("# preset zimage_turbo_v1:")
        .contains("# preset zimage_turbo:").contains("# default");
    assertThat(run("presets", "show", "--raw", "zimage_turbo_v1").out()).startsWith("# Z-Image Turbo with the v1 training adapter");
  }

  @Test
  void presetsShow_unknownName_suggests() {
    Result r = run("presets", "show", "zimage_trubo");
    assertThat(r.code()).isEqualTo(ExitCode.USAGE);
    assertThat(r.err().strip()).isEqualTo("lathe: no preset named \"zimage_trubo\" (did you mean zimage_turbo?); `lathe presets list` shows them");
  }

  @Test
  void presetsDiff_listsOnlyDifferences() {
    Result r = run("presets", "diff", "zimage_turbo", "zimage_deturbo");
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("model.architecture").contains("\"zimage_turbo\"").contains("\"zimage_deturbo\"")
        .contains("sample.steps").contains("sample.guidance_scale").doesNotContain("training.learning_rate");
    assertThat(run("presets", "diff", "sdxl", "sdxl").out()).contains("resolve to the same values");
  }

  @Test
  void configCheck_cleanJob_exitsZero() throws Exception {
    Path p = job("extends = \"zimage_turbo\"\n[job]\nname = \"demo\"\n[[datasets]]\nfolder = \"imgs\"\n");
    Result r = run("config", "check", "--no-gpu", p.toString());
    assertThat(r.out().strip()).isEqualTo(p + ": ok (Z-Image Turbo (w/ Training Adapter), 3000 steps)");
    assertThat(r.code()).isZero();
  }

  @Test
  void configCheck_errors_exitThree_andPrintEveryProblem() throws Exception {
    Path p = job("extends = \"zimage_turbo\"\n[job]\nname = \"demo\"\n[training]\nlearning_rate = -1\nbatch_size = 8\n"
        + "[[datasets]]\nfolder = \"imgs\"\n");
    Result r = run("config", "check", "--no-gpu", p.toString());
    assertThat(r.code()).isEqualTo(ExitCode.CONFIG);
    assertThat(r.out()).contains(p + ":5: training.learning_rate: must be > 0 and <= 10, got -1.0 (error)")
        .contains(p + ":6: training.batch_size: each step would need 8 samples").contains("(warning)")
        .contains(p + ": 1 error, 1 warning");
  }

  @Test
  void configCheck_warningsOnly_exitZero_andVramOption() throws Exception {
    Path p = job("extends = \"zimage_turbo\"\n[job]\nname = \"demo\"\n[[datasets]]\nfolder = \"imgs\"\n");
    Result r = run("config", "check", "--vram", "12", p.toString());
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("heuristic: Z-Image Turbo").contains("1 warning").contains("checked against the GPU (12 GB)");
  }

  @Test
  void configCheck_malformed_givesLineAndColumn() throws Exception {
    Path p = job("[training]\nsteps = = 3\n");
    Result r = run("config", "check", "--no-gpu", p.toString());
    assertThat(r.code()).isEqualTo(ExitCode.CONFIG);
    assertThat(r.out()).startsWith(p + ":2:");
  }

  @Test
  void configCheck_missingFile_oneLine() {
    Result r = run("config", "check", dir.resolve("nope.toml").toString());
    assertThat(r.code()).isEqualTo(ExitCode.CONFIG);
    assertThat(r.err().strip()).isEqualTo("lathe: " + dir.resolve("nope.toml") + ": no such file");
  }

  @Test
  void configCheck_presetFlag_allowsTemplates() throws Exception {
    Path p = dir.resolve("mine.toml");
    Files.writeString(p, "extends = \"zimage_turbo\"\n[target]\nlinear_rank = 8\n");
    assertThat(run("config", "check", "--no-gpu", "--preset", p.toString()).code()).isZero();
    assertThat(run("config", "check", "--no-gpu", p.toString()).code()).isEqualTo(ExitCode.CONFIG);   // no name, no dataset
  }

  @Test
  void configShow_resolved() throws Exception {
    Path p = job("extends = \"zimage_turbo\"\n[job]\nname = \"demo\"\n[[datasets]]\nfolder = \"imgs\"\n");
    Result r = run("config", "show", "--resolved", p.toString());
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("name         = \"demo\"").contains("# job.toml:3").contains("[[datasets]]  # job.toml:4")
        .contains("resolutions          = [512, 768, 1024]  # preset zimage_turbo:");
    assertThat(run("config", "show", p.toString()).out()).isEqualTo(Files.readString(p));
  }

  @Test
  void configDocs_printsTheReference() {
    assertThat(run("config", "docs").out()).startsWith("# Job configuration reference");
  }

  @Test
  void importAiToolkit_writesAJobThatChecks() throws Exception {
    Path yaml = Path.of(getClass().getResource("/aitoolkit/zimage_turbo_adapter.yaml").toURI());
    Path out = dir.resolve("imported.toml");
    Result r = run("import", "ai-toolkit", yaml.toString(), "-o", out.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("wrote " + out + " (extends zimage_turbo)").contains("every key was imported");
    Result check = run("config", "check", "--no-gpu", out.toString());
    assertThat(check.out()).contains("datasets[0].folder: folder /workspace/datasets/redhead does not exist (error)")
        .contains("quantization.transformer: float8 quantization is not implemented");

    Result again = run("import", "ai-toolkit", yaml.toString(), "-o", out.toString());
    assertThat(again.code()).isEqualTo(ExitCode.USAGE);
    assertThat(again.err()).contains("exists; pass --force");
  }

  @Test
  void importAiToolkit_toStdout_listsUnmappedOnStderr() throws Exception {
    Path yaml = Path.of(getClass().getResource("/aitoolkit/unsupported.yaml").toURI());
    Result r = run("import", "ai-toolkit", yaml.toString());
    assertThat(r.code()).isZero();
    assertThat(r.out()).startsWith("# Imported from the ai-toolkit job unsupported.yaml");
    assertThat(r.err()).contains("13 key(s) not imported:").contains("unsupported.yaml:33: train.fancy_new_option: not an ai-toolkit key Lathe knows");
  }

  @Test
  void importAiToolkit_brokenYaml_oneLine() throws Exception {
    Path bad = dir.resolve("bad.yaml");
    Files.writeString(bad, "config:\n  name: [x\n");
    Result r = run("import", "ai-toolkit", bad.toString());
    assertThat(r.code()).isEqualTo(ExitCode.CONFIG);
    assertThat(r.err()).startsWith("lathe: " + bad + ":3:").contains("YAML syntax");
    assertThat(r.err().strip().lines().count()).isEqualTo(1);
  }

  @Test
  void importAiToolkit_brokenYaml_writesNothing() throws Exception {
    Path bad = dir.resolve("bad.yaml");
    Files.writeString(bad, "job: extension\nconfig:\n  name: demo\n  process:\n    - type: sd_trainer\n      train: {steps: 10\n");
    Path out = dir.resolve("out.toml");
    Result r = run("import", "ai-toolkit", bad.toString(), "-o", out.toString());
    assertThat(r.code()).isEqualTo(ExitCode.CONFIG);
    assertThat(r.err().strip()).matches("lathe: " + java.util.regex.Pattern.quote(bad.toString()) + ":\\d+:\\d+: .*YAML syntax.*")
        .doesNotContain("\n");
    assertThat(out).doesNotExist();
    try (var s = Files.list(dir)) {
      assertThat(s.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith(dev.lathe.io.AtomicFiles.TEMP_PREFIX));
    }

    // an existing output, even with --force, keeps its bytes
    Files.writeString(out, "# my job\n");
    Result forced = run("import", "ai-toolkit", bad.toString(), "-o", out.toString(), "--force");
    assertThat(forced.code()).isEqualTo(ExitCode.CONFIG);
    assertThat(Files.readString(out)).isEqualTo("# my job\n");
  }
}
