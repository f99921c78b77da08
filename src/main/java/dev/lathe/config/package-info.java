/**
 * Job configuration: one record per panel ({@link dev.lathe.config.Job}, {@link dev.lathe.config.Model},
 * {@link dev.lathe.config.Quantization}, {@link dev.lathe.config.Target}, {@link dev.lathe.config.Save},
 * {@link dev.lathe.config.Training}, {@link dev.lathe.config.Advanced}, {@link dev.lathe.config.Dataset},
 * {@link dev.lathe.config.Sample}) gathered in {@link dev.lathe.config.JobConfig}; each record's {@code DEFAULTS} is
 * the only place a default lives.
 *
 * <p>Doors: {@link dev.lathe.config.Configs} reads a job or preset file and its {@code extends} chain into a
 * {@link dev.lathe.config.ResolvedConfig}; {@link dev.lathe.config.Validation} checks it and returns every
 * {@link dev.lathe.config.Problem} at once; {@link dev.lathe.config.ConfigDocument} edits a file keeping comments and
 * untouched lines; {@link dev.lathe.config.PresetLibrary} lists the built-in and user presets;
 * {@link dev.lathe.config.AiToolkitImport} converts ai-toolkit YAML. {@link dev.lathe.config.Schema} describes every
 * field (key, type, range, label, help) for forms and docs; {@link dev.lathe.config.FamilyCatalog} lists the model
 * families. Nothing here touches tensors; reading a config never throws for a mistake in it.
 */
package dev.lathe.config;
