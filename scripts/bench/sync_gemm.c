/*
 * sync_gemm: how fast two threads run one-thread OpenBLAS products side by side, free and meeting after each one.
 * A diagnostic for `lathe bench` (see scripts/bench/README.md, "Why two threads gain little on small"); not part
 * of Lathe.
 *
 * Each thread multiplies its own [rows, k] activations by one shared [n, k] weight (y = x·Wᵀ, as a Linear does)
 * on one-thread OpenBLAS, `reps` times after 50 untimed products. The two-thread modes differ only in how the
 * threads meet:
 *   free   never: each thread runs at its own pace (the machine's two-core GEMM throughput);
 *   futex  at a pthread barrier after every product: a thread that arrives first sleeps and is woken, as a parked
 *          worker is between the stages of Lathe's token split;
 *   spin   at a barrier that busy-waits: no sleeping, so what is left is waiting for the slower thread.
 * The default shape is small's feed-forward input product split in two (176 rows, 256 -> 1364). A last line
 * times one thread again with cold caches: before each product it walks a 64 MiB buffer, so the weight, input and
 * output come from memory, as a weight not read since the previous training step does (only the product is timed).
 *
 * Build:  OB=$(dirname $(find ~/.javacpp/cache -name libopenblas_nolapack.so.0 | head -1))
 *         gcc -O2 -o /tmp/sync_gemm scripts/bench/sync_gemm.c -L$OB -l:libopenblas_nolapack.so.0 -lpthread -Wl,-rpath,$OB
 * Use:    /tmp/sync_gemm [rows k n reps]      (GFLOP/s per thread: one thread alone, each mode on two, one cold)
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

void sgemm_(const char *ta, const char *tb, const int *m, const int *n, const int *k, const float *alpha, const float *a,
            const int *lda, const float *b, const int *ldb, const float *beta, float *c, const int *ldc);
void openblas_set_num_threads(int n);

enum mode { FREE, FUTEX, SPIN };
static const char *mode_names[] = {"free", "futex", "spin"};

static int rows = 176, k = 256, n = 1364, reps = 2000;
static float *weight;
static enum mode mode;
static int threads;
static pthread_barrier_t barrier;
static volatile int arrived, generation;
static int cold;
static char *flush;
enum { FLUSH_BYTES = 64 << 20 };

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

static void spin_barrier(void) {
  int g = generation;
  if (__sync_add_and_fetch(&arrived, 1) == threads) {
    arrived = 0;
    __sync_synchronize();
    generation = g + 1;
  } else {
    while (generation == g) __builtin_ia32_pause();
  }
}

static void meet(void) {
  if (threads < 2 || mode == FREE) return;
  if (mode == FUTEX) pthread_barrier_wait(&barrier);
  else spin_barrier();
}

static void *worker(void *arg) {
  double *gflops = arg;
  float *x = malloc(sizeof(float) * rows * k), *y = malloc(sizeof(float) * rows * n);
  for (int i = 0; i < rows * k; i++) x[i] = 1e-3f * (i % 97);
  const float one = 1, zero = 0;
  double t0 = 0, in_products = 0;
  for (int r = -50; r < reps; r++) {
    if (r == 0) {
      meet();
      t0 = now();
    }
    if (cold)
      for (long i = 0; i < FLUSH_BYTES; i += 64) flush[i]++;
    double t = now();
    /* column-major: y[n, rows] = W[k, n]ᵀ · x[k, rows], which is row-major y = x·Wᵀ */
    sgemm_("T", "N", &n, &rows, &k, &one, weight, &k, x, &k, &zero, y, &n);
    if (r >= 0) in_products += now() - t;
    meet();
  }
  *gflops = 2.0 * rows * k * n * reps / (cold ? in_products : now() - t0) / 1e9;
  free(x);
  free(y);
  return NULL;
}

static void run(enum mode m, int t) {
  pthread_t ids[2];
  double gflops[2];
  mode = m;
  threads = t;
  pthread_barrier_init(&barrier, NULL, t);
  for (int i = 0; i < t; i++) pthread_create(&ids[i], NULL, worker, &gflops[i]);
  for (int i = 0; i < t; i++) pthread_join(ids[i], NULL);
  pthread_barrier_destroy(&barrier);
  char label[64];
  snprintf(label, sizeof label, "%s %d thread%s%s", t == 1 ? "one" : mode_names[m], t, t == 1 ? "" : "s", cold ? ", cold caches" : "");
  printf("%-28s", label);
  for (int i = 0; i < t; i++) printf(" %6.1f", gflops[i]);
  printf(" GFLOP/s per thread\n");
}

int main(int argc, char **argv) {
  if (argc == 5) {
    rows = atoi(argv[1]);
    k = atoi(argv[2]);
    n = atoi(argv[3]);
    reps = atoi(argv[4]);
  } else if (argc != 1) {
    fprintf(stderr, "usage: %s [rows k n reps]\n", argv[0]);
    return 2;
  }
  if (rows <= 0 || k <= 0 || n <= 0 || reps <= 0) {
    fprintf(stderr, "sync_gemm: rows, k, n and reps must be positive\n");
    return 2;
  }
  openblas_set_num_threads(1);
  weight = malloc(sizeof(float) * n * k);
  for (int i = 0; i < n * k; i++) weight[i] = 1e-3f * (i % 89);
  printf("product [%d, %d] x [%d, %d]^T, %d times per thread\n", rows, k, n, k, reps);
  run(FREE, 1);
  run(FREE, 2);
  run(FUTEX, 2);
  run(SPIN, 2);
  flush = calloc(FLUSH_BYTES, 1);
  cold = 1;
  run(FREE, 1);
  return 0;
}
