/* tb.c: the serial testbench (OUT_tb.v, module tb) and its input
 * vectors (OUT_in.hex: every frame's input map, memory word by memory word,
 * as the engine expects it in memory). The bench follows the contract at
 * the top of sim.c: it loads OUT.mem.bin into sim/nn_mem_model, and for
 * each frame writes the input region, pulses start, waits for done, and
 * reads the output region back into out.txt; with --batch, BATCH frames a
 * start, each at its offset in the input and output maps. */
#include "tb.h"

#include <stdlib.h>
#include <string.h>

int serial_emit_tb(const struct serial *s, const struct network *net,
                   const struct compile_opts *o, const struct design *d)
{
	FILE *f = out_open(out_path(o, "_tb.v"));
	if (!f)
		return -1;
	const struct stensor *in = &s->tens[s->in_tensor], *out = &s->tens[s->out_tensor];
	const char *base = out_base(o);
	int frames = o->frames > 0 ? o->frames : 1;
	int64_t est = d->estimate * s->batch;
	int64_t tmo = est * 20 + 200000;
	emit_header(f, net, o, xprintf("%s_tb.v: testbench for %s (serial)", base, d->top),
	            xprintf("Module tb: %s with sim/nn_mem_model (stalls on; +nostall, +stall=PCT,\n"
	                    "+seed=N, +vcd=FILE, +reset_frame=F: reset in the middle of frame F). Files (run in this directory): %s.mem.bin, %s_in.hex.\n"
	                    "Writes out.txt: o F I V, f F T0 T1, x MESSAGE (see nnc's sim.c), and\n"
	                    "l LAYER CYCLES per descriptor as the engine finishes it.",
	                    d->top, base, base));
	fprintf(f, "`timescale 1ns / 1ps\n`default_nettype none\n\nmodule tb;\n\n");
	/* a frame's map: C planes of FH rows of WPW words; frame b of a batch
	 * FOFF words after frame 0 (the planes of a batched map are longer) */
	fprintf(f, "localparam FRAMES = %d, BATCH = %d;\n"
	        "localparam IN_BASE = %lld, IN_C = %d, IN_H = %d, IN_WPW = %d, IN_PLANE = %lld, "
	        "IN_FOFF = %lld;\n"
	        "localparam IN_WORDS = IN_C*IN_H*IN_WPW;   // a frame, in OUT_in.hex\n"
	        "localparam OUT_BASE = %lld, OUT_FOFF = %lld;\nlocalparam OUT_C = %d, OUT_H = %d, OUT_W = %d;\n"
	        "localparam OUT_WPW = %d, OUT_PLANE = %lld, OUT_CW = %d, OUT_E = %d;\n"
	        "localparam TIMEOUT = %lld;\n"
	        "localparam RESET_AT = %lld;     // +reset_frame=F resets this far into frame F's start\n\n",
	        frames, s->batch, (long long)(s->flat[SR_INPUT] + soff(s, in->base)), in->s.c, in->fh, in->wpw, (long long)in->plane,
	        (long long)in->foff, (long long)(s->flat[SR_OUTPUT] + soff(s, out->base)),
	        (long long)out->foff, out->s.c, out->fh,
	        out->s.w, out->wpw, (long long)out->plane, out->cw, s->mw / out->cw, (long long)tmo,
	        (long long)(est / 2 > 16 ? est / 2 : 16));
	fprintf(f, "reg clk = 1'b0;\nreg rst = 1'b1;\nreg start = 1'b0;\nwire busy, done;\n"
	        "wire [31:0] status;\n"
	        "wire req_valid, req_ready, req_write, resp_valid;\nwire [%d:0] req_addr;\n"
	        "wire [%d:0] req_len;\nwire [%d:0] req_wdata, resp_data;\n\n"
	        "always #5 clk = ~clk;\n\n",
	        s->xw - 1, s->len_w - 1, s->mw - 1);
	fprintf(f, "%s u_dut (\n    .clk(clk), .rst(rst), .start(start), .busy(busy), .done(done),\n"
	        "    .status(status),\n"
	        "    .mem_req_valid(req_valid), .mem_req_ready(req_ready), .mem_req_addr(req_addr),\n"
	        "    .mem_req_write(req_write), .mem_req_len(req_len), .mem_req_wdata(req_wdata),\n"
	        "    .mem_resp_valid(resp_valid), .mem_resp_data(resp_data)\n);\n\n",
	        d->top);
	fprintf(f, "nn_mem_model #(\n    .DW(%d), .AW(%d), .DEPTH(%lld), .LEN_W(%d), .LATENCY(8), "
	        ".STALL(20), .SEED(1),\n    .INIT_FILE(\"%s.mem.bin\")\n) u_mem (\n"
	        "    .clk(clk), .rst(rst), .req_valid(req_valid), .req_ready(req_ready),\n"
	        "    .req_addr(req_addr), .req_write(req_write), .req_len(req_len),\n"
	        "    .req_wdata(req_wdata), .resp_valid(resp_valid), .resp_data(resp_data)\n);\n\n",
	        s->mw, s->xw, (long long)(s->mem_words > 0 ? s->mem_words : 1), s->len_w, base);
	/* per-descriptor cycles: "l LAYER CYCLES" each time the engine moves on
	 * to the next descriptor or finishes (sim.c ignores these records) */
	fputs("function [8*64-1:0] dname;\n    input [15:0] k;\n    begin\n        case (k)\n", f);
	for (int k = 0; k < s->ndesc; k++)
		fprintf(f, "        16'd%d: dname = \"%s\";\n", k, s->desc[k].name);
	fputs("        default: dname = \"?\";\n        endcase\n    end\nendfunction\n\n"
	      "reg [15:0] ld_d;\nreg ld_on;\ninteger ld_t;\n"
	      "// the cycles the engine sees start and first shows done, sampled on\n"
	      "// the clock like the l records (the initial block's view of start and\n"
	      "// done depends on the simulator's scheduling: Icarus and Verilator\n"
	      "// differ by a cycle)\n"
	      "reg seen_done;\ninteger t_start, t_done;\n"
	      "always @(posedge clk) begin\n"
	      "    if (start) begin\n        seen_done <= 1'b0;\n        t_start <= cyc;\n    end\n"
	      "    else if (done && !seen_done) begin\n"
	      "        seen_done <= 1'b1;\n        t_done <= cyc;\n"
	      "    end\n"
	      "end\n"
	      "always @(posedge clk) begin\n"
	      "    if (start) begin\n"
	      "        ld_on <= 1'b1;\n        ld_d <= 16'd0;\n        ld_t <= cyc;\n"
	      "    end else if (ld_on && (u_dut.desc != ld_d || done)) begin\n"
	      "        $fwrite(fo, \"l %0s %0d\\n\", dname(ld_d), cyc - ld_t);\n"
	      "        $fflush(fo);\n"
	      "        ld_d <= u_dut.desc;\n        ld_t <= cyc;\n"
	      "        if (done) ld_on <= 1'b0;\n"
	      "    end\n"
	      "end\n\n", f);
	fprintf(f,
	        "reg [%d:0] frames [0:FRAMES*IN_WORDS-1];\n"
	        "reg [%d:0] wd;\n"
	        "reg [OUT_CW-1:0] v;\n"
	        "reg [1023:0] vcd;\n"
	        "integer fo, bt, b, fr, i, c, y, x, t0, t1, cyc, bad, reset_frame;\n\n"
	        "always @(posedge clk) cyc <= cyc + 1;\n\n"
	        "// batch bt's frames into the input region (past the last frame: the last again)\n"
	        "task load_batch;\n"
	        "    input integer bt;\n"
	        "    integer b, fr, i, c, y, x;\n"
	        "    begin\n"
	        "        for (b = 0; b < BATCH; b = b + 1) begin\n"
	        "            fr = bt*BATCH + b < FRAMES ? bt*BATCH + b : FRAMES - 1;\n"
	        "            i = fr*IN_WORDS;\n"
	        "            for (c = 0; c < IN_C; c = c + 1)\n"
	        "                for (y = 0; y < IN_H; y = y + 1)\n"
	        "                    for (x = 0; x < IN_WPW; x = x + 1) begin\n"
	        "                        u_mem.mem[IN_BASE + b*IN_FOFF + c*IN_PLANE + y*IN_WPW + x] = frames[i];\n"
	        "                        i = i + 1;\n"
	        "                    end\n"
	        "        end\n"
	        "    end\n"
	        "endtask\n\n"
	        "initial begin\n"
	        "    cyc = 0;\n"
	        "    ld_on = 1'b0;\n"
	        "    bad = 0;\n"
	        "    $readmemh(\"%s_in.hex\", frames);\n"
	        "    fo = $fopen(\"out.txt\", \"w\");\n"
	        "    reset_frame = -1;\n"
	        "    if ($value$plusargs(\"reset_frame=%%d\", reset_frame)) ;\n"
	        "    if ($value$plusargs(\"vcd=%%s\", vcd)) begin\n"
	        "        $dumpfile(vcd);\n"
	        "        $dumpvars(0, tb);\n"
	        "    end\n"
	        "    repeat (4) @(posedge clk);\n"
	        "    rst <= 1'b0;\n"
	        "    @(posedge clk);\n"
	        "    for (bt = 0; bt*BATCH < FRAMES && !bad; bt = bt + 1) begin\n"
	        "        load_batch(bt);\n"
	        "        start <= 1'b1;\n"
	        "        t0 = cyc;\n"
	        "        @(posedge clk);\n"
	        "        start <= 1'b0;\n"
	        "        @(posedge clk);\n"
	        "        @(posedge clk);\n"
	        "        if (reset_frame >= 0 && reset_frame / BATCH == bt) begin\n"
	        "            // reset in the middle of this inference (memory keeps its contents,\n"
	        "            // the engine and the memory model their control state), then start it again\n"
	        "            while (!done && cyc - t0 < RESET_AT) @(posedge clk);\n"
	        "            $display(\"progress reset %%0d cycles into frame %%0d; starting it again\", cyc - t0,\n"
	        "                     reset_frame);\n"
	        "            rst <= 1'b1;\n"
	        "            repeat (4) @(posedge clk);\n"
	        "            rst <= 1'b0;\n"
	        "            @(posedge clk);\n"
	        "            load_batch(bt);\n"
	        "            start <= 1'b1;\n"
	        "            t0 = cyc;\n"
	        "            @(posedge clk);\n"
	        "            start <= 1'b0;\n"
	        "            @(posedge clk);\n"
	        "            @(posedge clk);\n"
	        "        end\n"
	        "        while (!done && cyc - t0 < TIMEOUT) @(posedge clk);\n"
	        "        if (!done) begin\n"
	        "            $fwrite(fo, \"x frame %%0d: no done after %%0d cycles\\n\", bt*BATCH, TIMEOUT);\n"
	        "            bad = 1;\n"
	        "        end else if (status[15:0] != 16'd0) begin\n"
	        "            $fwrite(fo, \"x frame %%0d: the engine stopped with status %%08x\\n\", bt*BATCH, status);\n"
	        "            bad = 1;\n"
	        "        end else begin\n"
	        "            @(posedge clk);\n"
	        "            t0 = t_start;\n"
	        "            t1 = t_done;\n"
	        "            for (b = 0; b < BATCH && bt*BATCH + b < FRAMES; b = b + 1) begin\n"
	        "                fr = bt*BATCH + b;\n"
	        "                $fwrite(fo, \"f %%0d %%0d %%0d\\n\", fr, t0, t1);\n"
	        "                for (c = 0; c < OUT_C; c = c + 1)\n"
	        "                    for (y = 0; y < OUT_H; y = y + 1)\n"
	        "                        for (x = 0; x < OUT_W; x = x + 1) begin\n"
	        "                            wd = u_mem.mem[OUT_BASE + b*OUT_FOFF + c*OUT_PLANE + y*OUT_WPW + x/OUT_E];\n"
	        "                            v = wd[(x %% OUT_E)*OUT_CW +: OUT_CW];\n"
	        "                            if (^v === 1'bx) begin\n"
	        "                                if (!bad) $fwrite(fo, \"x frame %%0d output %%0d is X\\n\", fr,\n"
	        "                                                  (c*OUT_H + y)*OUT_W + x);\n"
	        "                                bad = 1;\n"
	        "                            end else begin\n"
	        "                                $fwrite(fo, \"o %%0d %%0d %%0d\\n\", fr, (c*OUT_H + y)*OUT_W + x,\n"
	        "                                        $signed(v));\n"
	        "                            end\n"
	        "                        end\n"
	        "            end\n"
	        "            $display(\"progress frame %%0d of %%0d done in %%0d cycles\",\n"
	        "                     bt*BATCH + BATCH < FRAMES ? bt*BATCH + BATCH : FRAMES, FRAMES, t1 - t0);\n"
	        "        end\n"
	        "        if (u_mem.bad) begin\n"
	        "            $fwrite(fo, \"x the memory model saw a bad request\\n\");\n"
	        "            bad = 1;\n"
	        "        end\n"
	        "    end\n"
	        "    $fclose(fo);\n"
	        "    $finish;\n"
	        "end\n\nendmodule\n\n`default_nettype wire\n",
	        s->mw - 1, s->mw - 1, base);
	const char *names[] = {"nn_mem_model", NULL};
	emit_templates(f, names);
	return 0;
}

int serial_write_vectors(const struct network *net, const struct design *d,
                         const struct compile_opts *o, const struct tensor *in)
{
	const struct serial *s = d->priv;
	const struct stensor *t = &s->tens[s->in_tensor];
	FILE *f = out_open(out_path(o, "_in.hex"));
	if (!f)
		return -1;
	int e = s->mw / t->cw;
	int64_t *vals = xcalloc((size_t)e, sizeof *vals);
	int64_t per = shape_elems(net->in_shape);
	for (int n = 0; n < in->n; n++) {
		const int32_t *x = in->d + (size_t)n * (size_t)per;
		for (int c = 0; c < t->s.c; c++)
			for (int y = 0; y < t->fh; y++)
				for (int w = 0; w < t->wpw; w++) {
					for (int k = 0; k < e; k++) {
						int xx = w * e + k;
						vals[k] = xx < t->s.w ? x[((int64_t)c * t->fh + y) * t->s.w + xx] : 0;
					}
					emit_hex_word(f, vals, e, t->cw);
				}
	}
	return 0;
}
