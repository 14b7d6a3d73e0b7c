// nn_linebuf: line buffer and window server: HWC pixel stream in, one KHxKW window of LANES channels per ce cycle out.
`resetall
`timescale 1ns / 1ps
`default_nettype none

/*
 * Input: beats of LANES channels, HWC order (row, column, channel fastest),
 * CB = C/LANES beats per pixel, H*W*CB beats per frame, frames back to back
 * (s_axis_tlast is not needed and ignored: frames are counted).
 *
 * Storage: NROWS = KH+SH rows of W*C elements in NROWS*KW RAM banks; bank
 * (r, b) holds the columns x with x mod KW = b of global input row R with
 * R mod NROWS = r, word (x div KW)*CB + cb holding channels cb*LANES.. .
 * All banks are read every cycle, so a whole window comes out at once.
 *
 * Issue order (one step per ce cycle when the input it needs has arrived):
 *   for each output row yo < HO, column xo < WO (HO, WO = floor((H+2PH-KH)/SH)+1 ...):
 *     for g < GROUPS, r < REPEAT, ib < CBG (CBG = CB/GROUPS):
 *       window of channel block cblk = g*CBG + ib:
 *       element (ky, kx, i) = input[y0+ky][x0+kx][cblk*LANES+i], y0 = yo*SH-PH, x0 = xo*SW-PW,
 *       PAD_VALUE outside the image.
 * step = (g*REPEAT + r)*CBG + ib runs 0..STEPS-1 within each output pixel.
 *
 * Pipeline (every stage advances on ce): issue -> A -> M (RAM read) -> X.
 * m_step is the step of the word in M (drive a ROM address with it and read
 * the ROM with en = ce: its data lines up with X). x_* is the window stage.
 * The writer accepts one beat per cycle while fewer than NROWS rows are
 * ahead of the oldest row still needed (s_axis_tready depends on registers only).
 */
module nn_linebuf #(
    // input channels
    parameter C = 4,
    // input height
    parameter H = 8,
    // input width
    parameter W = 8,
    // channels per input beat (divides C)
    parameter LANES = 1,
    // element width
    parameter DATA_W = 8,
    // kernel height, width
    parameter KH = 3,
    parameter KW = 3,
    // stride vertical, horizontal
    parameter SH = 1,
    parameter SW = 1,
    // padding top/bottom, left/right
    parameter PH = 0,
    parameter PW = 0,
    // channel groups (divides C/LANES)
    parameter GROUPS = 1,
    // times each group's channel sweep is repeated (output-channel blocks of a conv)
    parameter REPEAT = 1,
    // value of padding cells
    parameter [DATA_W-1:0] PAD_VALUE = 0,
    // derived: width of m_step
    parameter STEP_W = ((C / LANES) * REPEAT > 1) ? $clog2((C / LANES) * REPEAT) : 1,
    // derived: width of x_oblk (g*REPEAT + r)
    parameter OBLK_W = (GROUPS * REPEAT > 1) ? $clog2(GROUPS * REPEAT) : 1
) (
    input  wire                          clk,
    input  wire                          rst,
    // pipeline advance enable (the consumer's stall)
    input  wire                          ce,

    input  wire [LANES*DATA_W-1:0]       s_axis_tdata,
    input  wire                          s_axis_tvalid,
    output wire                          s_axis_tready,
    input  wire                          s_axis_tlast,

    // M stage
    output wire                          m_valid,
    output wire [STEP_W-1:0]             m_step,
    // X stage: window, element (ky,kx,i) at ((ky*KW+kx)*LANES+i)*DATA_W
    output wire                          x_valid,
    output wire [KH*KW*LANES*DATA_W-1:0] x_window,
    output wire                          x_first,     // ib == 0
    output wire                          x_last,      // ib == CBG-1
    output wire                          x_frame_end, // last step of the frame
    output wire [OBLK_W-1:0]             x_oblk       // g*REPEAT + r
);

localparam CB    = C / LANES;
localparam CBG   = CB / GROUPS;
localparam HO    = (H + 2 * PH - KH) / SH + 1;
localparam WO    = (W + 2 * PW - KW) / SW + 1;
localparam NROWS = KH + SH;
localparam WORD  = LANES * DATA_W;
localparam DEPTH_B = ((W + KW - 1) / KW) * CB;
localparam AB_W  = (DEPTH_B > 1) ? $clog2(DEPTH_B) : 1;
localparam NR_W  = $clog2(NROWS + 1);
localparam KW_W  = $clog2(KW + 1);
localparam MAXD  = ((H > W) ? H : W) + 2 * ((PH > PW) ? PH : PW) + KH + KW + SH + SW + 4;
localparam CW    = $clog2(MAXD) + 2;
localparam QA_W  = CW + $clog2(CB + 1) + 2;
// row counters; at least one bit wider than a coordinate, which they take in
// sign-extended (a map one row high and many columns wide needs that)
localparam RG_W0 = $clog2(4 * (H + NROWS + KH) + 4) + 2;
localparam RG_W  = (RG_W0 > CW) ? RG_W0 : CW + 1;
localparam CB_W  = (CB > 1) ? $clog2(CB) : 1;
localparam CBG_W = (CBG > 1) ? $clog2(CBG) : 1;
localparam RP_W  = (REPEAT > 1) ? $clog2(REPEAT) : 1;
localparam G_W   = (GROUPS > 1) ? $clog2(GROUPS) : 1;
localparam WX_W  = $clog2(W + 1);
localparam HO_W  = $clog2(HO + 1);
localparam WO_W  = $clog2(WO + 1);

/* verilator lint_off WIDTH */
localparam [CB_W-1:0]   CB_LAST  = CB - 1;
localparam [CBG_W-1:0]  CBG_LAST = CBG - 1;
localparam [RP_W-1:0]   RP_LAST  = REPEAT - 1;
localparam [G_W-1:0]    G_LAST   = GROUPS - 1;
localparam [WX_W-1:0]   W_LAST   = W - 1;
localparam [KW_W-1:0]   KW_LAST  = KW - 1;
localparam [WO_W-1:0]   WO_LAST  = WO - 1;
localparam [HO_W-1:0]   HO_LAST  = HO - 1;
localparam [NR_W-1:0]   NR_LAST  = NROWS - 1;
localparam [NR_W:0]     NR_X     = NROWS;
localparam [KW_W:0]     KW_X     = KW;
localparam signed [CW-1:0] KH_M1_S = KH - 1;
localparam signed [CW-1:0] KW_M1_S = KW - 1;
localparam signed [CW-1:0] H_M1_S  = H - 1;
localparam signed [CW-1:0] W_M1_S  = W - 1;
localparam signed [CW-1:0] H_S     = H;
localparam signed [CW-1:0] W_S     = W;
localparam signed [CW-1:0] SH_S    = SH;
localparam signed [CW-1:0] SW_S    = SW;
localparam signed [CW-1:0] Y0_INIT = -PH;
localparam signed [CW-1:0] X0_INIT = -PW;
localparam [QA_W-1:0]   CB_Q     = CB;
localparam [RG_W-1:0]   H_G      = H;
/* verilator lint_on WIDTH */

// x0 at the start of a row: -PW = Q_INIT*KW + X0M_INIT
localparam Q_INIT   = -((PW + KW - 1) / KW);
localparam X0M_INIT = -PW - Q_INIT * KW;
localparam SW_DIV   = SW / KW;
localparam SW_MOD   = SW % KW;
localparam RB_INIT  = (NROWS - (PH % NROWS)) % NROWS;
localparam H_MOD    = H % NROWS;
/* verilator lint_off WIDTH */
localparam [KW_W-1:0]   X0M_INIT_K = X0M_INIT;
localparam [KW_W:0]     SW_MOD_K   = SW_MOD;
localparam [NR_W-1:0]   RB_INIT_N  = RB_INIT;
localparam [NR_W:0]     RB_INIT_X  = RB_INIT;
localparam [NR_W:0]     SH_MOD_X   = SH % NROWS;
localparam [NR_W:0]     H_MOD_X    = H_MOD;
localparam [QA_W-1:0]   QA_INIT    = Q_INIT * CB;
localparam [QA_W-1:0]   QA_STEP0   = SW_DIV * CB;
localparam [QA_W-1:0]   QA_STEP1   = (SW_DIV + 1) * CB;
/* verilator lint_on WIDTH */

initial begin
    if (C < 1 || H < 1 || W < 1 || LANES < 1 || C % LANES != 0) begin
        $error("Error: LANES must divide C (instance %m)");
        $finish;
    end
    if (GROUPS < 1 || CB % GROUPS != 0 || REPEAT < 1) begin
        $error("Error: GROUPS must divide C/LANES, REPEAT >= 1 (instance %m)");
        $finish;
    end
    if (KH < 1 || KW < 1 || SH < 1 || SW < 1 || PH < 0 || PW < 0 || H + 2 * PH < KH || W + 2 * PW < KW) begin
        $error("Error: bad kernel/stride/padding for the input size (instance %m)");
        $finish;
    end
end

// ------------------------------------------------------------------ writer
reg [CB_W-1:0]  wr_cb_reg;
reg [WX_W-1:0]  wr_x_reg;      // complete pixels in the current row
reg [KW_W-1:0]  wr_xm_reg;     // wr_x mod KW
reg [AB_W-1:0]  wr_xq_reg;     // (wr_x div KW) * CB
reg [NR_W-1:0]  wr_rb_reg;     // bank of the current row
reg [RG_W-1:0]  wr_row_reg;    // global row being written
reg [RG_W-1:0]  rel_reg;       // rows below this (global) are no longer needed

wire [RG_W-1:0] wr_ahead = wr_row_reg - rel_reg;
wire wr_ok = $signed(wr_ahead) < $signed(NROWS[RG_W-1:0]) ;
wire wr_fire = s_axis_tvalid && wr_ok;
assign s_axis_tready = wr_ok;

always @(posedge clk) begin
    if (wr_fire) begin
        if (wr_cb_reg != CB_LAST) begin
            wr_cb_reg <= wr_cb_reg + 1'b1;
        end else begin
            wr_cb_reg <= {CB_W{1'b0}};
            if (wr_x_reg != W_LAST) begin
                wr_x_reg <= wr_x_reg + 1'b1;
                if (wr_xm_reg != KW_LAST) begin
                    wr_xm_reg <= wr_xm_reg + 1'b1;
                end else begin
                    wr_xm_reg <= {KW_W{1'b0}};
                    wr_xq_reg <= wr_xq_reg + CB[AB_W-1:0];
                end
            end else begin
                wr_x_reg <= {WX_W{1'b0}};
                wr_xm_reg <= {KW_W{1'b0}};
                wr_xq_reg <= {AB_W{1'b0}};
                wr_row_reg <= wr_row_reg + 1'b1;
                wr_rb_reg <= (wr_rb_reg == NR_LAST) ? {NR_W{1'b0}} : wr_rb_reg + 1'b1;
            end
        end
    end
    if (rst) begin
        wr_cb_reg <= {CB_W{1'b0}};
        wr_x_reg <= {WX_W{1'b0}};
        wr_xm_reg <= {KW_W{1'b0}};
        wr_xq_reg <= {AB_W{1'b0}};
        wr_rb_reg <= {NR_W{1'b0}};
        wr_row_reg <= {RG_W{1'b0}};
    end
end

// ------------------------------------------------------------------ reader (issue)
reg [HO_W-1:0]        yo_reg;
reg [WO_W-1:0]        xo_reg;
reg [G_W-1:0]         g_reg;
reg [RP_W-1:0]        r_reg;
reg [CBG_W-1:0]       ib_reg;
reg [STEP_W-1:0]      step_reg;
reg [OBLK_W-1:0]      oblk_reg;
reg [CB_W-1:0]        cbase_reg;   // g*CBG
reg signed [CW-1:0]   y0_reg;
reg signed [CW-1:0]   x0_reg;
reg [KW_W-1:0]        x0m_reg;     // x0 mod KW
reg signed [QA_W-1:0] qa_reg;      // floor(x0/KW)*CB
reg [NR_W-1:0]        rb0_reg;     // bank of row y0 (mod NROWS)
reg [NR_W-1:0]        fbb_reg;     // bank of the frame's row 0
reg [RG_W-1:0]        fb_reg;      // global row of the frame's row 0

wire last_ib = (ib_reg == CBG_LAST);
wire last_r  = (r_reg == RP_LAST);
wire last_g  = (g_reg == G_LAST);
wire last_x  = (xo_reg == WO_LAST);
wire last_y  = (yo_reg == HO_LAST);
wire last_px = last_ib && last_r && last_g;
wire last_row_step = last_px && last_x;
wire last_frame_step = last_row_step && last_y;

// readiness: the last input pixel the window needs has arrived
wire signed [CW-1:0] ylast_a = y0_reg + KH_M1_S;
// a window entirely in the top (left) padding still waits for the first pixel of its frame (row),
// so the engine never runs ahead of its input
wire signed [CW-1:0] ylast   = (ylast_a > H_M1_S) ? H_M1_S : (ylast_a[CW-1] ? {CW{1'b0}} : ylast_a);
wire signed [CW-1:0] xlast_a = x0_reg + KW_M1_S;
wire signed [CW-1:0] xlast   = (xlast_a > W_M1_S) ? W_M1_S : (xlast_a[CW-1] ? {CW{1'b0}} : xlast_a);
wire [RG_W-1:0] ylast_g = fb_reg + {{(RG_W-CW){ylast[CW-1]}}, ylast};
wire signed [RG_W-1:0] rdiff = wr_row_reg - ylast_g;
wire signed [CW:0] wr_x_s = {{(CW+1-WX_W){1'b0}}, wr_x_reg};
wire data_ok = (rdiff > 0) || (rdiff == 0 && wr_x_s > {xlast[CW-1], xlast});
wire issue = ce && data_ok;

// rows still needed after this step
wire signed [CW-1:0] y0_next_row = y0_reg + SH_S;
wire signed [CW-1:0] rel_local = last_frame_step ? H_S : (last_row_step ? y0_next_row : y0_reg);
wire signed [CW-1:0] rel_clamp = (rel_local < 0) ? {CW{1'b0}} : rel_local;
wire [RG_W-1:0] rel_issue = fb_reg + {{(RG_W-CW){1'b0}}, rel_clamp};

// A stage registers
reg                          a_valid_reg;
reg [KH*NR_W-1:0]            a_rsel_reg;
reg [KW*KW_W-1:0]            a_csel_reg;
reg [KH-1:0]                 a_rowok_reg;
reg [KW-1:0]                 a_colok_reg;
reg [KW*AB_W-1:0]            a_addr_reg;
reg [STEP_W-1:0]             a_step_reg;
reg [OBLK_W-1:0]             a_oblk_reg;
reg                          a_first_reg, a_last_reg, a_fend_reg;
reg [RG_W-1:0]               a_rel_reg;

wire [KH*NR_W-1:0] rsel_c;
wire [KW*KW_W-1:0] csel_c;
wire [KH-1:0]      rowok_c;
wire [KW-1:0]      colok_c;
wire [KW*AB_W-1:0] addr_c;
wire [QA_W-1:0]    cblk_q = {{(QA_W-CB_W){1'b0}}, cbase_reg} + {{(QA_W-CBG_W){1'b0}}, ib_reg};

genvar ky, kx, bb, rr;
generate
for (ky = 0; ky < KH; ky = ky + 1) begin : g_rsel
    /* verilator lint_off WIDTH */
    localparam [NR_W:0] KY_X = ky;
    localparam signed [CW-1:0] KY_S = ky;
    /* verilator lint_on WIDTH */
    wire [NR_W:0] s = {1'b0, rb0_reg} + KY_X;
    /* verilator lint_off UNUSEDSIGNAL */
    wire [NR_W:0] sm = (s >= NR_X) ? s - NR_X : s;
    /* verilator lint_on UNUSEDSIGNAL */
    assign rsel_c[ky*NR_W +: NR_W] = sm[NR_W-1:0];
    wire signed [CW-1:0] yy = y0_reg + KY_S;
    assign rowok_c[ky] = !yy[CW-1] && (yy < H_S);
end
for (kx = 0; kx < KW; kx = kx + 1) begin : g_csel
    /* verilator lint_off WIDTH */
    localparam [KW_W:0] KX_X = kx;
    localparam signed [CW-1:0] KX_S = kx;
    /* verilator lint_on WIDTH */
    wire [KW_W:0] s = {1'b0, x0m_reg} + KX_X;
    /* verilator lint_off UNUSEDSIGNAL */
    wire [KW_W:0] sm = (s >= KW_X) ? s - KW_X : s;
    /* verilator lint_on UNUSEDSIGNAL */
    assign csel_c[kx*KW_W +: KW_W] = sm[KW_W-1:0];
    wire signed [CW-1:0] xx = x0_reg + KX_S;
    assign colok_c[kx] = !xx[CW-1] && (xx < W_S);
end
for (bb = 0; bb < KW; bb = bb + 1) begin : g_addr
    // bank bb holds window column x0 + ((bb - x0m) mod KW): word floor(col/KW)*CB + cblk
    /* verilator lint_off UNUSEDSIGNAL */
    /* verilator lint_off WIDTH */
    localparam [KW_W-1:0] BB_K = bb;
    /* verilator lint_on WIDTH */
    wire [QA_W-1:0] a = qa_reg + ((BB_K < x0m_reg) ? CB_Q : {QA_W{1'b0}}) + cblk_q;
    /* verilator lint_on UNUSEDSIGNAL */
    assign addr_c[bb*AB_W +: AB_W] = a[AB_W-1:0];
end
endgenerate

always @(posedge clk) begin
    if (ce) begin
        a_valid_reg <= data_ok;
        a_rsel_reg  <= rsel_c;
        a_csel_reg  <= csel_c;
        a_rowok_reg <= rowok_c;
        a_colok_reg <= colok_c;
        a_addr_reg  <= addr_c;
        a_step_reg  <= step_reg;
        a_oblk_reg  <= oblk_reg;
        a_first_reg <= (ib_reg == 0);
        a_last_reg  <= last_ib;
        a_fend_reg  <= last_frame_step;
        a_rel_reg   <= rel_issue;
    end
    if (rst) begin
        a_valid_reg <= 1'b0;
    end
end

// counters
wire [KW_W:0] x0m_sum = {1'b0, x0m_reg} + SW_MOD_K;
wire [NR_W:0] rb0_sum = {1'b0, rb0_reg} + SH_MOD_X;
wire [NR_W:0] fbb_sum = {1'b0, fbb_reg} + H_MOD_X;
/* verilator lint_off UNUSEDSIGNAL */
wire [NR_W:0] fbb_m = (fbb_sum >= NR_X) ? fbb_sum - NR_X : fbb_sum;
wire [NR_W-1:0] fbb_new = fbb_m[NR_W-1:0];
wire [NR_W:0] rbf_sum = {1'b0, fbb_new} + RB_INIT_X;
wire [NR_W:0] rbf_m = (rbf_sum >= NR_X) ? rbf_sum - NR_X : rbf_sum;
wire [NR_W:0] rb0_m = (rb0_sum >= NR_X) ? rb0_sum - NR_X : rb0_sum;
wire [KW_W:0] x0m_m = x0m_sum - KW_X;
/* verilator lint_on UNUSEDSIGNAL */

always @(posedge clk) begin
    if (issue) begin
        if (!last_ib) begin
            ib_reg <= ib_reg + 1'b1;
            step_reg <= step_reg + 1'b1;
        end else begin
            ib_reg <= {CBG_W{1'b0}};
            if (!last_r) begin
                r_reg <= r_reg + 1'b1;
                step_reg <= step_reg + 1'b1;
                oblk_reg <= oblk_reg + 1'b1;
            end else begin
                r_reg <= {RP_W{1'b0}};
                if (!last_g) begin
                    g_reg <= g_reg + 1'b1;
                    cbase_reg <= cbase_reg + CBG[CB_W-1:0];
                    step_reg <= step_reg + 1'b1;
                    oblk_reg <= oblk_reg + 1'b1;
                end else begin
                    g_reg <= {G_W{1'b0}};
                    cbase_reg <= {CB_W{1'b0}};
                    step_reg <= {STEP_W{1'b0}};
                    oblk_reg <= {OBLK_W{1'b0}};
                    if (!last_x) begin
                        xo_reg <= xo_reg + 1'b1;
                        x0_reg <= x0_reg + SW_S;
                        if (x0m_sum >= KW_X) begin
                            x0m_reg <= x0m_m[KW_W-1:0];
                            qa_reg <= qa_reg + QA_STEP1;
                        end else begin
                            x0m_reg <= x0m_sum[KW_W-1:0];
                            qa_reg <= qa_reg + QA_STEP0;
                        end
                    end else begin
                        xo_reg <= {WO_W{1'b0}};
                        x0_reg <= X0_INIT;
                        x0m_reg <= X0M_INIT_K;
                        qa_reg <= QA_INIT;
                        if (!last_y) begin
                            yo_reg <= yo_reg + 1'b1;
                            y0_reg <= y0_next_row;
                            rb0_reg <= rb0_m[NR_W-1:0];
                        end else begin
                            yo_reg <= {HO_W{1'b0}};
                            y0_reg <= Y0_INIT;
                            fb_reg <= fb_reg + H_G;
                            fbb_reg <= fbb_new;
                            rb0_reg <= rbf_m[NR_W-1:0];
                        end
                    end
                end
            end
        end
    end
    if (rst) begin
        ib_reg <= {CBG_W{1'b0}};
        r_reg <= {RP_W{1'b0}};
        g_reg <= {G_W{1'b0}};
        cbase_reg <= {CB_W{1'b0}};
        step_reg <= {STEP_W{1'b0}};
        oblk_reg <= {OBLK_W{1'b0}};
        xo_reg <= {WO_W{1'b0}};
        yo_reg <= {HO_W{1'b0}};
        x0_reg <= X0_INIT;
        y0_reg <= Y0_INIT;
        x0m_reg <= X0M_INIT_K;
        qa_reg <= QA_INIT;
        rb0_reg <= RB_INIT_N;
        fbb_reg <= {NR_W{1'b0}};
        fb_reg <= {RG_W{1'b0}};
    end
end

// ------------------------------------------------------------------ RAM banks
wire [NROWS*KW*WORD-1:0] rd_all;

generate
for (rr = 0; rr < NROWS; rr = rr + 1) begin : g_row
    for (bb = 0; bb < KW; bb = bb + 1) begin : g_bank
        nn_ram #(.DEPTH(DEPTH_B), .WIDTH(WORD), .ADDR_W(AB_W)) u_ram (
            .clk(clk),
            .we(wr_fire && wr_rb_reg == rr && wr_xm_reg == bb),
            .waddr(wr_xq_reg + {{(AB_W-CB_W){1'b0}}, wr_cb_reg}),
            .wdata(s_axis_tdata),
            .re(ce),
            .raddr(a_addr_reg[bb*AB_W +: AB_W]),
            .rdata(rd_all[(rr*KW + bb)*WORD +: WORD])
        );
    end
end
endgenerate

// ------------------------------------------------------------------ M stage
reg                 m_valid_reg;
reg [KH*NR_W-1:0]   m_rsel_reg;
reg [KW*KW_W-1:0]   m_csel_reg;
reg [KH-1:0]        m_rowok_reg;
reg [KW-1:0]        m_colok_reg;
reg [STEP_W-1:0]    m_step_reg;
reg [OBLK_W-1:0]    m_oblk_reg;
reg                 m_first_reg, m_last_reg, m_fend_reg;

always @(posedge clk) begin
    if (ce) begin
        m_valid_reg <= a_valid_reg;
        m_rsel_reg  <= a_rsel_reg;
        m_csel_reg  <= a_csel_reg;
        m_rowok_reg <= a_rowok_reg;
        m_colok_reg <= a_colok_reg;
        m_step_reg  <= a_step_reg;
        m_oblk_reg  <= a_oblk_reg;
        m_first_reg <= a_first_reg;
        m_last_reg  <= a_last_reg;
        m_fend_reg  <= a_fend_reg;
        if (a_valid_reg) begin
            rel_reg <= a_rel_reg;
        end
    end
    if (rst) begin
        m_valid_reg <= 1'b0;
        rel_reg <= {RG_W{1'b0}};
    end
end

assign m_valid = m_valid_reg;
assign m_step  = m_step_reg;

// ------------------------------------------------------------------ X stage: select rows and columns, pad
reg [KH*KW*WORD-1:0] x_win_reg;
reg                  x_valid_reg, x_first_reg, x_last_reg, x_fend_reg;
reg [OBLK_W-1:0]     x_oblk_reg;
wire [KH*KW*WORD-1:0] win_c;

generate
for (ky = 0; ky < KH; ky = ky + 1) begin : g_wy
    wire [NR_W-1:0] rs = m_rsel_reg[ky*NR_W +: NR_W];
    wire [KW*WORD-1:0] rowdata = rd_all[rs*KW*WORD +: KW*WORD];
    for (kx = 0; kx < KW; kx = kx + 1) begin : g_wx
        wire [KW_W-1:0] cs = m_csel_reg[kx*KW_W +: KW_W];
        wire [WORD-1:0] cellv = rowdata[cs*WORD +: WORD];
        assign win_c[(ky*KW + kx)*WORD +: WORD] =
            (m_rowok_reg[ky] && m_colok_reg[kx]) ? cellv : {LANES{PAD_VALUE}};
    end
end
endgenerate

always @(posedge clk) begin
    if (ce) begin
        x_win_reg   <= win_c;
        x_valid_reg <= m_valid_reg;
        x_first_reg <= m_first_reg;
        x_last_reg  <= m_last_reg;
        x_fend_reg  <= m_fend_reg;
        x_oblk_reg  <= m_oblk_reg;
    end
    if (rst) begin
        x_valid_reg <= 1'b0;
    end
end

assign x_valid     = x_valid_reg;
assign x_window    = x_win_reg;
assign x_first     = x_first_reg;
assign x_last      = x_last_reg;
assign x_frame_end = x_fend_reg;
assign x_oblk      = x_oblk_reg;

// frames are counted; tlast is not needed
wire unused_tlast = s_axis_tlast;

endmodule

`resetall
