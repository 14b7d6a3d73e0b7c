// tb_serial_scratch: bench for nn_serial_scratch: the banks written through the wide port with lane masks, then random memory and scratch read bursts, interleaved, against nn_mem_model with latency and random stalls, the channel ring SRW changing between descriptors; every response word checked in order.
`timescale 1ns / 1ps
`default_nettype none

/*
 * Write phase: every bank word gets a wrong value with all lanes enabled,
 * then the right one in two passes (even banks, then odd, the disabled
 * lanes carrying wrong values), so a bank that ignores its write enable or
 * takes another bank's data ends wrong. Bank b, word i holds
 * {8'h5c, b, i}; memory word a holds {8'he0, 8'h00, a}.
 * Read phase: N bursts in "descriptors" of 10..60 bursts; between two the
 * bench waits for every response and picks a new ring SRW (1..2^(SK-1):
 * the largest, a small one or any). A burst goes to memory (random
 * address, 1..MAXL words) or to the scratch: a random channel ch of those
 * the rings fit (SDEPTH / SRW blocks of L), an offset off < 2*SRW (any,
 * one in [SRW, 2*SRW) that must fold back, or one near the ring's end) and
 * len <= min(MAXL, SRW, 2^SK - off) words (the largest for those near the
 * end), so bursts wrap around the ring. Word k of it is bank ch mod L's word
 *   (ch / L)*SRW + (off + k) mod SRW.
 * Requests are driven like the loader drives them: held until taken,
 * random gaps. Each taken burst appends its words to a scoreboard; every rs
 * word must be the scoreboard's next. Also checked: memory and scratch
 * never answer in the same cycle; no memory request beat for a scratch
 * address; a scratch burst's words come on consecutive cycles; a scratch
 * read taken with nothing outstanding answers LAT cycles later;
 * back-to-back scratch bursts leave no gap; the run had folded offsets,
 * bursts wrapping the ring (with and without a fold), several rings and
 * SRW = 1.
 * Prints "PASS reads=R scratch=S ... wrap=W ..." or "FAIL ...".
 */
module tb_serial_scratch;

parameter SL = 2;
parameter N = 1200;
parameter SEED = 1;
parameter STALL = 25;
localparam MW = 32;
localparam AW = 16;
localparam LEN_W = 5;
localparam MAXL = 20;
localparam SK = 6;                      // a plane: 64 words of address space
localparam SRW_MAX = 1 << (SK - 1);     // 2*SRW <= 2^SK
localparam L = 1 << SL;
localparam SDEPTH = 100;                // rings of SRW words, the rest unused
localparam SA = $clog2(SDEPTH);
localparam MDEPTH = 1024;
localparam [AW-1:0] SBASE = 16'h0400;   // memory below, aligned to 2^(SK+SL)
localparam LAT = 2;                     // scratch: taken to first word

reg clk = 1'b0;
reg rst = 1'b1;
always #5 clk = ~clk;

reg [SA:0] srw;
reg rq_valid;
wire rq_ready;
reg [AW-1:0] rq_addr;
reg [LEN_W-1:0] rq_len;
wire rs_valid;
wire [MW-1:0] rs_data;
wire xq_valid, xq_ready, xs_valid;
wire [AW-1:0] xq_addr;
wire [LEN_W-1:0] xq_len;
wire [MW-1:0] xs_data;
reg [L-1:0] sc_we;
reg [SA-1:0] sc_waddr;
reg [L*MW-1:0] sc_wdata;

nn_serial_scratch #(
    .MW(MW), .AW(AW), .LEN_W(LEN_W), .SBASE(SBASE), .SK(SK), .SL(SL), .SDEPTH(SDEPTH)
) dut (
    .clk(clk), .rst(rst), .srw(srw),
    .rq_valid(rq_valid), .rq_ready(rq_ready), .rq_addr(rq_addr), .rq_len(rq_len),
    .rs_valid(rs_valid), .rs_data(rs_data),
    .xq_valid(xq_valid), .xq_ready(xq_ready), .xq_addr(xq_addr), .xq_len(xq_len),
    .xs_valid(xs_valid), .xs_data(xs_data),
    .sc_we(sc_we), .sc_waddr(sc_waddr), .sc_wdata(sc_wdata)
);

nn_mem_model #(
    .DW(MW), .AW(AW), .DEPTH(MDEPTH), .LEN_W(LEN_W), .LATENCY(3), .STALL(STALL), .SEED(SEED)
) u_mem (
    .clk(clk), .rst(rst),
    .req_valid(xq_valid), .req_ready(xq_ready), .req_addr(xq_addr), .req_write(1'b0),
    .req_len(xq_len), .req_wdata({MW{1'b0}}), .resp_valid(xs_valid), .resp_data(xs_data)
);

integer seed, errors, cyc, i, k, ch, off, len, lmax, mode, ring, nch;
integer reads, scr, words, b2b, folds, wraps, fwraps, rings, ring1, epoch_end;
initial begin
    seed = SEED;
    errors = 0;
    cyc = 0;
end
always @(posedge clk) cyc <= cyc + 1;

task fail;
    input [8*80-1:0] msg;
    begin
        if (errors == 0) $display("FAIL %0s at cycle %0d", msg, cyc);
        errors = errors + 1;
    end
endtask

function [MW-1:0] sword;
    input integer b, w;
    sword = {8'h5c, b[7:0], w[15:0]};
endfunction

// ---------------------------------------------------------------- scoreboard
localparam QN = 1 << 15;
reg [MW-1:0] exp_d [0:QN-1];
integer exp_b [0:QN-1];                 // the burst's number
reg exp_s [0:QN-1];                     // a scratch word
integer exp_t [0:QN-1];                 // cycle the burst was taken
integer ew, er, nb, last_b, last_c;
reg last_s;

always @(posedge clk) begin
    if (rs_valid) begin
        if (er == ew) begin
            fail("a response with no read outstanding");
        end else begin
            if (rs_data !== exp_d[er]) begin
                if (errors == 0)
                    $display("  word %0d of the run: got %h, expected %h (%0s, SRW %0d)", er,
                             rs_data, exp_d[er], exp_s[er] ? "scratch" : "memory", srw);
                fail("response word differs");
            end
            // a scratch burst: its first word LAT cycles after it was
            // taken, the others on the following cycles
            if (exp_s[er] && exp_b[er] == last_b && cyc != last_c + 1)
                fail("a gap inside a scratch burst");
            if (exp_s[er] && exp_b[er] != last_b && cyc != exp_t[er] + LAT)
                fail("scratch latency");
            if (exp_s[er] && exp_b[er] != last_b && last_s && cyc == last_c + 1)
                b2b = b2b + 1;
            last_s = exp_s[er];
            last_b = exp_b[er];
            last_c = cyc;
            er = er + 1;
            words = words + 1;
        end
    end
    if (dut.p_valid && xs_valid) fail("scratch and memory answer in the same cycle");
    if (xq_valid && xq_addr >= SBASE) fail("a scratch read went to memory");
end

// ---------------------------------------------------------------- driver
integer gap, done_cyc;
reg is_s;
initial begin
    rq_valid = 1'b0;
    rq_addr = {AW{1'b0}};
    rq_len = {LEN_W{1'b0}};
    sc_we = {L{1'b0}};
    sc_waddr = {SA{1'b0}};
    sc_wdata = {L*MW{1'b0}};
    srw = SRW_MAX;
    ew = 0; er = 0; nb = 0; last_b = -1; last_c = -10; last_s = 1'b0;
    reads = 0; scr = 0; words = 0; b2b = 0;
    folds = 0; wraps = 0; fwraps = 0; rings = 0; ring1 = 0; epoch_end = 0;
    #1;
    for (i = 0; i < MDEPTH; i = i + 1) u_mem.mem[i] = {8'he0, 8'h00, i[15:0]};
    repeat (4) @(posedge clk);
    rst <= 1'b0;
    // write phase: wrong values everywhere, then even banks, then odd
    for (k = 0; k < 3; k = k + 1) begin
        for (i = 0; i < SDEPTH; i = i + 1) begin
            @(negedge clk);
            sc_waddr = i[SA-1:0];
            for (ch = 0; ch < L; ch = ch + 1) begin
                sc_we[ch] = (k == 0) || (ch % 2 == k - 1);
                // the disabled lanes carry wrong data
                sc_wdata[ch*MW +: MW] = sc_we[ch] && k > 0 ? sword(ch, i) : ~sword(ch, i);
            end
        end
    end
    @(negedge clk);
    sc_we = {L{1'b0}};
    // read phase: requests set at the falling edge, taken at a rising edge
    // when rq_ready is high; the next may follow at once
    for (i = 0; i < N; i = i + 1) begin
        if (i == epoch_end) begin
            // a new descriptor: nothing in flight, then another ring
            while (er != ew) @(negedge clk);
            if (dut.r_rem != 0) fail("a scratch burst in flight when SRW changes");
            mode = $random(seed) & 3;
            ring = mode == 0 ? SRW_MAX : mode == 1 ? 1 + {$random(seed)} % 4
                                                    : 1 + {$random(seed)} % SRW_MAX;
            srw = ring[SA:0];
            rings = rings + 1;
            if (ring == 1) ring1 = ring1 + 1;
            nch = (SDEPTH / ring) * L;
            epoch_end = i + 10 + {$random(seed)} % 51;
        end
        gap = $random(seed) & 7;
        if (gap > 4) repeat (gap - 4) @(negedge clk);
        // runs of scratch reads and of memory reads, and switches
        is_s = ($random(seed) & 3) < 2;
        if (is_s) begin
            ch = {$random(seed)} % nch;
            mode = $random(seed) & 3;
            if (mode == 0)
                off = ring + {$random(seed)} % ring;
            else if (mode == 1)
                off = ring - 1 - {$random(seed)} % (ring < 4 ? ring : 4)
                      + (($random(seed) & 1) ? ring : 0);
            else
                off = {$random(seed)} % (2 * ring);
            lmax = (1 << SK) - off;
            if (lmax > ring) lmax = ring;
            if (lmax > MAXL) lmax = MAXL;
            len = mode == 1 ? lmax : 1 + {$random(seed)} % lmax;
            rq_addr = SBASE + (ch << SK) + off;
            if (off >= ring) folds = folds + 1;
            if (off % ring + len > ring) begin
                wraps = wraps + 1;
                if (off >= ring) fwraps = fwraps + 1;
            end
        end else begin
            len = 1 + {$random(seed)} % MAXL;
            off = {$random(seed)} % (MDEPTH - len);
            rq_addr = off[AW-1:0];
        end
        rq_len = len[LEN_W-1:0];
        rq_valid = 1'b1;
        #1;
        while (!rq_ready) begin
            @(negedge clk);
            #1;
        end
        // taken at the next rising edge: its words join the scoreboard
        for (k = 0; k < len; k = k + 1) begin
            exp_d[ew + k] = is_s ? sword(ch % L, (ch / L) * ring + (off + k) % ring)
                                 : {8'he0, 8'h00, off[15:0] + k[15:0]};
            exp_b[ew + k] = nb;
            exp_s[ew + k] = is_s;
            exp_t[ew + k] = cyc;
        end
        ew = ew + len;
        nb = nb + 1;
        reads = reads + 1;
        if (is_s) scr = scr + 1;
        @(negedge clk);
        rq_valid = 1'b0;
    end
    done_cyc = cyc;
    while (er != ew && cyc < done_cyc + 1000) @(posedge clk);
    repeat (5) @(posedge clk);
    if (er != ew) fail("responses missing at the end");
    if (scr == 0 || scr == reads || b2b == 0)
        fail("the run had no scratch reads, no memory reads or no back-to-back scratch bursts");
    if (folds == 0 || wraps == 0 || fwraps == 0 || wraps == scr || rings < 3 || ring1 == 0)
        fail("the run missed folds, wraps, bursts without a wrap, rings or SRW = 1");
    if (u_mem.bad) fail("the memory model saw a bad request");
    if (errors == 0)
        $display("PASS reads=%0d scratch=%0d words=%0d back-to-back=%0d rings=%0d fold=%0d wrap=%0d fold+wrap=%0d",
                 reads, scr, words, b2b, rings, folds, wraps, fwraps);
    $finish;
end

initial begin
    #4000000;
    $display("FAIL timeout");
    $finish;
end

endmodule
