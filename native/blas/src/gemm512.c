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
 * __builtin_cpu_supports, so the addon builds and runs on any x86-64 (and on other CPUs, where
 * this file compiles to nothing that runs).
 */
#include "blas.h"

#include <stdatomic.h>

#if defined(__x86_64__) && defined(__GNUC__)
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

/* A's rows [i0, i0 + mc) and columns [p0, p0 + kc) into panels of MR rows (k-major within a
 * panel), rows past the matrix zero. */
#define PACK_A(NAME, T)                                                                            \
  static void NAME(const T *a, int64_t rs, int64_t cs, int64_t rows, int64_t kc, T *into) {       \
    for (int64_t i0 = 0; i0 < rows; i0 += MR) {                                                    \
      const int64_t h = rows - i0 < MR ? rows - i0 : MR;                                           \
      T *d = into + i0 * kc;                                                                       \
      if (cs == 1) {                                                                               \
        for (int64_t r = 0; r < h; r++) {                                                          \
          const T *s = a + (i0 + r) * rs;                                                          \
          for (int64_t p = 0; p < kc; p++) d[p * MR + r] = s[p];                                   \
        }                                                                                          \
      } else {                                                                                     \
        for (int64_t p = 0; p < kc; p++) {                                                         \
          const T *s = a + p * cs + i0 * rs;                                                       \
          for (int64_t r = 0; r < h; r++) d[p * MR + r] = s[r * rs];                               \
        }                                                                                          \
      }                                                                                            \
      if (h < MR)                                                                                  \
        for (int64_t p = 0; p < kc; p++)                                                           \
          for (int64_t r = h; r < MR; r++) d[p * MR + r] = 0;                                      \
    }                                                                                              \
  }
PACK_A(pack_a32, float)
PACK_A(pack_a64, double)

/* B's rows [p0, p0 + kc) and columns [j0, j0 + cols) into panels of NR columns (k-major within
 * a panel), columns past the matrix zero. */
#define PACK_B(NAME, T, NR)                                                                        \
  static void NAME(const T *b, int64_t rs, int64_t cs, int64_t kc, int64_t cols, T *into) {       \
    for (int64_t j0 = 0; j0 < cols; j0 += NR) {                                                    \
      const int64_t w = cols - j0 < NR ? cols - j0 : NR;                                           \
      T *d = into + j0 * kc;                                                                       \
      if (cs == 1) {                                                                               \
        for (int64_t p = 0; p < kc; p++) {                                                         \
          memcpy(d + p * NR, b + p * rs + j0, (size_t)w * sizeof(T));                              \
          for (int64_t j = w; j < NR; j++) d[p * NR + j] = 0;                                      \
        }                                                                                          \
      } else {                                                                                     \
        for (int64_t j = 0; j < w; j++) {                                                          \
          const T *s = b + (j0 + j) * cs;                                                          \
          for (int64_t p = 0; p < kc; p++) d[p * NR + j] = s[p * rs];                              \
        }                                                                                          \
        for (int64_t p = 0; p < kc; p++)                                                           \
          for (int64_t j = w; j < NR; j++) d[p * NR + j] = 0;                                      \
      }                                                                                            \
    }                                                                                              \
  }
PACK_B(pack_b32, float, 32)
PACK_B(pack_b64, double, 16)

/*
 * C (m x n) = A B, or C += A B when acc: blocked loops around the micro-kernel. A tile that lies
 * inside C with unit column stride is computed in place; an edge tile, or C with another layout,
 * goes through a tile buffer (C's values copied in first when the chain continues from them).
 */
#define DRIVER(NAME, T, NR, KERN, PACKA, PACKB, BL)                                                \
  static int NAME(int64_t m, int64_t n, int64_t k, Mat am, Mat bm, Mat cm, int acc) {             \
    static _Thread_local Scratch sa, sb;                                                           \
    const Blocks bl = BL;                                                                          \
    const int64_t mcmax = m < bl.mc ? m : bl.mc, kcmax = k < bl.kc ? k : bl.kc;                    \
    const int64_t ncmax = n < bl.nc ? n : bl.nc;                                                   \
    T *pa = (T *)aligned(&sa, (size_t)(((mcmax + MR - 1) / MR) * MR * kcmax) * sizeof(T));         \
    T *pb = (T *)aligned(&sb, (size_t)(((ncmax + NR - 1) / NR) * NR * kcmax) * sizeof(T));         \
    if (!pa || !pb) return 0;                                                                      \
    T tile[MR * NR] __attribute__((aligned(64)));                                                  \
    const T *a = (const T *)am.p, *b = (const T *)bm.p;                                            \
    T *c = (T *)cm.p;                                                                              \
    for (int64_t i0 = 0; i0 < m; i0 += bl.mc) {                                                    \
      const int64_t mc = m - i0 < bl.mc ? m - i0 : bl.mc;                                          \
      for (int64_t p0 = 0; p0 < k; p0 += bl.kc) {                                                  \
        const int64_t kc = k - p0 < bl.kc ? k - p0 : bl.kc;                                        \
        const int load = acc || p0 > 0;                                                           \
        PACKA(a + i0 * am.rs + p0 * am.cs, am.rs, am.cs, mc, kc, pa);                              \
        for (int64_t j0 = 0; j0 < n; j0 += bl.nc) {                                                \
          const int64_t nc = n - j0 < bl.nc ? n - j0 : bl.nc;                                      \
          PACKB(b + p0 * bm.rs + j0 * bm.cs, bm.rs, bm.cs, kc, nc, pb);                            \
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
DRIVER(driver32, float, 32, kernel32, pack_a32, pack_b32, blocks32)
DRIVER(driver64, double, 16, kernel64, pack_a64, pack_b64, blocks64)

int own_gemm(int f64, int64_t m, int64_t n, int64_t k, Mat a, Mat b, Mat c, int acc) {
  if (m == 0 || n == 0) return 1;
  if (k == 0) {
    if (!acc) zero(f64, m, n, c);
    return 1;
  }
  return f64 ? driver64(m, n, k, a, b, c, acc) : driver32(m, n, k, a, b, c, acc);
}

#else

int own_gemm(int f64, int64_t m, int64_t n, int64_t k, Mat a, Mat b, Mat c, int acc) {
  (void)f64, (void)m, (void)n, (void)k, (void)a, (void)b, (void)c, (void)acc;
  return 0;
}

#endif
