// nn_avgpool: average pooling on an HWC stream: exact window sum, multiply by M = round(2^P/n), round-shift by P, requantize.
`resetall
`timescale 1ns / 1ps
`default_nettype none

/*
 * Per output element, n = KH*KW cells (no padding):
 *   sum = exact sum of the cells
 *   y1  = (sum*M + 2^(P-1)) >>> P, with P and M from the compiler
 *         (fx_avg_consts: P = 16 + clog2(n), M = round(2^P/n), docs/DESIGN.md §3)
 *         (y1 is in the input's fraction bits)
 *   y   = requantize(y1): data shift SHIFT (= Fin - Fout, 0 keeps the format),
 *         ROUND nearest/floor, saturation to OUT_W (as nn_requant, no bias/act).
 * Global average pooling: KH = H, KW = W; it is built as per-channel
 * accumulators in a RAM of C/LANES words (no line buffer, no window tree):
 * H*W*C/LANES cycles per frame, the outputs leave after the last input beat
 * (latency 8 cycles).
 * Streams: LANES channels per beat, HWC order, C/LANES beats per pixel; out
 * HO*WO*C/LANES beats per frame (HO = (H-KH)/SH+1), tlast on the last beat.
 * Steady state: max(HO*WO, H*W) * C/LANES cycles per frame.
 * Latency issue->output: 8 + clog2(KH*KW) cycles.
 */
module nn_avgpool #(
    // channels, height, width
    parameter C = 4,
    parameter H = 8,
    parameter W = 8,
    // channels per beat (divides C)
    parameter LANES = 1,
    // input element width
    parameter DATA_W = 8,
    // window height, width
    parameter KH = 2,
    parameter KW = 2,
    // stride vertical, horizontal
    parameter SH = 2,
    parameter SW = 2,
    // data shift of the final requantization Fin - Fout (negative: left shift)
    parameter SHIFT = 0,
    // 1: round to nearest, 0: floor (final requantization)
    parameter ROUND = 1,
    // output element width
    parameter OUT_W = 8,
    // the average's shift and multiplier, computed by the compiler
    // (fx_avg_consts): y1 = (sum*M + 2^(P-1)) >>> P
    parameter P = 18,
    parameter [63:0] M = 64'd65536
) (
    input  wire                    clk,
    input  wire                    rst,

    input  wire [LANES*DATA_W-1:0] s_axis_tdata,
    input  wire                    s_axis_tvalid,
    output wire                    s_axis_tready,
    input  wire                    s_axis_tlast,

    output wire [LANES*OUT_W-1:0]  m_axis_tdata,
    output wire                    m_axis_tvalid,
    input  wire                    m_axis_tready,
    output wire                    m_axis_tlast
);

localparam N = KH * KW;
localparam L = (N > 1) ? $clog2(N) : 0;
localparam M_W = P + 2;
localparam S_W = DATA_W + L;
localparam PR_W = S_W + M_W;
localparam Y_W = PR_W - P;
// global pooling (KH = H, KW = W): per-channel accumulators instead of a line buffer
localparam GLOBAL = (KH == H) && (KW == W);

initial begin
    if (LANES < 1 || C % LANES != 0) begin
        $error("Error: LANES must divide C (instance %m)");
        $finish;
    end
    if (P > 60 || P < L + 1) begin
        $error("Error: P must be in [clog2(KH*KW) + 1, 60] (instance %m)");
        $finish;
    end
    if (M == 0 || M >= (64'd1 << (P - L + 1))) begin
        $error("Error: M must be in [1, 2^(P - clog2(KH*KW) + 1)) (instance %m)");
        $finish;
    end
end

wire ce;

// window sums (S_W bits per lane) with their valid and frame-end flags, from one of two paths
wire [LANES*S_W-1:0] t_sum;
wire                 t_valid, t_last;

genvar i, t;
generate
if (GLOBAL) begin : g_global
    // Global pooling: one accumulator per channel in a RAM of C/LANES words,
    // read at the input beat, added and written back one cycle later (with a
    // bypass when the next beat hits the same word, i.e. C/LANES = 1).
    localparam CB = C / LANES;
    localparam CB_W = (CB > 1) ? $clog2(CB) : 1;
    localparam PX_W = $clog2(H * W + 1);
    /* verilator lint_off WIDTH */
    localparam [CB_W-1:0] CB_LAST = CB - 1;
    localparam [PX_W-1:0] PX_LAST = H * W - 1;
    /* verilator lint_on WIDTH */
    reg [CB_W-1:0] cb_reg;
    reg [PX_W-1:0] px_reg;
    wire in_fire = s_axis_tvalid && ce;
    assign s_axis_tready = ce;
    always @(posedge clk) begin
        if (in_fire) begin
            if (cb_reg != CB_LAST) begin
                cb_reg <= cb_reg + 1'b1;
            end else begin
                cb_reg <= {CB_W{1'b0}};
                px_reg <= (px_reg == PX_LAST) ? {PX_W{1'b0}} : px_reg + 1'b1;
            end
        end
        if (rst) begin
            cb_reg <= {CB_W{1'b0}};
            px_reg <= {PX_W{1'b0}};
        end
    end
    // stage 1: the beat, its address and the RAM word read for it
    reg                    v1_reg, first1_reg, last1_reg, fend1_reg, fwd_reg;
    reg [CB_W-1:0]         cb1_reg;
    reg [LANES*DATA_W-1:0] x1_reg;
    reg [LANES*S_W-1:0]    fwd_data_reg;
    wire [LANES*S_W-1:0]   rdata;
    wire [LANES*S_W-1:0]   sum1;
    always @(posedge clk) begin
        if (ce) begin
            v1_reg     <= s_axis_tvalid;
            first1_reg <= (px_reg == {PX_W{1'b0}});
            last1_reg  <= (px_reg == PX_LAST);
            fend1_reg  <= (px_reg == PX_LAST) && (cb_reg == CB_LAST);
            cb1_reg    <= cb_reg;
            x1_reg     <= s_axis_tdata;
            // the word written at this edge is the one read for the incoming beat
            fwd_reg      <= v1_reg && (cb1_reg == cb_reg);
            fwd_data_reg <= sum1;
        end
        if (rst) begin
            v1_reg <= 1'b0;
            fwd_reg <= 1'b0;
        end
    end
    nn_ram #(.DEPTH(CB), .WIDTH(LANES*S_W), .ADDR_W(CB_W)) u_acc (
        .clk(clk), .we(ce && v1_reg), .waddr(cb1_reg), .wdata(sum1),
        .re(ce), .raddr(cb_reg), .rdata(rdata)
    );
    for (i = 0; i < LANES; i = i + 1) begin : g_lane
        wire [DATA_W-1:0] x = x1_reg[i*DATA_W +: DATA_W];
        wire [S_W-1:0] prev = first1_reg ? {S_W{1'b0}} :
                              (fwd_reg ? fwd_data_reg[i*S_W +: S_W] : rdata[i*S_W +: S_W]);
        if (S_W > DATA_W) begin : g_ext
            assign sum1[i*S_W +: S_W] = prev + {{(S_W-DATA_W){x[DATA_W-1]}}, x};
        end else begin : g_noext
            assign sum1[i*S_W +: S_W] = prev + x;
        end
    end
    // stage 2: complete sums of the frame's last pixel
    reg [LANES*S_W-1:0] sum2_reg;
    reg v2_reg, l2_reg;
    always @(posedge clk) begin
        if (ce) begin
            sum2_reg <= sum1;
            v2_reg <= v1_reg && last1_reg;
            l2_reg <= fend1_reg;
        end
        if (rst) begin
            v2_reg <= 1'b0;
        end
    end
    assign t_sum = sum2_reg;
    assign t_valid = v2_reg;
    assign t_last = l2_reg;
    wire unused_tlast = s_axis_tlast;
end else begin : g_window
    wire x_valid, x_first, x_last, x_fend, m_valid_unused;
    wire [N*LANES*DATA_W-1:0] x_window;
    wire [0:0] x_oblk, m_step;

    nn_linebuf #(
        .C(C), .H(H), .W(W), .LANES(LANES), .DATA_W(DATA_W), .KH(KH), .KW(KW), .SH(SH), .SW(SW),
        .PH(0), .PW(0), .GROUPS(1), .REPEAT(1), .PAD_VALUE({DATA_W{1'b0}}), .STEP_W(1), .OBLK_W(1)
    ) u_lb (
        .clk(clk), .rst(rst), .ce(ce),
        .s_axis_tdata(s_axis_tdata), .s_axis_tvalid(s_axis_tvalid), .s_axis_tready(s_axis_tready),
        .s_axis_tlast(s_axis_tlast),
        .m_valid(m_valid_unused), .m_step(m_step),
        .x_valid(x_valid), .x_window(x_window), .x_first(x_first), .x_last(x_last),
        .x_frame_end(x_fend), .x_oblk(x_oblk)
    );
    wire unused_lb = m_valid_unused ^ x_first ^ x_last ^ x_oblk[0] ^ m_step[0];

    for (i = 0; i < LANES; i = i + 1) begin : g_lane
        wire [N*DATA_W-1:0] cells;
        for (t = 0; t < N; t = t + 1) begin : g_cell
            assign cells[t*DATA_W +: DATA_W] = x_window[(t*LANES + i)*DATA_W +: DATA_W];
        end
        nn_addtree #(.N(N), .IN_W(DATA_W)) u_sum (
            .clk(clk), .ce(ce), .in_data(cells), .out_data(t_sum[i*S_W +: S_W])
        );
    end
    if (L > 0) begin : g_dl
        reg [L-1:0] valid_reg, last_reg;
        wire [L:0] valid_in = {valid_reg, x_valid};
        wire [L:0] last_in  = {last_reg, x_fend};
        always @(posedge clk) begin
            if (ce) begin
                valid_reg <= valid_in[L-1:0];
                last_reg  <= last_in[L-1:0];
            end
            if (rst) begin
                valid_reg <= {L{1'b0}};
            end
        end
        assign t_valid = valid_reg[L-1];
        assign t_last  = last_reg[L-1];
        wire unused_top = valid_in[L] ^ last_in[L];
    end else begin : g_d0
        assign t_valid = x_valid;
        assign t_last  = x_fend;
    end
end
endgenerate

// y1 = (sum*M + 2^(P-1)) >>> P, two register stages
wire [M_W-1:0] m_const = M[M_W-1:0];
wire [LANES*Y_W-1:0] y1;
wire [PR_W-1:0] rnd = {{(PR_W-1){1'b0}}, 1'b1} << (P - 1);

generate
for (i = 0; i < LANES; i = i + 1) begin : g_scale
    wire [S_W-1:0] sum = t_sum[i*S_W +: S_W];
    wire signed [PR_W-1:0] sx = {{(PR_W-S_W){sum[S_W-1]}}, sum};
    wire signed [PR_W-1:0] mx = {{(PR_W-M_W){1'b0}}, m_const};
    reg  signed [PR_W-1:0] prod_reg;
    reg  [Y_W-1:0] y1_reg;
    /* verilator lint_off UNUSEDSIGNAL */
    wire signed [PR_W-1:0] shifted = (prod_reg + rnd) >>> P;
    /* verilator lint_on UNUSEDSIGNAL */
    always @(posedge clk) begin
        if (ce) begin
            prod_reg <= sx * mx;
            y1_reg <= shifted[Y_W-1:0];
        end
    end
    assign y1[i*Y_W +: Y_W] = y1_reg;
end
endgenerate

reg [1:0] valid_reg, last_reg;
always @(posedge clk) begin
    if (ce) begin
        valid_reg <= {valid_reg[0], t_valid};
        last_reg  <= {last_reg[0], t_last};
    end
    if (rst) begin
        valid_reg <= 2'b00;
    end
end

wire                   rq_valid, rq_last;
wire [LANES*OUT_W-1:0] rq_data;

nn_requant #(
    .LANES(LANES), .ACC_W(Y_W), .HAS_BIAS(0), .BIAS_W(1), .BIAS_SHIFT(0),
    .SHIFT(SHIFT), .ROUND(ROUND), .OUT_W(OUT_W), .ACT(0), .RELU6_MAX(0)
) u_rq (
    .clk(clk), .rst(rst), .ce(ce),
    .in_valid(valid_reg[1]), .in_last(last_reg[1]), .in_acc(y1), .in_bias({LANES{1'b0}}),
    .out_valid(rq_valid), .out_last(rq_last), .out_data(rq_data)
);

nn_skid #(.DATA_W(LANES*OUT_W)) u_out (
    .clk(clk), .rst(rst),
    .s_axis_tdata(rq_data), .s_axis_tvalid(rq_valid), .s_axis_tready(ce), .s_axis_tlast(rq_last),
    .m_axis_tdata(m_axis_tdata), .m_axis_tvalid(m_axis_tvalid), .m_axis_tready(m_axis_tready),
    .m_axis_tlast(m_axis_tlast)
);

endmodule

`resetall
