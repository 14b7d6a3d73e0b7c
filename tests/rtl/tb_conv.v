// tb_conv: nn_conv against a plain convolution + requantization model (docs/DESIGN.md §3), random gaps/backpressure, throughput.
`timescale 1ns / 1ps
module tb_conv;
parameter C = 4;
parameter H = 7;
parameter W = 6;
parameter F = 4;
parameter KH = 3;
parameter KW = 3;
parameter SH = 1;
parameter SW = 1;
parameter PH = 1;
parameter PW = 1;
parameter GROUPS = 1;
parameter PI = 2;
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
parameter FRAMES = 3;
parameter GAP = 20;
parameter STALL = 20;
parameter SEED = 1;
// 1: also measure the steady-state cycles per frame (run with GAP=0 STALL=0)
parameter MEASURE = 0;
parameter WFILE = "tb_conv_w.hex";
parameter BFILE = "tb_conv_b.hex";

localparam CG = C / GROUPS, FG = F / GROUPS;
localparam TAPS_ALL = CG * KH * KW;
localparam ACC_W = DATA_W + WGT_W + $clog2(TAPS_ALL) + 1;
// data shift chosen so outputs use the output range without saturating most of the time
parameter SHIFT = DATA_W + WGT_W - OUT_W + ($clog2(TAPS_ALL) + 1) / 2 - 1;
localparam HO = (H + 2 * PH - KH) / SH + 1;
localparam WO = (W + 2 * PW - KW) / SW + 1;
localparam NIN = FRAMES * H * W * C / PI;
localparam NOUT = FRAMES * HO * WO * F / PO;
localparam IN_BITS = PI * DATA_W, OUT_BITS = PO * OUT_W;
localparam MAXB = (NIN > NOUT) ? NIN : NOUT;
localparam CBG = CG / PI, OBG = FG / PO;
localparam NWW = GROUPS * OBG * CBG;
localparam WWORD = PO * PI * KH * KW * WGT_W;

`include "tb_stream.vh"

nn_conv #(.C(C), .H(H), .W(W), .F(F), .KH(KH), .KW(KW), .SH(SH), .SW(SW), .PH(PH), .PW(PW),
    .GROUPS(GROUPS), .PI(PI), .PO(PO), .DATA_W(DATA_W), .WGT_W(WGT_W), .ACC_W(ACC_W),
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

integer x_in [0:FRAMES*C*H*W-1];          // [n][y][x][c]
integer wgt [0:F*CG*KH*KW-1];             // [f][ci][ky][kx]
integer bias [0:F-1];
integer s, n, y, x, c, f, ky, kx, ci, yy, xx, k, o, i, g, ob, ib, fd, nsat, nzero;
reg signed [127:0] acc, q;
reg [WWORD-1:0] wword;
reg [PO*BIAS_W-1:0] bword;
reg [IN_BITS-1:0] ib_word;
reg [OUT_BITS-1:0] ob_word;
reg [WWORD-1:0] wimg [0:NWW-1];
integer tl [0:FRAMES-1];
integer ntl;

always @(posedge clk) if (m_tvalid && m_tready && m_tlast && ntl < FRAMES) begin tl[ntl] = cycles; ntl = ntl + 1; end

initial begin
    s = SEED; ntl = 0;
    for (k = 0; k < FRAMES*C*H*W; k = k + 1) x_in[k] = $signed($random(s)) >>> (32 - DATA_W);
    for (k = 0; k < F*CG*KH*KW; k = k + 1) wgt[k] = $signed($random(s)) >>> (32 - WGT_W);
    for (k = 0; k < F; k = k + 1) bias[k] = $signed($random(s)) >>> (32 - BIAS_W);
    // weight and bias images in the documented layout
    fd = $fopen(WFILE, "w");
    for (g = 0; g < GROUPS; g = g + 1) for (ob = 0; ob < OBG; ob = ob + 1) for (ib = 0; ib < CBG; ib = ib + 1) begin
        wword = 0;
        for (o = 0; o < PO; o = o + 1) for (i = 0; i < PI; i = i + 1) for (ky = 0; ky < KH; ky = ky + 1) for (kx = 0; kx < KW; kx = kx + 1) begin
            f = g * FG + ob * PO + o;
            ci = ib * PI + i;
            wword[(((o * PI + i) * KH + ky) * KW + kx) * WGT_W +: WGT_W] = wgt[((f * CG + ci) * KH + ky) * KW + kx];
        end
        $fdisplay(fd, "%h", wword);
    end
    $fclose(fd);
    fd = $fopen(BFILE, "w");
    for (g = 0; g < GROUPS; g = g + 1) for (ob = 0; ob < OBG; ob = ob + 1) begin
        bword = 0;
        for (o = 0; o < PO; o = o + 1) bword[o * BIAS_W +: BIAS_W] = bias[g * FG + ob * PO + o];
        $fdisplay(fd, "%h", bword);
    end
    $fclose(fd);
    $readmemh(WFILE, dut.u_wrom.mem);
    // source beats: HWC, PI channels per beat
    k = 0;
    for (n = 0; n < FRAMES; n = n + 1) for (y = 0; y < H; y = y + 1) for (x = 0; x < W; x = x + 1)
        for (c = 0; c < C; c = c + PI) begin
            for (i = 0; i < PI; i = i + 1) ib_word[i * DATA_W +: DATA_W] = x_in[((n * H + y) * W + x) * C + c + i];
            src_data[k] = ib_word;
            src_last[k] = (y == H - 1) && (x == W - 1) && (c + PI == C);
            k = k + 1;
        end
    n_src = k;
    // expected: plain convolution
    k = 0; nsat = 0; nzero = 0;
    for (n = 0; n < FRAMES; n = n + 1) for (y = 0; y < HO; y = y + 1) for (x = 0; x < WO; x = x + 1)
        for (f = 0; f < F; f = f + 1) begin
            g = f / FG;
            acc = 0;
            for (ci = 0; ci < CG; ci = ci + 1) for (ky = 0; ky < KH; ky = ky + 1) for (kx = 0; kx < KW; kx = kx + 1) begin
                yy = y * SH - PH + ky;
                xx = x * SW - PW + kx;
                if (yy >= 0 && yy < H && xx >= 0 && xx < W)
                    acc = acc + x_in[((n * H + yy) * W + xx) * C + g * CG + ci] * wgt[((f * CG + ci) * KH + ky) * KW + kx];
            end
            q = requant(acc, bias[f]);
            if (q == 0) nzero = nzero + 1;
            if (q == (128'sd1 <<< (OUT_W - 1)) - 1 || q == -(128'sd1 <<< (OUT_W - 1))) nsat = nsat + 1;
            ob_word[(f % PO) * OUT_W +: OUT_W] = q;
            if (f % PO == PO - 1) begin
                exp_data[k] = ob_word;
                exp_last[k] = (y == HO - 1) && (x == WO - 1) && (f == F - 1);
                k = k + 1;
            end
        end
    n_exp = k;
    if (HAS_BIAS) $readmemh(BFILE, dut.g_bias.u_brom.mem);
    if (nsat * 2 > n_exp * PO || nzero * 10 > n_exp * PO * 9) begin
        errors = errors + 1;
        $display("WEAK TEST: %0d saturated, %0d zero of %0d", nsat, nzero, n_exp * PO);
    end
    repeat (3) @(posedge clk);
    rst <= 0; go <= 1;
    finish_bench("tb_conv", 100 * (NIN + NOUT * CBG) + 2000);
end

// throughput: cycles between the last beats of consecutive frames must be within 3% of
// max(HO*WO*GROUPS*OBG*CBG, H*W*C/PI) (compute bound, input bound at one beat per cycle)
integer fc, bound;
initial begin
    if (MEASURE) begin
        wait (ntl == FRAMES);
        fc = (tl[FRAMES-1] - tl[0]) / (FRAMES - 1);
        bound = HO * WO * GROUPS * OBG * CBG;
        if (H * W * C / PI > bound) bound = H * W * C / PI;
        $display("THROUGHPUT frame_cycles=%0d compute=%0d input=%0d first_out=%0d",
            fc, HO * WO * GROUPS * OBG * CBG, H * W * C / PI, first_out);
        if (fc * 100 > bound * 103 + 100) begin
            errors = errors + 1;
            $display("SLOW: %0d cycles per frame, bound %0d", fc, bound);
        end
    end
end
endmodule
