package dev.lathe.data;

import java.io.IOException;
import java.nio.file.Path;

/** A dataset file or folder Lathe cannot use; the message is one line, "file: problem". */
public final class DataException extends IOException {
  private final transient Path file;
  private final String problem;

  public DataException(Path file, String problem) {
    super(file + ": " + problem);
    this.file = file;
    this.problem = problem;
  }

  public DataException(Path file, String problem, Throwable cause) {
    super(file + ": " + problem, cause);
    this.file = file;
    this.problem = problem;
  }

  /** The file or folder at fault. */
  public Path file() {
    return file;
  }

  /** The problem without the file name. */
  public String problem() {
    return problem;
  }
}
