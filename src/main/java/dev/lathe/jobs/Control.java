package dev.lathe.jobs;

import java.util.Locale;

/**
 * Requests another process (the console, {@code lathe stop}) drops into a job's {@code control/} folder as
 * empty files. The runner checks them between steps; one-shot requests are removed once handled, {@code pause}
 * stays until removed (resume).
 */
public enum Control {
  STOP("stop"), SAVE_NOW("save-now"), SAMPLE_NOW("sample-now"), PAUSE("pause");

  private final String file;

  Control(String file) {
    this.file = file;
  }

  public String file() {
    return file;
  }

  public static Control parse(String s) {
    for (Control c : values()) if (c.file.equals(s.toLowerCase(Locale.ROOT))) return c;
    throw new IllegalArgumentException("unknown control '" + s + "' (stop, save-now, sample-now, pause)");
  }
}
