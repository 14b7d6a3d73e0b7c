// nn_serial_drain: the serial engine's output path: reads a finished accumulator bank, averages, requantizes, activates and max-pools it, and packs the values into memory words in an output tile buffer.
`resetall
`timescale 1ns / 1ps
`default_nettype none

/*
 * For every finished (row tile, output block), in pooled order
 *   for pr < prows: for px < POW: for dy < PK: for dx < PK:
 *     a = acc[(pr*PK + dy)*OW + px*PK + dx]
 *     v = (a*AVGM + 2^(AVGP-1)) >> AVGP        (avgpool; AVGM=1, AVGP=0 else)
 *     y = act(sat_OUTW(requant(v, SHIFT, RND)))  (docs/DESIGN.md §3)
 *     out = max over the window of y            (PK = 1: no pool)
 * Max commutes with the monotone requantization and activation, so the
 * fused pool is exact. Lane m of the block is channel o0+m; each lane packs
 * MW/CW values a word, rows padded to WPWO words, into its own bank.
 */
module nn_serial_drain #(
    parameter TM = 8,
    // array columns (the descriptor layout)
    parameter TN = 8,
    parameter TP = 8,
    parameter CW = 8,
    parameter MW = 64,
    // memory word address bits (the descriptor layout)
    parameter AW = 32,
    parameter ACC_W = 32,
    // 1: the average pass multiply (AVGM, AVGP); 0: no descriptor averages
    // (every AVGM = 1, AVGP = 0), and no multiplier is built
    parameter AVG = 1,
    // the average pass multiplies the low AVG_W bits of the accumulator
    // (an average pool's sums fit them: the compiler checks it); other
    // descriptors bypass the multiplier
    parameter AVG_W = ACC_W,
    parameter ABD = 1024,
    // output buffer words per bank per slot (power of two)
    parameter OBD = 256
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

    input  wire [7:0]    acc_done,
    output reg  [7:0]    acc_freed,
    output reg  [7:0]    out_fill,
    input  wire [7:0]    out_cons,

    output wire [$clog2(ABD)-1:0] acc_raddr,
    // both banks; the one being drained is selected here
    input  wire [2*TM*ACC_W-1:0] acc_rdata,

    // a write enable a byte slot of the lanes' words
    output reg  [MW/8-1:0] ob_we,
    output reg  [$clog2(OBD):0] ob_addr,
    output reg  [TM*MW-1:0] ob_wdata
);

`include "nn_serial_desc.vh"

// the descriptor fields this unit uses
wire [D_OP_W-1:0] op = fields[D_OP_OFF +: D_OP_W];
// output container: 0 8 bits, 1 16, 2 32
wire [D_CO_W-1:0] co = fields[D_CO_OFF +: D_CO_W];
wire [D_PK_W-1:0] pk = fields[D_PK_OFF +: D_PK_W];
wire [D_OW_W-1:0] ow = fields[D_OW_OFF +: D_OW_W];
wire [D_POW_W-1:0] pow = fields[D_POW_OFF +: D_POW_W];
wire [D_WPWO_W-1:0] wpwo = fields[D_WPWO_OFF +: D_WPWO_W];
wire [D_NRT_W-1:0] nrt = fields[D_NRT_OFF +: D_NRT_W];
wire [D_TRP_W-1:0] trp = fields[D_TRP_OFF +: D_TRP_W];
wire [D_PROWS_LAST_W-1:0] prows_last = fields[D_PROWS_LAST_OFF +: D_PROWS_LAST_W];
wire [D_NOB_W-1:0] nob = fields[D_NOB_OFF +: D_NOB_W];
wire [D_NM_LAST_W-1:0] nm_last = fields[D_NM_LAST_OFF +: D_NM_LAST_W];
wire signed [D_SHIFT_W-1:0] shift = fields[D_SHIFT_OFF +: D_SHIFT_W];
wire [D_RND_W-1:0] rnd = fields[D_RND_OFF +: D_RND_W];
wire [D_OUTW_W-1:0] outw = fields[D_OUTW_OFF +: D_OUTW_W];
wire [D_ACT_W-1:0] act = fields[D_ACT_OFF +: D_ACT_W];
wire [D_CAP_W-1:0] cap = fields[D_CAP_OFF +: D_CAP_W];
wire [D_AVGM_W-1:0] avgm = fields[D_AVGM_OFF +: D_AVGM_W];
wire [D_AVGP_W-1:0] avgp = fields[D_AVGP_OFF +: D_AVGP_W];

localparam E = MW / 8;
wire [15:0] eo = E[15:0] >> co;           // values per word
// bits of a value's position in a word
localparam LE = (E > 1) ? $clog2(E) : 1;
localparam ABA = $clog2(ABD);
localparam OBA = $clog2(OBD);
localparam VW = ACC_W + 26;
// the averaged value and the rounded right shift of it
localparam QW = ACC_W + 1;
localparam TW = QW + 2;
localparam CX = ((TW > 33) ? TW : 33) + 1;

wire pass = op != OP_MAC;
wire avg_op = op == OP_SUM;

// ---------------------------------------------------------------- walk (one step per block)
reg walk_step;
// every unit uses its own subset of the shared walker's outputs
/* verilator lint_off UNUSEDSIGNAL */
wire [15:0] rt, ob, cc, or0, pr0, o0, ccs, rows, prows, nm, cs, nc, ncb;
wire signed [17:0] iy0;
wire first_task, last_task, first_cc, last_cc, first_in_rt;
/* verilator lint_on UNUSEDSIGNAL */

nn_serial_walk #(.TM(TM), .TP(TP), .CHUNKS(0)) u_walk (
    .clk(clk), .init(init), .step(walk_step), .pass(pass),
    .nrt(nrt), .tr(16'd0), .rows_last(16'd0), .trp(trp), .prows_last(prows_last),
    .trsh(16'd0), .iys(18'sd0), .nob(nob), .nm_last(nm_last), .ncc(16'd1), .tc(16'd0),
    .nc_last(16'd0), .ncb_full(16'd0), .ncb_last(16'd0),
    .rt(rt), .ob(ob), .cc(cc), .or0(or0), .pr0(pr0), .o0(o0), .ccs(ccs), .iy0(iy0),
    .rows(rows), .prows(prows), .nm(nm), .cs(cs), .nc(nc), .ncb(ncb),
    .first_task(first_task), .last_task(last_task), .first_cc(first_cc),
    .last_cc(last_cc), .first_in_rt(first_in_rt)
);

localparam S_IDLE = 3'd0, S_SETTLE = 3'd1, S_WAIT = 3'd2, S_RUN = 3'd3, S_FLUSH = 3'd4,
           S_NEXT = 3'd5;
reg [2:0] state;
reg [15:0] pr, px;
reg [3:0] dy, dx;
reg bank, oslot;
reg [OBA-1:0] wrd;                   // word of the row
reg [OBA-1:0] rowaddr;               // pr * WPWO (mod OBD: only OBA bits address the slot)
// the cell's accumulator address (pr*PK + dy)*OW + px*PK + dx, kept as
// arow = (pr*PK + dy)*OW and acol = px*PK + dx, stepped by additions (mod
// ABD: only the low ABA bits address a bank); rbase = pr*PK*OW, cbase = px*PK
reg [ABA-1:0] arow, rbase, acol, cbase;

wire last_cell = (dx == pk - 4'd1) && (dy == pk - 4'd1);
wire last_px = px == pow - 16'd1;
wire last_all = last_cell && last_px && (pr == prows - 16'd1);
// the fields in 32 bits, cut to the address widths
/* verilator lint_off UNUSEDSIGNAL */
wire [31:0] ow_x = {16'd0, ow}, pk_x = {28'd0, pk}, wpwo_x = {16'd0, wpwo};
/* verilator lint_on UNUSEDSIGNAL */
wire [ABA-1:0] ow_a = ow_x[ABA-1:0];
wire [ABA-1:0] pk_a = pk_x[ABA-1:0];

// a0
reg v0, first0, lastc0, end0, slot0;
reg [OBA-1:0] wa0;
reg [LE-1:0] epos0;
reg [LE-1:0] ecount;

always @(posedge clk) begin
    walk_step <= 1'b0;
    v0 <= 1'b0;
    end0 <= 1'b0;
    if (rst) begin
        state <= S_IDLE;
        acc_freed <= 8'd0;
    end else begin
        case (state)
        S_IDLE: ;
        S_SETTLE: if (!walk_step) state <= S_WAIT;
        S_WAIT: if (acc_done != acc_freed && (out_fill - out_cons) < 8'd2 && !v_any) begin
            bank <= acc_freed[0];
            oslot <= out_fill[0];
            pr <= 16'd0; px <= 16'd0; dy <= 4'd0; dx <= 4'd0;
            rowaddr <= {OBA{1'b0}}; wrd <= {OBA{1'b0}}; ecount <= {LE{1'b0}};
            arow <= {ABA{1'b0}}; rbase <= {ABA{1'b0}}; acol <= {ABA{1'b0}}; cbase <= {ABA{1'b0}};
            state <= S_RUN;
        end
        S_RUN: begin
            v0 <= 1'b1;
            first0 <= dx == 4'd0 && dy == 4'd0;
            lastc0 <= last_cell;
            end0 <= last_all;
            wa0 <= rowaddr + wrd;
            epos0 <= ecount;
            slot0 <= oslot;
            if (dx != pk - 4'd1) begin
                dx <= dx + 4'd1;
                acol <= acol + 1'b1;
            end else begin
                dx <= 4'd0;
                if (dy != pk - 4'd1) begin
                    dy <= dy + 4'd1;
                    arow <= arow + ow_a;
                    acol <= cbase;
                end else begin
                    dy <= 4'd0;
                    if (!last_px) begin
                        px <= px + 16'd1;
                        arow <= rbase;
                        cbase <= cbase + pk_a;
                        acol <= cbase + pk_a;
                        if ({{(16-LE){1'b0}}, ecount} == eo - 16'd1) begin
                            ecount <= {LE{1'b0}};
                            wrd <= wrd + 1'b1;
                        end else begin
                            ecount <= ecount + 1'b1;
                        end
                    end else begin
                        px <= 16'd0;
                        ecount <= {LE{1'b0}};
                        wrd <= {OBA{1'b0}};
                        pr <= pr + 16'd1;
                        rowaddr <= rowaddr + wpwo_x[OBA-1:0];
                        // (pr+1)*PK*OW = (pr*PK + PK-1)*OW + OW
                        rbase <= arow + ow_a;
                        arow <= arow + ow_a;
                        cbase <= {ABA{1'b0}};
                        acol <= {ABA{1'b0}};
                        if (pr == prows - 16'd1) begin
                            acc_freed <= acc_freed + 8'd1;
                            state <= S_FLUSH;
                        end
                    end
                end
            end
        end
        S_FLUSH: if (!v_any) state <= S_NEXT;
        S_NEXT: begin
            if (last_task) begin
                state <= S_IDLE;
            end else begin
                walk_step <= 1'b1;
                state <= S_SETTLE;
            end
        end
        default: state <= S_IDLE;
        endcase
        if (init) state <= S_SETTLE;
    end
end

assign done = state == S_IDLE && !init;
// the address of the cell being generated: its data arrives while it is in a0
assign acc_raddr = arow + acol;

// ---------------------------------------------------------------- a1: average product
integer m1;
reg v1, first1, lastc1, end1, slot1;
reg [OBA-1:0] wa1;
reg [LE-1:0] epos1;
reg [TM*VW-1:0] p1;
wire [TM*ACC_W-1:0] acc_sel = bank ? acc_rdata[TM*ACC_W +: TM*ACC_W] : acc_rdata[0 +: TM*ACC_W];
always @(posedge clk) begin
    v1 <= v0 && !rst;
    {first1, lastc1, end1, slot1, wa1, epos1} <= {first0, lastc0, end0 && v0, slot0, wa0, epos0};
    // only the TP lanes of an average pass multiply; every other lane and
    // descriptor holds acc (AVGM = 1, AVGP = 0 there) or 0 (a pass leaves
    // the lanes past TP at 0)
    for (m1 = 0; m1 < TM; m1 = m1 + 1)
        if (AVG != 0 && m1 < TP && avg_op)
            p1[m1*VW +: VW] <= $signed(acc_sel[m1*ACC_W +: AVG_W]) * $signed({1'b0, avgm});
        else
            p1[m1*VW +: VW] <= {{(VW-ACC_W){acc_sel[m1*ACC_W+ACC_W-1]}}, acc_sel[m1*ACC_W +: ACC_W]};
end
wire unused_avg = ^{avgm, avgp};

// ---------------------------------------------------------------- a2: average shift
// The average keeps the accumulator's range: AVGM <= 2^AVGP (the
// compiler's M = floor(2^P/n + 1/2) with P = AVGP), so |q2| <= 2^(ACC_W-1)
// and QW = ACC_W + 1 bits hold it (AVGM = 1, AVGP = 0 pass acc through).
integer m2;
reg v2, first2, lastc2, end2, slot2;
reg [OBA-1:0] wa2;
reg [LE-1:0] epos2;
reg [TM*QW-1:0] q2;
/* verilator lint_off UNUSEDSIGNAL */
reg signed [VW-1:0] q2w;
/* verilator lint_on UNUSEDSIGNAL */
reg [TM*QW-1:0] q2_next;
reg [VW-1:0] avg_rnd;                // 2^(AVGP-1), registered as the constants below
always @(posedge clk) avg_rnd <= (avgp == 6'd0) ? {VW{1'b0}} : ({{(VW-1){1'b0}}, 1'b1} << (avgp - 6'd1));
always @* begin
    for (m2 = 0; m2 < TM; m2 = m2 + 1) begin
        if (AVG != 0 && m2 < TP && avg_op) q2w = ($signed(p1[m2*VW +: VW]) + $signed(avg_rnd)) >>> avgp;
        else q2w = p1[m2*VW +: VW];
        q2_next[m2*QW +: QW] = q2w[QW-1:0];
    end
end
always @(posedge clk) begin
    v2 <= v1 && !rst;
    {first2, lastc2, end2, slot2, wa2, epos2} <= {first1, lastc1, end1, slot1, wa1, epos1};
    q2 <= q2_next;
end

// ---------------------------------------------------------------- a3: requantize, saturate, activate
// x = q2 in TW = QW + 2 bits. SHIFT > 0: v = t = (x + RB) >>> SHIFT, the
// shift clamped to QW + 1 (any larger one gives the same 0 or -1); it
// saturates to [LO, HI] = [-2^K, 2^K - 1] (K = OUTW - 1) when t >= 2^K or
// ~t >= 2^K, that is when a bit at K or above of t (t >= 0) or ~t (t < 0)
// is set. SHIFT <= 0: v = x, and x << L (L = -SHIFT) saturates when a bit
// at K - L or above is set (when L > K: whenever x != 0), and otherwise
// fits OUTW <= 32 bits, so a 32-bit shift gives it. One mask of the bits at
// the threshold and above serves both. Then relu (the saturated value is
// negative when v is) and relu6 (it exceeds CAP <= HI when it saturates
// high or its unsaturated value does). Every result fits 32 bits.
reg v3, first3, lastc3, end3, slot3;
reg [OBA-1:0] wa3;
reg [LE-1:0] epos3;
reg [TM*CW-1:0] y3;
// The constants of the descriptor are registered (they change only at
// init, long before the first value reaches this stage).
localparam [7:0] SMAX = QW + 1;
wire [7:0] lsh_w = -shift;
wire [5:0] ok = outw - 6'd1;
wire [31:0] p2k = 32'd1 << ok;
wire [7:0] s_cw = (shift > $signed(SMAX)) ? SMAX : shift;
// the threshold bit: K, or K - L for a left shift (all bits when L > K)
wire lsat_w = shift <= 0 && lsh_w > {2'd0, ok};
wire [7:0] thb_w = (shift > 0) ? {2'd0, ok} : lsat_w ? 8'd0 : {2'd0, ok} - lsh_w;
reg [7:0] lsh, s_c;
reg rsh;                             // SHIFT > 0
reg lsat;                            // a left shift past K
reg [TW-1:0] rb, msk;
reg signed [31:0] lo, hi, capx;
integer mb;
always @(posedge clk) begin
    lsh <= lsh_w;
    s_c <= s_cw;
    rsh <= shift > 0;
    lsat <= lsat_w;
    rb <= rnd ? ({{(TW-1){1'b0}}, 1'b1} << (s_cw - 8'd1)) : {TW{1'b0}};
    for (mb = 0; mb < TW; mb = mb + 1) msk[mb] <= mb[7:0] >= thb_w;
    lo <= -$signed(p2k);
    hi <= $signed(p2k - 32'd1);
    capx <= $signed(cap);
end
integer mr;
reg signed [TW-1:0] x, t, v;
/* verilator lint_off UNUSEDSIGNAL */
reg signed [CX-1:0] xw, tw;
reg signed [31:0] rq;
/* verilator lint_on UNUSEDSIGNAL */
reg signed [31:0] rv;
reg [31:0] xl;
reg below, above, over;
reg [TM*CW-1:0] y3_next;
always @* begin
    for (mr = 0; mr < TM; mr = mr + 1) begin
        x = {{(TW-QW){q2[mr*QW+QW-1]}}, q2[mr*QW +: QW]};
        xw = {{(CX-TW){x[TW-1]}}, x};
        t = (x + $signed(rb)) >>> s_c;
        xl = xw[31:0] << lsh;
        v = rsh ? t : x;
        tw = {{(CX-TW){t[TW-1]}}, t};
        // the value when it does not saturate: it fits 32 bits
        rv = rsh ? tw[31:0] : xl;
        above = !v[TW-1] && (v & msk) != {TW{1'b0}};
        below = v[TW-1] && (lsat || (~v & msk) != {TW{1'b0}});
        over = above || (!below && rv > capx);
        rq = above ? hi : below ? lo : rv;
        if (act != 2'd0 && v[TW-1]) rq = 32'd0;
        if (act == 2'd2 && over) rq = capx;
        y3_next[mr*CW +: CW] = rq[CW-1:0];
    end
end
always @(posedge clk) begin
    v3 <= v2 && !rst;
    {first3, lastc3, end3, slot3, wa3, epos3} <= {first2, lastc2, end2, slot2, wa2, epos2};
    y3 <= y3_next;
end

// ---------------------------------------------------------------- a4: pool
integer m4;
reg v4, end4, slot4;
reg [OBA-1:0] wa4;
reg [LE-1:0] epos4;
reg [TM*CW-1:0] mx;
always @(posedge clk) begin
    v4 <= v3 && lastc3 && !rst;
    {end4, slot4, wa4, epos4} <= {end3, slot3, wa3, epos3};
    if (v3)
        for (m4 = 0; m4 < TM; m4 = m4 + 1)
            if (first3 || $signed(y3[m4*CW +: CW]) > $signed(mx[m4*CW +: CW]))
                mx[m4*CW +: CW] <= y3[m4*CW +: CW];
end

// ---------------------------------------------------------------- a5: pack and write
// each lane's value in 32 bits (zero above CW): the container picks its low bits
wire [TM*32-1:0] mx32;
genvar g;
generate
    for (g = 0; g < TM; g = g + 1) begin : g_mx32
        if (CW >= 32) begin : g_same
            assign mx32[g*32 +: 32] = mx[g*CW +: 32];
        end else begin : g_pad
            assign mx32[g*32 +: 32] = {{(32-CW){1'b0}}, mx[g*CW +: CW]};
        end
    end
endgenerate
// Each value is written at once into its container's byte slots of the
// lane's word (8, 16 or 32 bits: one, two or four of the E byte slots);
// the first value of a word (epos 0) also writes zeros to the other slots,
// so a word a row leaves short keeps zeros above its values. The output
// banks are E byte-wide RAMs a lane, one write enable a slot: no word is
// packed in registers.
integer mp, es;
reg [E-1:0] sl;                      // the slots of this value
reg end5;
reg [TM*32-1:0] ov;                  // the values written
reg [E-1:0] osl;                     // their slots
always @* begin
    for (es = 0; es < E; es = es + 1)
        case (co)
        2'd0: sl[es] = epos4 == es[LE-1:0];
        2'd1: sl[es] = epos4 == es[LE:1];
        default: sl[es] = epos4 == es[LE+1:2];
        endcase
end
always @(posedge clk) begin
    ob_we <= {E{1'b0}};
    end5 <= 1'b0;
    if (v4) begin
        ob_we <= sl | {E{epos4 == {LE{1'b0}}}};
        ob_addr <= {slot4, wa4};
        ov <= mx32;
        osl <= sl;
        end5 <= end4;
    end
    if (rst) ob_we <= {E{1'b0}};
end
// the byte of the value a slot gets (or 0, clearing the slots after the
// first value of a word)
always @* begin
    for (mp = 0; mp < TM; mp = mp + 1)
        for (es = 0; es < E; es = es + 1)
            ob_wdata[mp*MW + es*8 +: 8] = !osl[es] ? 8'd0 :
                (co == 2'd0) ? ov[mp*32 +: 8] :
                (co == 2'd1) ? ov[mp*32 + (es % 2)*8 +: 8] : ov[mp*32 + (es % 4)*8 +: 8];
end

wire v_any = v0 || v1 || v2 || v3 || v4 || ob_we != {E{1'b0}};

always @(posedge clk) begin
    if (rst) out_fill <= 8'd0;
    else if (end5) out_fill <= out_fill + 8'd1;
end

endmodule

`resetall
