/* sim.c: `nnc sim`. Compile into a directory, run the golden model, run the
 * testbench in Icarus or Verilator, and compare every output element.
 *
 * The testbench (written by the mode's lowering) reports in out.txt, one
 * record a line:
 *   o F I V      frame F's output element I (flat C,H,W index) is V
 *   f F T0 T1    frame F started at cycle T0 and its last output left at T1
 *   v F T        (parallel) the design first offered frame F's first output
 *                beat at cycle T, whether or not the bench took it then
 *   x MESSAGE    the testbench saw something wrong (X on an output, a timeout)
 * and prints "progress ..." lines on stdout while it runs. */
#include "emit.h"
#include "fixed.h"
#include "json.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *quote(const char *s)
{
	size_t n = strlen(s), k = 0;
	char *q = xmalloc(4 * n + 3);
	q[k++] = '\'';
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\'') {
			memcpy(q + k, "'\\''", 4);
			k += 4;
		} else {
			q[k++] = s[i];
		}
	}
	q[k++] = '\'';
	q[k] = 0;
	return q;
}

/* Run a command (sh -c, in a process group of its own that a deadly signal
 * to nnc terminates: child_start), echoing its "progress" lines to stderr;
 * its other output goes to log. Returns the exit status. */
static int run(const char *cmd, const char *log)
{
	if (verbosity >= 2)
		fprintf(stderr, "nnc: %s\n", cmd);
	int fd[2];
	if (pipe(fd) != 0)
		return -1;
	fcntl(fd[0], F_SETFD, FD_CLOEXEC);     /* the child writes only */
	int pid = child_start(cmd, fd[1]);
	close(fd[1]);
	FILE *p = pid > 0 ? fdopen(fd[0], "r") : NULL;
	if (!p) {
		close(fd[0]);
		if (pid > 0)
			child_wait(pid);
		return -1;
	}
	FILE *lf = fopen(log, "w");
	char line[1024];
	while (fgets(line, sizeof line, p)) {
		if (lf)
			fputs(line, lf);
		if (!strncmp(line, "progress ", 9) && verbosity >= 1)
			fprintf(stderr, "nnc sim: %s", line + 9);
	}
	if (lf)
		fclose(lf);
	fclose(p);
	return child_wait(pid);
}

static void show_log(const char *log)
{
	FILE *f = fopen(log, "r");
	if (!f)
		return;
	char line[1024];
	int n = 0;
	while (fgets(line, sizeof line, f) && n++ < 30)
		fprintf(stderr, "  | %s", line);
	fclose(f);
}

static int simulate(const struct network *net, const struct compile_opts *co,
                    const struct sim_opts *so, const char *dir)
{
	const char *base = out_base(co);
	/* the simulator runs in dir: a relative --vcd path is the caller's */
	const char *vcd = so->vcd;
	char cwd[4096];
	if (vcd && vcd[0] != '/' && getcwd(cwd, sizeof cwd))
		vcd = xprintf("%s/%s", cwd, vcd);
	const char *plus = xprintf("+seed=%llu%s%s%s%s", (unsigned long long)so->seed,
	                           so->no_stall ? " +nostall" : "", vcd ? " +vcd=" : "",
	                           vcd ? quote(vcd) : "",
	                           so->reset_frame >= 0 ? xprintf(" +reset_frame=%d", so->reset_frame) : "");
	const char *log = xprintf("%s/sim.log", dir);
	/* the tools' own temporaries (iverilog's) go into the directory too, so
	 * that removing it after a signal removes them */
	const char *cd = xprintf("cd %s && TMPDIR=\"$PWD\" && export TMPDIR && ", quote(dir));
	int rc;
	if (!strcmp(so->simulator, "verilator")) {
		rc = run(xprintf("%sverilator --binary --timing -O2 -Wno-fatal -Wno-lint -Wno-style "
		                 "--top-module tb -o simv %s_tb.v %s.v",
		                 cd, base, base), xprintf("%s/build.log", dir));
		if (rc) {
			error_plain("verilator failed on %s/%s.v (log in %s/build.log)", dir, base, dir);
			show_log(xprintf("%s/build.log", dir));
			return -1;
		}
		rc = run(xprintf("%s./obj_dir/simv %s", cd, plus), log);
	} else {
		rc = run(xprintf("%siverilog -g2005 -o sim.vvp -s tb %s_tb.v %s.v", cd, base, base),
		         xprintf("%s/build.log", dir));
		if (rc) {
			error_plain("iverilog failed on %s/%s.v (log in %s/build.log)", dir, base, dir);
			show_log(xprintf("%s/build.log", dir));
			return -1;
		}
		rc = run(xprintf("%svvp -n sim.vvp %s", cd, plus), log);
	}
	if (rc) {
		error_plain("the simulation failed (exit %d; log in %s)", rc, log);
		show_log(log);
		return -1;
	}
	(void)net;
	return 0;
}

/* Compare out.txt with the golden outputs; print the verdict line. */
static int compare(const struct network *net, const struct compile_opts *co,
                   const struct design *d, const struct tensor *want, const char *dir)
{
	const struct layer *ol = &net->layers[net->output];
	int64_t per = shape_elems(ol->oshape), total = per * want->n;
	const char *path = xprintf("%s/out.txt", dir);
	FILE *f = fopen(path, "r");
	if (!f) {
		printf("FAIL no results from the testbench (%s: %s)\n", path, strerror(errno));
		return 1;
	}
	int64_t *t0 = xcalloc((size_t)want->n, sizeof *t0), *t1 = xcalloc((size_t)want->n, sizeof *t1);
	int64_t *tv = xcalloc((size_t)want->n, sizeof *tv);
	char *seen = big_alloc((size_t)total);
	memset(seen, 0, (size_t)total);
	char line[512];
	int64_t got_n = 0;
	int fail = 0;
	while (fgets(line, sizeof line, f) && !fail) {
		long long fr, idx, v, a, b;
		if (line[0] == 'o' && sscanf(line + 1, "%lld %lld %lld", &fr, &idx, &v) == 3) {
			if (fr < 0 || fr >= want->n || idx < 0 || idx >= per) {
				printf("FAIL the testbench wrote frame %lld element %lld, outside %d x %lld\n",
				       fr, idx, want->n, (long long)per);
				fail = 1;
				break;
			}
			if (seen[fr * per + idx]++) {
				printf("FAIL frame %lld element %lld written twice\n", fr, idx);
				fail = 1;
				break;
			}
			got_n++;
			int32_t e = want->d[fr * per + idx];
			if (v != e) {
				int c = (int)(idx / (ol->oshape.h * ol->oshape.w));
				int y = (int)(idx / ol->oshape.w % ol->oshape.h), x = (int)(idx % ol->oshape.w);
				printf("FAIL frame %lld layer %s index %lld (c=%d y=%d x=%d) got %lld expected %d\n",
				       fr, ol->name, idx, c, y, x, v, e);
				fail = 1;
			}
		} else if (line[0] == 'f' && sscanf(line + 1, "%lld %lld %lld", &fr, &a, &b) == 3) {
			if (fr >= 0 && fr < want->n) {
				t0[fr] = a;
				t1[fr] = b;
			}
		} else if (line[0] == 'v' && sscanf(line + 1, "%lld %lld", &fr, &a) == 2) {
			/* a frame sent again after a reset: its last offer counts */
			if (fr >= 0 && fr < want->n)
				tv[fr] = a;
		} else if (line[0] == 'x') {
			printf("FAIL testbench: %s", line + 2);
			fail = 1;
		}
	}
	fclose(f);
	if (!fail && got_n != total) {
		printf("FAIL the testbench produced %lld of %lld output elements\n", (long long)got_n,
		       (long long)total);
		fail = 1;
	}
	free(seen);
	if (fail)
		return 1;

	/* parallel: the frame interval (tv[N-1] - tv[0]) / (N-1), tv[k] the cycle
	 * the design first offers frame k's first output beat. Between the two,
	 * the slowest engine (or the input port) does N-1 whole frames of work,
	 * and frame 0's offer waits for nothing the bench did on the output, so
	 * the figure is at least the bound; the cycles the bench took the last
	 * beats are not (its backpressure on frame 0's last beat shortens the
	 * span). One frame has no interval: what was measured is its latency,
	 * first input beat to last output beat. Serial: the mean time of one
	 * inference (a batch's time over its frames). */
	if (co->mode == MODE_PARALLEL && want->n < 2) {
		printf("PASS latency=%lld cycles (1 frame: no interval measured)\n",
		       (long long)(t1[0] - t0[0]));
		return 0;
	}
	double cycles;
	if (co->mode == MODE_PARALLEL) {
		cycles = (double)(tv[want->n - 1] - tv[0]) / (want->n - 1);
	} else {
		cycles = 0;
		for (int i = 0; i < want->n; i++)
			cycles += (double)(t1[i] - t0[i]);
		/* a batch's frames share one start: each gets its share */
		cycles /= (double)want->n * (d->batch > 1 ? d->batch : 1);
	}
	if (cycles <= 0)
		cycles = 1;
	printf("PASS cycles=%.0f bound=%lld attained=%.3f mac_util=%.3f\n", cycles,
	       (long long)d->bound, (double)d->bound / cycles,
	       (double)d->macs / (cycles * (double)(d->multipliers ? d->multipliers : 1)));
	return 0;
}

static bool constant(const struct tensor *t)
{
	size_t n = (size_t)t->n * (size_t)shape_elems(t->s);
	for (size_t i = 1; i < n; i++)
		if (t->d[i] != t->d[0])
			return false;
	return true;
}

/* ---- a program on an engine (--engine, docs/DESIGN.md §10) -------------------- */

/* The host-side sources of the engine harness (embedded with the templates). */
static const char *const harness_src[] = {"engine_main.cpp", "axi_mem.h", "nnc_drv.h", "nnc_drv.c"};

/* The engine model's cache: $NNC_CACHE, or $XDG_CACHE_HOME/nnc, or ~/.cache/nnc. */
static const char *cache_dir(void)
{
	const char *c = getenv("NNC_CACHE");
	char cwd[4096];
	if (c && *c && c[0] != '/' && getcwd(cwd, sizeof cwd))
		return xprintf("%s/%s", cwd, c);    /* the simulator runs elsewhere */
	if (c && *c)
		return c;
	const char *x = getenv("XDG_CACHE_HOME"), *h = getenv("HOME");
	return x && *x ? xprintf("%s/nnc", x) : xprintf("%s/.cache/nnc", h && *h ? h : "/tmp");
}

static bool mkdirs(const char *path)
{
	char *p = xprintf("%s", path);
	for (char *q = p + 1; *q; q++)
		if (*q == '/') {
			*q = 0;
			if (mkdir(p, 0777) != 0 && errno != EEXIST)
				return false;
			*q = '/';
		}
	return mkdir(p, 0777) == 0 || errno == EEXIST;
}

/* The Verilator model of the engine of spec (its harness linked in), built
 * once per spec and harness: the path of its executable, or NULL. A build
 * happens in dir and the executable is then published in the cache. */
static const char *engine_model(const struct compile_opts *co, const char *dir, int *mw,
                                bool trace)
{
	struct json *j = json_read(co->engine);
	int64_t hash, w;
	if (!j || json_int(j, "spec_hash", 0, 0xFFFFFFFFll, &hash))
		return NULL;
	const struct json *sp = json_get(j, "spec");
	if (!sp || json_int(sp, "mw", 32, 1024, &w))
		return NULL;
	*mw = (int)w;
	/* the key: the spec, every template and the harness */
	uint32_t key = (2166136261u ^ (uint32_t)hash ^ (trace ? 0x9e3779b9u : 0)) * 16777619u;
	for (int i = 0; nn_templates[i].name; i++)
		for (const char *p = nn_templates[i].text; *p; p++)
			key = (key ^ (uint8_t)*p) * 16777619u;
	const char *cache = cache_dir();
	const char *exe = xprintf("%s/engine-%08x-%08x", cache, (uint32_t)hash, key);
	if (access(exe, X_OK) == 0) {
		if (verbosity >= 2)
			fprintf(stderr, "nnc: the engine model %s is cached\n", exe);
		return exe;
	}
	if (verbosity >= 1)
		fprintf(stderr, "nnc sim: building the engine's Verilator model (once for this "
		        "engine: cached in %s)\n", cache);
	struct compile_opts e = *co;
	e.out = xprintf("%s/engine/nnc_engine.v", dir);
	e.name = "nnc_engine";
	const struct mode_ops *ops = &serial_ops;
	if (!mkdirs(xprintf("%s/engine", dir)) || ops->engine(&e))
		return NULL;
	for (size_t k = 0; k < sizeof harness_src / sizeof harness_src[0]; k++) {
		const char *t = template_text(harness_src[k]);
		FILE *f = t ? out_open(xprintf("%s/engine/%s", dir, harness_src[k])) : NULL;
		if (!t)
			die("the harness source %s is not embedded", harness_src[k]);
		if (!f)
			return NULL;
		fputs(t, f);
	}
	out_commit_all();
	if (error_count())
		return NULL;
	const char *cd = xprintf("cd %s/engine && TMPDIR=\"$PWD\" && export TMPDIR && ", quote(dir));
	const char *log = xprintf("%s/build.log", dir);
	int rc = run(xprintf("%sverilator --cc --exe --build -j 2 -O2 -Wno-fatal -Wno-lint "
	                     "-Wno-style --top-module nnc_engine --prefix Vengine%s "
	                     "-MAKEFLAGS 'OPT_FAST=-O2 OPT_SLOW=-O1' "
	                     "-CFLAGS '-O2 -DNNC_MW=%d' -o engine_sim nnc_engine.v engine_main.cpp "
	                     "nnc_drv.c", cd, trace ? " --trace" : "", (int)w), log);
	if (rc) {
		error_plain("verilator failed on the engine (log in %s)", log);
		show_log(log);
		return NULL;
	}
	/* publish: a temporary in the cache renamed at the commit */
	size_t len;
	char *bin = read_file(xprintf("%s/engine/obj_dir/engine_sim", dir), &len);
	FILE *f = bin && mkdirs(cache) ? out_open(exe) : NULL;
	if (!f) {
		error_file(exe, "cannot write the engine model into the cache");
		return NULL;
	}
	if (fwrite(bin, 1, len, f) != len || fflush(f) != 0 || fchmod(fileno(f), 0755) != 0) {
		error_file(exe, "cannot write the engine model: %s", strerror(errno));
		return NULL;
	}
	out_commit_all();
	return error_count() ? NULL : exe;
}

/* Run the program of co->out on the engine model: frames.bin in, out.txt out. */
static int simulate_engine(const struct sim_opts *so, const char *dir, const char *exe, int mw,
                           const struct compile_opts *co, const struct tensor *in)
{
	FILE *f = out_open(xprintf("%s/frames.bin", dir));
	if (!f)
		return -1;
	size_t n = (size_t)in->n * (size_t)shape_elems(in->s);
	for (size_t i = 0; i < n; i++) {
		uint32_t v = (uint32_t)in->d[i];
		uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
		fwrite(b, 1, 4, f);
	}
	out_commit_all();
	if (error_count())
		return -1;
	const char *vcd = so->vcd;
	char cwd[4096];
	if (vcd && vcd[0] != '/' && getcwd(cwd, sizeof cwd))
		vcd = xprintf("%s/%s", cwd, vcd);
	const char *base = out_base(co);
	const char *cmd = xprintf("cd %s && %s --prog %s.bin --weights %s.weights.bin "
	                          "--input frames.bin --frames %d --mem-bytes %d --out out.txt "
	                          "--seed %llu%s%s%s", quote(dir), quote(exe), base, base, in->n,
	                          mw / 8, (unsigned long long)so->seed,
	                          so->no_stall ? " --stall 0" : "", vcd ? " --vcd " : "",
	                          vcd ? quote(vcd) : "");
	const char *log = xprintf("%s/sim.log", dir);
	int rc = run(cmd, log);
	if (rc) {
		error_plain("the engine simulation failed (exit %d; log in %s)", rc, log);
		show_log(log);
		return -1;
	}
	return 0;
}

int run_sim(struct network *net, struct compile_opts *co, const struct sim_opts *so,
            const struct weight_opts *wo)
{
	const struct mode_ops *ops = co->mode == MODE_SERIAL ? &serial_ops : &parallel_ops;
	if (!ops->compile) {
		error_plain("%s mode is not in this build of nnc yet", ops->name);
		return 1;
	}
	const char *tmpdir = getenv("TMPDIR");
	char *tmpl = xprintf("%s/nnc_sim_XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
	const char *dir = so->keep;
	if (dir) {
		if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
			error_file(dir, "cannot create: %s", strerror(errno));
			return 1;
		}
	} else if (!(dir = temp_dir_make(tmpl))) {
		error_plain("cannot make a temporary directory: %s", strerror(errno));
		return 1;
	}
	int rc = 1;
	bool kept = false;
	struct tensor in = {0}, want = {0};
	bool batched;
	if (load_weights(net, wo))
		goto out;
	if (so->input) {
		if (load_input(net, so->input, &in, &batched, NULL) ||
		    mem_check_images(net, in.n, false, false, so->input))
			goto out;
	} else {
		if (mem_check_images(net, so->frames, false, false, "--frames"))
			goto out;
		random_input(net, so->frames, so->seed, &in);
	}
	co->out = xprintf("%s/%s.%s", dir, net->name, co->engine ? "bin" : "v");
	co->tb = !co->engine;
	co->frames = in.n;
	co->stall_inner = so->stall_inner;
	struct design d = {0};
	if (ops->compile(net, co, &d) || (!co->engine && ops->write_vectors(net, &d, co, &in)))
		goto out;
	out_commit_all();
	if (error_count())
		goto out;
	golden_run(net, &in, &want, NULL, NULL);
	if (constant(&want))
		warn_file(net->file, "every expected output is %d: this comparison proves little",
		          want.d[0]);
	/* from here a failure names the directory: it is kept for a look */
	kept = true;
	if (co->engine) {
		int mw = 0;
		const char *exe = engine_model(co, dir, &mw, so->vcd != NULL);
		if (!exe || simulate_engine(so, dir, exe, mw, co, &in))
			goto out;
	} else if (simulate(net, co, so, dir)) {
		goto out;
	}
	rc = compare(net, co, &d, &want, dir);
	if (rc && !so->keep)
		fprintf(stderr, "nnc sim: the design and the testbench are kept in %s\n", dir);
out:
	if (!so->keep)
		temp_dir_done(rc == 0 || !kept);
	free(in.d);
	free(want.d);
	free_weights(net);
	return rc;
}
