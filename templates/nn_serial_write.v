// nn_serial_write: the serial engine's writer: sends each finished output tile to memory as write bursts, one channel row range after another.
`resetall
`timescale 1ns / 1ps
`default_nettype none

/*
 * Output tile (row tile rt, block ob): for lane m < nm, the pooled rows
 * [pr0, pr0 + prows) of channel o0+m, which are prows*WPWO consecutive
 * words at OUT + (o0+m)*PLANE_O + pr0*WPWO. A write burst is one request
 * beat per word; the first carries the address and the length, and the
 * bursts of a tile follow each other in order. Words are read from the
 * output buffer ahead of the bus through a four-word queue.
 *
 * Wide mode (osc, only with SDEPTH > 0: a fused layer's band): the tile
 * goes to the on-chip scratch (nn_serial_scratch), not to memory. Lane
 * group g (lanes g*L .. g*L+L-1, those >= nm masked) is written word rk
 * of every lane at once, lane g*L+j to bank j at bank word
 *   ((o0 + g*L) >> SL)*SRW + (START + pr0*WPWO + rk) mod SRW,
 * a group after the other, a word a cycle with no queue: a channel's
 * plane is a ring of SRW words (a fused band's rows of the layer, the
 * band starting at ring word START, and its rows wrap), and a tile takes
 * ceil(nm/L)*len cycles and five more (the write behind the read, then
 * S_NEXT, S_SETTLE twice, S_WAIT). The memory request channel stays idle.
 */
module nn_serial_write #(
    parameter TM = 8,
    // array columns and activation datapath bits (the descriptor layout)
    parameter TN = 8,
    parameter CW = 8,
    parameter TP = 8,
    parameter MW = 64,
    parameter AW = 32,
    parameter LEN_W = 9,
    parameter MAXB = 256,
    parameter OBD = 256,
    // the scratch (nn_serial_scratch): 2^SL banks of SDEPTH words (0: none,
    // and the wide mode is not built)
    parameter SL = 0,
    parameter SDEPTH = 0
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
    // a channel's ring of SRW words in the scratch (the descriptor's SRW in
    // the scratch's address bits) and the band's first ring word START
    // (< SRW), from the core
    input  wire [((SDEPTH > 1) ? $clog2(SDEPTH) : 1):0] srw,
    input  wire [((SDEPTH > 1) ? $clog2(SDEPTH) : 1):0] start,

    input  wire [7:0]    out_fill,
    output reg  [7:0]    out_cons,

    output wire [$clog2(OBD):0] ob_raddr,
    input  wire [TM*MW-1:0] ob_rdata,

    output wire          wq_valid,
    input  wire          wq_ready,
    output wire [AW-1:0] wq_addr,
    output wire [LEN_W-1:0] wq_len,
    output wire [MW-1:0] wq_data,
    // a burst is under way: the bus stays with the writer
    output wire          wq_locked,

    // the scratch's write port (wide mode)
    output wire [(1 << SL)-1:0] sc_we,
    output wire [((SDEPTH > 1) ? $clog2(SDEPTH) : 1)-1:0] sc_waddr,
    output wire [(1 << SL)*MW-1:0] sc_wdata
);

`include "nn_serial_desc.vh"

// the descriptor fields this unit uses
wire [D_NRT_W-1:0] nrt = fields[D_NRT_OFF +: D_NRT_W];
wire [D_TRP_W-1:0] trp = fields[D_TRP_OFF +: D_TRP_W];
wire [D_PROWS_LAST_W-1:0] prows_last = fields[D_PROWS_LAST_OFF +: D_PROWS_LAST_W];
wire [D_NOB_W-1:0] nob = fields[D_NOB_OFF +: D_NOB_W];
wire [D_NM_LAST_W-1:0] nm_last = fields[D_NM_LAST_OFF +: D_NM_LAST_W];
wire [D_OUT_W-1:0] out_base = fields[D_OUT_OFF +: D_OUT_W];
wire [D_PLANE_O_W-1:0] plane_o = fields[D_PLANE_O_OFF +: D_PLANE_O_W];
wire [D_WPWO_W-1:0] wpwo = fields[D_WPWO_OFF +: D_WPWO_W];
// 1: the tiles go to the scratch (wide mode), a channel's ring of SRW
// words from ring word START
wire [D_OSC_W-1:0] osc = fields[D_OSC_OFF +: D_OSC_W];
wire [D_OP_W-1:0] op = fields[D_OP_OFF +: D_OP_W];
wire pass = op != OP_MAC;

localparam OBA = $clog2(OBD);
localparam L = 1 << SL;
localparam SA = (SDEPTH > 1) ? $clog2(SDEPTH) : 1;
/* verilator lint_off WIDTH */
localparam [15:0] L16 = L;
// planes from one output block to the next: (TM or TP) / L
localparam [2*SA+1:0] BPL_M = TM / L;
localparam [2*SA+1:0] BPL_P = TP / L;
/* verilator lint_on WIDTH */

initial begin
    if (SDEPTH > 0 && (TM % L != 0 || SA > 32)) begin
        $error("Error: the scratch's banks must divide TM (instance %m)");
        $finish;
    end
end

// wide mode: built only with a scratch
wire wide = (SDEPTH > 0) && osc;

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

localparam S_IDLE = 3'd0, S_SETTLE = 3'd1, S_WAIT = 3'd2, S_SEND = 3'd3, S_NEXT = 3'd4;
// words a lane of a tile holds: at most OBD
localparam LW = OBA + 1;
localparam [LEN_W-1:0] MAXB_L = MAXB;
reg [2:0] state;
reg slot;
reg [LW-1:0] len;                    // words per lane
// reader
reg rd_on;
reg [15:0] rm;
reg [LW-1:0] rk;
reg rv;                              // a read is in flight
reg [15:0] rlane;
// queue
reg [MW-1:0] q [0:3];
reg [2:0] qw, qr;
wire [2:0] qn = qw - qr;
// sender
reg [15:0] sm;
reg [LW-1:0] sk;
reg [AW-1:0] seg;                    // OUT + (o0 + sm)*PLANE_O + pr0*WPWO
reg [AW-1:0] rowbase;                // OUT + pr0*WPWO
reg [LEN_W-1:0] brem;

// The words of a lane's tile, TRP*WPWO (LEN_FULL) and PROWS_LAST*WPWO
// (LEN_LAST), by shift and add once per descriptor (LW cycles after init,
// long before the first tile is drained): no multiplier. Only the low LW
// bits matter, since a lane's tile fits its OBD-word slot.
reg [LW-1:0] len_full, len_last, mc_w, mc_a, mc_b;
reg [LW:0] mc_n;                     // one-hot bit counter: done at mc_n[LW]
wire mc_done = mc_n[LW];
/* verilator lint_off UNUSEDSIGNAL */
wire [31:0] wpwo_x = {16'd0, wpwo}, trp_x = {16'd0, trp}, prl_x = {16'd0, prows_last};
/* verilator lint_on UNUSEDSIGNAL */
always @(posedge clk) begin
    if (init) begin
        len_full <= {LW{1'b0}};
        len_last <= {LW{1'b0}};
        mc_w <= wpwo_x[LW-1:0];
        mc_a <= trp_x[LW-1:0];
        mc_b <= prl_x[LW-1:0];
        mc_n <= {{LW{1'b0}}, 1'b1};
    end else if (!mc_done) begin
        if (mc_a[0]) len_full <= len_full + mc_w;
        if (mc_b[0]) len_last <= len_last + mc_w;
        mc_w <= mc_w << 1;
        mc_a <= mc_a >> 1;
        mc_b <= mc_b >> 1;
        mc_n <= mc_n << 1;
    end
end

wire [LW-1:0] left = len - sk;
// addresses: operands widened to 64 bits, cut to AW; the words left of a
// lane in 32 bits (at most MAXB of them, LEN_W bits, are a burst)
/* verilator lint_off UNUSEDSIGNAL */
wire [31:0] left32 = {{(32-LW){1'b0}}, left};
wire [63:0] plane_x = {32'd0, plane_o};
wire [63:0] sk_x = {{(64-LW){1'b0}}, sk};
wire [63:0] len_x = {{(64-LW){1'b0}}, len};
/* verilator lint_on UNUSEDSIGNAL */
wire [LEN_W-1:0] blen = (left32 > MAXB) ? MAXB_L : left32[LEN_W-1:0];
assign wq_valid = state == S_SEND && qn != 3'd0;
assign wq_addr = seg + sk_x[AW-1:0];
assign wq_len = blen;
assign wq_data = q[qr[1:0]];
assign wq_locked = brem != {LEN_W{1'b0}};
wire fire = wq_valid && wq_ready;
// the word read for lane rlane
reg [MW-1:0] ob_word;
integer i;
always @* begin
    ob_word = ob_rdata[0 +: MW];
    for (i = 1; i < TM; i = i + 1)
        if (rlane == i[15:0]) ob_word = ob_rdata[i*MW +: MW];
end
wire rd_go = rd_on && (wide || ({1'b0, qn} + {3'd0, rv}) < 4'd4);
// wide mode: the lane group at rm is the tile's last
wire last_grp = {1'b0, rm} + {1'b0, L16} >= {1'b0, nm};
assign ob_raddr = {slot, rk[OBA-1:0]};

// ---------------------------------------------------------------- wide mode
// SC_ROW = (START + pr0*WPWO) mod SRW, SC_BLK = (o0 >> SL)*SRW, SC_GRP the
// lane group's ((o0 + rm) >> SL)*SRW; a word read at rk is written at
// SC_GRP + (SC_ROW + rk) mod SRW the next cycle, when ob_rdata holds it
// (SC_ROW + rk < 2*SRW: a tile's rows fit the ring). Without a scratch
// none of it is built and the port is constant zero.
wire rlast;                          // the word read last cycle is the tile's last
generate
    if (SDEPTH > 0) begin : g_wide
        reg [SA:0] sc_row, sc_blk, sc_grp, bstep;
        /* verilator lint_off UNUSEDSIGNAL */
        reg [SA:0] wa;                   // < SDEPTH: its top bit is zero
        /* verilator lint_on UNUSEDSIGNAL */
        reg [L-1:0] gmask, wmask;
        reg last_r;
        /* verilator lint_off UNUSEDSIGNAL */
        wire [31:0] rk32 = {{(32-LW){1'b0}}, rk};
        wire [31:0] len32 = {{(32-LW){1'b0}}, len};
        wire [2*SA+1:0] bstep_p = {{(SA+1){1'b0}}, srw} * (pass ? BPL_P : BPL_M);
        wire [SA+1:0] t = {1'b0, sc_row} + {1'b0, rk32[SA:0]};
        wire [SA+1:0] tw = (t >= {1'b0, srw}) ? t - {1'b0, srw} : t;
        wire [SA+1:0] nr = {1'b0, sc_row} + {1'b0, len32[SA:0]};
        wire [SA+1:0] nrw = (nr >= {1'b0, srw}) ? nr - {1'b0, srw} : nr;
        /* verilator lint_on UNUSEDSIGNAL */
        integer j;
        always @* begin
            for (j = 0; j < L; j = j + 1)
                gmask[j] = {16'd0, rm} + j[31:0] < {16'd0, nm};
        end
        always @(posedge clk) begin
            bstep <= bstep_p[SA:0];
            if (rd_go) begin
                wa <= sc_grp + tw[SA:0];
                wmask <= gmask;
                last_r <= rk == len - 1'b1 && last_grp;
                if (rk == len - 1'b1) sc_grp <= sc_grp + srw;
            end
            if (state == S_WAIT) sc_grp <= sc_blk;
            if (state == S_NEXT) begin
                if (ob == nob - 16'd1) begin
                    sc_blk <= {(SA+1){1'b0}};
                    sc_row <= nrw[SA:0];
                end else begin
                    sc_blk <= sc_blk + bstep;
                end
            end
            if (init) begin
                sc_row <= start;
                sc_blk <= {(SA+1){1'b0}};
            end
        end
        // the lane group rlane .. rlane+L-1 of the word read
        reg [L*MW-1:0] sc_word;
        integer n;
        always @* begin
            sc_word = ob_rdata[0 +: L*MW];
            for (n = L; n < TM; n = n + L)
                if (rlane == n[15:0]) sc_word = ob_rdata[n*MW +: L*MW];
        end
        assign rlast = last_r;
        assign sc_we = (rv && wide) ? wmask : {L{1'b0}};
        assign sc_waddr = wa[SA-1:0];
        assign sc_wdata = sc_word;
    end else begin : g_narrow
        wire unused_ring = ^{srw, start};
        assign rlast = 1'b0;
        assign sc_we = {L{1'b0}};
        assign sc_waddr = {SA{1'b0}};
        assign sc_wdata = {L*MW{1'b0}};
    end
endgenerate

always @(posedge clk) begin
    walk_step <= 1'b0;
    rv <= rd_go;
    if (rv && !wide) begin
        q[qw[1:0]] <= ob_word;
        qw <= qw + 3'd1;
    end
    if (rd_go) begin
        rlane <= rm;
        if (rk == len - 1'b1) begin
            rk <= {LW{1'b0}};
            if (wide ? last_grp : rm == nm - 16'd1) rd_on <= 1'b0;
            rm <= rm + (wide ? L16 : 16'd1);
        end else begin
            rk <= rk + 1'b1;
        end
    end
    if (fire) begin
        qr <= qr + 3'd1;
        brem <= (brem == {LEN_W{1'b0}} ? blen : brem) - 1'b1;
        if (sk == len - 1'b1) begin
            sk <= {LW{1'b0}};
            seg <= seg + plane_x[AW-1:0];
            if (sm == nm - 16'd1) begin
                out_cons <= out_cons + 8'd1;
                state <= S_NEXT;
            end
            sm <= sm + 16'd1;
        end else begin
            sk <= sk + 1'b1;
        end
    end
    if (rv && wide && rlast) begin
        out_cons <= out_cons + 8'd1;
        state <= S_NEXT;
    end
    case (state)
    S_IDLE: ;
    S_SETTLE: if (!walk_step) state <= S_WAIT;
    S_WAIT: if (out_fill != out_cons && mc_done) begin
        slot <= out_cons[0];
        len <= (rt == nrt - 16'd1) ? len_last : len_full;
        rd_on <= 1'b1;
        rm <= 16'd0;
        rk <= {LW{1'b0}};
        sm <= 16'd0;
        sk <= {LW{1'b0}};
        state <= S_SEND;
    end
    S_SEND: ;
    S_NEXT: begin
        // the next tile: the next block of this row tile starts where this
        // one ended (o0 advanced by the NM = TM or TP planes just written);
        // the next row tile at OUT + (pr0 + TRP)*WPWO, the full tile's len
        if (ob == nob - 16'd1) begin
            rowbase <= rowbase + len_x[AW-1:0];
            seg <= rowbase + len_x[AW-1:0];
        end
        if (last_task) begin
            state <= S_IDLE;
        end else begin
            walk_step <= 1'b1;
            state <= S_SETTLE;
        end
    end
    default: state <= S_IDLE;
    endcase
    if (init) begin
        state <= S_SETTLE;
        rowbase <= out_base;
        seg <= out_base;
    end
    if (rst) begin
        state <= S_IDLE;
        out_cons <= 8'd0;
        rd_on <= 1'b0;
        rv <= 1'b0;
        qw <= 3'd0;
        qr <= 3'd0;
        brem <= {LEN_W{1'b0}};
    end
end

assign done = state == S_IDLE && !init;
endmodule

`resetall
