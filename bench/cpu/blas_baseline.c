/* f32 baseline: y[M, N] = x[M, K] * W[N, K]^T with OpenBLAS (sgemv for
 * M = 1, sgemm otherwise), weights rotated among copies totalling over
 * 256 MiB. Prints the median time per call in microseconds. */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}

static int compare(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int main(int argc, char **argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: blas_baseline M N K REPEATS\n");
    return 2;
  }
  long m = atol(argv[1]), n = atol(argv[2]), k = atol(argv[3]);
  int repeats = atoi(argv[4]);
  size_t bytes = (size_t)n * k * sizeof(float);
  int copies = (int)((256ul << 20) / bytes) + 2;
  float **w = malloc(copies * sizeof(float *));
  for (int c = 0; c < copies; ++c) {
    w[c] = malloc(bytes);
    for (size_t i = 0; i < (size_t)n * k; ++i)
      w[c][i] = (float)((i * 2654435761u) % 1000) / 1000.0f - 0.5f;
  }
  float *x = malloc(m * k * sizeof(float)), *y = malloc(m * n * sizeof(float));
  for (long i = 0; i < m * k; ++i)
    x[i] = (float)(i % 17) / 17.0f;
  double *times = malloc(repeats * sizeof(double));
  for (int r = -2; r < repeats; ++r) {
    float *wc = w[(r + 2) % copies];
    double start = now();
    if (m == 1)
      cblas_sgemv(CblasRowMajor, CblasNoTrans, n, k, 1.0f, wc, k, x, 1, 0.0f,
                  y, 1);
    else
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, n, k, 1.0f, x,
                  k, wc, k, 0.0f, y, n);
    if (r >= 0)
      times[r] = now() - start;
  }
  qsort(times, repeats, sizeof(double), compare);
  printf("%.3f\n", times[repeats / 2] * 1e6);
  return 0;
}
