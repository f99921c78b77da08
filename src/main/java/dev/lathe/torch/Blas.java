package dev.lathe.torch;

import org.bytedeco.openblas.presets.openblas_nolapack;

/**
 * The thread count of the OpenBLAS that libtorch's fp32 matmuls run on (the copy the presets ship). Lathe sets it
 * itself instead of leaving it to OPENBLAS_NUM_THREADS: that build's worker threads spin while they wait, for the
 * next matmul as well as for each other. Measured on a 2-vCPU EPYC with 2 intra-op threads, Z-Image bench sizes:
 * <ul>
 *   <li>beside one other busy process, a "small" training step took 1.9 s with 2 OpenBLAS threads and 0.25 s with 1
 *       (5.6 s and 0.26 s at load 4 to 7; "medium" 37.6 s and 9.1 s);</li>
 *   <li>even on the idle machine the spinning worker takes a core from libtorch's own threads between matmuls:
 *       "medium", whose large products run on those threads through oneDNN (see {@code dev.lathe.nn.Linear}), took
 *       10.5 s with 2 OpenBLAS threads and 5.4 s with 1. "small" gains (about 0.20 s against 0.23 s), but erratically;</li>
 *   <li>letting the workers sleep sooner (OPENBLAS_THREAD_TIMEOUT) is worse still: waking them costs more than the
 *       matmul ("small" 1.6 s at 2^10 cycles, 0.41 s at 2^18).</li>
 * </ul>
 * So one OpenBLAS thread, always; LATHE_BLAS_THREADS=N overrides it for a machine where it measures faster.
 * Elementwise ops, reductions, attention and the oneDNN products use libtorch's intra-op threads (OpenMP, waiting
 * passively).
 */
public final class Blas {
  /** Environment variable that overrides the default of one OpenBLAS thread. */
  public static final String ENV = "LATHE_BLAS_THREADS";

  private Blas() {}

  /** The OpenBLAS threads for a run with {@code intraOp} libtorch threads: LATHE_BLAS_THREADS (at most intraOp), else 1. */
  public static int threadsFor(int intraOp) {
    int env = fromEnv();
    return Math.max(1, Math.min(intraOp, env > 0 ? env : 1));
  }

  /** LATHE_BLAS_THREADS when it is a positive number, else 0. */
  private static int fromEnv() {
    String v = System.getenv(ENV);
    if (v != null) {
      try {
        int n = Integer.parseInt(v.trim());
        if (n > 0) return n;
      } catch (NumberFormatException ignored) {
        // fall through to the default
      }
    }
    return 0;
  }

  /** Sets OpenBLAS's thread count now (it applies from the next matmul); false when the library could not be reached. */
  public static boolean setThreads(int n) {
    if (n < 1) throw new IllegalArgumentException("BLAS threads must be >= 1, was " + n);
    Runtime.load();
    openblas_nolapack.blas_set_num_threads(n);
    return openblas_nolapack.blas_get_vendor() != 0;
  }

  /** OpenBLAS's thread count, or -1 when it was never set through {@link #setThreads} and cannot be read. */
  public static int threads() {
    Runtime.load();
    return openblas_nolapack.blas_get_num_threads();
  }
}
