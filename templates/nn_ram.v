// nn_ram: simple dual-port RAM, one write port and one synchronous read port (block RAM template).
`resetall
`timescale 1ns / 1ps
`default_nettype none

module nn_ram #(
    // number of words
    parameter DEPTH = 16,
    // bits per word
    parameter WIDTH = 8,
    // address width (derived; override only to widen)
    parameter ADDR_W = (DEPTH > 1) ? $clog2(DEPTH) : 1
) (
    input  wire              clk,
    input  wire              we,
    input  wire [ADDR_W-1:0] waddr,
    input  wire [WIDTH-1:0]  wdata,
    // read enable: rdata updates on the clock edge where re is high
    input  wire              re,
    input  wire [ADDR_W-1:0] raddr,
    output wire [WIDTH-1:0]  rdata
);

initial begin
    if (DEPTH < 1 || WIDTH < 1) begin
        $error("Error: DEPTH and WIDTH must be at least 1 (instance %m)");
        $finish;
    end
end

reg [WIDTH-1:0] mem [0:DEPTH-1];
reg [WIDTH-1:0] rdata_reg;

always @(posedge clk) begin
    if (we) begin
        mem[waddr] <= wdata;
    end
end

always @(posedge clk) begin
    if (re) begin
        rdata_reg <= mem[raddr];
    end
end

assign rdata = rdata_reg;

endmodule

`resetall
