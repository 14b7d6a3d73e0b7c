// axi_mem_test.cpp: sim/axi_mem.h against real RTL, templates/nn_serial_axi.v
// (Verilated with --prefix Vaxi, -GDW=TEST_DW -GAW=40), driven from its
// engine side by random reads and writes of 1..256 words (many crossing
// 4 KB, which the bridge must split) in a 64 KB window above 4 GB; every
// read must return what the shadow copy holds, the memory model must see no
// protocol error, and an injected SLVERR on a read, then (after a reset) on
// a write, must raise the bridge's err while every transfer still completes.
// Before that, the model's own checks are driven by hand (selftest).
// Prints PASS or FAIL lines; exits 1 on any failure.
//   axi_mem_test [--seed S] [--stall PCT] [--latency L] [--ops N]
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <vector>

#include "Vaxi.h"
#include "axi_mem.h"
#include "verilated.h"

#ifndef TEST_DW
#error "compile with -DTEST_DW=<the bridge's DW>"
#endif

static int failures = 0;
#define CHECK(c, ...)                                   \
	do {                                                \
		if (!(c)) {                                     \
			printf("FAIL %s:%d: ", __FILE__, __LINE__); \
			printf(__VA_ARGS__);                        \
			printf("\n");                               \
			if (++failures > 20)                        \
				exit(1);                                \
		}                                               \
	} while (0)

static bool has_error(const axi_mem &m, const char *what)
{
	for (const auto &e : m.errors())
		if (e.find(what) != std::string::npos)
			return true;
	return false;
}

// The model's checks and host access, driving `in` by hand (no RTL).
static void selftest(unsigned mw)
{
	axi_mem_cfg c;
	c.mw = mw;
	c.stall_pct = 0;
	c.latency = 2;
	unsigned wb = mw / 8, sz = 0;
	while ((1u << sz) < wb)
		sz++;
	struct bad { uint64_t a; unsigned len, size, burst; const char *msg; } cases[] = {
		{0x1000 - wb, 1, sz, 1, "4 KB"},
		{0x2000, 0, sz + 1, 1, "size"},
		{0x2000 + 1, 0, sz, 1, "aligned"},
		{0x2000, 0, sz, 2, "INCR"},
	};
	for (const auto &k : cases) {
		axi_mem m(c);
		m.drive();
		m.in.arvalid = true;
		m.in.araddr = k.a;
		m.in.arlen = k.len;
		m.in.arsize = k.size;
		m.in.arburst = k.burst;
		m.step();
		CHECK(has_error(m, k.msg), "MW %u: AR %llx: no '%s' error", mw, (unsigned long long)k.a, k.msg);
	}
	// a W burst of 2 beats with WLAST on the first; W before AW; WSTRB honoured
	{
		axi_mem m(c);
		m.write(0x5000, std::vector<uint8_t>(2 * wb, 0xEE).data(), 2 * wb);
		m.drive();
		m.in.wvalid = true;
		std::memset(m.in.wdata, 0x11, wb);
		std::memset(m.in.wstrb, 0, sizeof m.in.wstrb);
		m.in.wstrb[0] = 0x05;                // bytes 0 and 2
		m.in.wlast = true;
		m.step();                            // W before its AW
		m.drive();
		m.in.awvalid = true;
		m.in.awaddr = 0x5000;
		m.in.awlen = 1;
		m.in.awsize = sz;
		m.in.awburst = 1;
		std::memset(m.in.wstrb, 0xFF, sizeof m.in.wstrb);
		std::memset(m.in.wdata, 0x22, wb);
		m.in.wlast = true;
		m.step();
		m.in = axi_mem::in_t();
		m.in.bready = true;
		for (int i = 0; i < 10; i++) {
			m.drive();
			m.step();
		}
		CHECK(has_error(m, "WLAST early"), "MW %u: no WLAST error", mw);
		uint8_t b[256];
		m.read(0x5000, b, 2 * wb);
		CHECK(b[0] == 0x11 && b[1] == 0xEE && b[2] == 0x11 && b[3] == 0xEE && b[wb] == 0x22,
		      "MW %u: WSTRB not honoured: %02x %02x %02x %02x %02x", mw, b[0], b[1], b[2], b[3], b[wb]);
		CHECK(m.idle(), "MW %u: write not finished", mw);
	}
	// VALID dropped before READY (every READY held low)
	{
		axi_mem_cfg c2 = c;
		c2.stall_pct = 100;
		axi_mem m(c2);
		m.drive();
		m.in.arvalid = true;
		m.in.arsize = sz;
		m.in.arburst = 1;
		m.step();
		m.drive();
		m.in.arvalid = false;
		m.step();
		CHECK(has_error(m, "ARVALID dropped"), "MW %u: no ARVALID error", mw);
	}
	// host pointers across pages keep what was written before
	{
		axi_mem m(c);
		for (int i = 0; i < 3; i++) {
			uint8_t v = (uint8_t)(0x40 + i);
			m.write(0x100000FF0ull + 0x1000 * (uint64_t)i, &v, 1);
		}
		uint8_t *p = m.ptr(0x100000FF0ull, 0x2001);
		CHECK(p[0] == 0x40 && p[0x1000] == 0x41 && p[0x2000] == 0x42, "MW %u: ptr merge lost data", mw);
		p[5] = 0x99;
		uint8_t v;
		m.read(0x100000FF5ull, &v, 1);
		CHECK(v == 0x99, "MW %u: ptr is not the memory", mw);
		CHECK(m.ptr(0x100001000ull, 16) == p + 0x10, "MW %u: ptr inside a block moved", mw);
	}
}

// ---- the bridge ------------------------------------------------------------
struct bench {
	Vaxi *top;
	axi_mem &mem;
	uint64_t cycle = 0;
	bool fired = false;                       // req_valid && req_ready at the last edge
	std::vector<uint8_t> resp;                // resp beats of the last cycle (0 or 1 words)
	bool resp_v = false;

	bench(Vaxi *t, axi_mem &m) : top(t), mem(m) {}

	void tick()
	{
		AXI_MEM_DRIVE(mem, top, m_axi_);
		top->clk = 0;
		top->eval();
		fired = top->req_valid && top->req_ready;
		resp_v = top->resp_valid;
		resp.resize(mem.word_bytes());
		axi_sig::to_bytes(top->resp_data, resp.data(), resp.size());
		AXI_MEM_SAMPLE(mem, top, m_axi_);
		top->clk = 1;
		top->eval();
		mem.step();
		cycle++;
	}
};

struct pending_read {
	uint64_t word;     // word offset in the window
	unsigned len, got;
};

static uint32_t rs;
static uint32_t xs()
{
	rs ^= rs << 13;
	rs ^= rs >> 17;
	rs ^= rs << 5;
	return rs;
}

int main(int argc, char **argv)
{
	Verilated::commandArgs(argc, argv);
	axi_mem_cfg cfg;
	cfg.mw = TEST_DW;
	unsigned ops = 1500;
	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--seed"))
			cfg.seed = (uint32_t)strtoul(argv[i + 1], 0, 0);
		else if (!strcmp(argv[i], "--stall"))
			cfg.stall_pct = (unsigned)atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--latency"))
			cfg.latency = (unsigned)atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--ops"))
			ops = (unsigned)atoi(argv[i + 1]);
	}
	rs = cfg.seed * 2654435761u + 1;
	selftest(TEST_DW);

	const unsigned wb = TEST_DW / 8;
	const uint64_t base = 0x123450000ull, bytes = 65536, words = bytes / wb;
	axi_mem mem(cfg);
	std::vector<uint8_t> shadow(bytes);
	for (auto &b : shadow)
		b = (uint8_t)xs();
	mem.write(base, shadow.data(), bytes);

	Vaxi *top = new Vaxi;
	bench tb(top, mem);
	top->rst = 1;
	top->req_valid = 0;
	for (int i = 0; i < 5; i++)
		tb.tick();
	top->rst = 0;

	std::deque<pending_read> reads;
	uint64_t mismatches = 0, words_read = 0, words_written = 0, crossing = 0;
	// compare one response word against the shadow
	auto take_resp = [&]() {
		if (!tb.resp_v)
			return;
		if (reads.empty()) {
			CHECK(false, "response word with no read pending");
			return;
		}
		pending_read &r = reads.front();
		uint64_t w = r.word + r.got;
		if (memcmp(tb.resp.data(), &shadow[w * wb], wb) && mismatches++ < 5)
			CHECK(false, "read word %llu (byte %llx) differs", (unsigned long long)w,
			      (unsigned long long)(base + w * wb));
		words_read++;
		if (++r.got == r.len)
			reads.pop_front();
	};
	auto tick = [&]() {
		tb.tick();
		take_resp();
	};
	auto overlaps_reads = [&](uint64_t w, unsigned n) {
		for (const auto &r : reads)
			if (w < r.word + r.len && w + n > r.word)
				return true;
		return false;
	};
	// one request: a read (one beat) or a write of n beats, each held until taken
	auto request = [&](bool write, uint64_t w, unsigned n, bool update_shadow) {
		uint64_t t0 = tb.cycle;
		if (write)
			while (overlaps_reads(w, n) && tb.cycle - t0 < 100000)
				tick();
		for (unsigned beat = 0; beat < (write ? n : 1); beat++) {
			std::vector<uint8_t> d(wb);
			for (auto &b : d)
				b = (uint8_t)xs();
			top->req_valid = 1;
			top->req_write = write;
			top->req_addr = (base / wb) + w;
			top->req_len = n;
			axi_sig::from_bytes(top->req_wdata, d.data(), wb);
			t0 = tb.cycle;
			do
				tick();
			while (!tb.fired && tb.cycle - t0 < 100000);
			CHECK(tb.fired, "request not taken");
			top->req_valid = 0;
			if (!write)                        // before any gap: its words may come next cycle
				reads.push_back({w, n, 0});
			if (write && update_shadow)
				memcpy(&shadow[(w + beat) * wb], d.data(), wb);
			while (xs() % 100 < 15)          // random gaps
				tick();
		}
		if (write)
			words_written += n;
	};
	auto drain = [&]() {
		uint64_t t0 = tb.cycle;
		while ((!reads.empty() || !mem.idle()) && tb.cycle - t0 < 200000)
			tick();
		for (int i = 0; i < 20; i++)
			tick();
		CHECK(reads.empty() && mem.idle(), "transfers still pending after 200000 cycles");
	};

	for (unsigned op = 0; op < ops; op++) {
		unsigned n = xs() % 4 == 0 ? 1 + xs() % 4 : 1 + xs() % 256;
		uint64_t w;
		if (xs() % 3 == 0) {                     // end within 4 words of a page end: crosses
			uint64_t page = xs() % (bytes / 4096), pw = 4096 / wb;
			w = page * pw + pw - 1 - xs() % std::min<uint64_t>(4, pw);
		} else {
			w = xs() % words;
		}
		if (w + n > words)
			w = words - n;
		if (((base + w * wb) & 4095) + (uint64_t)n * wb > 4096)
			crossing++;
		request(xs() % 2, w, n, true);
	}
	drain();
	CHECK(memcmp(mem.ptr(base, bytes), shadow.data(), bytes) == 0, "memory differs from the shadow");
	CHECK(!top->err, "err raised without an injected error");
	for (const auto &e : mem.errors())
		CHECK(false, "memory model: %s", e.c_str());
	CHECK(crossing > ops / 10, "only %llu requests crossed 4 KB", (unsigned long long)crossing);
	printf("%s traffic MW %u seed %u stall %u%%: %u requests (%llu crossing 4 KB), %llu words read, "
	       "%llu written, %llu AR / %llu AW bursts, %llu cycles\n",
	       failures ? "FAIL" : "PASS", TEST_DW, cfg.seed, cfg.stall_pct, ops,
	       (unsigned long long)crossing, (unsigned long long)words_read,
	       (unsigned long long)words_written, (unsigned long long)mem.read_bursts,
	       (unsigned long long)mem.write_bursts, (unsigned long long)tb.cycle);

	// injected read error: one word of page 2; the 40-word read still completes
	int before = failures;
	mem.error_reads(base + 0x2000 + 8 * wb, base + 0x2000 + 9 * wb);
	request(false, 0x2000 / wb, 40, false);
	drain();
	CHECK(top->err, "read SLVERR did not raise err");
	// a reset clears err; an injected write error: data consumed, not written, err raised
	top->rst = 1;
	for (int i = 0; i < 3; i++)
		tick();
	top->rst = 0;
	tick();
	CHECK(!top->err, "err survived the reset");
	mem.error_writes(base + 0x3000, base + 0x4000);
	request(true, 0x3000 / wb, 16, false);
	drain();
	CHECK(top->err, "write SLVERR did not raise err");
	CHECK(memcmp(mem.ptr(base, bytes), shadow.data(), bytes) == 0, "a failed write changed memory");
	request(false, 0x3000 / wb, 16, false);   // reads of the page are fine and see the old data
	drain();
	for (const auto &e : mem.errors())
		CHECK(false, "memory model: %s", e.c_str());
	printf("%s errors MW %u: read SLVERR and write SLVERR raise err, transfers complete\n",
	       failures > before ? "FAIL" : "PASS", TEST_DW);
	top->final();
	delete top;
	return failures ? 1 : 0;
}
