package dev.lathe.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Checks a {@link ResolvedConfig} as a whole: the reading problems plus every rule of {@link #rules()} — missing
 * or unknown family, missing datasets, settings this build cannot honour, and settings that silently do nothing
 * or fight each other. Every problem is returned at once, errors and warnings, each located at the file and line
 * that set the value (the job file, line 0, for a value left at its default).
 *
 * <p>A preset is checked as a template: it needs no job name or datasets, and a family that is not implemented yet
 * is a warning rather than an error.
 */
public final class Validation {
  private Validation() {}

  /**
   * A cross-field check, as docs/CONFIG.md lists it.
   *
   * @param id short id carried by each {@link Problem#rule()} it raises
   * @param severity the severity it usually raises (some raise an error in a job and a warning in a preset)
   * @param summary what it catches, one line
   */
  public record Rule(String id, Problem.Severity severity, String summary) {}

  /** Every rule, in the order they run. */
  public static List<Rule> rules() {
    return Rules.ALL.stream().map(Rules.Check::rule).toList();
  }

  /** Reading problems plus every rule's findings, sorted by file and line. Never throws for a bad config. */
  public static List<Problem> check(ResolvedConfig r, Environment env) {
    List<Problem> out = new ArrayList<>(r.problems());
    if (r.parsed()) {
      Ctx ctx = new Ctx(r, env, out);
      for (Rules.Check c : Rules.ALL) c.apply(ctx);
    }
    out.sort(Comparator.comparing((Problem p) -> p.file() == null ? "" : p.file().toString())
        .thenComparingInt(Problem::line));
    return List.copyOf(out);
  }

  /** What a rule sees, and how it reports. */
  static final class Ctx {
    final ResolvedConfig r;
    final JobConfig c;
    final Environment env;
    final Optional<FamilyCatalog.Family> family;
    private final List<Problem> out;
    private final Map<Integer, DatasetProbe> probes = new HashMap<>();
    private String rule = "";

    Ctx(ResolvedConfig r, Environment env, List<Problem> out) {
      this.r = r;
      this.c = r.config();
      this.env = env;
      this.family = r.family();
      this.out = out;
    }

    void rule(String id) {
      rule = id;
    }

    boolean preset() {
      return r.isPreset();
    }

    void error(String path, String message) {
      add(path, message, Problem.Severity.ERROR);
    }

    void warn(String path, String message) {
      add(path, message, Problem.Severity.WARNING);
    }

    /** Blocks a job; in a preset (a template) it is only a warning. */
    void blocking(String path, String message) {
      add(path, message, preset() ? Problem.Severity.WARNING : Problem.Severity.ERROR);
    }

    private void add(String path, String message, Problem.Severity sev) {
      Origin o = r.origin(path);
      if (o.isDefault()) o = parentOrigin(path);
      Path file = o.isDefault() ? r.file() : o.file();
      out.add(new Problem(file, o.line(), 0, path, message, sev, rule));
    }

    /** A field left at its default inside a list entry is reported at the entry's line. */
    private Origin parentOrigin(String path) {
      int dot = path.lastIndexOf('.');
      while (dot > 0) {
        String parent = path.substring(0, dot);
        Origin o = r.origin(parent);
        if (!o.isDefault()) return o;
        int bracket = parent.lastIndexOf('[');
        if (bracket > 0) {
          Origin list = r.origin(parent.substring(0, bracket));
          if (!list.isDefault()) return list;
        }
        dot = parent.lastIndexOf('.');
      }
      return Origin.DEFAULT;
    }

    /** True when the user (a file in the chain) set this field. */
    boolean set(String path) {
      return !r.origin(path).isDefault();
    }

    DatasetProbe probe(int i) {
      return probes.computeIfAbsent(i, k -> DatasetProbe.of(r.datasetFolder(k), c.datasets().get(k)));
    }

    /** Items in the training (non-regularization) datasets, or -1 for a preset. */
    int trainingItems() {
      if (preset()) return -1;
      int n = 0;
      for (int i = 0; i < c.datasets().size(); i++) {
        Dataset d = c.datasets().get(i);
        if (d.isRegularization()) continue;
        int items = probe(i).items();
        n += items * (d.flipX() ? 2 : 1) * (d.flipY() ? 2 : 1);
      }
      return n;
    }

    /** A dataset setting as checked: each [[datasets]] entry, or dataset_defaults when there are none (presets). */
    record DatasetAt(String path, Dataset dataset) {}

    List<DatasetAt> datasetEntries() {
      List<DatasetAt> out = new ArrayList<>();
      for (int i = 0; i < c.datasets().size(); i++) out.add(new DatasetAt("datasets[" + i + "]", c.datasets().get(i)));
      if (out.isEmpty()) out.add(new DatasetAt(Schema.DATASET_DEFAULTS, c.datasetDefaults()));
      return out;
    }

    List<Integer> datasetIndices() {
      List<Integer> out = new ArrayList<>();
      for (int i = 0; i < c.datasets().size(); i++) out.add(i);
      return out;
    }
  }
}
