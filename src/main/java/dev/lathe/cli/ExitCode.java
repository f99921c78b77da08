package dev.lathe.cli;

/** Process exit codes shared by every command, so scripts can tell failures apart. */
public final class ExitCode {
  public static final int OK = 0;
  /** A check found problems (doctor, config check with errors). */
  public static final int PROBLEMS = 1;
  /** Bad command line. */
  public static final int USAGE = 2;
  /** The job config is invalid. */
  public static final int CONFIG = 3;
  /** The dataset or a model file is unusable. */
  public static final int DATA = 4;
  /** Training or a tool failed while running. */
  public static final int RUNTIME = 5;
  /** Stopped by a signal or a stop request; resumable. */
  public static final int INTERRUPTED = 6;

  private ExitCode() {}
}
