// nn_addtree: pipelined signed adder tree, N inputs, one register per level, latency clog2(N) ce cycles.
`resetall
`timescale 1ns / 1ps
`default_nettype none

/*
 * out = sum of the N inputs, exact: OUT_W = IN_W + clog2(N).
 * Level l (1..L, L = clog2(N)) adds pairs of level l-1 in IN_W+l bits; an odd
 * node passes through (plus zero). Every level is a register advanced by ce.
 * N = 1: out = in, combinational (latency 0).
 */
module nn_addtree #(
    // number of inputs
    parameter N = 4,
    // input width (signed)
    parameter IN_W = 16,
    // output width (derived)
    parameter OUT_W = IN_W + ((N > 1) ? $clog2(N) : 0)
) (
    input  wire              clk,
    // pipeline advance enable
    input  wire              ce,
    input  wire [N*IN_W-1:0] in_data,
    output wire [OUT_W-1:0]  out_data
);

localparam L = (N > 1) ? $clog2(N) : 0;
localparam TW = IN_W + L;

function integer lvl_n(input integer n, input integer l);
    integer k, m;
    begin
        m = n;
        for (k = 0; k < l; k = k + 1) m = (m + 1) / 2;
        lvl_n = m;
    end
endfunction


initial begin
    if (N < 1 || IN_W < 1 || OUT_W != TW) begin
        $error("Error: N >= 1, IN_W >= 1 and OUT_W = IN_W + clog2(N) required (instance %m)");
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
            wire [IN_W-1:0] x = in_data[j*IN_W +: IN_W];
            if (L > 0) begin : g_ext
                assign v = {{L{x[IN_W-1]}}, x};
            end else begin : g_noext
                assign v = x;
            end
        end else begin : g_add
            localparam SW = IN_W + l;
            /* verilator lint_off UNUSEDSIGNAL */
            wire [TW-1:0] a = g_lvl[l-1].g_node[2*j].v;
            wire [TW-1:0] b;
            /* verilator lint_on UNUSEDSIGNAL */
            if (2 * j + 1 < lvl_n(N, l - 1)) begin : g_pair
                assign b = g_lvl[l-1].g_node[2*j+1].v;
            end else begin : g_odd
                assign b = {TW{1'b0}};
            end
            wire [SW-1:0] sa = {a[SW-2], a[SW-2:0]};
            wire [SW-1:0] sb = {b[SW-2], b[SW-2:0]};
            reg  [SW-1:0] s_reg;
            always @(posedge clk) begin
                if (ce) begin
                    s_reg <= sa + sb;
                end
            end
            if (TW > SW) begin : g_ext
                assign v = {{(TW-SW){s_reg[SW-1]}}, s_reg};
            end else begin : g_noext
                assign v = s_reg;
            end
        end
    end
end
endgenerate

assign out_data = g_lvl[L].g_node[0].v;

endmodule

`resetall
