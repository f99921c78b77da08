/*
 * sgemm_shapes.so: counts every fp32 GEMM a process makes, by shape, and how long each shape took in total.
 * A diagnostic for `lathe bench` (see scripts/bench/README.md, "Counting the GEMMs"); not part of Lathe.
 *
 * Build:  gcc -O2 -shared -fPIC -o /tmp/sgemm_shapes.so scripts/bench/sgemm_shapes.c -ldl -lpthread
 * Use:    SGEMM_SHAPES_OUT=/tmp/java.txt LD_PRELOAD=/tmp/sgemm_shapes.so scripts/lathe bench train ...
 *         SGEMM_SHAPES_OUT=/tmp/torch.txt LD_PRELOAD=/tmp/sgemm_shapes.so python3 scripts/bench/zimage_ref.py ...
 * Output: one line per shape at exit: transa transb m n k calls total_ns (BLAS's column-major view: for
 *         y = x·Wᵀ with x [rows, in] and W [out, in], libtorch asks for m = out, n = rows, k = in).
 *
 * It defines sgemm_ (the Fortran BLAS entry both libtorch builds call), times the call and forwards it to the
 * OpenBLAS already loaded in the process (found by name among the loaded libraries, since the Bytedeco presets
 * load theirs privately). Times are wall time per call: with a multithreaded BLAS they are not CPU time.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <link.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef void (*sgemm_fn)(const char *, const char *, const int *, const int *, const int *, const float *, const float *,
                         const int *, const float *, const int *, const float *, float *, const int *);

void sgemm_(const char *ta, const char *tb, const int *m, const int *n, const int *k, const float *alpha, const float *a,
            const int *lda, const float *b, const int *ldb, const float *beta, float *c, const int *ldc);

static sgemm_fn target;

static int find_blas(struct dl_phdr_info *info, size_t size, void *data) {
  (void) size;
  (void) data;
  if (target || !strstr(info->dlpi_name, "blas")) return 0;
  void *h = dlopen(info->dlpi_name, RTLD_NOLOAD | RTLD_LAZY);
  if (!h) return 0;
  void *f = dlsym(h, "sgemm_");
  if (f && f != (void *) sgemm_) target = (sgemm_fn) f;
  return 0;
}

#define MAX_SHAPES 8192
struct shape {
  char ta, tb;
  int m, n, k;
  long calls;
  double ns;
};
static struct shape shapes[MAX_SHAPES];
static int count;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static double now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e9 + t.tv_nsec;
}

void sgemm_(const char *ta, const char *tb, const int *m, const int *n, const int *k, const float *alpha, const float *a,
            const int *lda, const float *b, const int *ldb, const float *beta, float *c, const int *ldc) {
  if (!target) {
    target = (sgemm_fn) dlsym(RTLD_NEXT, "sgemm_");
    if (!target) dl_iterate_phdr(find_blas, NULL);
    if (!target) {
      fprintf(stderr, "sgemm_shapes: no BLAS with sgemm_ is loaded\n");
      abort();
    }
  }
  double t0 = now_ns();
  target(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
  double dt = now_ns() - t0;
  pthread_mutex_lock(&lock);
  int i = 0;
  while (i < count && !(shapes[i].ta == *ta && shapes[i].tb == *tb && shapes[i].m == *m && shapes[i].n == *n && shapes[i].k == *k)) i++;
  if (i == count && count < MAX_SHAPES) {
    shapes[i] = (struct shape) {*ta, *tb, *m, *n, *k, 0, 0};
    count++;
  }
  if (i < MAX_SHAPES) {
    shapes[i].calls++;
    shapes[i].ns += dt;
  }
  pthread_mutex_unlock(&lock);
}

__attribute__((destructor)) static void report(void) {
  const char *path = getenv("SGEMM_SHAPES_OUT");
  FILE *out = path ? fopen(path, "w") : stderr;
  if (!out) return;
  for (int i = 0; i < count; i++)
    fprintf(out, "%c %c %d %d %d %ld %.0f\n", shapes[i].ta, shapes[i].tb, shapes[i].m, shapes[i].n, shapes[i].k, shapes[i].calls, shapes[i].ns);
  if (path) fclose(out);
}
