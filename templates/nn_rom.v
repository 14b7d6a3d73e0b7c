// nn_rom: synchronous-read ROM initialised with $readmemh from INIT_FILE (one hex word per line).
`resetall
`timescale 1ns / 1ps
`default_nettype none

module nn_rom #(
    // number of words
    parameter DEPTH = 16,
    // bits per word
    parameter WIDTH = 8,
    // hex file read with $readmemh; "" leaves the ROM uninitialised
    parameter INIT_FILE = "",
    // address width (derived; override only to widen)
    parameter ADDR_W = (DEPTH > 1) ? $clog2(DEPTH) : 1
) (
    input  wire              clk,
    // read enable: data updates on the clock edge where en is high
    input  wire              en,
    input  wire [ADDR_W-1:0] addr,
    output wire [WIDTH-1:0]  data
);

initial begin
    if (DEPTH < 1 || WIDTH < 1) begin
        $error("Error: DEPTH and WIDTH must be at least 1 (instance %m)");
        $finish;
    end
end

reg [WIDTH-1:0] mem [0:DEPTH-1];
reg [WIDTH-1:0] data_reg;

initial begin
    if (INIT_FILE != "") begin
        $readmemh(INIT_FILE, mem);
    end
end

always @(posedge clk) begin
    if (en) begin
        data_reg <= mem[addr];
    end
end

assign data = data_reg;

endmodule

`resetall
