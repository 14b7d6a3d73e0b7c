// nn_stall: simulation only: a one-beat slice that passes a stream on with random gaps, to stall the links inside a design (nnc sim --stall-inner).
`resetall
`timescale 1ns / 1ps
`default_nettype none

/*
 * It takes a beat only on cycles a xorshift generator allows (3 in 4) and
 * holds it until the consumer takes it, so both sides see a legal stream:
 * tvalid stays high until the beat moves and never depends on tready. The
 * generator is seeded from SEED and the +seed=N plusarg, so each instance
 * stalls differently and each run is repeatable.
 */
module nn_stall #(
    // width of tdata in bits
    parameter DATA_W = 8,
    // this instance's seed (mixed with +seed=N)
    parameter SEED = 1
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

reg [DATA_W-1:0] data_reg;
reg              valid_reg, last_reg;
reg [31:0]       rnd_reg;
integer          seed;

initial begin
    seed = 1;
    if ($value$plusargs("seed=%d", seed)) ;
    rnd_reg = 32'h2545f491 ^ (SEED * 32'h9e3779b9) ^ seed;
    if (rnd_reg == 32'd0)
        rnd_reg = 32'd1;
    valid_reg = 1'b0;
    last_reg = 1'b0;
    data_reg = {DATA_W{1'b0}};
end

wire go = rnd_reg[1:0] != 2'd0;

assign s_axis_tready = go && (!valid_reg || m_axis_tready);
assign m_axis_tdata = data_reg;
assign m_axis_tvalid = valid_reg;
assign m_axis_tlast = last_reg;

always @(posedge clk) begin
    rnd_reg <= rnd_reg ^ (rnd_reg << 13) ^ ((rnd_reg ^ (rnd_reg << 13)) >> 17) ^
               ((rnd_reg ^ (rnd_reg << 13) ^ ((rnd_reg ^ (rnd_reg << 13)) >> 17)) << 5);
    if (rst) begin
        valid_reg <= 1'b0;
    end else begin
        if (m_axis_tvalid && m_axis_tready)
            valid_reg <= 1'b0;
        if (s_axis_tvalid && s_axis_tready) begin
            data_reg <= s_axis_tdata;
            last_reg <= s_axis_tlast;
            valid_reg <= 1'b1;
        end
    end
end

endmodule

`resetall
