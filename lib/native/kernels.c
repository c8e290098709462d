/*
 * The native kernels of lib/native/: products of a sparse matrix (exact
 * zeros skipped; MNIST rows are ~81 % zeros) with a dense one, for
 * lib/tensor/sparse_rows.ts through lib/native/sparse.ts; per-sample
 * softmax-regression SGD and the one-pass kernel of a one-layer net
 * (forward, loss, accuracy and gradient reading X once) for seed 003's
 * linear models (lib/nn/linear_model.ts through lib/native/linear.ts); elementwise sigmoid, tanh, relu, row softmax and column
 * sums for lib/nn/activations.ts and lib/tensor/ops.ts through
 * lib/native/elementwise.ts; the row gather of mini-batches
 * (lib/native/gather.ts). Compiled on first use by lib/native/build.ts
 * (cc -O3 -march=native -ffp-contract=off, with OpenMP when the compiler
 * has it) and loaded with Deno.dlopen; the TypeScript twins (sparse.ts and
 * gather.ts beside this file, the textbook loops of the layers above) are
 * the same arithmetic in the same order (no fused multiply-add), so both
 * give the same bits except where C's exp and V8's Math.exp round
 * differently (the softmax kernels, more so with libmvec's vector exp: see
 * below).
 *
 * Layout: CSR rows (row_start[n + 1], col[nnz] uint16, val[nnz] float64),
 * CSC columns (col_start[d + 1], row[nnz] uint32, val[nnz] float64), dense
 * matrices row-major float64 (float32 where a name ends in _f32), k =
 * columns of the dense operand.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

/*
 * glibc's vector math (libmvec), when the build links it (-DNNKIT_MVEC): the
 * loops marked `omp simd` below then compute 4 or 8 exponentials (or tanh)
 * at a time, each within 4 ulp of the correctly rounded value (the scalar
 * exp and V8's Math.exp are within 1), so those loops agree with their
 * TypeScript twins to a few units in the last place rather than bit for bit.
 */
#ifdef NNKIT_MVEC
#pragma omp declare simd notinbranch
double exp(double);
#pragma omp declare simd notinbranch
float expf(float);
#pragma omp declare simd notinbranch
double tanh(double);
#pragma omp declare simd notinbranch
float tanhf(float);
#endif

#define RS restrict

/*
 * Vectors of 8 and 2 doubles or floats (element-aligned): a 10-wide row in
 * registers. Written out for k = 10 (MNIST's classes, seed 002's hidden
 * layer), where GCC's own vectorisation of the j-loops is 2–3× slower. The
 * arithmetic per element is unchanged (one multiply, then one add).
 */
typedef double v8d __attribute__((vector_size(64), aligned(8)));
typedef double v2d __attribute__((vector_size(16), aligned(8)));
typedef float v8f __attribute__((vector_size(32), aligned(4)));
typedef float v2f __attribute__((vector_size(8), aligned(4)));

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

/*
 * Which rows a CSR kernel reads, and how it reads their values. Kernels that
 * take `order` read rows order[r0] .. order[r1 − 1] (a shuffled mini-batch,
 * without copying it) when order is not NULL, else rows r0 .. r1 − 1. Those
 * that take `codes` read each value as table[codes[p]] (one byte per entry
 * instead of eight; table holds the ≤ 256 distinct values exactly, so the
 * result is the same) when codes is not NULL, else val[p]. Both tests are
 * loop-invariant or per row; -O3 unswitches the inner loops on them.
 */
#define ROW_OF(i) (order ? (int32_t)order[i] : (i))
#define VALUE_OF(T, p) (codes ? (T)table[codes[p]] : (T)val[p])

/*
 * Rows read through `order` lie far apart in memory, and each costs two
 * dependent misses (its row_start entry, then its entries) that the work on
 * one row does not hide. So, at row i, fetch row_start of the row 8 ahead
 * and the entries of the row 4 ahead (whose row_start came 4 rows ago),
 * within [.., r1). Measured on a cold 128-row MNIST batch, k = 32 forward:
 * 55 → 29 µs (25 µs with every row in cache). Results are unchanged.
 */
#define PREFETCH_AHEAD(i, r1)                                                             \
  do {                                                                                    \
    if (order) {                                                                          \
      if ((i) + 8 < (r1)) __builtin_prefetch(row_start + order[(i) + 8]);                 \
      if ((i) + 4 < (r1)) {                                                               \
        const uint32_t *RS ps_ = row_start + order[(i) + 4];                              \
        for (uint32_t q_ = ps_[0]; q_ < ps_[1]; q_ += 32) __builtin_prefetch(col + q_);   \
        if (codes) {                                                                      \
          for (uint32_t q_ = ps_[0]; q_ < ps_[1]; q_ += 64) __builtin_prefetch(codes + q_); \
        } else {                                                                          \
          for (uint32_t q_ = ps_[0]; q_ < ps_[1]; q_ += 8) __builtin_prefetch(val + q_);  \
        }                                                                                 \
      }                                                                                   \
    }                                                                                     \
  } while (0)

/*
 * Z[i - r0, :] = X[row i, :] · W + b for r0 <= i < r1, for double and
 * float W, b and Z (nnkit_csr_matmul, nnkit_csr_matmul_f32; in float every
 * product and sum rounds to float, the sparse values first). k = 10 and
 * k = 32 keep a row's sums in registers (GCC's own vectorisation of the
 * runtime-k loop re-reads and re-writes them for every entry: 5× slower at
 * k = 32, seed 001's hidden layer).
 */
#define DEFINE_CSR_MATMUL(T, NAME, V8, V2)                                                  \
  static inline void NAME##_k(const uint32_t *RS row_start, const uint16_t *RS col,         \
                              const double *RS val, const uint8_t *RS codes,                \
                              const double *RS table, const uint32_t *RS order, int32_t r0, \
                              int32_t r1, const T *RS W, const T *RS b, const int32_t k,    \
                              T *RS Z, int32_t z0) {                                        \
    if (k == 10) {                                                                          \
      for (int32_t i = r0; i < r1; i++) {                                                   \
        PREFETCH_AHEAD(i, r1);                                                              \
        const int32_t row = ROW_OF(i);                                                      \
        V8 lo = *(const V8 *)b;                                                             \
        V2 hi = *(const V2 *)(b + 8);                                                       \
        const uint32_t end = row_start[row + 1];                                            \
        for (uint32_t p = row_start[row]; p < end; p++) {                                   \
          const T v = VALUE_OF(T, p);                                                       \
          const T *RS w = W + (int64_t)col[p] * 10;                                         \
          lo = lo + v * *(const V8 *)w;                                                     \
          hi = hi + v * *(const V2 *)(w + 8);                                               \
        }                                                                                   \
        T *RS z = Z + (int64_t)(i - z0) * 10;                                               \
        *(V8 *)z = lo;                                                                      \
        *(V2 *)(z + 8) = hi;                                                                \
      }                                                                                     \
      return;                                                                               \
    }                                                                                       \
    if (k == 32) {                                                                          \
      for (int32_t i = r0; i < r1; i++) {                                                   \
        PREFETCH_AHEAD(i, r1);                                                              \
        const int32_t row = ROW_OF(i);                                                      \
        V8 s0 = *(const V8 *)b, s1 = *(const V8 *)(b + 8);                                  \
        V8 s2 = *(const V8 *)(b + 16), s3 = *(const V8 *)(b + 24);                          \
        const uint32_t end = row_start[row + 1];                                            \
        for (uint32_t p = row_start[row]; p < end; p++) {                                   \
          const T v = VALUE_OF(T, p);                                                       \
          const T *RS w = W + (int64_t)col[p] * 32;                                         \
          s0 = s0 + v * *(const V8 *)w;                                                     \
          s1 = s1 + v * *(const V8 *)(w + 8);                                               \
          s2 = s2 + v * *(const V8 *)(w + 16);                                              \
          s3 = s3 + v * *(const V8 *)(w + 24);                                              \
        }                                                                                   \
        T *RS z = Z + (int64_t)(i - z0) * 32;                                               \
        *(V8 *)z = s0;                                                                      \
        *(V8 *)(z + 8) = s1;                                                                \
        *(V8 *)(z + 16) = s2;                                                               \
        *(V8 *)(z + 24) = s3;                                                               \
      }                                                                                     \
      return;                                                                               \
    }                                                                                       \
    for (int32_t i = r0; i < r1; i++) {                                                     \
      PREFETCH_AHEAD(i, r1);                                                                \
      const int32_t row = ROW_OF(i);                                                        \
      T *RS z = Z + (int64_t)(i - z0) * k;                                                  \
      for (int32_t j = 0; j < k; j++) z[j] = b[j];                                          \
      const uint32_t end = row_start[row + 1];                                              \
      for (uint32_t p = row_start[row]; p < end; p++) {                                     \
        const T v = VALUE_OF(T, p);                                                         \
        const T *RS w = W + (int64_t)col[p] * k;                                            \
        for (int32_t j = 0; j < k; j++) z[j] += v * w[j];                                   \
      }                                                                                     \
    }                                                                                       \
  }                                                                                         \
  void NAME(const uint32_t *row_start, const uint16_t *col, const double *val,              \
            const uint8_t *codes, const double *table, const uint32_t *order, int32_t r0,   \
            int32_t r1, const T *W, const T *bias, int32_t k, T *Z) {                       \
    if (k == 10) PARALLEL_CHUNKS(r0, r1, 1024, NAME##_k(row_start, col, val, codes, table, order, a, b, W, bias, 10, Z, r0)); \
    else if (k == 32) PARALLEL_CHUNKS(r0, r1, 1024, NAME##_k(row_start, col, val, codes, table, order, a, b, W, bias, 32, Z, r0)); \
    else if (k == 1) PARALLEL_CHUNKS(r0, r1, 1024, NAME##_k(row_start, col, val, codes, table, order, a, b, W, bias, 1, Z, r0)); \
    else PARALLEL_CHUNKS(r0, r1, 1024, NAME##_k(row_start, col, val, codes, table, order, a, b, W, bias, k, Z, r0)); \
  }

DEFINE_CSR_MATMUL(double, nnkit_csr_matmul, v8d, v2d)
DEFINE_CSR_MATMUL(float, nnkit_csr_matmul_f32, v8f, v2f)

/*
 * Dense → CSR (sparseRows in lib/tensor/sparse_rows.ts), parallel over rows:
 * nnkit_dense_nnz counts each row's non-zeros into counts[i]; after the
 * caller's prefix sum into row_start, nnkit_dense_fill writes the columns,
 * the values (widened to double, exactly) and their pixel codes: c with
 * (T)(c / 255.0) == v, as byteCodes in sparse_rows.ts. It returns how many
 * values have no such code (0: codes hold every value).
 */
#define DEFINE_DENSE_TO_CSR(T, SUFFIX)                                                     \
  void nnkit_dense_nnz_##SUFFIX(const T *RS x, int32_t rows, int32_t cols,               \
                                uint32_t *RS counts) {                                    \
    PARALLEL_CHUNKS(0, rows, 1024, {                                                      \
      for (int32_t i = a; i < b; i++) {                                                   \
        const T *RS xi = x + (int64_t)i * cols;                                           \
        uint32_t c = 0;                                                                   \
        for (int32_t j = 0; j < cols; j++) c += xi[j] != 0;                               \
        counts[i] = c;                                                                    \
      }                                                                                   \
    });                                                                                   \
  }                                                                                       \
  int32_t nnkit_dense_fill_##SUFFIX(const T *RS x, int32_t rows, int32_t cols,           \
                                    const uint32_t *RS row_start, uint16_t *RS col,       \
                                    double *RS val, uint8_t *RS codes) {                  \
    int64_t uncoded = 0;                                                                  \
    PARALLEL_CHUNKS(0, rows, 1024, {                                                      \
      int64_t miss = 0;                                                                   \
      for (int32_t i = a; i < b; i++) {                                                   \
        const T *RS xi = x + (int64_t)i * cols;                                           \
        uint32_t p = row_start[i];                                                        \
        for (int32_t j = 0; j < cols; j++) {                                              \
          const T v = xi[j];                                                              \
          if (v == 0) continue;                                                           \
          col[p] = (uint16_t)j;                                                           \
          val[p] = (double)v;                                                             \
          const double c = floor((double)v * 255.0 + 0.5);                                \
          const int ok = c >= 0 && c <= 255 && (T)(c / 255.0) == v;                       \
          codes[p] = ok ? (uint8_t)c : 0;                                                 \
          miss += !ok;                                                                    \
          p++;                                                                            \
        }                                                                                 \
      }                                                                                   \
      __atomic_fetch_add(&uncoded, miss, __ATOMIC_RELAXED);                              \
    });                                                                                   \
    return uncoded > 0x7fffffff ? 0x7fffffff : (int32_t)uncoded;                         \
  }

DEFINE_DENSE_TO_CSR(double, f64)
DEFINE_DENSE_TO_CSR(float, f32)

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
 * Row-chunked Xᵀ·R, parallel and independent of the thread count: rows
 * r0 <= i < r1 (row order[i] of X when order is given, see ROW_OF) split
 * into `chunks` equal ranges, chunk t summed into its own partial P_t [d, k]
 * (P_t[c] += v · R[i − r0]) by one thread, then G = alpha · (P_0 + P_1 + …)
 * in chunk order (G += … with accumulate). G is [d, k], or [k, d] holding
 * the transpose when transposed is 1 (seed 001's weights are [out, in]).
 * partials holds chunks · d · k elements (scratch). Defined for double and
 * float (every float operation rounds to float; the sparse values are
 * rounded to float first).
 */
#define DEFINE_TMATMUL_CHUNKS(T, SUFFIX, V8, V2)                                           \
  static inline void csr_tpartial_##SUFFIX##_k(                                           \
      const uint32_t *RS row_start, const uint16_t *RS col, const double *RS val,         \
      const uint8_t *RS codes, const double *RS table, const uint32_t *RS order,          \
      int32_t a, int32_t b, int32_t r0, const T *RS R, const int32_t k, int64_t dk,       \
      T *RS P) {                                                                           \
    for (int64_t q = 0; q < dk; q++) P[q] = 0;                                            \
    if (k == 10) {                                                                         \
      for (int32_t i = a; i < b; i++) {                                                   \
        PREFETCH_AHEAD(i, b);                                                              \
        const int32_t row = ROW_OF(i);                                                     \
        const T *RS r = R + (int64_t)(i - r0) * 10;                                       \
        const V8 lo = *(const V8 *)r;                                                      \
        const V2 hi = *(const V2 *)(r + 8);                                                \
        const uint32_t end = row_start[row + 1];                                          \
        for (uint32_t p = row_start[row]; p < end; p++) {                                 \
          const T v = VALUE_OF(T, p);                                                     \
          T *RS g = P + (int64_t)col[p] * 10;                                             \
          *(V8 *)g = *(V8 *)g + v * lo;                                                    \
          *(V2 *)(g + 8) = *(V2 *)(g + 8) + v * hi;                                        \
        }                                                                                  \
      }                                                                                    \
      return;                                                                              \
    }                                                                                      \
    if (k == 32) {                                                                         \
      for (int32_t i = a; i < b; i++) {                                                   \
        PREFETCH_AHEAD(i, b);                                                              \
        const int32_t row = ROW_OF(i);                                                     \
        const T *RS r = R + (int64_t)(i - r0) * 32;                                       \
        const V8 r0v = *(const V8 *)r, r1v = *(const V8 *)(r + 8);                         \
        const V8 r2v = *(const V8 *)(r + 16), r3v = *(const V8 *)(r + 24);                 \
        const uint32_t end = row_start[row + 1];                                          \
        for (uint32_t p = row_start[row]; p < end; p++) {                                 \
          const T v = VALUE_OF(T, p);                                                     \
          T *RS g = P + (int64_t)col[p] * 32;                                             \
          *(V8 *)g = *(V8 *)g + v * r0v;                                                   \
          *(V8 *)(g + 8) = *(V8 *)(g + 8) + v * r1v;                                       \
          *(V8 *)(g + 16) = *(V8 *)(g + 16) + v * r2v;                                     \
          *(V8 *)(g + 24) = *(V8 *)(g + 24) + v * r3v;                                     \
        }                                                                                  \
      }                                                                                    \
      return;                                                                              \
    }                                                                                      \
    for (int32_t i = a; i < b; i++) {                                                     \
      PREFETCH_AHEAD(i, b);                                                                \
      const int32_t row = ROW_OF(i);                                                       \
      const T *RS r = R + (int64_t)(i - r0) * k;                                          \
      const uint32_t end = row_start[row + 1];                                            \
      for (uint32_t p = row_start[row]; p < end; p++) {                                   \
        const T v = VALUE_OF(T, p);                                                       \
        T *RS g = P + (int64_t)col[p] * k;                                                \
        for (int32_t j = 0; j < k; j++) g[j] += v * r[j];                                 \
      }                                                                                    \
    }                                                                                      \
  }                                                                                        \
  void nnkit_csr_tmatmul_chunks_##SUFFIX(                                                  \
      const uint32_t *row_start, const uint16_t *col, const double *val,                  \
      const uint8_t *codes, const double *table, const uint32_t *order, int32_t r0,       \
      int32_t r1, const T *R, int32_t k, int32_t d, T alpha, int32_t accumulate,          \
      int32_t transposed, int32_t chunks, T *RS partials, T *RS G) {                       \
    const int64_t dk = (int64_t)d * k;                                                    \
    PARALLEL_CHUNKS(0, chunks, 2, {                                                        \
      for (int32_t t = a; t < b; t++) {                                                    \
        const int32_t lo = r0 + (int32_t)((int64_t)(r1 - r0) * t / chunks);               \
        const int32_t hi = r0 + (int32_t)((int64_t)(r1 - r0) * (t + 1) / chunks);         \
        T *P = partials + (int64_t)t * dk;                                                 \
        if (k == 10) csr_tpartial_##SUFFIX##_k(row_start, col, val, codes, table, order, lo, hi, r0, R, 10, dk, P); \
        else if (k == 32) csr_tpartial_##SUFFIX##_k(row_start, col, val, codes, table, order, lo, hi, r0, R, 32, dk, P); \
        else csr_tpartial_##SUFFIX##_k(row_start, col, val, codes, table, order, lo, hi, r0, R, k, dk, P); \
      }                                                                                    \
    });                                                                                    \
    if (!transposed) {                                                                     \
      for (int64_t q = 0; q < dk; q++) {                                                  \
        T s = partials[q];                                                                 \
        for (int32_t t = 1; t < chunks; t++) s += partials[(int64_t)t * dk + q];          \
        G[q] = accumulate ? G[q] + alpha * s : alpha * s;                                 \
      }                                                                                    \
      return;                                                                              \
    }                                                                                      \
    /* Blocks of 16 columns: the k rows of G each take 16 consecutive writes. */          \
    for (int32_t c0 = 0; c0 < d; c0 += 16) {                                              \
      const int32_t c1 = c0 + 16 < d ? c0 + 16 : d;                                       \
      for (int32_t j = 0; j < k; j++) {                                                   \
        T *RS g = G + (int64_t)j * d;                                                     \
        for (int32_t c = c0; c < c1; c++) {                                               \
          const int64_t q = (int64_t)c * k + j;                                           \
          T s = partials[q];                                                               \
          for (int32_t t = 1; t < chunks; t++) s += partials[(int64_t)t * dk + q];        \
          g[c] = accumulate ? g[c] + alpha * s : alpha * s;                               \
        }                                                                                  \
      }                                                                                    \
    }                                                                                      \
  }

DEFINE_TMATMUL_CHUNKS(double, f64, v8d, v2d)
DEFINE_TMATMUL_CHUNKS(float, f32, v8f, v2f)

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
#pragma omp simd
    for (int32_t j = 0; j < k; j++) g[j] = exp(z[j] - m);
    for (int32_t j = 0; j < k; j++) s += g[j];
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

/*
 * One pass of a one-layer net (logistic or softmax regression) over rows
 * r0 <= i < r1, split into fixed chunks of LINEAR_CHUNK rows (independent of
 * the thread count, so the sums below do not depend on it): per row
 * z = x·W + b, the output activation, the loss term, whether the first
 * argmax (or a > 0.5) matches y, and with a gradient r = a − y scattered as
 * Gc[col] += v · r into the chunk's partial gradient (the row is still in
 * cache: X is read once). Partials are then added in chunk order.
 *
 * mode bits: 0 sigmoid, 1 row softmax, 2 softmax over the whole batch
 * (seed 003: every entry divided by the sum over all rows, which needs a
 * second pass); +4 when eps is the net's logEpsilon (else the stable
 * log-sum-exp / log1p forms); +8 to compute the gradient.
 * Y [n, k] is indexed by absolute row; E [r1 − r0, k] is scratch (the
 * exponentials, for mode 2); partials [chunks · (d·k + k)] scratch;
 * chunk_stats [chunks · 3] scratch.
 * Outputs: stats[0] = Σ loss terms (not yet divided by the rows),
 * stats[1] = correct rows; with +8, G [d, k] = Σ_i x_iᵀ r_i (not scaled)
 * and rsum [k] = Σ_i r_i. In mode 2 these are formed as inv · Σ_i x_iᵀ e_i
 * − ysums (ysums from nnkit_linear_ysums), so X is read once there too.
 */
#define LINEAR_CHUNK 4096

static inline double sigmoid1(double x) {
  if (x >= 0) return 1 / (1 + exp(-x));
  const double e = exp(x);
  return e / (1 + e);
}


/*
 * z = x_i·W + b for k = 10 with the ten sums held in registers (the generic
 * loop below keeps z in memory and waits on each store): the same products
 * and additions in the same order, so the same bits.
 */
static inline void row_logits10(const uint32_t *RS row_start, const uint16_t *RS col,
                                const double *RS val, const uint8_t *RS code,
                              const double *RS table, const int coded, int32_t i, const double *RS W,
                                const double *RS b, double *RS z) {
  v8d lo = *(const v8d *)b;
  v2d hi = *(const v2d *)(b + 8);
  const uint32_t end = row_start[i + 1];
  for (uint32_t p = row_start[i]; p < end; p++) {
    const double v = coded ? table[code[p]] : val[p];
    const double *RS w = W + (int64_t)col[p] * 10;
    lo = lo + v * *(const v8d *)w;
    hi = hi + v * *(const v2d *)(w + 8);
  }
  *(v8d *)z = lo;
  *(v2d *)(z + 8) = hi;
}

/*
 * row_logits10 for rows i and i + 1 at once: two independent chains of
 * additions keep the FPU busy (one row's sums wait on the adder's
 * latency); each row's sums are still added in its own order.
 */
static inline void row_logits10x2(const uint32_t *RS row_start, const uint16_t *RS col,
                                  const double *RS val, const uint8_t *RS code,
                                  const double *RS table, const int coded, int32_t i,
                                  const double *RS W, const double *RS b, double *RS z0,
                                  double *RS z1) {
  v8d lo0 = *(const v8d *)b, lo1 = lo0;
  v2d hi0 = *(const v2d *)(b + 8), hi1 = hi0;
  uint32_t p = row_start[i], q = row_start[i + 1];
  const uint32_t end0 = q, end1 = row_start[i + 2];
  for (; p < end0 && q < end1; p++, q++) {
    const double v = coded ? table[code[p]] : val[p];
    const double u = coded ? table[code[q]] : val[q];
    const double *RS w = W + (int64_t)col[p] * 10;
    const double *RS x = W + (int64_t)col[q] * 10;
    lo0 = lo0 + v * *(const v8d *)w;
    hi0 = hi0 + v * *(const v2d *)(w + 8);
    lo1 = lo1 + u * *(const v8d *)x;
    hi1 = hi1 + u * *(const v2d *)(x + 8);
  }
  for (; p < end0; p++) {
    const double v = coded ? table[code[p]] : val[p];
    const double *RS w = W + (int64_t)col[p] * 10;
    lo0 = lo0 + v * *(const v8d *)w;
    hi0 = hi0 + v * *(const v2d *)(w + 8);
  }
  for (; q < end1; q++) {
    const double u = coded ? table[code[q]] : val[q];
    const double *RS x = W + (int64_t)col[q] * 10;
    lo1 = lo1 + u * *(const v8d *)x;
    hi1 = hi1 + u * *(const v2d *)(x + 8);
  }
  *(v8d *)z0 = lo0;
  *(v2d *)(z0 + 8) = hi0;
  *(v8d *)z1 = lo1;
  *(v2d *)(z1 + 8) = hi1;
}

/* z = x·w + b for rows i and i + 1 of a k = 1 model, interleaved as row_logits10x2. */
static inline void row_logits1x2(const uint32_t *RS row_start, const uint16_t *RS col,
                                 const double *RS val, const uint8_t *RS code,
                                 const double *RS table, const int coded, int32_t i,
                                 const double *RS W, const double *RS b, double *RS z0,
                                 double *RS z1) {
  double s0 = b[0], s1 = b[0];
  uint32_t p = row_start[i], q = row_start[i + 1];
  const uint32_t end0 = q, end1 = row_start[i + 2];
  for (; p < end0 && q < end1; p++, q++) {
    s0 += (coded ? table[code[p]] : val[p]) * W[col[p]];
    s1 += (coded ? table[code[q]] : val[q]) * W[col[q]];
  }
  for (; p < end0; p++) s0 += (coded ? table[code[p]] : val[p]) * W[col[p]];
  for (; q < end1; q++) s1 += (coded ? table[code[q]] : val[q]) * W[col[q]];
  z0[0] = s0;
  z1[0] = s1;
}

/* z = x_i·W + b into z[k]. */
static inline void row_logits(const uint32_t *RS row_start, const uint16_t *RS col,
                              const double *RS val, const uint8_t *RS code,
                              const double *RS table, const int coded, int32_t i, const double *RS W,
                              const double *RS b, const int32_t k, double *RS z) {
  if (k == 10) {
    row_logits10(row_start, col, val, code, table, coded, i, W, b, z);
    return;
  }
  if (k == 1) {
    double acc = b[0];
    const uint32_t end = row_start[i + 1];
    for (uint32_t p = row_start[i]; p < end; p++) acc += (coded ? table[code[p]] : val[p]) * W[col[p]];
    z[0] = acc;
    return;
  }
  for (int32_t j = 0; j < k; j++) z[j] = b[j];
  const uint32_t end = row_start[i + 1];
  for (uint32_t p = row_start[i]; p < end; p++) {
    const double v = coded ? table[code[p]] : val[p];
    const double *RS w = W + (int64_t)col[p] * k;
    for (int32_t j = 0; j < k; j++) z[j] += v * w[j];
  }
}

static inline void row_scatter(const uint32_t *RS row_start, const uint16_t *RS col,
                               const double *RS val, const uint8_t *RS code,
                              const double *RS table, const int coded, int32_t i, const double *RS r,
                               const int32_t k, double *RS g) {
  const uint32_t end = row_start[i + 1];
  if (k == 10) {
    const v8d rlo = *(const v8d *)r;
    const v2d rhi = *(const v2d *)(r + 8);
    for (uint32_t p = row_start[i]; p < end; p++) {
      const double v = coded ? table[code[p]] : val[p];
      double *RS gc = g + (int64_t)col[p] * 10;
      *(v8d *)gc = *(v8d *)gc + v * rlo;
      *(v2d *)(gc + 8) = *(v2d *)(gc + 8) + v * rhi;
    }
    return;
  }
  for (uint32_t p = row_start[i]; p < end; p++) {
    const double v = coded ? table[code[p]] : val[p];
    double *RS gc = g + (int64_t)col[p] * k;
    for (int32_t j = 0; j < k; j++) gc[j] += v * r[j];
  }
}

/* First argmax of a[k] equals first argmax of y[k]. */
static inline int same_argmax(const double *RS a, const double *RS y, const int32_t k) {
  int32_t ba = 0, by = 0;
  double ma = a[0], my = y[0];
  for (int32_t j = 1; j < k; j++) {
    if (a[j] > ma) {
      ma = a[j];
      ba = j;
    }
    if (y[j] > my) {
      my = y[j];
      by = j;
    }
  }
  return ba == by;
}

/* Pass 1 over one chunk [a, c). Mode 2: stores exp(z − m) rows in E, stats[2] = their sum. */
static inline void linear_chunk_k(const uint32_t *RS row_start, const uint16_t *RS col,
                                  const double *RS val, const uint8_t *RS code,
                                  const double *RS table, const int coded, int32_t a, int32_t c, int32_t r0,
                                  const double *RS W, const double *RS b, const int32_t k,
                                  int32_t mode, double eps, const double *RS Y,
                                  double *RS E, double *RS g, double *RS rs,
                                  double *RS stats) {
  double z[k > 0 ? k : 1], r[k > 0 ? k : 1], znext[k > 0 ? k : 1];
  const int out = mode & 3, has_eps = mode & 4, grad = mode & 8;
  double loss = 0, correct = 0, esum = 0;
  for (int32_t i = a; i < c; i++) {
    const double *RS y = Y + (int64_t)i * k;
    if ((k == 10 || k == 1) && ((i - a) & 1) == 1) {
      for (int32_t j = 0; j < k; j++) z[j] = znext[j];
    } else if (k == 10 && i + 1 < c) {
      row_logits10x2(row_start, col, val, code, table, coded, i, W, b, z, znext);
    } else if (k == 1 && i + 1 < c) {
      row_logits1x2(row_start, col, val, code, table, coded, i, W, b, z, znext);
    } else {
      row_logits(row_start, col, val, code, table, coded, i, W, b, k, z);
    }
    if (out == 0) {
      for (int32_t j = 0; j < k; j++) {
        const double x = z[j], p = sigmoid1(x);
        if (has_eps) {
          if (y[j] != 0) loss -= y[j] * log(p + eps);
          if (y[j] != 1) loss -= (1 - y[j]) * log(1 - p + eps);
        } else {
          loss += (x > 0 ? x : 0) - x * y[j] + log1p(exp(-fabs(x)));
        }
        r[j] = p;
      }
      correct += k == 1 ? (r[0] > 0.5) == (y[0] > 0.5) : same_argmax(r, y, k);
      for (int32_t j = 0; j < k; j++) r[j] -= y[j];
    } else {
      double m = z[0];
      for (int32_t j = 1; j < k; j++)
        if (z[j] > m) m = z[j];
      double s = 0;
#pragma omp simd
      for (int32_t j = 0; j < k; j++) r[j] = exp(z[j] - m);
      for (int32_t j = 0; j < k; j++) s += r[j];
      if (out == 2) {
        double *RS e = E + (int64_t)(i - r0) * k;
        for (int32_t j = 0; j < k; j++) {
          e[j] = r[j];
          esum += r[j];
        }
        /* The gradient's Σ x_iᵀ e_i: the caller forms inv · it − Σ x_iᵀ y_i. */
        if (grad) {
          for (int32_t j = 0; j < k; j++) rs[j] += r[j];
          row_scatter(row_start, col, val, code, table, coded, i, r, k, g);
        }
        continue;
      }
      if (!has_eps) {
        const double lse = m + log(s);
        for (int32_t j = 0; j < k; j++)
          if (y[j] != 0) loss += y[j] * (lse - z[j]);
      }
      const double inv = 1 / s;
      for (int32_t j = 0; j < k; j++) r[j] *= inv;
      if (has_eps) {
        for (int32_t j = 0; j < k; j++)
          if (y[j] != 0) loss -= y[j] * log(r[j] + eps);
      }
      correct += same_argmax(r, y, k);
      for (int32_t j = 0; j < k; j++) r[j] -= y[j];
    }
    if (grad) {
      for (int32_t j = 0; j < k; j++) rs[j] += r[j];
      row_scatter(row_start, col, val, code, table, coded, i, r, k, g);
    }
  }
  stats[0] = loss;
  stats[1] = correct;
  stats[2] = esum;
}

/* Pass 2 of mode 2 over one chunk: p = e · inv, loss, correct, gradient. */
static inline void batch_softmax_chunk_k(const uint32_t *RS row_start, const uint16_t *RS col,
                                         const double *RS val, const uint8_t *RS code,
                                         const double *RS table, const int coded, int32_t a, int32_t c,
                                         int32_t r0, const int32_t k, int32_t mode, double eps,
                                         double inv, const double *RS Y, const double *RS E,
                                         double *RS g, double *RS rs, double *RS stats) {
  double r[k > 0 ? k : 1];
  double loss = 0, correct = 0;
  for (int32_t i = a; i < c; i++) {
    const double *RS y = Y + (int64_t)i * k;
    const double *RS e = E + (int64_t)(i - r0) * k;
    for (int32_t j = 0; j < k; j++) {
      r[j] = e[j] * inv;
      if (y[j] != 0) loss -= y[j] * log(r[j] + eps);
    }
    correct += same_argmax(r, y, k);
    if (mode & 8) {
      for (int32_t j = 0; j < k; j++) {
        r[j] -= y[j];
        rs[j] += r[j];
      }
      row_scatter(row_start, col, val, code, table, coded, i, r, k, g);
    }
  }
  stats[0] = loss;
  stats[1] = correct;
}

#define LINEAR_PASS_K(KK, CODED)                                                                   \
  do {                                                                                      \
    _Pragma("omp parallel for schedule(dynamic, 1) if (chunks > 1)")                        \
    for (int32_t t = 0; t < chunks; t++) {                                                  \
      const int32_t a = r0 + t * LINEAR_CHUNK;                                              \
      const int32_t c = a + LINEAR_CHUNK < r1 ? a + LINEAR_CHUNK : r1;                      \
      double *g = partials + (int64_t)t * (dk + KK);                                        \
      if (grad)                                                                             \
        for (int64_t q = 0; q < dk + KK; q++) g[q] = 0;                                     \
      linear_chunk_k(row_start, col, val, code, table, CODED, a, c, r0, W, b, KK, mode, eps, Y, E, g, g + dk,   \
                     chunk_stats + 3 * t);                                                  \
    }                                                                                       \
    if ((mode & 3) == 2) {                                                                  \
      double total = 0;                                                                     \
      for (int32_t t = 0; t < chunks; t++) total += chunk_stats[3 * t + 2];                 \
      inv = 1 / total;                                                                      \
      _Pragma("omp parallel for schedule(dynamic, 1) if (chunks > 1)")                      \
      for (int32_t t = 0; t < chunks; t++) {                                                \
        const int32_t a = r0 + t * LINEAR_CHUNK;                                            \
        const int32_t c = a + LINEAR_CHUNK < r1 ? a + LINEAR_CHUNK : r1;                    \
        double *g = partials + (int64_t)t * (dk + KK);                                      \
        batch_softmax_chunk_k(row_start, col, val, code, table, CODED, a, c, r0, KK, mode & ~8, eps, inv, Y, E, g,   \
                              g + dk, chunk_stats + 3 * t);                                 \
      }                                                                                     \
    }                                                                                       \
  } while (0)

void nnkit_linear_pass(const uint32_t *row_start, const uint16_t *col, const double *val,
                       const uint8_t *code, const double *table, int32_t r0, int32_t r1, int32_t d, const double *W, const double *b,
                       int32_t k, int32_t mode, double eps, const double *Y, double *E,
                       double *partials, double *chunk_stats, const double *ysums, double *G,
                       double *rsum, double *stats) {
  const int32_t chunks = (r1 - r0 + LINEAR_CHUNK - 1) / LINEAR_CHUNK;
  const int64_t dk = (int64_t)d * k;
  const int grad = mode & 8;
  double inv = 1;
  if (mode & 16) {
    if (k == 10) LINEAR_PASS_K(10, 1);
    else if (k == 1) LINEAR_PASS_K(1, 1);
    else LINEAR_PASS_K(k, 1);
  } else {
    if (k == 10) LINEAR_PASS_K(10, 0);
    else if (k == 1) LINEAR_PASS_K(1, 0);
    else LINEAR_PASS_K(k, 0);
  }
  double loss = 0, correct = 0;
  for (int32_t t = 0; t < chunks; t++) {
    loss += chunk_stats[3 * t];
    correct += chunk_stats[3 * t + 1];
  }
  stats[0] = loss;
  stats[1] = correct;
  if (!grad) return;
  for (int64_t q = 0; q < dk + k; q++) {
    double s = 0;
    for (int32_t t = 0; t < chunks; t++) s += partials[(int64_t)t * (dk + k) + q];
    if ((mode & 3) == 2) s = inv * s - ysums[q];
    if (q < dk) G[q] = s;
    else rsum[q - dk] = s;
  }
}

/*
 * ysums [d·k + k] = (Σ_i x_iᵀ y_i, Σ_i y_i) over rows r0 <= i < r1, in row
 * order: the constant part of the whole-batch softmax's gradient (mode 2).
 */
void nnkit_linear_ysums(const uint32_t *row_start, const uint16_t *col, const double *val,
                        int32_t r0, int32_t r1, int32_t d, int32_t k, const double *Y,
                        double *ysums) {
  const int64_t dk = (int64_t)d * k;
  for (int64_t q = 0; q < dk + k; q++) ysums[q] = 0;
  for (int32_t i = r0; i < r1; i++) {
    const double *y = Y + (int64_t)i * k;
    for (int32_t j = 0; j < k; j++) ysums[dk + j] += y[j];
    for (uint32_t p = row_start[i]; p < row_start[i + 1]; p++) {
      double *g = ysums + (int64_t)col[p] * k;
      for (int32_t j = 0; j < k; j++) g[j] += val[p] * y[j];
    }
  }
}

/* 1 when compiled with OpenMP, so the loader can report threads. */
int32_t nnkit_openmp(void) {
#ifdef _OPENMP
  return 1;
#else
  return 0;
#endif
}

/*
 * Elementwise activations over whole matrices (lib/nn/activations.ts calls
 * them for large inputs): sigmoid, tanh and row softmax, float64 and float32.
 * Their exp and tanh run 4 or 8 at a time with libmvec (see the top).
 */

/* a = 1 / (1 + e^(−z)), elementwise (a may be z); saturates to exactly 0 and 1. */
void nnkit_sigmoid_f64(const double *z, double *a, int32_t n) {
#pragma omp simd
  for (int32_t i = 0; i < n; i++) a[i] = 1.0 / (1.0 + exp(-z[i]));
}

void nnkit_sigmoid_f32(const float *z, float *a, int32_t n) {
#pragma omp simd
  for (int32_t i = 0; i < n; i++) a[i] = 1.0f / (1.0f + expf(-z[i]));
}

/* a = tanh(z), elementwise (a may be z). */
void nnkit_tanh_f64(const double *z, double *a, int32_t n) {
#pragma omp simd
  for (int32_t i = 0; i < n; i++) a[i] = tanh(z[i]);
}

void nnkit_tanh_f32(const float *z, float *a, int32_t n) {
#pragma omp simd
  for (int32_t i = 0; i < n; i++) a[i] = tanhf(z[i]);
}

/* a[i·a_stride + j] = tanh(z[i·cols + j]): rows of z into a wider layout (seed 001's [1 | tanh]). */
#define DEFINE_TANH_ROWS(T, SUFFIX, TANH)                                                 \
  void nnkit_tanh_rows_##SUFFIX(const T *RS z, T *RS a, int32_t rows, int32_t cols,       \
                                int32_t a_stride) {                                       \
    for (int32_t i = 0; i < rows; i++) {                                                  \
      const T *RS zi = z + (int64_t)i * cols;                                             \
      T *RS ai = a + (int64_t)i * a_stride;                                               \
      _Pragma("omp simd") for (int32_t j = 0; j < cols; j++) ai[j] = TANH(zi[j]);         \
    }                                                                                     \
  }

DEFINE_TANH_ROWS(double, f64, tanh)
DEFINE_TANH_ROWS(float, f32, tanhf)

/*
 * ReLU forward a = (z < 0 ? 0 : z) and backward d = (a > 0 ? g : 0), and the
 * column sums c[j] = Σ_i x[i, j] in row order: the same comparisons and the
 * same order of additions as the TypeScript loops (activations.ts, ops.ts),
 * so the same bits, without their branch mispredictions (ReLU inputs change
 * sign at random).
 */
#define DEFINE_ELEMENTWISE(T, SUFFIX)                                                     \
  void nnkit_relu_##SUFFIX(const T *z, T *a, int32_t n) {                                 \
    _Pragma("omp simd") for (int32_t i = 0; i < n; i++) a[i] = z[i] < 0 ? 0 : z[i];      \
  }                                                                                       \
  void nnkit_relu_backward_##SUFFIX(const T *a, const T *g, T *d, int32_t n) {            \
    _Pragma("omp simd") for (int32_t i = 0; i < n; i++) d[i] = a[i] > 0 ? g[i] : 0;      \
  }                                                                                       \
  void nnkit_col_sums_##SUFFIX(const T *RS x, int32_t rows, int32_t cols, T *RS c) {      \
    for (int32_t j = 0; j < cols; j++) c[j] = 0;                                          \
    for (int32_t i = 0; i < rows; i++) {                                                  \
      const T *RS xi = x + (int64_t)i * cols;                                             \
      for (int32_t j = 0; j < cols; j++) c[j] += xi[j];                                   \
    }                                                                                     \
  }

DEFINE_ELEMENTWISE(double, f64)
DEFINE_ELEMENTWISE(float, f32)

/* Copies rows order[start .. start + rows) of src (row_bytes each) into dst, back to back. */
void nnkit_gather_rows(const uint8_t *RS src, int32_t row_bytes, const uint32_t *RS order,
                       int32_t start, int32_t rows, uint8_t *RS dst) {
  for (int32_t r = 0; r < rows; r++) {
    memcpy(dst + (int64_t)r * row_bytes, src + (int64_t)order[start + r] * row_bytes,
           (size_t)row_bytes);
  }
}

/* B = Aᵀ: A [rows, cols] into B [cols, rows], in 16 × 16 blocks (exact copies). */
#define DEFINE_TRANSPOSE(T, SUFFIX)                                                       \
  void nnkit_transpose_##SUFFIX(const T *RS A, int32_t rows, int32_t cols, T *RS B) {     \
    for (int32_t i0 = 0; i0 < rows; i0 += 16) {                                           \
      const int32_t i1 = i0 + 16 < rows ? i0 + 16 : rows;                                 \
      for (int32_t j0 = 0; j0 < cols; j0 += 16) {                                         \
        const int32_t j1 = j0 + 16 < cols ? j0 + 16 : cols;                               \
        for (int32_t j = j0; j < j1; j++) {                                               \
          for (int32_t i = i0; i < i1; i++) B[(int64_t)j * rows + i] = A[(int64_t)i * cols + j]; \
        }                                                                                 \
      }                                                                                   \
    }                                                                                     \
  }

DEFINE_TRANSPOSE(double, f64)
DEFINE_TRANSPOSE(float, f32)

/*
 * p = softmax of each k-wide row of z (rows·k values): the row maximum is
 * subtracted first (no overflow; the largest term is e⁰ = 1), then the
 * exponentials of all rows in one vector loop, then each row is scaled by
 * 1 / its sum. p may be z.
 */
#define DEFINE_SOFTMAX_ROWS(T, SUFFIX, EXP)                                   \
  void nnkit_softmax_rows_##SUFFIX(const T *z, T *p, int32_t rows, int32_t k) { \
    for (int32_t i = 0; i < rows; i++) {                                      \
      const T *zi = z + (int64_t)i * k;                                       \
      T *pi = p + (int64_t)i * k;                                             \
      T m = zi[0];                                                            \
      for (int32_t j = 1; j < k; j++)                                         \
        if (zi[j] > m) m = zi[j];                                             \
      for (int32_t j = 0; j < k; j++) pi[j] = zi[j] - m;                      \
    }                                                                         \
    const int64_t n = (int64_t)rows * k;                                      \
    _Pragma("omp simd") for (int64_t q = 0; q < n; q++) p[q] = EXP(p[q]);     \
    for (int32_t i = 0; i < rows; i++) {                                      \
      T *pi = p + (int64_t)i * k;                                             \
      T s = 0;                                                                \
      for (int32_t j = 0; j < k; j++) s += pi[j];                             \
      const T inv = 1 / s;                                                    \
      for (int32_t j = 0; j < k; j++) pi[j] *= inv;                           \
    }                                                                         \
  }

DEFINE_SOFTMAX_ROWS(double, f64, exp)
DEFINE_SOFTMAX_ROWS(float, f32, expf)
