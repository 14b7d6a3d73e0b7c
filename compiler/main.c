/* main.c: the command line. Each command is the pipeline of passes it needs:
 * parse, check (sema), load weights, then run, report or emit. */
#include "emit.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char usage[] =
	"usage: nnc NET.nn -o OUT.v [--mode serial|parallel]   compile to Verilog\n"
	"       nnc check NET.nn [--json]                      layer table\n"
	"       nnc run NET.nn --input X.npy -o Y.npy [--raw] [--float] [--dump-layers DIR]\n"
	"                                                      golden model\n"
	"       nnc sim NET.nn --mode M                        compile, simulate, compare\n"
	"       nnc quantize NET.nn --weights DIR --calib X.npy -o NET.q.nn\n"
	"                                                      fraction bits from data\n"
	"       nnc import MODEL.onnx -o NET.nn --weights-out DIR  ONNX to .nn and float weights\n"
	"       nnc engine -o ENG.v [--pe TMxTN] [--mem-width BITS] [--max-width W]\n"
	"                  [--bram-kbits N] [--name NAME]      a serial engine for any network\n"
	"       nnc NET.nn --engine ENG.json -o NET.bin        a program for that engine\n"
	"\n"
	"options:\n"
	"  --weights DIR       <layer>.weight.npy and <layer>.bias.npy (PyTorch layouts);\n"
	"                      float arrays are quantized, integer arrays are raw\n"
	"  --seed N            pseudo-random weights without --weights (default 1)\n"
	"  --dump-weights DIR  write the integer weights actually used\n"
	"  --input X.npy       [C,H,W] or [N,C,H,W]; float is quantized, integers are raw\n"
	"  -o PATH             output file\n"
	"  --raw               outputs as raw integers (int32) instead of float32 values\n"
	"  --float             run in floating point, without quantization\n"
	"  --dump-layers DIR   every layer's raw output as DIR/<layer>.npy\n"
	"  --json              check: print JSON\n"
	"  --mode M            serial or parallel (default parallel)\n"
	"  --tb                compile: also write OUT_tb.v\n"
	"  --pe TMxTN          serial: the multiplier array (default 8x8)\n"
	"  --mem-width BITS    serial: the memory bus width (default 64)\n"
	"  --batch N           serial: run N frames a start, the fc layers once for all N\n"
	"                      (each fc weight fetched once for N frames; default 1)\n"
	"  --bram-kbits N      serial: fit the on-chip buffers in N x 1024 bits (the part's\n"
	"                      block RAM; default: no cap)\n"
	"  --fuse auto|all|none  serial: run a conv whose output only the next conv reads\n"
	"                      together with it in row bands through an on-chip scratch: where\n"
	"                      the estimate says it pays (auto, the default), wherever it can\n"
	"                      (all), or never (none)\n"
	"  --fuse-band N       serial: fuse every pair it can with bands of N output rows of the\n"
	"                      second conv (after its pool; for tests and experiments)\n"
	"  --engine ENG.json   compile, sim: a program for that engine (serial mode): NET.bin,\n"
	"                      NET.weights.bin, NET.json; sim runs it on the engine (Verilator)\n"
	"  --max-width W       engine: the widest activation and weight, in bits (default 16)\n"
	"  --name NAME         engine: the top module's name (default: from -o)\n"
	"  --mult-budget N     parallel: multipliers to balance over the layers (default 256)\n"
	"  --frames N          sim: random frames to stream (default 2)\n"
	"  --simulator S       sim: icarus (default) or verilator\n"
	"  --keep DIR          sim: build and keep everything in DIR\n"
	"  --vcd FILE          sim: dump waveforms\n"
	"  --no-stall          sim: no random gaps, backpressure or memory stalls\n"
	"  --reset-frame F     sim: assert reset in the middle of frame F, then resend\n"
	"  --stall-inner       sim, parallel: random stalls on every link between engines too\n"
	"  --mem-limit GIB     refuse work the golden model or the serial memory image\n"
	"                      would need more memory for (default 8; docs/DESIGN.md §2.6)\n"
	"  -q, -v              quieter, more verbose\n"
	"  --help, --version\n";

struct options {
	const char *cmd, *net, *out, *input, *dump_layers, *dump_weights, *mode, *calib, *weights_out;
	struct weight_opts w;
	struct compile_opts c;
	struct sim_opts s;
	bool json, raw, use_float;
};

static const char *take_arg(int argc, char **argv, int *i)
{
	if (*i + 1 >= argc) {
		error_plain("option '%s' needs a value", argv[*i]);
		return NULL;
	}
	return argv[++*i];
}

static bool parse_u64(const char *s, uint64_t *v)
{
	char *end;
	errno = 0;
	unsigned long long x = strtoull(s, &end, 10);
	if (errno || !*s || *end || *s == '-')
		return false;
	*v = x;
	return true;
}

static bool parse_int(const char *opt, const char *v, int min, int max, int *out)
{
	uint64_t x;
	if (!v)
		return false;
	if (!parse_u64(v, &x) || x < (uint64_t)min || x > (uint64_t)max) {
		error_plain("%s takes an integer from %d to %d, not '%s'", opt, min, max, v);
		return false;
	}
	*out = (int)x;
	return true;
}

static int parse_args(int argc, char **argv, struct options *o)
{
	static const char *const cmds[] = {"check", "run", "sim", "quantize", "import", "engine"};
	bool fuse_set = false, engine_set = false;
	o->w.seed = 1;
	o->c.tm = o->c.tn = 8;
	o->c.mem_width = 64;
	o->c.batch = 1;
	o->c.mult_budget = 256;
	o->s.frames = 2;
	o->s.reset_frame = -1;
	o->s.simulator = "icarus";
	int i = 1;
	if (argc > 1)
		for (size_t k = 0; k < sizeof cmds / sizeof cmds[0]; k++)
			if (!strcmp(argv[1], cmds[k])) {
				o->cmd = cmds[k];
				i = 2;
			}
	for (; i < argc; i++) {
		const char *a = argv[i];
		const char **slot = NULL;
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			fputs(usage, stdout);
			exit(0);
		} else if (!strcmp(a, "--version")) {
			printf("nnc %s\n", NNC_VERSION);
			exit(0);
		} else if (!strcmp(a, "-q")) {
			verbosity = 0;
		} else if (!strcmp(a, "-v")) {
			verbosity = 2;
		} else if (!strcmp(a, "--json")) {
			o->json = true;
		} else if (!strcmp(a, "--raw")) {
			o->raw = true;
		} else if (!strcmp(a, "--float")) {
			o->use_float = true;
		} else if (!strcmp(a, "-o")) {
			slot = &o->out;
		} else if (!strcmp(a, "--input")) {
			slot = &o->input;
		} else if (!strcmp(a, "--weights")) {
			slot = &o->w.dir;
		} else if (!strcmp(a, "--dump-layers")) {
			slot = &o->dump_layers;
		} else if (!strcmp(a, "--dump-weights")) {
			slot = &o->dump_weights;
		} else if (!strcmp(a, "--mode")) {
			slot = &o->mode;
		} else if (!strcmp(a, "--weights-out")) {
			slot = &o->weights_out;
		} else if (!strcmp(a, "--calib")) {
			slot = &o->calib;
		} else if (!strcmp(a, "--tb")) {
			o->c.tb = true;
		} else if (!strcmp(a, "--no-stall")) {
			o->s.no_stall = true;
		} else if (!strcmp(a, "--stall-inner")) {
			o->s.stall_inner = true;
		} else if (!strcmp(a, "--keep")) {
			slot = &o->s.keep;
		} else if (!strcmp(a, "--vcd")) {
			slot = &o->s.vcd;
		} else if (!strcmp(a, "--simulator")) {
			slot = &o->s.simulator;
		} else if (!strcmp(a, "--reset-frame")) {
			parse_int(a, take_arg(argc, argv, &i), 0, 100000, &o->s.reset_frame);
		} else if (!strcmp(a, "--frames")) {
			parse_int(a, take_arg(argc, argv, &i), 1, 100000, &o->s.frames);
		} else if (!strcmp(a, "--batch")) {
			parse_int(a, take_arg(argc, argv, &i), 1, 256, &o->c.batch);
		} else if (!strcmp(a, "--fuse-band")) {
			parse_int(a, take_arg(argc, argv, &i), 1, 65535, &o->c.fuse_band);
			fuse_set = true;
		} else if (!strcmp(a, "--fuse")) {
			const char *v = take_arg(argc, argv, &i);
			if (v && !strcmp(v, "auto"))
				o->c.fuse = FUSE_AUTO;
			else if (v && !strcmp(v, "all"))
				o->c.fuse = FUSE_ALL;
			else if (v && !strcmp(v, "none"))
				o->c.fuse = FUSE_NONE;
			else if (v)
				error_plain("--fuse takes auto, all or none, not '%s'", v);
			fuse_set = true;
		} else if (!strcmp(a, "--bram-kbits")) {
			int k = 0;
			if (parse_int(a, take_arg(argc, argv, &i), 1, 1 << 24, &k))
				o->c.bram_kbits = k;
		} else if (!strcmp(a, "--engine")) {
			slot = &o->c.engine;
		} else if (!strcmp(a, "--name")) {
			slot = &o->c.name;
		} else if (!strcmp(a, "--max-width")) {
			parse_int(a, take_arg(argc, argv, &i), 2, 32, &o->c.max_width);
		} else if (!strcmp(a, "--mult-budget")) {
			parse_int(a, take_arg(argc, argv, &i), 1, 1 << 20, &o->c.mult_budget);
		} else if (!strcmp(a, "--mem-width")) {
			const char *v = take_arg(argc, argv, &i);
			engine_set = true;
			if (parse_int(a, v, 8, 1024, &o->c.mem_width) &&
			    (o->c.mem_width & (o->c.mem_width - 1)))
				error_plain("--mem-width takes a power of two from 8 to 1024, not '%s'", v);
		} else if (!strcmp(a, "--pe")) {
			const char *v = take_arg(argc, argv, &i);
			engine_set = true;
			char tail;
			if (v && (sscanf(v, "%dx%d%c", &o->c.tm, &o->c.tn, &tail) != 2 || o->c.tm < 1 ||
			          o->c.tn < 1 || o->c.tm > 1024 || o->c.tn > 1024))
				error_plain("--pe takes TMxTN with each from 1 to 1024, like 16x16, not '%s'", v);
		} else if (!strcmp(a, "--mem-limit")) {
			const char *v = take_arg(argc, argv, &i);
			uint64_t g = 0;
			if (v && (!parse_u64(v, &g) || g < 1 || g > (1u << 20)))
				error_plain("--mem-limit takes a whole number of GiB from 1 to 1048576, not '%s'", v);
			else if (v)
				mem_limit = (int64_t)g << 30;
		} else if (!strcmp(a, "--seed")) {
			const char *v = take_arg(argc, argv, &i);
			if (v && !parse_u64(v, &o->w.seed))
				error_plain("--seed takes a non-negative integer, not '%s'", v);
		} else if (a[0] == '-' && a[1]) {
			error_plain("unknown option '%s' (see nnc --help)", a);
		} else if (!o->net) {
			o->net = a;
		} else {
			error_plain("unexpected argument '%s' (one network at a time)", a);
		}
		if (slot)
			*slot = take_arg(argc, argv, &i);
	}
	bool eng = o->cmd && !strcmp(o->cmd, "engine");
	if (eng && o->net)
		error_plain("nnc engine takes no network ('%s'): an engine runs any network", o->net);
	if (!eng && !o->net && !error_count())
		error_plain("no network given (see nnc --help)");
	if (!eng && (o->c.max_width || o->c.name))
		error_plain("--max-width and --name are options of nnc engine");
	if (o->c.engine) {
		if (o->mode && strcmp(o->mode, "serial"))
			error_plain("--engine targets a serial engine; --mode %s does not", o->mode);
		if (engine_set || o->c.bram_kbits)
			error_plain("--pe, --mem-width and --bram-kbits are the engine's (%s), not the "
			            "program's", o->c.engine);
		o->mode = "serial";
		if (o->s.reset_frame >= 0 || o->s.stall_inner)
			error_plain("--reset-frame and --stall-inner are not for an engine's simulation");
	}
	if (eng)
		o->mode = "serial";
	if (o->mode && strcmp(o->mode, "serial") && strcmp(o->mode, "parallel"))
		error_plain("--mode takes serial or parallel, not '%s'", o->mode);
	o->c.mode = o->mode && !strcmp(o->mode, "serial") ? MODE_SERIAL : MODE_PARALLEL;
	if (fuse_set && o->c.mode != MODE_SERIAL)
		error_plain("--fuse and --fuse-band are serial-mode options (parallel mode streams "
		            "every layer on chip)");
	if (o->c.fuse == FUSE_NONE && o->c.fuse_band > 0)
		error_plain("--fuse-band fuses layers, and --fuse none says not to");
	if (o->c.bram_kbits > 0 && o->c.mode != MODE_SERIAL)
		error_plain("--bram-kbits is a serial-mode option (parallel mode keeps weights in ROMs)");
	if (o->c.batch > 1 && o->c.mode != MODE_SERIAL)
		error_plain("--batch is a serial-mode option (parallel mode streams frames back to back)");
	o->s.seed = o->w.seed;
	o->s.input = o->input;
	if (o->s.simulator && strcmp(o->s.simulator, "icarus") && strcmp(o->s.simulator, "verilator"))
		error_plain("--simulator takes icarus or verilator, not '%s'", o->s.simulator);
	return error_count() ? -1 : 0;
}

static struct network *front_end(const struct options *o)
{
	struct ast_file *ast = parse_file(o->net);
	struct network *net = ast ? sema(ast) : NULL;
	if (error_count() || mem_check_network(net))
		return NULL;
	mark_live(net);
	return net;
}

static int cmd_check(const struct options *o)
{
	struct network *net = front_end(o);
	if (!net)
		return 1;
	if (o->json)
		print_layer_json(stdout, net);
	else
		print_layer_table(stdout, net);
	return 0;
}

struct dump_ctx {
	const struct network *net;
	const char *dir;
	bool batched;
};

static void dump_layer(void *p, int i, const struct tensor *t)
{
	struct dump_ctx *d = p;
	const struct layer *l = &d->net->layers[i];
	save_tensor(xprintf("%s/%s.npy", d->dir, l->name), l, t, d->batched, true);
}

static bool make_dir(const char *dir)
{
	if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
		error_file(dir, "cannot create the directory: %s", strerror(errno));
		return false;
	}
	return true;
}

static int cmd_run(struct options *o)
{
	if (!o->input)
		error_plain("run needs --input X.npy");
	if (!o->out)
		error_plain("run needs -o Y.npy");
	if (o->input && o->out && same_file(o->input, o->out))
		error_plain("the output %s is the input file", o->out);
	if (error_count())
		return 1;
	struct network *net = front_end(o);
	if (!net)
		return 1;
	o->w.keep_float = o->use_float;
	if (load_weights(net, &o->w))
		goto fail;
	struct tensor in = {0}, out = {0};
	struct ftensor fin = {0}, fout = {0};
	bool batched = false;
	if (load_input(net, o->input, &in, &batched, o->use_float ? &fin : NULL) ||
	    mem_check_images(net, in.n, o->use_float, false, o->input))
		goto fail_in;
	if (o->dump_weights && dump_weights(net, o->dump_weights))
		goto fail_in;
	const struct layer *ol = &net->layers[net->output];
	if (o->use_float) {
		float_run(net, &fin, &fout, NULL, NULL);
		save_ftensor(o->out, ol, &fout, batched);
		free(fout.d);
	} else {
		struct dump_ctx d = {net, o->dump_layers, batched};
		if (o->dump_layers && !make_dir(o->dump_layers))
			goto fail_in;
		golden_run(net, &in, &out, o->dump_layers ? dump_layer : NULL, &d);
		if (!error_count())
			save_tensor(o->out, ol, &out, batched, o->raw);
		free(out.d);
	}
fail_in:
	free(in.d);
	free(fin.d);
fail:
	free_weights(net);
	return error_count() ? 1 : 0;
}

static int cmd_compile(struct options *o)
{
	const struct mode_ops *ops = o->c.mode == MODE_SERIAL ? &serial_ops : &parallel_ops;
	if (!o->out)
		error_plain("compiling needs -o OUT.v");
	else if (same_file(o->out, o->net))
		error_plain("the output %s is the network file", o->out);
	if (error_count())
		return 1;
	struct network *net = front_end(o);
	if (!net)
		return 1;
	if (!ops->compile) {
		error_plain("%s mode is not in this build of nnc yet", ops->name);
		return 1;
	}
	o->c.out = o->out;
	o->c.frames = o->s.frames;
	struct design d = {0};
	int rc = 1;
	if (load_weights(net, &o->w) == 0 && ops->compile(net, &o->c, &d) == 0)
		rc = 0;
	free_weights(net);
	return rc || error_count() ? 1 : 0;
}

static int cmd_quantize(struct options *o)
{
	if (!o->w.dir)
		error_plain("quantize needs --weights DIR (float weights)");
	if (!o->calib)
		error_plain("quantize needs --calib X.npy (float calibration inputs)");
	if (!o->out)
		error_plain("quantize needs -o NET.q.nn");
	else if (same_file(o->out, o->net))
		error_plain("the output %s is the network file", o->out);
	if (error_count())
		return 1;
	struct network *net = front_end(o);
	if (!net)
		return 1;
	int rc = quantize_network(net, &o->w, o->calib);
	if (rc == 0) {
		FILE *f = out_open(o->out);
		if (f)
			write_nn(f, net, xprintf("// %s: %s with fraction bits calibrated by nnc quantize\n"
			                         "// on %s, weights from %s.\n", o->out, o->net, o->calib,
			                         o->w.dir));
	}
	free_weights(net);
	return rc || error_count() ? 1 : 0;
}

static int cmd_import(struct options *o)
{
	if (!o->out)
		error_plain("import needs -o NET.nn");
	else if (same_file(o->out, o->net))
		error_plain("the output %s is the model file", o->out);
	if (!o->weights_out)
		error_plain("import needs --weights-out DIR");
	if (error_count())
		return 1;
	return import_onnx(o->net, o->out, o->weights_out) || error_count() ? 1 : 0;
}

static int cmd_engine(struct options *o)
{
	if (!o->out) {
		error_plain("nnc engine needs -o ENG.v");
		return 1;
	}
	o->c.out = o->out;
	return serial_ops.engine(&o->c) || error_count() ? 1 : 0;
}

static int cmd_sim(struct options *o)
{
	if (o->out)
		error_plain("sim takes no -o (use --keep DIR to keep the design)");
	if (error_count())
		return 1;
	struct network *net = front_end(o);
	if (!net)
		return 1;
	return run_sim(net, &o->c, &o->s, &o->w);
}

int main(int argc, char **argv)
{
	struct options o = {0};
	int rc;
	out_catch_signals();
	if (argc < 2) {
		fputs(usage, stderr);
		return 1;
	}
	if (parse_args(argc, argv, &o))
		rc = 1;
	else if (!o.cmd)
		rc = cmd_compile(&o);
	else if (!strcmp(o.cmd, "check"))
		rc = cmd_check(&o);
	else if (!strcmp(o.cmd, "run"))
		rc = cmd_run(&o);
	else if (!strcmp(o.cmd, "sim"))
		rc = cmd_sim(&o);
	else if (!strcmp(o.cmd, "quantize"))
		rc = cmd_quantize(&o);
	else if (!strcmp(o.cmd, "import"))
		rc = cmd_import(&o);
	else if (!strcmp(o.cmd, "engine"))
		rc = cmd_engine(&o);
	else {
		error_plain("'nnc %s' is not in this build of nnc yet", o.cmd);
		rc = 1;
	}
	if (rc)
		out_abort_all();
	else
		out_commit_all();
	arena_free_all();
	return rc || error_count() ? 1 : 0;
}
