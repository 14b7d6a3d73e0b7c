// tb_avgpool: nn_avgpool against docs/DESIGN.md §3 (exact sum, M = round(2^P/n), P = 16+clog2(n), then requantize), random gaps/backpressure.
`timescale 1ns / 1ps
module tb_avgpool;
parameter C = 4;
parameter H = 8;
parameter W = 6;
parameter LANES = 2;
parameter DATA_W = 8;
parameter KH = 2;
parameter KW = 2;
parameter SH = 2;
parameter SW = 2;
parameter SHIFT = 0;
parameter ROUND = 1;
parameter OUT_W = 8;
parameter FRAMES = 3;
parameter GAP = 20;
parameter STALL = 20;
parameter SEED = 1;
parameter MEASURE = 0;
localparam HO = (H - KH) / SH + 1;
localparam WO = (W - KW) / SW + 1;
localparam NIN = FRAMES * H * W * C / LANES;
localparam NOUT = FRAMES * HO * WO * C / LANES;
localparam IN_BITS = LANES * DATA_W, OUT_BITS = LANES * OUT_W;
localparam MAXB = NIN;
// the average's constants, as docs/DESIGN.md §3 states them (the compiler's fx_avg_consts is the other implementation)
localparam NC = KH * KW;
localparam AP = 16 + ((NC > 1) ? $clog2(NC) : 0);
localparam [63:0] AM = ((64'd1 << (AP + 1)) + NC) / (2 * NC);
`include "tb_stream.vh"

nn_avgpool #(.C(C), .H(H), .W(W), .LANES(LANES), .DATA_W(DATA_W), .KH(KH), .KW(KW), .SH(SH), .SW(SW),
    .SHIFT(SHIFT), .ROUND(ROUND), .OUT_W(OUT_W), .P(AP), .M(AM)) dut (.clk(clk), .rst(rst),
    .s_axis_tdata(s_tdata), .s_axis_tvalid(s_tvalid), .s_axis_tready(s_tready), .s_axis_tlast(s_tlast),
    .m_axis_tdata(m_tdata), .m_axis_tvalid(m_tvalid), .m_axis_tready(m_tready), .m_axis_tlast(m_tlast));

integer x_in [0:FRAMES*C*H*W-1];
integer s, n, y, x, c, ky, kx, k, i, ntl, fc, bound, pp, cells;
integer tl [0:FRAMES-1];
reg signed [127:0] sum, mm, y1, q, mx, mn;
reg [IN_BITS-1:0] iw;
reg [OUT_BITS-1:0] ow;
always @(posedge clk) if (m_tvalid && m_tready && m_tlast && ntl < FRAMES) begin tl[ntl] = cycles; ntl = ntl + 1; end
initial begin
    s = SEED; ntl = 0;
    cells = KH * KW;
    pp = 16; while ((1 << (pp - 16)) < cells) pp = pp + 1;     // P = 16 + ceil(log2 n)
    mm = ((128'sd1 <<< pp) + cells / 2) / cells;                  // floor(2^P/n + 1/2)
    if (((128'sd1 <<< (pp + 1)) + cells) / (2 * cells) != mm) $display("note: M rounding tie");
    mm = ((128'sd1 <<< (pp + 1)) + cells) / (2 * cells);
    for (k = 0; k < FRAMES*C*H*W; k = k + 1) x_in[k] = $signed($random(s)) >>> (32 - DATA_W);
    k = 0;
    for (n = 0; n < FRAMES; n = n + 1) for (y = 0; y < H; y = y + 1) for (x = 0; x < W; x = x + 1)
        for (c = 0; c < C; c = c + LANES) begin
            for (i = 0; i < LANES; i = i + 1) iw[i*DATA_W +: DATA_W] = x_in[((n*H + y)*W + x)*C + c + i];
            src_data[k] = iw; src_last[k] = (y == H-1) && (x == W-1) && (c + LANES == C); k = k + 1;
        end
    n_src = k;
    k = 0;
    mx = (128'sd1 <<< (OUT_W - 1)) - 1;
    mn = -(128'sd1 <<< (OUT_W - 1));
    for (n = 0; n < FRAMES; n = n + 1) for (y = 0; y < HO; y = y + 1) for (x = 0; x < WO; x = x + 1)
        for (c = 0; c < C; c = c + 1) begin
            sum = 0;
            for (ky = 0; ky < KH; ky = ky + 1) for (kx = 0; kx < KW; kx = kx + 1)
                sum = sum + x_in[((n*H + y*SH + ky)*W + x*SW + kx)*C + c];
            y1 = (sum * mm + (128'sd1 <<< (pp - 1))) >>> pp;
            if (SHIFT > 0) q = ROUND ? (y1 + (128'sd1 <<< (SHIFT - 1))) >>> SHIFT : y1 >>> SHIFT;
            else q = y1 * (128'sd1 <<< (-SHIFT));
            if (q > mx) q = mx;
            if (q < mn) q = mn;
            ow[(c % LANES)*OUT_W +: OUT_W] = q;
            if (c % LANES == LANES - 1) begin
                exp_data[k] = ow; exp_last[k] = (y == HO-1) && (x == WO-1) && (c == C-1); k = k + 1;
            end
        end
    n_exp = k;
    repeat (3) @(posedge clk);
    rst <= 0; go <= 1;
    finish_bench("tb_avgpool", 100 * (NIN + NOUT) + 2000);
end
initial begin
    if (MEASURE) begin
        wait (ntl == FRAMES);
        fc = (tl[FRAMES-1] - tl[0]) / (FRAMES - 1);
        bound = ((HO * WO > H * W) ? HO * WO : H * W) * C / LANES;
        $display("THROUGHPUT frame_cycles=%0d bound=%0d", fc, bound);
        if (fc * 100 > bound * 103 + 100) begin
            errors = errors + 1;
            $display("SLOW: %0d cycles per frame, bound %0d", fc, bound);
        end
    end
end
endmodule
