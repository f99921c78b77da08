package dev.lathe.config;

import java.util.List;
import java.util.stream.Collectors;

/** Renders docs/CONFIG.md from the {@link Schema}, the rules and the {@link FamilyCatalog}, so the docs cannot drift. */
public final class ConfigDocs {
  private ConfigDocs() {}

  public static String markdown() {
    StringBuilder sb = new StringBuilder();
    sb.append("# Job configuration reference\n\n");
    sb.append("<!-- Generated from dev.lathe.config.Schema by `lathe config docs`; ConfigDocsTest fails when this file is stale. -->\n\n");
    sb.append("A job file is TOML. It usually starts with `extends = \"<preset>\"` (see `lathe presets list`) and then sets\n");
    sb.append("only what differs, one table per panel. Every field not set comes from the preset chain, else from the\n");
    sb.append("default below. Lists of tables (`[[datasets]]`, `[[sample.prompts]]`) are replaced as a whole, never merged;\n");
    sb.append("each `[[datasets]]` entry starts from `[dataset_defaults]`. Relative paths start at the job file's folder.\n\n");
    sb.append("```toml\nextends = \"zimage_turbo\"\n\n[job]\nname = \"my_character_v1\"\ntrigger_word = \"sks_char\"\n\n")
        .append("[training]\nlearning_rate = 1e-4\n\n[[datasets]]\nfolder = \"datasets/my_character\"\n```\n\n");
    sb.append("`lathe config check job.toml` reports every problem at once (exit 3 on errors);\n");
    sb.append("`lathe config show job.toml --resolved` prints every field with where its value came from.\n");

    for (Section<?> s : Schema.sections()) section(sb, s);

    sb.append("\n## Checks\n\n");
    sb.append("`lathe config check` runs these after reading the file. Reading itself reports `syntax` (broken TOML, with line\n");
    sb.append("and column), `value` (wrong type or out of range), `unknown-key` (with a suggestion) and `extends` (a missing\n");
    sb.append("preset or a cycle); all are errors. A preset is checked as a template: it needs no job name or datasets, and a\n");
    sb.append("family that is not implemented yet is only a warning there.\n\n");
    sb.append("| id | severity | catches |\n|---|---|---|\n");
    for (Validation.Rule r : Validation.rules())
      sb.append("| `").append(r.id()).append("` | ").append(r.severity().name().toLowerCase(java.util.Locale.ROOT))
          .append(" | ").append(cell(r.summary())).append(" |\n");

    sb.append("\n## Families\n\n");
    sb.append("`model.architecture` takes one of these ids; each has a preset of the same name. VRAM is the guides' minimum\n");
    sb.append("and comfortable size for LoRA training; the `vram` check compares it with the detected GPU.\n\n");
    sb.append("| id | family | trains in this build | objective | bucket | VRAM (GB) | ai-toolkit arch |\n|---|---|---|---|---|---|---|\n");
    for (FamilyCatalog.Family f : FamilyCatalog.ALL) {
      sb.append("| `").append(f.id()).append("` | ").append(f.displayName()).append(" | ").append(f.implemented() ? "yes" : "not yet")
          .append(" | ").append(f.objective() == FamilyCatalog.Objective.DDPM ? "DDPM" : "flow matching")
          .append(" | ").append(f.bucketDivisor())
          .append(" | ").append(f.vram().minGb()).append(f.vram().recommendedGb() > f.vram().minGb() ? "-" + f.vram().recommendedGb() : "+")
          .append(" | ").append(f.aitkArchs().stream().map(a -> "`" + a + "`").collect(Collectors.joining(", "))).append(" |\n");
    }
    return sb.toString();
  }

  private static void section(StringBuilder sb, Section<?> s) {
    List<? extends FieldSpec<?>> leaves = s.fields().stream()
        .filter(f -> f.type() != FieldSpec.Type.TABLE).toList();
    if (leaves.isEmpty()) return;
    String header = s == Schema.ROOT ? "top level" : s.repeated() ? "[[" + s.path() + "]]" : "[" + s.path() + "]";
    sb.append("\n## ").append(header);
    if (s != Schema.ROOT) sb.append(" — ").append(s.title());
    sb.append("\n\n");
    if (s == Schema.DATASET)
      sb.append("The same keys make the `[dataset_defaults]` table, which every entry starts from.\n\n");
    sb.append("| key | type | default | allowed | what it does |\n|---|---|---|---|---|\n");
    for (FieldSpec<?> f : leaves) {
      sb.append("| `").append(f.key()).append("` | ").append(type(f)).append(" | ").append(dflt(f))
          .append(" | ").append(cell(allowed(f))).append(" | ").append(cell(f.help())).append(" |\n");
    }
  }

  private static String type(FieldSpec<?> f) {
    return switch (f.type()) {
      case BOOL -> "bool";
      case INT -> "integer";
      case FLOAT -> "number";
      case STRING -> "string";
      case CHOICE -> "choice";
      case INT_LIST -> "integers";
      case STRING_LIST -> "strings";
      case TABLES -> "tables";
      case TABLE -> "table";
    };
  }

  private static String dflt(FieldSpec<?> f) {
    Object v = f.defaultValue();
    if (f.type() == FieldSpec.Type.TABLES) return ((List<?>) v).size() + " entries";
    if (v == null) return "(inherit)";
    return "`" + TomlText.literal(v).replace("|", "\\|") + "`";
  }

  private static String allowed(FieldSpec<?> f) {
    if (f.type() == FieldSpec.Type.CHOICE)
      return f.choices().stream().map(c -> "`" + c.key() + "`" + (c.implemented() ? "" : " (not yet)")).collect(Collectors.joining(", "));
    String r = f.range().describe();
    if (r.isEmpty()) return f.nullable() ? "empty = inherit" : "";
    return (f.type() == FieldSpec.Type.INT_LIST ? "each " : "") + r.replace("must be ", "");
  }

  private static String cell(String s) {
    return s.replace("|", "\\|").replace("\n", " ");
  }
}
