// nn_serial_ctrl: AXI4-Lite control slave of the serial engine, in the register layout of HLS kernels (docs/DESIGN.md §10.4): CTRL, GIE, IER, ISR, five 64-bit base pointers, STATUS, SPEC, CYCLES, ID.
`resetall
`timescale 1ns / 1ps
`default_nettype none

/*
 * Registers (byte offsets; bits not listed read 0 and ignore writes):
 *
 *   0x00 CTRL   0 ap_start (write 1: start; reads 1 until the engine takes
 *               it), 1 ap_done (clear on read), 2 ap_idle, 3 ap_ready
 *               (clear on read), 7 auto_restart (read/write)
 *   0x04 GIE    0 global interrupt enable
 *   0x08 IER    0 done, 1 ready
 *   0x0C ISR    0 done, 1 ready; a write toggles the bits written 1
 *   0x10..0x34  PROGRAM, WEIGHTS, WORK, INPUT, OUTPUT: 64-bit byte
 *               addresses, low word then high word, WSTRB per byte, reset 0
 *   0x38 STATUS eng_status (read only)
 *   0x3C SPEC   the parameter SPEC (read only)
 *   0x40 CYCLES low, 0x44 high: cycles of the last completed run (read only)
 *   0x48 ID     0x4E4E4345, "NNCE" (read only)
 *
 * Starting. A start is taken (fire) in a cycle where ap_start is set, the
 * engine is idle (eng_idle) and no run is under way (run_q: from the take
 * to eng_fin). The take sets ap_ready and ISR[1] (if IER[1]), and ap_start
 * becomes auto_restart; eng_start is the take registered, so it pulses for
 * one cycle the cycle after, when run_q is already set. eng_idle is not
 * looked at during a run, so an engine whose eng_idle falls a cycle or two
 * after eng_start is never started twice, and ap_idle = eng_idle && !run_q
 * && !ap_start reads 0 from the write of ap_start to eng_fin. A write of 1
 * to ap_start while a run is under way (run_q, or a take this cycle) is
 * ignored, as §10.4 says (an HLS kernel would keep it pending); writing 0
 * stops nothing. With auto_restart the engine is started again each time
 * a run ends and it is idle; a CTRL write with auto_restart = 0 during a
 * run cancels the restart (ap_start clears), so the run under way is the
 * last (as in an HLS kernel whose ap_ready comes with ap_done; here
 * ap_ready comes with the start). eng_fin sets ap_done
 * and ISR[0] (if IER[0]) and latches CYCLES: the cycles from the eng_start
 * cycle to the eng_fin cycle (a run whose eng_fin comes the cycle after
 * eng_start counts 1). Clear-on-read happens at the AR handshake, for the
 * bits that read returns as 1: an event in the same cycle is not lost.
 * interrupt = GIE[0] && |(ISR & IER), from registers.
 *
 * Bus. One write and one read at a time, independently: AWREADY and WREADY
 * are registers, high when idle; AW and W are each captured on their own
 * handshake (either order, or together), the write is done the cycle after
 * both are in and BVALID rises with it, held until BREADY, and both READYs
 * return when B is taken. ARREADY is a register; the read data is muxed
 * from ARADDR and registered at the AR handshake, RVALID and RDATA held
 * until RREADY, and ARREADY returns when R is taken. Address bits 1:0 are
 * ignored; unmapped addresses read 0 and ignore writes; every response is
 * OKAY. A write takes at least 3 cycles from its VALIDs to its B, a read 2
 * from ARVALID to its R, and the next request is taken a cycle after.
 */
module nn_serial_ctrl #(
    // the engine's spec hash (register 0x3C)
    parameter [31:0] SPEC = 32'h0
) (
    input  wire        clk,
    input  wire        rst,

    // AXI4-Lite slave: 8-bit byte addresses, 32-bit data
    input  wire        s_awvalid,
    output wire        s_awready,
    input  wire [7:0]  s_awaddr,
    input  wire        s_wvalid,
    output wire        s_wready,
    input  wire [31:0] s_wdata,
    input  wire [3:0]  s_wstrb,
    output wire        s_bvalid,
    input  wire        s_bready,
    output wire [1:0]  s_bresp,
    input  wire        s_arvalid,
    output wire        s_arready,
    input  wire [7:0]  s_araddr,
    output wire        s_rvalid,
    input  wire        s_rready,
    output wire [31:0] s_rdata,
    output wire [1:0]  s_rresp,
    /* verilator lint_off SYMRSVDWORD */
    output wire        interrupt,      // the name HLS kernels' hosts expect
    /* verilator lint_on SYMRSVDWORD */

    // engine side
    output wire        eng_start,
    input  wire        eng_idle,
    input  wire        eng_fin,
    input  wire [31:0] eng_status,
    output wire [63:0] base_prog,
    output wire [63:0] base_weights,
    output wire [63:0] base_work,
    output wire [63:0] base_input,
    output wire [63:0] base_output
);

// word addresses (byte offset / 4)
localparam [5:0] A_CTRL = 6'h00, A_GIE = 6'h01, A_IER = 6'h02, A_ISR = 6'h03,
                 A_PTR0 = 6'h04, A_STATUS = 6'h0E, A_SPEC = 6'h0F,
                 A_CYCLO = 6'h10, A_CYCHI = 6'h11, A_ID = 6'h12;
localparam [31:0] ID = 32'h4E4E4345;

// ---------------------------------------------------------------- write channel
reg        awready_q, wready_q, bvalid_q;
reg [5:0]  wa_q;
reg [31:0] wd_q;
reg [3:0]  ws_q;

// both halves captured and not yet answered: the write happens this cycle
wire wr = !awready_q && !wready_q && !bvalid_q;

always @(posedge clk) begin
    if (rst) begin
        awready_q <= 1'b1;
        wready_q <= 1'b1;
        bvalid_q <= 1'b0;
    end else begin
        if (s_awvalid && awready_q) begin
            awready_q <= 1'b0;
            wa_q <= s_awaddr[7:2];
        end
        if (s_wvalid && wready_q) begin
            wready_q <= 1'b0;
            wd_q <= s_wdata;
            ws_q <= s_wstrb;
        end
        if (wr) bvalid_q <= 1'b1;
        if (bvalid_q && s_bready) begin
            bvalid_q <= 1'b0;
            awready_q <= 1'b1;
            wready_q <= 1'b1;
        end
    end
end

assign s_awready = awready_q;
assign s_wready = wready_q;
assign s_bvalid = bvalid_q;
assign s_bresp = 2'b00;

// byte-masked write of a 32-bit register
function [31:0] wmask;
    input [31:0] old;
    input [31:0] d;
    input [3:0] s;
    integer b;
    begin
        for (b = 0; b < 4; b = b + 1)
            wmask[b*8 +: 8] = s[b] ? d[b*8 +: 8] : old[b*8 +: 8];
    end
endfunction

wire ctrl_wr = wr && wa_q == A_CTRL && ws_q[0];

// ---------------------------------------------------------------- control
reg        ap_start_q, ap_done_q, ap_ready_q, auto_q, run_q, start_q;
reg        gie_q;
reg [1:0]  ier_q, isr_q;
reg [63:0] cnt_q, cycles_q;
reg [319:0] ptr_q;                     // word k at [k*32 +: 32]

wire fire = ap_start_q && eng_idle && !run_q;
wire busy = run_q || fire;
wire ctrl_rd = s_arvalid && s_arready && s_araddr[7:2] == A_CTRL;

always @(posedge clk) begin
    if (rst) begin
        ap_start_q <= 1'b0;
        ap_done_q <= 1'b0;
        ap_ready_q <= 1'b0;
        auto_q <= 1'b0;
        run_q <= 1'b0;
        start_q <= 1'b0;
        gie_q <= 1'b0;
        ier_q <= 2'b00;
        isr_q <= 2'b00;
        cnt_q <= 64'd0;
        cycles_q <= 64'd0;
    end else begin
        start_q <= fire;
        if (fire) ap_start_q <= auto_q;
        if (ctrl_wr && busy && !wd_q[7]) ap_start_q <= 1'b0;
        if (ctrl_wr && !busy && wd_q[0]) ap_start_q <= 1'b1;
        if (ctrl_wr) auto_q <= wd_q[7];
        ap_ready_q <= fire || (ap_ready_q && !ctrl_rd);
        ap_done_q <= eng_fin || (ap_done_q && !ctrl_rd);
        if (fire) run_q <= 1'b1;
        else if (eng_fin) run_q <= 1'b0;
        // cnt_q is 0 in the eng_start cycle and counts on while run_q
        if (fire) cnt_q <= 64'd0;
        else if (run_q) cnt_q <= cnt_q + 64'd1;
        if (eng_fin) cycles_q <= cnt_q;
        if (wr && wa_q == A_GIE && ws_q[0]) gie_q <= wd_q[0];
        if (wr && wa_q == A_IER && ws_q[0]) ier_q <= wd_q[1:0];
        isr_q <= (isr_q ^ ((wr && wa_q == A_ISR && ws_q[0]) ? wd_q[1:0] : 2'b00))
               | {fire && ier_q[1], eng_fin && ier_q[0]};
    end
end

// pointers: reset to 0 (a driver reads back what it wrote)
integer k;
always @(posedge clk) begin
    for (k = 0; k < 10; k = k + 1) begin
        if (rst) ptr_q[k*32 +: 32] <= 32'd0;
        else if (wr && wa_q == A_PTR0 + k[5:0]) ptr_q[k*32 +: 32] <= wmask(ptr_q[k*32 +: 32], wd_q, ws_q);
    end
end

assign eng_start = start_q;
assign interrupt = gie_q && |(isr_q & ier_q);
assign base_prog = ptr_q[63:0];
assign base_weights = ptr_q[127:64];
assign base_work = ptr_q[191:128];
assign base_input = ptr_q[255:192];
assign base_output = ptr_q[319:256];

// ---------------------------------------------------------------- read channel
reg        arready_q, rvalid_q;
reg [31:0] rdata_q;
reg [31:0] rmux;
wire [5:0] ra = s_araddr[7:2];
wire       ap_idle = eng_idle && !run_q && !ap_start_q;

integer j;
always @(*) begin
    rmux = 32'd0;
    for (j = 0; j < 10; j = j + 1)
        if (ra == A_PTR0 + j[5:0]) rmux = ptr_q[j*32 +: 32];
    case (ra)
        A_CTRL:   rmux = {24'd0, auto_q, 3'd0, ap_ready_q, ap_idle, ap_done_q, ap_start_q};
        A_GIE:    rmux = {31'd0, gie_q};
        A_IER:    rmux = {30'd0, ier_q};
        A_ISR:    rmux = {30'd0, isr_q};
        A_STATUS: rmux = eng_status;
        A_SPEC:   rmux = SPEC;
        A_CYCLO:  rmux = cycles_q[31:0];
        A_CYCHI:  rmux = cycles_q[63:32];
        A_ID:     rmux = ID;
        default:  ;
    endcase
end

always @(posedge clk) begin
    if (rst) begin
        arready_q <= 1'b1;
        rvalid_q <= 1'b0;
    end else begin
        if (s_arvalid && arready_q) begin
            arready_q <= 1'b0;
            rvalid_q <= 1'b1;
            rdata_q <= rmux;
        end
        if (rvalid_q && s_rready) begin
            rvalid_q <= 1'b0;
            arready_q <= 1'b1;
        end
    end
end

assign s_arready = arready_q;
assign s_rvalid = rvalid_q;
assign s_rdata = rdata_q;
assign s_rresp = 2'b00;

// unused: the byte within a word (registers are words)
wire unused = &{1'b0, s_awaddr[1:0], s_araddr[1:0]};

endmodule

`resetall
