// nn_maxpool: max pooling on an HWC stream (line buffer windows, pipelined max tree), padding counts as -2^(DATA_W-1).
`resetall
`timescale 1ns / 1ps
`default_nettype none

/*
 * Stream in and out: LANES channels per beat, HWC order, C/LANES beats per
 * pixel; out has HO*WO*C/LANES beats per frame (HO = floor((H+2PH-KH)/SH)+1),
 * tlast on the last beat of each frame; the format is unchanged.
 * Steady state: max(HO*WO, H*W) * C/LANES cycles per frame.
 * Latency issue->output: 4 + clog2(KH*KW) cycles.
 */
module nn_maxpool #(
    // channels, height, width
    parameter C = 4,
    parameter H = 8,
    parameter W = 8,
    // channels per beat (divides C)
    parameter LANES = 1,
    // element width
    parameter DATA_W = 8,
    // window height, width
    parameter KH = 2,
    parameter KW = 2,
    // stride vertical, horizontal
    parameter SH = 2,
    parameter SW = 2,
    // padding top/bottom, left/right (cells count as -2^(DATA_W-1))
    parameter PH = 0,
    parameter PW = 0
) (
    input  wire                    clk,
    input  wire                    rst,

    input  wire [LANES*DATA_W-1:0] s_axis_tdata,
    input  wire                    s_axis_tvalid,
    output wire                    s_axis_tready,
    input  wire                    s_axis_tlast,

    output wire [LANES*DATA_W-1:0] m_axis_tdata,
    output wire                    m_axis_tvalid,
    input  wire                    m_axis_tready,
    output wire                    m_axis_tlast
);

localparam N = KH * KW;
localparam L = (N > 1) ? $clog2(N) : 0;
localparam DLY = L + 1;

initial begin
    if (LANES < 1 || C % LANES != 0) begin
        $error("Error: LANES must divide C (instance %m)");
        $finish;
    end
end

wire ce;
wire x_valid, x_first, x_last, x_fend, m_valid_unused;
wire [N*LANES*DATA_W-1:0] x_window;
wire [0:0] x_oblk, m_step;

nn_linebuf #(
    .C(C), .H(H), .W(W), .LANES(LANES), .DATA_W(DATA_W), .KH(KH), .KW(KW), .SH(SH), .SW(SW),
    .PH(PH), .PW(PW), .GROUPS(1), .REPEAT(1), .PAD_VALUE({1'b1, {(DATA_W-1){1'b0}}}),
    .STEP_W(1), .OBLK_W(1)
) u_lb (
    .clk(clk), .rst(rst), .ce(ce),
    .s_axis_tdata(s_axis_tdata), .s_axis_tvalid(s_axis_tvalid), .s_axis_tready(s_axis_tready),
    .s_axis_tlast(s_axis_tlast),
    .m_valid(m_valid_unused), .m_step(m_step),
    .x_valid(x_valid), .x_window(x_window), .x_first(x_first), .x_last(x_last),
    .x_frame_end(x_fend), .x_oblk(x_oblk)
);

wire unused_lb = m_valid_unused ^ x_first ^ x_last ^ x_oblk[0] ^ m_step[0];

wire [LANES*DATA_W-1:0] mx;
genvar i, t;
generate
for (i = 0; i < LANES; i = i + 1) begin : g_lane
    wire [N*DATA_W-1:0] cells;
    for (t = 0; t < N; t = t + 1) begin : g_cell
        assign cells[t*DATA_W +: DATA_W] = x_window[(t*LANES + i)*DATA_W +: DATA_W];
    end
    nn_maxtree #(.N(N), .IN_W(DATA_W)) u_max (
        .clk(clk), .ce(ce), .in_data(cells), .out_data(mx[i*DATA_W +: DATA_W])
    );
end
endgenerate

// the maximum is registered once more (also when N = 1) so valid/last line up after DLY stages
reg [LANES*DATA_W-1:0] y_reg;
reg [DLY-1:0] valid_reg, last_reg;
wire [DLY-1:0] valid_in, last_in;
generate
if (DLY > 1) begin : g_dl
    assign valid_in = {valid_reg[DLY-2:0], x_valid};
    assign last_in  = {last_reg[DLY-2:0], x_fend};
end else begin : g_d1
    assign valid_in = x_valid;
    assign last_in  = x_fend;
end
endgenerate

always @(posedge clk) begin
    if (ce) begin
        valid_reg <= valid_in;
        last_reg  <= last_in;
        y_reg     <= mx;
    end
    if (rst) begin
        valid_reg <= {DLY{1'b0}};
    end
end

nn_skid #(.DATA_W(LANES*DATA_W)) u_out (
    .clk(clk), .rst(rst),
    .s_axis_tdata(y_reg), .s_axis_tvalid(valid_reg[DLY-1]), .s_axis_tready(ce), .s_axis_tlast(last_reg[DLY-1]),
    .m_axis_tdata(m_axis_tdata), .m_axis_tvalid(m_axis_tvalid), .m_axis_tready(m_axis_tready),
    .m_axis_tlast(m_axis_tlast)
);

endmodule

`resetall
