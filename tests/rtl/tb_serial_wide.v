// tb_serial_wide: bench for nn_serial_write's wide mode (osc) into nn_serial_scratch: one descriptor's output tiles written to the scratch banks, then every channel plane read back through the router and checked word by word.
`timescale 1ns / 1ps
`default_nettype none

/*
 * A descriptor of NRT row tiles (the last shorter) and NOB output blocks
 * (the last with NM_LAST < TM lanes, so the last lane group is masked).
 * The bench plays the drain: it fills an output-buffer slot whenever one
 * is free, after a random wait, lane m's word k of tile t being
 * {t, m, k}. The scratch is first filled with DEAD through its write
 * port; after the writer is done, each channel plane is read back: word
 * w of channel ch must be the tile's word written there, or DEAD where no
 * tile writes. Also checked: the writer never uses the memory request
 * channel, out_cons counts every tile, and with no waits the descriptor
 * takes at most sum(ceil(nm/L)*len + 5) cycles and a few more.
 * Prints "PASS tiles=T words=W cycles=C" or "FAIL ...".
 */
module tb_serial_wide;

parameter SL = 1;
parameter SEED = 1;
// the drain's random wait before a fill (0: none)
parameter WAITS = 1;
localparam TM = 8;
localparam MW = 16;
localparam AW = 16;
localparam LEN_W = 9;
localparam OBD = 64;
localparam OBA = $clog2(OBD);
localparam L = 1 << SL;
localparam NRT = 3, TRP = 2, PROWS_LAST = 1, WPWO = 3, NOB = 2, NM_LAST = 5;
localparam SK = 5;
localparam SPL = 16;                    // (2 + 2 + 1) rows * 3 words = 15 used
localparam SCH = 2 * TM;                // channels the scratch holds
localparam SDEPTH = (SCH / L) * SPL;
localparam SA = $clog2(SDEPTH);
localparam [AW-1:0] SBASE = 16'h2000;
localparam [MW-1:0] DEAD = 16'hdead;

reg clk = 1'b0;
reg rst = 1'b1;
always #5 clk = ~clk;

reg init;
wire done;
reg [7:0] out_fill;
wire [7:0] out_cons;
wire [OBA:0] ob_raddr;
reg [TM*MW-1:0] ob_rdata;
wire wq_valid, wq_locked;
wire [AW-1:0] wq_addr;
wire [LEN_W-1:0] wq_len;
wire [MW-1:0] wq_data;
wire [L-1:0] w_we;
wire [SA-1:0] w_waddr;
wire [L*MW-1:0] w_wdata;

nn_serial_write #(
    .TM(TM), .TP(TM), .MW(MW), .AW(AW), .LEN_W(LEN_W), .MAXB(256), .OBD(OBD),
    .SL(SL), .SPL(SPL), .SDEPTH(SDEPTH)
) dut (
    .clk(clk), .rst(rst), .init(init), .done(done),
    .pass(1'b0), .nrt(NRT[15:0]), .trp(TRP[15:0]), .prows_last(PROWS_LAST[15:0]),
    .nob(NOB[15:0]), .nm_last(NM_LAST[15:0]), .out_base(16'h0100), .plane_o(32'd64),
    .wpwo(WPWO[15:0]), .osc(1'b1),
    .out_fill(out_fill), .out_cons(out_cons), .ob_raddr(ob_raddr), .ob_rdata(ob_rdata),
    .wq_valid(wq_valid), .wq_ready(1'b1), .wq_addr(wq_addr), .wq_len(wq_len),
    .wq_data(wq_data), .wq_locked(wq_locked),
    .sc_we(w_we), .sc_waddr(w_waddr), .sc_wdata(w_wdata)
);

// the scratch's write port: the bench's (DEAD fill) or the writer's
reg tb_w;
reg [L-1:0] t_we;
reg [SA-1:0] t_waddr;
reg rq_valid;
wire rq_ready;
reg [AW-1:0] rq_addr;
reg [LEN_W-1:0] rq_len;
wire rs_valid, xq_valid;
wire [MW-1:0] rs_data;
wire [AW-1:0] xq_addr;
wire [LEN_W-1:0] xq_len;

nn_serial_scratch #(
    .MW(MW), .AW(AW), .LEN_W(LEN_W), .SBASE(SBASE), .SK(SK), .SL(SL), .SPL(SPL),
    .SDEPTH(SDEPTH)
) u_sc (
    .clk(clk), .rst(rst),
    .rq_valid(rq_valid), .rq_ready(rq_ready), .rq_addr(rq_addr), .rq_len(rq_len),
    .rs_valid(rs_valid), .rs_data(rs_data),
    .xq_valid(xq_valid), .xq_ready(1'b0), .xq_addr(xq_addr), .xq_len(xq_len),
    .xs_valid(1'b0), .xs_data({MW{1'b0}}),
    .sc_we(tb_w ? t_we : w_we), .sc_waddr(tb_w ? t_waddr : w_waddr),
    .sc_wdata(tb_w ? {L{DEAD}} : w_wdata)
);

integer seed, errors, cyc;
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

// ---------------------------------------------------------------- output buffer
// the tile each slot holds; lane m's word k of tile t is {t, m, k}
reg [3:0] slot_tile [0:1];
integer m;
always @(posedge clk) begin
    for (m = 0; m < TM; m = m + 1)
        ob_rdata[m*MW +: MW] <= {slot_tile[ob_raddr[OBA]], m[3:0], 2'b00, ob_raddr[OBA-1:0]};
end
always @(posedge clk) begin
    if (wq_valid || wq_locked) fail("the writer used the memory channel in wide mode");
end

// ---------------------------------------------------------------- expected
reg [MW-1:0] expw [0:SCH*SPL-1];        // channel ch, word w
integer t, rt, ob, k, ch, nm, len, ntiles, bound, words, i, w, t0, t1, got;
initial begin
    for (i = 0; i < SCH * SPL; i = i + 1) expw[i] = DEAD;
    ntiles = NRT * NOB;
    bound = 0;
    words = 0;
    for (t = 0; t < ntiles; t = t + 1) begin
        rt = t / NOB;
        ob = t % NOB;
        nm = (ob == NOB - 1) ? NM_LAST : TM;
        len = ((rt == NRT - 1) ? PROWS_LAST : TRP) * WPWO;
        bound = bound + ((nm + L - 1) / L) * len + 5;
        for (m = 0; m < nm; m = m + 1)
            for (k = 0; k < len; k = k + 1) begin
                expw[(ob * TM + m) * SPL + rt * TRP * WPWO + k] = {t[3:0], m[3:0], k[7:0]};
                words = words + 1;
            end
    end
end

// ---------------------------------------------------------------- run
initial begin
    init = 1'b0;
    out_fill = 8'd0;
    tb_w = 1'b1;
    t_we = {L{1'b0}};
    t_waddr = {SA{1'b0}};
    rq_valid = 1'b0;
    rq_addr = {AW{1'b0}};
    rq_len = {LEN_W{1'b0}};
    repeat (3) @(posedge clk);
    rst <= 1'b0;
    for (i = 0; i < SDEPTH; i = i + 1) begin
        @(negedge clk);
        t_we = {L{1'b1}};
        t_waddr = i[SA-1:0];
    end
    @(negedge clk);
    t_we = {L{1'b0}};
    tb_w = 1'b0;
    init = 1'b1;
    t0 = cyc;
    @(negedge clk);
    init = 1'b0;
    // the drain: a tile into the free slot, after a random wait
    t = 0;
    while (t < ntiles) begin
        @(negedge clk);
        if (out_fill - out_cons < 8'd2 && (WAITS == 0 || ($random(seed) & 3) == 0)) begin
            slot_tile[out_fill[0]] = t[3:0];
            out_fill = out_fill + 8'd1;
            t = t + 1;
        end
    end
    while (!done) @(negedge clk);
    t1 = cyc;
    if (out_cons != ntiles[7:0]) fail("out_cons does not count every tile");
    if (WAITS == 0 && t1 - t0 > bound + 8) begin
        $display("  %0d cycles, at most %0d expected", t1 - t0, bound + 8);
        fail("the wide writer is slower than a word a cycle");
    end
    // read every channel plane back through the router (those the
    // descriptor has not must still be DEAD)
    for (ch = 0; ch < SCH; ch = ch + 1) begin
        @(negedge clk);
        rq_addr = SBASE + (ch << SK);
        rq_len = SPL[LEN_W-1:0];
        rq_valid = 1'b1;
        #1;
        while (!rq_ready) begin
            @(negedge clk);
            #1;
        end
        @(negedge clk);
        rq_valid = 1'b0;
        for (w = 0; w < SPL; w = w + 1) begin
            @(posedge clk);
            #1;
            while (!rs_valid) begin
                @(posedge clk);
                #1;
            end
            if (rs_data !== expw[ch * SPL + w]) begin
                if (errors == 0)
                    $display("  channel %0d word %0d: got %h, expected %h", ch, w, rs_data,
                             expw[ch * SPL + w]);
                fail("scratch word differs");
            end
        end
    end
    got = 0;
    for (i = 0; i < SCH * SPL; i = i + 1) if (expw[i] !== DEAD) got = got + 1;
    if (got != words || words == 0) fail("the expected image is wrong");
    if (errors == 0) $display("PASS tiles=%0d words=%0d cycles=%0d", ntiles, words, t1 - t0);
    $finish;
end

initial begin
    #1000000;
    $display("FAIL timeout");
    $finish;
end

endmodule
