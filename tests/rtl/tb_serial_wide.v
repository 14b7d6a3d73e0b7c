// tb_serial_wide: bench for nn_serial_write's wide mode (osc) into nn_serial_scratch: random descriptors' output tiles written to the scratch's channel rings (random SRW and START), then every bank word checked and every channel's ring read back through the router, wrapping.
`timescale 1ns / 1ps
`default_nettype none

/*
 * ND descriptors, each with random NRT row tiles of TRP pooled rows (the
 * last PROWS_LAST <= TRP), WPWO words a row, NOB output blocks (the last
 * with NM_LAST <= TM lanes, so the last lane group may be masked), a ring
 * of SRW words a channel (TRP*WPWO <= SRW <= 2^(SK-1): the tile's length,
 * the largest or any) and a first ring word START < SRW: a band whose rows
 * wrap, tiles that cross the ring's end and, when the band has more words
 * than the ring, later rows over earlier ones.
 * The bench plays the drain: it fills an output-buffer slot whenever one
 * is free, after a random wait, lane m's word k of tile t of descriptor d
 * being {d, t, m, k}. Before each descriptor the scratch is filled with
 * DEAD through its write port. Expected: word w of row tile rt's rows of
 * channel ch (tile rt, block ch / TM, lane ch mod TM) at ring word
 * (START + rt*TRP*WPWO + w) mod SRW of channel ch, bank ch mod L, bank word
 * (ch / L)*SRW + ring word; tiles in order, a later one over an earlier.
 * Checked: a shadow of the scratch's write port against that bank image,
 * every word of every bank (DEAD where no tile writes); every channel's
 * ring read back through the router from a random offset < 2*SRW, SRW
 * words, wrapping; the writer never uses the memory request channel and
 * never writes past SDEPTH; out_cons counts every tile; with no waits a
 * descriptor takes at most sum(ceil(nm/L)*len + 5) cycles and a few more;
 * the run had tiles crossing the ring's end, folded row starts and
 * overwritten rows.
 * Prints "PASS descriptors=D tiles=T words=W ... cross=X ..." or "FAIL ...".
 */
module tb_serial_wide;

parameter SL = 1;
parameter SEED = 1;
// the drain's random wait before a fill (0: none)
parameter WAITS = 1;
// descriptors
parameter ND = 40;
localparam TM = 8;
localparam MW = 32;
localparam AW = 16;
localparam LEN_W = 9;
localparam OBD = 64;
localparam OBA = $clog2(OBD);
localparam L = 1 << SL;
localparam MAXNOB = 3;
localparam SK = 6;
localparam SRW_MAX = 1 << (SK - 1);     // 2*SRW <= 2^SK
localparam SCH = MAXNOB * TM;           // channels the scratch holds
localparam SDEPTH = (SCH / L) * SRW_MAX;
localparam SA = $clog2(SDEPTH);
localparam [AW-1:0] SBASE = 16'h2000;
localparam [MW-1:0] DEAD = 32'hdeadbeef;

reg clk = 1'b0;
reg rst = 1'b1;
always #5 clk = ~clk;

reg init;
wire done;
reg [15:0] nrt, trp, prows_last, wpwo, nob, nm_last;
reg [SA:0] srw, start;
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

// the descriptor the writer sees: a MAC layer's output to the scratch
localparam TN = TM;
localparam CW = 8;
`include "nn_serial_desc.vh"
reg [D_W-1:0] fields;
always @* begin
    fields = {D_W{1'b0}};
    fields[D_OP_OFF +: D_OP_W] = OP_MAC;
    fields[D_NRT_OFF +: D_NRT_W] = nrt;
    fields[D_TRP_OFF +: D_TRP_W] = trp;
    fields[D_PROWS_LAST_OFF +: D_PROWS_LAST_W] = prows_last;
    fields[D_NOB_OFF +: D_NOB_W] = nob;
    fields[D_NM_LAST_OFF +: D_NM_LAST_W] = nm_last;
    fields[D_OUT_OFF +: D_OUT_W] = 16'h0100;
    fields[D_PLANE_O_OFF +: D_PLANE_O_W] = 32'd64;
    fields[D_WPWO_OFF +: D_WPWO_W] = wpwo;
    fields[D_OSC_OFF +: D_OSC_W] = 1'b1;
end

nn_serial_write #(
    .TM(TM), .TN(TN), .CW(CW), .TP(TM), .MW(MW), .AW(AW), .LEN_W(LEN_W), .MAXB(256),
    .OBD(OBD), .SL(SL), .SDEPTH(SDEPTH)
) dut (
    .clk(clk), .rst(rst), .init(init), .done(done),
    .fields(fields), .srw(srw), .start(start),
    .out_fill(out_fill), .out_cons(out_cons), .ob_raddr(ob_raddr), .ob_rdata(ob_rdata),
    .wq_valid(wq_valid), .wq_ready(1'b1), .wq_addr(wq_addr), .wq_len(wq_len),
    .wq_data(wq_data), .wq_locked(wq_locked),
    .sc_we(w_we), .sc_waddr(w_waddr), .sc_wdata(w_wdata)
);

// the scratch's write port: the bench's (DEAD fill) or the writer's
reg tb_w;
reg [L-1:0] t_we;
reg [SA-1:0] t_waddr;
wire [L-1:0] s_we = tb_w ? t_we : w_we;
wire [SA-1:0] s_waddr = tb_w ? t_waddr : w_waddr;
wire [L*MW-1:0] s_wdata = tb_w ? {L{DEAD}} : w_wdata;
reg rq_valid;
wire rq_ready;
reg [AW-1:0] rq_addr;
reg [LEN_W-1:0] rq_len;
wire rs_valid, xq_valid;
wire [MW-1:0] rs_data;
wire [AW-1:0] xq_addr;
wire [LEN_W-1:0] xq_len;

nn_serial_scratch #(
    .MW(MW), .AW(AW), .LEN_W(LEN_W), .SBASE(SBASE), .SK(SK), .SL(SL), .SDEPTH(SDEPTH)
) u_sc (
    .clk(clk), .rst(rst), .srw(srw),
    .rq_valid(rq_valid), .rq_ready(rq_ready), .rq_addr(rq_addr), .rq_len(rq_len),
    .rs_valid(rs_valid), .rs_data(rs_data),
    .xq_valid(xq_valid), .xq_ready(1'b0), .xq_addr(xq_addr), .xq_len(xq_len),
    .xs_valid(1'b0), .xs_data({MW{1'b0}}),
    .sc_we(s_we), .sc_waddr(s_waddr), .sc_wdata(s_wdata)
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
// the tile each slot holds; lane m's word k of tile t of descriptor d is
// {d, t, m, k}
reg [7:0] slot_tile [0:1];
reg [7:0] cur_d;
integer m;
always @(posedge clk) begin
    for (m = 0; m < TM; m = m + 1)
        ob_rdata[m*MW +: MW] <= {cur_d, slot_tile[ob_raddr[OBA]], m[7:0], 2'b00,
                                 ob_raddr[OBA-1:0]};
end

// ---------------------------------------------------------------- shadow
// every word the scratch's write port stores, bank j word i at j*SDEPTH + i
reg [MW-1:0] shadow [0:L*SDEPTH-1];
integer j;
always @(posedge clk) begin
    for (j = 0; j < L; j = j + 1)
        if (s_we[j]) begin
            if (s_waddr >= SDEPTH) fail("a write past SDEPTH");
            else shadow[j * SDEPTH + s_waddr] <= s_wdata[j*MW +: MW];
        end
    if (wq_valid || wq_locked) fail("the writer used the memory channel in wide mode");
end

// ---------------------------------------------------------------- expected
// the descriptor's rings: channel ch, ring word w at ch*SRW_MAX + w
reg [MW-1:0] expw [0:SCH*SRW_MAX-1];
integer d, t, rt, ob, k, ch, nm, len, ntiles, bound, words, i, w, t0, t1, got, ring;
integer pos, rows, off, mode, lfull;
integer tiles, allw, cross, folded, over, srw_tight;

task expect_descriptor;
    begin
        for (i = 0; i < SCH * SRW_MAX; i = i + 1) expw[i] = DEAD;
        ntiles = nrt * nob;
        bound = 0;
        words = 0;
        for (t = 0; t < ntiles; t = t + 1) begin
            rt = t / nob;
            ob = t % nob;
            nm = (ob == nob - 1) ? nm_last : TM;
            len = ((rt == nrt - 1) ? prows_last : trp) * wpwo;
            bound = bound + ((nm + L - 1) / L) * len + 5;
            pos = start + rt * trp * wpwo;
            if (pos >= ring) folded = folded + 1;
            if (pos % ring + len > ring) cross = cross + 1;
            for (m = 0; m < nm; m = m + 1)
                for (k = 0; k < len; k = k + 1) begin
                    expw[(ob * TM + m) * SRW_MAX + (pos + k) % ring] =
                        {d[7:0], t[7:0], m[7:0], 2'b00, k[5:0]};
                    words = words + 1;
                end
        end
        rows = (nrt - 1) * trp + prows_last;
        if (rows * wpwo > ring) over = over + 1;
    end
endtask

// ---------------------------------------------------------------- run
initial begin
    init = 1'b0;
    out_fill = 8'd0;
    cur_d = 8'd0;
    tb_w = 1'b1;
    t_we = {L{1'b0}};
    t_waddr = {SA{1'b0}};
    rq_valid = 1'b0;
    rq_addr = {AW{1'b0}};
    rq_len = {LEN_W{1'b0}};
    nrt = 16'd1; trp = 16'd1; prows_last = 16'd1; wpwo = 16'd1; nob = 16'd1;
    nm_last = 16'd1; srw = 1; start = 0;
    tiles = 0; allw = 0; cross = 0; folded = 0; over = 0; srw_tight = 0;
    repeat (3) @(posedge clk);
    rst <= 1'b0;
    for (d = 0; d < ND; d = d + 1) begin
        // the descriptor: fields, ring and start, set a cycle before init
        wpwo = 1 + {$random(seed)} % 5;
        trp = 1 + {$random(seed)} % 3;
        prows_last = 1 + {$random(seed)} % trp;
        nrt = 1 + {$random(seed)} % 5;
        nob = 1 + {$random(seed)} % MAXNOB;
        nm_last = 1 + {$random(seed)} % TM;
        lfull = trp * wpwo;
        mode = $random(seed) & 3;
        ring = mode == 0 ? lfull : mode == 1 ? SRW_MAX
                                             : lfull + {$random(seed)} % (SRW_MAX - lfull + 1);
        if (ring == lfull) srw_tight = srw_tight + 1;
        srw = ring[SA:0];
        start = ({$random(seed)} % ring);
        cur_d = d[7:0];
        expect_descriptor;
        // the scratch to DEAD through its write port
        tb_w = 1'b1;
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
                slot_tile[out_fill[0]] = t[7:0];
                out_fill = out_fill + 8'd1;
                t = t + 1;
            end
        end
        while (!done) @(negedge clk);
        t1 = cyc;
        if (out_cons != out_fill) fail("out_cons does not count every tile");
        if (WAITS == 0 && t1 - t0 > bound + 8) begin
            $display("  %0d cycles, at most %0d expected", t1 - t0, bound + 8);
            fail("the wide writer is slower than a word a cycle");
        end
        // every bank word: channel (i / SRW)*L + j's ring word i mod SRW,
        // DEAD past the rings
        @(negedge clk);
        for (j = 0; j < L; j = j + 1)
            for (i = 0; i < SDEPTH; i = i + 1) begin
                ch = (i / ring) * L + j;
                w = (ch < SCH && i < (SDEPTH / ring) * ring) ? expw[ch * SRW_MAX + i % ring]
                                                              : DEAD;
                if (shadow[j * SDEPTH + i] !== w) begin
                    if (errors == 0)
                        $display("  descriptor %0d (SRW %0d START %0d): bank %0d word %0d: got %h, expected %h",
                                 d, ring, start, j, i, shadow[j * SDEPTH + i], w);
                    fail("bank word differs");
                end
            end
        // every channel's ring read back through the router, from a random
        // offset below 2*SRW (and 2^SK - SRW), SRW words around the ring
        for (ch = 0; ch < SCH; ch = ch + 1) begin
            off = {$random(seed)} % ((2 * ring < (1 << SK) - ring + 1) ? 2 * ring
                                                                        : (1 << SK) - ring + 1);
            @(negedge clk);
            rq_addr = SBASE + (ch << SK) + off;
            rq_len = ring[LEN_W-1:0];
            rq_valid = 1'b1;
            #1;
            while (!rq_ready) begin
                @(negedge clk);
                #1;
            end
            @(negedge clk);
            rq_valid = 1'b0;
            for (w = 0; w < ring; w = w + 1) begin
                @(posedge clk);
                #1;
                while (!rs_valid) begin
                    @(posedge clk);
                    #1;
                end
                if (rs_data !== expw[ch * SRW_MAX + (off + w) % ring]) begin
                    if (errors == 0)
                        $display("  descriptor %0d: channel %0d word %0d from %0d: got %h, expected %h",
                                 d, ch, w, off, rs_data, expw[ch * SRW_MAX + (off + w) % ring]);
                    fail("scratch word read back differs");
                end
            end
        end
        got = 0;
        for (i = 0; i < SCH * SRW_MAX; i = i + 1) if (expw[i] !== DEAD) got = got + 1;
        if (got == 0 || got > words) fail("the expected image is wrong");
        tiles = tiles + ntiles;
        allw = allw + words;
    end
    if (cross == 0 || folded == 0 || over == 0 || srw_tight == 0) begin
        if (errors == 0)
            $display("  cross=%0d folded=%0d overwritten=%0d tight=%0d", cross, folded, over,
                     srw_tight);
        fail("too few ring cases");
    end
    if (errors == 0)
        $display("PASS descriptors=%0d tiles=%0d words=%0d cross=%0d folded=%0d overwritten=%0d tight=%0d",
                 ND, tiles, allw, cross, folded, over, srw_tight);
    $finish;
end

initial begin
    #4000000;
    $display("FAIL timeout");
    $finish;
end

endmodule
