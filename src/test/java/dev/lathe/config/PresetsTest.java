package dev.lathe.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class PresetsTest {
  static final PresetLibrary LIB = PresetLibrary.builtInOnly();
  /** What a preset of a family this build cannot train yet may warn about: nothing else. */
  static final Set<String> DELIBERATE = Set.of("family-not-implemented", "quantization-not-implemented",
      "offload-not-implemented");

  static Stream<String> presets() {
    return LIB.names().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("presets")
  void builtInPreset_loadsAndValidates_withoutErrors(String name) throws IOException {
    ResolvedConfig r = Configs.preset(name, LIB);
    assertThat(r.problems()).as("reading " + name).isEmpty();
    List<Problem> all = Validation.check(r, Environment.none());
    assertThat(all).as(name).noneMatch(Problem::isError);
    FamilyCatalog.Family f = r.family().orElseThrow();
    if (f.implemented()) assertThat(all).as(name).isEmpty();
    else assertThat(all).as(name).allMatch(p -> DELIBERATE.contains(p.rule()))
        .anyMatch(p -> p.rule().equals("family-not-implemented"));
  }

  @Test
  void everyCatalogFamily_hasAPresetOfItsId() {
    for (FamilyCatalog.Family f : FamilyCatalog.ALL) assertThat(LIB.names()).as(f.id()).contains(f.id());
  }

  @Test
  void list_isInCatalogOrder() {
    assertThat(LIB.names()).startsWith("zimage_turbo", "zimage_turbo_v1", "zimage_deturbo", "zimage", "flux1_dev");
  }
}
