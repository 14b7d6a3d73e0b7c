// nn_serial_mac: the serial engine's TM x TN multiply-accumulate array with its address generator: one output pixel per cycle, TN input channels by TM output channels.
`resetall
`timescale 1ns / 1ps
`default_nettype none

/*
 * A task (row tile, output block, input chunk) steps through
 *   for cb < ncb (blocks of TN input channels): for ky < KH: for kx < KW:
 *     for every output pixel p of the tile (max(P, PMIN) cycles):
 *       acc[p][m] (op) x[cb*TN+n][iy][ix] * w[m][n]      m < TM, n < TN
 * with iy = oy*SH - PH + ky, ix = ox*SW - PW + kx; cells outside the input
 * read as 0 (MAC, SUM) or PADV (MAX). The first step of the first chunk
 * starts from the bias (MAC), 0 (SUM) or the value (MAX). Passes (MAX,
 * SUM: pools) use lane m = channel m of the block, m < TP.
 * Pipeline: s0 address, s1 buffer read, s2 element select, s3 products,
 * s4 adder tree and accumulator read, write at the end of s4. An
 * accumulator is read again at least PMIN cycles after it was written.
 * Reduction packing (RPG > 0, KH = KW = 1 here): step cb gives lane n < RPE
 * the pair i = cb*RPE + n of the C*RKH*RKW (channel c, kernel position p),
 * i = p*C + c (RPE = TN, or the multiple of C below TN when C < TN); lane
 * n sees only channels c = n mod RPG, RPG = gcd(C, RPE), which its bank
 * holds at slot c / RPG. Each lane keeps its slot, (ky, kx) and their
 * buffer offsets and advances them by RPE pairs a step: slot += RPD
 * ((RPE mod C) / RPG), past RPCG (C / RPG) slots back by RPCG and one
 * kernel position on, and RPQY rows and RPQX columns on (RPE / C positions;
 * 0 when C > TN). Lanes n >= RPE or with i >= RPN (C*RKH*RKW) are masked.
 */
module nn_serial_mac #(
    parameter TM = 8,
    parameter TN = 8,
    parameter TP = 8,
    // activation datapath bits (the widest activation container)
    parameter CW = 8,
    // weight container bits
    parameter WCW = 8,
    // memory word bits (MW / CW values)
    parameter MW = 64,
    // memory word address bits (the descriptor layout)
    parameter AW = 32,
    // accumulator bits
    parameter ACC_W = 32,
    // bias container bits
    parameter BW = 32,
    parameter IBD = 1024,
    parameter WBD = 256,
    parameter WSUB = 16,
    // memory words of bias per slot
    parameter NBW = 4,
    // accumulator words per bank
    parameter ABD = 1024
) (
    input  wire          clk,
    input  wire          rst,
    input  wire          init,
    output wire          done,

    // the descriptor (nn_serial_desc.vh), registered in nn_serial_core;
    // this unit reads some of its fields
    /* verilator lint_off UNUSEDSIGNAL */
    input  wire [D_W-1:0] fields,
    /* verilator lint_on UNUSEDSIGNAL */

    input  wire [7:0]    in_fill,
    input  wire [7:0]    w_fill,
    output reg  [7:0]    in_cons,
    output reg  [7:0]    w_cons,
    output reg  [7:0]    acc_done,
    input  wire [7:0]    acc_freed,

    // one read address per input bank (lane)
    output wire [TN*($clog2(IBD)+1)-1:0] ib_raddr,
    input  wire [TN*MW-1:0] ib_rdata,
    output wire [$clog2(WBD):0] wb_raddr,
    input  wire [WSUB*MW-1:0] wb_rdata,
    input  wire [2*NBW*MW-1:0] bias_flat,

    output wire          acc_re,
    output wire          acc_bank,
    output wire [$clog2(ABD)-1:0] acc_raddr,
    // both banks; the one in use is selected here
    input  wire [2*TM*ACC_W-1:0] acc_rdata,
    output wire          acc_we,
    output wire          acc_wbank,
    output wire [$clog2(ABD)-1:0] acc_waddr,
    output wire [TM*ACC_W-1:0] acc_wdata
);

`include "nn_serial_desc.vh"

// the descriptor fields this unit uses
wire [D_OP_W-1:0] op = fields[D_OP_OFF +: D_OP_W];
// input container: 0 8 bits, 1 16, 2 32
wire [D_CI_W-1:0] ci = fields[D_CI_OFF +: D_CI_W];
wire [D_H_W-1:0] h = fields[D_H_OFF +: D_H_W];
wire [D_W_W-1:0] w = fields[D_W_OFF +: D_W_W];
wire [D_OW_W-1:0] ow = fields[D_OW_OFF +: D_OW_W];
wire [D_KH_W-1:0] kh = fields[D_KH_OFF +: D_KH_W];
wire [D_KW_W-1:0] kw = fields[D_KW_OFF +: D_KW_W];
// kernel packing: lane n holds channel n mod C at kernel offset
// (jy, jx), q = n / C = (n * PM) >> 16, jy = q / KXS = (q * PM2) >> 16,
// jx = q - jy * KXS; kx advances KXS columns a step, ky KYS rows
// (KXS = KYS = 1, PM = 0: no packing)
wire [D_KXS_W-1:0] kxs = fields[D_KXS_OFF +: D_KXS_W];
wire [D_KYS_W-1:0] kys = fields[D_KYS_OFF +: D_KYS_W];
wire [D_PM_W-1:0] pm = fields[D_PM_OFF +: D_PM_W];
wire [D_PM2_W-1:0] pm2 = fields[D_PM2_OFF +: D_PM2_W];
// reduction packing: gcd(C, TN) (0: off), TN / RPG, C / RPG, the
// pairs C*KH*KW and the kernel width
wire [D_RPG_W-1:0] rpg = fields[D_RPG_OFF +: D_RPG_W];
wire [D_RPD_W-1:0] rpd = fields[D_RPD_OFF +: D_RPD_W];
wire [D_RPCG_W-1:0] rpcg = fields[D_RPCG_OFF +: D_RPCG_W];
wire [D_RPN_W-1:0] rpn = fields[D_RPN_OFF +: D_RPN_W];
wire [D_RKW_W-1:0] rkw = fields[D_RKW_OFF +: D_RKW_W];
wire [D_RPE_W-1:0] rpe = fields[D_RPE_OFF +: D_RPE_W];
wire [D_RPQX_W-1:0] rpqx = fields[D_RPQX_OFF +: D_RPQX_W];
wire [D_RPQY_W-1:0] rpqy = fields[D_RPQY_OFF +: D_RPQY_W];
wire [D_SH_W-1:0] sh = fields[D_SH_OFF +: D_SH_W];
wire [D_SW_W-1:0] sw = fields[D_SW_OFF +: D_SW_W];
wire [D_PW_W-1:0] pw = fields[D_PW_OFF +: D_PW_W];
wire [D_WPWI_W-1:0] wpwi = fields[D_WPWI_OFF +: D_WPWI_W];
wire [D_IPL_W-1:0] ipl = fields[D_IPL_OFF +: D_IPL_W];
wire [D_PADV_W-1:0] padv = fields[D_PADV_OFF +: D_PADV_W];
wire [D_IN_EVERY_W-1:0] in_every = fields[D_IN_EVERY_OFF +: D_IN_EVERY_W];
wire [D_W_ONCE_W-1:0] w_once = fields[D_W_ONCE_OFF +: D_W_ONCE_W];
wire [D_NRT_W-1:0] nrt = fields[D_NRT_OFF +: D_NRT_W];
wire [D_TR_W-1:0] tr = fields[D_TR_OFF +: D_TR_W];
wire [D_ROWS_LAST_W-1:0] rows_last = fields[D_ROWS_LAST_OFF +: D_ROWS_LAST_W];
wire [D_TRSH_W-1:0] trsh = fields[D_TRSH_OFF +: D_TRSH_W];
wire [D_PH_W-1:0] ph = fields[D_PH_OFF +: D_PH_W];
// the top input row of the first row tile (nn_serial_walk): -ph, or a
// band's first row, at or below the input's top (never in between)
wire signed [D_IYS_W-1:0] iys = fields[D_IYS_OFF +: D_IYS_W];
wire [D_NOB_W-1:0] nob = fields[D_NOB_OFF +: D_NOB_W];
wire [D_NM_LAST_W-1:0] nm_last = fields[D_NM_LAST_OFF +: D_NM_LAST_W];
wire [D_NCC_W-1:0] ncc = fields[D_NCC_OFF +: D_NCC_W];
wire [D_TC_W-1:0] tc = fields[D_TC_OFF +: D_TC_W];
wire [D_NC_LAST_W-1:0] nc_last = fields[D_NC_LAST_OFF +: D_NC_LAST_W];
wire [D_NCB_FULL_W-1:0] ncb_full = fields[D_NCB_FULL_OFF +: D_NCB_FULL_W];
wire [D_NCB_LAST_W-1:0] ncb_last = fields[D_NCB_LAST_OFF +: D_NCB_LAST_W];

localparam E = MW / 8;
localparam LE = (E > 1) ? $clog2(E) : 1;
localparam integer LOGE_I = $clog2(E);
localparam [7:0] LOGE = LOGE_I[7:0];
wire [7:0] se = LOGE - {6'd0, ci};        // log2 of the values per word
localparam IBA = $clog2(IBD);
localparam WBA = $clog2(WBD);
localparam ABA = $clog2(ABD);
localparam PW_ = CW + WCW + $clog2(TN) + 1;
localparam PMIN = 4;

initial begin
    if (MW % CW != 0 || (1 << $clog2(E)) != E || MW < CW || ACC_W > BW || TP > TM || TP > TN) begin
        $error("Error: MW must be a power-of-two multiple of CW, ACC_W <= BW, TP <= TM, TN (instance %m)");
        $finish;
    end
end

wire pass = op != OP_MAC;

// ---------------------------------------------------------------- walk
reg walk_step;
// every unit uses its own subset of the shared walker's outputs
/* verilator lint_off UNUSEDSIGNAL */
wire [15:0] rt, ob, cc, or0, pr0, o0, ccs, rows, prows, nm, cs, nc, ncb;
wire signed [17:0] iy0;
wire first_task, last_task, first_cc, last_cc, first_in_rt;
/* verilator lint_on UNUSEDSIGNAL */

nn_serial_walk #(.TM(TM), .TP(TP)) u_walk (
    .clk(clk), .init(init), .step(walk_step), .pass(pass),
    .nrt(nrt), .tr(tr), .rows_last(rows_last), .trp(16'd0), .prows_last(16'd0),
    .trsh(trsh), .iys(iys), .nob(nob), .nm_last(nm_last), .ncc(ncc), .tc(tc),
    .nc_last(nc_last), .ncb_full(ncb_full), .ncb_last(ncb_last),
    .rt(rt), .ob(ob), .cc(cc), .or0(or0), .pr0(pr0), .o0(o0), .ccs(ccs), .iy0(iy0),
    .rows(rows), .prows(prows), .nm(nm), .cs(cs), .nc(nc), .ncb(ncb),
    .first_task(first_task), .last_task(last_task), .first_cc(first_cc),
    .last_cc(last_cc), .first_in_rt(first_in_rt)
);

wire needs_in = in_every || first_in_rt;
wire needs_w = !pass && (!w_once || first_task);

// ---------------------------------------------------------------- descriptor constants
// Buffer addresses are needed modulo IBD only (IBA bits) and pixel counts
// up to ABD, so the products of descriptor fields the address generator
// uses are formed once per descriptor, by shift and add over PK_N cycles
// after init (while the first tiles load), in IBA or NPW bits:
//   SHW = SH*WPWI, KYSW = KYS*WPWI (row steps), PHW = PH*WPWI, TRSHW =
//   TRSH*WPWI (a row tile's first input row IY0 = -PH + RT*TRSH, times
//   WPWI), NPIX_FULL = TR*OW, NPIX_LAST = ROWS_LAST*OW (pixels of a tile).
// The kernel packing offsets of each lane come from a walk over the lanes
// (TN cycles, packed layers only): lane n holds channel n mod C at kernel
// offset q = n / C, jy = q / KXS, jx = q mod KXS, and its row offset
// jy*WPWI. The array starts a descriptor only when both are done.
localparam NPW = ABA + 1;
localparam PK_N = (IBA > NPW) ? ((IBA > 8) ? IBA : 8) : ((NPW > 8) ? NPW : 8);
/* verilator lint_off UNUSEDSIGNAL */
wire [31:0] rpd_x = {24'd0, rpd}, rpcg_x = {16'd0, rpcg}, rpqy_x = {24'd0, rpqy};
wire [31:0] sh_x = {24'd0, sh}, kys_x = {24'd0, kys}, ph_x = {24'd0, ph};
wire [31:0] trsh_x = {16'd0, trsh}, tr_x = {16'd0, tr}, rl_x = {16'd0, rows_last};
wire [31:0] wpwi_x = {16'd0, wpwi}, ow_x = {16'd0, ow}, ipl_x = {16'd0, ipl};
/* verilator lint_on UNUSEDSIGNAL */
reg [IBA-1:0] shw, kysw, phw, trshw, pk_w, qyw;
reg [IBA-1:0] dipl, cgipl, pk_i;      // RPD*IPL, RPCG*IPL
reg [PK_N-1:0] pk_rd, pk_rc, pk_qy;
reg [NPW-1:0] npix_full, npix_last, pk_o;
reg [PK_N-1:0] pk_sh, pk_kys, pk_ph, pk_trsh, pk_tr, pk_rl;
reg [PK_N:0] pk_n;                   // one-hot bit counter: done at pk_n[PK_N]
wire pk_done = pk_n[PK_N];
always @(posedge clk) begin
    if (init) begin
        shw <= {IBA{1'b0}}; kysw <= {IBA{1'b0}}; phw <= {IBA{1'b0}}; trshw <= {IBA{1'b0}};
        qyw <= {IBA{1'b0}}; pk_qy <= rpqy_x[PK_N-1:0];
        npix_full <= {NPW{1'b0}}; npix_last <= {NPW{1'b0}};
        pk_w <= wpwi_x[IBA-1:0];
        pk_o <= ow_x[NPW-1:0];
        dipl <= {IBA{1'b0}}; cgipl <= {IBA{1'b0}};
        pk_i <= ipl_x[IBA-1:0];
        pk_rd <= rpd_x[PK_N-1:0]; pk_rc <= rpcg_x[PK_N-1:0];
        pk_sh <= sh_x[PK_N-1:0]; pk_kys <= kys_x[PK_N-1:0]; pk_ph <= ph_x[PK_N-1:0];
        pk_trsh <= trsh_x[PK_N-1:0]; pk_tr <= tr_x[PK_N-1:0]; pk_rl <= rl_x[PK_N-1:0];
        pk_n <= {{PK_N{1'b0}}, 1'b1};
    end else if (!pk_done) begin
        if (pk_sh[0]) shw <= shw + pk_w;
        if (pk_kys[0]) kysw <= kysw + pk_w;
        if (pk_ph[0]) phw <= phw + pk_w;
        if (pk_trsh[0]) trshw <= trshw + pk_w;
        if (pk_tr[0]) npix_full <= npix_full + pk_o;
        if (pk_rl[0]) npix_last <= npix_last + pk_o;
        if (pk_rd[0]) dipl <= dipl + pk_i;
        if (pk_rc[0]) cgipl <= cgipl + pk_i;
        if (pk_qy[0]) qyw <= qyw + pk_w;
        pk_qy <= pk_qy >> 1;
        pk_w <= pk_w << 1;
        pk_o <= pk_o << 1;
        pk_i <= pk_i << 1;
        pk_rd <= pk_rd >> 1; pk_rc <= pk_rc >> 1;
        pk_sh <= pk_sh >> 1; pk_kys <= pk_kys >> 1; pk_ph <= pk_ph >> 1;
        pk_trsh <= pk_trsh >> 1; pk_tr <= pk_tr >> 1; pk_rl <= pk_rl >> 1;
        pk_n <= pk_n << 1;
    end
end

// The lanes: a shift register that the walk enters at lane TN-1, so lane n
// holds walk step n after TN steps. Step n has QA = n*PM, q = QA[23:16]
// (= n / C), YA = q*PM2, jy = YA[23:16] (= q / KXS), JYX = jy*KXS, jx = q -
// JYX, each advanced by an addition: q and jy grow by at most one a lane
// since PM, PM2 <= 2^16 (that is C, KXS >= 1).
reg [TN*8-1:0] joff, jyoff;
reg [TN*IBA-1:0] jrow;               // jy * WPWI
// reduction packing: each lane's channel slot and its buffer offset
// SLOT*IPL, now (rsl, rsb) and at a task's start (rsl0 = n / RPG, rsb0)
reg [TN*16-1:0] rsl, rsl0;
reg [TN*IBA-1:0] rsb, rsb0;
// and its kernel position at a task's start (C < TN: lane n at n / C)
reg [TN*8-1:0] joff0, jyoff0;
reg [TN*IBA-1:0] jrow0;
reg [7:0] lw_gc, lw_px, lw_py;
reg [15:0] lw_sl;
reg [IBA-1:0] lw_sb, lw_prow;
wire rp = rpg != 8'd0;
wire rp_go, rp_adv;
reg [15:0] lw_n;
reg [23:0] lw_qa, lw_ya;
reg [7:0] lw_jyx;
reg [IBA-1:0] lw_row;
reg lw_on;
wire lw_done = !lw_on;
wire [23:0] lw_qa_next = lw_qa + {7'd0, pm};
wire [23:0] lw_ya_next = lw_ya + {7'd0, pm2};
wire [IBA-1:0] wpwi_a = wpwi_x[IBA-1:0];
integer li, lr;
// each lane's next slot: slot + RPD, less RPCG when it passes RPCG (the
// lane moves to the next kernel position); once at most, RPD < RPCG; and
// its next column: kx + RPQX (+ 1 on that wrap), less RKW past the
// kernel's width (a row on: once at most, RPQX < RKW)
reg [TN*16-1:0] rp_sl;
reg [TN-1:0] rp_wrap, rp_cy;
reg [TN*8-1:0] rp_kx;
/* verilator lint_off UNUSEDSIGNAL */
reg [16:0] rp_s;
reg [8:0] rp_x;
/* verilator lint_on UNUSEDSIGNAL */
always @* begin
    for (lr = 0; lr < TN; lr = lr + 1) begin
        rp_s = {1'b0, rsl[lr*16 +: 16]} + {9'd0, rpd};
        rp_wrap[lr] = rp_s >= {1'b0, rpcg};
        if (rp_wrap[lr]) rp_s = rp_s - {1'b0, rpcg};
        rp_sl[lr*16 +: 16] = rp_s[15:0];
        rp_x = {1'b0, joff[lr*8 +: 8]} + {1'b0, rpqx} + {8'd0, rp_wrap[lr]};
        rp_cy[lr] = rp_x >= {1'b0, rkw};
        if (rp_cy[lr]) rp_x = rp_x - {1'b0, rkw};
        rp_kx[lr*8 +: 8] = rp_x[7:0];
    end
end
always @(posedge clk) begin
    if (init) begin
        // not packed (PM = 0): every lane at offset 0, nothing to walk
        joff <= {TN*8{1'b0}};
        jyoff <= {TN*8{1'b0}};
        jrow <= {TN*IBA{1'b0}};
        rsl <= {TN*16{1'b0}}; rsl0 <= {TN*16{1'b0}};
        rsb <= {TN*IBA{1'b0}}; rsb0 <= {TN*IBA{1'b0}};
        joff0 <= {TN*8{1'b0}}; jyoff0 <= {TN*8{1'b0}}; jrow0 <= {TN*IBA{1'b0}};
        lw_on <= pm != 17'd0 || rp;
        lw_n <= 16'd0;
        lw_qa <= 24'd0; lw_ya <= 24'd0; lw_jyx <= 8'd0; lw_row <= {IBA{1'b0}};
        lw_gc <= 8'd0; lw_sl <= 16'd0; lw_sb <= {IBA{1'b0}};
        lw_px <= 8'd0; lw_py <= 8'd0; lw_prow <= {IBA{1'b0}};
    end else if (rp_go) begin
        // a task starts: every lane at its first pair (slot and kernel
        // position), as the walk after init left them
        joff <= joff0;
        jyoff <= jyoff0;
        jrow <= jrow0;
        rsl <= rsl0;
        rsb <= rsb0;
    end else if (rp_adv) begin
        // a step: RPE pairs on
        for (li = 0; li < TN; li = li + 1) begin
            if (rp_wrap[li])
                rsb[li*IBA +: IBA] <= rsb[li*IBA +: IBA] + dipl - cgipl;
            else
                rsb[li*IBA +: IBA] <= rsb[li*IBA +: IBA] + dipl;
            joff[li*8 +: 8] <= rp_kx[li*8 +: 8];
            jyoff[li*8 +: 8] <= jyoff[li*8 +: 8] + rpqy + {7'd0, rp_cy[li]};
            jrow[li*IBA +: IBA] <= jrow[li*IBA +: IBA] + qyw + (rp_cy[li] ? wpwi_a : {IBA{1'b0}});
            rsl[li*16 +: 16] <= rp_sl[li*16 +: 16];
        end
    end else if (lw_on) begin
        for (li = 0; li < TN - 1; li = li + 1) begin
            joff[li*8 +: 8] <= joff[(li+1)*8 +: 8];
            jyoff[li*8 +: 8] <= jyoff[(li+1)*8 +: 8];
            jrow[li*IBA +: IBA] <= jrow[(li+1)*IBA +: IBA];
        end
        for (li = 0; li < TN - 1; li = li + 1) begin
            rsl0[li*16 +: 16] <= rsl0[(li+1)*16 +: 16];
            rsb0[li*IBA +: IBA] <= rsb0[(li+1)*IBA +: IBA];
            joff0[li*8 +: 8] <= joff0[(li+1)*8 +: 8];
            jyoff0[li*8 +: 8] <= jyoff0[(li+1)*8 +: 8];
            jrow0[li*IBA +: IBA] <= jrow0[(li+1)*IBA +: IBA];
        end
        rsl0[(TN-1)*16 +: 16] <= lw_sl;
        rsb0[(TN-1)*IBA +: IBA] <= lw_sb;
        joff0[(TN-1)*8 +: 8] <= lw_px;
        jyoff0[(TN-1)*8 +: 8] <= lw_py;
        jrow0[(TN-1)*IBA +: IBA] <= lw_prow;
        // lane n + 1: the next pair (C < TN: past the last slot, the next
        // kernel position)
        if (lw_gc == rpg - 8'd1) begin
            lw_gc <= 8'd0;
            if (lw_sl + 16'd1 == rpcg) begin
                lw_sl <= 16'd0;
                lw_sb <= {IBA{1'b0}};
                if (lw_px + 8'd1 == rkw) begin
                    lw_px <= 8'd0;
                    lw_py <= lw_py + 8'd1;
                    lw_prow <= lw_prow + wpwi_a;
                end else begin
                    lw_px <= lw_px + 8'd1;
                end
            end else begin
                lw_sl <= lw_sl + 16'd1;
                lw_sb <= lw_sb + ipl_x[IBA-1:0];
            end
        end else begin
            lw_gc <= lw_gc + 8'd1;
        end
        joff[(TN-1)*8 +: 8] <= lw_qa[23:16] - lw_jyx;
        jyoff[(TN-1)*8 +: 8] <= lw_ya[23:16];
        jrow[(TN-1)*IBA +: IBA] <= lw_row;
        lw_n <= lw_n + 16'd1;
        if (lw_n == TN[15:0] - 16'd1) lw_on <= 1'b0;
        lw_qa <= lw_qa_next;
        if (lw_qa_next[23:16] != lw_qa[23:16]) begin
            lw_ya <= lw_ya_next;
            if (lw_ya_next[23:16] != lw_ya[23:16]) begin
                lw_jyx <= lw_jyx + kxs;
                lw_row <= lw_row + wpwi_a;
            end
        end
    end
end

// ---------------------------------------------------------------- control
localparam S_IDLE = 3'd0, S_SETTLE = 3'd1, S_START = 3'd2, S_WAIT = 3'd3, S_RUN = 3'd4,
           S_NEXT = 3'd5, S_FLUSH = 3'd6;
reg [2:0] state;
reg [7:0] acc_used;
reg islot, wslot, abank;

// step counters
reg [15:0] cb, ky, kx, kxp;          // kxp = kx * KXS
reg [15:0] kyp;                      // ky * KYS
reg [15:0] crem;                     // nc - cb*TN
reg [IBA-1:0] cbase;                 // cb*IPL
reg [WBA-1:0] widx;
// pixel counters: a tile has at most ABD pixels (and runs at least PMIN)
localparam PCW = ABA + 2;
reg [PCW-1:0] pc, plen, npix;
reg [15:0] px;
reg signed [17:0] iy, ix;
// buffer row offsets, modulo IBD: ROWOFF = (iy - ir0)*WPWI of the pixel,
// KYROW that of the first output row at this ky, RTBASE = (iy0 - ir0)*WPWI
// of the task, RTW = RT*TRSHW
reg [IBA-1:0] rowoff, kyrow, rtbase, rtw;
reg init_step;                   // first step of the first chunk
wire last_step = (kx == kw - 16'd1) && (ky == kh - 16'd1) && (cb == ncb - 16'd1);
wire last_pix = pc == plen - 1'b1;
wire last_rt = rt == nrt - 16'd1;
/* verilator lint_off UNUSEDSIGNAL */
wire [PCW+NPW-1:0] npix_x = {{PCW{1'b0}}, last_rt ? npix_last : npix_full};
/* verilator lint_on UNUSEDSIGNAL */
wire [PCW-1:0] npix_t = npix_x[PCW-1:0];
wire go = state == S_WAIT && (!needs_in || in_fill != in_cons) && (pass || w_fill != w_cons) &&
          (!first_cc || (acc_used - acc_freed) < 8'd2) && pk_done && lw_done;

// s0 registers
reg v0, wr0, init0, slot0;
reg [TN-1:0] pad0;
reg [TN*IBA-1:0] ia0;
reg [TN*LE-1:0] es0;
reg [ABA-1:0] aa0;
reg [TN-1:0] mask0;
reg [WBA-1:0] wi0;
reg wslot0, abank0, acc_last0;

// per lane: whether its cell is inside the input, its buffer address
// (only the low IBA bits address the slot) and element
genvar g;
reg [TN-1:0] pad_w;
reg [TN*IBA-1:0] ia_w;
reg [TN*LE-1:0] es_w;
reg signed [17:0] ixn, iyn;
// the column's word: only its low IBA bits address the slot
/* verilator lint_off UNUSEDSIGNAL */
reg signed [17:0] ixs;
/* verilator lint_on UNUSEDSIGNAL */
integer q;
always @* begin
    for (q = 0; q < TN; q = q + 1) begin
        ixn = ix + $signed({10'd0, joff[q*8 +: 8]});
        iyn = iy + $signed({10'd0, jyoff[q*8 +: 8]});
        pad_w[q] = !(iyn >= 0 && iyn < $signed({2'd0, h}) && ixn >= 0 && ixn < $signed({2'd0, w}));
        ixs = ixn >>> se;
        ia_w[q*IBA +: IBA] = cbase + rsb[q*IBA +: IBA] + rowoff + jrow[q*IBA +: IBA] + ixs[IBA-1:0];
        es_w[q*LE +: LE] = (E > 1) ? (ixn[LE-1:0] & ~({LE{1'b1}} << se)) : {LE{1'b0}};
    end
end

integer n;
reg [TN-1:0] mask_w;
always @* begin
    for (n = 0; n < TN; n = n + 1) mask_w[n] = crem > n[15:0] && (!rp || rpe > n[7:0]);
end

always @(posedge clk) begin
    walk_step <= 1'b0;
    v0 <= 1'b0;
    acc_last0 <= 1'b0;
    if (rst) begin
        state <= S_IDLE;
        in_cons <= 8'd0;
        w_cons <= 8'd0;
        acc_used <= 8'd0;
    end else begin
        case (state)
        S_IDLE: ;
        S_SETTLE: if (!walk_step) state <= S_START;
        S_START: begin
            // release the previous task's tiles when this one needs new ones
            if (needs_in && !first_task) in_cons <= in_cons + 8'd1;
            if (needs_w && !first_task) w_cons <= w_cons + 8'd1;
            state <= S_WAIT;
        end
        S_WAIT: begin
            if (go) begin
                islot <= in_cons[0];
                wslot <= w_cons[0];
                if (first_cc) begin
                    abank <= acc_used[0];
                    acc_used <= acc_used + 8'd1;
                end
                cb <= 16'd0; ky <= 16'd0; kx <= 16'd0; kxp <= 16'd0; kyp <= 16'd0;
                crem <= rp ? rpn : nc;
                cbase <= {IBA{1'b0}};
                widx <= {WBA{1'b0}};
                init_step <= first_cc;
                pc <= {PCW{1'b0}};
                npix <= npix_t;
                plen <= npix_t < PMIN ? PMIN[PCW-1:0] : npix_t;
                px <= 16'd0;
                iy <= iy0;
                ix <= -$signed({10'd0, pw});
                // (iy0 - ir0)*WPWI: iy0*WPWI above the input, 0 inside it
                rtbase <= iy0 < 0 ? rtw - phw : {IBA{1'b0}};
                kyrow <= iy0 < 0 ? rtw - phw : {IBA{1'b0}};
                rowoff <= iy0 < 0 ? rtw - phw : {IBA{1'b0}};
                state <= S_RUN;
            end
        end
        S_RUN: begin
            v0 <= 1'b1;
            wr0 <= pc < npix;
            pad0 <= pad_w;
            init0 <= init_step;
            slot0 <= islot;
            ia0 <= ia_w;
            es0 <= es_w;
            aa0 <= pc[ABA-1:0];
            mask0 <= mask_w;
            wi0 <= widx;
            wslot0 <= wslot;
            abank0 <= abank;
            acc_last0 <= last_pix && last_step && last_cc;
            if (!last_pix) begin
                pc <= pc + 1'b1;
                if (px == ow - 16'd1) begin
                    px <= 16'd0;
                    ix <= $signed({2'd0, kxp}) - $signed({10'd0, pw});
                    iy <= iy + $signed({10'd0, sh});
                    rowoff <= rowoff + shw;
                end else begin
                    px <= px + 16'd1;
                    ix <= ix + $signed({10'd0, sw});
                end
            end else begin
                pc <= {PCW{1'b0}};
                px <= 16'd0;
                widx <= widx + 1'b1;
                init_step <= 1'b0;
                if (last_step) begin
                    state <= S_NEXT;
                end else if (kx != kw - 16'd1) begin
                    kx <= kx + 16'd1;
                    kxp <= kxp + {8'd0, kxs};
                    ix <= $signed({2'd0, kxp}) + $signed({10'd0, kxs}) - $signed({10'd0, pw});
                    iy <= iy0 + $signed({2'd0, kyp});
                    rowoff <= kyrow;
                end else begin
                    kx <= 16'd0;
                    kxp <= 16'd0;
                    ix <= -$signed({10'd0, pw});
                    if (ky != kh - 16'd1) begin
                        ky <= ky + 16'd1;
                        kyp <= kyp + {8'd0, kys};
                        iy <= iy0 + $signed({2'd0, kyp}) + $signed({10'd0, kys});
                        kyrow <= kyrow + kysw;
                        rowoff <= kyrow + kysw;
                    end else begin
                        ky <= 16'd0;
                        kyp <= 16'd0;
                        iy <= iy0;
                        kyrow <= rtbase;
                        rowoff <= rtbase;
                        cb <= cb + 16'd1;
                        crem <= crem - (rp ? {8'd0, rpe} : TN[15:0]);
                        // (reduction packing: each lane's slot offset instead)
                        if (!rp) cbase <= cbase + ipl_x[IBA-1:0];
                    end
                end
            end
        end
        S_NEXT: begin
            if (last_task) begin
                state <= S_FLUSH;
            end else begin
                walk_step <= 1'b1;
                // the walk moves to the next row tile: iy0 += TRSH
                if (last_cc && ob == nob - 16'd1) rtw <= rtw + trshw;
                state <= S_SETTLE;
            end
        end
        S_FLUSH: if (!v0 && !v1 && !v2 && !v3) begin
            // the layer is over: release what the last task held
            in_cons <= in_cons + 8'd1;
            if (!pass) w_cons <= w_cons + 8'd1;
            state <= S_IDLE;
        end
        default: state <= S_IDLE;
        endcase
        if (init) begin
            state <= S_SETTLE;
            rtw <= {IBA{1'b0}};
        end
    end
end

assign done = state == S_IDLE && !init;
assign rp_go = rp && go;
assign rp_adv = rp && state == S_RUN && last_pix;

// ---------------------------------------------------------------- s1: buffer read
generate
    for (g = 0; g < TN; g = g + 1) begin : g_raddr
        assign ib_raddr[g*(IBA+1) +: IBA+1] = {slot0, ia0[g*IBA +: IBA]};
    end
endgenerate
assign wb_raddr = {wslot0, wi0};
reg v1, wr1, init1, acc_last1, wslot1, abank1;
reg [TN-1:0] pad1;
reg [TN*LE-1:0] es1;
reg [ABA-1:0] aa1;
reg [TN-1:0] mask1;
always @(posedge clk) begin
    v1 <= v0 && !rst;
    wr1 <= wr0; pad1 <= pad0; init1 <= init0;
    acc_last1 <= acc_last0 && v0;
    es1 <= es0; aa1 <= aa0; ci1 <= ci; mask1 <= mask0; wslot1 <= wslot0; abank1 <= abank0;
end

// ---------------------------------------------------------------- s2: element select
reg v2, wr2, init2, acc_last2, wslot2, abank2;
reg [ABA-1:0] aa2;
reg [TN*CW-1:0] x2;
// the array word: WSUB memory words, padding above TM*TN*WCW bits
/* verilator lint_off UNUSEDSIGNAL */
reg [WSUB*MW-1:0] w2;
/* verilator lint_on UNUSEDSIGNAL */
reg [1:0] ci1;
// each lane's element: value es of its word in the input container (8,
// 16 or 32 bits, E, E/2 or E/4 of them a word), sign-extended; the
// datapath takes its low CW bits. One small multiplexer per container
// size rather than a shift of the whole word.
localparam E16 = (E >= 2) ? E / 2 : 0;
localparam E32 = (E >= 4) ? E / 4 : 0;
// the words padded to at least 32 bits, so every select is in range
localparam XMW = (MW > 32) ? MW : 32;
wire [TN*XMW-1:0] ib_wide;
generate
    for (g = 0; g < TN; g = g + 1) begin : g_wide
        if (MW >= 32) begin : g_same
            assign ib_wide[g*XMW +: XMW] = ib_rdata[g*MW +: MW];
        end else begin : g_pad
            assign ib_wide[g*XMW +: XMW] = {{(XMW-MW){1'b0}}, ib_rdata[g*MW +: MW]};
        end
    end
endgenerate
/* verilator lint_off UNUSEDSIGNAL */
reg [7:0] e8;
reg [15:0] e16;
reg [31:0] e32, el;
/* verilator lint_on UNUSEDSIGNAL */
integer j, ei;
reg [TN*CW-1:0] x2_next;
always @* begin
    for (j = 0; j < TN; j = j + 1) begin
        e8 = ib_wide[j*XMW +: 8];
        e16 = 16'd0;
        e32 = 32'd0;
        for (ei = 1; ei < E; ei = ei + 1)
            if (es1[j*LE +: LE] == ei[LE-1:0]) e8 = ib_wide[j*XMW + ei*8 +: 8];
        for (ei = 0; ei < E16; ei = ei + 1)
            if (es1[j*LE +: LE] == ei[LE-1:0]) e16 = ib_wide[j*XMW + ei*16 +: 16];
        for (ei = 0; ei < E32; ei = ei + 1)
            if (es1[j*LE +: LE] == ei[LE-1:0]) e32 = ib_wide[j*XMW + ei*32 +: 32];
        case (ci1)
        2'd0: el = {{24{e8[7]}}, e8};
        2'd1: el = {{16{e16[15]}}, e16};
        default: el = e32;
        endcase
        if (!mask1[j]) x2_next[j*CW +: CW] = {CW{1'b0}};
        else if (pad1[j]) x2_next[j*CW +: CW] = (op == OP_MAX) ? padv : {CW{1'b0}};
        else x2_next[j*CW +: CW] = el[CW-1:0];
    end
end
always @(posedge clk) begin
    v2 <= v1 && !rst;
    wr2 <= wr1; init2 <= init1; acc_last2 <= acc_last1;
    wslot2 <= wslot1; abank2 <= abank1; aa2 <= aa1;
    w2 <= wb_rdata;
    x2 <= x2_next;
end

// ---------------------------------------------------------------- s3: operands
// The operands are registered here and the products summed in s4, so that
// each output lane is one dot product of TN terms: yosys maps it to a chain
// of TN DSP48E1s (post-adders cascaded through PCIN), or of SB_MAC16s.
// (Registered products followed by the sum map wrongly in yosys 0.23's
// synth_xilinx: the post-adder packing leaves the C input undriven and the
// other products are removed.)
reg v3, wr3, init3, acc_last3, wslot3, abank3;
reg [ABA-1:0] aa3;
reg [TN*CW-1:0] x3;
reg [TM*TN*WCW-1:0] w3;
always @(posedge clk) begin
    v3 <= v2 && !rst;
    wr3 <= wr2; init3 <= init2; acc_last3 <= acc_last2;
    wslot3 <= wslot2; abank3 <= abank2; aa3 <= aa2;
    x3 <= x2;
    w3 <= w2[TM*TN*WCW-1:0];
end

// ---------------------------------------------------------------- s4: sum, accumulate, write
assign acc_re = v3;
assign acc_bank = abank3;
assign acc_raddr = aa3;
reg v4, wr4, init4, acc_last4, wslot4, abank4;
reg [ABA-1:0] aa4;
// when the sum is wider than the accumulator its top bits are dropped: the
// accumulator holds every layer's whole sum, so arithmetic modulo 2^ACC_W
// is exact
/* verilator lint_off UNUSEDSIGNAL */
reg [TM*PW_-1:0] s4;
/* verilator lint_on UNUSEDSIGNAL */
reg signed [PW_-1:0] t;
integer mc, kc;
reg [TM*PW_-1:0] s4_next;
// (the sum and the pass value are combined by AND-OR, not a multiplexer:
// yosys 0.23's ice40_dsp takes a multiplexer after a lone product, TN = 1,
// for its output register and drops the other input)
reg signed [PW_-1:0] tx;
always @* begin
    for (mc = 0; mc < TM; mc = mc + 1) begin
        t = {PW_{1'b0}};
        for (kc = 0; kc < TN; kc = kc + 1)
            t = t + $signed(x3[kc*CW +: CW]) * $signed(w3[(mc*TN+kc)*WCW +: WCW]);
        tx = {PW_{1'b0}};
        if (mc < TP) tx = {{(PW_-CW){x3[mc*CW+CW-1]}}, x3[mc*CW +: CW]};
        s4_next[mc*PW_ +: PW_] = (t & {PW_{op == OP_MAC}}) | (tx & {PW_{op != OP_MAC}});
    end
end
always @(posedge clk) begin
    v4 <= v3 && !rst;
    wr4 <= wr3; init4 <= init3; acc_last4 <= acc_last3;
    wslot4 <= wslot3; abank4 <= abank3; aa4 <= aa3;
    s4 <= s4_next;
end

wire [TM*ACC_W-1:0] s4a;
generate
    for (g = 0; g < TM; g = g + 1) begin : g_s4a
        if (PW_ >= ACC_W) begin : g_cut
            assign s4a[g*ACC_W +: ACC_W] = s4[g*PW_ +: ACC_W];
        end else begin : g_ext
            assign s4a[g*ACC_W +: ACC_W] = {{(ACC_W-PW_){s4[g*PW_+PW_-1]}}, s4[g*PW_ +: PW_]};
        end
    end
endgenerate

integer mn;
reg [TM*ACC_W-1:0] nacc;
reg signed [ACC_W-1:0] a_old, a_sum, a_bias;
always @* begin
    for (mn = 0; mn < TM; mn = mn + 1) begin
        a_old = abank4 ? acc_rdata[(TM + mn)*ACC_W +: ACC_W] : acc_rdata[mn*ACC_W +: ACC_W];
        a_sum = s4a[mn*ACC_W +: ACC_W];
        a_bias = wslot4 ? bias_flat[NBW*MW + mn*BW +: ACC_W] : bias_flat[mn*BW +: ACC_W];
        if (op == OP_MAC) nacc[mn*ACC_W +: ACC_W] = (init4 ? a_bias : a_old) + a_sum;
        else if (op == OP_SUM) nacc[mn*ACC_W +: ACC_W] = (init4 ? {ACC_W{1'b0}} : a_old) + a_sum;
        else nacc[mn*ACC_W +: ACC_W] = (init4 || a_sum > a_old) ? a_sum : a_old;
    end
end
assign acc_we = v4 && wr4;
assign acc_wbank = abank4;
assign acc_waddr = aa4;
assign acc_wdata = nacc;

always @(posedge clk) begin
    if (rst) acc_done <= 8'd0;
    else if (v4 && acc_last4) acc_done <= acc_done + 8'd1;
end

endmodule

`resetall
