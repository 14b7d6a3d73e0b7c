// tb_resize: nn_resize regroups elements unchanged, tlast on the frame's last beat; random gaps/backpressure; full rate without stalls.
`timescale 1ns / 1ps
module tb_resize;
parameter IN_LANES = 3;
parameter OUT_LANES = 2;
parameter DATA_W = 8;
parameter FLEN = 12;
parameter FRAMES = 20;
parameter GAP = 20;
parameter STALL = 20;
parameter SEED = 1;
parameter MEASURE = 0;
localparam IN_BITS = IN_LANES * DATA_W, OUT_BITS = OUT_LANES * DATA_W;
localparam NIN = FRAMES * FLEN / IN_LANES, NOUT = FRAMES * FLEN / OUT_LANES;
localparam MAXB = (NIN > NOUT) ? NIN : NOUT;
`include "tb_stream.vh"
nn_resize #(.IN_LANES(IN_LANES), .OUT_LANES(OUT_LANES), .DATA_W(DATA_W)) dut (.clk(clk), .rst(rst),
    .s_axis_tdata(s_tdata), .s_axis_tvalid(s_tvalid), .s_axis_tready(s_tready), .s_axis_tlast(s_tlast),
    .m_axis_tdata(m_tdata), .m_axis_tvalid(m_tvalid), .m_axis_tready(m_tready), .m_axis_tlast(m_tlast));
integer s, k, e;
reg [DATA_W-1:0] el [0:FRAMES*FLEN-1];
reg [IN_BITS-1:0] iw;
reg [OUT_BITS-1:0] ow;
initial begin
    s = SEED;
    for (e = 0; e < FRAMES*FLEN; e = e + 1) el[e] = $random(s);
    for (k = 0; k < NIN; k = k + 1) begin
        for (e = 0; e < IN_LANES; e = e + 1) iw[e*DATA_W +: DATA_W] = el[k*IN_LANES + e];
        src_data[k] = iw; src_last[k] = ((k + 1) * IN_LANES) % FLEN == 0;
    end
    for (k = 0; k < NOUT; k = k + 1) begin
        for (e = 0; e < OUT_LANES; e = e + 1) ow[e*DATA_W +: DATA_W] = el[k*OUT_LANES + e];
        exp_data[k] = ow; exp_last[k] = ((k + 1) * OUT_LANES) % FLEN == 0;
    end
    n_src = NIN; n_exp = NOUT;
    repeat (3) @(posedge clk);
    rst <= 0; go <= 1;
    if (MEASURE) begin
        wait (i_exp == n_exp);
        $display("THROUGHPUT %0d cycles for %0d in / %0d out beats", last_out - first_out + 1, NIN, NOUT);
        if ((last_out - first_out + 1) * 100 > ((NIN > NOUT) ? NIN : NOUT) * 103 + 300) begin
            errors = errors + 1;
            $display("SLOW");
        end
    end
    finish_bench("tb_resize", 100 * MAXB + 1000);
end
endmodule
