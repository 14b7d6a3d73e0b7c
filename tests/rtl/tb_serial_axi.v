// tb_serial_axi: bench for nn_serial_axi against an AXI4 slave memory model with random stalls: random read and write bursts (1..256 words, some across 4 KB pages) checked against a shadow memory.
`timescale 1ns / 1ps
`default_nettype none

/*
 * Engine side: a driver issues N requests, each a read or a write of a
 * random length at a random address, with random gaps between write beats;
 * the shadow memory is updated when a write is issued, and every read must
 * return the shadow's words as they were when it was issued (the wrapper
 * orders reads after earlier writes; like the engine, the driver issues no
 * write while a read is outstanding). AXI side: a slave with random
 * AR/AW/W ready, random R and B gaps; it checks that no burst crosses a
 * 4 KB page, that WLAST ends each burst, that ARADDR/AWADDR hold while
 * waiting, and answers B only after the burst's data is stored.
 * Prints "PASS reads=R writes=W words=N" or "FAIL ...".
 */
module tb_serial_axi;

parameter DW = 64;
parameter AW = 16;
parameter N = 400;
parameter SEED = 1;
localparam SZ = $clog2(DW / 8);
localparam BA = AW + SZ;
localparam DEPTH = 1 << 13;             // words the bench uses (page-crossing within)

reg clk = 1'b0;
reg rst = 1'b1;
always #5 clk = ~clk;

reg req_valid, req_write;
wire req_ready;
reg [AW-1:0] req_addr;
reg [8:0] req_len;
reg [DW-1:0] req_wdata;
wire resp_valid;
wire [DW-1:0] resp_data;
wire err;

wire [3:0] arid, awid;
wire [BA-1:0] araddr, awaddr;
wire [7:0] arlen, awlen;
wire [2:0] arsize, awsize;
wire [1:0] arburst, awburst;
wire arvalid, awvalid, rready, wlast, wvalid, bready;
reg arready, awready, wready, rvalid, rlast, bvalid;
reg [DW-1:0] rdata;
wire [DW-1:0] wdata;
wire [DW/8-1:0] wstrb;

nn_serial_axi #(.DW(DW), .AW(AW), .LEN_W(9)) dut (
    .clk(clk), .rst(rst),
    .req_valid(req_valid), .req_ready(req_ready), .req_addr(req_addr), .req_write(req_write),
    .req_len(req_len), .req_wdata(req_wdata), .resp_valid(resp_valid), .resp_data(resp_data),
    .err(err),
    .m_axi_arid(arid), .m_axi_araddr(araddr), .m_axi_arlen(arlen), .m_axi_arsize(arsize),
    .m_axi_arburst(arburst), .m_axi_arvalid(arvalid), .m_axi_arready(arready),
    .m_axi_rid(4'd0), .m_axi_rdata(rdata), .m_axi_rresp(2'b00), .m_axi_rlast(rlast),
    .m_axi_rvalid(rvalid), .m_axi_rready(rready),
    .m_axi_awid(awid), .m_axi_awaddr(awaddr), .m_axi_awlen(awlen), .m_axi_awsize(awsize),
    .m_axi_awburst(awburst), .m_axi_awvalid(awvalid), .m_axi_awready(awready),
    .m_axi_wdata(wdata), .m_axi_wstrb(wstrb), .m_axi_wlast(wlast), .m_axi_wvalid(wvalid),
    .m_axi_wready(wready),
    .m_axi_bid(4'd0), .m_axi_bresp(2'b00), .m_axi_bvalid(bvalid), .m_axi_bready(bready)
);

integer seed, errors, cyc;
reg [DW-1:0] mem [0:DEPTH-1];
reg [DW-1:0] shadow [0:DEPTH-1];
initial begin
    seed = SEED;
    errors = 0;
    cyc = 0;
end
always @(posedge clk) cyc <= cyc + 1;

function [DW-1:0] rword;
    input integer dummy;
    integer k;
    begin
        for (k = 0; k < DW; k = k + 32) rword[k +: 32] = $random(seed);
        rword = rword ^ dummy;
    end
endfunction

task fail;
    input [8*80-1:0] msg;
    begin
        if (errors == 0) $display("FAIL %0s at cycle %0d", msg, cyc);
        errors = errors + 1;
    end
endtask

// ---------------------------------------------------------------- AXI slave
// AR queue
integer arq_a [0:63];
integer arq_n [0:63];
integer arq_w, arq_r, r_addr, r_left;
// AW queue and the W beats stored as they come (data waits for its AW)
integer awq_a [0:63];
integer awq_n [0:63];
integer awq_w, awq_r;
reg [DW-1:0] wq_d [0:4095];
reg wq_l [0:4095];
integer wq_w, wq_r, b_owed, b_wait;
integer held_ar, held_aw, wa, wleft;
reg ar_wait, aw_wait;
integer p;

initial begin
    arq_w = 0; arq_r = 0; r_left = 0;
    awq_w = 0; awq_r = 0; wq_w = 0; wq_r = 0; b_owed = 0; b_wait = 0; wleft = 0;
    ar_wait = 0; aw_wait = 0;
    arready = 0; awready = 0; wready = 0; rvalid = 0; rlast = 0; bvalid = 0;
    for (p = 0; p < DEPTH; p = p + 1) begin
        mem[p] = rword(p);
        shadow[p] = mem[p];
    end
end

always @(posedge clk) if (!rst) begin
    // AR: hold checks, page check, queue
    if (arvalid && !arready) begin
        if (ar_wait && araddr != held_ar) fail("ARADDR changed while waiting");
        ar_wait = 1; held_ar = araddr;
    end
    if (arvalid && arready) begin
        ar_wait = 0;
        if ((araddr >> 12) != ((araddr + (arlen + 1) * (DW / 8) - 1) >> 12)) fail("read burst crosses 4 KB");
        if (arsize != SZ || arburst != 2'b01) fail("ARSIZE/ARBURST");
        arq_a[arq_w % 64] = araddr >> SZ;
        arq_n[arq_w % 64] = arlen + 1;
        arq_w = arq_w + 1;
    end
    if (awvalid && !awready) begin
        if (aw_wait && awaddr != held_aw) fail("AWADDR changed while waiting");
        aw_wait = 1; held_aw = awaddr;
    end
    if (awvalid && awready) begin
        aw_wait = 0;
        if ((awaddr >> 12) != ((awaddr + (awlen + 1) * (DW / 8) - 1) >> 12)) fail("write burst crosses 4 KB");
        if (awsize != SZ || awburst != 2'b01) fail("AWSIZE/AWBURST");
        awq_a[awq_w % 64] = awaddr >> SZ;
        awq_n[awq_w % 64] = awlen + 1;
        awq_w = awq_w + 1;
    end
    if (wvalid && wready) begin
        if (wstrb != {(DW / 8){1'b1}}) fail("WSTRB");
        wq_d[wq_w % 4096] = wdata;
        wq_l[wq_w % 4096] = wlast;
        wq_w = wq_w + 1;
    end
    // store W data of the oldest AW, one beat a cycle
    if (wleft == 0 && awq_r != awq_w) begin
        wa = awq_a[awq_r % 64];
        wleft = awq_n[awq_r % 64];
        awq_r = awq_r + 1;
    end
    if (wleft > 0 && wq_r != wq_w && ($random(seed) & 3) == 0) begin
        mem[wa % DEPTH] = wq_d[wq_r % 4096];
        if (wq_l[wq_r % 4096] != (wleft == 1)) fail("WLAST in the wrong place");
        wq_r = wq_r + 1;
        wa = wa + 1;
        wleft = wleft - 1;
        if (wleft == 0) b_owed = b_owed + 1;
    end
    // B, after a random wait
    if (bvalid) b_owed = b_owed - 1;
    bvalid <= 1'b0;
    if (b_owed > (bvalid ? 1 : 0) && ($random(seed) & 3) == 0) bvalid <= 1'b1;
    // R, in order, with gaps
    rvalid <= 1'b0;
    if (r_left == 0 && arq_r != arq_w) begin
        r_addr = arq_a[arq_r % 64];
        r_left = arq_n[arq_r % 64];
        arq_r = arq_r + 1;
    end
    if (r_left > 0 && ($random(seed) % 4) != 0) begin
        rvalid <= 1'b1;
        rdata <= mem[r_addr % DEPTH];
        rlast <= r_left == 1;
        r_addr = r_addr + 1;
        r_left = r_left - 1;
    end
    arready <= ($random(seed) & 3) != 0;
    awready <= ($random(seed) & 3) != 0;
    wready <= ($random(seed) & 3) != 0 && (wq_w - wq_r) < 4000;
end

// ---------------------------------------------------------------- engine side
// expected read data, in order
reg [DW-1:0] exp_q [0:65535];
integer exp_w, exp_r;
initial begin
    exp_w = 0; exp_r = 0;
end
always @(posedge clk) if (!rst && resp_valid) begin
    if (exp_r == exp_w) fail("a read word nobody asked for");
    else if (resp_data !== exp_q[exp_r % 65536]) fail("read data differs from the shadow");
    exp_r = exp_r + 1;
end

integer i, k, len, addr, reads, writes, words;
reg [DW-1:0] wd;
initial begin
    req_valid = 0; req_write = 0; req_addr = 0; req_len = 0; req_wdata = 0;
    reads = 0; writes = 0; words = 0;
    if ($value$plusargs("seed=%d", seed)) seed = seed + SEED;
    repeat (4) @(posedge clk);
    rst <= 1'b0;
    @(posedge clk);
    for (i = 0; i < N && errors == 0; i = i + 1) begin
        len = 1 + ($unsigned($random(seed)) % 256);
        if (($random(seed) & 7) == 0) len = 1 + ($unsigned($random(seed)) % 8);
        addr = $unsigned($random(seed)) % (DEPTH - len);
        // now and then start just before a 4 KB page
        if (($random(seed) & 3) == 0) addr = ((addr / (4096 / (DW / 8))) + 1) * (4096 / (DW / 8)) - 1 - ($unsigned($random(seed)) % 8);
        if (addr < 0 || addr + len > DEPTH) addr = 0;
        if ($random(seed) & 1) begin
            // the engine never writes where a read is still outstanding
            // (a descriptor's output is not its input, and the next
            // descriptor starts after every read returned): nor does this
            while (exp_r != exp_w) @(posedge clk);
            writes = writes + 1;
            for (k = 0; k < len; k = k + 1) begin
                while (($random(seed) & 3) == 0) @(posedge clk);
                req_valid <= 1'b1;
                req_write <= 1'b1;
                req_addr <= k == 0 ? addr : {AW{1'bx}};
                req_len <= k == 0 ? len : 9'bx;
                wd = rword(addr + k + i);
                req_wdata <= wd;
                shadow[addr + k] = wd;
                @(posedge clk);
                while (!req_ready) @(posedge clk);
                req_valid <= 1'b0;
            end
        end else begin
            reads = reads + 1;
            for (k = 0; k < len; k = k + 1) begin
                exp_q[exp_w % 65536] = shadow[addr + k];
                exp_w = exp_w + 1;
            end
            req_valid <= 1'b1;
            req_write <= 1'b0;
            req_addr <= addr;
            req_len <= len;
            @(posedge clk);
            while (!req_ready) @(posedge clk);
            req_valid <= 1'b0;
        end
        words = words + len;
        while (($random(seed) & 1) == 0) @(posedge clk);
    end
    // drain: every read answered, every write acknowledged
    k = 0;
    while ((exp_r != exp_w || b_owed != 0 || dut.w_out != 0) && k < 100000) begin
        @(posedge clk);
        k = k + 1;
    end
    if (k >= 100000) fail("timeout draining");
    for (k = 0; k < DEPTH; k = k + 1)
        if (mem[k] !== shadow[k]) begin
            if (errors == 0) $display("FAIL memory word %0d differs after the run", k);
            errors = errors + 1;
        end
    if (err) fail("err raised");
    if (errors == 0 && reads > 0 && writes > 0) $display("PASS reads=%0d writes=%0d words=%0d", reads, writes, words);
    else if (errors == 0) $display("FAIL the run had no reads or no writes");
    $finish;
end

endmodule

`default_nettype wire
