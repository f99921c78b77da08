package dev.lathe.torch;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** How many OpenBLAS threads a run gets (why: see {@link Blas}). */
class BlasTest {
  @Test
  void oneWhateverTheIntraOpThreads() {
    Assumptions.assumeTrue(System.getenv(Blas.ENV) == null, "LATHE_BLAS_THREADS is set in this environment");
    assertThat(Blas.threadsFor(1)).isEqualTo(1);
    assertThat(Blas.threadsFor(2)).isEqualTo(1);
    assertThat(Blas.threadsFor(15)).isEqualTo(1);
  }

  @Test
  void setThreads_reachesTheLibrary() {
    int before = Blas.threads();
    try {
      Blas.setThreads(2);
      assertThat(Blas.threads()).isEqualTo(2);
      Blas.setThreads(1);
      assertThat(Blas.threads()).isEqualTo(1);
    } finally {
      if (before > 0) Blas.setThreads(before);
    }
  }
}
