/* Worker threads for the C kernels (_native.c, _native_conv.c, _native_convk.c,
 * _native_lstm.c): run_workers(fn, arg, n) runs fn(arg) on n threads, the caller's among them,
 * and waits for all; run_ranges splits [0, n) into blocks taken from a shared counter
 * (NEXT_ITEM), so a thread slowed by another process takes fewer, and a kernel whose blocks
 * write disjoint outputs gives the same bits whatever thread computed them; run_team runs
 * threads that each own a part of the work and meet at team_barrier.
 *
 * The threads are the library's pool (_native_pool.c), started at first use and kept: starting
 * and joining a thread per call cost ~35 us, as much as many of the passes split over them.
 * The pool serves one call at a time; a call that finds it busy (another Python thread in a
 * kernel, or a kernel called from a pool thread) runs on its caller alone, as do all calls
 * without POSIX threads or GCC atomics.
 */
#ifndef NATIVE_THREADS_H
#define NATIVE_THREADS_H

#include <stdint.h>

#if (defined(__GNUC__) || defined(__clang__)) && (defined(__unix__) || defined(__APPLE__)) && !defined(NO_THREADS)
#define HAVE_THREADS 1
#define NEXT_ITEM(p) __atomic_fetch_add((p), 1, __ATOMIC_RELAXED)
#define SET_FLAG(p) __atomic_store_n((p), 1, __ATOMIC_RELAXED)   /* e.g. an error, from any thread */
#else
#define HAVE_THREADS 0
#define NEXT_ITEM(p) ((*(p))++)
#define SET_FLAG(p) (*(p) = 1)
#endif

#define MAX_THREADS 64

typedef void (*worker_fn)(void *);

/* The pool (_native_pool.c).  native_pool_acquire(n): how many threads, the caller's included,
   the next native_pool_run will use (at most n); above 1 the pool is held until that run
   returns.  native_pool_run(fn, arg): fn(arg) on each of them, the caller's last; returns when
   all have finished. */
int native_pool_acquire(int64_t nthreads);
void native_pool_run(worker_fn fn, void *arg);

static inline void run_workers(worker_fn fn, void *arg, int64_t nthreads)
{
    if (nthreads > 1 && native_pool_acquire(nthreads) > 1)
        native_pool_run(fn, arg);
    else
        fn(arg);
}

/* fn(ctx, begin, end) over [0, n) in blocks of `block`, on up to nthreads threads (blocks are
   taken in turn; each must write only its own part of the output). */
typedef void (*range_fn)(void *ctx, int64_t begin, int64_t end);
typedef struct {
    range_fn fn;
    void *ctx;
    int64_t n, block, next;
} range_job;

static inline void range_worker(void *p)
{
    range_job *j = p;
    for (;;) {
        int64_t b = NEXT_ITEM(&j->next) * j->block;
        if (b >= j->n)
            break;
        j->fn(j->ctx, b, b + j->block < j->n ? b + j->block : j->n);
    }
}

static inline void run_ranges(range_fn fn, void *ctx, int64_t n, int64_t block, int64_t nthreads)
{
    if (n <= 0)
        return;
    if (block < 1)
        block = 1;
    range_job job = {fn, ctx, n, block, 0};
    int64_t nblocks = (n + block - 1) / block;
    if (nthreads > 1 && nblocks > 1)
        run_workers(range_worker, &job, nthreads < nblocks ? nthreads : nblocks);
    else
        fn(ctx, 0, n);
}

/* run_ranges in about `per_thread` blocks a thread: 1 for a fixed split, 4 where the blocks'
   costs vary (the threads that finish first take the rest). */
static inline void run_blocks(range_fn fn, void *ctx, int64_t n, int64_t per_thread, int64_t nthreads)
{
    int64_t parts = per_thread * (nthreads > 1 ? nthreads : 1);
    run_ranges(fn, ctx, n, (n + parts - 1) / parts, nthreads);
}

/* A team: fn(arg, team, index, size) on up to nthreads threads, for kernels whose threads own
   fixed parts of the work and meet at team_barrier (the LSTM time loop); `size` is the number
   that run, known before any starts. */
typedef struct team team;
typedef void (*team_fn)(void *arg, team *tm, int index, int size);
struct team {
    team_fn fn;
    void *arg;
    int size, next, count, gen;
};

#if HAVE_THREADS
#include <sched.h>
#if defined(__x86_64__) || defined(__i386__)
#define CPU_RELAX() __builtin_ia32_pause()
#else
#define CPU_RELAX() ((void)0)
#endif
/* spin a little (the other thread is usually microseconds away), then give the CPU up: on a
   loaded machine the thread waited for may need this one's core */
#define WAIT_UNTIL(cond)                               \
    do {                                               \
        for (int spins_ = 0; !(cond); spins_++) {      \
            if (spins_ < 4000)                         \
                CPU_RELAX();                           \
            else                                       \
                sched_yield();                         \
        }                                              \
    } while (0)
#endif

static inline void team_main(void *p)
{
    team *tm = p;
    int index = NEXT_ITEM(&tm->next);
    tm->fn(tm->arg, tm, index, tm->size);
}

/* The part [*lo, *hi) of [0, n) that member `index` of a team of `size` owns, in whole units of
   `unit` items (the last unit may be short), so that no unit is split between threads. */
static inline void team_share(int64_t n, int64_t unit, int index, int size, int64_t *lo, int64_t *hi)
{
    int64_t units = (n + unit - 1) / unit;
    *lo = units * index / size * unit;
    *hi = units * (index + 1) / size * unit;
    if (*hi > n)
        *hi = n;
}

/* Every thread of the team waits here until all have arrived. */
static inline void team_barrier(team *tm)
{
#if HAVE_THREADS
    if (tm->size <= 1)
        return;
    int gen = __atomic_load_n(&tm->gen, __ATOMIC_ACQUIRE);
    if (__atomic_add_fetch(&tm->count, 1, __ATOMIC_ACQ_REL) == tm->size) {
        __atomic_store_n(&tm->count, 0, __ATOMIC_RELAXED);
        __atomic_store_n(&tm->gen, gen + 1, __ATOMIC_RELEASE);
    } else {
        WAIT_UNTIL(__atomic_load_n(&tm->gen, __ATOMIC_ACQUIRE) != gen);
    }
#else
    (void)tm;
#endif
}

static inline void run_team(team_fn fn, void *arg, int64_t nthreads)
{
    team tm = {fn, arg, 1, 0, 0, 0};
    if (nthreads > 1 && (tm.size = native_pool_acquire(nthreads)) > 1)
        native_pool_run(team_main, &tm);
    else
        fn(arg, &tm, 0, 1);
}

#endif
