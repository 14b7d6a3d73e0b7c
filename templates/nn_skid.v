// nn_skid: two-entry skid buffer (register slice) for a valid/ready stream; tready and tvalid out are registered.
`resetall
`timescale 1ns / 1ps
`default_nettype none

module nn_skid #(
    // width of tdata in bits
    parameter DATA_W = 8
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

initial begin
    if (DATA_W < 1) begin
        $error("Error: DATA_W must be at least 1 (instance %m)");
        $finish;
    end
end

// output register
reg [DATA_W-1:0] out_data_reg;
reg              out_last_reg;
reg              out_valid_reg, out_valid_next;
// temporary register, filled when the output stalls
reg [DATA_W-1:0] tmp_data_reg;
reg              tmp_last_reg;
reg              tmp_valid_reg, tmp_valid_next;

reg load_out_from_in, load_out_from_tmp, load_tmp_from_in;

wire in_fire = s_axis_tvalid && !tmp_valid_reg;

assign s_axis_tready = !tmp_valid_reg;
assign m_axis_tdata  = out_data_reg;
assign m_axis_tvalid = out_valid_reg;
assign m_axis_tlast  = out_last_reg;

always @* begin
    out_valid_next = out_valid_reg;
    tmp_valid_next = tmp_valid_reg;
    load_out_from_in  = 1'b0;
    load_out_from_tmp = 1'b0;
    load_tmp_from_in  = 1'b0;
    if (!out_valid_reg || m_axis_tready) begin
        // output register is free this cycle
        if (tmp_valid_reg) begin
            load_out_from_tmp = 1'b1;
            out_valid_next = 1'b1;
            tmp_valid_next = 1'b0;
        end else if (in_fire) begin
            load_out_from_in = 1'b1;
            out_valid_next = 1'b1;
        end else begin
            out_valid_next = 1'b0;
        end
    end else if (in_fire) begin
        // output stalled: park the beat
        load_tmp_from_in = 1'b1;
        tmp_valid_next = 1'b1;
    end
end

always @(posedge clk) begin
    out_valid_reg <= out_valid_next;
    tmp_valid_reg <= tmp_valid_next;
    if (load_out_from_in) begin
        out_data_reg <= s_axis_tdata;
        out_last_reg <= s_axis_tlast;
    end else if (load_out_from_tmp) begin
        out_data_reg <= tmp_data_reg;
        out_last_reg <= tmp_last_reg;
    end
    if (load_tmp_from_in) begin
        tmp_data_reg <= s_axis_tdata;
        tmp_last_reg <= s_axis_tlast;
    end
    if (rst) begin
        out_valid_reg <= 1'b0;
        tmp_valid_reg <= 1'b0;
    end
end

endmodule

`resetall
