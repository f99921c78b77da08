package dev.lathe.cli;

/** Process exit codes shared by every command, so scripts can tell failures apart. */
public final class ExitCode {
  public static final int OK = 0;
  /** A check found problems (doctor, config check with errors). */
  public static final int PROBLEMS = 1;
  /** Bad command line. */
  public static final int USAGE = 2;
  /**
   * The job config is invalid, found before anything starts: a syntax error, a bad value, or a path in it that does
   * not exist (a dataset folder, a model).
   */
  public static final int CONFIG = 3;
  /** A dataset or model file exists but is unusable: no decodable image, a broken safetensors file. */
  public static final int DATA = 4;
  /** Training or a tool failed while running (a loss that became NaN or infinite, out of memory). */
  public static final int RUNTIME = 5;
  /**
   * Interrupted by a signal (SIGINT, SIGTERM, SIGHUP); the job is marked interrupted and resumable. A stop request
   * ({@code lathe stop}, the console) is not an interruption: that run ends 0 with the job stopped.
   */
  public static final int INTERRUPTED = 6;

  private ExitCode() {}
}
