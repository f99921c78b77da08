package dev.lathe.torch;

import org.bytedeco.openblas.presets.openblas_nolapack;

/**
 * The thread count of the OpenBLAS that libtorch's fp32 matmuls run on (the copy the presets ship). Lathe sets it
 * itself instead of leaving it to OPENBLAS_NUM_THREADS: that build's threads spin while they wait for each other,
 * and on a machine whose cores are shared (a CI runner, a box with other jobs, Lathe's own console and JIT threads)
 * a multi-threaded matmul then runs many times slower than a single-threaded one. Measured on a 2-vCPU EPYC under
 * load: a Z-Image "small" training step took 5.6 s with 2 OpenBLAS threads and 0.26 s with 1; "medium" 37.6 s and
 * 9.1 s. Elementwise ops, reductions and attention still use libtorch's intra-op threads (OpenMP, passive waiting).
 */
public final class Blas {
  /** Environment variable that overrides the default of one OpenBLAS thread. */
  public static final String ENV = "LATHE_BLAS_THREADS";

  private Blas() {}

  /** LATHE_BLAS_THREADS when it is a positive number, else 1. */
  public static int defaultThreads() {
    String v = System.getenv(ENV);
    if (v != null) {
      try {
        int n = Integer.parseInt(v.trim());
        if (n > 0) return n;
      } catch (NumberFormatException ignored) {
        // fall through to the default
      }
    }
    return 1;
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
