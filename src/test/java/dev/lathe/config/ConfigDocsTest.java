package dev.lathe.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ConfigDocsTest {
  static final Path DOC = Path.of("docs", "CONFIG.md");

  /** Regenerate with: scripts/lathe config docs > docs/CONFIG.md (or LATHE_WRITE_DOCS=1 on this test). */
  @Test
  void configMd_matchesTheSchema() throws Exception {
    String generated = ConfigDocs.markdown();
    if ("1".equals(System.getenv("LATHE_WRITE_DOCS"))) Files.writeString(DOC, generated, StandardCharsets.UTF_8);
    assertThat(Files.readString(DOC, StandardCharsets.UTF_8))
        .as("docs/CONFIG.md is stale: run `scripts/lathe config docs > docs/CONFIG.md`")
        .isEqualTo(generated);
  }

  @Test
  void everyFieldHasALabelAndHelp() {
    for (Section<?> s : Schema.sections())
      for (FieldSpec<?> f : s.fields()) {
        assertThat(f.label()).as(f.path()).isNotBlank();
        assertThat(f.help()).as(f.path()).isNotBlank().doesNotContain("  ");
      }
    assertThat(ConfigDocs.markdown()).contains("| `learning_rate` | number | `1e-4` | > 0 and <= 10 |")
        .contains("| `optimizer` | choice | `\"adamw8bit\"` | `adamw`, `adamw8bit`, `adafactor`, `adam` (not yet)");
  }
}
