// nn_add: residual add of two streams of the same shape: align fraction bits, sum exactly, requantize, activation.
`resetall
`timescale 1ns / 1ps
`default_nettype none

/*
 * Per element: v = a * 2^SHIFT_A + b * 2^SHIFT_B (exact; SHIFT_A, SHIFT_B >= 0
 * bring both to the larger fraction bits Fc), then y = requantize(v) with
 * data shift SHIFT = Fc - Fo, ROUND, saturation to OUT_W and ACT, exactly as
 * nn_requant. Both inputs carry LANES elements per beat in the same order; a
 * beat is consumed from each input at once; tlast is taken from input A.
 * Inputs and output have register slices; one beat per cycle; latency 5.
 */
module nn_add #(
    // elements per beat
    parameter LANES = 1,
    // element width of input A, input B
    parameter A_W = 8,
    parameter B_W = 8,
    // left shifts aligning A and B to the common fraction bits
    parameter SHIFT_A = 0,
    parameter SHIFT_B = 0,
    // data shift Fc - Fo (negative: left shift)
    parameter SHIFT = 0,
    // 1: round to nearest, 0: floor
    parameter ROUND = 1,
    // output width
    parameter OUT_W = 8,
    // 0 none, 1 relu, 2 relu6
    parameter ACT = 0,
    // relu6 cap sat(floor(6*2^Fo))
    parameter RELU6_MAX = 96
) (
    input  wire                   clk,
    input  wire                   rst,

    input  wire [LANES*A_W-1:0]   s_a_axis_tdata,
    input  wire                   s_a_axis_tvalid,
    output wire                   s_a_axis_tready,
    input  wire                   s_a_axis_tlast,

    input  wire [LANES*B_W-1:0]   s_b_axis_tdata,
    input  wire                   s_b_axis_tvalid,
    output wire                   s_b_axis_tready,
    input  wire                   s_b_axis_tlast,

    output wire [LANES*OUT_W-1:0] m_axis_tdata,
    output wire                   m_axis_tvalid,
    input  wire                   m_axis_tready,
    output wire                   m_axis_tlast
);

localparam AS_W = A_W + SHIFT_A;
localparam BS_W = B_W + SHIFT_B;
localparam ACC_W = ((AS_W > BS_W) ? AS_W : BS_W) + 1;

initial begin
    if (LANES < 1 || SHIFT_A < 0 || SHIFT_B < 0) begin
        $error("Error: LANES >= 1 and SHIFT_A, SHIFT_B >= 0 required (instance %m)");
        $finish;
    end
end

wire ce;
wire [LANES*A_W-1:0] a_data;
wire [LANES*B_W-1:0] b_data;
wire a_valid, b_valid, a_last, b_last;

nn_skid #(.DATA_W(LANES*A_W)) u_a (
    .clk(clk), .rst(rst),
    .s_axis_tdata(s_a_axis_tdata), .s_axis_tvalid(s_a_axis_tvalid), .s_axis_tready(s_a_axis_tready),
    .s_axis_tlast(s_a_axis_tlast),
    .m_axis_tdata(a_data), .m_axis_tvalid(a_valid), .m_axis_tready(ce && b_valid), .m_axis_tlast(a_last)
);

nn_skid #(.DATA_W(LANES*B_W)) u_b (
    .clk(clk), .rst(rst),
    .s_axis_tdata(s_b_axis_tdata), .s_axis_tvalid(s_b_axis_tvalid), .s_axis_tready(s_b_axis_tready),
    .s_axis_tlast(s_b_axis_tlast),
    .m_axis_tdata(b_data), .m_axis_tvalid(b_valid), .m_axis_tready(ce && a_valid), .m_axis_tlast(b_last)
);

wire [LANES*ACC_W-1:0] sum;
genvar i;
generate
for (i = 0; i < LANES; i = i + 1) begin : g_lane
    wire [A_W-1:0] a = a_data[i*A_W +: A_W];
    wire [B_W-1:0] b = b_data[i*B_W +: B_W];
    wire signed [ACC_W-1:0] ax = {{(ACC_W-A_W){a[A_W-1]}}, a};
    wire signed [ACC_W-1:0] bx = {{(ACC_W-B_W){b[B_W-1]}}, b};
    assign sum[i*ACC_W +: ACC_W] = (ax <<< SHIFT_A) + (bx <<< SHIFT_B);
end
endgenerate

wire                   rq_valid, rq_last;
wire [LANES*OUT_W-1:0] rq_data;

nn_requant #(
    .LANES(LANES), .ACC_W(ACC_W), .HAS_BIAS(0), .BIAS_W(1), .BIAS_SHIFT(0),
    .SHIFT(SHIFT), .ROUND(ROUND), .OUT_W(OUT_W), .ACT(ACT), .RELU6_MAX(RELU6_MAX)
) u_rq (
    .clk(clk), .rst(rst), .ce(ce),
    .in_valid(a_valid && b_valid), .in_last(a_last), .in_acc(sum), .in_bias({LANES{1'b0}}),
    .out_valid(rq_valid), .out_last(rq_last), .out_data(rq_data)
);

nn_skid #(.DATA_W(LANES*OUT_W)) u_out (
    .clk(clk), .rst(rst),
    .s_axis_tdata(rq_data), .s_axis_tvalid(rq_valid), .s_axis_tready(ce), .s_axis_tlast(rq_last),
    .m_axis_tdata(m_axis_tdata), .m_axis_tvalid(m_axis_tvalid), .m_axis_tready(m_axis_tready),
    .m_axis_tlast(m_axis_tlast)
);

wire unused_b_last = b_last;

endmodule

`resetall
