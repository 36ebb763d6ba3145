/**
 * @file tjax-blas: the machine's BLAS (OpenBLAS) for tjax's CPU device, through Node-API.
 *
 * One entry point, gemm(), computes C[b] = A[b] @ B[b] for a batch of float32 or float64
 * matrices given as TypedArrays plus an element offset and (batch, row, col) strides each. The
 * arrays' memory (ArrayBuffer or SharedArrayBuffer) goes to BLAS as it is: no copies, unless a
 * layout is one BLAS cannot address (BLAS takes one unit stride per matrix plus a leading
 * dimension), in which case that operand alone is packed into a scratch matrix first.
 * Matrix-vector and vector-matrix products go to gemv. A result depends on the shapes alone, never
 * on the operands' layouts (see gemv() and gemm1() for how).
 *
 * Large products go to tjax's own AVX-512 GEMM instead where the CPU has AVX-512 (gemm512.c),
 * unless setGemm('openblas') (TJAX_CPU_GEMM=openblas) says otherwise.
 *
 * conv() (conv.c) runs convolutions on the same GEMM: patches gathered per tile, then sgemm.
 *
 * The module is a Node-API addon whose only state is per-thread scratch memory (OpenBLAS's thread
 * count is process-wide by nature), so it loads in the main thread and in worker threads alike.
 * The CBLAS and OpenBLAS prototypes are declared here rather than included: the header's place
 * differs between distributions (Debian keeps it under a multiarch, per-variant folder), the
 * ABI does not (32-bit BLAS integers, enums as int).
 */
#include "blas.h"

char *scratch(Scratch *s, size_t bytes) {
  if (s->size < bytes) {
    free(s->p);
    s->p = malloc(bytes);
    s->size = s->p ? bytes : 0;
  }
  return s->p;
}

/*
 * How row-major BLAS can read a rows x cols matrix as it lies: not transposed with a leading
 * dimension (unit column stride), or transposed (unit row stride). 0 when neither fits. Size-1
 * dimensions have no stride that matters.
 */
static int layout(int64_t rows, int64_t cols, int64_t rs, int64_t cs, int *trans, int64_t *ld) {
  if ((cols == 1 || cs == 1) && (rows == 1 || rs >= cols)) {
    *trans = NoTrans;
    *ld = rows == 1 ? cols : rs;
    return 1;
  }
  if ((rows == 1 || rs == 1) && (cols == 1 || cs >= rows)) {
    *trans = Trans;
    *ld = cols == 1 ? rows : cs;
    return 1;
  }
  return 0;
}

/* Copy a strided matrix into contiguous row-major memory. */
static void pack(int f64, int64_t rows, int64_t cols, Mat x, char *into) {
  for (int64_t i = 0; i < rows; i++) {
    for (int64_t j = 0; j < cols; j++) {
      int64_t at = i * x.rs + j * x.cs;
      if (f64) ((double *)into)[i * cols + j] = ((double *)x.p)[at];
      else ((float *)into)[i * cols + j] = ((float *)x.p)[at];
    }
  }
}

/* Copy contiguous row-major memory into a strided matrix, in 16x16 blocks (a transposed store
 * then writes whole cache lines of one block's columns in turn instead of one line per element). */
void unpack(int f64, int64_t rows, int64_t cols, const char *from, Mat x) {
  enum { B = 16 };
  for (int64_t i0 = 0; i0 < rows; i0 += B) {
    int64_t i1 = i0 + B < rows ? i0 + B : rows;
    for (int64_t j0 = 0; j0 < cols; j0 += B) {
      int64_t j1 = j0 + B < cols ? j0 + B : cols;
      for (int64_t j = j0; j < j1; j++) {
        for (int64_t i = i0; i < i1; i++) {
          int64_t at = i * x.rs + j * x.cs;
          if (f64) ((double *)x.p)[at] = ((const double *)from)[i * cols + j];
          else ((float *)x.p)[at] = ((const float *)from)[i * cols + j];
        }
      }
    }
  }
}

void zero(int f64, int64_t rows, int64_t cols, Mat x) {
  for (int64_t i = 0; i < rows; i++) {
    for (int64_t j = 0; j < cols; j++) {
      int64_t at = i * x.rs + j * x.cs;
      if (f64) ((double *)x.p)[at] = 0;
      else ((float *)x.p)[at] = 0;
    }
  }
}

/*
 * A matrix as BLAS can take it: the operand itself, or a packed copy in `s`. NULL: no memory.
 * `plain`: only untransposed (a transposed operand is packed too).
 */
const char *operand(int f64, int64_t rows, int64_t cols, Mat x, Scratch *s, int *trans,
                           int64_t *ld, int plain) {
  if (layout(rows, cols, x.rs, x.cs, trans, ld) && !(plain && *trans == Trans)) return x.p;
  char *p = scratch(s, (size_t)(rows * cols) * (f64 ? 8 : 4));
  if (!p) return NULL;
  pack(f64, rows, cols, x, p);
  *trans = NoTrans;
  *ld = cols;
  return p;
}

/* A contiguous copy of a vector when it is strided, else the vector itself. */
static const char *vector(int f64, int64_t len, char *p, int64_t stride, Scratch *s) {
  if (len == 1 || stride == 1) return p;
  Mat x = {p, stride, 0};
  char *q = scratch(s, (size_t)len * (f64 ? 8 : 4));
  if (!q) return NULL;
  pack(f64, len, 1, x, q);
  return q;
}

/* A rows x cols operand in row-major layout: itself when it is, else a packed copy in `s`. */
static const char *row_major(int f64, int64_t rows, int64_t cols, Mat x, Scratch *s, int64_t *ld) {
  if ((cols == 1 || x.cs == 1) && (rows == 1 || x.rs >= cols)) {
    *ld = rows == 1 ? cols : x.rs;
    return x.p;
  }
  char *p = scratch(s, (size_t)(rows * cols) * (f64 ? 8 : 4));
  if (!p) return NULL;
  pack(f64, rows, cols, x, p);
  *ld = cols;
  return p;
}

/*
 * y (m, contiguous) = A x or x^T B, in one fixed form each, whatever the operands' layouts (gemv's
 * kernels round differently for a transposed matrix or a strided vector, while GEMM's packing
 * makes its results independent of them): for n == 1, A (m x k) row-major, one dot product per
 * output; for m == 1, B (k x n) row-major, rows of B scaled and added. gemv's beta = 0 would
 * scale y by zero, which leaves a NaN already in y there in some OpenBLAS versions: y is zeroed
 * first and added to instead.
 */
static int gemv(int f64, int trans, int64_t rows, int64_t cols, Mat a, char *x, int64_t xs, char *y,
                Scratch *sa, Scratch *sx) {
  int64_t ld;
  const char *ap = row_major(f64, rows, cols, a, sa, &ld);
  const char *xp = vector(f64, trans == NoTrans ? cols : rows, x, xs, sx);
  if (!ap || !xp) return 0;
  int64_t len = trans == NoTrans ? rows : cols;
  if (f64) memset(y, 0, (size_t)len * 8);
  else memset(y, 0, (size_t)len * 4);
  if (f64)
    cblas_dgemv(RowMajor, trans, (int)rows, (int)cols, 1.0, (const double *)ap, (int)ld,
                (const double *)xp, 1, 1.0, (double *)y, 1);
  else
    cblas_sgemv(RowMajor, trans, (int)rows, (int)cols, 1.0f, (const float *)ap, (int)ld,
                (const float *)xp, 1, 1.0f, (float *)y, 1);
  return 1;
}

/*
 * C (m x n) = A (m x k) @ B (k x n), all sizes > 0. 0 when out of memory. C is always computed
 * row-major (into scratch, then copied, when it lies otherwise), so that its layout cannot change
 * a result.
 */
static int gemm1(int f64, int64_t m, int64_t n, int64_t k, Mat a, Mat b, Mat c, Scratch s[3],
                 int threads) {
  if (own_gemm_wanted(f64, m, n, k)) return own_gemm_threads(f64, m, n, k, a, b, c, 0, threads);
  int direct = n == 1 ? (m == 1 || c.rs == 1) : (c.cs == 1 && (m == 1 || c.rs >= n));
  /* OpenBLAS's AVX-512 (SkylakeX, Cooperlake) sgemm sends products of up to 10^6 multiply-adds
   * to small-matrix kernels, one per transpose case, which round differently: there, transposed
   * operands are packed, so that a result does not depend on the layouts (eager and jitted
   * products, which fold transposes differently, agree bit for bit). A transposed C goes through
   * scratch and a copy, never as C^T = B^T A^T: with the Haswell kernels that product rounds
   * differently from C = A B. */
  int plain = (double)m * (double)n * (double)k <= 1e6;
  if (!direct) {
    char *p = scratch(&s[2], (size_t)(m * n) * (f64 ? 8 : 4));
    if (!p) return 0;
    Mat tmp = {p, n, 1};
    if (!gemm1(f64, m, n, k, a, b, tmp, s, 1)) return 0;
    unpack(f64, m, n, p, c);
    return 1;
  }
  if (n == 1) return gemv(f64, NoTrans, m, k, a, b.p, b.rs, c.p, &s[0], &s[1]);
  if (m == 1) return gemv(f64, Trans, k, n, b, a.p, a.cs, c.p, &s[1], &s[0]);
  int64_t ldc = m == 1 ? n : c.rs;
  int ta, tb;
  int64_t lda, ldb;
  const char *ap = operand(f64, m, k, a, &s[0], &ta, &lda, plain);
  const char *bp = operand(f64, k, n, b, &s[1], &tb, &ldb, plain);
  if (!ap || !bp) return 0;
  if (f64)
    cblas_dgemm(RowMajor, ta, tb, (int)m, (int)n, (int)k, 1.0, (const double *)ap, (int)lda,
                (const double *)bp, (int)ldb, 0.0, (double *)c.p, (int)ldc);
  else
    cblas_sgemm(RowMajor, ta, tb, (int)m, (int)n, (int)k, 1.0f, (const float *)ap, (int)lda,
                (const float *)bp, (int)ldb, 0.0f, (float *)c.p, (int)ldc);
  return 1;
}

/* ---- Node-API glue ------------------------------------------------------------------------- */

#define CHECK(env, call)                                                                          \
  do {                                                                                            \
    if ((call) != napi_ok) {                                                                      \
      napi_throw_error(env, NULL, "tjax-blas: Node-API call failed: " #call);                     \
      return NULL;                                                                                \
    }                                                                                             \
  } while (0)

int get_int(napi_env env, napi_value v, int64_t *out) {
  return napi_get_value_int64(env, v, out) == napi_ok;
}

/* A float32/float64 TypedArray's data and length; 0 when it is not one. */
int get_floats(napi_env env, napi_value v, int *f64, char **data, size_t *len) {
  napi_typedarray_type type;
  napi_value ab;
  size_t offset;
  void *p;
  if (napi_get_typedarray_info(env, v, &type, len, &p, &ab, &offset) != napi_ok) return 0;
  if (type != napi_float32_array && type != napi_float64_array) return 0;
  *f64 = type == napi_float64_array;
  *data = p;
  return 1;
}

/* Does (batch, rows, cols) at `off` with these strides stay inside `len` elements? */
static int inside(int64_t batch, int64_t rows, int64_t cols, int64_t off, const int64_t st[3],
                  size_t len) {
  for (int i = 0; i < 3; i++)
    if (st[i] < 0 || st[i] > INT32_MAX) return 0;
  if (off < 0) return 0;
  if (batch == 0 || rows == 0 || cols == 0) return 1;
  int64_t last = off + (batch - 1) * st[0] + (rows - 1) * st[1] + (cols - 1) * st[2];
  return last < (int64_t)len;
}

/*
 * gemm(batch, m, n, k, a, aOff, aBatch, aRow, aCol, b, bOff, bBatch, bRow, bCol, c, cOff,
 *      cBatch, cRow, cCol[, threads]): C[i] = A[i] @ B[i] for i < batch; A is (batch, m, k), B
 * (batch, k, n), C (batch, m, n); offsets and strides in elements; a, b, c Float32Arrays or
 * Float64Arrays alike. `threads` (default 1): how many threads tjax's own GEMM may run each
 * product on (pool.c); OpenBLAS's products stay on the calling thread.
 */
static napi_value Gemm(napi_env env, napi_callback_info info) {
  size_t argc = 20;
  napi_value argv[20];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int64_t threads = 1;
  if ((argc != 19 && argc != 20) ||
      (argc == 20 && (!get_int(env, argv[19], &threads) || threads < 1 || threads > 1024))) {
    napi_throw_type_error(env, NULL,
                          "tjax-blas gemm: expected 19 arguments and a thread count in [1, 1024]");
    return NULL;
  }
  int64_t dims[4], ops[3][4];
  char *data[3];
  size_t len[3];
  int f64[3];
  for (int i = 0; i < 4; i++) {
    if (!get_int(env, argv[i], &dims[i]) || dims[i] < 0 || dims[i] > INT32_MAX) {
      napi_throw_range_error(env, NULL, "tjax-blas gemm: sizes must be integers in [0, 2^31)");
      return NULL;
    }
  }
  for (int o = 0; o < 3; o++) {
    if (!get_floats(env, argv[4 + 5 * o], &f64[o], &data[o], &len[o])) {
      napi_throw_type_error(env, NULL, "tjax-blas gemm: operands must be Float32Arrays or Float64Arrays");
      return NULL;
    }
    for (int j = 0; j < 4; j++) {
      if (!get_int(env, argv[5 + 5 * o + j], &ops[o][j])) {
        napi_throw_type_error(env, NULL, "tjax-blas gemm: offsets and strides must be integers");
        return NULL;
      }
    }
  }
  if (f64[0] != f64[1] || f64[0] != f64[2]) {
    napi_throw_type_error(env, NULL, "tjax-blas gemm: operands must share one dtype");
    return NULL;
  }
  int64_t batch = dims[0], m = dims[1], n = dims[2], k = dims[3];
  const int64_t ext[3][2] = {{m, k}, {k, n}, {m, n}};
  for (int o = 0; o < 3; o++) {
    if (!inside(batch, ext[o][0], ext[o][1], ops[o][0], &ops[o][1], len[o])) {
      napi_throw_range_error(env, NULL,
                             "tjax-blas gemm: an operand's offset and strides reach outside its array");
      return NULL;
    }
  }
  int f = f64[0];
  size_t es = f ? 8 : 4;
  if (batch == 0 || m == 0 || n == 0) return NULL;
  /* Each thread keeps its scratch areas between calls (fresh pages cost a fault each). */
  static _Thread_local Scratch s[3];
  int ok = 1;
  for (int64_t i = 0; i < batch && ok; i++) {
    Mat a = {data[0] + (ops[0][0] + i * ops[0][1]) * es, ops[0][2], ops[0][3]};
    Mat b = {data[1] + (ops[1][0] + i * ops[1][1]) * es, ops[1][2], ops[1][3]};
    Mat c = {data[2] + (ops[2][0] + i * ops[2][1]) * es, ops[2][2], ops[2][3]};
    if (k == 0) zero(f, m, n, c);
    else ok = gemm1(f, m, n, k, a, b, c, s, (int)threads);
  }
  for (int i = 0; i < 3; i++) {
    if (s[i].size > ((size_t)16 << 20)) {
      free(s[i].p);
      s[i].p = NULL;
      s[i].size = 0;
    }
  }
  if (!ok) napi_throw_error(env, NULL, "tjax-blas gemm: out of memory for a packed operand");
  return NULL;
}

static napi_value SetThreads(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int64_t n;
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc != 1 || !get_int(env, argv[0], &n) || n < 1 || n > 1024) {
    napi_throw_range_error(env, NULL, "tjax-blas setThreads: expected a thread count in [1, 1024]");
    return NULL;
  }
  openblas_set_num_threads((int)n);
  return NULL;
}

/* setGemm(mode): who runs products: "openblas" (all of them), "auto" (tjax's own AVX-512 GEMM
 * the large ones, where the CPU has AVX-512) or "all" (the own GEMM every one, for tests).
 * Returns the mode now in force. Process-wide, like OpenBLAS's own settings. */
static const char *gemm_modes[] = {"openblas", "auto", "all"};

static napi_value SetGemm(napi_env env, napi_callback_info info) {
  size_t argc = 1, len;
  napi_value argv[1], v;
  char name[16];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int m = -1;
  if (argc == 1 && napi_get_value_string_utf8(env, argv[0], name, sizeof name, &len) == napi_ok)
    for (int i = 0; i < 3; i++)
      if (strcmp(name, gemm_modes[i]) == 0) m = i;
  if (m < 0) {
    napi_throw_type_error(env, NULL, "tjax-blas setGemm: expected 'openblas', 'auto' or 'all'");
    return NULL;
  }
  CHECK(env, napi_create_string_utf8(env, gemm_modes[own_gemm_set(m)], NAPI_AUTO_LENGTH, &v));
  return v;
}

/* ownGemm(f64, m, n, k): whether a product of this shape goes to tjax's own GEMM (which runs on
 * the addon's threads) rather than OpenBLAS (single-threaded: the caller splits it into tiles). */
static napi_value OwnGemm(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4], v;
  int64_t d[4];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  for (int i = 0; i < 4; i++) {
    if (argc != 4 || !get_int(env, argv[i], &d[i])) {
      napi_throw_type_error(env, NULL, "tjax-blas ownGemm: expected (f64, m, n, k) as numbers");
      return NULL;
    }
  }
  CHECK(env, napi_get_boolean(env, own_gemm_wanted(d[0] != 0, d[1], d[2], d[3]), &v));
  return v;
}

static napi_value Info(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value obj, v;
  CHECK(env, napi_create_object(env, &obj));
  CHECK(env, napi_create_string_utf8(env, openblas_get_config(), NAPI_AUTO_LENGTH, &v));
  CHECK(env, napi_set_named_property(env, obj, "config", v));
  CHECK(env, napi_create_string_utf8(env, openblas_get_corename(), NAPI_AUTO_LENGTH, &v));
  CHECK(env, napi_set_named_property(env, obj, "corename", v));
  CHECK(env, napi_create_int32(env, openblas_get_num_threads(), &v));
  CHECK(env, napi_set_named_property(env, obj, "threads", v));
  CHECK(env, napi_create_int32(env, openblas_get_num_procs(), &v));
  CHECK(env, napi_set_named_property(env, obj, "procs", v));
  static const char *models[] = {"sequential", "pthreads", "openmp"};
  int par = openblas_get_parallel();
  CHECK(env, napi_create_string_utf8(env, par >= 0 && par <= 2 ? models[par] : "unknown",
                                     NAPI_AUTO_LENGTH, &v));
  CHECK(env, napi_set_named_property(env, obj, "parallel", v));
  CHECK(env, napi_create_string_utf8(env, gemm_modes[own_gemm_mode()], NAPI_AUTO_LENGTH, &v));
  CHECK(env, napi_set_named_property(env, obj, "gemm", v));
  CHECK(env, napi_get_boolean(env, own_gemm_supported(), &v));
  CHECK(env, napi_set_named_property(env, obj, "avx512", v));
  CHECK(env, napi_create_double(env, (double)pool_helped(), &v));
  CHECK(env, napi_set_named_property(env, obj, "poolTasks", v));
  return obj;
}

NAPI_MODULE_INIT() {
  napi_property_descriptor props[] = {
      {"gemm", NULL, Gemm, NULL, NULL, NULL, napi_enumerable, NULL},
      {"conv", NULL, Conv, NULL, NULL, NULL, napi_enumerable, NULL},
      {"setThreads", NULL, SetThreads, NULL, NULL, NULL, napi_enumerable, NULL},
      {"setGemm", NULL, SetGemm, NULL, NULL, NULL, napi_enumerable, NULL},
      {"info", NULL, Info, NULL, NULL, NULL, napi_enumerable, NULL},
      {"ownGemm", NULL, OwnGemm, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  if (napi_define_properties(env, exports, 6, props) != napi_ok) return NULL;
  return exports;
}
