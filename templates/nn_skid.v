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

`ifdef FORMAL
// Properties proven by `make formal` (tests/formal/LIST); stripped from OUT.v.
// The input follows the AXI4-Stream rules (assumed); the output keeps them,
// passes every beat once, in order and unchanged (a tracked beat, chosen by
// the solver, proves it for all beats), and holds at most two beats.
reg f_past_valid = 1'b0;
always @(posedge clk) f_past_valid <= 1'b1;
always @* if (!f_past_valid) assume(rst);

localparam F_CW = 4;
reg  [F_CW-1:0] f_in_cnt, f_out_cnt;
(* anyconst *) reg [F_CW-1:0] f_n;
reg [DATA_W:0] f_beat;
wire f_in_fire  = s_axis_tvalid && s_axis_tready;
wire f_out_fire = m_axis_tvalid && m_axis_tready;
wire [F_CW-1:0] f_held = f_in_cnt - f_out_cnt;
wire [F_CW-1:0] f_pos  = f_n - f_out_cnt;   // the tracked beat's place in the buffer

always @(posedge clk) begin
    if (rst) begin
        f_in_cnt <= 0;
        f_out_cnt <= 0;
    end else begin
        f_in_cnt <= f_in_cnt + f_in_fire;
        f_out_cnt <= f_out_cnt + f_out_fire;
    end
    if (!rst && f_in_fire && f_in_cnt == f_n)
        f_beat <= {s_axis_tlast, s_axis_tdata};
end

always @(posedge clk) if (f_past_valid && !$past(rst)) begin
    if ($past(s_axis_tvalid && !s_axis_tready)) begin
        assume(s_axis_tvalid);
        assume(s_axis_tdata == $past(s_axis_tdata));
        assume(s_axis_tlast == $past(s_axis_tlast));
    end
    if ($past(m_axis_tvalid && !m_axis_tready)) begin
        assert(m_axis_tvalid);
        assert(m_axis_tdata == $past(m_axis_tdata));
        assert(m_axis_tlast == $past(m_axis_tlast));
    end
end

always @* if (f_past_valid && !rst) begin
    assert(f_held == out_valid_reg + tmp_valid_reg);
    assert(out_valid_reg || !tmp_valid_reg);
    // the tracked beat, while inside, sits unchanged in its register
    if (f_pos < f_held) begin
        if (f_pos == 0) assert({m_axis_tlast, m_axis_tdata} == f_beat);
        else assert({tmp_last_reg, tmp_data_reg} == f_beat);
    end
end

always @(posedge clk) if (f_past_valid) begin
    cover(!rst && tmp_valid_reg && f_out_fire);
    cover(!rst && $past(tmp_valid_reg) && !tmp_valid_reg && f_in_fire && f_out_fire);
end
`endif // FORMAL
endmodule

`resetall
