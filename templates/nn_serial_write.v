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
 */
module nn_serial_write #(
    parameter TM = 8,
    parameter TP = 8,
    parameter MW = 64,
    parameter AW = 32,
    parameter LEN_W = 9,
    parameter MAXB = 256,
    parameter OBD = 256
) (
    input  wire          clk,
    input  wire          rst,
    input  wire          init,
    output wire          done,

    input  wire          pass,
    input  wire [15:0]   nrt,
    input  wire [15:0]   trp,
    input  wire [15:0]   prows_last,
    input  wire [15:0]   nob,
    input  wire [15:0]   nm_last,
    input  wire [AW-1:0] out_base,
    input  wire [31:0]   plane_o,
    input  wire [15:0]   wpwo,

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
    output wire          wq_locked
);

localparam OBA = $clog2(OBD);

reg walk_step;
// every unit uses its own subset of the shared walker's outputs
/* verilator lint_off UNUSEDSIGNAL */
wire [15:0] rt, ob, cc, or0, pr0, o0, ccs, rows, prows, nm, cs, nc, ncb;
wire signed [17:0] iy0;
wire first_task, last_task, first_cc, last_cc, first_in_rt;
/* verilator lint_on UNUSEDSIGNAL */

nn_serial_walk #(.TM(TM), .TP(TP)) u_walk (
    .clk(clk), .init(init), .step(walk_step), .pass(pass),
    .nrt(nrt), .tr(16'd0), .rows_last(16'd0), .trp(trp), .prows_last(prows_last),
    .trsh(16'd0), .ph(8'd0), .nob(nob), .nm_last(nm_last), .ncc(16'd1), .tc(16'd0),
    .nc_last(16'd0), .ncb_full(16'd0), .ncb_last(16'd0),
    .rt(rt), .ob(ob), .cc(cc), .or0(or0), .pr0(pr0), .o0(o0), .ccs(ccs), .iy0(iy0),
    .rows(rows), .prows(prows), .nm(nm), .cs(cs), .nc(nc), .ncb(ncb),
    .first_task(first_task), .last_task(last_task), .first_cc(first_cc),
    .last_cc(last_cc), .first_in_rt(first_in_rt)
);

localparam S_IDLE = 3'd0, S_SETTLE = 3'd1, S_WAIT = 3'd2, S_SEND = 3'd3, S_NEXT = 3'd4;
reg [2:0] state;
reg slot;
reg [31:0] len;                      // words per lane
// reader
reg rd_on;
reg [15:0] rm;
reg [31:0] rk;
reg rv;                              // a read is in flight
reg [15:0] rlane;
// queue
reg [MW-1:0] q [0:3];
reg [2:0] qw, qr;
wire [2:0] qn = qw - qr;
// sender
reg [15:0] sm;
reg [31:0] sk;
reg [AW-1:0] seg;
reg [31:0] brem;
// addresses in 64 bits, cut to AW
/* verilator lint_off UNUSEDSIGNAL */
wire [63:0] seg0 = {48'd0, o0} * {32'd0, plane_o} + {48'd0, pr0} * {48'd0, wpwo};
wire [63:0] plane_x = {32'd0, plane_o};
wire [63:0] sk_x = {32'd0, sk};
/* verilator lint_on UNUSEDSIGNAL */

wire [31:0] blen = (len - sk) > MAXB ? MAXB : (len - sk);
assign wq_valid = state == S_SEND && qn != 3'd0;
assign wq_addr = seg + sk_x[AW-1:0];
assign wq_len = blen[LEN_W-1:0];
assign wq_data = q[qr[1:0]];
assign wq_locked = brem != 32'd0;
wire fire = wq_valid && wq_ready;
wire rd_go = rd_on && ({1'b0, qn} + {3'd0, rv}) < 4'd4;
assign ob_raddr = {slot, rk[OBA-1:0]};


always @(posedge clk) begin
    walk_step <= 1'b0;
    rv <= rd_go;
    if (rv) begin
        q[qw[1:0]] <= ob_rdata[rlane*MW +: MW];
        qw <= qw + 3'd1;
    end
    if (rd_go) begin
        rlane <= rm;
        if (rk == len - 32'd1) begin
            rk <= 32'd0;
            if (rm == nm - 16'd1) rd_on <= 1'b0;
            rm <= rm + 16'd1;
        end else begin
            rk <= rk + 32'd1;
        end
    end
    if (fire) begin
        qr <= qr + 3'd1;
        brem <= (brem == 32'd0 ? blen : brem) - 32'd1;
        if (sk == len - 32'd1) begin
            sk <= 32'd0;
            seg <= seg + plane_x[AW-1:0];
            if (sm == nm - 16'd1) begin
                out_cons <= out_cons + 8'd1;
                state <= S_NEXT;
            end
            sm <= sm + 16'd1;
        end else begin
            sk <= sk + 32'd1;
        end
    end
    case (state)
    S_IDLE: ;
    S_SETTLE: if (!walk_step) state <= S_WAIT;
    S_WAIT: if (out_fill != out_cons) begin
        slot <= out_cons[0];
        len <= prows * wpwo;
        rd_on <= 1'b1;
        rm <= 16'd0;
        rk <= 32'd0;
        sm <= 16'd0;
        sk <= 32'd0;
        seg <= out_base + seg0[AW-1:0];
        state <= S_SEND;
    end
    S_SEND: ;
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
    if (rst) begin
        state <= S_IDLE;
        out_cons <= 8'd0;
        rd_on <= 1'b0;
        rv <= 1'b0;
        qw <= 3'd0;
        qr <= 3'd0;
        brem <= 32'd0;
    end
end

assign done = state == S_IDLE && !init;

endmodule

`resetall
