package dev.lathe.torch;

import java.io.IOException;
import java.nio.file.Path;

/** A checkpoint file that cannot be read; the message is one line naming the file and the problem. */
public final class SafeTensorsException extends IOException {
  public SafeTensorsException(Path file, String problem) {
    super(file + ": " + problem);
  }

  public SafeTensorsException(Path file, String problem, Throwable cause) {
    super(file + ": " + problem, cause);
  }
}
