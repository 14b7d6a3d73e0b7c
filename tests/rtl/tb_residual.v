// tb_residual: fork -> (conv 3x3 same-shape branch | nn_fifo shortcut) -> add, against a model; checks the documented
// shortcut FIFO depth avoids deadlock and keeps the conv at full rate.
`timescale 1ns / 1ps
module tb_residual;
parameter C = 4;
parameter H = 6;
parameter W = 6;
parameter K = 3;
parameter LANES = 2;
parameter FRAMES = 4;
parameter GAP = 20;
parameter STALL = 20;
parameter SEED = 1;
parameter MEASURE = 0;
localparam P = (K - 1) / 2;
localparam CB = C / LANES;
// shortcut depth: beats the conv consumes before its first output beat, plus pipeline slack (templates/README.md)
parameter DEPTH = ((K - 1 - P) * W + (K - P)) * CB + 16;
localparam DATA_W = 8, WGT_W = 8, OUT_W = 8, ACC_W = 8 + 8 + 7;
localparam SHIFT_C = 10, SHIFT = 1;
localparam IN_BITS = LANES * DATA_W, OUT_BITS = LANES * OUT_W;
localparam NB = FRAMES * H * W * CB;
localparam MAXB = NB;
`include "tb_stream.vh"

wire [IN_BITS-1:0] f0_data, f1_data, c_data, q_data;
wire f0_valid, f0_ready, f0_last, f1_valid, f1_ready, f1_last, c_valid, c_ready, c_last, q_valid, q_ready, q_last;
nn_fork #(.DATA_W(IN_BITS)) u_fork (.clk(clk), .rst(rst),
    .s_axis_tdata(s_tdata), .s_axis_tvalid(s_tvalid), .s_axis_tready(s_tready), .s_axis_tlast(s_tlast),
    .m0_axis_tdata(f0_data), .m0_axis_tvalid(f0_valid), .m0_axis_tready(f0_ready), .m0_axis_tlast(f0_last),
    .m1_axis_tdata(f1_data), .m1_axis_tvalid(f1_valid), .m1_axis_tready(f1_ready), .m1_axis_tlast(f1_last));
nn_conv #(.C(C), .H(H), .W(W), .F(C), .KH(K), .KW(K), .PH(P), .PW(P), .PI(LANES), .PO(LANES),
    .DATA_W(DATA_W), .WGT_W(WGT_W), .ACC_W(ACC_W), .HAS_BIAS(0), .SHIFT(SHIFT_C), .OUT_W(OUT_W), .ACT(0)) u_conv (
    .clk(clk), .rst(rst),
    .s_axis_tdata(f0_data), .s_axis_tvalid(f0_valid), .s_axis_tready(f0_ready), .s_axis_tlast(f0_last),
    .m_axis_tdata(c_data), .m_axis_tvalid(c_valid), .m_axis_tready(c_ready), .m_axis_tlast(c_last));
nn_fifo #(.DATA_W(IN_BITS), .DEPTH(DEPTH)) u_fifo (.clk(clk), .rst(rst),
    .s_axis_tdata(f1_data), .s_axis_tvalid(f1_valid), .s_axis_tready(f1_ready), .s_axis_tlast(f1_last),
    .m_axis_tdata(q_data), .m_axis_tvalid(q_valid), .m_axis_tready(q_ready), .m_axis_tlast(q_last));
nn_add #(.LANES(LANES), .A_W(OUT_W), .B_W(DATA_W), .SHIFT_A(0), .SHIFT_B(0), .SHIFT(SHIFT), .ROUND(1),
    .OUT_W(OUT_W), .ACT(1)) u_add (.clk(clk), .rst(rst),
    .s_a_axis_tdata(c_data), .s_a_axis_tvalid(c_valid), .s_a_axis_tready(c_ready), .s_a_axis_tlast(c_last),
    .s_b_axis_tdata(q_data), .s_b_axis_tvalid(q_valid), .s_b_axis_tready(q_ready), .s_b_axis_tlast(q_last),
    .m_axis_tdata(m_tdata), .m_axis_tvalid(m_tvalid), .m_axis_tready(m_tready), .m_axis_tlast(m_tlast));

function automatic signed [127:0] rq(input signed [127:0] v, input integer shift, input integer act);
    reg signed [127:0] y;
    begin
        y = (v + (128'sd1 <<< (shift - 1))) >>> shift;
        if (y > 127) y = 127;
        if (y < -128) y = -128;
        if (act >= 1 && y < 0) y = 0;
        rq = y;
    end
endfunction

integer x_in [0:FRAMES*C*H*W-1];
integer wc [0:C*C*K*K-1];
integer s, n, y, x, c, f, ky, kx, yy, xx, k, o, i, g, ntl, fc;
integer tl [0:FRAMES-1];
reg signed [127:0] acc, cv;
reg [LANES*LANES*K*K*WGT_W-1:0] ww;
reg [IN_BITS-1:0] iw;
always @(posedge clk) if (m_tvalid && m_tready && m_tlast && ntl < FRAMES) begin tl[ntl] = cycles; ntl = ntl + 1; end
initial begin
    s = SEED; ntl = 0;
    for (k = 0; k < FRAMES*C*H*W; k = k + 1) x_in[k] = $signed($random(s)) >>> 24;
    for (k = 0; k < C*C*K*K; k = k + 1) wc[k] = $signed($random(s)) >>> 24;
    for (o = 0; o < C / LANES; o = o + 1) for (i = 0; i < CB; i = i + 1) begin
        ww = 0;
        for (f = 0; f < LANES; f = f + 1) for (c = 0; c < LANES; c = c + 1)
            for (ky = 0; ky < K; ky = ky + 1) for (kx = 0; kx < K; kx = kx + 1)
                ww[(((f * LANES + c) * K + ky) * K + kx) * WGT_W +: WGT_W] =
                    wc[(((o * LANES + f) * C + i * LANES + c) * K + ky) * K + kx];
        u_conv.u_wrom.mem[o * CB + i] = ww;
    end
    k = 0;
    for (n = 0; n < FRAMES; n = n + 1) for (y = 0; y < H; y = y + 1) for (x = 0; x < W; x = x + 1)
        for (c = 0; c < C; c = c + LANES) begin
            for (i = 0; i < LANES; i = i + 1) iw[i*DATA_W +: DATA_W] = x_in[((n*H + y)*W + x)*C + c + i];
            src_data[k] = iw; src_last[k] = (y == H-1) && (x == W-1) && (c + LANES == C);
            k = k + 1;
        end
    n_src = k;
    k = 0;
    for (n = 0; n < FRAMES; n = n + 1) for (y = 0; y < H; y = y + 1) for (x = 0; x < W; x = x + 1)
        for (f = 0; f < C; f = f + 1) begin
            acc = 0;
            for (c = 0; c < C; c = c + 1) for (ky = 0; ky < K; ky = ky + 1) for (kx = 0; kx < K; kx = kx + 1) begin
                yy = y - P + ky; xx = x - P + kx;
                if (yy >= 0 && yy < H && xx >= 0 && xx < W)
                    acc = acc + x_in[((n*H + yy)*W + xx)*C + c] * wc[((f*C + c)*K + ky)*K + kx];
            end
            cv = rq(acc, SHIFT_C, 0);
            iw[(f % LANES)*OUT_W +: OUT_W] = rq(cv + x_in[((n*H + y)*W + x)*C + f], SHIFT, 1);
            if (f % LANES == LANES - 1) begin
                exp_data[k] = iw; exp_last[k] = (y == H-1) && (x == W-1) && (f == C-1); k = k + 1;
            end
        end
    n_exp = k;
    repeat (3) @(posedge clk);
    rst <= 0; go <= 1;
    finish_bench("tb_residual", 100 * NB + 2000);
end
initial begin
    if (MEASURE) begin
        wait (ntl == FRAMES);
        fc = (tl[FRAMES-1] - tl[0]) / (FRAMES - 1);
        $display("THROUGHPUT frame_cycles=%0d conv_bound=%0d depth=%0d", fc, H * W * CB * CB, DEPTH);
        if (fc * 100 > H * W * CB * CB * 103 + 100) begin
            errors = errors + 1;
            $display("SLOW");
        end
    end
end
endmodule
