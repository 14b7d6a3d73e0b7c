// tb_act: nn_act (relu / relu6 / none) against the docs/DESIGN.md §3 definitions, random gaps/backpressure.
`timescale 1ns / 1ps
module tb_act;
parameter LANES = 2;
parameter DATA_W = 8;
parameter ACT = 1;
parameter RELU6_MAX = 96;
parameter NB = 1000;
parameter GAP = 20;
parameter STALL = 20;
parameter SEED = 1;
localparam IN_BITS = LANES * DATA_W, OUT_BITS = LANES * DATA_W, MAXB = NB;
`include "tb_stream.vh"
nn_act #(.LANES(LANES), .DATA_W(DATA_W), .ACT(ACT), .RELU6_MAX(RELU6_MAX)) dut (.clk(clk), .rst(rst),
    .s_axis_tdata(s_tdata), .s_axis_tvalid(s_tvalid), .s_axis_tready(s_tready), .s_axis_tlast(s_tlast),
    .m_axis_tdata(m_tdata), .m_axis_tvalid(m_tvalid), .m_axis_tready(m_tready), .m_axis_tlast(m_tlast));
integer s, k, i, x, y, nchg;
reg [IN_BITS-1:0] iw, ow;
initial begin
    s = SEED; nchg = 0;
    for (k = 0; k < NB; k = k + 1) begin
        for (i = 0; i < LANES; i = i + 1) begin
            x = $signed($random(s)) >>> (32 - DATA_W);
            y = x;
            if (ACT >= 1 && y < 0) y = 0;
            if (ACT == 2 && y > RELU6_MAX) y = RELU6_MAX;
            if (y != x) nchg = nchg + 1;
            iw[i*DATA_W +: DATA_W] = x;
            ow[i*DATA_W +: DATA_W] = y;
        end
        src_data[k] = iw; exp_data[k] = ow;
        src_last[k] = (k % 5) == 4; exp_last[k] = src_last[k];
    end
    n_src = NB; n_exp = NB;
    if (ACT != 0 && nchg == 0) begin errors = errors + 1; $display("WEAK TEST: activation never changes a value"); end
    repeat (3) @(posedge clk);
    rst <= 0; go <= 1;
    finish_bench("tb_act", 100 * NB);
end
endmodule
