// nn_serial_load: the serial engine's loader: walks the tasks ahead of the array, issues read bursts for input and weight tiles into free buffer slots, and routes the responses.
`resetall
`timescale 1ns / 1ps
`default_nettype none

/*
 * Input tile of a task: channels [cs, cs+nc) of the layer's input, rows
 * [ir0, ir1) = [max(0, iy0), min(H, iy0 + IR)), every word of each row.
 * Channel j of the tile goes to bank j mod TN at word (j / TN) * IPL + k,
 * k counting the channel's words from ir0; with reduction packing (RPG >
 * 0) to the banks (j mod RPG) + RPG*t (PMASK << j mod RPG) at word
 * (j / RPG) * IPL + k. Channels below CSPLIT come from
 * IN_A, the rest from IN_B (an add reads two tensors as one).
 * Weight tile (ob, cc): NBW bias words, then WSUB memory words per array
 * word, in the order the array consumes them.
 * Each tile is a job; the receiver fills it in request order and counts it
 * as filled when its last word has arrived. A slot is reused only after the
 * array has released it (fill counters against consume counters).
 */
module nn_serial_load #(
    parameter TM = 8,
    parameter TN = 8,
    parameter TP = 8,
    // activation datapath bits (the descriptor layout)
    parameter CW = 8,
    // memory word bits
    parameter MW = 64,
    // memory word address bits
    parameter AW = 32,
    // burst length field bits
    parameter LEN_W = 9,
    // longest burst in words
    parameter MAXB = 256,
    // input buffer words per bank per slot (power of two)
    parameter IBD = 1024,
    // weight buffer array words per slot (power of two)
    parameter WBD = 256,
    // memory words per array weight word
    parameter WSUB = 16,
    // memory words of bias per weight tile
    parameter NBW = 4
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

    // slots released by the array
    input  wire [7:0]    in_cons,
    input  wire [7:0]    w_cons,
    // slots filled
    output reg  [7:0]    in_fill,
    output reg  [7:0]    w_fill,

    // read requests
    output wire          rq_valid,
    input  wire          rq_ready,
    output wire [AW-1:0] rq_addr,
    output wire [LEN_W-1:0] rq_len,
    // read responses, in request order
    input  wire          rs_valid,
    input  wire [MW-1:0] rs_data,

    // buffer writes
    output reg           ib_we,
    output reg  [TN-1:0] ib_mask,
    output reg  [$clog2(IBD):0] ib_addr,
    output reg  [MW-1:0] ib_data,
    output reg           wb_we,
    output reg  [15:0]   wb_sub,
    output reg  [$clog2(WBD):0] wb_addr,
    output reg  [MW-1:0] wb_data,
    output reg           bias_we,
    output reg           bias_slot,
    output reg  [15:0]   bias_word,
    output reg  [MW-1:0] bias_data
);

`include "nn_serial_desc.vh"

// the descriptor fields this unit uses
wire [D_H_W-1:0] h = fields[D_H_OFF +: D_H_W];
wire [D_IR_W-1:0] ir = fields[D_IR_OFF +: D_IR_W];
wire [D_WPWI_W-1:0] wpwi = fields[D_WPWI_OFF +: D_WPWI_W];
wire [D_PLANE_I_W-1:0] plane_i = fields[D_PLANE_I_OFF +: D_PLANE_I_W];
wire [D_CSPLIT_W-1:0] csplit = fields[D_CSPLIT_OFF +: D_CSPLIT_W];
wire [D_IPL_W-1:0] ipl = fields[D_IPL_OFF +: D_IPL_W];
wire [D_IN_A_W-1:0] in_a = fields[D_IN_A_OFF +: D_IN_A_W];
wire [D_IN_B_W-1:0] in_b = fields[D_IN_B_OFF +: D_IN_B_W];
wire [D_WBASE_W-1:0] wbase = fields[D_WBASE_OFF +: D_WBASE_W];
wire [D_WSTRIDE_W-1:0] wstride = fields[D_WSTRIDE_OFF +: D_WSTRIDE_W];
wire [D_WLEN_W-1:0] wlen = fields[D_WLEN_OFF +: D_WLEN_W];
wire [D_WLEN_LAST_W-1:0] wlen_last = fields[D_WLEN_LAST_OFF +: D_WLEN_LAST_W];
wire [D_IN_EVERY_W-1:0] in_every = fields[D_IN_EVERY_OFF +: D_IN_EVERY_W];
wire [D_W_ONCE_W-1:0] w_once = fields[D_W_ONCE_OFF +: D_W_ONCE_W];
// the next descriptor's first weight tile (length 0: none), fetched
// as soon as this descriptor's reads are out, so layers overlap
wire [D_NX_W_W-1:0] nx_w = fields[D_NX_W_OFF +: D_NX_W_W];
wire [D_NX_WLEN_W-1:0] nx_wlen = fields[D_NX_WLEN_OFF +: D_NX_WLEN_W];
wire [D_NRT_W-1:0] nrt = fields[D_NRT_OFF +: D_NRT_W];
wire [D_TR_W-1:0] tr = fields[D_TR_OFF +: D_TR_W];
wire [D_ROWS_LAST_W-1:0] rows_last = fields[D_ROWS_LAST_OFF +: D_ROWS_LAST_W];
wire [D_TRSH_W-1:0] trsh = fields[D_TRSH_OFF +: D_TRSH_W];
// the top input row of the first row tile (nn_serial_walk)
wire signed [D_IYS_W-1:0] iys = fields[D_IYS_OFF +: D_IYS_W];
wire [D_NOB_W-1:0] nob = fields[D_NOB_OFF +: D_NOB_W];
wire [D_NM_LAST_W-1:0] nm_last = fields[D_NM_LAST_OFF +: D_NM_LAST_W];
wire [D_NCC_W-1:0] ncc = fields[D_NCC_OFF +: D_NCC_W];
wire [D_TC_W-1:0] tc = fields[D_TC_OFF +: D_TC_W];
wire [D_NC_LAST_W-1:0] nc_last = fields[D_NC_LAST_OFF +: D_NC_LAST_W];
// kernel-column packing: the real channels to load (0: as the walk
// says) and the banks channel 0 goes to (channel c: PMASK << c)
wire [D_PC_W-1:0] pc = fields[D_PC_OFF +: D_PC_W];
wire [D_PMASK_W-1:0] pmask = fields[D_PMASK_OFF +: D_PMASK_W];
// reduction packing: channels a block of banks, gcd(C, TN) (0: TN)
wire [D_RPG_W-1:0] rpg = fields[D_RPG_OFF +: D_RPG_W];
wire [D_OP_W-1:0] op = fields[D_OP_OFF +: D_OP_W];
wire pass = op != OP_MAC;

localparam IBA = $clog2(IBD);
localparam WBA = $clog2(WBD);

initial begin
    if ((1 << IBA) != IBD || (1 << WBA) != WBD || MAXB < 1 || MAXB >= (1 << LEN_W)) begin
        $error("Error: IBD and WBD must be powers of two and MAXB < 2^LEN_W (instance %m)");
        $finish;
    end
end

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
    .nc_last(nc_last), .ncb_full(16'd0), .ncb_last(16'd0),
    .rt(rt), .ob(ob), .cc(cc), .or0(or0), .pr0(pr0), .o0(o0), .ccs(ccs), .iy0(iy0),
    .rows(rows), .prows(prows), .nm(nm), .cs(cs), .nc(nc), .ncb(ncb),
    .first_task(first_task), .last_task(last_task), .first_cc(first_cc),
    .last_cc(last_cc), .first_in_rt(first_in_rt)
);

wire needs_in = in_every || first_in_rt;
wire [15:0] nch = (pc != 16'd0) ? pc : nc;
wire needs_w = !pass && (!w_once || first_task);

// rows of this tile in the input
wire signed [17:0] ir1_raw = iy0 + $signed({2'd0, ir});
wire [15:0] ir0 = iy0 < 0 ? 16'd0 : iy0[15:0];
wire [15:0] ir1 = ir1_raw > $signed({2'd0, h}) ? h : ir1_raw[15:0];

// ---------------------------------------------------------------- jobs for the receiver
// Words of a weight tile (bias words, then WSUB words an array word): at
// most NBW + WSUB*WBD, JLW bits; a segment (a channel's rows or a weight
// tile) is at most max(IBD, NBW + WSUB*WBD) words, SLW bits.
localparam JLW = $clog2(NBW + WSUB * WBD + 1);
localparam SLW = (JLW > 16) ? JLW : 16;
// job: {dest, slot, kplane - 1, count - 1}: an input job's channels
// (count) of kplane words each, or a weight tile's words (count); the
// receiver compares its counters with the last values
localparam JW = 2 + 16 + SLW;
reg [JW-1:0] job_mem [0:3];
reg [2:0] job_wr, job_rd;
wire job_full = (job_wr[2] != job_rd[2]) && (job_wr[1:0] == job_rd[1:0]);
wire job_empty = job_wr == job_rd;
reg job_push;
reg [JW-1:0] job_in;

// ---------------------------------------------------------------- issue
localparam S_IDLE = 4'd0, S_TASK = 4'd1, S_IN = 4'd2, S_CH = 4'd3, S_W = 4'd4,
           S_WB = 4'd5, S_NEXT = 4'd6, S_END = 4'd7, S_PRE = 4'd8, S_PREB = 4'd9;
reg [3:0] state;
reg pref;                            // the first weight tile is already fetched
reg [7:0] in_iss, w_iss;
reg [AW-1:0] seg_addr;
reg [SLW-1:0] seg_rem;
reg [15:0] ch, ch_left;
reg [AW-1:0] ch_addr;
reg [AW-1:0] nx_ch;                  // the address of the channel after the last one loaded
reg [AW-1:0] wt_addr;
reg [15:0] kplane;
reg in_pending;

wire [SLW-1:0] burst = seg_rem > MAXB ? MAXB[SLW-1:0] : seg_rem;
assign rq_valid = (state == S_CH || state == S_WB || state == S_PREB) && seg_rem != 0;
assign rq_addr = seg_addr;
assign rq_len = burst[LEN_W-1:0];
wire rq_fire = rq_valid && rq_ready;

wire [7:0] in_busy = in_iss - in_cons;
wire [7:0] w_busy = w_iss - w_cons;

// One multiplier, used twice a task: in the cycle that leaves S_END for
// the row offset IR0 * WPWI, in S_TASK for the words a channel,
// (IR1 - IR0) * WPWI; S_IN uses both.
wire [15:0] mul_a = (state == S_TASK) ? ir1 - ir0 : ir0;
wire [31:0] mul_p = {16'd0, mul_a} * {16'd0, wpwi};
reg [31:0] row_off;                  // IR0 * WPWI
// address arithmetic in 64 bits, cut to AW (the bits above AW are zero
// for every address the compiler lays out)
/* verilator lint_off UNUSEDSIGNAL */
wire [63:0] row_off_x = {32'd0, row_off};
wire [63:0] plane_x = {32'd0, plane_i};
wire [63:0] wstride_x = {32'd0, wstride};
wire [63:0] burst_x = {{(64-SLW){1'b0}}, burst};
wire [31:0] wlen_cur = last_cc ? wlen_last : wlen;
wire [31:0] kplane_x = {16'd0, kplane};
wire [31:0] nch_x = {16'd0, nch};
/* verilator lint_on UNUSEDSIGNAL */
// Channel CS of the layer's input: IN_A + CS*PLANE_I below CSPLIT, IN_B +
// (CS - CSPLIT)*PLANE_I above. A tile starts at channel 0 or right after
// the channels the previous input tile loaded (chunks of a block, blocks
// of a pass follow each other; a row tile starts again at 0), so its
// address is IN_A (IN_B when CSPLIT = 0) or the one after the last channel
// loaded: no multiplication.
wire [AW-1:0] cs_addr = (cs != 16'd0) ? nx_ch : (csplit == 16'd0) ? in_b : in_a;
wire [AW-1:0] next_ch = (ch + 16'd1 == csplit) ? in_b : ch_addr + plane_x[AW-1:0];

always @(posedge clk) begin
    job_push <= 1'b0;
    walk_step <= 1'b0;
    if (rst) begin
        state <= S_IDLE;
        in_iss <= 8'd0;
        w_iss <= 8'd0;
        pref <= 1'b0;
        seg_rem <= {SLW{1'b0}};
    end else begin
        case (state)
        S_IDLE: if (init) state <= S_END; // S_END waits one cycle for the walker, then starts
        S_TASK: begin
            in_pending <= needs_w;
            kplane <= mul_p[15:0];
            if (needs_in) state <= S_IN;
            else if (needs_w) state <= S_W;
            else state <= S_NEXT;
        end
        S_IN: if (in_busy < 8'd2 && !job_full && !job_push) begin
            job_push <= 1'b1;
            job_in <= {1'b0, in_iss[0], kplane - 16'd1, nch_x[SLW-1:0] - 1'b1};
            in_iss <= in_iss + 8'd1;
            ch <= cs;
            ch_left <= nch;
            ch_addr <= cs_addr;
            seg_addr <= cs_addr + row_off_x[AW-1:0];
            seg_rem <= kplane_x[SLW-1:0];
            state <= S_CH;
        end
        S_CH: begin
            if (rq_fire) begin
                seg_addr <= seg_addr + burst_x[AW-1:0];
                seg_rem <= seg_rem - burst;
            end
            if (seg_rem == 0 || (rq_fire && seg_rem == burst)) begin
                if (ch_left == 16'd1) begin
                    nx_ch <= next_ch;
                    state <= in_pending ? S_W : S_NEXT;
                end else begin
                    ch <= ch + 16'd1;
                    ch_left <= ch_left - 16'd1;
                    ch_addr <= next_ch;
                    seg_addr <= next_ch + row_off_x[AW-1:0];
                    seg_rem <= kplane_x[SLW-1:0];
                end
            end
        end
        S_W: if (pref) begin
            pref <= 1'b0;
            state <= S_NEXT;
        end else if (w_busy < 8'd2 && !job_full && !job_push) begin
            job_push <= 1'b1;
            job_in <= {1'b1, w_iss[0], 16'd0, wlen_cur[SLW-1:0] - 1'b1};
            w_iss <= w_iss + 8'd1;
            seg_addr <= wt_addr;
            seg_rem <= wlen_cur[SLW-1:0];
            state <= S_WB;
        end
        S_WB: begin
            if (rq_fire) begin
                seg_addr <= seg_addr + burst_x[AW-1:0];
                seg_rem <= seg_rem - burst;
                if (seg_rem == burst) state <= S_NEXT;
            end
        end
        S_NEXT: begin
            if (last_task) begin
                state <= (nx_wlen != 32'd0) ? S_PRE : S_IDLE;
            end else begin
                walk_step <= 1'b1;
                wt_addr <= (last_cc && ob == nob - 16'd1) ? wbase : wt_addr + wstride_x[AW-1:0];
                state <= S_END;
            end
        end
        S_PRE: if (w_busy < 8'd2 && !job_full && !job_push) begin
            job_push <= 1'b1;
            job_in <= {1'b1, w_iss[0], 16'd0, nx_wlen[SLW-1:0] - 1'b1};
            w_iss <= w_iss + 8'd1;
            seg_addr <= nx_w;
            seg_rem <= nx_wlen[SLW-1:0];
            pref <= 1'b1;
            state <= S_PREB;
        end
        S_PREB: begin
            if (rq_fire) begin
                seg_addr <= seg_addr + burst_x[AW-1:0];
                seg_rem <= seg_rem - burst;
                if (seg_rem == burst) state <= S_IDLE;
            end
        end
        S_END: begin
            // one cycle for the walker's outputs to settle after init or a step
            row_off <= mul_p;
            if (walk_step == 1'b0 && job_push == 1'b0) state <= S_TASK;
        end
        default: state <= S_IDLE;
        endcase
        if (init) begin
            wt_addr <= wbase;
            state <= S_END;
        end
    end
end

// ---------------------------------------------------------------- receive
// The job at the head of the queue is the one being filled (its request
// went out after it was queued); it leaves the queue with its last word:
// an input job after the last word of its last channel, a weight job
// after its last word.
reg [JLW-1:0] got;
reg [15:0] rk, rlane, rch;
reg [15:0] rblk;
reg [15:0] rsub;
reg [WBA-1:0] rwaddr;
wire [JW-1:0] job = job_mem[job_rd[1:0]];
/* verilator lint_off UNUSEDSIGNAL */
wire [SLW-1:0] job_last = job[SLW-1:0];
/* verilator lint_on UNUSEDSIGNAL */
wire [15:0] job_klast = job[SLW +: 16];
wire job_slot = job[SLW+16];
wire job_dest = job[SLW+17];
wire k_last = rk == job_klast;
wire in_last = k_last && rch == job_last[15:0];
wire w_last = got == job_last[JLW-1:0];
wire [15:0] lwrap = (rpg != 8'd0) ? {8'd0, rpg} - 16'd1 : TN[15:0] - 16'd1;
/* verilator lint_off UNUSEDSIGNAL */
wire [31:0] got_x = {{(32-JLW){1'b0}}, got};
/* verilator lint_on UNUSEDSIGNAL */

always @(posedge clk) begin
    if (job_push) job_mem[job_wr[1:0]] <= job_in;
end

always @(posedge clk) begin
    ib_we <= 1'b0;
    wb_we <= 1'b0;
    bias_we <= 1'b0;
    if (rst) begin
        job_wr <= 3'd0;
        job_rd <= 3'd0;
        in_fill <= 8'd0;
        w_fill <= 8'd0;
        got <= {JLW{1'b0}};
        rk <= 16'd0;
        rlane <= 16'd0;
        rch <= 16'd0;
        rblk <= 16'd0;
        rsub <= 16'd0;
        rwaddr <= {WBA{1'b0}};
    end else begin
        if (job_push) job_wr <= job_wr + 3'd1;
        if (!job_empty && rs_valid) begin
            if (!job_dest) begin
                ib_we <= 1'b1;
                ib_mask <= pmask << rlane;
                ib_addr <= {job_slot, rblk[IBA-1:0] + rk[IBA-1:0]};
                ib_data <= rs_data;
                if (k_last) begin
                    rk <= 16'd0;
                    rch <= rch + 16'd1;
                    if (rlane == lwrap) begin
                        rlane <= 16'd0;
                        rblk <= rblk + ipl;
                    end else begin
                        rlane <= rlane + 16'd1;
                    end
                end else begin
                    rk <= rk + 16'd1;
                end
            end else begin
                got <= got + 1'b1;
                if (got_x < NBW[31:0]) begin
                    bias_we <= 1'b1;
                    bias_slot <= job_slot;
                    bias_word <= got_x[15:0];
                    bias_data <= rs_data;
                end else begin
                    wb_we <= 1'b1;
                    wb_sub <= rsub;
                    wb_addr <= {job_slot, rwaddr};
                    wb_data <= rs_data;
                    if (rsub == WSUB[15:0] - 16'd1) begin
                        rsub <= 16'd0;
                        rwaddr <= rwaddr + 1'b1;
                    end else begin
                        rsub <= rsub + 16'd1;
                    end
                end
            end
            if (job_dest ? w_last : in_last) begin
                job_rd <= job_rd + 3'd1;
                got <= {JLW{1'b0}};
                rk <= 16'd0;
                rlane <= 16'd0;
                rch <= 16'd0;
                rblk <= 16'd0;
                rsub <= 16'd0;
                rwaddr <= {WBA{1'b0}};
                if (job_dest) w_fill <= w_fill + 8'd1;
                else in_fill <= in_fill + 8'd1;
            end
        end
    end
end

assign done = state == S_IDLE && !init && job_empty && !job_push;

endmodule

`resetall
