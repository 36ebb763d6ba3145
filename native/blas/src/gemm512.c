/**
 * @file tjax's own AVX-512 SGEMM and DGEMM, for machines whose CPU has AVX-512 (the rest of the
 * addon calls OpenBLAS). The design is GotoBLAS's and BLIS's (Goto & van de Geijn, "Anatomy of
 * high-performance matrix multiplication", TOMS 2008; Van Zee & van de Geijn, "BLIS", TOMS 2015):
 * A is packed into panels of MR rows and B into panels of NR columns, whatever the operands'
 * strides (so a layout can never change a result), and a register-blocked micro-kernel computes
 * an MR x NR tile of C in 24 zmm accumulators: per step of k, two vectors of B's panel and MR
 * broadcast elements of A's, 24 fused multiply-adds. Cache blocking: a KC-deep sliver of A's panel
 * (MR x KC) stays in L1 while the kernel sweeps the NC-wide block of B's panels (KC x NC) held in
 * L2; A's block for the whole tile waits in L3.
 *
 * Reduction order: an element of C is one chain of fused multiply-adds over k = 0, 1, ..., K-1
 * from +0, in the precision of the dtype (float32 accumulates in float32, as XLA:CPU does). The
 * kernel reloads C at the start of every KC block after the first, so the chain does not depend
 * on KC, on the tiles tjax cuts C into, on the thread that runs a tile, nor on whether a
 * convolution hands k to it in blocks (acc = 1 continues a chain). Edge tiles are computed in
 * full in registers on zero-padded panels and only their valid part is stored.
 *
 * The kernels are compiled for AVX-512 alone (target attributes), and chosen at run time by
 * __builtin_cpu_supports, so the addon builds and runs on any x86-64 (and on other CPUs, or with
 * TJAX_NO_AVX512 defined at build time, this file compiles to a switch that stays off).
 */
#include "blas.h"

#include <stdatomic.h>

#if defined(__x86_64__) && defined(__GNUC__) && !defined(TJAX_NO_AVX512)
#define HAVE_512 1
#include <immintrin.h>
#else
#define HAVE_512 0
#endif

/* -1: not yet decided (TJAX_CPU_GEMM decides); 0: OpenBLAS for every product; 1: own kernels
 * for products large enough (own_gemm_wanted); 2: own kernels for every product (tests). */
static atomic_int mode = -1;

int own_gemm_supported(void) {
#if HAVE_512
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f") != 0;
#else
  return 0;
#endif
}

int own_gemm_mode(void) {
  int m = atomic_load(&mode);
  if (m < 0) {
    const char *e = getenv("TJAX_CPU_GEMM");
    m = own_gemm_supported() && !(e && strcmp(e, "openblas") == 0);
    atomic_store(&mode, m);
  }
  return m;
}

int own_gemm_set(int m) {
  if (!own_gemm_supported()) m = 0;
  atomic_store(&mode, m);
  return m;
}

/*
 * Whether a product goes to the own kernels: enough columns to fill a panel (NR: 32 float32, 16
 * float64; narrower products and matrix-vector ones stay with OpenBLAS, whose kernels waste less
 * there), 16 rows, and 2^17 multiply-adds, below which packing costs more than it gains. Measured
 * against OpenBLAS's Haswell kernels on a Zen 5 (one thread, single calls: the own kernels took
 * 0.5x to 0.85x OpenBLAS's time from 64^3 up, 0.55x at 512x512x8, but 1.6x at 256x16x256). A
 * function of the shape alone, so every call of a product, and every tile of it, takes one path.
 */
int own_gemm_wanted(int f64, int64_t m, int64_t n, int64_t k) {
  switch (own_gemm_mode()) {
  case 0: return 0;
  case 2: return 1;
  default: return m >= 16 && n >= (f64 ? 16 : 32) && (double)m * (double)n * (double)k >= 131072.0;
  }
}

#if HAVE_512

enum { MR = 12, ALIGN_B = 64 };

/* Block sizes per dtype: KC (depth of a sliver), NC (B's block, columns), MC (A's block, rows). */
typedef struct {
  int64_t kc, nc, mc;
} Blocks;
static const Blocks blocks32 = {384, 480, 1536};
static const Blocks blocks64 = {256, 240, 1536};

static char *aligned(Scratch *s, size_t bytes) {
  char *p = scratch(s, bytes + ALIGN_B);
  if (!p) return NULL;
  return (char *)(((uintptr_t)p + ALIGN_B - 1) & ~(uintptr_t)(ALIGN_B - 1));
}

#define REP12(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11)

/*
 * The micro-kernel: C (MR x 2L, row stride ldc) = (load ? C : 0) + A_panel (MR x kc) B_panel
 * (kc x 2L), one fused multiply-add per element and step of k, in order.
 */
#define KERNEL(NAME, T)                                                                            \
  __attribute__((target("avx512f"))) static void NAME(int64_t kc, const T *ap, const T *bp, T *c,  \
                                                      int64_t ldc, int load) {                     \
    REP12(DECL)                                                                                    \
    if (load) {                                                                                    \
      REP12(LOADC)                                                                                 \
    } else {                                                                                       \
      REP12(ZEROC)                                                                                 \
    }                                                                                              \
    _Pragma("GCC unroll 2") for (int64_t p = 0; p < kc; p++) {                                     \
      const V b0 = LOADA(bp), b1 = LOADA(bp + L);                                                  \
      REP12(STEP)                                                                                  \
      ap += MR;                                                                                    \
      bp += 2 * L;                                                                                 \
    }                                                                                              \
    REP12(STOREC)                                                                                  \
  }

#define DECL(i) V c##i##a, c##i##b;
#define LOADC(i)                                                                                   \
  c##i##a = LOADU(c + (i) * ldc);                                                                  \
  c##i##b = LOADU(c + (i) * ldc + L);
#define ZEROC(i) c##i##a = c##i##b = ZERO();
#define STEP(i)                                                                                    \
  {                                                                                                \
    const V t = SET1(ap[i]);                                                                       \
    c##i##a = FMA(t, b0, c##i##a);                                                                 \
    c##i##b = FMA(t, b1, c##i##b);                                                                 \
  }
#define STOREC(i)                                                                                  \
  STOREU(c + (i) * ldc, c##i##a);                                                                  \
  STOREU(c + (i) * ldc + L, c##i##b);

/* The vector operations KERNEL's body names, per dtype (defined before each expansion). */
#define V __m512
#define L 16
#define ZERO _mm512_setzero_ps
#define LOADU _mm512_loadu_ps
#define LOADA _mm512_load_ps
#define SET1 _mm512_set1_ps
#define FMA _mm512_fmadd_ps
#define STOREU _mm512_storeu_ps
KERNEL(kernel32, float)
#undef V
#undef L
#undef ZERO
#undef LOADU
#undef LOADA
#undef SET1
#undef FMA
#undef STOREU
#define V __m512d
#define L 8
#define ZERO _mm512_setzero_pd
#define LOADU _mm512_loadu_pd
#define LOADA _mm512_load_pd
#define SET1 _mm512_set1_pd
#define FMA _mm512_fmadd_pd
#define STOREU _mm512_storeu_pd
KERNEL(kernel64, double)

/*
 * Packing. A panel holds R rows of an operand's k-slice, k-major: d[p * R + r] = x(r, p), rows
 * past the operand zero. When the operand's k runs along memory (unit stride in p), that is a
 * transpose, done in 4x4 (float32) or 2x2 (float64) register blocks, several times faster than
 * element by element (packing was a third of the time of the MLP benchmark's 256x128x512 tiles);
 * when its rows run along memory, each k is one masked vector copy.
 */
#define T4 __attribute__((target("avx512f")))

/* d[p * R + r] = s[r * ld + p] for r < rows (zeros up to R), p < kc: float32. */
T4 static void tpanel32(const float *s, int64_t ld, int64_t rows, int64_t kc, float *d, int64_t R) {
  int64_t r = 0;
  for (; r + 4 <= rows; r += 4) {
    const float *s0 = s + r * ld, *s1 = s0 + ld, *s2 = s1 + ld, *s3 = s2 + ld;
    int64_t p = 0;
    for (; p + 4 <= kc; p += 4) {
      __m128 x0 = _mm_loadu_ps(s0 + p), x1 = _mm_loadu_ps(s1 + p);
      __m128 x2 = _mm_loadu_ps(s2 + p), x3 = _mm_loadu_ps(s3 + p);
      _MM_TRANSPOSE4_PS(x0, x1, x2, x3);
      float *o = d + p * R + r;
      _mm_storeu_ps(o, x0);
      _mm_storeu_ps(o + R, x1);
      _mm_storeu_ps(o + 2 * R, x2);
      _mm_storeu_ps(o + 3 * R, x3);
    }
    for (; p < kc; p++) {
      float *o = d + p * R + r;
      o[0] = s0[p], o[1] = s1[p], o[2] = s2[p], o[3] = s3[p];
    }
  }
  for (; r < rows; r++)
    for (int64_t p = 0; p < kc; p++) d[p * R + r] = s[r * ld + p];
  if (rows < R)
    for (int64_t p = 0; p < kc; p++)
      for (r = rows; r < R; r++) d[p * R + r] = 0;
}

/* The same for float64, in 2x2 blocks. */
T4 static void tpanel64(const double *s, int64_t ld, int64_t rows, int64_t kc, double *d,
                        int64_t R) {
  int64_t r = 0;
  for (; r + 2 <= rows; r += 2) {
    const double *s0 = s + r * ld, *s1 = s0 + ld;
    int64_t p = 0;
    for (; p + 2 <= kc; p += 2) {
      const __m128d x0 = _mm_loadu_pd(s0 + p), x1 = _mm_loadu_pd(s1 + p);
      _mm_storeu_pd(d + p * R + r, _mm_unpacklo_pd(x0, x1));
      _mm_storeu_pd(d + (p + 1) * R + r, _mm_unpackhi_pd(x0, x1));
    }
    for (; p < kc; p++) d[p * R + r] = s0[p], d[p * R + r + 1] = s1[p];
  }
  for (; r < rows; r++)
    for (int64_t p = 0; p < kc; p++) d[p * R + r] = s[r * ld + p];
  if (rows < R)
    for (int64_t p = 0; p < kc; p++)
      for (r = rows; r < R; r++) d[p * R + r] = 0;
}

/* d[p * R + r] = s[p * ld + r] for r < rows (zeros up to R <= 32), p < kc: masked copies. */
T4 static void cpanel32(const float *s, int64_t ld, int64_t rows, int64_t kc, float *d, int64_t R) {
  const __mmask16 m0 = (__mmask16)(rows >= 16 ? 0xffff : (1u << rows) - 1);
  const __mmask16 m1 = (__mmask16)(rows >= 32 ? 0xffff : rows <= 16 ? 0 : (1u << (rows - 16)) - 1);
  const __mmask16 w0 = (__mmask16)(R >= 16 ? 0xffff : (1u << R) - 1);
  const __mmask16 w1 = (__mmask16)(R >= 32 ? 0xffff : R <= 16 ? 0 : (1u << (R - 16)) - 1);
  for (int64_t p = 0; p < kc; p++) {
    _mm512_mask_storeu_ps(d + p * R, w0, _mm512_maskz_loadu_ps(m0, s + p * ld));
    if (w1) _mm512_mask_storeu_ps(d + p * R + 16, w1, _mm512_maskz_loadu_ps(m1, s + p * ld + 16));
  }
}

/* The same for float64 (R <= 16). */
T4 static void cpanel64(const double *s, int64_t ld, int64_t rows, int64_t kc, double *d,
                        int64_t R) {
  const __mmask8 m0 = (__mmask8)(rows >= 8 ? 0xff : (1u << rows) - 1);
  const __mmask8 m1 = (__mmask8)(rows >= 16 ? 0xff : rows <= 8 ? 0 : (1u << (rows - 8)) - 1);
  const __mmask8 w0 = (__mmask8)(R >= 8 ? 0xff : (1u << R) - 1);
  const __mmask8 w1 = (__mmask8)(R >= 16 ? 0xff : R <= 8 ? 0 : (1u << (R - 8)) - 1);
  for (int64_t p = 0; p < kc; p++) {
    _mm512_mask_storeu_pd(d + p * R, w0, _mm512_maskz_loadu_pd(m0, s + p * ld));
    if (w1) _mm512_mask_storeu_pd(d + p * R + 8, w1, _mm512_maskz_loadu_pd(m1, s + p * ld + 8));
  }
}

/*
 * One panel of R rows (of an operand seen as rows x k, element (r, p) at s[r * rs + p * ks]):
 * a transpose where k has unit stride, masked copies where the rows do, else element by element.
 */
#define PANEL(NAME, T, TPANEL, CPANEL)                                                             \
  T4 static void NAME(const T *s, int64_t rs, int64_t ks, int64_t rows, int64_t kc, T *d,         \
                      int64_t R) {                                                                 \
    if (ks == 1) return TPANEL(s, rs, rows, kc, d, R);                                             \
    if (rs == 1) return CPANEL(s, ks, rows, kc, d, R);                                             \
    for (int64_t p = 0; p < kc; p++)                                                               \
      for (int64_t r = 0; r < R; r++) d[p * R + r] = r < rows ? s[r * rs + p * ks] : 0;            \
  }
PANEL(panel32, float, tpanel32, cpanel32)
PANEL(panel64, double, tpanel64, cpanel64)

/* A's rows (mc of them) of a k-slice into panels of MR rows; B's columns (cols) into panels of
 * NR columns: B's column j is row j of B^T, so both are panels of an operand's rows. */
#define PACK(NAME, T, PANEL_F)                                                                     \
  T4 static void NAME(const T *x, int64_t rs, int64_t ks, int64_t rows, int64_t kc, T *into,      \
                      int64_t R) {                                                                 \
    for (int64_t i0 = 0; i0 < rows; i0 += R)                                                       \
      PANEL_F(x + i0 * rs, rs, ks, rows - i0 < R ? rows - i0 : R, kc, into + i0 * kc, R);          \
  }
PACK(pack32, float, panel32)
PACK(pack64, double, panel64)

/*
 * C (m x n) = A B, or C += A B when acc: blocked loops around the micro-kernel. A tile that lies
 * inside C with unit column stride is computed in place; an edge tile, or C with another layout,
 * goes through a tile buffer (C's values copied in first when the chain continues from them).
 */
#define DRIVER(NAME, T, NR, KERN, PACK, BL)                                                             \
  static int NAME(int64_t m, int64_t n, int64_t k, Mat am, Mat bm, Mat cm, int acc) {             \
    static _Thread_local Scratch sa, sb;                                                           \
    const Blocks bl = BL;                                                                          \
    const int64_t mcmax = m < bl.mc ? m : bl.mc, kcmax = k < bl.kc ? k : bl.kc;                    \
    const int64_t ncmax = n < bl.nc ? n : bl.nc;                                                   \
    T *pa = (T *)aligned(&sa, (size_t)(((mcmax + MR - 1) / MR) * MR * kcmax) * sizeof(T));         \
    T *pb = (T *)aligned(&sb, (size_t)(((ncmax + NR - 1) / NR) * NR * kcmax) * sizeof(T));         \
    if (!pa || !pb) return 0;                                                                      \
    T tile[MR * NR] __attribute__((aligned(64))) = {0};                                            \
    const T *a = (const T *)am.p, *b = (const T *)bm.p;                                            \
    T *c = (T *)cm.p;                                                                              \
    for (int64_t i0 = 0; i0 < m; i0 += bl.mc) {                                                    \
      const int64_t mc = m - i0 < bl.mc ? m - i0 : bl.mc;                                          \
      for (int64_t p0 = 0; p0 < k; p0 += bl.kc) {                                                  \
        const int64_t kc = k - p0 < bl.kc ? k - p0 : bl.kc;                                        \
        const int load = acc || p0 > 0;                                                           \
        PACK(a + i0 * am.rs + p0 * am.cs, am.rs, am.cs, mc, kc, pa, MR);                                        \
        for (int64_t j0 = 0; j0 < n; j0 += bl.nc) {                                                \
          const int64_t nc = n - j0 < bl.nc ? n - j0 : bl.nc;                                      \
          PACK(b + p0 * bm.rs + j0 * bm.cs, bm.cs, bm.rs, nc, kc, pb, NR);                                    \
          for (int64_t ir = 0; ir < mc; ir += MR) {                                                \
            const int64_t h = mc - ir < MR ? mc - ir : MR;                                         \
            for (int64_t jr = 0; jr < nc; jr += NR) {                                              \
              const int64_t w = nc - jr < NR ? nc - jr : NR;                                       \
              T *cp = c + (i0 + ir) * cm.rs + (j0 + jr) * cm.cs;                                   \
              if (h == MR && w == NR && cm.cs == 1) {                                 \
                KERN(kc, pa + ir * kc, pb + jr * kc, cp, cm.rs, load);                             \
                continue;                                                                          \
              }                                                                                    \
              if (load)                                                                            \
                for (int64_t r = 0; r < h; r++)                                                    \
                  for (int64_t j = 0; j < w; j++) tile[r * NR + j] = cp[r * cm.rs + j * cm.cs];    \
              KERN(kc, pa + ir * kc, pb + jr * kc, tile, NR, load);                                \
              for (int64_t r = 0; r < h; r++)                                                      \
                for (int64_t j = 0; j < w; j++) cp[r * cm.rs + j * cm.cs] = tile[r * NR + j];      \
            }                                                                                      \
          }                                                                                        \
        }                                                                                          \
      }                                                                                            \
    }                                                                                              \
    return 1;                                                                                      \
  }
DRIVER(driver32, float, 32, kernel32, pack32, blocks32)
DRIVER(driver64, double, 16, kernel64, pack64, blocks64)

int own_gemm(int f64, int64_t m, int64_t n, int64_t k, Mat a, Mat b, Mat c, int acc) {
  if (m == 0 || n == 0) return 1;
  if (k == 0) {
    if (!acc) zero(f64, m, n, c);
    return 1;
  }
  /* A column-major C is computed as C^T = B^T A^T, whose tiles are stored in place: the same
   * bits, since each element is the same chain of fused multiply-adds (a product of two numbers
   * does not depend on their order). */
  if (c.cs != 1 && c.rs == 1 && m > 1) {
    Mat at = {a.p, a.cs, a.rs}, bt = {b.p, b.cs, b.rs}, ct = {c.p, c.cs, c.rs};
    return f64 ? driver64(n, m, k, bt, at, ct, acc) : driver32(n, m, k, bt, at, ct, acc);
  }
  return f64 ? driver64(m, n, k, a, b, c, acc) : driver32(m, n, k, a, b, c, acc);
}

#else

int own_gemm(int f64, int64_t m, int64_t n, int64_t k, Mat a, Mat b, Mat c, int acc) {
  (void)f64, (void)m, (void)n, (void)k, (void)a, (void)b, (void)c, (void)acc;
  return 0;
}

#endif
