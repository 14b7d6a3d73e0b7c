// nn_requant: requantizer (bias add with bias shift, data shift with round/floor, saturation, activation), LANES wide, latency 3.
`resetall
`timescale 1ns / 1ps
`default_nettype none

/*
 * Per lane, exactly as docs/DESIGN.md §3:
 *   v = acc + (HAS_BIAS ? bias * 2^BIAS_SHIFT : 0)         (exact)
 *   s = SHIFT
 *   s > 0, ROUND=1: y = (v + 2^(s-1)) >>> s
 *   s > 0, ROUND=0: y = v >>> s
 *   s <= 0        : y = v * 2^(-s)                           (exact, no wrap)
 *   y = sat_OUT_W(y); ACT=1: y = max(y,0); ACT=2: y = min(max(y,0), RELU6_MAX)
 * Every intermediate is wide enough that nothing wraps before saturation.
 * Pipeline: 3 register stages, all advancing when ce is high (a beat entering
 * with in_valid on a ce cycle leaves 3 ce cycles later on out_valid).
 */
module nn_requant #(
    // parallel lanes
    parameter LANES = 1,
    // accumulator width (signed)
    parameter ACC_W = 32,
    // 1: add a bias, 0: no bias (in_bias ignored)
    parameter HAS_BIAS = 1,
    // bias width (signed)
    parameter BIAS_W = 16,
    // bias shift Facc - Fb >= 0
    parameter BIAS_SHIFT = 0,
    // data shift s = Facc - Fo, may be negative (left shift)
    parameter SHIFT = 0,
    // 1: round to nearest (half up), 0: floor
    parameter ROUND = 1,
    // output width (signed), 2..32
    parameter OUT_W = 8,
    // activation: 0 none, 1 relu, 2 relu6
    parameter ACT = 0,
    // relu6 cap sat_OUT_W(floor(6*2^Fo)), used when ACT=2
    parameter RELU6_MAX = 96
) (
    input  wire                   clk,
    input  wire                   rst,
    // pipeline advance enable
    input  wire                   ce,

    input  wire                   in_valid,
    input  wire                   in_last,
    input  wire [LANES*ACC_W-1:0] in_acc,
    input  wire [LANES*BIAS_W-1:0] in_bias,

    output wire                   out_valid,
    output wire                   out_last,
    output wire [LANES*OUT_W-1:0] out_data
);

localparam LSH  = (SHIFT < 0) ? -SHIFT : 0;
localparam RSH  = (SHIFT > 0) ? SHIFT : 0;
localparam BS_W = BIAS_W + BIAS_SHIFT;
localparam SUM_W = ((ACC_W > BS_W) ? ACC_W : BS_W) + 1;
localparam T_W0 = (SUM_W + LSH > RSH + 1) ? SUM_W + LSH : RSH + 1;
localparam T_W  = T_W0 + 1;
localparam C_W  = ((T_W > OUT_W) ? T_W : OUT_W) + 1;
localparam RND_POS = (RSH > 0) ? RSH - 1 : 0;

initial begin
    if (LANES < 1 || ACC_W < 2 || BIAS_W < 1 || BIAS_SHIFT < 0 || OUT_W < 2 || OUT_W > 32) begin
        $error("Error: bad widths, need LANES>=1, ACC_W>=2, BIAS_W>=1, BIAS_SHIFT>=0, 2<=OUT_W<=32 (instance %m)");
        $finish;
    end
    if (ACT < 0 || ACT > 2 || ROUND < 0 || ROUND > 1 || HAS_BIAS < 0 || HAS_BIAS > 1) begin
        $error("Error: ACT must be 0..2, ROUND and HAS_BIAS 0..1 (instance %m)");
        $finish;
    end
end

reg [2:0] valid_reg;
reg [2:0] last_reg;

always @(posedge clk) begin
    if (ce) begin
        valid_reg <= {valid_reg[1:0], in_valid};
        last_reg  <= {last_reg[1:0], in_last};
    end
    if (rst) begin
        valid_reg <= 3'b000;
    end
end

assign out_valid = valid_reg[2];
assign out_last  = last_reg[2];

wire signed [T_W-1:0] rnd = (ROUND != 0 && RSH > 0) ? ({{(T_W-1){1'b0}}, 1'b1} << RND_POS) : {T_W{1'b0}};
wire signed [C_W-1:0] max_v = {{(C_W-OUT_W+1){1'b0}}, {(OUT_W-1){1'b1}}};
wire signed [C_W-1:0] min_v = {{(C_W-OUT_W+1){1'b1}}, {(OUT_W-1){1'b0}}};
wire [OUT_W-1:0] cap_o = RELU6_MAX[OUT_W-1:0];
wire signed [C_W-1:0] cap_v = {{(C_W-OUT_W){cap_o[OUT_W-1]}}, cap_o};

genvar l;
generate
for (l = 0; l < LANES; l = l + 1) begin : g_lane
    wire signed [ACC_W-1:0]  acc  = in_acc[l*ACC_W +: ACC_W];
    wire signed [BIAS_W-1:0] bias = in_bias[l*BIAS_W +: BIAS_W];
    wire signed [SUM_W-1:0]  acc_x = {{(SUM_W-ACC_W){acc[ACC_W-1]}}, acc};
    wire signed [SUM_W-1:0]  bias_x = {{(SUM_W-BIAS_W){bias[BIAS_W-1]}}, bias};
    wire signed [SUM_W-1:0]  sum = (HAS_BIAS != 0) ? acc_x + (bias_x <<< BIAS_SHIFT) : acc_x;

    reg  signed [SUM_W-1:0]  sum_reg;
    wire signed [T_W-1:0]    sum_t = {{(T_W-SUM_W){sum_reg[SUM_W-1]}}, sum_reg};
    wire signed [T_W-1:0]    shl = sum_t <<< LSH;
    wire signed [T_W-1:0]    shr = (shl + rnd) >>> RSH;

    reg  signed [T_W-1:0]    t_reg;
    wire signed [C_W-1:0]    t_c = {{(C_W-T_W){t_reg[T_W-1]}}, t_reg};
    wire signed [C_W-1:0]    sat = (t_c > max_v) ? max_v : ((t_c < min_v) ? min_v : t_c);
    wire signed [C_W-1:0]    pos = (sat < 0) ? {C_W{1'b0}} : sat;
    /* verilator lint_off UNUSEDSIGNAL */
    wire signed [C_W-1:0]    act = (ACT == 0) ? sat : ((ACT == 1) ? pos : ((pos > cap_v) ? cap_v : pos));

    /* verilator lint_on UNUSEDSIGNAL */
    reg  [OUT_W-1:0]         y_reg;

    always @(posedge clk) begin
        if (ce) begin
            sum_reg <= sum;
            t_reg   <= shr;
            y_reg   <= act[OUT_W-1:0];
        end
    end

    assign out_data[l*OUT_W +: OUT_W] = y_reg;
end
endgenerate

endmodule

`resetall
