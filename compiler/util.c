/* util.c: the allocation arena, whole-file reads, and outputs that appear only
 * when a run succeeds (written to a temporary name, renamed at the end, and
 * removed on every other way out, signals included). */
#define _DEFAULT_SOURCE                /* vfork: the one way to run rm from a signal handler */
#include "nnc.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* A compiler is short-lived: small objects come from an arena that is freed
 * once at exit. Large tensors use big_alloc (plain malloc, freed by owner). */
struct chunk {
	struct chunk *next;
	size_t used, size;
	max_align_t data[];
};
static struct chunk *arena;

void *xmalloc(size_t n)
{
	n = (n + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
	if (!arena || arena->size - arena->used < n) {
		size_t size = n > 65536 ? n : 65536;
		struct chunk *c = malloc(sizeof *c + size);
		if (!c)
			die("out of memory (%zu bytes)", n);
		c->size = size;
		c->used = 0;
		c->next = arena;
		arena = c;
	}
	void *p = (char *)arena->data + arena->used;
	arena->used += n;
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		die("allocation overflow");
	void *p = xmalloc(n * size);
	memset(p, 0, n * size);
	return p;
}

char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	return memcpy(xmalloc(n), s, n);
}

char *xprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	char *s = xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return s;
}

void *big_alloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		die("out of memory (%zu bytes)", n);
	return p;
}

void arena_free_all(void)
{
	while (arena) {
		struct chunk *next = arena->next;
		free(arena);
		arena = next;
	}
}

char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 4096, n = 0;
	errno = 0;
	char *buf = big_alloc(cap);
	for (;;) {
		size_t got = fread(buf + n, 1, cap - n - 1, f);
		n += got;
		if (n + 1 < cap)
			break;
		cap *= 2;
		char *nb = realloc(buf, cap);
		if (!nb)
			die("out of memory");
		buf = nb;
	}
	int err = ferror(f) ? (errno ? errno : EIO) : 0;
	fclose(f);
	if (err) {
		free(buf);
		errno = err;
		return NULL;
	}
	buf[n] = 0;
	*len = n;
	return buf;
}

/* ---- outputs under temporary names, removed on every way out ------------
 *
 * A run that does not succeed must leave nothing: not after a user error or
 * die(), not after exit() from anywhere (an atexit hook), and not after a
 * deadly signal (Ctrl-C during a VGG16 compile, `timeout`). The signal
 * handler may interrupt any instruction, so everything it reads is prepared
 * in advance: the table of outputs is a chain of blocks that never move
 * (growing adds a block, nothing is reallocated), an entry is complete
 * before the count that shows it is stored, and the handler only calls
 * unlink() (and vfork() + execve() of rm for the sim directory). Updates
 * also run with the caught signals blocked, so a file is never on disk
 * without its entry. */
struct out_file {
	char *path, *tmp;                  /* malloc'd: the handler may read them late */
	FILE *f;
	atomic_bool renamed;               /* path now holds this run's output */
};
struct out_block {
	struct out_block *_Atomic next;
	atomic_int n;                      /* entries published to the handler */
	int cap;
	struct out_file e[];
};
static struct out_block *_Atomic out_head;
static struct out_block *out_tail;
static atomic_bool out_committing;     /* renames under way: a signal undoes them */
static char *const *_Atomic rm_argv;   /* {"rm", "-rf", "--", dir, NULL} for nnc sim */
static atomic_int child_pgid;          /* nnc sim's simulator, its own process group */

static const int caught[] = {SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGQUIT, SIGXFSZ};
static pthread_t main_thread;

static void block_caught(sigset_t *old)
{
	sigset_t s;
	sigemptyset(&s);
	for (size_t i = 0; i < sizeof caught / sizeof caught[0]; i++)
		sigaddset(&s, caught[i]);
	pthread_sigmask(SIG_BLOCK, &s, old);
}

static void restore_mask(const sigset_t *old)
{
	pthread_sigmask(SIG_SETMASK, old, NULL);
}

/* Async-signal-safe: unlink every published temporary and, during the
 * renames, every output already renamed. */
static void remove_outputs(void)
{
	int saved = errno;
	bool undo = atomic_load(&out_committing);
	for (struct out_block *b = atomic_load(&out_head); b; b = atomic_load(&b->next)) {
		int n = atomic_load(&b->n);
		for (int i = 0; i < n; i++) {
			unlink(b->e[i].tmp);
			if (undo && atomic_load(&b->e[i].renamed))
				unlink(b->e[i].path);
		}
	}
	errno = saved;
}

/* Async-signal-safe: rm -rf the sim directory, once. */
static void remove_dir(void)
{
	int saved = errno;
	char *const *argv = atomic_exchange(&rm_argv, NULL);
	if (argv) {
		static char *const envp[] = {NULL};
		pid_t pid = vfork();
		if (pid == 0) {
			execve("/bin/rm", argv, envp);
			_exit(127);
		}
		while (pid > 0 && waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	errno = saved;
}

/* Async-signal-safe: end the simulator's process group (it writes into
 * the sim directory) and reap its leader. */
static void stop_child(void)
{
	int saved = errno;
	int pg = atomic_exchange(&child_pgid, 0);
	if (pg > 0) {
		kill(-pg, SIGTERM);
		while (waitpid(pg, NULL, 0) < 0 && errno == EINTR)
			;
	}
	errno = saved;
}

static void remove_temporaries(void)
{
	stop_child();
	remove_outputs();
	remove_dir();
}

int child_start(const char *cmd, int out_fd)
{
	/* blocked from before the fork until the child is published, so no
	 * signal finds a child it does not know of */
	sigset_t old;
	block_caught(&old);
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		setpgid(0, 0);
		dup2(out_fd, 1);
		dup2(out_fd, 2);
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	if (pid > 0) {
		setpgid(pid, pid);             /* either side may win the race */
		atomic_store(&child_pgid, (int)pid);
	}
	restore_mask(&old);
	return pid > 0 ? (int)pid : -1;
}

int child_wait(int pid)
{
	int st;
	pid_t r;
	while ((r = waitpid(pid, &st, 0)) < 0 && errno == EINTR)
		;
	atomic_store(&child_pgid, 0);
	return r == pid && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void on_signal(int sig)
{
	/* the main thread is the only one that creates outputs: cleaning up
	 * there means no out_open() can run after the unlinks */
	if (!pthread_equal(pthread_self(), main_thread)) {
		pthread_kill(main_thread, sig);
		return;
	}
	remove_temporaries();
	/* die by the signal, so the exit status says so */
	struct sigaction dfl = {.sa_handler = SIG_DFL};
	sigemptyset(&dfl.sa_mask);
	sigaction(sig, &dfl, NULL);
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, sig);
	pthread_sigmask(SIG_UNBLOCK, &s, NULL);
	raise(sig);
	_exit(128 + sig);                  /* not reached */
}

static void remove_at_exit(void)
{
	remove_temporaries();
}

void out_catch_signals(void)
{
	main_thread = pthread_self();
	atexit(remove_at_exit);
	struct sigaction sa = {.sa_handler = on_signal};
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof caught / sizeof caught[0]; i++)
		sigaddset(&sa.sa_mask, caught[i]);
	for (size_t i = 0; i < sizeof caught / sizeof caught[0]; i++) {
		struct sigaction old;
		/* a signal ignored on entry (nohup, a background job) stays ignored */
		if (sigaction(caught[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
			continue;
		sigaction(caught[i], &sa, NULL);
	}
}

static char *plain_strdup(const char *s)
{
	char *p = big_alloc(strlen(s) + 1);
	return strcpy(p, s);
}

/* Append an entry (signals blocked); the block chain grows by doubling. */
static struct out_file *out_add(const char *path, char *tmp)
{
	struct out_block *b = out_tail;
	if (!b || atomic_load(&b->n) == b->cap) {
		int cap = b ? 2 * b->cap : 64;
		struct out_block *nb = big_alloc(sizeof *nb + (size_t)cap * sizeof nb->e[0]);
		atomic_init(&nb->next, NULL);
		atomic_init(&nb->n, 0);
		nb->cap = cap;
		if (b)
			atomic_store(&b->next, nb);
		else
			atomic_store(&out_head, nb);
		out_tail = b = nb;
	}
	int n = atomic_load(&b->n);
	struct out_file *e = &b->e[n];
	e->path = plain_strdup(path);
	e->tmp = tmp;
	e->f = NULL;
	atomic_init(&e->renamed, false);
	atomic_store(&b->n, n + 1);
	return e;
}

FILE *out_open(const char *path)
{
	char *tmp = big_alloc(strlen(path) + 32);
	sprintf(tmp, "%s.tmp%ld", path, (long)getpid());
	sigset_t old;
	block_caught(&old);
	struct out_file *e = out_add(path, tmp);
	e->f = fopen(tmp, "w+b");   /* read too: OUT.mem.bin is filled through mmap */
	int err = errno;
	restore_mask(&old);
	if (!e->f) {
		error_file(path, "cannot write: %s", strerror(err));
		return NULL;
	}
	return e->f;
}

/* Forget every entry: the handler sees an empty table before it is freed. */
static void out_forget_all(void)
{
	sigset_t old;
	block_caught(&old);
	struct out_block *b = atomic_exchange(&out_head, NULL);
	out_tail = NULL;
	atomic_store(&out_committing, false);
	restore_mask(&old);
	while (b) {
		struct out_block *next = atomic_load(&b->next);
		for (int i = 0; i < atomic_load(&b->n); i++) {
			free(b->e[i].path);
			free(b->e[i].tmp);
		}
		free(b);
		b = next;
	}
}

/* Newest first: glibc keeps open FILEs on a list with the newest at the head
 * and fclose() walks to its FILE, so closing oldest first is quadratic in
 * the outputs (two ROM files a conv in parallel mode). */
static void close_block(struct out_block *b, bool report)
{
	if (!b)
		return;
	close_block(atomic_load(&b->next), report);
	for (int i = atomic_load(&b->n) - 1; i >= 0; i--) {
		struct out_file *e = &b->e[i];
		if (e->f && fclose(e->f) != 0 && report)
			error_file(e->path, "write failed: %s", strerror(errno));
		e->f = NULL;
	}
}

static void out_close_all(void)
{
	close_block(atomic_load(&out_head), true);
}

/* All or nothing: a rename that fails takes back the ones before it. */
void out_commit_all(void)
{
	out_close_all();
	if (error_count()) {
		out_abort_all();
		return;
	}
	atomic_store(&out_committing, true);
	for (struct out_block *b = atomic_load(&out_head); b; b = atomic_load(&b->next))
		for (int i = 0; i < atomic_load(&b->n); i++) {
			struct out_file *e = &b->e[i];
			if (rename(e->tmp, e->path) != 0) {
				error_file(e->path, "cannot rename into place: %s", strerror(errno));
				remove_outputs();      /* out_committing: the renamed ones too */
				out_forget_all();
				return;
			}
			atomic_store(&e->renamed, true);
		}
	out_forget_all();
}

void out_abort_all(void)
{
	close_block(atomic_load(&out_head), false);
	remove_outputs();
	out_forget_all();
}

void out_remove_now(void)
{
	remove_temporaries();
}

/* The sim directory: made and published with the signals blocked, so no
 * signal finds it on disk and unknown. */
char *temp_dir_make(char *tmpl)
{
	sigset_t old;
	block_caught(&old);
	char *dir = mkdtemp(tmpl);
	int err = errno;
	if (dir) {
		char **argv = big_alloc(5 * sizeof *argv);
		argv[0] = "rm";
		argv[1] = "-rf";
		argv[2] = "--";
		argv[3] = plain_strdup(dir);
		argv[4] = NULL;
		atomic_store(&rm_argv, argv);
	}
	restore_mask(&old);
	errno = err;
	return dir;
}

void temp_dir_done(bool remove)
{
	sigset_t old;
	block_caught(&old);
	char *const *argv = remove ? atomic_load(&rm_argv) : atomic_exchange(&rm_argv, NULL);
	restore_mask(&old);
	if (remove)
		remove_dir();                  /* removes the directory and forgets it */
	if (argv) {
		free(argv[3]);
		free((void *)argv);
	}
}

bool same_file(const char *a, const char *b)
{
	struct stat sa, sb;
	if (stat(a, &sa) != 0 || stat(b, &sb) != 0)
		return false;
	return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

const char *dims_str(const int64_t *d, int n)
{
	char buf[200] = "(";
	for (int i = 0; i < n && i < 8; i++) {
		size_t used = strlen(buf);
		snprintf(buf + used, sizeof buf - used, "%s%lld", i ? ", " : "", (long long)d[i]);
	}
	strcat(buf, n == 1 ? ",)" : ")");
	return xstrdup(buf);
}
