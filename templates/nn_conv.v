// nn_conv: layer-parallel convolution engine (line buffer, PIxPO KHxKW MAC lanes, adder trees, accumulators, requantizer).
`resetall
`timescale 1ns / 1ps
`default_nettype none

/*
 * Stream in : LANES = PI elements of DATA_W bits per beat, HWC order, C/PI
 *             beats per pixel, H*W*C/PI beats per frame (tlast ignored).
 * Stream out: LANES = PO elements of OUT_W bits per beat, HWC order, F/PO
 *             beats per output pixel, HO*WO*F/PO beats per frame, tlast on
 *             the last beat of each frame.
 * Schedule per output pixel: for g < GROUPS, ob < F/GROUPS/PO, ib < CBG =
 * C/GROUPS/PI: one cycle of PI*PO*KH*KW multiplies. After the last ib the
 * PO sums go through the requantizer as one output beat for channels
 * g*F/GROUPS + ob*PO + (0..PO-1).
 * Steady state: HO*WO*GROUPS*(F/GROUPS/PO)*CBG cycles per frame when the
 * input keeps up (the writer takes one beat per cycle) and the output is
 * not stalled; latency issue->output = 8 + clog2(PI*KH*KW) cycles.
 *
 * WEIGHT_FILE ($readmemh): GROUPS*(F/GROUPS/PO)*CBG words, word address
 * (g*(F/GROUPS/PO) + ob)*CBG + ib, each PO*PI*KH*KW weights of WGT_W bits:
 * element ((o*PI + i)*KH + ky)*KW + kx at bits [e*WGT_W +: WGT_W] (element 0
 * in the least significant bits) = weight[f][ci][ky][kx] (PyTorch layout)
 * with f = g*(F/GROUPS) + ob*PO + o, ci = ib*PI + i (channel within the group).
 * BIAS_FILE: GROUPS*(F/GROUPS/PO) words, word g*(F/GROUPS/PO) + ob holds PO
 * biases of BIAS_W bits, element o = bias[g*(F/GROUPS) + ob*PO + o].
 */
module nn_conv #(
    // input channels, height, width
    parameter C = 4,
    parameter H = 8,
    parameter W = 8,
    // output channels (filters)
    parameter F = 4,
    // kernel height, width
    parameter KH = 3,
    parameter KW = 3,
    // stride vertical, horizontal
    parameter SH = 1,
    parameter SW = 1,
    // zero padding top/bottom, left/right
    parameter PH = 0,
    parameter PW = 0,
    // groups (C and F divisible by it)
    parameter GROUPS = 1,
    // input channels per cycle (divides C/GROUPS) = input lanes
    parameter PI = 1,
    // output channels per cycle (divides F/GROUPS) = output lanes
    parameter PO = 1,
    // input element width
    parameter DATA_W = 8,
    // weight width
    parameter WGT_W = 8,
    // accumulator width (exact for the layer, given by the compiler)
    parameter ACC_W = 24,
    // 1: bias present
    parameter HAS_BIAS = 1,
    // bias width
    parameter BIAS_W = 16,
    // bias shift Facc - Fb
    parameter BIAS_SHIFT = 0,
    // data shift Facc - Fo (negative: left shift)
    parameter SHIFT = 7,
    // 1: round to nearest, 0: floor
    parameter ROUND = 1,
    // output width
    parameter OUT_W = 8,
    // 0 none, 1 relu, 2 relu6
    parameter ACT = 0,
    // relu6 cap sat(floor(6*2^Fo))
    parameter RELU6_MAX = 96,
    // weight ROM image
    parameter WEIGHT_FILE = "",
    // bias ROM image
    parameter BIAS_FILE = ""
) (
    input  wire                   clk,
    input  wire                   rst,

    input  wire [PI*DATA_W-1:0]   s_axis_tdata,
    input  wire                   s_axis_tvalid,
    output wire                   s_axis_tready,
    input  wire                   s_axis_tlast,

    output wire [PO*OUT_W-1:0]    m_axis_tdata,
    output wire                   m_axis_tvalid,
    input  wire                   m_axis_tready,
    output wire                   m_axis_tlast
);

localparam CBG   = C / GROUPS / PI;
localparam OBG   = F / GROUPS / PO;
localparam NW    = GROUPS * OBG * CBG;
localparam NB    = GROUPS * OBG;
localparam TAPS  = PI * KH * KW;
localparam PROD_W = DATA_W + WGT_W;
localparam TREE_L = (TAPS > 1) ? $clog2(TAPS) : 0;
localparam TREE_W = PROD_W + TREE_L;
localparam SUM_W  = ((TREE_W > ACC_W) ? TREE_W : ACC_W) + 1;
localparam STEP_W = ((C / PI) * OBG > 1) ? $clog2((C / PI) * OBG) : 1;
localparam OBLK_W = (NB > 1) ? $clog2(NB) : 1;
localparam WWORD  = PO * TAPS * WGT_W;
// cycles from the X stage to the accumulator input: product + tree
localparam DLY = 1 + TREE_L;

initial begin
    if (GROUPS < 1 || C % GROUPS != 0 || F % GROUPS != 0 || PI < 1 || PO < 1 ||
        (C / GROUPS) % PI != 0 || (F / GROUPS) % PO != 0) begin
        $error("Error: need PI | C/GROUPS and PO | F/GROUPS (instance %m)");
        $finish;
    end
    if (ACC_W < 2 || ACC_W > 64) begin
        $error("Error: ACC_W must be 2..64 (instance %m)");
        $finish;
    end
end

wire ce;

// ------------------------------------------------------------------ line buffer
wire                          lb_m_valid;
wire [STEP_W-1:0]             lb_m_step;
wire                          x_valid, x_first, x_last, x_fend;
wire [KH*KW*PI*DATA_W-1:0]    x_window;
wire [OBLK_W-1:0]             x_oblk;

nn_linebuf #(
    .C(C), .H(H), .W(W), .LANES(PI), .DATA_W(DATA_W), .KH(KH), .KW(KW), .SH(SH), .SW(SW),
    .PH(PH), .PW(PW), .GROUPS(GROUPS), .REPEAT(OBG), .PAD_VALUE({DATA_W{1'b0}}),
    .STEP_W(STEP_W), .OBLK_W(OBLK_W)
) u_lb (
    .clk(clk), .rst(rst), .ce(ce),
    .s_axis_tdata(s_axis_tdata), .s_axis_tvalid(s_axis_tvalid), .s_axis_tready(s_axis_tready),
    .s_axis_tlast(s_axis_tlast),
    .m_valid(lb_m_valid), .m_step(lb_m_step),
    .x_valid(x_valid), .x_window(x_window), .x_first(x_first), .x_last(x_last),
    .x_frame_end(x_fend), .x_oblk(x_oblk)
);

// weight ROM read with the M-stage step: data lines up with the X stage
wire [WWORD-1:0] x_wgt;
nn_rom #(.DEPTH(NW), .WIDTH(WWORD), .INIT_FILE(WEIGHT_FILE)) u_wrom (
    .clk(clk), .en(ce), .addr(lb_m_step[((NW > 1) ? $clog2(NW) : 1)-1:0]), .data(x_wgt)
);

// ------------------------------------------------------------------ products (P stage)
reg [PO*TAPS*PROD_W-1:0] p_reg;
genvar o, t;
generate
for (o = 0; o < PO; o = o + 1) begin : g_po
    for (t = 0; t < TAPS; t = t + 1) begin : g_tap
        // tap t = (i*KH + ky)*KW + kx
        localparam I  = t / (KH * KW);
        localparam KY = (t / KW) % KH;
        localparam KX = t % KW;
        wire signed [DATA_W-1:0] a = x_window[((KY*KW + KX)*PI + I)*DATA_W +: DATA_W];
        wire signed [WGT_W-1:0]  b = x_wgt[(o*TAPS + t)*WGT_W +: WGT_W];
        wire signed [PROD_W-1:0] p = a * b;
        always @(posedge clk) begin
            if (ce) begin
                p_reg[(o*TAPS + t)*PROD_W +: PROD_W] <= p;
            end
        end
    end
end
endgenerate

// control delayed alongside the products and the tree
reg [DLY-1:0] d_valid_reg, d_first_reg, d_last_reg, d_fend_reg;
reg [DLY*OBLK_W-1:0] d_oblk_reg;
// stage k of the delay line sits at bit k; stage 0 loads from the X stage
wire [DLY-1:0] d_valid_in, d_first_in, d_last_in, d_fend_in;
wire [DLY*OBLK_W-1:0] d_oblk_in;
generate
if (DLY > 1) begin : g_dl
    assign d_valid_in = {d_valid_reg[DLY-2:0], x_valid};
    assign d_first_in = {d_first_reg[DLY-2:0], x_first};
    assign d_last_in  = {d_last_reg[DLY-2:0], x_last};
    assign d_fend_in  = {d_fend_reg[DLY-2:0], x_fend};
    assign d_oblk_in  = {d_oblk_reg[(DLY-1)*OBLK_W-1:0], x_oblk};
end else begin : g_d1
    assign d_valid_in = x_valid;
    assign d_first_in = x_first;
    assign d_last_in  = x_last;
    assign d_fend_in  = x_fend;
    assign d_oblk_in  = x_oblk;
end
endgenerate
always @(posedge clk) begin
    if (ce) begin
        d_valid_reg <= d_valid_in;
        d_first_reg <= d_first_in;
        d_last_reg  <= d_last_in;
        d_fend_reg  <= d_fend_in;
        d_oblk_reg  <= d_oblk_in;
    end
    if (rst) begin
        d_valid_reg <= {DLY{1'b0}};
    end
end
wire t_valid = d_valid_reg[DLY-1];
wire t_first = d_first_reg[DLY-1];
wire t_last  = d_last_reg[DLY-1];
wire t_fend  = d_fend_reg[DLY-1];
wire [OBLK_W-1:0] t_oblk = d_oblk_reg[(DLY-1)*OBLK_W +: OBLK_W];

// ------------------------------------------------------------------ adder trees and accumulators
reg  [PO*ACC_W-1:0] acc_reg;
reg                 acc_valid_reg, acc_fend_reg;
wire [PO*BIAS_W-1:0] acc_bias;

generate
for (o = 0; o < PO; o = o + 1) begin : g_acc
    wire [TREE_W-1:0] tsum;
    nn_addtree #(.N(TAPS), .IN_W(PROD_W)) u_tree (
        .clk(clk), .ce(ce), .in_data(p_reg[o*TAPS*PROD_W +: TAPS*PROD_W]), .out_data(tsum)
    );
    wire signed [SUM_W-1:0] ts = {{(SUM_W-TREE_W){tsum[TREE_W-1]}}, tsum};
    wire [ACC_W-1:0] prev = acc_reg[o*ACC_W +: ACC_W];
    wire signed [SUM_W-1:0] as = t_first ? {SUM_W{1'b0}} : {{(SUM_W-ACC_W){prev[ACC_W-1]}}, prev};
    /* verilator lint_off UNUSEDSIGNAL */
    wire signed [SUM_W-1:0] nsum = as + ts;
    /* verilator lint_on UNUSEDSIGNAL */
    always @(posedge clk) begin
        if (ce && t_valid) begin
            acc_reg[o*ACC_W +: ACC_W] <= nsum[ACC_W-1:0];
        end
    end
end
endgenerate

always @(posedge clk) begin
    if (ce) begin
        acc_valid_reg <= t_valid && t_last;
        acc_fend_reg  <= t_fend;
    end
    if (rst) begin
        acc_valid_reg <= 1'b0;
    end
end

generate
if (HAS_BIAS != 0) begin : g_bias
    nn_rom #(.DEPTH(NB), .WIDTH(PO*BIAS_W), .INIT_FILE(BIAS_FILE)) u_brom (
        .clk(clk), .en(ce), .addr(t_oblk), .data(acc_bias)
    );
end else begin : g_nobias
    assign acc_bias = {PO*BIAS_W{1'b0}};
    wire unused_oblk = ^t_oblk;
end
endgenerate

// ------------------------------------------------------------------ requantizer and output register slice
wire              rq_valid, rq_last;
wire [PO*OUT_W-1:0] rq_data;

nn_requant #(
    .LANES(PO), .ACC_W(ACC_W), .HAS_BIAS(HAS_BIAS), .BIAS_W(BIAS_W), .BIAS_SHIFT(BIAS_SHIFT),
    .SHIFT(SHIFT), .ROUND(ROUND), .OUT_W(OUT_W), .ACT(ACT), .RELU6_MAX(RELU6_MAX)
) u_rq (
    .clk(clk), .rst(rst), .ce(ce),
    .in_valid(acc_valid_reg), .in_last(acc_fend_reg), .in_acc(acc_reg), .in_bias(acc_bias),
    .out_valid(rq_valid), .out_last(rq_last), .out_data(rq_data)
);

nn_skid #(.DATA_W(PO*OUT_W)) u_out (
    .clk(clk), .rst(rst),
    .s_axis_tdata(rq_data), .s_axis_tvalid(rq_valid), .s_axis_tready(ce), .s_axis_tlast(rq_last),
    .m_axis_tdata(m_axis_tdata), .m_axis_tvalid(m_axis_tvalid), .m_axis_tready(m_axis_tready),
    .m_axis_tlast(m_axis_tlast)
);

wire unused_m_valid = lb_m_valid;

endmodule

`resetall
