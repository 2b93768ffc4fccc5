/* The package's own thread pool: every kernel loop runs through coh_pool_run.
 *
 * Plain C99 + POSIX threads, no Python. A job is a task function, its context and a
 * number of chunks. Chunk boundaries belong to the caller's data, never to the thread
 * count: chunk c always covers the same elements, and each chunk writes its own output
 * slice or its own partial sum (added in chunk order by the caller afterwards), so
 * results are bitwise the same for any number of threads.
 *
 * Threads: created lazily on the first job that wants them, kept, and parked on a
 * condition variable between jobs (they never spin). Chunks are handed out one at a
 * time through an atomic counter, so a thread that is slowed down (another process
 * on its core) simply takes fewer chunks; the calling thread works too, as worker 0.
 * A job that finds the pool busy (another thread of the process is running one) runs
 * serially on its own thread: same chunks, same bits. On Linux, a worker found on the
 * caller's CPU at the start of a job is moved off it (its affinity: the pool's CPUs
 * but the caller's), so that a woken worker does not take turns with the caller.
 *
 * Interrupts: between its chunks, about every COH_POOL_CHECK_SECONDS, the calling
 * thread calls check(check_arg); a nonzero answer (the Python layer: a signal handler
 * raised, e.g. KeyboardInterrupt) stops the job: no new chunk is handed out, chunks in
 * flight finish, and coh_pool_run returns COH_EINTERRUPTED. The serial path checks the
 * same way. Tasks should keep a chunk to a few milliseconds.
 *
 * fork: pthread_atfork handlers take the pool's lock around fork(); in the child the
 * lock and conditions are re-initialised and the workers (which do not exist there)
 * forgotten, so the child re-creates its pool on its first threaded job.
 *
 * Built with COH_NO_THREADS (Windows, which has no pthreads), every job runs serially
 * on the calling thread, with the same interrupt checks.
 */
#ifndef COH_POOL_H
#define COH_POOL_H

#include <stddef.h>

/* Most threads one job may use (callers validate n_threads against it). */
#define COH_POOL_MAX_THREADS 1024
/* Seconds of work between two calls of the interrupt check. */
#define COH_POOL_CHECK_SECONDS 0.025

/* Computes chunk `chunk` (0 <= chunk < n_chunks) on thread `worker` (0 <= worker <
 * n_threads: an index for per-thread workspaces; 0 is the calling thread). Returns
 * COH_OK or a negative status (coh_status.h). */
typedef int (*coh_task_t)(void *ctx, ptrdiff_t chunk, int worker);

/* Nonzero when the job must stop (a pending interrupt). Called on the calling thread
 * only. */
typedef int (*coh_check_t)(void *arg);

/* Runs task on chunks 0 .. n_chunks - 1 with up to n_threads threads (clamped to
 * [1, COH_POOL_MAX_THREADS] and to n_chunks), the calling thread included. Returns
 * COH_OK; COH_EINTERRUPTED when check stopped the job; else the status of the lowest
 * failing chunk (the one a serial run reports: chunks are handed out in order, so
 * every lower chunk has run when a failure stops the job). check may be NULL. */
int coh_pool_run(coh_task_t task, void *ctx, ptrdiff_t n_chunks, int n_threads,
                 coh_check_t check, void *check_arg);

/* 1 when built with POSIX threads, 0 when built serial (COH_NO_THREADS). */
int coh_pool_threaded(void);

/* Worker threads alive in this process (0 before the first threaded job, and in a
 * child after fork until its first threaded job). */
int coh_pool_workers(void);

#endif
