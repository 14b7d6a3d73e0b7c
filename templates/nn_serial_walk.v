// nn_serial_walk: the task walk of one serial layer (row tile, output block, input chunk), shared by every unit of the serial engine.
`resetall
`timescale 1ns / 1ps
`default_nettype none

/*
 * Tasks run in the order
 *   for rt < NRT: for ob < NOB: for cc < NCC
 * Every unit of nn_serial_core owns a walker and steps it on its own
 * schedule; they agree because they all walk the same sequence. The
 * compiler gives the sizes of the last tile, block and chunk, so there is
 * no division here.
 */
module nn_serial_walk #(
    // output channel block of a MAC layer (TM)
    parameter TM = 8,
    // channel block of a pass (min(TM, TN))
    parameter TP = 8,
    // 1: input chunks (NCC); 0: the unit sees one chunk a block (the drain
    // and the writer), cc stays 0
    parameter CHUNKS = 1
) (
    input  wire        clk,
    input  wire        init,
    input  wire        step,
    input  wire        pass,
    input  wire [15:0] nrt,
    input  wire [15:0] tr,
    input  wire [15:0] rows_last,
    input  wire [15:0] trp,
    input  wire [15:0] prows_last,
    input  wire [15:0] trsh,
    // the top input row of the first row tile (-ph for a whole layer;
    // a band of a fused layer starts lower)
    input  wire signed [17:0] iys,
    input  wire [15:0] nob,
    input  wire [15:0] nm_last,
    input  wire [15:0] ncc,
    input  wire [15:0] tc,
    input  wire [15:0] nc_last,
    input  wire [15:0] ncb_full,
    input  wire [15:0] ncb_last,
    output reg  [15:0] rt,
    output reg  [15:0] ob,
    output reg  [15:0] cc,
    output reg  [15:0] or0,
    output reg  [15:0] pr0,
    output reg  [15:0] o0,
    output reg  [15:0] ccs,
    output reg  signed [17:0] iy0,
    output wire [15:0] rows,
    output wire [15:0] prows,
    output wire [15:0] nm,
    output wire [15:0] cs,
    output wire [15:0] nc,
    output wire [15:0] ncb,
    output wire        first_task,
    output wire        last_task,
    output wire        first_cc,
    output wire        last_cc,
    output wire        first_in_rt
);

wire last_rt = (rt == nrt - 16'd1);
wire last_ob = (ob == nob - 16'd1);
assign last_cc = (CHUNKS == 0) || (cc == ncc - 16'd1);
assign first_cc = (CHUNKS == 0) || (cc == 16'd0);
assign first_in_rt = (ob == 16'd0) && (cc == 16'd0);
assign first_task = (rt == 16'd0) && first_in_rt;
assign last_task = last_rt && last_ob && last_cc;
assign rows = last_rt ? rows_last : tr;
assign prows = last_rt ? prows_last : trp;
assign nm = last_ob ? nm_last : (pass ? TP[15:0] : TM[15:0]);
assign cs = pass ? o0 : ccs;
assign nc = pass ? nm : (last_cc ? nc_last : tc);
assign ncb = pass ? 16'd1 : (last_cc ? ncb_last : ncb_full);

always @(posedge clk) begin
    if (init) begin
        rt <= 16'd0; ob <= 16'd0; cc <= 16'd0;
        or0 <= 16'd0; pr0 <= 16'd0; o0 <= 16'd0; ccs <= 16'd0;
        iy0 <= iys;
    end else if (step) begin
        if (!last_cc) begin
            cc <= cc + 16'd1;
            ccs <= ccs + tc;
        end else begin
            cc <= 16'd0;
            ccs <= 16'd0;
            if (!last_ob) begin
                ob <= ob + 16'd1;
                o0 <= o0 + (pass ? TP[15:0] : TM[15:0]);
            end else begin
                ob <= 16'd0;
                o0 <= 16'd0;
                rt <= rt + 16'd1;
                or0 <= or0 + tr;
                pr0 <= pr0 + trp;
                iy0 <= iy0 + $signed({2'd0, trsh});
            end
        end
    end
end

endmodule

`resetall
