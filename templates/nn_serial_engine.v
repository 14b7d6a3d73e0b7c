// nn_serial_engine: a layer-serial engine that runs any program the host sends: nn_serial_core behind an AXI4-Lite control slave (nn_serial_ctrl) and an AXI4 memory master (nn_serial_axi), its addresses relocated by five base pointers (docs/DESIGN.md §10).
`resetall
`timescale 1ns / 1ps
`default_nettype none

/*
 *              s_axi_control (AXI4-Lite, HLS register layout)
 *                    |
 *              nn_serial_ctrl --- interrupt
 *           start |  ^ idle, fin, status      base pointers (bytes)
 *                 v  |                              |
 *              nn_serial_core --{region, offset}--> nn_serial_reloc --> nn_serial_axi --> m_axi_gmem
 *                 ^ (words in request order)                               |  (AXI4, INCR, 4 KB)
 *                 +---------------------------------------------------------+
 *
 * The host writes the five pointers (program, weights, work, input,
 * output: byte addresses, aligned to MW/8 bytes; their low bits are
 * ignored), sets ap_start, and waits for ap_done or the interrupt. An
 * error response on the bus (RRESP or BRESP SLVERR/DECERR) is recorded;
 * the engine completes the descriptor under way (every burst finishes)
 * and stops with STATUS bit 0 (read) or 1 (write). Ports are named as
 * vendor tools expect (ap_clk, ap_rst_n, s_axi_control_*, m_axi_gmem_*).
 */
module nn_serial_engine #(
    parameter TM = 8,
    parameter TN = 8,
    parameter CW = 16,
    parameter WCW = 16,
    parameter MW = 64,
    // engine address bits: 3 region bits and AW-3 offset bits
    parameter AW = 32,
    parameter LEN_W = 9,
    parameter MAXB = 256,
    parameter ACC_W = 48,
    parameter BW = 64,
    // the average pass (0: none) and its multiplier width
    parameter AVG = 1,
    parameter AVG_W = 33,
    parameter IBD = 2048,
    parameter WBD = 512,
    parameter ABD = 1024,
    parameter OBD = 512,
    parameter [31:0] SPEC = 32'h0,
    parameter [AW-1:0] SBASE = {3'd7, {(AW-3){1'b0}}},
    parameter SK = 0,
    parameter SL = 0,
    parameter SDEPTH = 0
) (
    input  wire              ap_clk,
    input  wire              ap_rst_n,
    /* verilator lint_off SYMRSVDWORD */
    output wire              interrupt,      // the name HLS kernels' hosts expect
    /* verilator lint_on SYMRSVDWORD */

    input  wire              s_axi_control_awvalid,
    output wire              s_axi_control_awready,
    input  wire [7:0]        s_axi_control_awaddr,
    input  wire              s_axi_control_wvalid,
    output wire              s_axi_control_wready,
    input  wire [31:0]       s_axi_control_wdata,
    input  wire [3:0]        s_axi_control_wstrb,
    output wire              s_axi_control_bvalid,
    input  wire              s_axi_control_bready,
    output wire [1:0]        s_axi_control_bresp,
    input  wire              s_axi_control_arvalid,
    output wire              s_axi_control_arready,
    input  wire [7:0]        s_axi_control_araddr,
    output wire              s_axi_control_rvalid,
    input  wire              s_axi_control_rready,
    output wire [31:0]       s_axi_control_rdata,
    output wire [1:0]        s_axi_control_rresp,

    output wire [3:0]        m_axi_gmem_arid,
    output wire [63:0]       m_axi_gmem_araddr,
    output wire [7:0]        m_axi_gmem_arlen,
    output wire [2:0]        m_axi_gmem_arsize,
    output wire [1:0]        m_axi_gmem_arburst,
    output wire              m_axi_gmem_arvalid,
    input  wire              m_axi_gmem_arready,
    input  wire [3:0]        m_axi_gmem_rid,
    input  wire [MW-1:0]     m_axi_gmem_rdata,
    input  wire [1:0]        m_axi_gmem_rresp,
    input  wire              m_axi_gmem_rlast,
    input  wire              m_axi_gmem_rvalid,
    output wire              m_axi_gmem_rready,
    output wire [3:0]        m_axi_gmem_awid,
    output wire [63:0]       m_axi_gmem_awaddr,
    output wire [7:0]        m_axi_gmem_awlen,
    output wire [2:0]        m_axi_gmem_awsize,
    output wire [1:0]        m_axi_gmem_awburst,
    output wire              m_axi_gmem_awvalid,
    input  wire              m_axi_gmem_awready,
    output wire [MW-1:0]     m_axi_gmem_wdata,
    output wire [MW/8-1:0]   m_axi_gmem_wstrb,
    output wire              m_axi_gmem_wlast,
    output wire              m_axi_gmem_wvalid,
    input  wire              m_axi_gmem_wready,
    input  wire [3:0]        m_axi_gmem_bid,
    input  wire [1:0]        m_axi_gmem_bresp,
    input  wire              m_axi_gmem_bvalid,
    output wire              m_axi_gmem_bready
);

// bus word addresses: 64-bit byte addresses of MW/8-byte words
localparam XW = 64 - $clog2(MW / 8);
wire rst = !ap_rst_n;

wire start, busy, done, fin;
wire [31:0] status;
wire [63:0] b_prog, b_weights, b_work, b_input, b_output;
/* verilator lint_off UNUSEDSIGNAL */
wire [15:0] desc;
wire done_level = done;
wire axi_err;
// the pointers' low bits (below a word) are ignored
wire [63:0] b_low = b_prog ^ b_weights ^ b_work ^ b_input ^ b_output;
/* verilator lint_on UNUSEDSIGNAL */
localparam SH = $clog2(MW / 8);
wire [5*XW-1:0] bases = {b_prog[63:SH], b_output[63:SH], b_input[63:SH], b_work[63:SH],
                         b_weights[63:SH]};

nn_serial_ctrl #(.SPEC(SPEC)) u_ctrl (
    .clk(ap_clk), .rst(rst),
    .s_awvalid(s_axi_control_awvalid), .s_awready(s_axi_control_awready),
    .s_awaddr(s_axi_control_awaddr),
    .s_wvalid(s_axi_control_wvalid), .s_wready(s_axi_control_wready),
    .s_wdata(s_axi_control_wdata), .s_wstrb(s_axi_control_wstrb),
    .s_bvalid(s_axi_control_bvalid), .s_bready(s_axi_control_bready),
    .s_bresp(s_axi_control_bresp),
    .s_arvalid(s_axi_control_arvalid), .s_arready(s_axi_control_arready),
    .s_araddr(s_axi_control_araddr),
    .s_rvalid(s_axi_control_rvalid), .s_rready(s_axi_control_rready),
    .s_rdata(s_axi_control_rdata), .s_rresp(s_axi_control_rresp),
    .interrupt(interrupt),
    .eng_start(start), .eng_idle(!busy), .eng_fin(fin), .eng_status(status),
    .base_prog(b_prog), .base_weights(b_weights), .base_work(b_work),
    .base_input(b_input), .base_output(b_output)
);

wire req_valid, req_ready, req_write, resp_valid;
wire [AW-1:0] req_addr;
wire [XW-1:0] xaddr;
wire [LEN_W-1:0] req_len;
wire [MW-1:0] req_wdata, resp_data;

// error responses, seen on the bus itself
wire rd_err = m_axi_gmem_rvalid && m_axi_gmem_rready && m_axi_gmem_rresp[1];
wire wr_err = m_axi_gmem_bvalid && m_axi_gmem_bready && m_axi_gmem_bresp[1];

nn_serial_core #(
    .TM(TM), .TN(TN), .CW(CW), .WCW(WCW), .MW(MW), .AW(AW), .LEN_W(LEN_W), .MAXB(MAXB),
    .ACC_W(ACC_W), .BW(BW), .AVG(AVG), .AVG_W(AVG_W), .IBD(IBD), .WBD(WBD), .ABD(ABD),
    .OBD(OBD), .SPEC(SPEC), .SBASE(SBASE), .SK(SK), .SL(SL), .SDEPTH(SDEPTH)
) u_core (
    .clk(ap_clk), .rst(rst), .start(start), .busy(busy), .done(done), .fin(fin),
    .status(status), .rd_err(rd_err), .wr_err(wr_err),
    .mem_req_valid(req_valid), .mem_req_ready(req_ready), .mem_req_addr(req_addr),
    .mem_req_write(req_write), .mem_req_len(req_len), .mem_req_wdata(req_wdata),
    .mem_resp_valid(resp_valid), .mem_resp_data(resp_data),
    .desc(desc)
);

nn_serial_reloc #(.AW(AW), .XW(XW)) u_reloc (
    .addr(req_addr), .bases(bases), .xaddr(xaddr)
);

nn_serial_axi #(.DW(MW), .AW(XW), .LEN_W(LEN_W)) u_axi (
    .clk(ap_clk), .rst(rst),
    .req_valid(req_valid), .req_ready(req_ready), .req_addr(xaddr),
    .req_write(req_write), .req_len(req_len), .req_wdata(req_wdata),
    .resp_valid(resp_valid), .resp_data(resp_data), .err(axi_err),
    .m_axi_arid(m_axi_gmem_arid), .m_axi_araddr(m_axi_gmem_araddr),
    .m_axi_arlen(m_axi_gmem_arlen), .m_axi_arsize(m_axi_gmem_arsize),
    .m_axi_arburst(m_axi_gmem_arburst), .m_axi_arvalid(m_axi_gmem_arvalid),
    .m_axi_arready(m_axi_gmem_arready), .m_axi_rid(m_axi_gmem_rid),
    .m_axi_rdata(m_axi_gmem_rdata), .m_axi_rresp(m_axi_gmem_rresp),
    .m_axi_rlast(m_axi_gmem_rlast), .m_axi_rvalid(m_axi_gmem_rvalid),
    .m_axi_rready(m_axi_gmem_rready), .m_axi_awid(m_axi_gmem_awid),
    .m_axi_awaddr(m_axi_gmem_awaddr), .m_axi_awlen(m_axi_gmem_awlen),
    .m_axi_awsize(m_axi_gmem_awsize), .m_axi_awburst(m_axi_gmem_awburst),
    .m_axi_awvalid(m_axi_gmem_awvalid), .m_axi_awready(m_axi_gmem_awready),
    .m_axi_wdata(m_axi_gmem_wdata), .m_axi_wstrb(m_axi_gmem_wstrb),
    .m_axi_wlast(m_axi_gmem_wlast), .m_axi_wvalid(m_axi_gmem_wvalid),
    .m_axi_wready(m_axi_gmem_wready), .m_axi_bid(m_axi_gmem_bid),
    .m_axi_bresp(m_axi_gmem_bresp), .m_axi_bvalid(m_axi_gmem_bvalid),
    .m_axi_bready(m_axi_gmem_bready)
);

endmodule

`resetall
