// nn_maxtree: pipelined signed maximum of N inputs, one register per level, latency clog2(N) ce cycles.
`resetall
`timescale 1ns / 1ps
`default_nettype none

/*
 * out = max of the N signed inputs (W bits each). Level l takes the maximum
 * of pairs of level l-1; an odd node passes through. N = 1: out = in (latency 0).
 */
module nn_maxtree #(
    // number of inputs
    parameter N = 4,
    // element width (signed)
    parameter IN_W = 8
) (
    input  wire              clk,
    // pipeline advance enable
    input  wire              ce,
    input  wire [N*IN_W-1:0] in_data,
    output wire [IN_W-1:0]   out_data
);

localparam L = (N > 1) ? $clog2(N) : 0;
localparam TW = IN_W;

function integer lvl_n(input integer n, input integer l);
    integer k, m;
    begin
        m = n;
        for (k = 0; k < l; k = k + 1) m = (m + 1) / 2;
        lvl_n = m;
    end
endfunction


initial begin
    if (N < 1 || IN_W < 1) begin
        $error("Error: N >= 1 and IN_W >= 1 required (instance %m)");
        $finish;
    end
end

// clk and ce are unused when N = 1
wire unused_n1 = clk & ce;

// node j of level l is g_lvl[l].g_node[j].v (TW bits, sign-extended from IN_W+l)
genvar j, l;
generate
for (l = 0; l <= L; l = l + 1) begin : g_lvl
    for (j = 0; j < lvl_n(N, l); j = j + 1) begin : g_node
        wire [TW-1:0] v;
        if (l == 0) begin : g_leaf
            assign v = in_data[j*IN_W +: IN_W];
        end else begin : g_max
            wire signed [TW-1:0] a = g_lvl[l-1].g_node[2*j].v;
            if (2 * j + 1 < lvl_n(N, l - 1)) begin : g_pair
                wire signed [TW-1:0] b = g_lvl[l-1].g_node[2*j+1].v;
                reg [TW-1:0] m_reg;
                always @(posedge clk) begin
                    if (ce) begin
                        m_reg <= (b > a) ? b : a;
                    end
                end
                assign v = m_reg;
            end else begin : g_odd
                reg [TW-1:0] m_reg;
                always @(posedge clk) begin
                    if (ce) begin
                        m_reg <= a;
                    end
                end
                assign v = m_reg;
            end
        end
    end
end
endgenerate

assign out_data = g_lvl[L].g_node[0].v;

endmodule

`resetall
