package dev.lathe.config;

import java.nio.file.Path;
import java.util.Collection;

/**
 * Something wrong or doubtful in a config, located as precisely as the source allows.
 *
 * @param file the file the offending value came from (the job file when the value is a default), or null
 * @param line 1-based line, 0 when unknown
 * @param column 1-based column, 0 when unknown
 * @param field dotted field path ({@code training.learning_rate}, {@code datasets[1].folder}); "" for syntax
 * @param message what is wrong and what to do, in one line
 * @param severity errors stop a run; warnings do not
 * @param rule id of the check that found it ({@code syntax}, {@code value}, {@code unknown-key}, {@code extends},
 *     or a {@link Validation#rules()} id); docs/CONFIG.md explains each
 */
public record Problem(Path file, int line, int column, String field, String message, Severity severity, String rule) {
  public enum Severity { ERROR, WARNING }

  public static Problem error(Path file, int line, String field, String message, String rule) {
    return new Problem(file, line, 0, field, message, Severity.ERROR, rule);
  }

  public static Problem warning(Path file, int line, String field, String message, String rule) {
    return new Problem(file, line, 0, field, message, Severity.WARNING, rule);
  }

  public boolean isWarning() {
    return severity == Severity.WARNING;
  }

  public boolean isError() {
    return severity == Severity.ERROR;
  }

  public static boolean anyErrors(Collection<Problem> problems) {
    return problems.stream().anyMatch(Problem::isError);
  }

  /** {@code job.toml:12: training.learning_rate: must be > 0, got -1 (error)}. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder();
    if (file != null) {
      sb.append(file);
      if (line > 0) sb.append(':').append(line);
      if (line > 0 && column > 0) sb.append(':').append(column);
      sb.append(": ");
    }
    if (!field.isEmpty()) sb.append(field).append(": ");
    sb.append(message).append(severity == Severity.ERROR ? " (error)" : " (warning)");
    return sb.toString();
  }
}
