/**
 * @file What blas.c and conv.c share: the BLAS prototypes, strided matrices, per-thread scratch
 * memory, and the helpers that hand a strided operand to BLAS.
 */
#ifndef TJAX_BLAS_H
#define TJAX_BLAS_H

#define NAPI_VERSION 8
#include <node_api.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum { RowMajor = 101, NoTrans = 111, Trans = 112 };

void cblas_sgemm(int order, int ta, int tb, int m, int n, int k, float alpha, const float *a, int lda,
                 const float *b, int ldb, float beta, float *c, int ldc);
void cblas_dgemm(int order, int ta, int tb, int m, int n, int k, double alpha, const double *a,
                 int lda, const double *b, int ldb, double beta, double *c, int ldc);
void cblas_sgemv(int order, int trans, int m, int n, float alpha, const float *a, int lda,
                 const float *x, int incx, float beta, float *y, int incy);
void cblas_dgemv(int order, int trans, int m, int n, double alpha, const double *a, int lda,
                 const double *x, int incx, double beta, double *y, int incy);
void openblas_set_num_threads(int n);
int openblas_get_num_threads(void);
int openblas_get_num_procs(void);
int openblas_get_parallel(void);
char *openblas_get_config(void);
char *openblas_get_corename(void);

/* A rows x cols matrix: its first element and its row and column strides, in elements. */
typedef struct {
  char *p;
  int64_t rs, cs;
} Mat;

/* A growable scratch area (gemm() keeps three per thread). */
typedef struct {
  char *p;
  size_t size;
} Scratch;

char *scratch(Scratch *s, size_t bytes);
/* A matrix as BLAS can take it: the operand itself, or a packed copy in `s`. NULL: no memory. */
const char *operand(int f64, int64_t rows, int64_t cols, Mat x, Scratch *s, int *trans, int64_t *ld,
                    int plain);
/* Copy contiguous row-major memory into a strided matrix. */
void unpack(int f64, int64_t rows, int64_t cols, const char *from, Mat x);
void zero(int f64, int64_t rows, int64_t cols, Mat x);
int get_int(napi_env env, napi_value v, int64_t *out);
/* A float32/float64 TypedArray's data and length; 0 when it is not one. */
int get_floats(napi_env env, napi_value v, int *f64, char **data, size_t *len);

/* gemm512.c: tjax's own AVX-512 GEMM. own_gemm_wanted: whether a product of this shape goes to
 * it; own_gemm: C = A B, or C += A B when acc (0: out of memory); own_gemm_mode: 0 off, 1 for
 * large products, 2 for all; own_gemm_set: set that mode (0 where the CPU lacks AVX-512). */
int own_gemm_supported(void);
int own_gemm_mode(void);
int own_gemm_set(int mode);
int own_gemm_wanted(int f64, int64_t m, int64_t n, int64_t k);
int own_gemm(int f64, int64_t m, int64_t n, int64_t k, Mat a, Mat b, Mat c, int acc);
/* The same on `threads` threads (the caller's and the pool's): the same bits for any count. */
int own_gemm_threads(int f64, int64_t m, int64_t n, int64_t k, Mat a, Mat b, Mat c, int acc,
                     int threads);

/* pool.c: a job that every participating thread runs (its work shared out inside). pool_run runs
 * it on the calling thread and up to threads - 1 pool threads, and returns when all are done. */
typedef struct PoolJob PoolJob;
struct PoolJob {
  void (*run)(PoolJob *job);
};
void pool_run(PoolJob *job, int threads);
/* A job's share of work done on this thread (counted when it is a pool thread), and the count:
 * how tests see that the pool took part. */
void pool_note(int64_t tasks);
int64_t pool_helped(void);
/* A spin-wait's pause. */
void cpu_relax(void);

/* conv(lhs, rhs, out, table, plan, lo, hi): conv.c. */
napi_value Conv(napi_env env, napi_callback_info info);

#endif
