// tb_fc: nn_fc against a plain matrix-vector + requantization model (docs/DESIGN.md §3), random gaps/backpressure, throughput.
`timescale 1ns / 1ps
module tb_fc;
parameter N = 24;
parameter UNITS = 6;
parameter PI = 4;
parameter PO = 2;
parameter DATA_W = 8;
parameter WGT_W = 8;
parameter HAS_BIAS = 1;
parameter BIAS_W = 12;
parameter BIAS_SHIFT = 2;
parameter ROUND = 1;
parameter OUT_W = 8;
parameter ACT = 0;
parameter RELU6_MAX = 96;
parameter FRAMES = 4;
parameter GAP = 20;
parameter STALL = 20;
parameter SEED = 1;
parameter MEASURE = 0;
parameter WFILE = "tb_fc_w.hex";
parameter BFILE = "tb_fc_b.hex";
localparam ACC_W = DATA_W + WGT_W + $clog2(N) + 1;
parameter SHIFT = DATA_W + WGT_W - OUT_W + ($clog2(N) + 1) / 2 - 1;
localparam NIN = FRAMES * N / PI;
localparam NOUT = FRAMES * UNITS / PO;
localparam IN_BITS = PI * DATA_W, OUT_BITS = PO * OUT_W;
localparam MAXB = (NIN > NOUT) ? NIN : NOUT;
localparam NB = N / PI, OBG = UNITS / PO;
localparam WWORD = PO * PI * WGT_W;
`include "tb_stream.vh"

nn_fc #(.N(N), .UNITS(UNITS), .PI(PI), .PO(PO), .DATA_W(DATA_W), .WGT_W(WGT_W), .ACC_W(ACC_W),
    .HAS_BIAS(HAS_BIAS), .BIAS_W(BIAS_W), .BIAS_SHIFT(BIAS_SHIFT), .SHIFT(SHIFT), .ROUND(ROUND),
    .OUT_W(OUT_W), .ACT(ACT), .RELU6_MAX(RELU6_MAX), .WEIGHT_FILE(""), .BIAS_FILE("")) dut (
    .clk(clk), .rst(rst),
    .s_axis_tdata(s_tdata), .s_axis_tvalid(s_tvalid), .s_axis_tready(s_tready), .s_axis_tlast(s_tlast),
    .m_axis_tdata(m_tdata), .m_axis_tvalid(m_tvalid), .m_axis_tready(m_tready), .m_axis_tlast(m_tlast));

function automatic signed [127:0] requant(input signed [127:0] acc, input signed [127:0] bias);
    reg signed [127:0] v, y, mx, mn;
    begin
        v = acc;
        if (HAS_BIAS) v = v + bias * (128'sd1 <<< BIAS_SHIFT);
        if (SHIFT > 0) begin
            if (ROUND) y = (v + (128'sd1 <<< (SHIFT - 1))) >>> SHIFT;
            else y = v >>> SHIFT;
        end else y = v * (128'sd1 <<< (-SHIFT));
        mx = (128'sd1 <<< (OUT_W - 1)) - 1;
        mn = -(128'sd1 <<< (OUT_W - 1));
        if (y > mx) y = mx;
        if (y < mn) y = mn;
        if (ACT >= 1 && y < 0) y = 0;
        if (ACT == 2 && y > RELU6_MAX) y = RELU6_MAX;
        requant = y;
    end
endfunction

integer x_in [0:FRAMES*N-1];
integer wgt [0:UNITS*N-1];    // [unit][input in stream order]
integer bias [0:UNITS-1];
integer s, n, u, j, k, o, i, ob, ib, fd, nsat, nzero, ntl, fc, bound;
integer tl [0:FRAMES-1];
reg signed [127:0] acc, q;
reg [WWORD-1:0] wword;
reg [PO*BIAS_W-1:0] bword;
reg [IN_BITS-1:0] iw;
reg [OUT_BITS-1:0] ow;
always @(posedge clk) if (m_tvalid && m_tready && m_tlast && ntl < FRAMES) begin tl[ntl] = cycles; ntl = ntl + 1; end

initial begin
    s = SEED; ntl = 0;
    for (k = 0; k < FRAMES*N; k = k + 1) x_in[k] = $signed($random(s)) >>> (32 - DATA_W);
    for (k = 0; k < UNITS*N; k = k + 1) wgt[k] = $signed($random(s)) >>> (32 - WGT_W);
    for (k = 0; k < UNITS; k = k + 1) bias[k] = $signed($random(s)) >>> (32 - BIAS_W);
    fd = $fopen(WFILE, "w");
    for (ob = 0; ob < OBG; ob = ob + 1) for (ib = 0; ib < NB; ib = ib + 1) begin
        wword = 0;
        for (o = 0; o < PO; o = o + 1) for (i = 0; i < PI; i = i + 1)
            wword[(o * PI + i) * WGT_W +: WGT_W] = wgt[(ob * PO + o) * N + ib * PI + i];
        $fdisplay(fd, "%h", wword);
    end
    $fclose(fd);
    fd = $fopen(BFILE, "w");
    for (ob = 0; ob < OBG; ob = ob + 1) begin
        bword = 0;
        for (o = 0; o < PO; o = o + 1) bword[o * BIAS_W +: BIAS_W] = bias[ob * PO + o];
        $fdisplay(fd, "%h", bword);
    end
    $fclose(fd);
    $readmemh(WFILE, dut.u_wrom.mem);
    if (HAS_BIAS) $readmemh(BFILE, dut.g_bias.u_brom.mem);
    k = 0;
    for (n = 0; n < FRAMES; n = n + 1) for (j = 0; j < N; j = j + PI) begin
        for (i = 0; i < PI; i = i + 1) iw[i * DATA_W +: DATA_W] = x_in[n * N + j + i];
        src_data[k] = iw; src_last[k] = (j + PI == N); k = k + 1;
    end
    n_src = k;
    k = 0; nsat = 0; nzero = 0;
    for (n = 0; n < FRAMES; n = n + 1) for (u = 0; u < UNITS; u = u + 1) begin
        acc = 0;
        for (j = 0; j < N; j = j + 1) acc = acc + x_in[n * N + j] * wgt[u * N + j];
        q = requant(acc, bias[u]);
        if (q == 0) nzero = nzero + 1;
        if (q == (128'sd1 <<< (OUT_W - 1)) - 1 || q == -(128'sd1 <<< (OUT_W - 1))) nsat = nsat + 1;
        ow[(u % PO) * OUT_W +: OUT_W] = q;
        if (u % PO == PO - 1) begin
            exp_data[k] = ow; exp_last[k] = (u == UNITS - 1); k = k + 1;
        end
    end
    n_exp = k;
    if (nsat * 2 > n_exp * PO || nzero * 10 > n_exp * PO * 9) begin
        errors = errors + 1;
        $display("WEAK TEST: %0d saturated, %0d zero of %0d", nsat, nzero, n_exp * PO);
    end
    repeat (3) @(posedge clk);
    rst <= 0; go <= 1;
    finish_bench("tb_fc", 100 * (NIN + NOUT * NB) + 2000);
end

// throughput: cycles per frame within 3% of max(UNITS/PO*N/PI, N/PI)
initial begin
    if (MEASURE) begin
        wait (ntl == FRAMES);
        fc = (tl[FRAMES-1] - tl[0]) / (FRAMES - 1);
        bound = OBG * NB;
        $display("THROUGHPUT frame_cycles=%0d compute=%0d input=%0d first_out=%0d", fc, OBG * NB, NB, first_out);
        if (fc * 100 > bound * 103 + 100) begin
            errors = errors + 1;
            $display("SLOW: %0d cycles per frame, bound %0d", fc, bound);
        end
    end
end
endmodule
