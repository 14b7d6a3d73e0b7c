// engine_main.cpp: runs an nnc program on a Verilated engine (docs/DESIGN.md §10)
// through the host driver (driver/nnc_drv.c), with sim/axi_mem.h as the
// external memory. The harness only provides the driver's register
// callbacks (real AXI4-Lite transactions on s_axi_control, the clock ticking
// and the memory model stepping every cycle) and the memory; everything the
// host does goes through the driver.
//
// Build (the engine top NAME, its ENG.v; MW from the m_axi_gmem_wdata port,
// or -DNNC_MW=<bits> to state it):
//   verilator --cc --exe --build -j 2 --prefix Vengine --top-module NAME
//       -CFLAGS "-O1 -I<nnc>/sim -I<nnc>/driver" [--trace]
//       ENG.v <nnc>/sim/engine_main.cpp <nnc>/driver/nnc_drv.c -o engine_sim
//
// Usage:
//   engine_sim --prog NET.bin --weights NET.weights.bin --input FRAMES.bin
//              --frames N --mem-bytes MW/8 --out out.txt [--seed S] [--stall PCT]
//              [--latency L] [--irq] [--err-read OFFSET] [--err-write OFFSET]
//              [--fill BYTE] [--vcd FILE] [--timeout CYCLES] [--force] [--err-once]
// FRAMES.bin: N frames of int32 little-endian values, C,H,W order. The five
// buffers sit at 4 KB-aligned addresses above 4 GB that move with the seed.
// --err-read OFFSET: reads of the memory word at byte OFFSET of the weights
// region answer SLVERR; --err-write OFFSET: writes of the word at byte
// OFFSET of the output region answer SLVERR (the engine never writes its
// weights); --err-once: only during the first start, which must then stop
// with the error (an `e` line), and the same batch is run again. --force:
// start without the driver's check of the engine (ID, SPEC), so that the
// engine's own check of the program is what refuses it. out.txt: `o F I V` per output element, `f F T0 T1` per frame
// (T1 - T0 = the CYCLES register), `x MESSAGE` per failure. Exit 0 when the
// run took place (failures are x lines), 2 on a usage or file error.
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "Vengine.h"
#include "axi_mem.h"
#include "nnc_drv.h"
#include "verilated.h"
#if VM_TRACE
#include "verilated_vcd_c.h"
#endif

#ifndef NNC_MW
#define NNC_MW (8 * sizeof(((Vengine *)0)->m_axi_gmem_wdata))
#endif

// Verilator renames a port called `interrupt` (a C++ keyword in some
// dialects) to __SYM__interrupt; take whichever the model has.
template <class T>
static auto irq_of(T *t, int) -> decltype((bool)t->interrupt)
{
	return t->interrupt;
}
template <class T>
static bool irq_of(T *t, long)
{
	return t->__SYM__interrupt;
}

static const unsigned LITE_LIMIT = 10000;   // cycles an AXI4-Lite transfer may take

struct harness {
	Vengine *top = nullptr;
	axi_mem mem;
#if VM_TRACE
	VerilatedVcdC *vcd = nullptr;
#endif
	uint64_t cycle = 0;
	uint64_t start_cycle = 0;     // the edge that wrote ap_start
	uint64_t timeout = 0;
	std::string fail;             // the first AXI4-Lite failure
	// handshakes seen at the last edge
	bool aw_fire = false, w_fire = false, b_fire = false, ar_fire = false, r_fire = false;
	uint32_t rdata = 0;
	unsigned rresp = 0, bresp = 0;

	explicit harness(const axi_mem_cfg &c) : mem(c) {}

	void tick()
	{
		AXI_MEM_DRIVE(mem, top, m_axi_gmem_);
		top->ap_clk = 0;
		top->eval();
		aw_fire = top->s_axi_control_awvalid && top->s_axi_control_awready;
		w_fire = top->s_axi_control_wvalid && top->s_axi_control_wready;
		b_fire = top->s_axi_control_bvalid && top->s_axi_control_bready;
		ar_fire = top->s_axi_control_arvalid && top->s_axi_control_arready;
		r_fire = top->s_axi_control_rvalid && top->s_axi_control_rready;
		rdata = top->s_axi_control_rdata;
		rresp = top->s_axi_control_rresp;
		bresp = top->s_axi_control_bresp;
		AXI_MEM_SAMPLE(mem, top, m_axi_gmem_);
#if VM_TRACE
		if (vcd)
			vcd->dump(2 * cycle);
#endif
		top->ap_clk = 1;
		top->eval();
#if VM_TRACE
		if (vcd)
			vcd->dump(2 * cycle + 1);
#endif
		mem.step();
		cycle++;
	}

	void lite_fail(const char *what, uint32_t off)
	{
		char b[120];
		snprintf(b, sizeof b, "AXI4-Lite %s of register 0x%02x: no response in %u cycles", what,
		         off, LITE_LIMIT);
		if (fail.empty())
			fail = b;
	}

	uint32_t rd32(uint32_t off)
	{
		if (!fail.empty())
			return 0xFFFFFFFFu;
		top->s_axi_control_araddr = off;
		top->s_axi_control_arvalid = 1;
		top->s_axi_control_rready = 1;
		bool got = false;
		uint32_t v = 0xFFFFFFFFu;
		for (unsigned i = 0; i < LITE_LIMIT && !got; i++) {
			tick();
			if (ar_fire)
				top->s_axi_control_arvalid = 0;
			if (r_fire) {
				got = true;
				v = rdata;
				if (rresp && fail.empty())
					fail = "AXI4-Lite read of register " + std::to_string(off) + " answered RRESP " +
					       std::to_string(rresp);
			}
		}
		top->s_axi_control_arvalid = 0;
		top->s_axi_control_rready = 0;
		if (!got)
			lite_fail("read", off);
		return v;
	}

	void wr32(uint32_t off, uint32_t v)
	{
		if (!fail.empty())
			return;
		top->s_axi_control_awaddr = off;
		top->s_axi_control_awvalid = 1;
		top->s_axi_control_wdata = v;
		top->s_axi_control_wstrb = 0xF;
		top->s_axi_control_wvalid = 1;
		top->s_axi_control_bready = 1;
		bool aw = false, w = false, b = false;
		for (unsigned i = 0; i < LITE_LIMIT && !b; i++) {
			tick();
			if (aw_fire) {
				aw = true;
				top->s_axi_control_awvalid = 0;
			}
			if (w_fire) {
				w = true;
				top->s_axi_control_wvalid = 0;
				if (off == NNC_REG_CTRL && (v & NNC_CTRL_AP_START))
					start_cycle = cycle;
			}
			if (b_fire && aw && w) {
				b = true;
				if (bresp && fail.empty())
					fail = "AXI4-Lite write of register " + std::to_string(off) +
					       " answered BRESP " + std::to_string(bresp);
			}
		}
		top->s_axi_control_awvalid = 0;
		top->s_axi_control_wvalid = 0;
		top->s_axi_control_bready = 0;
		if (!b)
			lite_fail("write", off);
	}

	int wait_irq()
	{
		while (!irq_of(top, 0)) {
			if (cycle - start_cycle > timeout)
				return -1;
			tick();
		}
		return 0;
	}
};

static uint32_t cb_rd32(void *c, uint32_t off) { return ((harness *)c)->rd32(off); }
static void cb_wr32(void *c, uint32_t off, uint32_t v) { ((harness *)c)->wr32(off, v); }
static int cb_wait_irq(void *c) { return ((harness *)c)->wait_irq(); }

static bool read_file(const char *path, std::vector<uint8_t> &out)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return false;
	uint8_t buf[65536];
	size_t n;
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		out.insert(out.end(), buf, buf + n);
	bool ok = !ferror(f);
	fclose(f);
	return ok;
}

static void usage()
{
	fprintf(stderr,
	        "usage: engine_sim --prog NET.bin --weights NET.weights.bin --input FRAMES.bin\n"
	        "                  --frames N --mem-bytes MW/8 --out out.txt [--seed S] [--stall PCT]\n"
	        "                  [--latency L] [--irq] [--err-read OFFSET] [--err-write OFFSET]\n"
	        "                  [--fill BYTE] [--vcd FILE] [--timeout CYCLES] [--force] [--err-once]\n");
	exit(2);
}

struct opts {
	const char *prog = nullptr, *weights = nullptr, *input = nullptr, *out = nullptr,
	           *vcd = nullptr;
	long long frames = -1, mem_bytes = -1, err_read = -1, err_write = -1;
	unsigned long long seed = 1, timeout = 100000000ull;
	unsigned stall = 20, latency = 8, fill = 0;
	bool irq = false;
	bool force = false;   // --force: skip the driver's engine check (the engine's own must refuse)
	bool err_once = false; // --err-once: the injected errors hit the first start only
};

static opts parse_args(int argc, char **argv)
{
	opts o;
	for (int i = 1; i < argc; i++) {
		std::string a = argv[i];
		if (a == "--irq") {
			o.irq = true;
			continue;
		}
		if (a == "--force") {
			o.force = true;
			continue;
		}
		if (a == "--err-once") {
			o.err_once = true;
			continue;
		}
		if (a.compare(0, 1, "+") == 0)      // Verilator's +verilator+ arguments
			continue;
		if (i + 1 >= argc)
			usage();
		const char *v = argv[++i];
		char *end;
		unsigned long long n = strtoull(v, &end, 0);
		bool num = *v && !*end;
		if (a == "--prog") o.prog = v;
		else if (a == "--weights") o.weights = v;
		else if (a == "--input") o.input = v;
		else if (a == "--out") o.out = v;
		else if (a == "--vcd") o.vcd = v;
		else if (!num) usage();
		else if (a == "--frames") o.frames = (long long)n;
		else if (a == "--mem-bytes") o.mem_bytes = (long long)n;
		else if (a == "--err-read") o.err_read = (long long)n;
		else if (a == "--err-write") o.err_write = (long long)n;
		else if (a == "--seed") o.seed = n;
		else if (a == "--timeout") o.timeout = n;
		else if (a == "--stall" && n <= 100) o.stall = (unsigned)n;
		else if (a == "--latency" && n < 100000) o.latency = (unsigned)n;
		else if (a == "--fill" && n < 256) o.fill = (unsigned)n;
		else usage();
	}
	if (!o.prog || !o.weights || !o.input || !o.out || o.frames < 1 || o.mem_bytes < 1)
		usage();
	return o;
}

static uint32_t rng;
static uint32_t xs()
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

// Everything after the files are read; returns after writing an x line on
// the first failure.
static void run(harness &h, const opts &o, const std::vector<uint8_t> &bin,
                const std::vector<uint8_t> &wts, const std::vector<int32_t> &frames, FILE *out)
{
	const unsigned wb = NNC_MW / 8;
	struct nnc_prog p;
	int rc = nnc_prog_parse(&p, bin.data(), bin.size());
	if (rc) {
		fprintf(out, "x program %s: %s\n", o.prog, nnc_strerror(rc));
		return;
	}
	uint64_t nin = nnc_map_values(&p.in), nout = nnc_map_values(&p.out);
	if (frames.size() != nin * (uint64_t)o.frames) {
		fprintf(out, "x input %s holds %zu values, not %lld frames of %" PRIu64 "\n", o.input,
		        frames.size(), o.frames, nin);
		return;
	}
	if (wts.size() != p.weight_bytes) {
		fprintf(out, "x weights %s are %zu bytes, the program says %" PRIu64 "\n", o.weights,
		        wts.size(), p.weight_bytes);
		return;
	}
	// the five buffers: 4 KB aligned, above 4 GB, gaps that move with the seed
	uint64_t sizes[5] = {p.prog_bytes, p.weight_bytes, p.work_bytes, p.input_bytes, p.output_bytes};
	uint64_t addr[5], at = 0x100000000ull + (uint64_t)(xs() % 4096) * 4096;
	for (int i = 0; i < 5; i++) {
		addr[i] = at;
		at += (sizes[i] + 4095) / 4096 * 4096 + (uint64_t)(xs() % 16) * 4096;
	}
	struct nnc_bufs bufs = {addr[0], addr[1], addr[2], addr[3], addr[4]};
	memcpy(h.mem.ptr(addr[0], p.prog_bytes), bin.data(), p.prog_bytes);
	if (p.weight_bytes)
		memcpy(h.mem.ptr(addr[1], p.weight_bytes), wts.data(), p.weight_bytes);
	if (o.err_read >= 0) {
		uint64_t a = addr[1] + (uint64_t)o.err_read / wb * wb;
		h.mem.error_reads(a, a + wb);
	}
	if (o.err_write >= 0) {
		uint64_t a = addr[4] + (uint64_t)o.err_write / wb * wb;
		h.mem.error_writes(a, a + wb);
	}

	struct nnc_dev dev = {cb_rd32, cb_wr32, o.irq ? cb_wait_irq : nullptr, &h};
	auto lite_ok = [&]() {
		if (!h.fail.empty())
			fprintf(out, "x %s\n", h.fail.c_str());
		return h.fail.empty();
	};
	rc = o.force ? 0 : nnc_check(&dev, &p);
	if (!lite_ok())
		return;
	if (rc) {
		uint32_t id = dev.rd32(dev.ctx, NNC_REG_ID), spec = dev.rd32(dev.ctx, NNC_REG_SPEC);
		fprintf(out, "x engine: %s (ID 0x%08x, SPEC 0x%08x, program built for 0x%08x)\n",
		        nnc_strerror(rc), id, spec, p.spec_hash);
		return;
	}
	rc = nnc_set_buffers(&dev, &bufs, wb);
	if (rc || !lite_ok()) {
		if (rc)
			fprintf(out, "x buffers: %s\n", nnc_strerror(rc));
		return;
	}
	uint8_t *in = h.mem.ptr(addr[3], p.input_bytes ? p.input_bytes : 1);
	const uint8_t *res = h.mem.ptr(addr[4], p.output_bytes ? p.output_bytes : 1);
	std::vector<int32_t> vals(nout);
	uint64_t poll_limit = o.timeout / 2 + 1;
	bool errors_cleared = false;
	for (long long s = 0; s * p.batch < o.frames; s++) {
		long long f0 = s * p.batch;
		for (uint32_t b = 0; b < p.batch; b++) {
			long long src = f0 + b < o.frames ? f0 + b : o.frames - 1;
			rc = nnc_pack(&p.in, wb, in, p.input_bytes, b, &frames[(size_t)(src * (long long)nin)]);
			if (rc) {
				fprintf(out, "x frame %lld: input: %s\n", src, nnc_strerror(rc));
				return;
			}
		}
		rc = nnc_start(&dev);
		if (rc || !lite_ok()) {
			if (rc)
				fprintf(out, "x frame %lld: start: %s\n", f0, nnc_strerror(rc));
			return;
		}
		uint32_t status = 0;
		rc = nnc_wait(&dev, poll_limit > 0xFFFFFFFFull ? 0xFFFFFFFFu : (uint32_t)poll_limit, &status);
		uint64_t seen = h.cycle;
		if (!lite_ok())
			return;
		if (rc == NNC_E_TIMEOUT || rc == NNC_E_IRQ) {
			fprintf(out, "x frame %lld: no done after %" PRIu64 " cycles (%s)\n", f0,
			        seen - h.start_cycle, nnc_strerror(rc));
			return;
		}
		uint64_t cycles = nnc_cycles(&dev);
		if (!lite_ok())
			return;
		char text[200];
		if (rc && o.err_once && !errors_cleared) {
			// the error the test asked for: reported (e), then the same batch
			// again with a memory that answers OKAY: the engine must run it
			fprintf(out, "e frame %lld: engine status 0x%08x: %s\n", f0, status,
			        nnc_status_text(status, text, sizeof text));
			h.mem.no_errors();
			errors_cleared = true;
			if (!h.mem.idle())
				fprintf(out, "x frame %lld: memory transfers still under way after the error stop\n", f0);
			s--;
			continue;
		}
		if (rc) {
			fprintf(out, "x frame %lld: engine status 0x%08x: %s\n", f0, status,
			        nnc_status_text(status, text, sizeof text));
			return;
		}
		if (status >> NNC_STATUS_DESC_SHIFT != p.ndesc) {
			fprintf(out, "x frame %lld: the engine completed %u of %u descriptors\n", f0,
			        status >> NNC_STATUS_DESC_SHIFT, p.ndesc);
			return;
		}
		uint64_t t0 = h.start_cycle, t1 = t0 + cycles;
		if (t1 > seen) {
			fprintf(out, "x frame %lld: CYCLES says %" PRIu64 " but done was seen %" PRIu64
			        " cycles after the start\n", f0, cycles, seen - t0);
			return;
		}
		for (uint32_t b = 0; b < p.batch && f0 + b < o.frames; b++) {
			rc = nnc_unpack(&p.out, wb, res, p.output_bytes, b, vals.data());
			if (rc) {
				fprintf(out, "x frame %lld: output: %s\n", f0 + b, nnc_strerror(rc));
				return;
			}
			fprintf(out, "f %lld %" PRIu64 " %" PRIu64 "\n", f0 + b, t0, t1);
			for (uint64_t i = 0; i < nout; i++)
				fprintf(out, "o %lld %" PRIu64 " %d\n", f0 + b, i, vals[i]);
		}
		if (!h.mem.idle())
			fprintf(out, "x frame %lld: memory transfers still under way after done\n", f0);
		for (const auto &e : h.mem.errors())
			fprintf(out, "x memory: %s\n", e.c_str());
		if (!h.mem.idle() || !h.mem.errors().empty())
			return;
		long long k = f0 + p.batch < o.frames ? f0 + p.batch : o.frames;
		printf("progress frame %lld of %lld done in %" PRIu64 " cycles\n", k, o.frames, cycles);
		fflush(stdout);
	}
}

int main(int argc, char **argv)
{
	Verilated::commandArgs(argc, argv);
	opts o = parse_args(argc, argv);
	if ((unsigned long long)o.mem_bytes != NNC_MW / 8) {
		fprintf(stderr, "engine_sim: --mem-bytes %lld, but the engine's memory word is %u bytes\n",
		        o.mem_bytes, (unsigned)(NNC_MW / 8));
		return 2;
	}
	std::vector<uint8_t> bin, wts, raw;
	if (!read_file(o.prog, bin) || !read_file(o.weights, wts) || !read_file(o.input, raw)) {
		fprintf(stderr, "engine_sim: cannot read %s, %s or %s\n", o.prog, o.weights, o.input);
		return 2;
	}
	if (raw.size() % 4) {
		fprintf(stderr, "engine_sim: %s is not whole int32 values\n", o.input);
		return 2;
	}
	std::vector<int32_t> frames(raw.size() / 4);
	for (size_t i = 0; i < frames.size(); i++)
		frames[i] = (int32_t)((uint32_t)raw[4 * i] | (uint32_t)raw[4 * i + 1] << 8 |
		                      (uint32_t)raw[4 * i + 2] << 16 | (uint32_t)raw[4 * i + 3] << 24);
	FILE *out = fopen(o.out, "w");
	if (!out) {
		fprintf(stderr, "engine_sim: cannot write %s\n", o.out);
		return 2;
	}

	rng = (uint32_t)(o.seed * 2654435761ull) ^ 0x9E3779B9u;
	if (!rng)
		rng = 1;
	axi_mem_cfg cfg;
	cfg.mw = NNC_MW;
	cfg.latency = o.latency;
	cfg.stall_pct = o.stall;
	cfg.seed = (uint32_t)o.seed ^ 0x5A5A5A5Au;
	cfg.fill = (uint8_t)o.fill;
	harness h(cfg);
	h.timeout = o.timeout;
	h.top = new Vengine;
	if (o.vcd) {
#if VM_TRACE
		Verilated::traceEverOn(true);
		h.vcd = new VerilatedVcdC;
		h.top->trace(h.vcd, 99);
		h.vcd->open(o.vcd);
#else
		fprintf(stderr, "engine_sim: --vcd needs a build with verilator --trace\n");
		return 2;
#endif
	}
	// the first simulated cycle (nnc's bench times a network switch to here)
	printf("progress engine model running (first cycle)\n");
	fflush(stdout);
	h.top->ap_rst_n = 0;
	for (int i = 0; i < 8; i++)
		h.tick();
	h.top->ap_rst_n = 1;
	h.tick();

	run(h, o, bin, wts, frames, out);

	h.top->final();
#if VM_TRACE
	if (h.vcd)
		h.vcd->close();
#endif
	delete h.top;
	if (fclose(out)) {
		fprintf(stderr, "engine_sim: cannot write %s\n", o.out);
		return 2;
	}
	return 0;
}
