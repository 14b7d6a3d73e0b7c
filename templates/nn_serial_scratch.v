// nn_serial_scratch: the serial engine's on-chip scratch of fused layers: L banks the writer fills a lane group at a time, and the router that serves the loader's reads from them or from memory, in request order.
`resetall
`timescale 1ns / 1ps
`default_nettype none

/*
 * Address map: a word address v >= SBASE is in the scratch. With
 * u = v - SBASE, the map's channel ch = u >> SK starts at SBASE + ch << SK
 * and lives in bank ch mod L, a ring of SRW words (the descriptor's) at
 * bank word (ch / L)*SRW:
 *   off = u[SK-1:0], bank = u[SK+SL-1:SK], blk = u >> (SK+SL),
 *   bank word = blk*SRW + off mod SRW      (off < 2*SRW),
 * and a burst's words follow each other around the ring: a fused band's
 * rows of a layer wrap from the ring's end to its start. A read burst
 * never crosses a channel plane.
 *
 * Writes (the writer's wide mode): one bank word a bank a cycle, on
 * sc_we[j], all banks at the same word sc_waddr.
 *
 * Reads: the loader's request beat {addr, len} goes to memory (xq_*) or,
 * for addr >= SBASE, to the scratch, which returns its len words one a
 * cycle, the first two cycles after the beat is taken (a cycle to register
 * the bank word, one to read it), with no gaps. A scratch read is taken only
 * when no memory read word is outstanding (or the last one arrives in that
 * cycle), a memory read only when every scratch word has been read out of
 * its bank (the last may be on rs in that cycle: memory answers a cycle or
 * more after a request): the responses reach the loader in request order
 * and the two streams never meet on rs. Back-to-back scratch bursts follow
 * each other without a gap.
 */
module nn_serial_scratch #(
    parameter MW = 64,
    parameter AW = 32,
    parameter LEN_W = 9,
    // first word address of the scratch, aligned to 2^(SK+SL)
    parameter [AW-1:0] SBASE = {AW{1'b0}},
    // a channel plane is 2^SK words of address space
    parameter SK = 8,
    // 2^SL banks
    parameter SL = 0,
    // words a bank
    parameter SDEPTH = 1024,
    // bits of the count of memory read words outstanding
    parameter XW = LEN_W + 12
) (
    input  wire          clk,
    input  wire          rst,
    // a channel's ring: bank words (the descriptor's; 2*SRW <= 2^SK)
    input  wire [((SDEPTH > 1) ? $clog2(SDEPTH) : 1):0] srw,

    // the loader's reads
    input  wire          rq_valid,
    output wire          rq_ready,
    input  wire [AW-1:0] rq_addr,
    input  wire [LEN_W-1:0] rq_len,
    output wire          rs_valid,
    output wire [MW-1:0] rs_data,

    // reads to memory and their responses
    output wire          xq_valid,
    input  wire          xq_ready,
    output wire [AW-1:0] xq_addr,
    output wire [LEN_W-1:0] xq_len,
    input  wire          xs_valid,
    input  wire [MW-1:0] xs_data,

    // the writer's wide port
    input  wire [(1 << SL)-1:0] sc_we,
    input  wire [((SDEPTH > 1) ? $clog2(SDEPTH) : 1)-1:0] sc_waddr,
    input  wire [(1 << SL)*MW-1:0] sc_wdata
);

localparam L = 1 << SL;
localparam SA = (SDEPTH > 1) ? $clog2(SDEPTH) : 1;
localparam LB = (SL > 0) ? SL : 1;
/* verilator lint_off WIDTH */
localparam [63:0] L_MASK = L - 1;
localparam [63:0] SK_MASK = (64'd1 << SK) - 64'd1;
/* verilator lint_on WIDTH */

initial begin
    if (SDEPTH < 1 || SK + SL >= AW) begin
        $error("Error: scratch needs SDEPTH >= 1 and SK + SL < AW (instance %m)");
        $finish;
    end
    if (SBASE % (1 << (SK + SL)) != 0) begin
        $error("Error: SBASE must be aligned to 2^(SK+SL) (instance %m)");
        $finish;
    end
end

// ---------------------------------------------------------------- banks
reg [SA-1:0] r_addr;                 // the bank word read next
reg [SA:0] r_base, r_off;            // its channel's ring and place in it
reg [LEN_W-1:0] r_rem;               // words of the burst still to read
reg [LB-1:0] r_bank;
reg p_valid;                         // a word read last cycle: on rs now
reg [LB-1:0] p_bank;
wire [L*MW-1:0] b_rdata;

genvar g;
generate
    for (g = 0; g < L; g = g + 1) begin : g_bank
        nn_ram #(.DEPTH(SDEPTH), .WIDTH(MW)) u_ram (
            .clk(clk), .we(sc_we[g]), .waddr(sc_waddr), .wdata(sc_wdata[g*MW +: MW]),
            .re(1'b1), .raddr(r_addr), .rdata(b_rdata[g*MW +: MW])
        );
    end
endgenerate

reg [MW-1:0] sc_word;
integer i;
always @* begin
    sc_word = b_rdata[0 +: MW];
    for (i = 1; i < L; i = i + 1)
        if ({{(32-LB){1'b0}}, p_bank} == i) sc_word = b_rdata[i*MW +: MW];
end

// ---------------------------------------------------------------- router
// the request's place in the scratch, in 64 bits cut to the bank widths
/* verilator lint_off UNUSEDSIGNAL */
wire [AW-1:0] u_a = rq_addr - SBASE;
wire [63:0] u = {{(64-AW){1'b0}}, u_a};
wire [63:0] u_off = u & SK_MASK;
wire [63:0] u_bank = (u >> SK) & L_MASK;
wire [63:0] u_blk = u >> (SK + SL);
/* verilator lint_on UNUSEDSIGNAL */
/* verilator lint_off UNUSEDSIGNAL */
wire [SA:0] off = u_off[SA:0] >= srw ? u_off[SA:0] - srw : u_off[SA:0];
wire [2*SA+1:0] base = {{(SA+1){1'b0}}, u_blk[SA:0]} * {{(SA+1){1'b0}}, srw};
wire [SA:0] word = base[SA:0] + off;
wire [SA:0] r_next = (r_off + 1'b1 == srw) ? {(SA+1){1'b0}} : r_off + 1'b1;
wire [SA:0] r_sum = r_base + r_next;
/* verilator lint_on UNUSEDSIGNAL */
// (constant true at SBASE = 0: every read is the scratch's)
/* verilator lint_off UNSIGNED */
wire is_sc = rq_addr >= SBASE;
/* verilator lint_on UNSIGNED */

reg [XW-1:0] x_out;                  // memory read words outstanding
wire x_idle = x_out == {XW{1'b0}} || (x_out == {{(XW-1){1'b0}}, 1'b1} && xs_valid);
wire sc_busy = r_rem != {LEN_W{1'b0}};
wire sc_ok = x_idle && (r_rem == {LEN_W{1'b0}} || r_rem == {{(LEN_W-1){1'b0}}, 1'b1});
assign xq_valid = rq_valid && !is_sc && !sc_busy;
assign xq_addr = rq_addr;
assign xq_len = rq_len;
assign rq_ready = is_sc ? sc_ok : (xq_ready && !sc_busy);
wire sc_fire = rq_valid && is_sc && sc_ok;
wire xq_fire = xq_valid && xq_ready;

always @(posedge clk) begin
    p_valid <= sc_busy;
    p_bank <= r_bank;
    if (sc_fire) begin
        r_addr <= word[SA-1:0];
        r_base <= base[SA:0];
        r_off <= off;
        r_bank <= u_bank[LB-1:0];
        r_rem <= rq_len;
    end else if (sc_busy) begin
        r_addr <= r_sum[SA-1:0];
        r_off <= r_next;
        r_rem <= r_rem - 1'b1;
    end
    x_out <= x_out + (xq_fire ? {{(XW-LEN_W){1'b0}}, rq_len} : {XW{1'b0}})
                   - {{(XW-1){1'b0}}, xs_valid};
    if (rst) begin
        r_rem <= {LEN_W{1'b0}};
        p_valid <= 1'b0;
        x_out <= {XW{1'b0}};
    end
end

assign rs_valid = p_valid || xs_valid;
assign rs_data = p_valid ? sc_word : xs_data;

endmodule

`resetall
