/* tb.c: the testbench of a layer-parallel design and its input
 * vectors. The bench streams every frame back to back with random gaps on
 * the input and random backpressure on the output (xorshift generators, so
 * that Icarus and Verilator see the same stalls), checks tlast and X on the
 * output, and writes the records of sim.c's contract to out.txt. */
#include "tb.h"

#include <string.h>

int pwrite_vectors(const struct network *net, const struct design *d,
                   const struct compile_opts *o, const struct tensor *in)
{
	const struct pplan *p = d->priv;
	FILE *f = out_open(out_path(o, "_in.hex"));
	if (!f)
		return -1;
	struct shape s = net->in_shape;
	int lanes = p->in_lanes;
	int64_t per = shape_elems(s);
	int64_t *beat = xcalloc((size_t)lanes, sizeof *beat);
	for (int n = 0; n < in->n; n++) {
		const int32_t *x = in->d + (size_t)n * per;
		/* HWC: element e = (y*W + x)*C + c */
		for (int64_t e = 0; e < per; e += lanes) {
			for (int k = 0; k < lanes; k++) {
				int64_t i = e + k, c = i % s.c, pix = i / s.c;
				beat[k] = x[c * s.h * s.w + pix];
			}
			emit_hex_word(f, beat, lanes, net->in_fmt.w);
		}
	}
	return 0;
}

int pemit_tb(const struct pplan *p, const struct compile_opts *o)
{
	const struct network *net = p->net;
	const struct layer *ol = &net->layers[net->output];
	int ol_lanes = p->e[net->output].out_lanes;
	int64_t in_beats = shape_elems(net->in_shape) / p->in_lanes;
	int64_t out_beats = shape_elems(ol->oshape) / ol_lanes;
	int frames = o->frames > 0 ? o->frames : 1;
	/* generous: every frame at a quarter of the estimated speed */
	int64_t timeout = 4 * (p->interval + in_beats + out_beats) * 4 + 20000;
	FILE *f = out_open(out_path(o, "_tb.v"));
	if (!f)
		return -1;
	emit_header(f, net, o, xprintf("%s_tb.v: testbench of %s_top", out_base(o), net->name),
	            xprintf("Streams %d frame(s) from %s_in.hex; writes out.txt (see nnc's sim.c).\n"
	                    "Plusargs: +seed=N (stall pattern), +nostall, +vcd=FILE,\n"
	                    "+reset_frame=F (reset in the middle of frame F, then resend).",
	                    frames, out_base(o)));
	fprintf(f,
	        "`timescale 1ns / 1ps\n"
	        "`default_nettype none\n\n"
	        "module tb;\n\n"
	        "localparam FRAMES = %d;\n"
	        "localparam IN_BEATS = %lld, OUT_BEATS = %lld;\n"
	        "localparam IN_BITS = %d, OUT_LANES = %d, EW = %d;\n"
	        "localparam OC = %d, OHW = %d;\n"
	        "localparam TIMEOUT = %lld;\n\n",
	        frames, (long long)in_beats, (long long)out_beats, p->in_lanes * net->in_fmt.w,
	        ol_lanes, ol->out.w, ol->oshape.c, ol->oshape.h * ol->oshape.w, (long long)timeout);
	fprintf(f,
	        "reg clk = 1'b0, rst = 1'b1;\n"
	        "always #5 clk = ~clk;\n\n"
	        "reg  [IN_BITS-1:0] in_mem [0:FRAMES*IN_BEATS-1];\n"
	        "reg  [IN_BITS-1:0] s_tdata;\n"
	        "reg                s_tvalid, s_tlast;\n"
	        "wire               s_tready;\n"
	        "wire [OUT_LANES*EW-1:0] m_tdata;\n"
	        "wire               m_tvalid, m_tlast;\n"
	        "reg                m_tready;\n\n"
	        "%s_top dut (\n"
	        "    .clk(clk), .rst(rst),\n"
	        "    .s_axis_tdata(s_tdata), .s_axis_tvalid(s_tvalid), .s_axis_tready(s_tready), .s_axis_tlast(s_tlast),\n"
	        "    .m_axis_tdata(m_tdata), .m_axis_tvalid(m_tvalid), .m_axis_tready(m_tready), .m_axis_tlast(m_tlast)\n"
	        ");\n\n",
	        net->name);
	fputs("integer fd, seed, cycle, last_move, in_next, out_beat, frame, lane, e, v, k;\n"
	      "integer reset_frame, rst_count;\n"
	      "integer t0 [0:FRAMES-1];\n"
	      "reg [EW-1:0] obuf [0:OUT_BEATS*OUT_LANES-1];\n"
	      "reg nostall, did_reset, offered;\n"
	      "reg [31:0] rnd_in, rnd_out;\n"
	      "reg [8*256-1:0] vcd;\n\n"
	      "function [31:0] xorshift(input [31:0] r);\n"
	      "    reg [31:0] a;\n"
	      "    begin\n"
	      "        a = r ^ (r << 13);\n"
	      "        a = a ^ (a >> 17);\n"
	      "        xorshift = a ^ (a << 5);\n"
	      "    end\n"
	      "endfunction\n\n",
	      f);
	fprintf(f,
	        "initial begin\n"
	        "    $readmemh(\"%s_in.hex\", in_mem);\n"
	        "    fd = $fopen(\"out.txt\", \"w\");\n"
	        "    seed = 1;\n"
	        "    if ($value$plusargs(\"seed=%%d\", seed)) ;\n"
	        "    reset_frame = -1;\n"
	        "    if ($value$plusargs(\"reset_frame=%%d\", reset_frame)) ;\n"
	        "    nostall = $test$plusargs(\"nostall\");\n"
	        "    if ($value$plusargs(\"vcd=%%s\", vcd)) begin\n"
	        "        $dumpfile(vcd);\n"
	        "        $dumpvars(0, tb);\n"
	        "    end\n"
	        "    rnd_in = 32'h2545f491 ^ seed;\n"
	        "    rnd_out = 32'h9e3779b9 ^ (seed * 7);\n"
	        "    cycle = 0; last_move = 0; in_next = 0; out_beat = 0; frame = 0;\n"
	        "    rst_count = 5; did_reset = 1'b0; offered = 1'b0;\n"
	        "    s_tvalid = 1'b0; s_tlast = 1'b0; s_tdata = 0; m_tready = 1'b0;\n"
	        "end\n\n",
	        out_base(o));
	fputs("always @(posedge clk) begin\n"
	      "    cycle <= cycle + 1;\n"
	      "    rnd_in <= xorshift(rnd_in);\n"
	      "    rnd_out <= xorshift(rnd_out);\n"
	      "    if (rst_count > 0) begin\n"
	      "        // reset: synchronous, a few cycles; the design clears its control state\n"
	      "        rst <= 1'b1;\n"
	      "        rst_count <= rst_count - 1;\n"
	      "        last_move <= cycle;\n"
	      "    end else if (rst) begin\n"
	      "        rst <= 1'b0;\n"
	      "    end else if (!did_reset && reset_frame >= 0 && in_next == reset_frame * IN_BEATS + IN_BEATS / 2) begin\n"
	      "        // +reset_frame=F: reset in the middle of frame F, then send again every\n"
	      "        // frame whose output had not come out whole\n"
	      "        $display(\"progress reset in the middle of frame %0d; restarting at frame %0d\", reset_frame, frame);\n"
	      "        did_reset <= 1'b1;\n"
	      "        rst_count <= 4;\n"
	      "        s_tvalid <= 1'b0;\n"
	      "        m_tready <= 1'b0;\n"
	      "        in_next <= frame * IN_BEATS;\n"
	      "        out_beat <= 0;\n"
	      "        offered <= 1'b0;\n"
	      "    end else begin\n"
	      "        // input: a new beat when the last one moved, after a random gap\n"
	      "        if (!s_tvalid || s_tready) begin\n"
	      "            if (s_tvalid && s_tready) last_move <= cycle;\n"
	      "            if (in_next < FRAMES * IN_BEATS && (nostall || rnd_in[1:0] != 2'd0)) begin\n"
	      "                s_tdata <= in_mem[in_next];\n"
	      "                s_tlast <= (in_next % IN_BEATS) == IN_BEATS - 1;\n"
	      "                s_tvalid <= 1'b1;\n"
	      "                if (in_next % IN_BEATS == 0) t0[in_next / IN_BEATS] <= cycle;\n"
	      "                in_next <= in_next + 1;\n"
	      "            end else begin\n"
	      "                s_tvalid <= 1'b0;\n"
	      "            end\n"
	      "        end\n"
	      "        // output: random backpressure\n"
	      "        m_tready <= nostall || rnd_out[2:0] > 3'd1;\n"
	      "        // the cycle the design first offers a frame's first beat: the frame\n"
	      "        // interval's mark, which the bench's backpressure cannot move earlier\n"
	      "        if (m_tvalid && out_beat == 0 && !offered) begin\n"
	      "            $fwrite(fd, \"v %0d %0d\\n\", frame, cycle);\n"
	      "            offered <= 1'b1;\n"
	      "        end\n"
	      "        if (m_tvalid && m_tready) begin\n"
	      "            last_move <= cycle;\n"
	      "            if (^m_tdata === 1'bx) begin\n"
	      "                $fwrite(fd, \"x X or Z on m_axis_tdata at cycle %0d\\n\", cycle);\n"
	      "                $fclose(fd);\n"
	      "                $finish;\n"
	      "            end\n"
	      "            if (m_tlast !== (out_beat == OUT_BEATS - 1)) begin\n"
	      "                $fwrite(fd, \"x tlast is %b on beat %0d of frame %0d (of %0d beats)\\n\", m_tlast, out_beat, frame, OUT_BEATS);\n"
	      "                $fclose(fd);\n"
	      "                $finish;\n"
	      "            end\n"
	      "            for (lane = 0; lane < OUT_LANES; lane = lane + 1)\n"
	      "                obuf[out_beat * OUT_LANES + lane] = m_tdata[lane*EW +: EW];\n"
	      "            if (out_beat == OUT_BEATS - 1) begin\n"
	      "                // a whole frame: its records, HWC stream order -> flat C,H,W index\n"
	      "                for (e = 0; e < OUT_BEATS * OUT_LANES; e = e + 1) begin\n"
	      "                    v = $signed(obuf[e]);\n"
	      "                    $fwrite(fd, \"o %0d %0d %0d\\n\", frame, (e % OC) * OHW + e / OC, v);\n"
	      "                end\n"
	      "                $fwrite(fd, \"f %0d %0d %0d\\n\", frame, t0[frame], cycle);\n"
	      "                $display(\"progress frame %0d of %0d done at cycle %0d\", frame + 1, FRAMES, cycle);\n"
	      "                out_beat <= 0;\n"
	      "                offered <= 1'b0;\n"
	      "                frame <= frame + 1;\n"
	      "                if (frame + 1 == FRAMES) begin\n"
	      "                    $fclose(fd);\n"
	      "                    $finish;\n"
	      "                end\n"
	      "            end else begin\n"
	      "                out_beat <= out_beat + 1;\n"
	      "            end\n"
	      "        end\n"
	      "        if (cycle - last_move > TIMEOUT) begin\n"
	      "            $fwrite(fd, \"x timeout: nothing moved for %0d cycles (frame %0d, output beat %0d, input beat %0d)\\n\",\n"
	      "                    TIMEOUT, frame, out_beat, in_next);\n"
	      "            $fclose(fd);\n"
	      "            $finish;\n"
	      "        end\n"
	      "    end\n"
	      "end\n\n"
	      "endmodule\n\n`resetall\n",
	      f);
	return 0;
}
