package dev.lathe.tui;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lathe.config.Configs;
import dev.lathe.config.PresetLibrary;
import dev.lathe.config.ResolvedConfig;
import dev.lathe.config.Schema;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The New job panels cover the whole job config: every leaf field of the schema is on some tab, and nothing else. */
class PanelFormsTest {
  @TempDir Path dir;

  /**
   * Fields deliberately left off the panels, each with the reason. Empty today: every leaf path of the schema is
   * editable in the console. Add a path here only with a reason a reviewer can check.
   */
  static final Set<String> NOT_ON_PANELS = Set.of();

  /** A form key as a schema path: list indices dropped, a preset's dataset_defaults.x as the datasets.x it fills. */
  static String schemaPath(String key) {
    String p = key.replaceAll("\\[\\d+]", "");
    return p.startsWith(Schema.DATASET_DEFAULTS + ".") ? "datasets" + p.substring(Schema.DATASET_DEFAULTS.length()) : p;
  }

  @Test
  void unionOfPanelFields_isEverySchemaLeafPath() {
    ResolvedConfig rc = Configs.parse("""
        extends = "zimage_turbo"
        [job]
        name = "cover"
        [[datasets]]
        folder = "imgs"
        [sample]
        [[sample.prompts]]
        prompt = "a red cube"
        """, dir.resolve("job.toml"), PresetLibrary.builtInOnly());
    assertThat(rc.config().datasets()).hasSize(1);
    assertThat(rc.config().sample().prompts()).isNotEmpty();

    Set<String> onJobPanels = new TreeSet<>();
    for (int tab = 0; tab < PanelForms.LAUNCH_TAB; tab++) {
      for (Form.Field f : PanelForms.build(tab, rc, false).fields()) {
        onJobPanels.add(schemaPath(f.key()));
        // each field sits on the tab its problems are sent to, so a problem is shown beside its field
        assertThat(PanelForms.tabOf(f.key())).as("tab of %s", f.key()).isEqualTo(tab);
      }
    }
    Set<String> expected = new TreeSet<>(Schema.leafPaths());
    expected.removeAll(NOT_ON_PANELS);
    assertThat(onJobPanels).isEqualTo(expected);
    assertThat(onJobPanels).contains("output", "extends");

    // a preset's DATASETS tab edits the defaults every entry starts from: the same dataset fields, folder included
    Set<String> presetData = new TreeSet<>();
    for (Form.Field f : PanelForms.build(PanelForms.DATASETS_TAB, rc, true).fields()) {
      assertThat(f.key()).startsWith(Schema.DATASET_DEFAULTS + ".");
      presetData.add(schemaPath(f.key()));
    }
    Set<String> datasetPaths = new TreeSet<>();
    for (String p : Schema.leafPaths()) if (p.startsWith("datasets.")) datasetPaths.add(p);
    assertThat(presetData).isEqualTo(datasetPaths);
  }

  @Test
  void outputField_showsTheFilesValue_onTheJobTab() {
    ResolvedConfig rc = Configs.parse("output = \"runs\"\n[job]\nname = \"x\"\n", dir.resolve("job.toml"), PresetLibrary.builtInOnly());
    PanelForms.Built b = PanelForms.build(0, rc, false);
    assertThat(b.fields()).extracting(Form.Field::key).startsWith("extends", "output");
    assertThat(b.initial().get("output")).isEqualTo("runs");
    assertThat(b.fields().get(1).help()).startsWith(Schema.ROOT.field("output").orElseThrow().help());
  }
}
