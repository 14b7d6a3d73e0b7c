// nn_serial_reloc: the serial engine's address relocation: an engine address {region, offset} becomes the bus word address base[region] + offset (docs/DESIGN.md §10.2).
`resetall
`timescale 1ns / 1ps
`default_nettype none

/*
 * Regions 0..4 (weights, work, input, output, program) each have a base,
 * a bus word address of XW bits (bases packs them, region r at
 * [r*XW +: XW]). Region 7 (the scratch) never reaches the bus; regions 5
 * and 6 are never issued (they relocate by base 0). Combinational: one
 * adder on the request path.
 */
module nn_serial_reloc #(
    // engine address bits: 3 region bits above AW-3 offset bits
    parameter AW = 32,
    // bus word address bits (at least AW-3)
    parameter XW = 32
) (
    input  wire [AW-1:0]   addr,
    input  wire [5*XW-1:0] bases,
    output wire [XW-1:0]   xaddr
);

wire [2:0] region = addr[AW-1 -: 3];
wire [AW-4:0] off = addr[AW-4:0];
reg [XW-1:0] base;
always @* begin
    case (region)
    3'd0: base = bases[0*XW +: XW];
    3'd1: base = bases[1*XW +: XW];
    3'd2: base = bases[2*XW +: XW];
    3'd3: base = bases[3*XW +: XW];
    3'd4: base = bases[4*XW +: XW];
    default: base = {XW{1'b0}};
    endcase
end
/* verilator lint_off WIDTH */
assign xaddr = base + off;
/* verilator lint_on WIDTH */

endmodule

`resetall
