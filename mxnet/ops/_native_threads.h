/* Worker threads for the C kernels (_native.c, _native_conv.c, _native_lstm.c): run_workers(fn,
 * arg, n) runs fn(arg) on n threads, the caller's among them, and waits for all; run_team runs
 * threads that each own a part of the work and meet at barriers.  POSIX threads created per
 * call (~20 us, against calls of a millisecond or more); work items are taken from a shared
 * counter (NEXT_ITEM), so a thread slowed by another process takes fewer, and a kernel whose
 * items write disjoint outputs gives the same bits whatever thread computed them.  Without
 * POSIX threads or GCC atomics, or when pthread_create is not linked in (the symbols are weak)
 * or fails, the caller runs every item.
 */
#ifndef NATIVE_THREADS_H
#define NATIVE_THREADS_H

#include <stdint.h>

#if (defined(__GNUC__) || defined(__clang__)) && (defined(__unix__) || defined(__APPLE__)) && !defined(NO_THREADS)
#include <pthread.h>
#define HAVE_THREADS 1
#if defined(__ELF__)
#pragma weak pthread_create
#pragma weak pthread_join
#endif
#define NEXT_ITEM(p) __atomic_fetch_add((p), 1, __ATOMIC_RELAXED)
#define SET_FLAG(p) __atomic_store_n((p), 1, __ATOMIC_RELAXED)   /* e.g. an error, from any thread */
#else
#define HAVE_THREADS 0
#define NEXT_ITEM(p) ((*(p))++)
#define SET_FLAG(p) (*(p) = 1)
#endif

#define MAX_THREADS 64

typedef void (*worker_fn)(void *);
typedef struct {
    worker_fn fn;
    void *arg;
} worker_call;

#if HAVE_THREADS
static void *thread_main(void *call)
{
    worker_call *wc = call;
    wc->fn(wc->arg);
    return NULL;
}
#endif

static void run_workers(worker_fn fn, void *arg, int64_t nthreads)
{
#if HAVE_THREADS
    pthread_t tid[MAX_THREADS];
    worker_call job = {fn, arg};
    int started = 0;
    if (nthreads > MAX_THREADS)
        nthreads = MAX_THREADS;
    if (pthread_create != NULL && pthread_join != NULL)
        for (int64_t t = 1; t < nthreads; t++) {
            if (pthread_create(&tid[started], NULL, thread_main, &job) != 0)
                break;
            started++;
        }
    fn(arg);
    for (int t = 0; t < started; t++)
        pthread_join(tid[t], NULL);
#else
    (void)nthreads;
    fn(arg);
#endif
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
    range_job job = {fn, ctx, n, block, 0};
    int64_t nblocks = (n + block - 1) / block;
    if (nthreads > 1 && nblocks > 1)
        run_workers(range_worker, &job, nthreads < nblocks ? nthreads : nblocks);
    else if (n > 0)
        fn(ctx, 0, n);
}

/* A team: fn(arg, index, size) on up to nthreads threads, the caller's as index 0, for kernels
   whose threads own fixed parts of the work and meet at team_barrier (the LSTM time loop).  The
   workers wait until the caller knows how many threads started, so `size` is always the number
   that run. */
typedef struct team team;
typedef void (*team_fn)(void *arg, team *tm, int index, int size);
struct team {
    team_fn fn;
    void *arg;
    int size, ready, next, count, gen;
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

static void *team_main(void *p)
{
    team *tm = p;
    int index = __atomic_add_fetch(&tm->next, 1, __ATOMIC_RELAXED);
    WAIT_UNTIL(__atomic_load_n(&tm->ready, __ATOMIC_ACQUIRE));
    tm->fn(tm->arg, tm, index, tm->size);
    return NULL;
}
#endif

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
    team tm = {fn, arg, 1, 0, 0, 0, 0};
#if HAVE_THREADS
    pthread_t tid[MAX_THREADS];
    int started = 0;
    if (nthreads > MAX_THREADS)
        nthreads = MAX_THREADS;
    if (pthread_create != NULL && pthread_join != NULL)
        for (int64_t t = 1; t < nthreads; t++) {
            if (pthread_create(&tid[started], NULL, team_main, &tm) != 0)
                break;
            started++;
        }
    tm.size = started + 1;
    __atomic_store_n(&tm.ready, 1, __ATOMIC_RELEASE);
    fn(arg, &tm, 0, tm.size);
    for (int t = 0; t < started; t++)
        pthread_join(tid[t], NULL);
#else
    (void)nthreads;
    fn(arg, &tm, 0, 1);
#endif
}

#endif
