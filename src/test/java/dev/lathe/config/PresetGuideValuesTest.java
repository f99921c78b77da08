package dev.lathe.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The presets carry the user guides' recommendations (the two guides the product is built from; the ranges are
 * quoted in each assertion). A preset edited past what the guides recommend fails here, not in a user's run.
 */
class PresetGuideValuesTest {
  static final PresetLibrary LIB = PresetLibrary.builtInOnly();

  static Stream<String> presets() {
    return LIB.names().stream();
  }

  private static JobConfig resolved(String name) throws IOException {
    return Configs.preset(name, LIB).config();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("presets")
  void everyPreset_startsWhereTheGuidesSay(String name) throws IOException {
    JobConfig c = resolved(name);
    // "0.0001 is a gentle, safe default"
    assertThat(c.training().learningRate()).as(name + " learning rate").isEqualTo(1e-4);
    // "8-16 compact ... 16-32 enough for most characters and styles"; LTX-2: "rank 32 is a practical baseline"
    assertThat(c.target().linearRank()).as(name + " rank").isBetween(8, 32);
    // "2000-3000 steps is a common base" (20-50 images); Z-Image base/De-Turbo keep Turbo's training length
    assertThat(c.training().steps()).as(name + " steps").isBetween(2000, 3000);
    // Save Every should match Sample Every so that each checkpoint has previews
    assertThat(c.save().every()).as(name + " save every = sample every").isEqualTo(c.sample().every());
    // buckets from the guides' 512 / 768 / 1024 ladder
    assertThat(c.datasetDefaults().resolutions()).as(name + " buckets").isNotEmpty().isSubsetOf(512, 768, 1024);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("presets")
  void everyPresetFile_carriesVramGuidance(String name) throws IOException {
    try (var in = PresetGuideValuesTest.class.getResourceAsStream("/presets/" + name + ".toml")) {
      assertThat(in).as(name + " shipped on the class path").isNotNull();
      assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).as(name).containsIgnoringCase("VRAM");
    }
  }

  @Test
  void zimageTurbo_samplesLikeTurbo_andTrainsWithTheV2Adapter() throws IOException {
    JobConfig t = resolved("zimage_turbo");
    assertThat(t.sample().steps()).isEqualTo(8);                     // "8 steps (or 9 ...)"
    assertThat(t.sample().guidanceScale()).isZero();                  // "guidance scale = 0 (Turbo is guidance-distilled)"
    assertThat(t.target().linearRank()).isBetween(8, 16);             // "keep the rank reasonable (e.g. 8-16)"
    assertThat(t.model().trainingAdapter()).endsWith("zimage_turbo_training_adapter_v2.safetensors");
    assertThat(resolved("zimage_turbo_v1").model().trainingAdapter()).endsWith("zimage_turbo_training_adapter_v1.safetensors");
  }

  @Test
  void deTurboAndBase_useRealCfg_withoutTheAdapter() throws IOException {
    for (String name : List.of("zimage_deturbo", "zimage")) {
      JobConfig c = resolved(name);
      assertThat(c.model().trainingAdapter()).as(name).isEmpty();
      assertThat(c.sample().guidanceScale()).as(name + ": more steps and low (not zero) CFG").isBetween(2.0, 5.0);
      assertThat(c.sample().steps()).as(name).isBetween(20, 50);
    }
    assertThat(resolved("zimage_deturbo").sample().guidanceScale()).as("\"CFG about 2-3\"").isBetween(2.0, 3.0);
  }

  @Test
  void video_startsShortAndSmall() throws IOException {
    JobConfig ltx = resolved("ltx2");
    assertThat(ltx.target().linearRank()).isEqualTo(32);               // "rank 32 is a practical baseline"
    assertThat(ltx.datasetDefaults().numFrames()).isLessThanOrEqualTo(49);   // "cut frames first: 121 -> 81 -> 49"
    assertThat(ltx.datasetDefaults().resolutions()).isSubsetOf(512, 768);    // "start at 512-768"
    for (String wan : List.of("wan22_t2v_14b", "wan22_i2v_14b", "wan21_14b"))
      assertThat(resolved(wan).datasetDefaults().resolutions()).as(wan + ": 24 GB base with short clips").containsExactly(512);
  }
}
