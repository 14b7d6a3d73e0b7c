// tb_chain: conv -> maxpool -> resize -> fc streamed back to back with random gaps/backpressure, against a layer-by-layer model.
// Checks that the engines compose: lanes, HWC order, frame counting and tlast across modules.
`timescale 1ns / 1ps
module tb_chain;
parameter FRAMES = 8;
parameter GAP = 20;
parameter STALL = 20;
parameter SEED = 1;
// conv c1: 2x8x8 -> 4x8x8, k3 p1, relu; PI=1, PO=2
localparam C = 2, H = 8, W = 8, F = 4, PI = 1, PO = 2;
localparam DATA_W = 8, WGT_W = 8, BIAS_W = 12, BIAS_SHIFT = 3, OUT_W = 8;
localparam ACC_C = DATA_W + WGT_W + 6;
localparam SHIFT_C = 9;
// maxpool p1: 4x8x8 -> 4x4x4, LANES = PO = 2; resize 2 -> 4; fc f1: 64 -> 6, PI=4, PO=3
localparam N = 64, UNITS = 6, FPI = 4, FPO = 3;
localparam ACC_F = DATA_W + WGT_W + 8;
localparam SHIFT_F = 9;
localparam IN_BITS = PI * DATA_W, OUT_BITS = FPO * OUT_W;
localparam NIN = FRAMES * H * W * C / PI, NOUT = FRAMES * UNITS / FPO;
localparam MAXB = NIN;
`include "tb_stream.vh"

wire [PO*OUT_W-1:0] c_data;  wire c_valid, c_ready, c_last;
wire [PO*OUT_W-1:0] p_data;  wire p_valid, p_ready, p_last;
wire [FPI*OUT_W-1:0] r_data; wire r_valid, r_ready, r_last;

nn_conv #(.C(C), .H(H), .W(W), .F(F), .KH(3), .KW(3), .PH(1), .PW(1), .PI(PI), .PO(PO),
    .DATA_W(DATA_W), .WGT_W(WGT_W), .ACC_W(ACC_C), .HAS_BIAS(1), .BIAS_W(BIAS_W), .BIAS_SHIFT(BIAS_SHIFT),
    .SHIFT(SHIFT_C), .ROUND(1), .OUT_W(OUT_W), .ACT(1)) u_c1 (.clk(clk), .rst(rst),
    .s_axis_tdata(s_tdata), .s_axis_tvalid(s_tvalid), .s_axis_tready(s_tready), .s_axis_tlast(s_tlast),
    .m_axis_tdata(c_data), .m_axis_tvalid(c_valid), .m_axis_tready(c_ready), .m_axis_tlast(c_last));
nn_maxpool #(.C(F), .H(H), .W(W), .LANES(PO), .DATA_W(OUT_W), .KH(2), .KW(2), .SH(2), .SW(2)) u_p1 (
    .clk(clk), .rst(rst),
    .s_axis_tdata(c_data), .s_axis_tvalid(c_valid), .s_axis_tready(c_ready), .s_axis_tlast(c_last),
    .m_axis_tdata(p_data), .m_axis_tvalid(p_valid), .m_axis_tready(p_ready), .m_axis_tlast(p_last));
nn_resize #(.IN_LANES(PO), .OUT_LANES(FPI), .DATA_W(OUT_W)) u_r1 (.clk(clk), .rst(rst),
    .s_axis_tdata(p_data), .s_axis_tvalid(p_valid), .s_axis_tready(p_ready), .s_axis_tlast(p_last),
    .m_axis_tdata(r_data), .m_axis_tvalid(r_valid), .m_axis_tready(r_ready), .m_axis_tlast(r_last));
nn_fc #(.N(N), .UNITS(UNITS), .PI(FPI), .PO(FPO), .DATA_W(OUT_W), .WGT_W(WGT_W), .ACC_W(ACC_F),
    .HAS_BIAS(1), .BIAS_W(BIAS_W), .BIAS_SHIFT(BIAS_SHIFT), .SHIFT(SHIFT_F), .ROUND(0), .OUT_W(OUT_W), .ACT(0)) u_f1 (
    .clk(clk), .rst(rst),
    .s_axis_tdata(r_data), .s_axis_tvalid(r_valid), .s_axis_tready(r_ready), .s_axis_tlast(r_last),
    .m_axis_tdata(m_tdata), .m_axis_tvalid(m_tvalid), .m_axis_tready(m_tready), .m_axis_tlast(m_tlast));

function automatic signed [127:0] rq(input signed [127:0] acc, input signed [127:0] bias, input integer shift,
                                     input integer rnd, input integer act);
    reg signed [127:0] v, y, mx, mn;
    begin
        v = acc + bias * (128'sd1 <<< BIAS_SHIFT);
        if (rnd) y = (v + (128'sd1 <<< (shift - 1))) >>> shift; else y = v >>> shift;
        mx = (128'sd1 <<< (OUT_W - 1)) - 1;
        mn = -(128'sd1 <<< (OUT_W - 1));
        if (y > mx) y = mx;
        if (y < mn) y = mn;
        if (act >= 1 && y < 0) y = 0;
        rq = y;
    end
endfunction

integer x_in [0:FRAMES*C*H*W-1];
integer wc [0:F*C*9-1];
integer bc [0:F-1];
integer wf [0:UNITS*N-1];      // [unit][stream-order input]
integer bf [0:UNITS-1];
integer a1 [0:H*W*F-1];        // conv output of one frame, HWC
integer a2 [0:N-1];            // pool output, HWC = stream order
integer s, n, y, x, c, f, ky, kx, yy, xx, k, o, i, u, fd, m, v, nzero, nsat;
reg signed [127:0] q;
reg signed [127:0] acc;
reg [3*3*WGT_W*PO-1:0] cw;
reg [FPO*FPI*WGT_W-1:0] fw;
reg [PO*BIAS_W-1:0] cb;
reg [FPO*BIAS_W-1:0] fb;
reg [OUT_BITS-1:0] ow;
initial begin
    s = SEED; nzero = 0; nsat = 0;
    for (k = 0; k < FRAMES*C*H*W; k = k + 1) x_in[k] = $signed($random(s)) >>> 24;
    for (k = 0; k < F*C*9; k = k + 1) wc[k] = $signed($random(s)) >>> 24;
    for (k = 0; k < F; k = k + 1) bc[k] = $signed($random(s)) >>> 22;
    for (k = 0; k < UNITS*N; k = k + 1) wf[k] = $signed($random(s)) >>> 24;
    for (k = 0; k < UNITS; k = k + 1) bf[k] = $signed($random(s)) >>> 22;
    // conv ROM: word (ob*CBG + ib), CBG = C/PI = 2, OBG = F/PO = 2; element ((o*PI+i)*3+ky)*3+kx
    for (o = 0; o < F / PO; o = o + 1) for (i = 0; i < C; i = i + 1) begin
        cw = 0;
        for (m = 0; m < PO; m = m + 1) for (ky = 0; ky < 3; ky = ky + 1) for (kx = 0; kx < 3; kx = kx + 1)
            cw[((m * 3 + ky) * 3 + kx) * WGT_W +: WGT_W] = wc[(((o * PO + m) * C + i) * 3 + ky) * 3 + kx];
        u_c1.u_wrom.mem[o * C + i] = cw;
    end
    for (o = 0; o < F / PO; o = o + 1) begin
        cb = 0;
        for (m = 0; m < PO; m = m + 1) cb[m * BIAS_W +: BIAS_W] = bc[o * PO + m];
        u_c1.g_bias.u_brom.mem[o] = cb;
    end
    for (o = 0; o < UNITS / FPO; o = o + 1) for (i = 0; i < N / FPI; i = i + 1) begin
        fw = 0;
        for (m = 0; m < FPO; m = m + 1) for (k = 0; k < FPI; k = k + 1)
            fw[(m * FPI + k) * WGT_W +: WGT_W] = wf[(o * FPO + m) * N + i * FPI + k];
        u_f1.u_wrom.mem[o * (N / FPI) + i] = fw;
    end
    for (o = 0; o < UNITS / FPO; o = o + 1) begin
        fb = 0;
        for (m = 0; m < FPO; m = m + 1) fb[m * BIAS_W +: BIAS_W] = bf[o * FPO + m];
        u_f1.g_bias.u_brom.mem[o] = fb;
    end
    k = 0;
    for (n = 0; n < FRAMES; n = n + 1) for (y = 0; y < H; y = y + 1) for (x = 0; x < W; x = x + 1)
        for (c = 0; c < C; c = c + 1) begin
            src_data[k] = x_in[((n * H + y) * W + x) * C + c];
            src_last[k] = (y == H - 1) && (x == W - 1) && (c == C - 1);
            k = k + 1;
        end
    n_src = k;
    k = 0;
    for (n = 0; n < FRAMES; n = n + 1) begin
        for (y = 0; y < H; y = y + 1) for (x = 0; x < W; x = x + 1) for (f = 0; f < F; f = f + 1) begin
            acc = 0;
            for (c = 0; c < C; c = c + 1) for (ky = 0; ky < 3; ky = ky + 1) for (kx = 0; kx < 3; kx = kx + 1) begin
                yy = y - 1 + ky; xx = x - 1 + kx;
                if (yy >= 0 && yy < H && xx >= 0 && xx < W)
                    acc = acc + x_in[((n * H + yy) * W + xx) * C + c] * wc[((f * C + c) * 3 + ky) * 3 + kx];
            end
            a1[(y * W + x) * F + f] = rq(acc, bc[f], SHIFT_C, 1, 1);
        end
        for (y = 0; y < H / 2; y = y + 1) for (x = 0; x < W / 2; x = x + 1) for (f = 0; f < F; f = f + 1) begin
            m = -128;
            for (ky = 0; ky < 2; ky = ky + 1) for (kx = 0; kx < 2; kx = kx + 1) begin
                v = a1[((2 * y + ky) * W + 2 * x + kx) * F + f];
                if (v > m) m = v;
            end
            a2[(y * (W / 2) + x) * F + f] = m;
            if (m == 0) nzero = nzero + 1;
        end
        for (u = 0; u < UNITS; u = u + 1) begin
            acc = 0;
            for (i = 0; i < N; i = i + 1) acc = acc + a2[i] * wf[u * N + i];
            q = rq(acc, bf[u], SHIFT_F, 0, 0);
            if (q == 127 || q == -128) nsat = nsat + 1;
            ow[(u % FPO) * OUT_W +: OUT_W] = q;
            if (u % FPO == FPO - 1) begin
                exp_data[k] = ow; exp_last[k] = (u == UNITS - 1); k = k + 1;
            end
        end
    end
    n_exp = k;
    if (nzero * 10 > FRAMES * N * 9 || nsat * 2 > FRAMES * UNITS) begin errors = errors + 1; $display("WEAK TEST: %0d zero pool outputs, %0d saturated fc outputs", nzero, nsat); end
    repeat (3) @(posedge clk);
    rst <= 0; go <= 1;
    finish_bench("tb_chain", 200 * NIN + 2000);
end
endmodule
