// tb_fork: nn_fork delivers every beat to both consumers, each with its own random backpressure.
`timescale 1ns / 1ps
module tb_fork;
parameter DATA_W = 8;
parameter NB = 2000;
parameter GAP = 20;
parameter STALL = 20;
parameter STALL1 = 50;
parameter SEED = 1;
localparam IN_BITS = DATA_W, OUT_BITS = DATA_W, MAXB = NB;
`include "tb_stream.vh"
wire [DATA_W-1:0] m1_tdata;
wire m1_tvalid, m1_tlast;
reg m1_tready = 0;
nn_fork #(.DATA_W(DATA_W)) dut (.clk(clk), .rst(rst),
    .s_axis_tdata(s_tdata), .s_axis_tvalid(s_tvalid), .s_axis_tready(s_tready), .s_axis_tlast(s_tlast),
    .m0_axis_tdata(m_tdata), .m0_axis_tvalid(m_tvalid), .m0_axis_tready(m_tready), .m0_axis_tlast(m_tlast),
    .m1_axis_tdata(m1_tdata), .m1_axis_tvalid(m1_tvalid), .m1_axis_tready(m1_tready), .m1_axis_tlast(m1_tlast));
integer s, k, i1 = 0, s1 = SEED * 3 + 11;
always @(posedge clk) begin
    if (!rst && go) begin
        if (m1_tvalid && m1_tready) begin
            if (i1 >= n_exp || m1_tdata !== exp_data[i1] || m1_tlast !== exp_last[i1]) begin
                errors = errors + 1;
                if (errors < 10) $display("MISMATCH on output 1 beat %0d", i1);
            end
            i1 = i1 + 1;
        end
        m1_tready <= ($unsigned($random(s1)) % 100) >= STALL1;
    end
end
initial begin
    s = SEED;
    for (k = 0; k < NB; k = k + 1) begin
        src_data[k] = $random(s); src_last[k] = ($random(s) & 7) == 0;
        exp_data[k] = src_data[k]; exp_last[k] = src_last[k];
    end
    n_src = NB; n_exp = NB;
    repeat (3) @(posedge clk);
    rst <= 0; go <= 1;
    wait (i1 == NB);
    finish_bench("tb_fork", 100 * NB);
end
endmodule
