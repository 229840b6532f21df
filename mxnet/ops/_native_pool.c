/* The kernels' thread pool (see _native_threads.h): workers started at first use and kept.
 *
 * Each worker has its own slot: a job is handed to the workers that take part by writing their
 * slots and bumping each slot's generation, so a worker left out of a job never sees it (and
 * never mistakes the next one's function for it).  A worker that finished its last job yields
 * the CPU in a loop for a while (~50 us: the next kernel of a training step usually comes
 * sooner) and then sleeps on a condition variable.  Yielding rather than spinning on `pause`
 * leaves the core at once to any other runnable thread, OpenBLAS's among them.  One caller at a
 * time holds the pool (a trylock: a second caller runs alone); after fork() the child starts
 * with no workers.
 */
#include "_native_threads.h"

#if HAVE_THREADS
#include <pthread.h>
#include <sched.h>
#if defined(__ELF__)
#pragma weak pthread_create
#pragma weak pthread_detach
#pragma weak pthread_atfork
#endif

/* yields before a finished worker sleeps */
#define IDLE_YIELDS 100

static pthread_mutex_t busy = PTHREAD_MUTEX_INITIALIZER;   /* held by the pool's current user */
static pthread_mutex_t sleep_mu = PTHREAD_MUTEX_INITIALIZER;
static int nworkers;                 /* started: ids 1..nworkers */
static int atfork_set;
static int granted;                  /* threads in the current job, the caller's included */
static int done;                     /* workers finished with it */

/* a worker's job, published by the release increment of gen, and what it sleeps on (so that a
   job wakes only its own workers); cache-line aligned */
static struct slot {
    unsigned gen;
    worker_fn fn;
    void *arg;
    pthread_cond_t wake;
} __attribute__((aligned(64))) slots[MAX_THREADS];
/* a slot's generation when its worker was started: a job published before the thread first runs
   is not missed */
static unsigned start_gen[MAX_THREADS];

static void *worker_main(void *p)
{
    struct slot *me = &slots[(intptr_t)p];
    unsigned seen = start_gen[(intptr_t)p];
    for (;;) {
        unsigned g;
        int idle = 0;
        while ((g = __atomic_load_n(&me->gen, __ATOMIC_ACQUIRE)) == seen) {
            if (idle++ < IDLE_YIELDS) {
                sched_yield();
                continue;
            }
            pthread_mutex_lock(&sleep_mu);
            while (__atomic_load_n(&me->gen, __ATOMIC_ACQUIRE) == seen)
                pthread_cond_wait(&me->wake, &sleep_mu);
            pthread_mutex_unlock(&sleep_mu);
        }
        seen = g;
        me->fn(me->arg);
        __atomic_add_fetch(&done, 1, __ATOMIC_RELEASE);
    }
    return NULL;
}

/* In a forked child only the forking thread exists. */
static void pool_child(void)
{
    nworkers = 0;
    pthread_mutex_init(&busy, NULL);
    pthread_mutex_init(&sleep_mu, NULL);
}

int native_pool_acquire(int64_t nthreads)
{
    if (nthreads > MAX_THREADS)
        nthreads = MAX_THREADS;
    if (nthreads <= 1 || pthread_create == NULL || pthread_detach == NULL
            || pthread_mutex_trylock(&busy) != 0)
        return 1;
    if (!atfork_set && pthread_atfork != NULL) {
        pthread_atfork(NULL, NULL, pool_child);
        atfork_set = 1;
    }
    while (nworkers < nthreads - 1) {
        pthread_t t;
        struct slot *sl = &slots[nworkers + 1];
        start_gen[nworkers + 1] = sl->gen;
        pthread_cond_init(&sl->wake, NULL);
        if (pthread_create(&t, NULL, worker_main, (void *)(intptr_t)(nworkers + 1)) != 0)
            break;
        pthread_detach(t);
        nworkers++;
    }
    granted = (int)(nthreads < nworkers + 1 ? nthreads : nworkers + 1);
    if (granted <= 1)
        pthread_mutex_unlock(&busy);
    return granted;
}

void native_pool_run(worker_fn fn, void *arg)
{
    __atomic_store_n(&done, 0, __ATOMIC_RELAXED);
    for (int id = 1; id < granted; id++) {
        slots[id].fn = fn;
        slots[id].arg = arg;
        __atomic_add_fetch(&slots[id].gen, 1, __ATOMIC_RELEASE);
    }
    pthread_mutex_lock(&sleep_mu);   /* a worker between its check and its wait holds this */
    for (int id = 1; id < granted; id++)
        pthread_cond_signal(&slots[id].wake);
    pthread_mutex_unlock(&sleep_mu);
    fn(arg);
    WAIT_UNTIL(__atomic_load_n(&done, __ATOMIC_ACQUIRE) >= granted - 1);
    pthread_mutex_unlock(&busy);
}

#else

int native_pool_acquire(int64_t nthreads)
{
    (void)nthreads;
    return 1;
}

void native_pool_run(worker_fn fn, void *arg)
{
    fn(arg);
}

#endif
