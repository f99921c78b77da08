package dev.lathe.config;

import java.nio.file.Path;

/**
 * Where a resolved value came from.
 *
 * @param source "default", "preset NAME", or the job file's name
 * @param file the file that set it, or null for a default
 * @param line 1-based line in {@code file}, 0 when unknown
 */
public record Origin(String source, Path file, int line) {
  public static final Origin DEFAULT = new Origin("default", null, 0);

  public boolean isDefault() {
    return file == null;
  }

  /** "default", "preset zimage_turbo:14", "job.toml:5". */
  @Override
  public String toString() {
    if (isDefault()) return source;
    return line > 0 ? source + ":" + line : source;
  }
}
