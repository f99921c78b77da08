package dev.lathe.config;

/**
 * JOB panel: what the run is called, where it runs, and the word that switches the LoRA on.
 *
 * @param name the job folder and the LoRA file are named after it; required for a job, never set by presets
 * @param gpuId CUDA index of the GPU to train on
 * @param triggerWord replaces {@code [trigger]} in captions and is put in front of captions that lack it; "" = none
 */
public record Job(String name, int gpuId, String triggerWord) {
  public static final Job DEFAULTS = new Job("", 0, "");
}
