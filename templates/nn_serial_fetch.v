// nn_serial_fetch: the serial engine's program reader: reads and checks the program header, then each descriptor record, from the program region (docs/DESIGN.md §10.3).
`resetall
`timescale 1ns / 1ps
`default_nettype none

/*
 * hdr (a pulse): read the header's first 16 bytes (ceil(128/MW) words at
 * word 0 of the program region) and check them: hdr_bad (not a program:
 * magic or version wrong, or no descriptors) or hdr_spec (built for
 * another engine: its spec hash is not SPEC); ndesc holds its descriptor
 * count.
 * rec (a pulse) with idx: read record idx (RECW words at byte 128 +
 * idx*RECW*MW/8) into word.
 * busy: from the pulse until the last response word is in (and, for
 * the header, its verdict is out).
 *
 * The request (req_*) has priority over the loader's reads in the core;
 * the core issues it only when no other read is outstanding, and holds
 * the loader's reads until it has been taken. Responses come in request
 * order, so the len words that follow are this unit's: claim is high
 * while resp_valid carries one of them (the core hides those words from
 * the loader).
 */
module nn_serial_fetch #(
    parameter MW = 64,
    parameter AW = 32,
    parameter LEN_W = 9,
    // the descriptor's bits (D_W)
    parameter DBITS = 64,
    // the spec hash of this engine
    parameter [31:0] SPEC = 32'h0
) (
    input  wire             clk,
    input  wire             rst,
    input  wire             hdr,
    input  wire             rec,
    input  wire [15:0]      idx,
    output wire             busy,
    output reg              hdr_bad,
    output reg              hdr_spec,
    output reg  [15:0]      ndesc,
    output wire [DBITS-1:0] word,

    output reg              req_valid,
    input  wire             req_ready,
    output reg  [AW-1:0]    req_addr,
    output reg  [LEN_W-1:0] req_len,
    input  wire             resp_valid,
    input  wire [MW-1:0]    resp_data,
    output wire             claim
);

// words of a record and of the header's checked bytes; where records start
localparam RECW = (DBITS + MW - 1) / MW;
localparam HW = (128 + MW - 1) / MW;
localparam RBASE = 1024 / MW;
localparam BUFW = (RECW > HW ? RECW : HW) * MW;
// the program region: 4 in the address's top three bits
localparam [AW-1:0] PROG = {3'd4, {(AW-3){1'b0}}};

// the record's words as they arrive (the last word's bits past DBITS and the
// header's past byte 15 are not looked at)
/* verilator lint_off UNUSEDSIGNAL */
reg [BUFW-1:0] buf_q;
wire [127:0] h = buf_q[127:0];
/* verilator lint_on UNUSEDSIGNAL */
reg [LEN_W-1:0] left;       // response words still to come
reg [15:0] wi;              // the next word's index in buf_q
reg in_hdr;
assign busy = req_valid || left != {LEN_W{1'b0}} || hdr || rec || in_hdr;
assign claim = resp_valid && left != {LEN_W{1'b0}};
assign word = buf_q[DBITS-1:0];

/* verilator lint_off WIDTH */
wire [AW-1:0] rec_at = RBASE + idx * RECW;
localparam [LEN_W-1:0] RECW_L = RECW;
localparam [LEN_W-1:0] HW_L = HW;
/* verilator lint_on WIDTH */

integer k;
always @(posedge clk) begin
    if (rst) begin
        req_valid <= 1'b0;
        left <= {LEN_W{1'b0}};
        hdr_bad <= 1'b0;
        hdr_spec <= 1'b0;
        in_hdr <= 1'b0;
    end else begin
        if (hdr || rec) begin
            req_valid <= 1'b1;
            req_addr <= hdr ? PROG : PROG | rec_at;
            req_len <= hdr ? HW_L : RECW_L;
            in_hdr <= hdr;
            wi <= 16'd0;
        end else if (req_valid && req_ready) begin
            req_valid <= 1'b0;
            left <= req_len;
        end
        if (claim) begin
            for (k = 0; k < BUFW / MW; k = k + 1)
                if ({16'd0, wi} == k)
                    buf_q[k*MW +: MW] <= resp_data;
            wi <= wi + 16'd1;
            left <= left - 1'b1;
        end
        // the header's verdict, once its last word is in
        if (in_hdr && !req_valid && left == {LEN_W{1'b0}} && !hdr) begin
            in_hdr <= 1'b0;
            hdr_bad <= h[31:0] != 32'h50434E4E || h[47:32] != 16'd1 || h[63:48] == 16'd0;
            hdr_spec <= h[95:64] != SPEC;
            ndesc <= h[63:48];
        end
    end
end

endmodule

`resetall
