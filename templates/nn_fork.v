// nn_fork: broadcast one stream to two consumers (e.g. a residual branch); each output has its own register slice.
`resetall
`timescale 1ns / 1ps
`default_nettype none

/*
 * A beat is taken from the input when both output slices can hold it
 * (s_axis_tready depends on registers only) and is then delivered to each
 * consumer independently, so one consumer may run up to two beats ahead of
 * the other. Any further skew between the two paths (a residual branch
 * versus its shortcut) must be absorbed by an nn_fifo on the path that
 * reaches the join first; the compiler sizes it. One beat per cycle.
 */
module nn_fork #(
    // width of tdata in bits
    parameter DATA_W = 8
) (
    input  wire              clk,
    input  wire              rst,

    input  wire [DATA_W-1:0] s_axis_tdata,
    input  wire              s_axis_tvalid,
    output wire              s_axis_tready,
    input  wire              s_axis_tlast,

    output wire [DATA_W-1:0] m0_axis_tdata,
    output wire              m0_axis_tvalid,
    input  wire              m0_axis_tready,
    output wire              m0_axis_tlast,

    output wire [DATA_W-1:0] m1_axis_tdata,
    output wire              m1_axis_tvalid,
    input  wire              m1_axis_tready,
    output wire              m1_axis_tlast
);

wire r0, r1;
assign s_axis_tready = r0 && r1;

nn_skid #(.DATA_W(DATA_W)) u_s0 (
    .clk(clk), .rst(rst),
    .s_axis_tdata(s_axis_tdata), .s_axis_tvalid(s_axis_tvalid && r1), .s_axis_tready(r0), .s_axis_tlast(s_axis_tlast),
    .m_axis_tdata(m0_axis_tdata), .m_axis_tvalid(m0_axis_tvalid), .m_axis_tready(m0_axis_tready),
    .m_axis_tlast(m0_axis_tlast)
);

nn_skid #(.DATA_W(DATA_W)) u_s1 (
    .clk(clk), .rst(rst),
    .s_axis_tdata(s_axis_tdata), .s_axis_tvalid(s_axis_tvalid && r0), .s_axis_tready(r1), .s_axis_tlast(s_axis_tlast),
    .m_axis_tdata(m1_axis_tdata), .m_axis_tvalid(m1_axis_tvalid), .m_axis_tready(m1_axis_tready),
    .m_axis_tlast(m1_axis_tlast)
);

endmodule

`resetall
