// axi_mem.h: an AXI4 slave memory for Verilator harnesses (header only, C++11).
//
// A sparse 64-bit byte address space behind an AXI4 slave port of MW data
// bits (32..1024, a power of two, chosen at run time), as a real memory
// controller behaves:
//   - read latency (cycles from AR accepted to the first R beat may leave),
//   - random stalls on everything it drives: ARREADY, AWREADY, WREADY low and
//     gaps before RVALID and BVALID, each with probability stall_pct percent,
//     from an xorshift32 generator with a seed (a VALID once high stays high,
//     with its payload, until its handshake),
//   - INCR bursts of 1..256 beats, responses in order, RID/BID = the
//     request's ID, RLAST on the last beat; WSTRB honoured byte by byte;
//     W beats may arrive before their AW (they wait in a queue),
//   - protocol checks that record an error (errors()): a burst crossing a
//     4 KB boundary, an address not aligned to MW/8, AxSIZE not log2(MW/8),
//     a burst type not INCR, WLAST not on the AWLEN-th beat, a VALID dropped
//     or its payload changed before its READY;
//   - error injection: byte ranges whose reads answer SLVERR (RRESP = 2, per
//     beat) or whose writes answer SLVERR (BRESP = 2, the burst not written);
//     the data beats are still delivered / consumed, so a correct master
//     never hangs.
// Host access: read()/write() byte ranges, or ptr(addr, len), a pointer to
// len contiguous bytes of "device memory" (as a UIO or DMA buffer is used);
// a pointer stays valid until a later ptr() call over a range that overlaps
// it but is not inside one earlier ptr() range (blocks are then merged).
//
// Per cycle (AXI_MEM_DRIVE and AXI_MEM_SAMPLE below do the copies):
//   AXI_MEM_DRIVE (drive(), then out to the DUT's inputs); clk = 0; eval;
//   AXI_MEM_SAMPLE (the DUT's outputs into in); clk = 1; eval; step().
#ifndef NNC_AXI_MEM_H
#define NNC_AXI_MEM_H

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <deque>
#include <iterator>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "verilated.h"

// ---- copying any Verilator signal to and from little-endian bytes ---------
// Verilator holds <= 8 bits in CData, <= 16 in SData, <= 32 in IData, <= 64
// in QData, wider in VlWide<N> (N 32-bit words, word 0 least significant).
namespace axi_sig {
template <class T>
inline void to_bytes(const T &s, uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		b[i] = i < sizeof(T) ? (uint8_t)((uint64_t)s >> (8 * i)) : 0;
}
template <std::size_t N>
inline void to_bytes(const VlWide<N> &s, uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		b[i] = i < 4 * N ? (uint8_t)(s[i / 4] >> (8 * (i % 4))) : 0;
}
template <class T>
inline void from_bytes(T &s, const uint8_t *b, size_t n)
{
	uint64_t v = 0;
	for (size_t i = 0; i < n && i < sizeof(T); i++)
		v |= (uint64_t)b[i] << (8 * i);
	s = (T)v;
}
template <std::size_t N>
inline void from_bytes(VlWide<N> &s, const uint8_t *b, size_t n)
{
	for (size_t w = 0; w < N; w++) {
		uint32_t v = 0;
		for (size_t k = 0; k < 4 && 4 * w + k < n; k++)
			v |= (uint32_t)b[4 * w + k] << (8 * k);
		s[w] = v;
	}
}
}  // namespace axi_sig

struct axi_mem_cfg {
	unsigned mw = 64;            // data bits
	unsigned latency = 8;        // AR accepted -> first R beat (cycles)
	unsigned b_latency = 2;      // last W beat -> B (cycles)
	unsigned stall_pct = 20;     // probability of a READY low / a VALID gap
	uint32_t seed = 1;
	unsigned max_reads = 8;      // outstanding read bursts (AR accepted, R not done)
	unsigned max_writes = 8;     // outstanding write bursts
	unsigned max_wbeats = 512;   // W beats waiting for their AW
	uint8_t fill = 0;            // contents of memory never written
};

class axi_mem {
public:
	static const unsigned MAX_BYTES = 128;  // 1024 bits

	// master -> slave: the DUT's outputs before the rising edge
	struct in_t {
		bool arvalid = false, rready = false, awvalid = false, wvalid = false, wlast = false,
		     bready = false;
		unsigned arid = 0, arlen = 0, arsize = 0, arburst = 0;
		unsigned awid = 0, awlen = 0, awsize = 0, awburst = 0;
		uint64_t araddr = 0, awaddr = 0;
		uint8_t wdata[MAX_BYTES] = {};
		uint8_t wstrb[MAX_BYTES / 8] = {};  // bit i: byte i
	} in;
	// slave -> master: what it drives this cycle
	struct out_t {
		bool arready = false, rvalid = false, rlast = false, awready = false, wready = false,
		     bvalid = false;
		unsigned rid = 0, rresp = 0, bid = 0, bresp = 0;
		uint8_t rdata[MAX_BYTES] = {};
	} out;

	explicit axi_mem(const axi_mem_cfg &c = axi_mem_cfg()) : cfg_(c), rng_(c.seed ? c.seed : 1)
	{
		wb_ = cfg_.mw / 8;
		if (cfg_.mw < 32 || cfg_.mw > 1024 || (cfg_.mw & (cfg_.mw - 1)))
			error("data width " + std::to_string(cfg_.mw) + " not a power of two in 32..1024");
		for (size_ = 0; (1u << size_) < wb_; size_++) {
		}
	}

	unsigned word_bytes() const { return wb_; }
	uint64_t cycle() const { return cycle_; }
	const std::vector<std::string> &errors() const { return errors_; }
	bool idle() const { return rq_.empty() && awq_.empty() && wq_.empty() && bq_.empty(); }
	uint64_t read_bursts = 0, write_bursts = 0, read_beats = 0, write_beats = 0;

	void error_reads(uint64_t lo, uint64_t hi) { rd_err_.push_back({lo, hi}); }   // [lo, hi)
	void error_writes(uint64_t lo, uint64_t hi) { wr_err_.push_back({lo, hi}); }
	void no_errors() { rd_err_.clear(); wr_err_.clear(); }            // answer OKAY again

	// ---- host access --------------------------------------------------------
	void write(uint64_t a, const void *src, size_t n)
	{
		const uint8_t *s = (const uint8_t *)src;
		for (size_t i = 0; i < n; i++)
			*byte(a + i) = s[i];
	}
	void read(uint64_t a, void *dst, size_t n)
	{
		uint8_t *d = (uint8_t *)dst;
		for (size_t i = 0; i < n; i++)
			d[i] = *byte(a + i);
	}
	uint8_t *ptr(uint64_t a, size_t n)
	{
		if (n == 0)
			n = 1;
		uint64_t lo = a & ~PAGE_MASK, hi = (a + n + PAGE_MASK) & ~PAGE_MASK;
		auto it = blocks_.upper_bound(a);
		if (it != blocks_.begin()) {
			auto b = std::prev(it);
			if (a >= b->first && a + n <= b->first + b->second.size())
				return &b->second[a - b->first];
		}
		// merge every block overlapping [lo, hi) into one
		auto first = blocks_.upper_bound(lo);
		if (first != blocks_.begin() && std::prev(first)->first + std::prev(first)->second.size() > lo)
			--first;
		auto last = first;
		uint64_t nlo = lo, nhi = hi;
		for (; last != blocks_.end() && last->first < hi; ++last) {
			nlo = std::min(nlo, last->first);
			nhi = std::max(nhi, last->first + (uint64_t)last->second.size());
		}
		std::vector<uint8_t> v((size_t)(nhi - nlo), cfg_.fill);
		for (auto b = first; b != last; ++b)
			std::memcpy(&v[(size_t)(b->first - nlo)], b->second.data(), b->second.size());
		blocks_.erase(first, last);
		auto &nb = blocks_[nlo] = std::move(v);
		return &nb[(size_t)(a - nlo)];
	}

	// ---- the port -----------------------------------------------------------
	// Decide what the slave drives this cycle (call before the falling-edge eval).
	void drive()
	{
		out.arready = rq_.size() < cfg_.max_reads && !stall();
		out.awready = awq_.size() < cfg_.max_writes && !stall();
		out.wready = wq_.size() < cfg_.max_wbeats && !stall();
		if (!out.rvalid && !rq_.empty() && cycle_ >= rq_.front().ready_at && !stall()) {
			rd_req &r = rq_.front();
			uint64_t a = r.addr + (uint64_t)r.beat * wb_;
			read(a, out.rdata, wb_);
			out.rvalid = true;
			out.rid = r.id;
			out.rlast = r.beat == r.len;
			out.rresp = overlaps(rd_err_, a, wb_) ? 2 : 0;
		}
		if (!out.bvalid && !bq_.empty() && cycle_ >= bq_.front().ready_at && !stall()) {
			out.bvalid = true;
			out.bid = bq_.front().id;
			out.bresp = bq_.front().resp;
		}
	}

	// The rising edge: take the handshakes of `in` against `out`.
	void step()
	{
		stable_checks();
		if (in.arvalid && out.arready) {
			check_burst("AR", in.araddr, in.arlen, in.arsize, in.arburst);
			rq_.push_back({in.arid, in.araddr, in.arlen, 0, cycle_ + cfg_.latency});
			read_bursts++;
		}
		if (out.rvalid && in.rready) {
			out.rvalid = false;
			read_beats++;
			if (rq_.front().beat++ == rq_.front().len)
				rq_.pop_front();
		}
		if (in.awvalid && out.awready) {
			check_burst("AW", in.awaddr, in.awlen, in.awsize, in.awburst);
			bool e = overlaps(wr_err_, in.awaddr, ((uint64_t)in.awlen + 1) * wb_);
			awq_.push_back({in.awid, in.awaddr, in.awlen, 0, e});
			write_bursts++;
		}
		if (in.wvalid && out.wready) {
			wbeat b;
			std::memcpy(b.data, in.wdata, wb_);
			std::memcpy(b.strb, in.wstrb, (wb_ + 7) / 8);
			b.last = in.wlast;
			wq_.push_back(b);
			write_beats++;
		}
		while (!awq_.empty() && !wq_.empty())
			write_beat();
		if (out.bvalid && in.bready) {
			out.bvalid = false;
			bq_.pop_front();
		}
		cycle_++;
	}

	void error(const std::string &m)
	{
		if (errors_.size() < 20)
			errors_.push_back("cycle " + std::to_string(cycle_) + ": " + m);
	}

private:
	static const uint64_t PAGE_MASK = 4095;
	struct rd_req {
		unsigned id;
		uint64_t addr;
		unsigned len, beat;
		uint64_t ready_at;
	};
	struct wr_req {
		unsigned id;
		uint64_t addr;
		unsigned len, beat;
		bool err;
	};
	struct wbeat {
		uint8_t data[MAX_BYTES];
		uint8_t strb[MAX_BYTES / 8];
		bool last;
	};
	struct b_resp {
		unsigned id, resp;
		uint64_t ready_at;
	};

	axi_mem_cfg cfg_;
	uint32_t rng_;
	unsigned wb_, size_;
	uint64_t cycle_ = 0;
	std::map<uint64_t, std::vector<uint8_t>> blocks_;   // base -> bytes, whole pages
	std::deque<rd_req> rq_;
	std::deque<wr_req> awq_;
	std::deque<wbeat> wq_;
	std::deque<b_resp> bq_;
	std::vector<std::pair<uint64_t, uint64_t>> rd_err_, wr_err_;
	std::vector<std::string> errors_;
	// the last cycle's VALIDs that were not taken, to check they are held
	bool ar_wait_ = false, aw_wait_ = false, w_wait_ = false;
	in_t prev_;

	bool stall()
	{
		rng_ ^= rng_ << 13;
		rng_ ^= rng_ >> 17;
		rng_ ^= rng_ << 5;
		return rng_ % 100 < cfg_.stall_pct;
	}

	uint8_t *byte(uint64_t a)
	{
		auto it = blocks_.upper_bound(a);
		if (it != blocks_.begin()) {
			auto b = std::prev(it);
			if (a < b->first + b->second.size())
				return &b->second[a - b->first];
		}
		auto &p = blocks_[a & ~PAGE_MASK] = std::vector<uint8_t>(4096, cfg_.fill);
		return &p[a & PAGE_MASK];
	}

	static bool overlaps(const std::vector<std::pair<uint64_t, uint64_t>> &r, uint64_t a, uint64_t n)
	{
		for (const auto &x : r)
			if (a < x.second && a + n > x.first)
				return true;
		return false;
	}

	static std::string hex(uint64_t v)
	{
		char b[24];
		snprintf(b, sizeof b, "0x%llx", (unsigned long long)v);
		return b;
	}

	void check_burst(const char *ch, uint64_t a, unsigned len, unsigned size, unsigned burst)
	{
		std::string at = std::string(ch) + " " + hex(a) + " len " + std::to_string(len + 1);
		if (size != size_)
			error(at + ": size " + std::to_string(size) + ", not log2(" + std::to_string(wb_) + ")");
		if (burst != 1)
			error(at + ": burst type " + std::to_string(burst) + ", not INCR");
		if (a % wb_)
			error(at + ": address not aligned to " + std::to_string(wb_) + " bytes");
		if ((a & PAGE_MASK) + ((uint64_t)len + 1) * wb_ > 4096)
			error(at + ": burst crosses a 4 KB boundary");
	}

	void write_beat()
	{
		wr_req &w = awq_.front();
		wbeat &b = wq_.front();
		uint64_t a = w.addr + (uint64_t)w.beat * wb_;
		if (!w.err)
			for (unsigned i = 0; i < wb_; i++)
				if (b.strb[i / 8] >> (i % 8) & 1)
					*byte(a + i) = b.data[i];
		if (b.last != (w.beat == w.len))
			error("W beat " + std::to_string(w.beat + 1) + " of " + std::to_string(w.len + 1) +
			      " to " + hex(w.addr) + (b.last ? ": WLAST early" : ": WLAST missing"));
		wq_.pop_front();
		if (w.beat++ == w.len) {
			bq_.push_back({w.id, w.err ? 2u : 0u, cycle_ + cfg_.b_latency});
			awq_.pop_front();
		}
	}

	// A VALID not taken last cycle must still be high with the same payload.
	void stable_checks()
	{
		if (ar_wait_ && (!in.arvalid || in.araddr != prev_.araddr || in.arlen != prev_.arlen ||
		                 in.arid != prev_.arid))
			error("ARVALID dropped or AR changed before ARREADY");
		if (aw_wait_ && (!in.awvalid || in.awaddr != prev_.awaddr || in.awlen != prev_.awlen ||
		                 in.awid != prev_.awid))
			error("AWVALID dropped or AW changed before AWREADY");
		if (w_wait_ && (!in.wvalid || in.wlast != prev_.wlast ||
		                std::memcmp(in.wdata, prev_.wdata, wb_) != 0))
			error("WVALID dropped or W changed before WREADY");
		ar_wait_ = in.arvalid && !out.arready;
		aw_wait_ = in.awvalid && !out.awready;
		w_wait_ = in.wvalid && !out.wready;
		prev_ = in;
	}
};

// Decide the slave's outputs (drive()) and copy them to a Verilated model's ports named P##arready,
// P##rdata, ... (P: the prefix, e.g. m_axi_gmem_), and its inputs back.
#define AXI_MEM_DRIVE(mem, top, P)                                                \
	do {                                                                          \
		(mem).drive();                                                            \
		(top)->P##arready = (mem).out.arready;                                    \
		(top)->P##rvalid = (mem).out.rvalid;                                      \
		(top)->P##rid = (mem).out.rid;                                            \
		(top)->P##rresp = (mem).out.rresp;                                        \
		(top)->P##rlast = (mem).out.rlast;                                        \
		axi_sig::from_bytes((top)->P##rdata, (mem).out.rdata, (mem).word_bytes()); \
		(top)->P##awready = (mem).out.awready;                                    \
		(top)->P##wready = (mem).out.wready;                                      \
		(top)->P##bvalid = (mem).out.bvalid;                                      \
		(top)->P##bid = (mem).out.bid;                                            \
		(top)->P##bresp = (mem).out.bresp;                                        \
	} while (0)

#define AXI_MEM_SAMPLE(mem, top, P)                                                  \
	do {                                                                             \
		(mem).in.arvalid = (top)->P##arvalid;                                        \
		(mem).in.arid = (top)->P##arid;                                              \
		(mem).in.araddr = (top)->P##araddr;                                          \
		(mem).in.arlen = (top)->P##arlen;                                            \
		(mem).in.arsize = (top)->P##arsize;                                          \
		(mem).in.arburst = (top)->P##arburst;                                        \
		(mem).in.rready = (top)->P##rready;                                          \
		(mem).in.awvalid = (top)->P##awvalid;                                        \
		(mem).in.awid = (top)->P##awid;                                              \
		(mem).in.awaddr = (top)->P##awaddr;                                          \
		(mem).in.awlen = (top)->P##awlen;                                            \
		(mem).in.awsize = (top)->P##awsize;                                          \
		(mem).in.awburst = (top)->P##awburst;                                        \
		(mem).in.wvalid = (top)->P##wvalid;                                          \
		(mem).in.wlast = (top)->P##wlast;                                            \
		axi_sig::to_bytes((top)->P##wdata, (mem).in.wdata, (mem).word_bytes());      \
		axi_sig::to_bytes((top)->P##wstrb, (mem).in.wstrb, ((mem).word_bytes() + 7) / 8); \
		(mem).in.bready = (top)->P##bready;                                          \
	} while (0)

#endif
