// nn_serial_axi: AXI4 master for the serial engine's memory port: turns its valid/ready request/response bus into AR/R/AW/W/B bursts (INCR, up to 256 beats, split at 4 KB boundaries).
`resetall
`timescale 1ns / 1ps
`default_nettype none

/*
 * Engine side (nn_serial_core's memory port): a read is one request beat
 * {addr, len}, its len words come back on resp in order and are always
 * accepted; a write is len beats, the first carrying addr and len.
 * Addresses are in words of DW bits.
 *
 * AXI side: one ID (0), so read data returns in order. Byte addresses of
 * AW + log2(DW/8) bits = word address * DW/8; ARSIZE/AWSIZE = log2(DW/8); INCR bursts, never
 * across a 4 KB boundary (a request that would cross is split); WSTRB all
 * ones; RREADY and BREADY always high.
 *
 * Ordering: the engine expects a read to see every earlier write. AXI
 * does not order the read and write channels, so a read request waits
 * until every write burst issued before it has its B response (a write is
 * done when its B arrives, not when its last beat leaves). Reads behind
 * reads and writes behind reads need no wait.
 *
 * ARVALID and AWVALID come from registers; WVALID follows the engine's
 * request valid, which holds until it is taken. No VALID waits for its
 * READY. Responses with an error (RRESP/BRESP != OKAY) raise err (sticky
 * until reset).
 */
module nn_serial_axi #(
    // data bits (the engine's memory word)
    parameter DW = 64,
    // engine word address bits
    parameter AW = 32,
    // engine burst length field bits
    // engine burst length field bits (9: up to 256 beats)
    parameter LEN_W = 9
) (
    input  wire              clk,
    input  wire              rst,

    // engine side
    input  wire              req_valid,
    output wire              req_ready,
    input  wire [AW-1:0]     req_addr,
    input  wire              req_write,
    input  wire [LEN_W-1:0]  req_len,
    input  wire [DW-1:0]     req_wdata,
    output wire              resp_valid,
    output wire [DW-1:0]     resp_data,
    output reg               err,

    // AXI4 master
    output wire [3:0]        m_axi_arid,
    output wire [AW+$clog2(DW/8)-1:0] m_axi_araddr,
    output wire [7:0]        m_axi_arlen,
    output wire [2:0]        m_axi_arsize,
    output wire [1:0]        m_axi_arburst,
    output wire              m_axi_arvalid,
    input  wire              m_axi_arready,
    input  wire [3:0]        m_axi_rid,
    input  wire [DW-1:0]     m_axi_rdata,
    input  wire [1:0]        m_axi_rresp,
    input  wire              m_axi_rlast,
    input  wire              m_axi_rvalid,
    output wire              m_axi_rready,
    output wire [3:0]        m_axi_awid,
    output wire [AW+$clog2(DW/8)-1:0] m_axi_awaddr,
    output wire [7:0]        m_axi_awlen,
    output wire [2:0]        m_axi_awsize,
    output wire [1:0]        m_axi_awburst,
    output wire              m_axi_awvalid,
    input  wire              m_axi_awready,
    output wire [DW-1:0]     m_axi_wdata,
    output wire [DW/8-1:0]   m_axi_wstrb,
    output wire              m_axi_wlast,
    output wire              m_axi_wvalid,
    input  wire              m_axi_wready,
    input  wire [3:0]        m_axi_bid,
    input  wire [1:0]        m_axi_bresp,
    input  wire              m_axi_bvalid,
    output wire              m_axi_bready
);

localparam integer SZ = $clog2(DW / 8);
// words in a 4 KB page (at least 1)
localparam integer PAGE = (4096 / (DW / 8)) > 0 ? (4096 / (DW / 8)) : 1;
localparam integer PB = $clog2(PAGE);

initial begin
    if ((1 << SZ) != DW / 8 || DW < 16 || DW > 1024 || AW < 16 || LEN_W != 9) begin
        $error("Error: DW must be a power of two from 16 to 1024, AW >= 16, LEN_W = 9 (instance %m)");
        $finish;
    end
end

// beats of the next sub-burst from word offset off in its 4 KB page:
// min(left, words to the page end)
function [8:0] sub_len;
    input [PB-1:0] off;
    input [8:0] left;
    reg [12:0] p;
    begin
        p = 13'd0;
        p[PB:0] = PAGE[PB:0] - {1'b0, off};
        sub_len = ({4'b0, left} < p) ? left : p[8:0];
    end
endfunction

wire [8:0] req_len9 = req_len;

// ---------------------------------------------------------------- writes
reg [AW-1:0] w_addr;                 // word address of the next beat
reg [8:0] w_left;                    // beats left in the engine's request
reg [8:0] w_sub;                     // beats left in the current sub-burst
reg aw_v;
reg [AW-1:0] aw_addr;
reg [7:0] aw_len;
reg [15:0] w_out;                    // sub-bursts without their B yet

wire w_first = w_left == 9'd0;       // this beat starts a request
wire [AW-1:0] wb_addr = w_first ? req_addr : w_addr;
wire [8:0] wb_left = w_first ? req_len9 : w_left;
wire w_start = w_sub == 9'd0;        // this beat starts a sub-burst
wire [8:0] w_n = sub_len(wb_addr[PB-1:0], wb_left);
wire w_can = req_write && (!w_start || !aw_v);
assign m_axi_wvalid = req_valid && w_can;
assign m_axi_wdata = req_wdata;
assign m_axi_wstrb = {(DW / 8){1'b1}};
assign m_axi_wlast = w_start ? (w_n == 9'd1) : (w_sub == 9'd1);
wire w_fire = m_axi_wvalid && m_axi_wready;
wire b_fire = m_axi_bvalid;

always @(posedge clk) begin
    if (rst) begin
        w_left <= 9'd0;
        w_sub <= 9'd0;
        aw_v <= 1'b0;
        w_out <= 16'd0;
    end else begin
        if (aw_v && m_axi_awready) aw_v <= 1'b0;
        if (w_fire) begin
            w_addr <= wb_addr + {{(AW-1){1'b0}}, 1'b1};
            w_left <= wb_left - 9'd1;
            if (w_start) begin
                aw_v <= 1'b1;
                aw_addr <= wb_addr;
                aw_len <= w_n[7:0] - 8'd1;
                w_sub <= w_n - 9'd1;
            end else begin
                w_sub <= w_sub - 9'd1;
            end
        end
        w_out <= w_out + ((w_fire && w_start) ? 16'd1 : 16'd0) - (b_fire ? 16'd1 : 16'd0);
    end
end

assign m_axi_awid = 4'd0;
assign m_axi_awaddr = {aw_addr, {SZ{1'b0}}};
assign m_axi_awlen = aw_len;
assign m_axi_awsize = SZ[2:0];
assign m_axi_awburst = 2'b01;
assign m_axi_awvalid = aw_v;
assign m_axi_bready = 1'b1;

// ---------------------------------------------------------------- reads
reg ar_busy;
reg [AW-1:0] ar_addr;
reg [8:0] ar_left;
wire [8:0] ar_n = sub_len(ar_addr[PB-1:0], ar_left);
// a read waits for every earlier write to be answered
wire r_can = !req_write && !ar_busy && w_out == 16'd0 && w_left == 9'd0 && !aw_v;

always @(posedge clk) begin
    if (rst) begin
        ar_busy <= 1'b0;
    end else if (!ar_busy) begin
        if (req_valid && r_can) begin
            ar_busy <= 1'b1;
            ar_addr <= req_addr;
            ar_left <= req_len9;
        end
    end else if (m_axi_arready) begin
        ar_addr <= ar_addr + {{(AW-9){1'b0}}, ar_n};
        ar_left <= ar_left - ar_n;
        if (ar_left == ar_n) ar_busy <= 1'b0;
    end
end

assign m_axi_arid = 4'd0;
assign m_axi_araddr = {ar_addr, {SZ{1'b0}}};
assign m_axi_arlen = ar_n[7:0] - 8'd1;
assign m_axi_arsize = SZ[2:0];
assign m_axi_arburst = 2'b01;
assign m_axi_arvalid = ar_busy;
assign m_axi_rready = 1'b1;

assign resp_valid = m_axi_rvalid;
assign resp_data = m_axi_rdata;
assign req_ready = req_write ? (w_can && m_axi_wready) : r_can;

always @(posedge clk) begin
    if (rst) err <= 1'b0;
    else if ((m_axi_rvalid && m_axi_rresp != 2'b00) || (m_axi_bvalid && m_axi_bresp != 2'b00))
        err <= 1'b1;
end

// unused: IDs (one ID throughout), RLAST (the engine counts its words)
wire unused = &{1'b0, m_axi_rid, m_axi_bid, m_axi_rlast};

endmodule

`resetall
