package dev.lathe.config;

import java.util.List;

/**
 * Everything a user sets for one training run: one record per panel. The TUI forms, the headless CLI and the
 * trainer all read this value; {@link Schema} describes each field and {@link Configs} builds it from TOML.
 *
 * @param preset the preset the job file extends ("" = none); informational once resolved
 * @param output folder that job folders are created in
 * @param datasetDefaults what each {@code [[datasets]]} entry starts from before its own keys (a preset's
 *     recommended buckets, frames and caching); its folder is unused
 * @param datasets the datasets; each entry is complete (defaults already applied)
 */
public record JobConfig(String preset, String output, Job job, Model model, Quantization quantization,
    Target target, Save save, Training training, Advanced advanced, Dataset datasetDefaults, List<Dataset> datasets,
    Sample sample) {
  public static final JobConfig DEFAULTS = new JobConfig("", "output", Job.DEFAULTS, Model.DEFAULTS,
      Quantization.DEFAULTS, Target.DEFAULTS, Save.DEFAULTS, Training.DEFAULTS, Advanced.DEFAULTS, Dataset.DEFAULTS,
      List.of(), Sample.DEFAULTS);

  public JobConfig {
    datasets = List.copyOf(datasets);
  }
}
