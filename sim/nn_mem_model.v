// nn_mem_model: behavioural memory for serial-mode testbenches: the serial engine's request/response port, read latency, random stalls and response gaps, an initial image.
`resetall
`timescale 1ns / 1ps
`default_nettype none

/*
 * Requests (valid/ready): a read is one beat {addr, len}; its len words
 * come back on resp in order, LATENCY cycles or more after it was taken.
 * A write is len beats; the first carries addr and len, each carries a
 * word. Requests are served in the order taken: a write is stored when
 * its beat is taken, so a later read sees it.
 * Stalls: each cycle ready is low with probability STALL percent, and a
 * response beat is held back with the same probability; +nostall turns
 * both off, +stall=PCT changes the rate, +seed=N the sequence. The
 * sequence comes from an xorshift generator of our own, not $random(seed),
 * whose seed Verilator ignores: a seed gives the same stalls in Icarus and
 * Verilator, and different seeds give different stalls in both.
 * INIT_FILE: a binary image, DW/8 bytes a word, most significant byte
 * first, loaded from word 0.
 * Not synthesizable: a testbench model.
 */
module nn_mem_model #(
    // data bits per word
    parameter DW = 64,
    // address bits (words)
    parameter AW = 32,
    // words
    parameter DEPTH = 1024,
    // burst length bits
    parameter LEN_W = 9,
    // cycles from a read request to its first word, at least 1
    parameter LATENCY = 8,
    // stall probability in percent
    parameter STALL = 20,
    // random seed
    parameter SEED = 1,
    // initial image ("" for none)
    parameter INIT_FILE = ""
) (
    input  wire             clk,
    input  wire             rst,
    input  wire             req_valid,
    output reg              req_ready,
    input  wire [AW-1:0]    req_addr,
    input  wire             req_write,
    input  wire [LEN_W-1:0] req_len,
    input  wire [DW-1:0]    req_wdata,
    output reg              resp_valid,
    output reg  [DW-1:0]    resp_data
);

localparam QD = 16;

reg [DW-1:0] mem [0:DEPTH-1];
integer stall, seed, fd, r, i;
reg [31:0] rs;                       // xorshift32 state
integer q_addr [0:QD-1];
integer q_len [0:QD-1];
integer q_time [0:QD-1];
integer q_wr, q_rd, now;
integer w_addr, w_left;
integer r_addr, r_left;
reg bad;

initial begin
    stall = STALL;
    seed = SEED;
    if ($test$plusargs("nostall")) stall = 0;
    r = $value$plusargs("stall=%d", stall);
    if ($value$plusargs("seed=%d", seed)) seed = seed * 7919 + SEED;
    rs = 32'h2545f491 ^ (seed * 32'h9e3779b9);
    if (rs == 32'd0) rs = 32'd1;
    for (i = 0; i < DEPTH; i = i + 1) mem[i] = {DW{1'b0}};
    if (INIT_FILE != "") begin
        fd = $fopen(INIT_FILE, "rb");
        if (fd == 0) begin
            $display("nn_mem_model: cannot open %0s", INIT_FILE);
            $finish;
        end
        r = $fread(mem, fd);
        $fclose(fd);
    end
    q_wr = 0; q_rd = 0; now = 0;
    w_left = 0; r_left = 0;
    req_ready = 1'b0;
    resp_valid = 1'b0;
    resp_data = {DW{1'b0}};
    bad = 1'b0;
end

// the generator's next state
function [31:0] xs;
    input [31:0] x;
    reg [31:0] y;
    begin
        y = x ^ (x << 13);
        y = y ^ (y >> 17);
        xs = y ^ (y << 5);
    end
endfunction

// one draw each cycle for the response beat and one for ready
reg hold, busy;

always @(posedge clk) begin
    now = now + 1;
    if (rst) begin
        q_wr = 0; q_rd = 0; w_left = 0; r_left = 0;
        req_ready <= 1'b0;
        resp_valid <= 1'b0;
    end else begin
        // a request beat taken at this edge
        if (req_valid && req_ready) begin
            if (w_left > 0) begin
                if (!req_write) bad = 1'b1;
                if (w_addr < DEPTH) mem[w_addr] = req_wdata;
                w_addr = w_addr + 1;
                w_left = w_left - 1;
            end else if (req_write) begin
                if (req_addr + req_len > DEPTH || req_len == 0) begin
                    $display("nn_mem_model: write of %0d words at %0d outside %0d words", req_len, req_addr, DEPTH);
                    bad = 1'b1;
                end
                if (req_addr < DEPTH) mem[req_addr] = req_wdata;
                w_addr = req_addr + 1;
                w_left = req_len - 1;
            end else begin
                if (req_addr + req_len > DEPTH || req_len == 0) begin
                    $display("nn_mem_model: read of %0d words at %0d outside %0d words", req_len, req_addr, DEPTH);
                    bad = 1'b1;
                end
                q_addr[q_wr % QD] = req_addr;
                q_len[q_wr % QD] = req_len;
                q_time[q_wr % QD] = now + LATENCY - 1;
                q_wr = q_wr + 1;
            end
        end
        // the next response beat
        resp_valid <= 1'b0;
        if (r_left == 0 && q_rd != q_wr && q_time[q_rd % QD] <= now) begin
            r_addr = q_addr[q_rd % QD];
            r_left = q_len[q_rd % QD];
            q_rd = q_rd + 1;
        end
        rs = xs(rs);
        hold = (rs % 100) < stall;
        rs = xs(rs);
        busy = (rs % 100) < stall;
        if (r_left > 0 && !hold) begin
            resp_valid <= 1'b1;
            resp_data <= (r_addr < DEPTH) ? mem[r_addr] : {DW{1'bx}};
            r_addr = r_addr + 1;
            r_left = r_left - 1;
        end
        req_ready <= (q_wr - q_rd < QD - 1) && !busy;
    end
end

endmodule

`resetall
