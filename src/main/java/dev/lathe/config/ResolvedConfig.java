package dev.lathe.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A job or preset file with its {@code extends} chain applied: the {@link JobConfig}, where each value came from,
 * and the problems found while reading (syntax, types, ranges, unknown keys, broken chains). {@link Validation}
 * adds the cross-field checks. Immutable.
 */
public final class ResolvedConfig {
  private final Path file;
  private final Path baseDir;
  private final boolean preset;
  private final boolean parsed;
  private final JobConfig config;
  private final Map<String, Origin> origins;
  private final List<String> chain;
  private final List<Problem> problems;

  ResolvedConfig(Path file, Path baseDir, boolean preset, boolean parsed, JobConfig config, Map<String, Origin> origins,
      List<String> chain, List<Problem> problems) {
    this.file = file;
    this.baseDir = baseDir;
    this.preset = preset;
    this.parsed = parsed;
    this.config = config;
    this.origins = Map.copyOf(origins);
    this.chain = List.copyOf(chain);
    this.problems = List.copyOf(problems);
  }

  /** The file that was loaded (for a built-in preset: presets/NAME.toml). */
  public Path file() {
    return file;
  }

  /** Folder that relative paths in the file start from. */
  public Path baseDir() {
    return baseDir;
  }

  /** True when loaded as a preset (a template: no job name or datasets needed, unimplemented families only warn). */
  public boolean isPreset() {
    return preset;
  }

  /** False when the file's TOML syntax is broken; {@link #config()} is then {@link JobConfig#DEFAULTS}. */
  public boolean parsed() {
    return parsed;
  }

  /** The resolved config. When {@link #problems()} holds errors, the offending fields kept their inherited value. */
  public JobConfig config() {
    return config;
  }

  /** Problems found while reading, in file order per file. */
  public List<Problem> problems() {
    return problems;
  }

  /** The files read, nearest first: "job.toml", "preset zimage_turbo_v1", "preset zimage_turbo". */
  public List<String> chain() {
    return chain;
  }

  /**
   * Where the value at {@code path} came from: {@code training.learning_rate}, {@code datasets} (the whole list),
   * {@code datasets[0].folder}. {@link Origin#DEFAULT} when no file set it.
   */
  public Origin origin(String path) {
    return origins.getOrDefault(path, Origin.DEFAULT);
  }

  /** The catalog row of {@code model.architecture}, if it names one. */
  public Optional<FamilyCatalog.Family> family() {
    return FamilyCatalog.find(config.model().architecture());
  }

  /** The base weights to load: {@code model.name_or_path}, or the family's usual repo when that is empty. */
  public String nameOrPath() {
    String n = config.model().nameOrPath();
    if (!n.isBlank()) return n;
    return family().map(FamilyCatalog.Family::defaultRepo).orElse("");
  }

  /** A path from the config, resolved against {@link #baseDir()} when relative. */
  public Path resolvePath(String p) {
    return baseDir.resolve(p).normalize();
  }

  public Path datasetFolder(int index) {
    return resolvePath(config.datasets().get(index).folder());
  }

  public Path outputFolder() {
    return resolvePath(config.output());
  }

  /**
   * The complete config as TOML: every field written out, each followed by a comment naming where it came from.
   * Loading the text again gives the same {@link JobConfig}. This is what a job folder's job.toml holds.
   */
  public String toToml() {
    return ResolvedToml.render(this);
  }

  /**
   * The config as a job folder's job.toml: {@link #toToml()} with the job's name filled in and the output and
   * dataset folders made absolute (the file moves into the job folder, so relative paths would break).
   */
  public String standaloneToml(String jobName) {
    try {
      ConfigDocument doc = ConfigDocument.parse(toToml(), file == null ? Path.of("job.toml") : file);
      doc.set("job.name", jobName);
      doc.set("output", outputFolder().toString());
      for (int i = 0; i < config.datasets().size(); i++) doc.set("datasets[" + i + "].folder", datasetFolder(i).toString());
      return doc.text();
    } catch (ConfigException e) {
      throw new IllegalStateException("the resolved config does not parse again: " + e.getMessage(), e);
    }
  }
}
