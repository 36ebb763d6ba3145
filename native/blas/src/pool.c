/**
 * @file The addon's own threads, for tjax's AVX-512 GEMM (gemm512.c): one large product runs on
 * the calling thread and up to `threads - 1` pool threads at once, which share its packed operands
 * (as BLIS's threads share a packed block of B) instead of each packing its own tile's again.
 *
 * Why threads here and not tjax's worker pool (threads.ts): a product split into independent
 * tiles packs its operands once per tile (13% more CPU time at 16 tiles of a 1024^2 product, 5% at
 * 4), and a job on the worker pool is a postMessage and a doorbell per worker. Here the threads
 * cooperate inside one product, handing over work at cache-block boundaries in microseconds.
 *
 * Protocol: a job is a function every participant calls (PoolJob.run); the work inside is taken
 * dynamically (gemm512.c), so a thread that wakes late, or never, only leaves more to the others,
 * and a result never depends on who ran what. The caller publishes the job, wakes the pool, runs
 * the job itself, then withdraws it and waits until no pool thread is inside it. A pool thread
 * counts itself in (`active`) before it reads the job, and the caller withdraws the job before it
 * reads `active`: either the caller sees the thread and waits for it, or the thread sees no job.
 * One job at a time: a second caller (the main thread while the executor thread runs a product)
 * runs its job alone. Idle pool threads sleep on a condition variable; they never spin between
 * jobs, so an idle tjax costs the machine nothing (a 0.3 ms watch for the next job before sleeping
 * made the MLP benchmark 10% slower: it took a core from tjax's other threads between products). They are started on the first parallel product
 * and live as long as the process.
 */
#define _GNU_SOURCE
#include "blas.h"

#include <pthread.h>
#include <stdatomic.h>

enum { MAX_POOL = 63 };

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t bell = PTHREAD_COND_INITIALIZER;
static atomic_ullong generation;
static int started;
static _Atomic(PoolJob *) current;
static atomic_int active, joined, wanted, busy;
static atomic_llong helped;
static _Thread_local int in_pool;

static void *worker(void *arg) {
  (void)arg;
  in_pool = 1;
#ifdef __linux__
  pthread_setname_np(pthread_self(), "tjax-gemm");
#endif
  uint64_t seen = atomic_load(&generation);
  for (;;) {
    pthread_mutex_lock(&mu);
    while (atomic_load(&generation) == seen) pthread_cond_wait(&bell, &mu);
    pthread_mutex_unlock(&mu);
    seen = atomic_load(&generation);
    /* A job asks for a number of helpers; the rest of the pool goes back to sleep. */
    if (atomic_fetch_add(&joined, 1) >= atomic_load(&wanted)) continue;
    atomic_fetch_add(&active, 1);
    PoolJob *job = atomic_load(&current);
    if (job) job->run(job);
    atomic_fetch_sub(&active, 1);
  }
  return NULL;
}

/* Start pool threads up to n; how many there are. */
static int grow(int n) {
  if (n > MAX_POOL) n = MAX_POOL;
  pthread_mutex_lock(&mu);
  while (started < n) {
    pthread_t t;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    int ok = pthread_create(&t, &attr, worker, NULL) == 0;
    pthread_attr_destroy(&attr);
    if (!ok) break;
    started++;
  }
  int have = started;
  pthread_mutex_unlock(&mu);
  return have;
}

void pool_run(PoolJob *job, int threads) {
  int helpers = threads - 1;
  if (helpers > 0) {
    const int have = grow(helpers);
    if (have < helpers) helpers = have;
  }
  int expected = 0;
  if (helpers <= 0 || !atomic_compare_exchange_strong(&busy, &expected, 1)) {
    job->run(job);
    return;
  }
  atomic_store(&joined, 0);
  atomic_store(&wanted, helpers);
  atomic_store(&current, job);
  pthread_mutex_lock(&mu);
  atomic_fetch_add(&generation, 1);
  pthread_cond_broadcast(&bell);
  pthread_mutex_unlock(&mu);
  job->run(job);
  atomic_store(&current, NULL);
  while (atomic_load(&active) != 0) cpu_relax();
  atomic_store(&busy, 0);
}

void pool_note(int64_t tasks) {
  if (in_pool && tasks > 0) atomic_fetch_add(&helped, tasks);
}

int64_t pool_helped(void) { return atomic_load(&helped); }

void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  __asm__ __volatile__("yield");
#endif
}
