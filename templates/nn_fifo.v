// nn_fifo: synchronous stream FIFO in inferable RAM (sync read) with a registered output stage.
`resetall
`timescale 1ns / 1ps
`default_nettype none

module nn_fifo #(
    // width of tdata in bits
    parameter DATA_W = 8,
    // requested depth in beats; the RAM holds 2**clog2(DEPTH) beats, plus one in the output register
    parameter DEPTH = 16
) (
    input  wire              clk,
    input  wire              rst,

    input  wire [DATA_W-1:0] s_axis_tdata,
    input  wire              s_axis_tvalid,
    output wire              s_axis_tready,
    input  wire              s_axis_tlast,

    output wire [DATA_W-1:0] m_axis_tdata,
    output wire              m_axis_tvalid,
    input  wire              m_axis_tready,
    output wire              m_axis_tlast
);

localparam ADDR_W = (DEPTH > 2) ? $clog2(DEPTH) : 1;
localparam RAM_DEPTH = 1 << ADDR_W;

initial begin
    if (DEPTH < 1 || DATA_W < 1) begin
        $error("Error: DEPTH and DATA_W must be at least 1 (instance %m)");
        $finish;
    end
end

reg [DATA_W:0] mem [0:RAM_DEPTH-1];

reg [ADDR_W:0] wr_ptr_reg, rd_ptr_reg;
reg [DATA_W:0] out_reg;
reg            out_valid_reg;

wire full  = (wr_ptr_reg[ADDR_W] != rd_ptr_reg[ADDR_W]) &&
             (wr_ptr_reg[ADDR_W-1:0] == rd_ptr_reg[ADDR_W-1:0]);
wire empty = (wr_ptr_reg == rd_ptr_reg);
wire push  = s_axis_tvalid && !full;
wire pop   = !empty && (!out_valid_reg || m_axis_tready);

assign s_axis_tready = !full;
assign m_axis_tdata  = out_reg[DATA_W-1:0];
assign m_axis_tlast  = out_reg[DATA_W];
assign m_axis_tvalid = out_valid_reg;

always @(posedge clk) begin
    if (push) begin
        mem[wr_ptr_reg[ADDR_W-1:0]] <= {s_axis_tlast, s_axis_tdata};
    end
end

always @(posedge clk) begin
    if (pop) begin
        out_reg <= mem[rd_ptr_reg[ADDR_W-1:0]];
    end
end

always @(posedge clk) begin
    if (push) begin
        wr_ptr_reg <= wr_ptr_reg + 1'b1;
    end
    if (pop) begin
        rd_ptr_reg <= rd_ptr_reg + 1'b1;
        out_valid_reg <= 1'b1;
    end else if (m_axis_tready) begin
        out_valid_reg <= 1'b0;
    end
    if (rst) begin
        wr_ptr_reg <= {ADDR_W+1{1'b0}};
        rd_ptr_reg <= {ADDR_W+1{1'b0}};
        out_valid_reg <= 1'b0;
    end
end

endmodule

`resetall
