// nn_resize: stream width converter, IN_LANES elements per input beat to OUT_LANES elements per output beat.
`resetall
`timescale 1ns / 1ps
`default_nettype none

/*
 * Element order is kept: element i of a beat sits at tdata[i*DATA_W +: DATA_W]
 * and comes before element i+1 and before the next beat. The frame length in
 * elements must be a multiple of both IN_LANES and OUT_LANES; the output beat
 * holding the element of an input tlast beat's last element carries tlast.
 * Buffer: CAP = 2*(IN_LANES+OUT_LANES) elements in registers; s_axis_tready
 * and m_axis_tvalid depend on registers only. Throughput: min(IN_LANES per
 * cycle in, OUT_LANES per cycle out) elements per cycle; latency 1 cycle.
 */
module nn_resize #(
    // elements per input beat
    parameter IN_LANES = 1,
    // elements per output beat
    parameter OUT_LANES = 1,
    // element width
    parameter DATA_W = 8
) (
    input  wire                        clk,
    input  wire                        rst,

    input  wire [IN_LANES*DATA_W-1:0]  s_axis_tdata,
    input  wire                        s_axis_tvalid,
    output wire                        s_axis_tready,
    input  wire                        s_axis_tlast,

    output wire [OUT_LANES*DATA_W-1:0] m_axis_tdata,
    output wire                        m_axis_tvalid,
    input  wire                        m_axis_tready,
    output wire                        m_axis_tlast
);

localparam CAP = 2 * (IN_LANES + OUT_LANES);
localparam CNT_W = $clog2(CAP + 1) + 1;
/* verilator lint_off WIDTH */
localparam [CNT_W-1:0] CAP_C = CAP;
localparam [CNT_W-1:0] IN_C  = IN_LANES;
localparam [CNT_W-1:0] OUT_C = OUT_LANES;
/* verilator lint_on WIDTH */

initial begin
    if (IN_LANES < 1 || OUT_LANES < 1 || DATA_W < 1) begin
        $error("Error: IN_LANES, OUT_LANES and DATA_W must be at least 1 (instance %m)");
        $finish;
    end
end

reg [CAP*DATA_W-1:0] buf_reg, buf_next;
reg [CAP-1:0]        lst_reg, lst_next;
reg [CNT_W-1:0]      cnt_reg, cnt_next;

wire in_fire  = s_axis_tvalid && s_axis_tready;
wire out_fire = m_axis_tvalid && m_axis_tready;

assign s_axis_tready = (cnt_reg + IN_C) <= CAP_C;
assign m_axis_tvalid = cnt_reg >= OUT_C;
assign m_axis_tdata  = buf_reg[OUT_LANES*DATA_W-1:0];
assign m_axis_tlast  = |lst_reg[OUT_LANES-1:0];

integer k, sh, base, nin;
always @* begin
    sh = out_fire ? OUT_LANES : 0;
    nin = in_fire ? IN_LANES : 0;
    base = $signed({{(32-CNT_W){1'b0}}, cnt_reg}) - sh;
    buf_next = buf_reg;
    lst_next = lst_reg;
    for (k = 0; k < CAP; k = k + 1) begin
        if (k < base) begin
            buf_next[k*DATA_W +: DATA_W] = buf_reg[(k + sh)*DATA_W +: DATA_W];
            lst_next[k] = lst_reg[k + sh];
        end else if (k < base + nin) begin
            buf_next[k*DATA_W +: DATA_W] = s_axis_tdata[(k - base)*DATA_W +: DATA_W];
            lst_next[k] = s_axis_tlast && (k == base + nin - 1);
        end else begin
            lst_next[k] = 1'b0;
        end
    end
    cnt_next = cnt_reg - (out_fire ? OUT_C : {CNT_W{1'b0}}) + (in_fire ? IN_C : {CNT_W{1'b0}});
end

always @(posedge clk) begin
    buf_reg <= buf_next;
    lst_reg <= lst_next;
    cnt_reg <= cnt_next;
    if (rst) begin
        cnt_reg <= {CNT_W{1'b0}};
        lst_reg <= {CAP{1'b0}};
    end
end

endmodule

`resetall
