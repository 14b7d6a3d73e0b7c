// nn_act: standalone activation (relu / relu6) on a stream, LANES elements per beat, latency 1 (output register slice).
`resetall
`timescale 1ns / 1ps
`default_nettype none

/*
 * y = max(x, 0) (ACT=1) or min(max(x, 0), RELU6_MAX) (ACT=2), per element;
 * ACT=0 passes the data through. The format is unchanged. One beat per cycle.
 */
module nn_act #(
    // elements per beat
    parameter LANES = 1,
    // element width
    parameter DATA_W = 8,
    // 0 none, 1 relu, 2 relu6
    parameter ACT = 1,
    // relu6 cap sat(floor(6*2^F)) in the stream's format
    parameter RELU6_MAX = 96
) (
    input  wire                    clk,
    input  wire                    rst,

    input  wire [LANES*DATA_W-1:0] s_axis_tdata,
    input  wire                    s_axis_tvalid,
    output wire                    s_axis_tready,
    input  wire                    s_axis_tlast,

    output wire [LANES*DATA_W-1:0] m_axis_tdata,
    output wire                    m_axis_tvalid,
    input  wire                    m_axis_tready,
    output wire                    m_axis_tlast
);

initial begin
    if (LANES < 1 || DATA_W < 2 || ACT < 0 || ACT > 2) begin
        $error("Error: LANES >= 1, DATA_W >= 2, ACT 0..2 required (instance %m)");
        $finish;
    end
end

wire [DATA_W-1:0] cap = RELU6_MAX[DATA_W-1:0];
wire [LANES*DATA_W-1:0] y;

genvar i;
generate
for (i = 0; i < LANES; i = i + 1) begin : g_lane
    wire signed [DATA_W-1:0] x = s_axis_tdata[i*DATA_W +: DATA_W];
    wire signed [DATA_W-1:0] p = x[DATA_W-1] ? {DATA_W{1'b0}} : x;
    assign y[i*DATA_W +: DATA_W] = (ACT == 0) ? x : ((ACT == 1) ? p : ((p > $signed(cap)) ? cap : p));
end
endgenerate

nn_skid #(.DATA_W(LANES*DATA_W)) u_out (
    .clk(clk), .rst(rst),
    .s_axis_tdata(y), .s_axis_tvalid(s_axis_tvalid), .s_axis_tready(s_axis_tready), .s_axis_tlast(s_axis_tlast),
    .m_axis_tdata(m_axis_tdata), .m_axis_tvalid(m_axis_tvalid), .m_axis_tready(m_axis_tready),
    .m_axis_tlast(m_axis_tlast)
);

endmodule

`resetall
