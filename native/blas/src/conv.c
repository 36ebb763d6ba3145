/**
 * @file conv(): a convolution as GEMMs over patches gathered tile by tile (an "implicit im2col":
 * the patch matrix is never materialised whole). tjax's lowering (primitives/conv-gemm.ts) and
 * plan (backends/cpu/conv-plan.ts) describe the convolution as C[g] (M x Og) = A[g] (M x K) @
 * B[g] (K x Og), where a row m of A is one output position of one (output) batch element and a
 * column k one (input feature, window position) pair, so that A's elements are lhs elements or
 * padding zeros. Each unit of work is one tile of rows of C for one group: for each block of k it
 * gathers its part of A into scratch memory (whole runs of lhs elements: memcpy where they are
 * contiguous) and calls sgemm/dgemm (beta = 1 after the first block), or tjax's own AVX-512 GEMM
 * (gemm512.c) for large tiles, which continues each element's FMA chain across the blocks. The tiles and k-blocks
 * depend on the shapes alone, so every element of C is computed by the same calls whatever the
 * thread that runs a unit (tjax runs units on its worker pool, one BLAS thread each).
 *
 * Two orientations, chosen by the lowering so that runs follow the lhs's unit stride:
 * - rows: A is gathered row-major; k = ks * Cg + c, runs along c (the input feature);
 * - cols: A is gathered transposed (k-major, given to BLAS as Trans); m = os * outN + n and k =
 *   c * KS + ks, runs along n (the lhs batch: a weight gradient's patches).
 * `table` holds, for each output position os and window position ks, the offset of the lhs
 * element (n = 0, c = 0) that they read, or -1 where that is padding or a hole of the lhs dilation.
 */
#include "blas.h"

/* The plan's numbers (a Float64Array; backends/cpu/conv-plan.ts writes them in this order). */
enum {
  P_ORIENT, /* 0: rows, 1: cols */
  P_GROUPS,
  P_M,
  P_K,
  P_OG,   /* output features per group: C's columns */
  P_CIN,  /* input features per group */
  P_KS,   /* window positions */
  P_OS,   /* output positions */
  P_OUTN, /* output batch size */
  P_LORG, /* lhs: element (0, 0, 0...), group stride, batch stride, feature stride */
  P_LG,
  P_SB,
  P_SC,
  P_ROFF, /* B: offset, group, k and column strides */
  P_RG,
  P_RK,
  P_RO,
  P_COFF, /* C: offset, group, row and column strides */
  P_CGRP,
  P_CM,
  P_CO,
  P_TM, /* rows of C per tile, k per block, tiles per group */
  P_KB,
  P_TILES,
  P_SIZE
};

static void copy_run(int f64, const char *src, int64_t stride, int64_t len, char *dst) {
  if (stride == 1) memcpy(dst, src, (size_t)len * (f64 ? 8 : 4));
  else if (f64)
    for (int64_t i = 0; i < len; i++) ((double *)dst)[i] = ((const double *)src)[i * stride];
  else
    for (int64_t i = 0; i < len; i++) ((float *)dst)[i] = ((const float *)src)[i * stride];
}

/* Rows m0.. (mw of them) and columns k0.. (kw) of A, row-major, into dst. */
static void gather_rows(int f64, const char *lhs, const int32_t *table, const int64_t *p, int64_t m0,
                        int64_t mw, int64_t k0, int64_t kw, char *dst) {
  const int64_t es = f64 ? 8 : 4, cg = p[P_CIN], ks_n = p[P_KS], os_n = p[P_OS];
  const int64_t sb = p[P_SB], sc = p[P_SC];
  for (int64_t r = 0; r < mw; r++) {
    const int64_t m = m0 + r, n = m / os_n, os = m - n * os_n;
    const int32_t *row = table + os * ks_n;
    char *d = dst + r * kw * es;
    for (int64_t k = k0, end = k0 + kw; k < end;) {
      const int64_t ks = k / cg, c0 = k - ks * cg;
      const int64_t len = cg - c0 < end - k ? cg - c0 : end - k;
      const int32_t s = row[ks];
      if (s < 0) memset(d, 0, (size_t)(len * es));
      else copy_run(f64, lhs + (n * sb + s + c0 * sc) * es, sc, len, d);
      d += len * es;
      k += len;
    }
  }
}

/* The same block of A transposed (kw rows of mw), into dst. */
static void gather_cols(int f64, const char *lhs, const int32_t *table, const int64_t *p, int64_t m0,
                        int64_t mw, int64_t k0, int64_t kw, char *dst) {
  const int64_t es = f64 ? 8 : 4, ks_n = p[P_KS], outn = p[P_OUTN];
  const int64_t sb = p[P_SB], sc = p[P_SC];
  for (int64_t kk = 0; kk < kw; kk++) {
    const int64_t k = k0 + kk, c = k / ks_n, ks = k - c * ks_n;
    char *d = dst + kk * mw * es;
    for (int64_t m = m0, end = m0 + mw; m < end;) {
      const int64_t os = m / outn, n0 = m - os * outn;
      const int64_t len = outn - n0 < end - m ? outn - n0 : end - m;
      const int32_t s = table[os * ks_n + ks];
      if (s < 0) memset(d, 0, (size_t)(len * es));
      else copy_run(f64, lhs + (c * sc + s + n0 * sb) * es, sb, len, d);
      d += len * es;
      m += len;
    }
  }
}

/* Units [lo, hi): unit u is tile u % tiles of group u / tiles. 0 when out of memory. */
static int units(int f64, char *lhs, char *rhs, char *out, const int32_t *table, const int64_t *p,
                 int64_t lo, int64_t hi) {
  static _Thread_local Scratch s[4];
  const int64_t es = f64 ? 8 : 4, rows = p[P_ORIENT] == 0;
  const int64_t M = p[P_M], K = p[P_K], og = p[P_OG], tm = p[P_TM], kb = p[P_KB], tiles = p[P_TILES];
  int ok = 1;
  for (int64_t u = lo; u < hi && ok; u++) {
    const int64_t g = u / tiles, m0 = (u - g * tiles) * tm;
    const int64_t mw = tm < M - m0 ? tm : M - m0;
    const char *lg = lhs + (p[P_LORG] + g * p[P_LG]) * es;
    char *bg = rhs + (p[P_ROFF] + g * p[P_RG]) * es;
    Mat c = {out + (p[P_COFF] + g * p[P_CGRP] + m0 * p[P_CM]) * es, p[P_CM], p[P_CO]};
    if (mw <= 0) continue;
    if (K == 0) {
      zero(f64, mw, og, c);
      continue;
    }
    /* tjax's own GEMM continues each element's chain of multiply-adds across k blocks (acc) and
     * writes C in any layout. For sgemm, C as it writes it (row-major): itself, or a scratch tile
     * copied out at the end. */
    const int own = own_gemm_wanted(f64, mw, og, K);
    const int direct = own || ((og == 1 || c.cs == 1) && (mw == 1 || c.rs >= og));
    const int64_t ldc = direct ? (mw == 1 ? og : c.rs) : og;
    char *cp = direct ? c.p : scratch(&s[1], (size_t)(mw * og * es));
    char *a = scratch(&s[0], (size_t)(mw * (kb < K ? kb : K) * es));
    if (!cp || !a) return 0;
    for (int64_t k0 = 0; k0 < K && ok; k0 += kb) {
      const int64_t kw = kb < K - k0 ? kb : K - k0;
      Mat am;
      if (rows) {
        gather_rows(f64, lg, table, p, m0, mw, k0, kw, a);
        am = (Mat){a, kw, 1};
      } else {
        gather_cols(f64, lg, table, p, m0, mw, k0, kw, a);
        am = (Mat){a, 1, mw};
      }
      Mat bm = {bg + k0 * p[P_RK] * es, p[P_RK], p[P_RO]};
      if (own) {
        ok = own_gemm(f64, mw, og, kw, am, bm, c, k0 > 0);
        continue;
      }
      int ta, tb;
      int64_t lda, ldb;
      const char *ap = operand(f64, mw, kw, am, &s[2], &ta, &lda, 0);
      const char *bp = operand(f64, kw, og, bm, &s[3], &tb, &ldb, 0);
      if (!ap || !bp) {
        ok = 0;
        break;
      }
      if (f64)
        cblas_dgemm(RowMajor, ta, tb, (int)mw, (int)og, (int)kw, 1.0, (const double *)ap, (int)lda,
                    (const double *)bp, (int)ldb, k0 ? 1.0 : 0.0, (double *)cp, (int)ldc);
      else
        cblas_sgemm(RowMajor, ta, tb, (int)mw, (int)og, (int)kw, 1.0f, (const float *)ap, (int)lda,
                    (const float *)bp, (int)ldb, k0 ? 1.0f : 0.0f, (float *)cp, (int)ldc);
    }
    if (ok && !direct) unpack(f64, mw, og, cp, c);
  }
  for (int i = 0; i < 4; i++) {
    if (s[i].size > ((size_t)16 << 20)) {
      free(s[i].p);
      s[i].p = NULL;
      s[i].size = 0;
    }
  }
  return ok;
}

/* The last element a strided extent reaches, or -1 when it is empty. */
static int64_t reach(int64_t n0, int64_t s0, int64_t n1, int64_t s1, int64_t n2, int64_t s2) {
  if (n0 == 0 || n1 == 0 || n2 == 0) return -1;
  return (n0 - 1) * s0 + (n1 - 1) * s1 + (n2 - 1) * s2;
}

/*
 * conv(lhs, rhs, out, table, plan, lo, hi): units [lo, hi) of the convolution `plan` describes;
 * lhs, rhs and out Float32Arrays or Float64Arrays alike, table an Int32Array, plan a
 * Float64Array. Every offset the plan and the table lead to is checked against the arrays first.
 */
napi_value Conv(napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value argv[7];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 7) {
    napi_throw_type_error(env, NULL, "tjax-blas conv: expected 7 arguments");
    return NULL;
  }
  char *data[3];
  size_t len[3];
  int f64[3];
  for (int o = 0; o < 3; o++) {
    if (!get_floats(env, argv[o], &f64[o], &data[o], &len[o])) {
      napi_throw_type_error(env, NULL, "tjax-blas conv: operands must be Float32Arrays or Float64Arrays");
      return NULL;
    }
  }
  if (f64[0] != f64[1] || f64[0] != f64[2]) {
    napi_throw_type_error(env, NULL, "tjax-blas conv: operands must share one dtype");
    return NULL;
  }
  napi_typedarray_type tt, pt;
  size_t tlen, plen, off;
  void *tp, *pp;
  napi_value ab;
  if (napi_get_typedarray_info(env, argv[3], &tt, &tlen, &tp, &ab, &off) != napi_ok ||
      tt != napi_int32_array ||
      napi_get_typedarray_info(env, argv[4], &pt, &plen, &pp, &ab, &off) != napi_ok ||
      pt != napi_float64_array || plen < P_SIZE) {
    napi_throw_type_error(env, NULL, "tjax-blas conv: expected an Int32Array table and a Float64Array plan");
    return NULL;
  }
  int64_t p[P_SIZE], lo, hi;
  for (int i = 0; i < P_SIZE; i++) {
    double v = ((const double *)pp)[i];
    if (!(v >= 0 && v < 2147483648.0) || v != (double)(int64_t)v) {
      napi_throw_range_error(env, NULL, "tjax-blas conv: plan numbers must be integers in [0, 2^31)");
      return NULL;
    }
    p[i] = (int64_t)v;
  }
  if (!get_int(env, argv[5], &lo) || !get_int(env, argv[6], &hi)) {
    napi_throw_type_error(env, NULL, "tjax-blas conv: the unit range must be integers");
    return NULL;
  }
  const int64_t M = p[P_M], K = p[P_K], og = p[P_OG], groups = p[P_GROUPS];
  const int64_t ks_n = p[P_KS], os_n = p[P_OS], cg = p[P_CIN], outn = p[P_OUTN];
  int bad = p[P_ORIENT] > 1 || p[P_TM] < 1 || p[P_KB] < 1 || p[P_TILES] * p[P_TM] < M ||
            lo < 0 || hi > groups * p[P_TILES] || K != cg * ks_n || M != outn * os_n ||
            (size_t)(os_n * ks_n) > tlen;
  /* Every lhs element the table can lead to lies inside lhs. */
  int64_t smax = -1;
  for (int64_t i = 0; !bad && i < os_n * ks_n; i++) {
    const int32_t s = ((const int32_t *)tp)[i];
    if (s < -1) bad = 1;
    if (s > smax) smax = s;
  }
  if (!bad && smax >= 0 && groups > 0 && M > 0 && K > 0) {
    const int64_t last = p[P_LORG] + reach(groups, p[P_LG], outn, p[P_SB], cg, p[P_SC]) + smax;
    bad = last >= (int64_t)len[0];
  }
  if (!bad && groups > 0 && K > 0 && og > 0)
    bad = p[P_ROFF] + reach(groups, p[P_RG], K, p[P_RK], og, p[P_RO]) >= (int64_t)len[1];
  if (!bad && groups > 0 && M > 0 && og > 0)
    bad = p[P_COFF] + reach(groups, p[P_CGRP], M, p[P_CM], og, p[P_CO]) >= (int64_t)len[2];
  if (bad) {
    napi_throw_range_error(env, NULL, "tjax-blas conv: the plan reaches outside its arrays");
    return NULL;
  }
  if (og == 0 || M == 0 || lo >= hi) return NULL;
  if (!units(f64[0], data[0], data[1], data[2], (const int32_t *)tp, p, lo, hi))
    napi_throw_error(env, NULL, "tjax-blas conv: out of memory for a tile");
  return NULL;
}
