// nn_fc: layer-parallel fully connected engine (ping-pong input buffer, PIxPO multipliers, adder trees, accumulators, requantizer).
`resetall
`timescale 1ns / 1ps
`default_nettype none

/*
 * Stream in : LANES = PI elements of DATA_W bits per beat, N/PI beats per
 *             frame, in stream order (the producer's HWC order; tlast ignored,
 *             frames are counted).
 * Stream out: LANES = PO elements of OUT_W bits per beat, UNITS/PO beats per
 *             frame, unit ob*PO + o in lane o of beat ob, tlast on the last beat.
 * The input frame is stored in one half of a ping-pong RAM (2 x N/PI words)
 * while the other half is being computed; compute starts when a frame is
 * complete. Schedule: for ob < UNITS/PO, ib < N/PI: one cycle of PI*PO
 * multiplies. Steady state: (UNITS/PO)*(N/PI) cycles per frame (at least
 * N/PI, the input time); latency from the last input beat to the first
 * output beat: N/PI + 8 + clog2(PI) cycles.
 *
 * WEIGHT_FILE ($readmemh): (UNITS/PO)*(N/PI) words, word address ob*(N/PI) + ib,
 * each PO*PI weights of WGT_W bits, element o*PI + i (element 0 in the least
 * significant bits) = weight[unit ob*PO + o][input ib*PI + i], the input
 * index counted in stream order (the compiler permutes PyTorch's C,H,W
 * flattening into the stream's H,W,C order).
 * BIAS_FILE: UNITS/PO words, word ob holds PO biases of BIAS_W bits, element o
 * = bias[ob*PO + o].
 */
module nn_fc #(
    // inputs per frame
    parameter N = 16,
    // outputs per frame
    parameter UNITS = 4,
    // inputs per cycle (divides N) = input lanes
    parameter PI = 1,
    // outputs per cycle (divides UNITS) = output lanes
    parameter PO = 1,
    // input element width
    parameter DATA_W = 8,
    // weight width
    parameter WGT_W = 8,
    // accumulator width (exact for the layer, given by the compiler)
    parameter ACC_W = 24,
    // 1: bias present
    parameter HAS_BIAS = 1,
    // bias width
    parameter BIAS_W = 16,
    // bias shift Facc - Fb
    parameter BIAS_SHIFT = 0,
    // data shift Facc - Fo (negative: left shift)
    parameter SHIFT = 7,
    // 1: round to nearest, 0: floor
    parameter ROUND = 1,
    // output width
    parameter OUT_W = 8,
    // 0 none, 1 relu, 2 relu6
    parameter ACT = 0,
    // relu6 cap sat(floor(6*2^Fo))
    parameter RELU6_MAX = 96,
    // weight ROM image
    parameter WEIGHT_FILE = "",
    // bias ROM image
    parameter BIAS_FILE = ""
) (
    input  wire                   clk,
    input  wire                   rst,

    input  wire [PI*DATA_W-1:0]   s_axis_tdata,
    input  wire                   s_axis_tvalid,
    output wire                   s_axis_tready,
    input  wire                   s_axis_tlast,

    output wire [PO*OUT_W-1:0]    m_axis_tdata,
    output wire                   m_axis_tvalid,
    input  wire                   m_axis_tready,
    output wire                   m_axis_tlast
);

localparam NB     = N / PI;
localparam OBG    = UNITS / PO;
localparam NW     = OBG * NB;
localparam NB_W   = (NB > 1) ? $clog2(NB) : 1;
localparam OB_W   = (OBG > 1) ? $clog2(OBG) : 1;
localparam WA_W   = (NW > 1) ? $clog2(NW) : 1;
localparam BA_W   = NB_W + 1;
localparam PROD_W = DATA_W + WGT_W;
localparam TREE_L = (PI > 1) ? $clog2(PI) : 0;
localparam TREE_W = PROD_W + TREE_L;
localparam SUM_W  = ((TREE_W > ACC_W) ? TREE_W : ACC_W) + 1;
localparam WWORD  = PO * PI * WGT_W;
localparam DLY    = 1 + TREE_L;
/* verilator lint_off WIDTH */
localparam [NB_W-1:0] NB_LAST  = NB - 1;
localparam [OB_W-1:0] OBG_LAST = OBG - 1;
localparam [WA_W-1:0] NW_LAST  = NW - 1;
/* verilator lint_on WIDTH */

initial begin
    if (PI < 1 || PO < 1 || N % PI != 0 || UNITS % PO != 0) begin
        $error("Error: need PI | N and PO | UNITS (instance %m)");
        $finish;
    end
    if (ACC_W < 2 || ACC_W > 64) begin
        $error("Error: ACC_W must be 2..64 (instance %m)");
        $finish;
    end
end

wire ce;

// ------------------------------------------------------------------ ping-pong input buffer
reg            wb_reg;            // half being written
reg [NB_W-1:0] wa_reg;            // word within the half
reg [1:0]      full_reg;          // half holds a complete frame
reg            rb_reg;            // half being read
reg [NB_W-1:0] ib_reg;
reg [OB_W-1:0] ob_reg;
reg [WA_W-1:0] wcnt_reg;

wire wr_ok   = !full_reg[wb_reg];
wire wr_fire = s_axis_tvalid && wr_ok;
assign s_axis_tready = wr_ok;

wire last_ib = (ib_reg == NB_LAST);
wire last_ob = (ob_reg == OBG_LAST);
wire issue   = ce && full_reg[rb_reg];
wire frame_in = wr_fire && (wa_reg == NB_LAST);

// A stage: addresses
reg              a_valid_reg, a_first_reg, a_last_reg, a_fend_reg;
reg [BA_W-1:0]   a_raddr_reg;
reg [WA_W-1:0]   a_waddr_reg;
reg [OB_W-1:0]   a_ob_reg;
reg              a_rb_reg;
wire release_half = ce && a_valid_reg && a_fend_reg;

always @(posedge clk) begin
    if (wr_fire) begin
        wa_reg <= frame_in ? {NB_W{1'b0}} : wa_reg + 1'b1;
        if (frame_in) begin
            wb_reg <= !wb_reg;
        end
    end
    // set on a completed frame; cleared when the last step of a half moves from
    // A to M, the edge at which its RAM read happens
    if (frame_in) begin
        full_reg[wb_reg] <= 1'b1;
    end
    if (release_half) begin
        full_reg[a_rb_reg] <= 1'b0;
    end
    if (issue) begin
        ib_reg <= last_ib ? {NB_W{1'b0}} : ib_reg + 1'b1;
        wcnt_reg <= (wcnt_reg == NW_LAST) ? {WA_W{1'b0}} : wcnt_reg + 1'b1;
        if (last_ib) begin
            ob_reg <= last_ob ? {OB_W{1'b0}} : ob_reg + 1'b1;
            if (last_ob) begin
                rb_reg <= !rb_reg;
            end
        end
    end
    if (rst) begin
        wb_reg <= 1'b0;
        wa_reg <= {NB_W{1'b0}};
        full_reg <= 2'b00;
        rb_reg <= 1'b0;
        ib_reg <= {NB_W{1'b0}};
        ob_reg <= {OB_W{1'b0}};
        wcnt_reg <= {WA_W{1'b0}};
    end
end

always @(posedge clk) begin
    if (ce) begin
        a_valid_reg <= full_reg[rb_reg];
        a_first_reg <= (ib_reg == {NB_W{1'b0}});
        a_last_reg  <= last_ib;
        a_fend_reg  <= last_ib && last_ob;
        a_raddr_reg <= {rb_reg, ib_reg};
        a_waddr_reg <= wcnt_reg;
        a_ob_reg    <= ob_reg;
        a_rb_reg    <= rb_reg;
    end
    if (rst) begin
        a_valid_reg <= 1'b0;
    end
end

wire [PI*DATA_W-1:0] m_data;
wire [WWORD-1:0]     m_wgt;

nn_ram #(.DEPTH(2 << NB_W), .WIDTH(PI*DATA_W), .ADDR_W(BA_W)) u_buf (
    .clk(clk), .we(wr_fire), .waddr({wb_reg, wa_reg}), .wdata(s_axis_tdata),
    .re(ce), .raddr(a_raddr_reg), .rdata(m_data)
);

nn_rom #(.DEPTH(NW), .WIDTH(WWORD), .INIT_FILE(WEIGHT_FILE), .ADDR_W(WA_W)) u_wrom (
    .clk(clk), .en(ce), .addr(a_waddr_reg), .data(m_wgt)
);

// M stage control
reg            m_valid_reg, m_first_reg, m_last_reg, m_fend_reg;
reg [OB_W-1:0] m_ob_reg;
always @(posedge clk) begin
    if (ce) begin
        m_valid_reg <= a_valid_reg;
        m_first_reg <= a_first_reg;
        m_last_reg  <= a_last_reg;
        m_fend_reg  <= a_fend_reg;
        m_ob_reg    <= a_ob_reg;
    end
    if (rst) begin
        m_valid_reg <= 1'b0;
    end
end

// ------------------------------------------------------------------ products (P stage)
reg [PO*PI*PROD_W-1:0] p_reg;
genvar o, i;
generate
for (o = 0; o < PO; o = o + 1) begin : g_po
    for (i = 0; i < PI; i = i + 1) begin : g_pi
        wire signed [DATA_W-1:0] a = m_data[i*DATA_W +: DATA_W];
        wire signed [WGT_W-1:0]  b = m_wgt[(o*PI + i)*WGT_W +: WGT_W];
        wire signed [PROD_W-1:0] p = a * b;
        always @(posedge clk) begin
            if (ce) begin
                p_reg[(o*PI + i)*PROD_W +: PROD_W] <= p;
            end
        end
    end
end
endgenerate

reg [DLY-1:0] d_valid_reg, d_first_reg, d_last_reg, d_fend_reg;
reg [DLY*OB_W-1:0] d_ob_reg;
wire [DLY-1:0] d_valid_in, d_first_in, d_last_in, d_fend_in;
wire [DLY*OB_W-1:0] d_ob_in;
generate
if (DLY > 1) begin : g_dl
    assign d_valid_in = {d_valid_reg[DLY-2:0], m_valid_reg};
    assign d_first_in = {d_first_reg[DLY-2:0], m_first_reg};
    assign d_last_in  = {d_last_reg[DLY-2:0], m_last_reg};
    assign d_fend_in  = {d_fend_reg[DLY-2:0], m_fend_reg};
    assign d_ob_in    = {d_ob_reg[(DLY-1)*OB_W-1:0], m_ob_reg};
end else begin : g_d1
    assign d_valid_in = m_valid_reg;
    assign d_first_in = m_first_reg;
    assign d_last_in  = m_last_reg;
    assign d_fend_in  = m_fend_reg;
    assign d_ob_in    = m_ob_reg;
end
endgenerate
always @(posedge clk) begin
    if (ce) begin
        d_valid_reg <= d_valid_in;
        d_first_reg <= d_first_in;
        d_last_reg  <= d_last_in;
        d_fend_reg  <= d_fend_in;
        d_ob_reg    <= d_ob_in;
    end
    if (rst) begin
        d_valid_reg <= {DLY{1'b0}};
    end
end
wire t_valid = d_valid_reg[DLY-1];
wire t_first = d_first_reg[DLY-1];
wire t_last  = d_last_reg[DLY-1];
wire t_fend  = d_fend_reg[DLY-1];
wire [OB_W-1:0] t_ob = d_ob_reg[(DLY-1)*OB_W +: OB_W];

// ------------------------------------------------------------------ adder trees and accumulators
reg  [PO*ACC_W-1:0]  acc_reg;
reg                  acc_valid_reg, acc_fend_reg;
wire [PO*BIAS_W-1:0] acc_bias;

generate
for (o = 0; o < PO; o = o + 1) begin : g_acc
    wire [TREE_W-1:0] tsum;
    nn_addtree #(.N(PI), .IN_W(PROD_W)) u_tree (
        .clk(clk), .ce(ce), .in_data(p_reg[o*PI*PROD_W +: PI*PROD_W]), .out_data(tsum)
    );
    wire signed [SUM_W-1:0] ts = {{(SUM_W-TREE_W){tsum[TREE_W-1]}}, tsum};
    wire [ACC_W-1:0] prev = acc_reg[o*ACC_W +: ACC_W];
    wire signed [SUM_W-1:0] as = t_first ? {SUM_W{1'b0}} : {{(SUM_W-ACC_W){prev[ACC_W-1]}}, prev};
    /* verilator lint_off UNUSEDSIGNAL */
    wire signed [SUM_W-1:0] nsum = as + ts;
    /* verilator lint_on UNUSEDSIGNAL */
    always @(posedge clk) begin
        if (ce && t_valid) begin
            acc_reg[o*ACC_W +: ACC_W] <= nsum[ACC_W-1:0];
        end
    end
end
endgenerate

always @(posedge clk) begin
    if (ce) begin
        acc_valid_reg <= t_valid && t_last;
        acc_fend_reg  <= t_fend;
    end
    if (rst) begin
        acc_valid_reg <= 1'b0;
    end
end

generate
if (HAS_BIAS != 0) begin : g_bias
    nn_rom #(.DEPTH(OBG), .WIDTH(PO*BIAS_W), .INIT_FILE(BIAS_FILE), .ADDR_W(OB_W)) u_brom (
        .clk(clk), .en(ce), .addr(t_ob), .data(acc_bias)
    );
end else begin : g_nobias
    assign acc_bias = {PO*BIAS_W{1'b0}};
    wire unused_ob = ^t_ob;
end
endgenerate

// ------------------------------------------------------------------ requantizer and output register slice
wire                rq_valid, rq_last;
wire [PO*OUT_W-1:0] rq_data;

nn_requant #(
    .LANES(PO), .ACC_W(ACC_W), .HAS_BIAS(HAS_BIAS), .BIAS_W(BIAS_W), .BIAS_SHIFT(BIAS_SHIFT),
    .SHIFT(SHIFT), .ROUND(ROUND), .OUT_W(OUT_W), .ACT(ACT), .RELU6_MAX(RELU6_MAX)
) u_rq (
    .clk(clk), .rst(rst), .ce(ce),
    .in_valid(acc_valid_reg), .in_last(acc_fend_reg), .in_acc(acc_reg), .in_bias(acc_bias),
    .out_valid(rq_valid), .out_last(rq_last), .out_data(rq_data)
);

nn_skid #(.DATA_W(PO*OUT_W)) u_out (
    .clk(clk), .rst(rst),
    .s_axis_tdata(rq_data), .s_axis_tvalid(rq_valid), .s_axis_tready(ce), .s_axis_tlast(rq_last),
    .m_axis_tdata(m_axis_tdata), .m_axis_tvalid(m_axis_tvalid), .m_axis_tready(m_axis_tready),
    .m_axis_tlast(m_axis_tlast)
);

// frames are counted; tlast is not needed
wire unused_tlast = s_axis_tlast;

endmodule

`resetall
