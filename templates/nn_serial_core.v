// nn_serial_core: the layer-serial engine: a TM x TN multiply-accumulate array reused by every layer, its double-buffered tile buffers, loader, output path and writer, driven by a layer-descriptor table.
`resetall
`timescale 1ns / 1ps
`default_nettype none

/*
 *            +------ program: header, descriptor records (nn_serial_fetch) ----+
 *            v                                                                  v
 *  mem  -> nn_serial_load --> input banks  (TN x 2 slots) --+          nn_serial_write --> mem
 *  resp                  \--> weight banks (2 slots), bias --+-> nn_serial_mac ---+   ^
 *                                                               (TM x TN array)   |   |
 *                             accumulators (2 banks) <----------------------------+   |
 *                                   \--> nn_serial_drain --> output banks (2 slots) --+
 *
 * Every unit walks the same task sequence of the current descriptor and
 * hands buffers over with fill/consume counters, so loading the next tile,
 * computing this one, draining the previous and writing the one before
 * that all overlap. A descriptor ends when every unit is done and the
 * last write has been accepted; the next one then starts (its reads see
 * the writes: the memory serves requests in order).
 *
 * The program (docs/DESIGN.md §10.3) is read from memory: at start its
 * header (checked against SPEC: a bad one ends the run at once with
 * status bit 2 or 3), then record 0; while descriptor k runs, record k+1,
 * read once the loader has all its data (no read is outstanding then, so
 * its words are the next responses, claimed by nn_serial_fetch).
 *
 * Fused layers (SDEPTH > 0): a descriptor with osc writes its output
 * tiles to the on-chip scratch (nn_serial_scratch) instead of memory, and
 * reads from addresses at SBASE and above are served by the scratch (the
 * router keeps the responses in request order). SDEPTH = 0: no scratch,
 * nothing of it is built.
 *
 * Memory port: engine addresses {region, offset} (§10.2; the top
 * relocates them). Request beats (valid/ready) carry address, write flag,
 * burst length and write data; a read is one beat and returns LEN
 * response beats in order (the master always accepts them); a write is
 * LEN beats, the first carrying the address and length. rd_err/wr_err: a
 * response of the bus was an error (sampled while busy): the engine
 * finishes the descriptor under way, then stops with status bit 0 or 1.
 *
 * status: bit 0 read error, 1 write error, 2 not a program, 3 built for
 * another engine, 31..16 descriptors completed; cleared at start.
 */
module nn_serial_core #(
    parameter TM = 8,
    parameter TN = 8,
    // activation datapath bits (widest activation container)
    parameter CW = 8,
    // weight container bits
    parameter WCW = 8,
    parameter MW = 64,
    parameter AW = 32,
    parameter LEN_W = 9,
    parameter MAXB = 256,
    parameter ACC_W = 32,
    parameter BW = 32,
    // 1: the output path has the average pass multiply; 0: no descriptor
    // averages (the compiler knows), and the TM multipliers are not built
    parameter AVG = 1,
    // the average pass's multiplier width (an average pool's sums fit it)
    parameter AVG_W = ACC_W,
    parameter IBD = 1024,
    parameter WBD = 256,
    parameter ABD = 1024,
    parameter OBD = 256,
    // the spec hash of this engine (a program's header must carry it)
    parameter [31:0] SPEC = 32'h0,
    // the scratch of fused layers (nn_serial_scratch): word addresses from
    // SBASE (aligned to 2^(SK+SL)), a channel plane 2^SK words of address
    // space and a ring of the descriptor's SRW bank words in its bank,
    // 2^SL banks (dividing TM) of SDEPTH words;
    // SDEPTH = 0: no scratch
    parameter [AW-1:0] SBASE = {AW{1'b0}},
    parameter SK = 0,
    parameter SL = 0,
    parameter SDEPTH = 0
) (
    input  wire          clk,
    input  wire          rst,
    input  wire          start,
    output reg           busy,
    output reg           done,
    // a one-cycle pulse as a run ends (done rises)
    output reg           fin,
    output wire [31:0]   status,
    input  wire          rd_err,
    input  wire          wr_err,

    output wire          mem_req_valid,
    input  wire          mem_req_ready,
    output wire [AW-1:0] mem_req_addr,
    output wire          mem_req_write,
    output wire [LEN_W-1:0] mem_req_len,
    output wire [MW-1:0] mem_req_wdata,
    input  wire          mem_resp_valid,
    input  wire [MW-1:0] mem_resp_data,

    // the index of the descriptor under way (testbenches time it)
    output wire [15:0]   desc
);

`include "nn_serial_desc.vh"

// The descriptor under way, one register: every unit derives addresses and
// requantization constants from its fields. Loaded in C_REC / C_RUN from
// the record the fetch unit read; constant while a descriptor runs; the
// units start (init) in C_INIT, when the register holds it.
reg [D_W-1:0] fields_reg;
wire [D_OUT_W-1:0] f_out = fields_reg[D_OUT_OFF +: D_OUT_W];
wire [D_SRW_W-1:0] f_srw = fields_reg[D_SRW_OFF +: D_SRW_W];

localparam TP = (TM < TN) ? TM : TN;
localparam WSUB = (TM * TN * WCW + MW - 1) / MW;
localparam NBW = (TM * BW + MW - 1) / MW;
localparam IBA = $clog2(IBD);
localparam WBA = $clog2(WBD);
localparam ABA = $clog2(ABD);
localparam OBA = $clog2(OBD);

// ---------------------------------------------------------------- control
reg [15:0] dcnt;
assign desc = dcnt;
localparam C_IDLE = 3'd0, C_HDR = 3'd1, C_REC = 3'd2, C_INIT = 3'd3, C_SETTLE = 3'd4,
           C_RUN = 3'd5;
reg [2:0] cstate;
reg init;
wire load_done, mac_done, drain_done, write_done;
reg f_hdr, f_rec;
reg f_need;                 // the next record is still to be read
reg [15:0] f_idx;
wire f_busy, f_bad, f_spec, f_claim;
wire [15:0] f_ndesc;
wire [D_W-1:0] f_word;
reg e_rd, e_wr, e_bad, e_spec;
reg [15:0] ndone;
assign status = {ndone, 12'd0, e_spec, e_bad, e_wr, e_rd};
wire units_done = load_done && mac_done && drain_done && write_done;
// the units start every run from reset: a run that stopped early (a bus
// error) may leave state behind, such as a prefetched weight tile of the
// descriptor it did not run
reg urst;
always @(posedge clk)
    urst <= rst || (cstate == C_IDLE && start);

always @(posedge clk) begin
    init <= 1'b0;
    fin <= 1'b0;
    f_hdr <= 1'b0;
    f_rec <= 1'b0;
    if (rst) begin
        cstate <= C_IDLE;
        busy <= 1'b0;
        done <= 1'b0;
        dcnt <= 16'd0;
        {e_rd, e_wr, e_bad, e_spec} <= 4'd0;
        ndone <= 16'd0;
        f_need <= 1'b0;
    end else begin
        if (busy && rd_err) e_rd <= 1'b1;
        if (busy && wr_err) e_wr <= 1'b1;
        case (cstate)
        C_IDLE: if (start) begin
            busy <= 1'b1;
            done <= 1'b0;
            dcnt <= 16'd0;
            {e_rd, e_wr, e_bad, e_spec} <= 4'd0;
            ndone <= 16'd0;
            f_hdr <= 1'b1;
            cstate <= C_HDR;
        end
        C_HDR: if (!f_busy && !f_hdr) begin
            if (f_bad || f_spec || e_rd || rd_err) begin
                // a bus error's garbage is not judged as a header
                e_rd <= 1'b1 & (e_rd || rd_err);
                e_bad <= f_bad && !(e_rd || rd_err);
                e_spec <= f_spec && !f_bad && !(e_rd || rd_err);
                busy <= 1'b0;
                done <= 1'b1;
                fin <= 1'b1;
                cstate <= C_IDLE;
            end else begin
                f_rec <= 1'b1;
                f_idx <= 16'd0;
                cstate <= C_REC;
            end
        end
        C_REC: if (!f_busy && !f_rec) begin
            fields_reg <= f_word;
            if (e_rd || rd_err) begin
                e_rd <= 1'b1;
                busy <= 1'b0;
                done <= 1'b1;
                fin <= 1'b1;
                cstate <= C_IDLE;
            end else begin
                f_need <= f_ndesc > 16'd1;
                cstate <= C_INIT;
            end
        end
        C_INIT: begin
            init <= 1'b1;
            cstate <= C_SETTLE;
        end
        C_SETTLE: cstate <= C_RUN;
        // the next record is read while this descriptor runs, once the
        // loader has all its data (no read is outstanding then, so the
        // record's words are the next responses; the loader reads nothing
        // more until the next descriptor)
        C_RUN: if (f_need && load_done && !f_busy) begin
            f_rec <= 1'b1;
            f_idx <= dcnt + 16'd1;
            f_need <= 1'b0;
        end else if (units_done && !f_need && !f_busy && !f_rec) begin
            ndone <= ndone + 16'd1;
            if ({1'b0, dcnt} + 17'd1 >= {1'b0, f_ndesc} || e_rd || e_wr || rd_err || wr_err) begin
                if (rd_err) e_rd <= 1'b1;
                if (wr_err) e_wr <= 1'b1;
                busy <= 1'b0;
                done <= 1'b1;
                fin <= 1'b1;
                cstate <= C_IDLE;
            end else begin
                fields_reg <= f_word;
                dcnt <= dcnt + 16'd1;
                f_need <= {1'b0, dcnt} + 17'd2 < {1'b0, f_ndesc};
                cstate <= C_INIT;
            end
        end
        default: cstate <= C_IDLE;
        endcase
    end
end

// ---------------------------------------------------------------- buffers
wire ib_we;
wire [TN-1:0] ib_mask;
wire [IBA:0] ib_waddr;
wire [TN*(IBA+1)-1:0] ib_raddr;
wire [MW-1:0] ib_wdata;
wire [TN*MW-1:0] ib_rdata;
wire wb_we;
wire [15:0] wb_sub;
wire [WBA:0] wb_waddr, wb_raddr;
wire [MW-1:0] wb_wdata;
wire [WSUB*MW-1:0] wb_rdata;
wire bias_we, bias_slot;
wire [15:0] bias_word;
wire [MW-1:0] bias_data;
reg [2*NBW*MW-1:0] bias_flat;

genvar g;
generate
    for (g = 0; g < TN; g = g + 1) begin : g_ib
        nn_ram #(.DEPTH(2 * IBD), .WIDTH(MW)) u_ram (
            .clk(clk), .we(ib_we && ib_mask[g]), .waddr(ib_waddr), .wdata(ib_wdata),
            .re(1'b1), .raddr(ib_raddr[g*(IBA+1) +: IBA+1]), .rdata(ib_rdata[g*MW +: MW])
        );
    end
    for (g = 0; g < WSUB; g = g + 1) begin : g_wb
        nn_ram #(.DEPTH(2 * WBD), .WIDTH(MW)) u_ram (
            .clk(clk), .we(wb_we && wb_sub == g), .waddr(wb_waddr), .wdata(wb_wdata),
            .re(1'b1), .raddr(wb_raddr), .rdata(wb_rdata[g*MW +: MW])
        );
    end
endgenerate

integer bk;
always @(posedge clk) begin
    for (bk = 0; bk < 2 * NBW; bk = bk + 1)
        if (bias_we && bias_slot == (bk >= NBW) && {16'd0, bias_word} == bk % NBW)
            bias_flat[bk*MW +: MW] <= bias_data;
end

// accumulators: two banks; the array reads the one it fills, the drain the other
wire mac_acc_re, mac_acc_bank, acc_we, acc_wbank;
wire [ABA-1:0] mac_acc_raddr, acc_waddr, drain_raddr;
wire [TM*ACC_W-1:0] acc_wdata;
wire [2*TM*ACC_W-1:0] acc_rdata;
generate
    for (g = 0; g < 2; g = g + 1) begin : g_acc
        nn_ram #(.DEPTH(ABD), .WIDTH(TM * ACC_W)) u_ram (
            .clk(clk), .we(acc_we && acc_wbank == g), .waddr(acc_waddr), .wdata(acc_wdata),
            .re(1'b1),
            .raddr((mac_acc_re && mac_acc_bank == g) ? mac_acc_raddr : drain_raddr),
            .rdata(acc_rdata[g*TM*ACC_W +: TM*ACC_W])
        );
    end
endgenerate

// output tile buffer: one bank per lane, made of MW/8 byte-wide RAMs (the
// drain writes each value into its byte slots; the writer reads words)
wire [MW/8-1:0] ob_we;
wire [OBA:0] ob_waddr, ob_raddr;
wire [TM*MW-1:0] ob_wdata, ob_rdata;
genvar gs;
generate
    for (g = 0; g < TM; g = g + 1) begin : g_ob
        for (gs = 0; gs < MW / 8; gs = gs + 1) begin : g_slot
            nn_ram #(.DEPTH(2 * OBD), .WIDTH(8)) u_ram (
                .clk(clk), .we(ob_we[gs]), .waddr(ob_waddr), .wdata(ob_wdata[g*MW + gs*8 +: 8]),
                .re(1'b1), .raddr(ob_raddr), .rdata(ob_rdata[g*MW + gs*8 +: 8])
            );
        end
    end
endgenerate

// ---------------------------------------------------------------- units
wire [7:0] in_fill, in_cons, w_fill, w_cons, acc_done, acc_freed, out_fill, out_cons;
wire rq_valid, rq_ready, wq_valid, wq_ready, wq_locked;
wire [AW-1:0] rq_addr, wq_addr;
wire [LEN_W-1:0] rq_len, wq_len;
wire [MW-1:0] wq_data;
// the loader's responses; its reads to memory (through the scratch's router)
wire rs_valid, xq_valid, xq_ready;
wire [MW-1:0] rs_data;
wire [AW-1:0] xq_addr;
wire [LEN_W-1:0] xq_len;
// the writer's wide port (unused without a scratch)
localparam WSL = (SDEPTH > 0) ? SL : 0;
localparam SA = (SDEPTH > 1) ? $clog2(SDEPTH) : 1;
/* verilator lint_off UNUSEDSIGNAL */
wire [(1 << WSL)-1:0] sc_we;
wire [SA-1:0] sc_waddr;
// a fused band's ring and where the band starts in it (its output base
// above SBASE: below a ring's words)
wire [23:0] srw_x = f_srw;
wire [AW-1:0] out_rel = f_out - SBASE;
wire [63:0] out_rel_x = {{(64-AW){1'b0}}, out_rel};
wire [SA:0] sc_srw = srw_x[SA:0];
wire [SA:0] sc_start = out_rel_x[SA:0];
wire [(1 << WSL)*MW-1:0] sc_wdata;
/* verilator lint_on UNUSEDSIGNAL */

nn_serial_load #(
    .TM(TM), .TN(TN), .TP(TP), .CW(CW), .MW(MW), .AW(AW), .LEN_W(LEN_W), .MAXB(MAXB),
    .IBD(IBD), .WBD(WBD), .WSUB(WSUB), .NBW(NBW)
) u_load (
    .clk(clk), .rst(urst), .init(init), .done(load_done),
    .fields(fields_reg),
    .in_cons(in_cons), .w_cons(w_cons), .in_fill(in_fill), .w_fill(w_fill),
    .rq_valid(rq_valid), .rq_ready(rq_ready), .rq_addr(rq_addr), .rq_len(rq_len),
    .rs_valid(rs_valid), .rs_data(rs_data),
    .ib_we(ib_we), .ib_mask(ib_mask), .ib_addr(ib_waddr), .ib_data(ib_wdata),
    .wb_we(wb_we), .wb_sub(wb_sub), .wb_addr(wb_waddr), .wb_data(wb_wdata),
    .bias_we(bias_we), .bias_slot(bias_slot), .bias_word(bias_word), .bias_data(bias_data)
);

nn_serial_mac #(
    .TM(TM), .TN(TN), .TP(TP), .CW(CW), .WCW(WCW), .MW(MW), .AW(AW), .ACC_W(ACC_W), .BW(BW),
    .IBD(IBD), .WBD(WBD), .WSUB(WSUB), .NBW(NBW), .ABD(ABD)
) u_mac (
    .clk(clk), .rst(urst), .init(init), .done(mac_done),
    .fields(fields_reg),
    .in_fill(in_fill), .w_fill(w_fill), .in_cons(in_cons), .w_cons(w_cons),
    .acc_done(acc_done), .acc_freed(acc_freed),
    .ib_raddr(ib_raddr), .ib_rdata(ib_rdata), .wb_raddr(wb_raddr), .wb_rdata(wb_rdata),
    .bias_flat(bias_flat),
    .acc_re(mac_acc_re), .acc_bank(mac_acc_bank), .acc_raddr(mac_acc_raddr),
    .acc_rdata(acc_rdata), .acc_we(acc_we), .acc_wbank(acc_wbank), .acc_waddr(acc_waddr),
    .acc_wdata(acc_wdata)
);

nn_serial_drain #(
    .TM(TM), .TN(TN), .TP(TP), .CW(CW), .MW(MW), .AW(AW), .ACC_W(ACC_W), .AVG(AVG), .AVG_W(AVG_W), .ABD(ABD),
    .OBD(OBD)
) u_drain (
    .clk(clk), .rst(urst), .init(init), .done(drain_done),
    .fields(fields_reg),
    .acc_done(acc_done), .acc_freed(acc_freed), .out_fill(out_fill), .out_cons(out_cons),
    .acc_raddr(drain_raddr), .acc_rdata(acc_rdata),
    .ob_we(ob_we), .ob_addr(ob_waddr), .ob_wdata(ob_wdata)
);

nn_serial_write #(
    .TM(TM), .TN(TN), .TP(TP), .CW(CW), .MW(MW), .AW(AW), .LEN_W(LEN_W), .MAXB(MAXB),
    .OBD(OBD), .SL(WSL), .SDEPTH(SDEPTH)
) u_write (
    .clk(clk), .rst(urst), .init(init), .done(write_done),
    .fields(fields_reg), .srw(sc_srw), .start(sc_start),
    .out_fill(out_fill), .out_cons(out_cons), .ob_raddr(ob_raddr), .ob_rdata(ob_rdata),
    .wq_valid(wq_valid), .wq_ready(wq_ready), .wq_addr(wq_addr), .wq_len(wq_len),
    .wq_data(wq_data), .wq_locked(wq_locked),
    .sc_we(sc_we), .sc_waddr(sc_waddr), .sc_wdata(sc_wdata)
);

// ---------------------------------------------------------------- scratch
generate
    if (SDEPTH > 0) begin : g_scratch
        nn_serial_scratch #(
            .MW(MW), .AW(AW), .LEN_W(LEN_W), .SBASE(SBASE), .SK(SK), .SL(SL),
            .SDEPTH(SDEPTH)
        ) u_scratch (
            .clk(clk), .rst(urst), .srw(sc_srw),
            .rq_valid(rq_valid), .rq_ready(rq_ready), .rq_addr(rq_addr), .rq_len(rq_len),
            .rs_valid(rs_valid), .rs_data(rs_data),
            .xq_valid(xq_valid), .xq_ready(xq_ready), .xq_addr(xq_addr), .xq_len(xq_len),
            .xs_valid(mem_resp_valid && !f_claim), .xs_data(mem_resp_data),
            .sc_we(sc_we), .sc_waddr(sc_waddr), .sc_wdata(sc_wdata)
        );
    end else begin : g_no_scratch
        assign xq_valid = rq_valid;
        assign xq_addr = rq_addr;
        assign xq_len = rq_len;
        assign rq_ready = xq_ready;
        assign rs_valid = mem_resp_valid && !f_claim;
        assign rs_data = mem_resp_data;
    end
endgenerate

// ---------------------------------------------------------------- program
wire fq_valid, fq_ready;
wire [AW-1:0] fq_addr;
wire [LEN_W-1:0] fq_len;
nn_serial_fetch #(
    .MW(MW), .AW(AW), .LEN_W(LEN_W), .DBITS(D_W), .SPEC(SPEC)
) u_fetch (
    .clk(clk), .rst(rst), .hdr(f_hdr), .rec(f_rec), .idx(f_idx),
    .busy(f_busy), .hdr_bad(f_bad), .hdr_spec(f_spec), .ndesc(f_ndesc), .word(f_word),
    .req_valid(fq_valid), .req_ready(fq_ready), .req_addr(fq_addr), .req_len(fq_len),
    .resp_valid(mem_resp_valid), .resp_data(mem_resp_data), .claim(f_claim)
);

// ---------------------------------------------------------------- memory port
// The writer has the bus while a burst is under way and whenever it has a
// word; then the program reader (it reads only while no other read is
// outstanding; the loader's reads also wait while its request is
// pending); reads fill the gaps (the loader runs ahead, so they wait little).
wire grant_w = wq_locked || wq_valid;
wire grant_f = !grant_w && fq_valid;
assign mem_req_valid = grant_w ? wq_valid : grant_f ? 1'b1 : xq_valid;
assign mem_req_addr = grant_w ? wq_addr : grant_f ? fq_addr : xq_addr;
assign mem_req_write = grant_w;
assign mem_req_len = grant_w ? wq_len : grant_f ? fq_len : xq_len;
assign mem_req_wdata = wq_data;
assign wq_ready = grant_w && mem_req_ready;
assign fq_ready = grant_f && mem_req_ready;
assign xq_ready = !grant_w && !fq_valid && mem_req_ready;

endmodule

`resetall
