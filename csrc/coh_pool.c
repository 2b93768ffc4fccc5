/* The thread pool of coh_pool.h. */
#if defined(__linux__) && !defined(_GNU_SOURCE)
#define _GNU_SOURCE /* pthread_setaffinity_np, sched_getcpu (placement hint below) */
#endif
#if !defined(_WIN32) && !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L /* pthread, clock_gettime, sigset_t under -std=c99 */
#endif

#include "coh_pool.h"
#include "coh_status.h"

#include <time.h>

#if !defined(COH_NO_THREADS) && defined(_WIN32)
#define COH_NO_THREADS 1 /* no pthreads on Windows: serial build */
#endif

#ifndef COH_NO_THREADS
#include <pthread.h>
#include <signal.h>
#ifdef __linux__
#include <sched.h>
#define COH_PLACEMENT 1
#endif
#define LOAD(p) __atomic_load_n(p, __ATOMIC_ACQUIRE)
#define STORE(p, v) __atomic_store_n(p, v, __ATOMIC_RELEASE)
#define FETCH_ADD(p, v) __atomic_fetch_add(p, v, __ATOMIC_RELAXED)
#define CAS(p, expected, desired) \
    __atomic_compare_exchange_n(p, expected, desired, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)
#else
#define LOAD(p) (*(p))
#define STORE(p, v) (*(p) = (v))
static ptrdiff_t fetch_add_serial(ptrdiff_t *p, ptrdiff_t v)
{
    ptrdiff_t old = *p;
    *p += v;
    return old;
}
#define FETCH_ADD(p, v) fetch_add_serial(p, v)
#define CAS(p, expected, desired) (*(p) == *(expected) ? (*(p) = (desired), 1) \
                                                       : (*(expected) = *(p), 0))
#endif

/* Failures are recorded as one number, chunk * FAIL_BASE + (-status), so that the
 * lowest failing chunk and its status are kept together by a single compare-and-swap. */
#define FAIL_BASE 16
#define NO_FAILURE ((ptrdiff_t)(((size_t)-1) >> 1))

/* The counter every thread increments sits on its own cache line, away from the
 * fields every thread reads at each chunk. */
#define COH_LINE 64

typedef struct {
    coh_task_t task;
    void *ctx;
    ptrdiff_t n_chunks;
    int stop;           /* atomic: hand out no more chunks */
    ptrdiff_t failure;  /* atomic: lowest chunk * FAIL_BASE - status, or NO_FAILURE */
    char pad_a[COH_LINE];
    ptrdiff_t next;     /* atomic: the next chunk to hand out */
    char pad_b[COH_LINE];
    /* under the pool lock: */
    int wanted;         /* workers the job may take (n_threads - 1) */
    int joined;         /* workers that joined */
    int active;         /* joined and not done */
    int closed;         /* no more joins */
} job_t;

static double now_seconds(void)
{
#ifdef _WIN32
    return (double)clock() / CLOCKS_PER_SEC; /* wall time on Windows */
#else
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
#endif
}

static void record_failure(job_t *job, ptrdiff_t chunk, int status)
{
    int code = status < COH_STATUS_MIN ? -COH_STATUS_MIN : -status;
    ptrdiff_t key = chunk * FAIL_BASE + code;
    ptrdiff_t cur = LOAD(&job->failure);
    while (key < cur && !CAS(&job->failure, &cur, key)) {
    }
    STORE(&job->stop, 1);
}

/* Take chunks until none is left or the job stops. Only the calling thread (check
 * given) looks for interrupts; returns 1 when it found one. */
static int work(job_t *job, int worker, coh_check_t check, void *check_arg)
{
    double last = check != NULL ? now_seconds() : 0.0;
    /* Workers leave the last chunk of a job of 4 or more to the calling thread: a
     * worker that is done before the caller then spares it a wake-up at the end (tens
     * of microseconds on a virtual CPU). Only who computes a chunk changes. */
    ptrdiff_t stop_at = worker != 0 && job->n_chunks >= 4 ? job->n_chunks - 1 : job->n_chunks;
    while (!LOAD(&job->stop)) {
        if (worker != 0 && LOAD(&job->next) >= stop_at) {
            break;
        }
        ptrdiff_t c = FETCH_ADD(&job->next, 1);
        if (c >= job->n_chunks) {
            break;
        }
        int status = job->task(job->ctx, c, worker);
        if (status != COH_OK) {
            record_failure(job, c, status);
        }
        if (check != NULL) {
            double t = now_seconds();
            if (t - last >= COH_POOL_CHECK_SECONDS) {
                last = t;
                if (check(check_arg)) {
                    STORE(&job->stop, 1);
                    return 1;
                }
            }
        }
    }
    return 0;
}

static int job_status(const job_t *job, int interrupted)
{
    if (interrupted) {
        return COH_EINTERRUPTED;
    }
    if (job->failure == NO_FAILURE) {
        return COH_OK;
    }
    return -(int)(job->failure % FAIL_BASE);
}

static void job_init(job_t *job, coh_task_t task, void *ctx, ptrdiff_t n_chunks)
{
    job->task = task;
    job->ctx = ctx;
    job->n_chunks = n_chunks;
    job->next = 0;
    job->stop = 0;
    job->failure = NO_FAILURE;
    job->wanted = 0;
    job->joined = 0;
    job->active = 0;
    job->closed = 0;
}

static int run_serial(coh_task_t task, void *ctx, ptrdiff_t n_chunks, coh_check_t check,
                      void *check_arg)
{
    job_t job;
    job_init(&job, task, ctx, n_chunks);
    int interrupted = work(&job, 0, check, check_arg);
    return job_status(&job, interrupted);
}

#ifdef COH_NO_THREADS

int coh_pool_run(coh_task_t task, void *ctx, ptrdiff_t n_chunks, int n_threads,
                 coh_check_t check, void *check_arg)
{
    (void)n_threads;
    if (n_chunks <= 0) {
        return COH_OK;
    }
    return run_serial(task, ctx, n_chunks, check, check_arg);
}

int coh_pool_threaded(void) { return 0; }

int coh_pool_workers(void) { return 0; }

#else /* POSIX threads */

static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t pool_wake = PTHREAD_COND_INITIALIZER; /* workers wait for a job */
static pthread_cond_t pool_done = PTHREAD_COND_INITIALIZER; /* a caller waits for workers */
static pthread_once_t pool_once = PTHREAD_ONCE_INIT;
static int n_workers = 0;      /* threads created (and alive) */
static int busy = 0;           /* a job owns the pool */
static job_t *current = NULL;  /* the job workers may join */

#ifdef COH_PLACEMENT
/* Placement hint (Linux). A parked worker woken by the caller may be placed on the
 * caller's own CPU, where the two then take turns instead of working side by side (a
 * virtual machine that packs vCPUs does this whenever it can). Each worker records the
 * CPU it last worked on; a worker found on the caller's CPU at the start of a job is
 * allowed every CPU of the pool's mask but the caller's (never an empty set). The
 * mask is the creating thread's affinity; only the pool's own threads are touched. */
static pthread_t worker_thread[COH_POOL_MAX_THREADS];
static int worker_cpu[COH_POOL_MAX_THREADS]; /* under the lock; -1: unknown */
static cpu_set_t pool_mask;
static int pool_mask_ok = 0;

static void place_workers(void)
{
    if (!pool_mask_ok || CPU_COUNT(&pool_mask) < 2) {
        return;
    }
    int me = sched_getcpu();
    if (me < 0 || me >= CPU_SETSIZE || !CPU_ISSET(me, &pool_mask)) {
        return;
    }
    for (int w = 0; w < n_workers; ++w) {
        if (worker_cpu[w] == me) {
            cpu_set_t other = pool_mask;
            CPU_CLR(me, &other);
            pthread_setaffinity_np(worker_thread[w], sizeof other, &other);
            worker_cpu[w] = -1;
        }
    }
}
#endif

static void *worker_main(void *arg)
{
    int slot = (int)(ptrdiff_t)arg;
    (void)slot;
    pthread_mutex_lock(&pool_lock);
    for (;;) {
        while (current == NULL || current->closed || current->joined >= current->wanted) {
            pthread_cond_wait(&pool_wake, &pool_lock);
        }
        job_t *job = current;
        int index = ++job->joined; /* 1 .. wanted */
        job->active++;
        pthread_mutex_unlock(&pool_lock);
        work(job, index, NULL, NULL);
        pthread_mutex_lock(&pool_lock);
#ifdef COH_PLACEMENT
        worker_cpu[slot] = sched_getcpu();
#endif
        if (--job->active == 0 && job->closed) {
            pthread_cond_broadcast(&pool_done);
        }
    }
    return NULL;
}

static void before_fork(void) { pthread_mutex_lock(&pool_lock); }

static void after_fork_parent(void) { pthread_mutex_unlock(&pool_lock); }

static void after_fork_child(void)
{
    /* Only the forking thread exists here: no worker, no other caller. */
    pthread_mutex_init(&pool_lock, NULL);
    pthread_cond_init(&pool_wake, NULL);
    pthread_cond_init(&pool_done, NULL);
    n_workers = 0;
    busy = 0;
    current = NULL;
}

static void register_fork_handlers(void)
{
    pthread_atfork(before_fork, after_fork_parent, after_fork_child);
}

/* Grow the pool to `want` workers (under the lock); returns how many exist. Workers
 * block every signal: signals go to the threads the application owns. A thread that
 * cannot be created leaves the pool smaller, never an error. */
static int grow(int want)
{
    if (n_workers >= want) {
        return n_workers;
    }
    pthread_once(&pool_once, register_fork_handlers);
#ifdef COH_PLACEMENT
    if (n_workers == 0) {
        pool_mask_ok = pthread_getaffinity_np(pthread_self(), sizeof pool_mask, &pool_mask) == 0;
    }
#endif
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    pthread_attr_t attr;
    int attr_ok = pthread_attr_init(&attr) == 0;
    if (attr_ok) {
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    }
    while (n_workers < want) {
        pthread_t thread;
        if (pthread_create(&thread, attr_ok ? &attr : NULL, worker_main,
                           (void *)(ptrdiff_t)n_workers) != 0) {
            break;
        }
#ifdef COH_PLACEMENT
        worker_thread[n_workers] = thread;
        worker_cpu[n_workers] = -1;
#endif
        if (!attr_ok) {
            pthread_detach(thread);
        }
        n_workers++;
    }
    if (attr_ok) {
        pthread_attr_destroy(&attr);
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return n_workers;
}

int coh_pool_run(coh_task_t task, void *ctx, ptrdiff_t n_chunks, int n_threads,
                 coh_check_t check, void *check_arg)
{
    if (n_chunks <= 0) {
        return COH_OK;
    }
    if (n_threads > COH_POOL_MAX_THREADS) {
        n_threads = COH_POOL_MAX_THREADS;
    }
    if ((ptrdiff_t)n_threads > n_chunks) {
        n_threads = (int)n_chunks;
    }
    if (n_threads <= 1) {
        return run_serial(task, ctx, n_chunks, check, check_arg);
    }
    pthread_mutex_lock(&pool_lock);
    if (busy) {
        /* another thread of the process runs a job: this one runs alone */
        pthread_mutex_unlock(&pool_lock);
        return run_serial(task, ctx, n_chunks, check, check_arg);
    }
    busy = 1;
    job_t job;
    job_init(&job, task, ctx, n_chunks);
    int have = grow(n_threads - 1);
    job.wanted = have < n_threads - 1 ? have : n_threads - 1;
#ifdef COH_PLACEMENT
    place_workers();
#endif
    current = &job;
    for (int k = 0; k < job.wanted; ++k) {
        pthread_cond_signal(&pool_wake);
    }
    pthread_mutex_unlock(&pool_lock);

    int interrupted = work(&job, 0, check, check_arg);

    pthread_mutex_lock(&pool_lock);
    job.closed = 1;
    current = NULL;
    while (job.active > 0) {
        pthread_cond_wait(&pool_done, &pool_lock);
    }
    busy = 0;
    pthread_mutex_unlock(&pool_lock);
    return job_status(&job, interrupted);
}

int coh_pool_threaded(void) { return 1; }

int coh_pool_workers(void)
{
    pthread_mutex_lock(&pool_lock);
    int n = n_workers;
    pthread_mutex_unlock(&pool_lock);
    return n;
}

#endif
