package dev.lathe.tui;

import dev.lathe.config.Choice;
import dev.lathe.config.ConfigDocument;
import dev.lathe.config.Dataset;
import dev.lathe.config.FieldSpec;
import dev.lathe.config.JobConfig;
import dev.lathe.config.ResolvedConfig;
import dev.lathe.config.SamplePrompt;
import dev.lathe.config.Schema;
import dev.lathe.config.Section;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The New job panels as data: the ten tabs, and for each the form fields generated from the {@link Schema} (label,
 * kind, choices, help with the allowed range) with the values a resolved config gives them. Keys are the schema's
 * paths ({@code save.every}, {@code datasets[1].folder}), the same the validator's problems name.
 */
final class PanelForms {
  private PanelForms() {}

  /** One tab: its title, a short title for narrow terminals, and the path prefix of its fields (null: LAUNCH). */
  record Tab(String title, String shortTitle, String prefix) {}

  static final List<Tab> TABS = List.of(
      new Tab("JOB", "JOB", "job"), new Tab("MODEL", "MODEL", "model"), new Tab("QUANTIZATION", "QUANT", "quantization"),
      new Tab("TARGET", "TARGET", "target"), new Tab("SAVE", "SAVE", "save"), new Tab("TRAINING", "TRAIN", "training"),
      new Tab("ADVANCED", "ADV", "advanced"), new Tab("DATASETS", "DATA", "datasets"), new Tab("SAMPLE", "SAMPLE", "sample"),
      new Tab("LAUNCH", "LAUNCH", null));
  static final int DATASETS_TAB = 7;
  static final int SAMPLE_TAB = 8;
  static final int LAUNCH_TAB = 9;

  /** A field inside a list entry: group 1 the list, group 2 the index. */
  static final Pattern ENTRY = Pattern.compile("^(datasets|sample\\.prompts)\\[(\\d+)]\\.");

  /** What a choice shows for a value Lathe knows but cannot run yet. */
  static final String NOT_YET = " (not yet)";

  /** A tab's form: its title, fields and their values as text. */
  record Built(String title, List<Form.Field> fields, Map<String, String> initial) {}

  /** The tab a problem's field belongs to; whole-config problems go to LAUNCH. */
  static int tabOf(String field) {
    if (field.equals("extends") || field.equals("output")) return 0;
    if (field.startsWith(Schema.DATASET_DEFAULTS)) return DATASETS_TAB;
    for (int i = 0; i < LAUNCH_TAB; i++) {
      String pre = TABS.get(i).prefix();
      if (field.equals(pre) || field.startsWith(pre + ".") || field.startsWith(pre + "[")) return i;
    }
    return LAUNCH_TAB;
  }

  /** The form of tab {@code tab} for {@code rc}; a preset's DATASETS tab edits dataset_defaults instead of entries. */
  static Built build(int tab, ResolvedConfig rc, boolean preset) {
    Map<String, Object> values = Schema.flatten(rc.config());
    List<Form.Field> fields = new ArrayList<>();
    Map<String, String> initial = new HashMap<>();
    String title = TABS.get(tab).title();
    switch (tab) {
      case 0 -> {
        add(fields, initial, values, "extends", Schema.ROOT.field("extends").orElseThrow(), "");
        add(fields, initial, values, "output", Schema.ROOT.field("output").orElseThrow(), "");
        addSection(fields, initial, values, Schema.JOB, "job.", "");
      }
      case 1 -> addSection(fields, initial, values, Schema.MODEL, "model.", "");
      case 2 -> addSection(fields, initial, values, Schema.QUANTIZATION, "quantization.", "");
      case 3 -> addSection(fields, initial, values, Schema.TARGET, "target.", "");
      case 4 -> addSection(fields, initial, values, Schema.SAVE, "save.", "");
      case 5 -> addSection(fields, initial, values, Schema.TRAINING, "training.", "");
      case 6 -> addSection(fields, initial, values, Schema.ADVANCED, "advanced.", "");
      case DATASETS_TAB -> {
        if (preset) {
          title = "DATASETS · defaults every [[datasets]] entry starts from";
          addSection(fields, initial, values, Schema.DATASET, Schema.DATASET_DEFAULTS + ".", "");
        } else {
          int n = rc.config().datasets().size();
          title = "DATASETS · " + n + " folder" + (n == 1 ? "" : "s") + " · Ctrl-n adds one, Ctrl-d removes the one under the cursor";
          for (int i = 0; i < n; i++) addSection(fields, initial, values, Schema.DATASET, "datasets[" + i + "].", (i + 1) + " · ");
        }
      }
      case SAMPLE_TAB -> {
        int n = rc.config().sample().prompts().size();
        title = "SAMPLE · " + n + " prompt" + (n == 1 ? "" : "s") + " · Ctrl-n adds one, Ctrl-d removes the one under the cursor";
        addSection(fields, initial, values, Schema.SAMPLE, "sample.", "");
        for (int i = 0; i < n; i++) addSection(fields, initial, values, Schema.PROMPT, "sample.prompts[" + i + "].", "Prompt " + (i + 1) + " · ");
      }
      default -> { }
    }
    return new Built(title, fields, initial);
  }

  @SuppressWarnings({"rawtypes", "unchecked"})
  private static void addSection(List<Form.Field> fields, Map<String, String> initial, Map<String, Object> values,
      Section<?> s, String prefix, String labelPrefix) {
    for (FieldSpec f : s.fields()) {
      if (f.type() == FieldSpec.Type.TABLE || f.type() == FieldSpec.Type.TABLES) continue;
      add(fields, initial, values, prefix + f.key(), f, labelPrefix);
    }
  }

  @SuppressWarnings({"rawtypes", "unchecked"})
  private static void add(List<Form.Field> fields, Map<String, String> initial, Map<String, Object> values, String key,
      FieldSpec f, String labelPrefix) {
    String label = labelPrefix + f.label();
    String help = f.help() + (f.range().describe().isEmpty() ? "" : " (" + f.range().describe() + ")");
    fields.add(switch (f.type()) {
      case BOOL -> Form.Field.toggle(key, label, help);
      case CHOICE -> {
        List<String> keys = new ArrayList<>();
        for (Object c : f.choices()) keys.add(choiceText((Choice) c));
        yield Form.Field.choice(key, label, keys, help);
      }
      default -> Form.Field.text(key, label, help);
    });
    Object v = values.get(key);
    String shown;
    if (v == null) shown = "";                                   // an optional field left to inherit
    else if (f.type() == FieldSpec.Type.CHOICE) shown = choiceText((Choice) v);
    else if (f.type() == FieldSpec.Type.BOOL) shown = String.valueOf(v);
    else shown = f.display(v);
    initial.put(key, shown);
  }

  private static String choiceText(Choice c) {
    return c.key() + (c.implemented() ? "" : NOT_YET);
  }

  /** What a form value means to the document: a choice's key without the "(not yet)" mark. */
  static String documentText(String formValue) {
    return formValue.endsWith(NOT_YET) ? formValue.substring(0, formValue.length() - NOT_YET.length()) : formValue;
  }

  /** Whether a problem's message names {@code path} (as a whole path, not inside a longer one). */
  static boolean mentions(String message, String path) {
    return Pattern.compile("(?<![\\w.\\[])" + Pattern.quote(path) + "(?![\\w\\[])").matcher(message).find();
  }

  /**
   * Writes the inherited entries of {@code list} ("datasets" or "sample.prompts") into the document: each entry with
   * the values that differ from what a new entry would inherit. Needed before editing one of them, since a list in
   * a file replaces the inherited list as a whole.
   */
  @SuppressWarnings({"rawtypes", "unchecked"})
  static void copyList(ConfigDocument doc, JobConfig c, String list) {
    boolean datasets = list.equals("datasets");
    List<? extends Record> entries = datasets ? c.datasets() : c.sample().prompts();
    Section section = datasets ? Schema.DATASET : Schema.PROMPT;
    Record base = datasets ? c.datasetDefaults() : Schema.PROMPT.defaults();
    for (Record e : entries) {
      int i = datasets ? doc.addDataset(((Dataset) e).folder()) : doc.addPrompt(((SamplePrompt) e).prompt());
      for (Object o : section.fields()) {
        FieldSpec f = (FieldSpec) o;
        if (f.key().equals("folder") || f.key().equals("prompt")) continue;
        Object v = f.get(e);
        if (v != null && !Objects.equals(v, f.get(base))) doc.set(list + "[" + i + "]." + f.key(), v);
      }
    }
  }
}
