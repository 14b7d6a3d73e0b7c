/* threads.h: what the golden model and the weight generator share to use
 * every core: a parallel loop and large buffers on huge pages. */
#ifndef NNC_THREADS_H
#define NNC_THREADS_H

#include <stddef.h>

/* The worker count: the online CPUs, or NNC_THREADS; 1 to 16. */
int nthreads(void);
/* Run fn(ctx, k, n) for k in [0, n) on n threads (the caller runs k = 0);
 * n is clamped to [1, 16]. */
void par_run(int n, void (*fn)(void *ctx, int k, int n), void *ctx);
/* A buffer for a large tensor, on transparent huge pages where the system
 * offers them (fewer page faults); freed with free(). Dies when out of memory. */
void *huge_alloc(size_t n);

#endif
