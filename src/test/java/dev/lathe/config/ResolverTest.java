package dev.lathe.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResolverTest {
  @TempDir Path dir;
  final PresetLibrary builtIn = PresetLibrary.builtInOnly();

  ResolvedConfig parse(String toml) {
    return Configs.parse(toml, dir.resolve("job.toml"), builtIn);
  }

  ResolvedConfig parse(String toml, PresetLibrary lib) {
    return Configs.parse(toml, dir.resolve("job.toml"), lib);
  }

  @Test
  void emptyFile_isAllDefaults() {
    ResolvedConfig r = parse("");
    assertThat(r.problems()).isEmpty();
    assertThat(r.config()).isEqualTo(JobConfig.DEFAULTS);
    assertThat(r.origin("training.learning_rate")).isEqualTo(Origin.DEFAULT);
  }

  @Test
  void extends_takesEachFieldFromTheNearestFile() {
    ResolvedConfig r = parse("""
        extends = "zimage_turbo_v1"

        [training]
        learning_rate = 5e-5
        """);
    assertThat(r.problems()).isEmpty();
    assertThat(r.chain()).containsExactly("job.toml", "preset zimage_turbo_v1", "preset zimage_turbo");
    JobConfig c = r.config();
    assertThat(c.preset()).isEqualTo("zimage_turbo_v1");
    assertThat(c.training().learningRate()).isEqualTo(5e-5);                       // job
    assertThat(c.model().trainingAdapter()).endsWith("_v1.safetensors");            // v1 preset
    assertThat(c.model().nameOrPath()).isEqualTo("Tongyi-MAI/Z-Image-Turbo");      // zimage_turbo preset
    assertThat(c.training().gradientAccumulation()).isEqualTo(1);                   // default
    assertThat(r.origin("training.learning_rate")).isEqualTo(new Origin("job.toml", dir.resolve("job.toml"), 4));
    assertThat(r.origin("model.training_adapter").source()).isEqualTo("preset zimage_turbo_v1");
    assertThat(r.origin("model.name_or_path").toString()).startsWith("preset zimage_turbo:");
    assertThat(r.origin("training.gradient_accumulation").isDefault()).isTrue();
  }

  @Test
  void datasetEntries_startFromDatasetDefaults_andListsReplaceWholesale() {
    ResolvedConfig r = parse("""
        extends = "zimage_turbo"

        [[datasets]]
        folder = "faces"

        [[datasets]]
        folder = "bodies"
        resolutions = [768]

        [[sample.prompts]]
        prompt = "only this one"
        """);
    assertThat(r.problems()).isEmpty();
    List<Dataset> ds = r.config().datasets();
    assertThat(ds).hasSize(2);
    assertThat(ds.get(0).resolutions()).containsExactly(512, 768, 1024);   // from the preset's dataset_defaults
    assertThat(ds.get(0).cacheLatents()).isTrue();
    assertThat(ds.get(1).resolutions()).containsExactly(768);               // the entry's own value wins
    assertThat(r.origin("datasets[0].resolutions").source()).isEqualTo("preset zimage_turbo");
    assertThat(r.origin("datasets[1].resolutions").line()).isEqualTo(8);
    assertThat(r.origin("datasets[1]").line()).isEqualTo(6);
    assertThat(r.config().sample().prompts()).extracting(SamplePrompt::prompt).containsExactly("only this one");
    assertThat(r.config().sample().steps()).isEqualTo(8);   // the rest of [sample] still inherits
  }

  @Test
  void promptShorthand_listOfStrings() {
    ResolvedConfig r = parse("""
        [sample]
        prompts = ["a cat", { prompt = "a dog", seed = 3 }]
        """);
    assertThat(r.problems()).isEmpty();
    assertThat(r.config().sample().prompts()).containsExactly(SamplePrompt.of("a cat"),
        new SamplePrompt("a dog", 3L, null, null, 1.0, "", null));
  }

  @Test
  void unknownKeys_areErrorsWithSuggestions() {
    ResolvedConfig r = parse("""
        [training]
        learnig_rate = 1e-4
        lr = 1e-4

        [model]
        learning_rate = 2e-4

        [trainer]
        steps = 10
        """);
    assertThat(r.problems()).extracting(Problem::toString).containsExactly(
        dir.resolve("job.toml") + ":2: training.learnig_rate: unknown key \"learnig_rate\" in [training] (did you mean learning_rate?) (error)",
        dir.resolve("job.toml") + ":3: training.lr: unknown key \"lr\" in [training] (error)",
        dir.resolve("job.toml") + ":6: model.learning_rate: unknown key \"learning_rate\" in [model]; it belongs in [training] (error)",
        dir.resolve("job.toml") + ":8: trainer: unknown table [trainer] (did you mean training?) (error)");
    assertThat(r.problems()).allMatch(p -> p.rule().equals("unknown-key"));
  }

  @Test
  void extendsAfterATable_isExplained() {
    ResolvedConfig r = parse("[job]\nname = \"x\"\nextends = \"zimage_turbo\"\n\n[dataset_defaults]\nresolution = [512]\n");
    assertThat(r.problems()).extracting(Problem::message).containsExactly(
        "\"extends\" in [job] is read as part of that table; move it to the top of the file, before the first [table]",
        "unknown key \"resolution\" in [dataset_defaults] (did you mean resolutions?)");
  }

  @Test
  void emptyNameOrPath_meansTheFamilysRepo() {
    assertThat(parse("[model]\narchitecture = \"sdxl\"\n").nameOrPath()).isEqualTo("stabilityai/stable-diffusion-xl-base-1.0");
    assertThat(parse("extends = \"zimage_deturbo\"\n").nameOrPath()).isEqualTo("ostris/Z-Image-De-Turbo");
  }

  @Test
  void wrongTypesAndRanges_areErrors_andTheValueFallsBack() {
    ResolvedConfig r = parse("""
        extends = "zimage_turbo"
        [training]
        learning_rate = -1
        steps = "many"
        optimizer = "adamw9bit"
        batch_size = 2.5
        [[datasets]]
        folder = 3
        resolutions = [512, 99999]
        """);
    assertThat(r.problems()).extracting(p -> p.line() + " " + p.field() + ": " + p.message()).containsExactly(
        "3 training.learning_rate: must be > 0 and <= 10, got -1.0",
        "4 training.steps: expected an integer, got the string \"many\"",
        "5 training.optimizer: unknown value \"adamw9bit\" (did you mean adamw8bit?); choose one of adamw, adamw8bit, "
            + "adafactor, adam, adam8bit, prodigy, prodigy8bit, lion, automagic",
        "6 training.batch_size: expected an integer, got the float 2.5",
        "8 datasets[0].folder: expected a string in quotes, got the integer 3",
        "9 datasets[0].resolutions: each value must be between 64 and 4096, got 99999");
    assertThat(r.problems()).allMatch(p -> p.rule().equals("value") && p.isError());
    assertThat(r.config().training().learningRate()).isEqualTo(1e-4);   // the preset's value stands
    assertThat(r.config().training().steps()).isEqualTo(3000);
  }

  @Test
  void choices_acceptLabelsAndAliases() {
    ResolvedConfig r = parse("""
        [training]
        optimizer = "AdamW8Bit"
        timestep_bias = "content"
        [quantization]
        transformer = "6-bit"
        text_encoder = "qfloat8"
        """);
    assertThat(r.problems()).isEmpty();
    assertThat(r.config().training().optimizer()).isEqualTo(Training.Optimizer.ADAMW8BIT);
    assertThat(r.config().training().timestepBias()).isEqualTo(Training.TimestepBias.HIGH_NOISE);
    assertThat(r.config().quantization().transformer()).isEqualTo(Quantization.QType.UINT6);
    assertThat(r.config().quantization().textEncoder()).isEqualTo(Quantization.QType.FLOAT8);
  }

  @Test
  void malformedToml_reportsLineAndColumn() {
    ResolvedConfig r = parse("[training]\nsteps = 3000\nlearning_rate = [1e-4\n");
    assertThat(r.parsed()).isFalse();
    assertThat(r.problems()).hasSize(1);
    Problem p = r.problems().get(0);
    assertThat(p.rule()).isEqualTo("syntax");
    assertThat(p.line()).isEqualTo(4);
    assertThat(p.column()).isPositive();
    assertThat(p.toString()).startsWith(dir.resolve("job.toml") + ":4:" + p.column() + ": TOML syntax: ");
    assertThat(Validation.check(r, Environment.none())).containsExactly(p);   // no rule runs on a broken file
  }

  @Test
  void missingParent_namesTheLineAndSuggests() {
    ResolvedConfig r = parse("# a job\nextends = \"zimage_trubo\"\n");
    assertThat(r.problems()).extracting(Problem::toString).containsExactly(dir.resolve("job.toml")
        + ":2: extends: no preset named \"zimage_trubo\" (did you mean zimage_turbo?); `lathe presets list` shows them (error)");
  }

  @Test
  void cycles_areDetected() throws Exception {
    Files.writeString(dir.resolve("a.toml"), "extends = \"b.toml\"\n");
    Files.writeString(dir.resolve("b.toml"), "[job]\nname = \"x\"\nextends = \"oops\"\n");   // a key in the wrong place is not an extends
    Files.writeString(dir.resolve("b.toml"), "extends = \"a.toml\"\n");
    ResolvedConfig r = parse("extends = \"a.toml\"\n");
    assertThat(r.problems()).hasSize(1);
    assertThat(r.problems().get(0).message())
        .isEqualTo("presets extend each other in a cycle: job.toml -> a.toml -> b.toml -> a.toml; break it by removing one extends");
    assertThat(r.problems().get(0).file()).isEqualTo(dir.resolve("b.toml"));
  }

  @Test
  void userPresets_overrideBuiltIns_andBuiltinPrefixReachesTheOriginal() throws Exception {
    Path user = Files.createDirectories(dir.resolve("user"));
    Files.writeString(user.resolve("zimage_turbo.toml"), "extends = \"builtin:zimage_turbo\"\n[target]\nlinear_rank = 8\n");
    Files.writeString(user.resolve("mine.toml"), "extends = \"zimage_turbo\"\n[training]\nsteps = 1200\n");
    PresetLibrary lib = PresetLibrary.of(user);
    assertThat(lib.find("zimage_turbo").orElseThrow().kind()).isEqualTo(PresetLibrary.Kind.USER);
    assertThat(lib.list()).filteredOn(e -> e.name().equals("zimage_turbo")).singleElement()
        .matches(PresetLibrary.Entry::overridesBuiltIn);
    ResolvedConfig r = parse("extends = \"mine\"\n", lib);
    assertThat(r.problems()).isEmpty();
    assertThat(r.chain()).containsExactly("job.toml", "preset mine", "preset zimage_turbo", "preset zimage_turbo");
    assertThat(r.config().target().linearRank()).isEqualTo(8);
    assertThat(r.config().training().steps()).isEqualTo(1200);
    assertThat(r.config().model().trainingAdapter()).endsWith("_v2.safetensors");

    Files.writeString(user.resolve("zimage_turbo.toml"), "extends = \"zimage_turbo\"\n");
    ResolvedConfig loop = parse("extends = \"zimage_turbo\"\n", lib);
    assertThat(loop.problems()).singleElement().extracting(Problem::message).asString()
        .contains("cycle").contains("extends = \"builtin:zimage_turbo\"");
  }

  @Test
  void resolvedToml_reloadsToTheSameConfig_andNamesSources() throws Exception {
    ResolvedConfig r = parse("""
        extends = "zimage_deturbo"
        [job]
        name = "x"
        [[datasets]]
        folder = "imgs"
        flip_x = true
        [[sample.prompts]]
        prompt = "p"
        width = 768
        """);
    String text = r.toToml();
    assertThat(text).contains("learning_rate          = 1e-4").contains("# preset zimage_turbo:")
        .contains("name         = \"x\"").contains("# job.toml:3")
        .contains("# seed            =  (not set: the [sample] value applies)");
    Path out = dir.resolve("resolved.toml");
    Files.writeString(out, text);
    ResolvedConfig again = Configs.load(out, builtIn);
    assertThat(again.problems()).isEmpty();
    JobConfig a = again.config();
    JobConfig b = r.config();
    assertThat(new JobConfig("", a.output(), a.job(), a.model(), a.quantization(), a.target(), a.save(), a.training(),
        a.advanced(), a.datasetDefaults(), a.datasets(), a.sample()))
        .isEqualTo(new JobConfig("", b.output(), b.job(), b.model(), b.quantization(), b.target(), b.save(), b.training(),
            b.advanced(), b.datasetDefaults(), b.datasets(), b.sample()));
  }

  @Test
  void relativePaths_startAtTheJobFile() {
    ResolvedConfig r = parse("output = \"runs\"\n[[datasets]]\nfolder = \"data/a\"\n");
    assertThat(r.datasetFolder(0)).isEqualTo(dir.resolve("data/a"));
    assertThat(r.outputFolder()).isEqualTo(dir.resolve("runs"));
  }
}
