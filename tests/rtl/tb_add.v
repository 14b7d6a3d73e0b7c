// tb_add: nn_add (align, exact sum, requantize, act) against docs/DESIGN.md §3; independent random gaps on both inputs.
`timescale 1ns / 1ps
module tb_add;
parameter LANES = 2;
parameter A_W = 8;
parameter B_W = 8;
parameter SHIFT_A = 0;
parameter SHIFT_B = 2;
parameter SHIFT = 3;
parameter ROUND = 1;
parameter OUT_W = 8;
parameter ACT = 0;
parameter RELU6_MAX = 96;
parameter NB = 1000;
parameter GAP = 20;
parameter GAP_B = 40;
parameter STALL = 20;
parameter SEED = 1;
localparam IN_BITS = LANES * A_W, OUT_BITS = LANES * OUT_W, MAXB = NB;
`include "tb_stream.vh"
reg [LANES*B_W-1:0] b_src [0:NB-1];
reg [LANES*B_W-1:0] b_tdata = 0;
reg b_tvalid = 0, b_tlast = 0;
wire b_tready;
integer ib = 0, sb = SEED * 5 + 3;
always @(posedge clk) begin
    if (!rst && go && (!b_tvalid || b_tready)) begin
        if (b_tvalid && b_tready) ib = ib + 1;
        if (ib < NB && ($unsigned($random(sb)) % 100) >= GAP_B) begin
            b_tvalid <= 1'b1; b_tdata <= b_src[ib]; b_tlast <= src_last[ib];
        end else b_tvalid <= 1'b0;
    end
end
nn_add #(.LANES(LANES), .A_W(A_W), .B_W(B_W), .SHIFT_A(SHIFT_A), .SHIFT_B(SHIFT_B), .SHIFT(SHIFT),
    .ROUND(ROUND), .OUT_W(OUT_W), .ACT(ACT), .RELU6_MAX(RELU6_MAX)) dut (.clk(clk), .rst(rst),
    .s_a_axis_tdata(s_tdata), .s_a_axis_tvalid(s_tvalid), .s_a_axis_tready(s_tready), .s_a_axis_tlast(s_tlast),
    .s_b_axis_tdata(b_tdata), .s_b_axis_tvalid(b_tvalid), .s_b_axis_tready(b_tready), .s_b_axis_tlast(b_tlast),
    .m_axis_tdata(m_tdata), .m_axis_tvalid(m_tvalid), .m_axis_tready(m_tready), .m_axis_tlast(m_tlast));
function automatic signed [127:0] requant(input signed [127:0] v);
    reg signed [127:0] y, mx, mn;
    begin
        if (SHIFT > 0) begin
            if (ROUND) y = (v + (128'sd1 <<< (SHIFT - 1))) >>> SHIFT;
            else y = v >>> SHIFT;
        end else y = v * (128'sd1 <<< (-SHIFT));
        mx = (128'sd1 <<< (OUT_W - 1)) - 1;
        mn = -(128'sd1 <<< (OUT_W - 1));
        if (y > mx) y = mx;
        if (y < mn) y = mn;
        if (ACT >= 1 && y < 0) y = 0;
        if (ACT == 2 && y > RELU6_MAX) y = RELU6_MAX;
        requant = y;
    end
endfunction
integer s, k, i, nsat;
reg signed [127:0] a, b, q;
reg [LANES*A_W-1:0] aw;
reg [LANES*B_W-1:0] bw;
reg [OUT_BITS-1:0] ow;
initial begin
    s = SEED; nsat = 0;
    for (k = 0; k < NB; k = k + 1) begin
        for (i = 0; i < LANES; i = i + 1) begin
            a = $signed($random(s)) >>> (32 - A_W);
            b = $signed($random(s)) >>> (32 - B_W);
            aw[i*A_W +: A_W] = a; bw[i*B_W +: B_W] = b;
            q = requant(a * (128'sd1 <<< SHIFT_A) + b * (128'sd1 <<< SHIFT_B));
            if (q == (128'sd1 <<< (OUT_W - 1)) - 1 || q == -(128'sd1 <<< (OUT_W - 1))) nsat = nsat + 1;
            ow[i*OUT_W +: OUT_W] = q;
        end
        src_data[k] = aw; b_src[k] = bw; exp_data[k] = ow;
        src_last[k] = (k % 7) == 6; exp_last[k] = src_last[k];
    end
    n_src = NB; n_exp = NB;
    if (nsat * 2 > NB * LANES) begin errors = errors + 1; $display("WEAK TEST: %0d saturated", nsat); end
    repeat (3) @(posedge clk);
    rst <= 0; go <= 1;
    finish_bench("tb_add", 100 * NB);
end
endmodule
