/* engine.c: `nnc engine`: a serial engine without a network (docs/DESIGN.md
 * §10): ENG.v (module NAME around templates/nn_serial_engine.v, then the
 * templates), ENG.json (its spec, spec.c) and ENG_hw.h (the register map,
 * the program header and the descriptor format for C). */
#include "engine.h"

#include <ctype.h>
#include <string.h>

/* The engine top's ports: X(direction, width, name); width 0 is one bit,
 * -1 is MW, -2 is MW/8. */
#define ENGINE_PORTS(X)                                                                  \
	X("input", 0, ap_clk) X("input", 0, ap_rst_n) X("output", 0, interrupt)              \
	X("input", 0, s_axi_control_awvalid) X("output", 0, s_axi_control_awready)           \
	X("input", 8, s_axi_control_awaddr) X("input", 0, s_axi_control_wvalid)              \
	X("output", 0, s_axi_control_wready) X("input", 32, s_axi_control_wdata)             \
	X("input", 4, s_axi_control_wstrb) X("output", 0, s_axi_control_bvalid)              \
	X("input", 0, s_axi_control_bready) X("output", 2, s_axi_control_bresp)              \
	X("input", 0, s_axi_control_arvalid) X("output", 0, s_axi_control_arready)           \
	X("input", 8, s_axi_control_araddr) X("output", 0, s_axi_control_rvalid)             \
	X("input", 0, s_axi_control_rready) X("output", 32, s_axi_control_rdata)             \
	X("output", 2, s_axi_control_rresp)                                                  \
	X("output", 4, m_axi_gmem_arid) X("output", 64, m_axi_gmem_araddr)                   \
	X("output", 8, m_axi_gmem_arlen) X("output", 3, m_axi_gmem_arsize)                   \
	X("output", 2, m_axi_gmem_arburst) X("output", 0, m_axi_gmem_arvalid)                \
	X("input", 0, m_axi_gmem_arready) X("input", 4, m_axi_gmem_rid)                      \
	X("input", -1, m_axi_gmem_rdata) X("input", 2, m_axi_gmem_rresp)                     \
	X("input", 0, m_axi_gmem_rlast) X("input", 0, m_axi_gmem_rvalid)                     \
	X("output", 0, m_axi_gmem_rready) X("output", 4, m_axi_gmem_awid)                    \
	X("output", 64, m_axi_gmem_awaddr) X("output", 8, m_axi_gmem_awlen)                  \
	X("output", 3, m_axi_gmem_awsize) X("output", 2, m_axi_gmem_awburst)                 \
	X("output", 0, m_axi_gmem_awvalid) X("input", 0, m_axi_gmem_awready)                 \
	X("output", -1, m_axi_gmem_wdata) X("output", -2, m_axi_gmem_wstrb)                  \
	X("output", 0, m_axi_gmem_wlast) X("output", 0, m_axi_gmem_wvalid)                   \
	X("input", 0, m_axi_gmem_wready) X("input", 4, m_axi_gmem_bid)                       \
	X("input", 2, m_axi_gmem_bresp) X("input", 0, m_axi_gmem_bvalid)                     \
	X("output", 0, m_axi_gmem_bready)

static void write_v(FILE *f, const struct serial *s, const char *name)
{
	fprintf(f, "// %s: a layer-serial engine built by nnc %s (nnc engine), spec hash 0x%08x.\n"
	        "// Do not edit: regenerate with nnc engine.\n//\n"
	        "// A %dx%d multiplier array, a %d-bit AXI4 master (m_axi_gmem, 64-bit byte\n"
	        "// addresses), an AXI4-Lite control slave (s_axi_control, docs/DESIGN.md §10.4)\n"
	        "// and a level interrupt. It runs any program nnc writes for its spec\n"
	        "// (nnc NET.nn --engine %s.json -o NET.bin).\n"
	        "`resetall\n`timescale 1ns / 1ps\n`default_nettype none\n\nmodule %s (\n",
	        name, NNC_VERSION, s->hash, s->tm, s->tn, s->mw, name, name);
	const char *sep = "";
#define X(dir, w, nm)                                                                     \
	{                                                                                 \
		int b = (w) == -1 ? s->mw : (w) == -2 ? s->mw / 8 : (w);                   \
		bool kw = !strcmp(#nm, "interrupt");  /* a C++ keyword to Verilator */ \
		fprintf(f, "%s%s    %-6s wire %s%s%s", sep,                    \
		        kw ? "    /* verilator lint_off SYMRSVDWORD */\n" : "", dir,  \
		        b ? xprintf("[%d:0] ", b - 1) : "", #nm,                  \
		        kw ? ",\n    /* verilator lint_on SYMRSVDWORD */" : ""); \
		sep = kw ? "\n" : ",\n";                                                  \
	}
	ENGINE_PORTS(X)
#undef X
	fprintf(f, "\n);\n\nnn_serial_engine #(\n"
	        "    .TM(%d), .TN(%d), .CW(%d), .WCW(%d), .MW(%d), .AW(%d), .LEN_W(%d), .MAXB(%d),\n"
	        "    .ACC_W(%d), .BW(%d), .AVG(%d), .AVG_W(%d), .IBD(%d), .WBD(%d), .ABD(%d), .OBD(%d),\n"
	        "    .SPEC(32'h%08x), .SBASE(%d'h%llx), .SK(%d), .SL(%d), .SDEPTH(%d)\n) u_engine (\n",
	        s->tm, s->tn, s->cw, s->wcw, s->mw, s->aw, s->len_w, s->maxb, s->acc_w, s->bw,
	        s->avg_w ? 1 : 0, s->avg_w ? s->avg_w : s->acc_w, s->ibd, s->wbd, s->abd, s->obd,
	        s->hash, s->aw,
	        (unsigned long long)((int64_t)SR_SCRATCH << s->ob), s->sk, s->sl, s->sdepth);
	sep = "";
#define X(dir, w, nm)                                   \
	fprintf(f, "%s    .%s(%s)", sep, #nm, #nm);     \
	sep = ",\n";
	ENGINE_PORTS(X)
#undef X
	fputs("\n);\n\nendmodule\n\n`resetall\n", f);
	const char *names[] = {"nn_serial_engine", NULL};
	emit_templates(f, names);
}

static void write_hw_h(FILE *f, const struct serial *s, const char *name)
{
	char *up = xprintf("%s", name);
	for (char *c = up; *c; c++)
		*c = isalnum((unsigned char)*c) ? (char)toupper((unsigned char)*c) : '_';
	fprintf(f, "/* %s_hw.h: the engine %s for C (nnc %s, nnc engine; do not edit).\n"
	        " * Registers: docs/DESIGN.md §10.4; the program: §10.3; descriptors: §8. */\n"
	        "#ifndef NNC_%s_HW_H\n#define NNC_%s_HW_H\n\n", name, name, NNC_VERSION, up, up);
	fprintf(f, "#define NNC_HW_SPEC_HASH 0x%08xu\n#define NNC_HW_TM %d\n#define NNC_HW_TN %d\n"
	        "#define NNC_HW_MEM_BITS %d\n#define NNC_HW_MEM_BYTES %d\n"
	        "#define NNC_HW_ACT_BITS %d\n#define NNC_HW_WEIGHT_BITS %d\n#define NNC_HW_ACC_BITS %d\n"
	        "#define NNC_HW_ADDR_BITS %d        /* engine addresses: 3 region bits, then offsets */\n"
	        "#define NNC_HW_REGION_BYTES %lluull\n\n",
	        s->hash, s->tm, s->tn, s->mw, s->mw / 8, s->cw, s->wcw, s->acc_w, s->aw,
	        (unsigned long long)(((uint64_t)1 << s->ob) * (uint64_t)(s->mw / 8)));
	fputs("/* registers (byte offsets on s_axi_control) */\n", f);
#define X(NM, off, what) fprintf(f, "#define NNC_HW_REG_%-12s 0x%02x  /* %s */\n", #NM, off, what);
	ENGINE_REGS(X)
#undef X
	fprintf(f, "#define NNC_HW_ID 0x%08xu\n\n", ENGINE_ID);
	fprintf(f, "/* the program: a %d-byte header, then one record of %d bytes a descriptor */\n"
	        "#define NNC_HW_PROGRAM_MAGIC 0x%08xu\n#define NNC_HW_PROGRAM_VERSION %d\n"
	        "#define NNC_HW_HEADER_BYTES %d\n#define NNC_HW_RECORD_BYTES %d\n"
	        "#define NNC_HW_DESC_BITS %d\n\n",
	        PROGRAM_HEADER_BYTES, serial_recw(s) * s->mw / 8, PROGRAM_MAGIC, PROGRAM_VERSION,
	        PROGRAM_HEADER_BYTES, serial_recw(s) * s->mw / 8, serial_dbits(s));
	fputs("/* descriptor fields: bit offset and width in a record (little-endian bits) */\n", f);
	int at = 0;
#define X(nm, width, sgn, v, what)                                                          \
	{                                                                                   \
		char *u = xprintf("%s", #nm);                                               \
		for (char *c = u; *c; c++)                                                  \
			*c = (char)toupper((unsigned char)*c);                              \
		int b = serial_field_bits(s, width);                                        \
		fprintf(f, "#define NNC_HW_D_%s_OFF %d\n#define NNC_HW_D_%s_W %d%s\n", u, at, u, b, \
		        sgn ? "   /* signed */" : "");                                    \
		at += b;                                                                    \
	}
	DESC_FIELDS(X)
#undef X
	fputs("\n#endif\n", f);
}

int serial_engine_write(const struct serial *s, const char *vpath, const char *name)
{
	size_t n = strlen(vpath);
	const char *base = xprintf("%.*s", (int)(n > 2 && !strcmp(vpath + n - 2, ".v") ? n - 2 : n),
	                           vpath);
	FILE *v = out_open(vpath), *j = v ? out_open(xprintf("%s.json", base)) : NULL,
	     *h = j ? out_open(xprintf("%s_hw.h", base)) : NULL;
	if (!h)
		return -1;
	write_v(v, s, name);
	serial_spec_write(j, s, name);
	write_hw_h(h, s, name);
	return 0;
}
