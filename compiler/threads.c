/* threads.c: a parallel loop over plain pthreads and huge-page buffers.
 * Threads are started per call: the golden model calls it once per layer,
 * where thread start-up (tens of microseconds) does not show. */
#define _DEFAULT_SOURCE     /* MADV_HUGEPAGE */
#include "threads.h"
#include "nnc.h"

#include <pthread.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

int nthreads(void)
{
	static int n;
	if (!n) {
		long c = sysconf(_SC_NPROCESSORS_ONLN);
		const char *env = getenv("NNC_THREADS");
		if (env && atoi(env) > 0)
			c = atoi(env);
		n = c < 1 ? 1 : c > 16 ? 16 : (int)c;
	}
	return n;
}

struct par_job {
	void (*fn)(void *ctx, int k, int n);
	void *ctx;
	int k, n;
};

static void *par_main(void *arg)
{
	struct par_job *j = arg;
	j->fn(j->ctx, j->k, j->n);
	return NULL;
}

void par_run(int n, void (*fn)(void *ctx, int k, int n), void *ctx)
{
	n = n < 1 ? 1 : n > 16 ? 16 : n;
	struct par_job jobs[16];
	pthread_t th[16];
	for (int k = 0; k < n; k++)
		jobs[k] = (struct par_job){fn, ctx, k, n};
	for (int k = 1; k < n; k++)
		if (pthread_create(&th[k], NULL, par_main, &jobs[k]))
			die("cannot start a thread");
	fn(ctx, 0, n);
	for (int k = 1; k < n; k++)
		pthread_join(th[k], NULL);
}

#define HUGE_PAGE ((size_t)2 << 20)

void *huge_alloc(size_t n)
{
	if (n < 2 * HUGE_PAGE)
		return big_alloc(n);
	size_t len = (n + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE;
	void *p = aligned_alloc(HUGE_PAGE, len);
	if (!p)
		die("out of memory (%zu bytes)", n);
#ifdef MADV_HUGEPAGE
	madvise(p, len, MADV_HUGEPAGE);     /* a hint: nothing to do when refused */
#endif
	return p;
}
