/**
 * @file tjax's own AVX-512 SGEMM and DGEMM, for machines whose CPU has AVX-512 (the rest of the
 * addon calls OpenBLAS). The design is GotoBLAS's and BLIS's (Goto & van de Geijn, "Anatomy of
 * high-performance matrix multiplication", TOMS 2008; Van Zee & van de Geijn, "BLIS", TOMS 2015):
 * A is packed into panels of MR rows and B into panels of NR columns, whatever the operands'
 * strides (so a layout can never change a result), and a register-blocked micro-kernel computes
 * an MR x NR tile of C in 24 zmm accumulators: per step of k, two vectors of B's panel and MR
 * broadcast elements of A's, 24 fused multiply-adds. Cache blocking: a KC-deep sliver of A's panel
 * (MR x KC) stays in L1 while the kernel sweeps the NC-wide block of B's panels (KC x NC) held in
 * L2, beside a task's chunk of A's rows (at most 12 panels of a k-slice); B packed whole (up to
 * 32 MiB) waits in L3.
 *
 * Reduction order: an element of C is one chain of fused multiply-adds over k = 0, 1, ..., K-1
 * from +0, in the precision of the dtype (float32 accumulates in float32, as XLA:CPU does). The
 * kernel reloads C at the start of every KC block after the first, so the chain does not depend
 * on KC, on the chunks of rows the threads take, on the thread that runs a chunk, nor on whether
 * a convolution hands k to it in blocks (acc = 1 continues a chain). Edge tiles are computed in
 * full in registers on zero-padded panels and only their valid part is stored.
 *
 * The kernels are compiled for AVX-512 alone (target attributes), and chosen at run time by
 * __builtin_cpu_supports, so the addon builds and runs on any x86-64 (and on other CPUs, or with
 * TJAX_NO_AVX512 defined at build time, this file compiles to a switch that stays off).
 */
#include "blas.h"

#include <sched.h>
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

/* Block sizes per dtype: KC (depth of a sliver), NC (B's block, columns). */
typedef struct {
  int64_t kc, nc;
} Blocks;
static const Blocks blocks32 = {384, 480};
static const Blocks blocks64 = {256, 240};

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
 * The driver: C (m x n) = A B, or C += A B when acc, as tasks that any number of threads take in
 * turn from one counter (pool.c). B is packed first, all of it at once (its panels for every
 * k-block side by side), by packing tasks; then every computing task is one chunk of C's rows,
 * independent of the others: it packs its rows of A itself, a k-slice at a time, and sweeps them
 * against B's packed blocks (BLIS's loops inside). So the threads meet once per product, after
 * B's packing, and a thread held up (a busy or slow vCPU) delays nothing but its own chunk, which
 * the counter hands out dynamically. A task starts once the phase before its own is done: tasks
 * are taken in order and none of a phase is done before the phase before it is, so one counter
 * of done tasks says that. B wider than the packing budget goes in column super-blocks, a
 * packing phase and a computing phase each. Which thread runs which task changes no bit: every
 * element of C is the same chain of fused multiply-adds whoever computes it, in k order inside
 * its chunk.
 *
 * A tile that lies inside C with unit column stride is computed in place; an edge tile, or C with
 * another layout, goes through a tile buffer (C's values copied in first when the chain continues
 * from them). Cache blocks are the Blocks sizes evened out over the dimension (1024 columns in 3
 * blocks of 352, not 480 + 480 + 64), so that no sweep is a sliver.
 */
enum { GB = 2, MAX_CHUNK = 12 }; /* B's panels per packing task; A's panels at most per chunk */
/* Bytes of packed B a product may hold at once (past it: column super-blocks). */
static const int64_t B_BUDGET = (int64_t)32 << 20;

typedef struct {
  PoolJob base;
  int64_t m, n, k, kcb, ncb, sbn; /* sizes; k- and n-block; super-block width */
  const int64_t *cuts;            /* computing task i: rows cuts[i] to cuts[i + 1] */
  int64_t chunks;
  Mat a, b, c;
  int acc;
  char *pb;
  int64_t total;
  atomic_llong next, done;
  atomic_int failed; /* a thread could not get memory for its A chunk */
} Job;

/* A thread's place in the sequence: the super-block, the phase, and the phase's tasks. */
typedef struct {
  int64_t s0, sw, start, size;
  int phase;
} Walk;

static int64_t cdiv(int64_t x, int64_t y) { return (x + y - 1) / y; }
static int64_t lesser(int64_t x, int64_t y) { return x < y ? x : y; }

static void walk_sizes(const Job *j, Walk *w, int64_t nr) {
  w->sw = lesser(j->sbn, j->n - w->s0);
  w->size = w->phase == 0 ? cdiv(j->k, j->kcb) * cdiv(w->sw, nr * GB) : j->chunks;
}

/* The next phase; 0 past the last. */
static int walk_next(const Job *j, Walk *w, int64_t nr) {
  w->start += w->size;
  if (w->phase == 0) {
    w->phase = 1;
  } else {
    w->phase = 0;
    if ((w->s0 += j->sbn) >= j->n) return 0;
  }
  walk_sizes(j, w, nr);
  return 1;
}

static void walk_start(const Job *j, Walk *w, int64_t nr) {
  *w = (Walk){0};
  walk_sizes(j, w, nr);
}

/* Wait until `n` tasks are done (the phases before a task's own). */
static void wait_done(Job *j, int64_t n) {
  for (int spins = 0; atomic_load(&j->done) < n;) {
    cpu_relax();
    if (++spins == 256) {
      spins = 0;
      sched_yield();
    }
  }
}

#define DRIVER(NAME, T, NR, KERN, PACK)                                                            \
  static void NAME##_task(Job *j, const Walk *w, int64_t i, T *tile, Scratch *sa) {                \
    const T *a = (const T *)j->a.p, *b = (const T *)j->b.p;                                        \
    T *pb = (T *)j->pb, *c = (T *)j->c.p;                                                          \
    const Mat am = j->a, bm = j->b, cm = j->c;                                                     \
    const int64_t swp = cdiv(w->sw, NR) * NR; /* the super-block's width in whole panels */         \
    if (w->phase == 0) {                                                                           \
      const int64_t groups = cdiv(w->sw, NR * GB), q = i / groups, c0 = (i % groups) * NR * GB;    \
      const int64_t p0 = q * j->kcb, kc = lesser(j->kcb, j->k - p0);                              \
      PACK(b + p0 * bm.rs + (w->s0 + c0) * bm.cs, bm.cs, bm.rs, lesser(NR * GB, w->sw - c0), kc,  \
           pb + q * j->kcb * swp + c0 * kc, NR);                                                   \
      return;                                                                                      \
    }                                                                                              \
    const int64_t r0 = j->cuts[i], mc = j->cuts[i + 1] - r0;                                       \
    T *pa = (T *)aligned(sa, (size_t)(MAX_CHUNK * MR * lesser(j->kcb, j->k)) * sizeof(T));         \
    if (!pa) {                                                                                     \
      atomic_store(&j->failed, 1);                                                                 \
      return;                                                                                      \
    }                                                                                              \
    for (int64_t p0 = 0, q = 0; p0 < j->k; p0 += j->kcb, q++) {                                    \
      const int64_t kc = lesser(j->kcb, j->k - p0);                                                \
      const int load = j->acc || p0 > 0;                                                           \
      PACK(a + r0 * am.rs + p0 * am.cs, am.rs, am.cs, mc, kc, pa, MR);                             \
      for (int64_t j0 = 0; j0 < w->sw; j0 += j->ncb) {                                             \
        const int64_t nc = lesser(j->ncb, w->sw - j0);                                             \
        const T *pbj = pb + q * j->kcb * swp + j0 * kc;                                            \
        for (int64_t ir = 0; ir < mc; ir += MR) {                                                  \
          const int64_t h = lesser(mc - ir, MR);                                                   \
          for (int64_t jr = 0; jr < nc; jr += NR) {                                                \
            const int64_t wd = lesser(nc - jr, NR);                                                \
            T *cp = c + (r0 + ir) * cm.rs + (w->s0 + j0 + jr) * cm.cs;                             \
            if (h == MR && wd == NR && cm.cs == 1) {                                               \
              KERN(kc, pa + ir * kc, pbj + jr * kc, cp, cm.rs, load);                              \
              continue;                                                                            \
            }                                                                                      \
            if (load)                                                                              \
              for (int64_t r = 0; r < h; r++)                                                      \
                for (int64_t x = 0; x < wd; x++) tile[r * NR + x] = cp[r * cm.rs + x * cm.cs];     \
            KERN(kc, pa + ir * kc, pbj + jr * kc, tile, NR, load);                                 \
            for (int64_t r = 0; r < h; r++)                                                        \
              for (int64_t x = 0; x < wd; x++) cp[r * cm.rs + x * cm.cs] = tile[r * NR + x];       \
          }                                                                                        \
        }                                                                                          \
      }                                                                                            \
    }                                                                                              \
  }                                                                                                \
  static void NAME##_run(PoolJob *pj) {                                                            \
    static _Thread_local Scratch sa;                                                               \
    Job *j = (Job *)pj;                                                                            \
    T tile[MR * NR] __attribute__((aligned(64))) = {0};                                            \
    Walk w;                                                                                        \
    walk_start(j, &w, NR);                                                                         \
    for (int64_t mine = 0;; mine++) {                                                              \
      const int64_t t = atomic_fetch_add(&j->next, 1);                                             \
      if (t >= j->total) {                                                                         \
        pool_note(mine);                                                                           \
        return;                                                                                    \
      }                                                                                            \
      while (t >= w.start + w.size) walk_next(j, &w, NR);                                          \
      wait_done(j, w.start);                                                                       \
      NAME##_task(j, &w, t - w.start, tile, &sa);                                                  \
      atomic_fetch_add(&j->done, 1);                                                               \
    }                                                                                              \
  }
DRIVER(driver32, float, 32, kernel32, pack32)
DRIVER(driver64, double, 16, kernel64, pack64)

/* A block size: `max` evened out over `len`, rounded up to a multiple of `unit`. */
static int64_t even(int64_t len, int64_t max, int64_t unit) {
  const int64_t per = cdiv(len, cdiv(len, max));
  return cdiv(per, unit) * unit;
}

static int drive(int f64, int64_t m, int64_t n, int64_t k, Mat a, Mat b, Mat c, int acc,
                 int threads) {
  static _Thread_local Scratch sb;
  const Blocks bl = f64 ? blocks64 : blocks32;
  const int64_t nr = f64 ? 16 : 32, es = f64 ? 8 : 4;
  Job j = {.base = {f64 ? driver64_run : driver32_run}, .m = m, .n = n, .k = k, .a = a, .b = b,
           .c = c, .acc = acc};
  j.kcb = even(k, bl.kc, 1);
  j.ncb = even(n, bl.nc, nr);
  /* Super-blocks: as many n-blocks as the budget holds (all of B, up to 32 MiB packed). */
  const int64_t per_block = cdiv(k, j.kcb) * j.kcb * j.ncb * es;
  j.sbn = j.ncb * (B_BUDGET / per_block > 1 ? B_BUDGET / per_block : 1);
  if (j.sbn > n) j.sbn = n;
  /* Chunks of rows for the computing tasks, in whole panels, from at most MAX_CHUNK (A's chunk of
   * a k-slice stays in L2 beside B's block) down to 2: each takes the remaining panels over twice
   * the threads, so the last chunks are small and a thread that started late, or lost its vCPU
   * for a while, leaves the others at most a small chunk to wait for at the end (guided
   * scheduling; 4 equal chunks a thread left 1024^2 products 7% from twice one thread's speed). */
  static _Thread_local Scratch sc;
  const int64_t panels = cdiv(m, MR);
  int64_t *cuts = (int64_t *)scratch(&sc, (size_t)(panels + 2) * sizeof(int64_t));
  if (!cuts) return 0;
  int64_t chunks = 0;
  for (int64_t done = 0; done < panels; chunks++) {
    const int64_t left = panels - done, share = threads > 1 ? cdiv(left, 2 * (int64_t)threads) : left;
    cuts[chunks] = done * MR;
    done += lesser(left, share < 2 ? 2 : share > MAX_CHUNK ? MAX_CHUNK : share);
  }
  cuts[chunks] = m;
  j.cuts = cuts;
  j.chunks = chunks;
  j.pb = aligned(&sb, (size_t)(cdiv(k, j.kcb) * j.kcb * cdiv(j.sbn, nr) * nr * es));
  if (!j.pb) return 0;
  Walk w;
  walk_start(&j, &w, nr);
  while (walk_next(&j, &w, nr)) {
  }
  j.total = w.start;
  atomic_init(&j.next, 0);
  atomic_init(&j.done, 0);
  atomic_init(&j.failed, 0);
  /* No more threads than computing tasks: a small product stays on one thread. */
  if (threads > chunks) threads = (int)chunks;
  pool_run(&j.base, threads);
  return !atomic_load(&j.failed);
}

int own_gemm_threads(int f64, int64_t m, int64_t n, int64_t k, Mat a, Mat b, Mat c, int acc,
                     int threads) {
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
    return drive(f64, n, m, k, bt, at, ct, acc, threads);
  }
  return drive(f64, m, n, k, a, b, c, acc, threads);
}

#else

int own_gemm_threads(int f64, int64_t m, int64_t n, int64_t k, Mat a, Mat b, Mat c, int acc,
                     int threads) {
  (void)f64, (void)m, (void)n, (void)k, (void)a, (void)b, (void)c, (void)acc, (void)threads;
  return 0;
}

#endif

int own_gemm(int f64, int64_t m, int64_t n, int64_t k, Mat a, Mat b, Mat c, int acc) {
  return own_gemm_threads(f64, m, n, k, a, b, c, acc, 1);
}
