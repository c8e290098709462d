/*
 * Native kernels for lib/tensor/sparse_rows.ts: products of a sparse matrix
 * (exact zeros skipped; MNIST rows are ~81 % zeros) with a dense one, and
 * per-sample softmax-regression SGD. Compiled on first use by
 * lib/tensor/sparse_native.ts (cc -O3 -march=native -ffp-contract=off, with
 * OpenMP when the compiler has it) and loaded with Deno.dlopen; the
 * TypeScript loops in sparse_rows.ts are the same arithmetic in the same
 * order (no fused multiply-add), so both give the same bits except where
 * C's exp and V8's Math.exp round differently (the SGD kernel only).
 *
 * Layout: CSR rows (row_start[n + 1], col[nnz] uint16, val[nnz] float64),
 * CSC columns (col_start[d + 1], row[nnz] uint32, val[nnz] float64), dense
 * matrices row-major float64, k = columns of the dense operand.
 */
#include <math.h>
#include <stdint.h>

#define RS restrict

/*
 * Runs BODY over [lo, hi) split into one contiguous chunk [a, b) per thread
 * (when the range is at least minsize long and OpenMP is on), else once
 * over the whole range. Each output element is computed by one thread in a
 * fixed order, so the result does not depend on the thread count. Kernels
 * are called with a literal k inside BODY, so the compiler specialises them
 * (an omp for loop would be outlined with k as a runtime value).
 */
#ifdef _OPENMP
#include <omp.h>
#define PARALLEL_CHUNKS(lo, hi, minsize, BODY)                                     \
  do {                                                                             \
    const int32_t lo_ = (lo), hi_ = (hi);                                          \
    if (hi_ - lo_ >= (minsize) && omp_get_max_threads() > 1) {                     \
      _Pragma("omp parallel") {                                                    \
        const int64_t t_ = omp_get_thread_num(), nt_ = omp_get_num_threads();     \
        const int32_t a = lo_ + (int32_t)((hi_ - lo_) * t_ / nt_);                 \
        const int32_t b = lo_ + (int32_t)((hi_ - lo_) * (t_ + 1) / nt_);           \
        BODY;                                                                      \
      }                                                                            \
    } else {                                                                       \
      const int32_t a = lo_, b = hi_;                                              \
      BODY;                                                                        \
    }                                                                              \
  } while (0)
#else
#define PARALLEL_CHUNKS(lo, hi, minsize, BODY) \
  do {                                         \
    const int32_t a = (lo), b = (hi);          \
    BODY;                                      \
  } while (0)
#endif

/* Z[i - r0, :] = X[i, :] · W + b for rows r0 <= i < r1. */
static inline void csr_matmul_k(const uint32_t *RS row_start, const uint16_t *RS col,
                                const double *RS val, int32_t r0, int32_t r1,
                                const double *RS W, const double *RS b, const int32_t k,
                                double *RS Z, int32_t z0) {
  for (int32_t i = r0; i < r1; i++) {
    double *RS z = Z + (int64_t)(i - z0) * k;
    for (int32_t j = 0; j < k; j++) z[j] = b[j];
    const uint32_t end = row_start[i + 1];
    for (uint32_t p = row_start[i]; p < end; p++) {
      const double v = val[p];
      const double *RS w = W + (int64_t)col[p] * k;
      for (int32_t j = 0; j < k; j++) z[j] += v * w[j];
    }
  }
}

void nnkit_csr_matmul(const uint32_t *row_start, const uint16_t *col, const double *val,
                      int32_t r0, int32_t r1, const double *W, const double *bias, int32_t k,
                      double *Z) {
  if (k == 10) PARALLEL_CHUNKS(r0, r1, 2048, csr_matmul_k(row_start, col, val, a, b, W, bias, 10, Z, r0));
  else if (k == 1) PARALLEL_CHUNKS(r0, r1, 2048, csr_matmul_k(row_start, col, val, a, b, W, bias, 1, Z, r0));
  else PARALLEL_CHUNKS(r0, r1, 2048, csr_matmul_k(row_start, col, val, a, b, W, bias, k, Z, r0));
}

/* G[c, :] = alpha · Σ_i X[i, c] · R[i, :] over all rows, for columns c0 <= c < c1 (CSC). */
static inline void csc_tmatmul_k(const uint32_t *RS col_start, const uint32_t *RS row,
                                 const double *RS val, int32_t c0, int32_t c1,
                                 const double *RS R, const int32_t k, double alpha,
                                 double *RS G) {
  for (int32_t c = c0; c < c1; c++) {
    double *RS g = G + (int64_t)c * k;
    for (int32_t j = 0; j < k; j++) g[j] = 0;
    const uint32_t end = col_start[c + 1];
    for (uint32_t p = col_start[c]; p < end; p++) {
      const double v = val[p];
      const double *RS r = R + (int64_t)row[p] * k;
      for (int32_t j = 0; j < k; j++) g[j] += v * r[j];
    }
    for (int32_t j = 0; j < k; j++) g[j] *= alpha;
  }
}

void nnkit_csc_tmatmul(const uint32_t *col_start, const uint32_t *row, const double *val,
                       int32_t c0, int32_t c1, const double *R, int32_t k, double alpha,
                       double *G) {
  if (k == 10) PARALLEL_CHUNKS(c0, c1, 64, csc_tmatmul_k(col_start, row, val, a, b, R, 10, alpha, G));
  else if (k == 1) PARALLEL_CHUNKS(c0, c1, 64, csc_tmatmul_k(col_start, row, val, a, b, R, 1, alpha, G));
  else PARALLEL_CHUNKS(c0, c1, 64, csc_tmatmul_k(col_start, row, val, a, b, R, k, alpha, G));
}

/* G += alpha · X[r0:r1, :]ᵀ · R, with R [r1 - r0, k] (CSR rows, sequential). */
static inline void csr_tmatmul_acc_k(const uint32_t *RS row_start, const uint16_t *RS col,
                                     const double *RS val, int32_t r0, int32_t r1,
                                     const double *RS R, const int32_t k, double alpha,
                                     double *RS G) {
  for (int32_t i = r0; i < r1; i++) {
    const double *RS r = R + (int64_t)(i - r0) * k;
    const uint32_t end = row_start[i + 1];
    for (uint32_t p = row_start[i]; p < end; p++) {
      const double av = alpha * val[p];
      double *RS g = G + (int64_t)col[p] * k;
      for (int32_t j = 0; j < k; j++) g[j] += av * r[j];
    }
  }
}

void nnkit_csr_tmatmul_acc(const uint32_t *row_start, const uint16_t *col, const double *val,
                           int32_t r0, int32_t r1, const double *R, int32_t k, double alpha,
                           double *G) {
  if (k == 10) csr_tmatmul_acc_k(row_start, col, val, r0, r1, R, 10, alpha, G);
  else if (k == 1) csr_tmatmul_acc_k(row_start, col, val, r0, r1, R, 1, alpha, G);
  else csr_tmatmul_acc_k(row_start, col, val, r0, r1, R, k, alpha, G);
}

/*
 * Per-sample SGD of softmax regression over rows r0 <= i < r1 in order:
 * z = x·W + b, p = softmax(z), W -= lr · xᵀ(p − y), b -= lr · (p − y).
 * out[0] += the per-sample losses before each update (−log p_y, or
 * −log(p_y + eps) when eps > 0), out[1] += correct predictions (first argmax).
 * scratch holds 2k doubles.
 */
static inline void softmax_sgd_k(const uint32_t *RS row_start, const uint16_t *RS col,
                                 const double *RS val, const int32_t *RS labels, int32_t r0,
                                 int32_t r1, double *RS W, double *RS b, const int32_t k,
                                 double lr, double eps, double *RS scratch, double *RS out) {
  double *RS z = scratch;
  double *RS g = scratch + k;
  double loss = 0, correct = 0;
  for (int32_t i = r0; i < r1; i++) {
    const uint32_t start = row_start[i], end = row_start[i + 1];
    for (int32_t j = 0; j < k; j++) z[j] = b[j];
    for (uint32_t p = start; p < end; p++) {
      const double v = val[p];
      const double *RS w = W + (int64_t)col[p] * k;
      for (int32_t j = 0; j < k; j++) z[j] += v * w[j];
    }
    int32_t best = 0;
    double m = z[0];
    for (int32_t j = 1; j < k; j++) {
      if (z[j] > m) {
        m = z[j];
        best = j;
      }
    }
    const int32_t y = labels[i];
    if (best == y) correct += 1;
    double s = 0;
    for (int32_t j = 0; j < k; j++) {
      g[j] = exp(z[j] - m);
      s += g[j];
    }
    loss += eps > 0 ? -log(g[y] / s + eps) : log(s) - (z[y] - m);
    for (int32_t j = 0; j < k; j++) {
      const double d = g[j] / s - (j == y ? 1.0 : 0.0);
      g[j] = lr * d;
      b[j] -= g[j];
    }
    for (uint32_t p = start; p < end; p++) {
      const double v = val[p];
      double *RS w = W + (int64_t)col[p] * k;
      for (int32_t j = 0; j < k; j++) w[j] -= v * g[j];
    }
  }
  out[0] += loss;
  out[1] += correct;
}

void nnkit_softmax_sgd(const uint32_t *row_start, const uint16_t *col, const double *val,
                       const int32_t *labels, int32_t r0, int32_t r1, double *W, double *b,
                       int32_t k, double lr, double eps, double *scratch, double *out) {
  if (k == 10) softmax_sgd_k(row_start, col, val, labels, r0, r1, W, b, 10, lr, eps, scratch, out);
  else softmax_sgd_k(row_start, col, val, labels, r0, r1, W, b, k, lr, eps, scratch, out);
}

/* 1 when compiled with OpenMP, so the loader can report threads. */
int32_t nnkit_openmp(void) {
#ifdef _OPENMP
  return 1;
#else
  return 0;
#endif
}
