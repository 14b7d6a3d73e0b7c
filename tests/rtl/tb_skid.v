// tb_skid: random data through nn_skid with random gaps and backpressure.
`timescale 1ns / 1ps
module tb_skid;
parameter DATA_W = 8;
parameter GAP = 30;
parameter STALL = 30;
parameter SEED = 1;
parameter NB = 2000;
localparam IN_BITS = DATA_W, OUT_BITS = DATA_W, MAXB = NB;
`include "tb_stream.vh"
nn_skid #(.DATA_W(DATA_W)) dut (.clk(clk), .rst(rst),
    .s_axis_tdata(s_tdata), .s_axis_tvalid(s_tvalid), .s_axis_tready(s_tready), .s_axis_tlast(s_tlast),
    .m_axis_tdata(m_tdata), .m_axis_tvalid(m_tvalid), .m_axis_tready(m_tready), .m_axis_tlast(m_tlast));
integer k, s2;
initial begin
    s2 = SEED;
    for (k = 0; k < NB; k = k + 1) begin
        src_data[k] = {4{$random(s2)}};
        src_last[k] = ($random(s2) & 3) == 0;
        exp_data[k] = src_data[k];
        exp_last[k] = src_last[k];
    end
    n_src = NB; n_exp = NB;
    repeat (3) @(posedge clk);
    rst <= 0; go <= 1;
    finish_bench("tb_skid", NB * 20);
end
endmodule
