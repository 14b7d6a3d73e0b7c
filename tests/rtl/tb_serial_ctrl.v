// tb_serial_ctrl: bench for nn_serial_ctrl: an AXI4-Lite master with random VALID delays and BREADY/RREADY stalls, an engine model with random run lengths and idle lag, and a scoreboard of the registers and of the start/done/interrupt protocol.
`timescale 1ns / 1ps
`default_nettype none

/*
 * Randomness is xorshift32 (one generator for the master's delays, one for
 * the ready stalls, one for the engine), seeded from SEED.
 *
 * Master: one write at a time (AW before W, W before AW, together, or
 * independent random delays), one read at a time; VALID and the payload
 * held until READY. BREADY/RREADY low STALL % of the cycles. Two stress
 * phases issue AW/W and AR streams without waiting for the responses, so a
 * slave that took a second request early would break the monitor's
 * one-at-a-time counts.
 *
 * Engine model: after eng_start (checked: only when it is idle and no run
 * is under way) eng_idle stays high 0 or 1 more cycle, eng_fin pulses L
 * cycles after eng_start (L random in RUN_MIN..RUN_MAX), eng_idle rises 0..2
 * cycles after eng_fin; hold keeps eng_idle low outside runs. The run's
 * cycles (eng_fin cycle - eng_start cycle) are counted here.
 *
 * Monitor, every cycle: BVALID/RVALID and RDATA held while stalled, OKAY
 * responses, a B only for a write whose AW and W were both taken, an R only
 * for a taken AR, at most one write and one read outstanding. Every read of
 * CTRL, STATUS, SPEC, ID and of an unmapped address is checked against the
 * scoreboard at its AR handshake (the value of that cycle): for CTRL the
 * bench's own view of ap_start (a write of 1 with no run under way, taken
 * by eng_start), ap_done (eng_fin, cleared by the CTRL read that returns
 * it), ap_ready (eng_start, the same), ap_idle (eng_idle, no start pending,
 * not between eng_start and eng_fin) and auto_restart. CTRL is written only
 * when the engine is quiet or in the middle of a long run, so the bench's
 * view of "a run is under way" cannot differ from the slave's.
 *
 * The main sequence checks the pointers, GIE, IER, ISR, CYCLES and
 * interrupt itself. Prints "PASS ..." or "FAIL ...".
 */
module tb_serial_ctrl;

parameter SEED = 1;
parameter STALL = 30;                    // percent of cycles BREADY (RREADY) is low
parameter DELAY = 3;                     // a VALID waits 0..DELAY cycles
parameter [31:0] SPEC = 32'h9E3779B9;
parameter RUNS = 30;                     // polled runs

localparam [7:0] A_CTRL = 8'h00, A_GIE = 8'h04, A_IER = 8'h08, A_ISR = 8'h0C,
                 A_STATUS = 8'h38, A_SPEC = 8'h3C, A_CYCLO = 8'h40, A_CYCHI = 8'h44, A_ID = 8'h48;
localparam [31:0] ID = 32'h4E4E4345;

reg clk = 1'b0;
reg rst = 1'b1;
always #5 clk = ~clk;
integer cyc = 0;
always @(posedge clk) cyc <= cyc + 1;

integer errors = 0;
task fail;
    input [8*80-1:0] msg;
    begin
        if (errors < 10) $display("FAIL %0s at cycle %0d", msg, cyc);
        errors = errors + 1;
    end
endtask

// stop at the tenth error, or when the sequence takes far too long
always @(posedge clk) begin
    if (errors >= 10) begin
        $display("FAIL %0d errors (stopped)", errors);
        $finish;
    end
    if (cyc > 400000) begin
        $display("FAIL timeout");
        $finish;
    end
end

task expect32;
    input [8*40-1:0] what;
    input [31:0] got;
    input [31:0] exp;
    begin
        if (got !== exp) begin
            if (errors < 10) $display("FAIL %0s: read %h, expected %h at cycle %0d", what, got, exp, cyc);
            errors = errors + 1;
        end
    end
endtask

// ---------------------------------------------------------------- xorshift32
function [31:0] xs;
    input [31:0] x;
    reg [31:0] y;
    begin
        y = x ^ (x << 13);
        y = y ^ (y >> 17);
        xs = y ^ (y << 5);
    end
endfunction

reg [31:0] mr, sr, er;
initial begin
    mr = xs(32'h2545F491 ^ (SEED * 32'h9E3779B9));
    sr = xs(mr ^ 32'h5BD1E995);
    er = xs(sr ^ 32'h68E31DA4);
end

// the master's generator: 0..n-1 (n = 0: the whole word)
function [31:0] mrand;
    input [31:0] n;
    begin
        mr = xs(mr);
        mrand = n == 0 ? mr : mr % n;
    end
endfunction

// ---------------------------------------------------------------- DUT
reg         s_awvalid = 1'b0, s_wvalid = 1'b0, s_arvalid = 1'b0, s_bready = 1'b0, s_rready = 1'b0;
reg  [7:0]  s_awaddr = 8'h0, s_araddr = 8'h0;
reg  [31:0] s_wdata = 32'h0;
reg  [3:0]  s_wstrb = 4'h0;
wire        s_awready, s_wready, s_bvalid, s_arready, s_rvalid, interrupt, eng_start;
wire [1:0]  s_bresp, s_rresp;
wire [31:0] s_rdata;
reg         eng_idle = 1'b1, eng_fin = 1'b0;
reg  [31:0] eng_status = 32'h0;
wire [63:0] base_prog, base_weights, base_work, base_input, base_output;

nn_serial_ctrl #(.SPEC(SPEC)) dut (
    .clk(clk), .rst(rst),
    .s_awvalid(s_awvalid), .s_awready(s_awready), .s_awaddr(s_awaddr),
    .s_wvalid(s_wvalid), .s_wready(s_wready), .s_wdata(s_wdata), .s_wstrb(s_wstrb),
    .s_bvalid(s_bvalid), .s_bready(s_bready), .s_bresp(s_bresp),
    .s_arvalid(s_arvalid), .s_arready(s_arready), .s_araddr(s_araddr),
    .s_rvalid(s_rvalid), .s_rready(s_rready), .s_rdata(s_rdata), .s_rresp(s_rresp),
    .interrupt(interrupt),
    .eng_start(eng_start), .eng_idle(eng_idle), .eng_fin(eng_fin), .eng_status(eng_status),
    .base_prog(base_prog), .base_weights(base_weights), .base_work(base_work),
    .base_input(base_input), .base_output(base_output)
);

// BREADY and RREADY: random stalls
always @(posedge clk) begin
    sr = xs(sr);
    s_bready <= (sr % 100) >= STALL;
    s_rready <= ((sr >> 12) % 100) >= STALL;
end

// ---------------------------------------------------------------- engine model and monitor
integer run_min = 1, run_max = 12;     // run length range (set by the main sequence)
reg hold = 1'b0;                       // keep eng_idle low outside runs
reg in_run = 1'b0;                     // from the cycle after eng_start through eng_fin's cycle
reg active = 1'b0;                     // the model's run, until eng_idle is back
integer t_s = 0, t_f = 0, t_b0 = 0, t_b1 = 0, post = 0, len;
integer n_start = 0, n_fin = 0, gap_f = 0;
reg [63:0] last_cycles = 64'd0, cyc_add = 64'd0;

// scoreboard: the bench's view of CTRL
reg pend = 1'b0, auto_sh = 1'b0, done_sh = 1'b0, ready_sh = 1'b0;
reg ob_ha = 1'b0, ob_hw = 1'b0, busy_b, pend_n, auto_n, fin_pend = 1'b0;
reg [7:0] ob_a;
reg [31:0] ob_d;
reg [3:0] ob_s;
integer n_aw = 0, n_w = 0, n_b = 0, n_ar = 0, n_r = 0;
integer cov_s = 0, cov_f = 0;           // CTRL reads in an eng_start / eng_fin cycle
reg b_stall = 1'b0, r_stall = 1'b0, rchk = 1'b0, ctrl_ar;
reg [31:0] r_prev, rexp;
reg [7:0] r_addr;
integer c1;

always @(posedge clk) if (!rst) begin
    // ---- protocol
    if (s_bvalid && (n_b >= n_aw || n_b >= n_w)) fail("BVALID without a write whose AW and W were taken");
    if (s_rvalid && n_r >= n_ar) fail("RVALID without a read");
    if (n_aw - n_b > 1 || n_w - n_b > 1) fail("a second write taken before the first's B");
    if (n_ar - n_r > 1) fail("a second read taken before the first's R");
    if (b_stall && !s_bvalid) fail("BVALID dropped before BREADY");
    if (r_stall && (!s_rvalid || s_rdata !== r_prev)) fail("RVALID/RDATA changed before RREADY");
    if (s_bvalid && s_bresp !== 2'b00) fail("BRESP not OKAY");
    if (s_rvalid && s_rresp !== 2'b00) fail("RRESP not OKAY");
    b_stall = s_bvalid && !s_bready;
    r_stall = s_rvalid && !s_rready;
    r_prev = s_rdata;
    if (s_bvalid && s_bready) n_b = n_b + 1;
    if (s_rvalid && s_rready) begin
        n_r = n_r + 1;
        if (rchk && s_rdata !== rexp) begin
            if (errors < 10) $display("FAIL read of %h returned %h, expected %h (at its AR) at cycle %0d",
                                      r_addr, s_rdata, rexp, cyc);
            errors = errors + 1;
        end
        rchk = 1'b0;
    end

    // ---- reads: the expected value of the AR handshake's cycle
    ctrl_ar = s_arvalid && s_arready && s_araddr[7:2] == 6'd0;
    if (s_arvalid && s_arready) begin
        n_ar = n_ar + 1;
        r_addr = s_araddr;
        rchk = 1'b1;
        case (s_araddr[7:2])
            6'h00: rexp = {24'd0, auto_sh, 3'd0, ready_sh || eng_start,
                           eng_idle && !in_run && !eng_start && !pend, done_sh,
                           pend && (auto_sh || !eng_start)};
            6'h0E: rexp = eng_status;
            6'h0F: rexp = SPEC;
            6'h12: rexp = ID;
            default: begin
                rexp = 32'd0;
                rchk = s_araddr[7:2] > 6'h12;   // unmapped; the rest the main sequence checks
            end
        endcase
    end
    if (ctrl_ar && eng_start) cov_s = cov_s + 1;
    if (ctrl_ar && eng_fin) cov_f = cov_f + 1;
    done_sh <= eng_fin || (done_sh && !ctrl_ar);
    ready_sh <= (ready_sh || eng_start) && !ctrl_ar;

    // ---- writes: the bench's view of a CTRL write, when both halves are in
    pend_n = pend;
    auto_n = auto_sh;
    busy_b = in_run || eng_start;
    if (eng_start) pend_n = auto_sh;
    if (s_awvalid && s_awready) begin
        n_aw = n_aw + 1;
        ob_ha = 1'b1;
        ob_a = s_awaddr;
    end
    if (s_wvalid && s_wready) begin
        n_w = n_w + 1;
        ob_hw = 1'b1;
        ob_d = s_wdata;
        ob_s = s_wstrb;
    end
    if (ob_ha && ob_hw) begin
        if (ob_a[7:2] == 6'd0 && ob_s[0]) begin
            if (!busy_b && ob_d[0]) pend_n = 1'b1;
            if (busy_b && !ob_d[7]) pend_n = 1'b0;
            auto_n = ob_d[7];
        end
        ob_ha = 1'b0;
        ob_hw = 1'b0;
    end
    pend <= pend_n;
    auto_sh <= auto_n;

    // ---- engine
    er = xs(er);
    if (er % 53 == 0) eng_status <= xs(er ^ 32'hA5A5A5A5);
    if (eng_start) begin
        if (in_run || !eng_idle || active) fail("eng_start while the engine is busy");
        if (fin_pend && cyc - gap_f > post + 2) fail("auto_restart: the restart came late");
        n_start = n_start + 1;
        t_s = cyc;
        len = run_min + ((er >> 3) % (run_max - run_min + 1));
        t_f = cyc + len;
        t_b0 = cyc + 1 + ((er >> 20) & 1);      // eng_idle may stay high a cycle more
        post = (er >> 24) % 3;                  // and come back 0..2 cycles after eng_fin
        t_b1 = t_f + post;
        active = 1'b1;
    end
    if (eng_fin) begin
        if (!in_run) fail("bench: eng_fin outside a run");
        n_fin = n_fin + 1;
        last_cycles = (cyc - t_s) + cyc_add;
        gap_f = cyc;
        fin_pend = pend;                        // auto_restart: the next start is due at once
    end
    c1 = cyc + 1;                               // the values below are for cycle c1
    in_run <= active && c1 <= t_f;
    eng_fin <= active && c1 == t_f;
    eng_idle <= !(hold || (active && c1 >= t_b0 && c1 < t_b1));
    if (active && c1 >= t_b1 && c1 > t_f) active = 1'b0;
end

// ---------------------------------------------------------------- master
task aw_phase;
    input [7:0] a;
    input integer d;
    begin
        repeat (d) @(posedge clk);
        s_awvalid <= 1'b1;
        s_awaddr <= a;
        @(posedge clk);
        while (!s_awready) @(posedge clk);
        s_awvalid <= 1'b0;
        s_awaddr <= 8'hxx;
    end
endtask

task w_phase;
    input [31:0] v;
    input [3:0] st;
    input integer d;
    begin
        repeat (d) @(posedge clk);
        s_wvalid <= 1'b1;
        s_wdata <= v;
        s_wstrb <= st;
        @(posedge clk);
        while (!s_wready) @(posedge clk);
        s_wvalid <= 1'b0;
        s_wdata <= 32'hxxxxxxxx;
        s_wstrb <= 4'hx;
    end
endtask

// mode 0: AW then W, 1: W then AW, 2: together, 3: independent random delays
task wr_mode;
    input [7:0] a;
    input [31:0] v;
    input [3:0] st;
    input integer mode;
    integer d1, d2;
    begin
        d1 = mrand(DELAY + 1);
        d2 = mrand(DELAY + 1);
        case (mode)
            0: begin aw_phase(a, d1); w_phase(v, st, d2); end
            1: begin w_phase(v, st, d1); aw_phase(a, d2); end
            2: fork aw_phase(a, d1); w_phase(v, st, d1); join
            default: fork aw_phase(a, d1); w_phase(v, st, d2); join
        endcase
        while (!(s_bvalid && s_bready)) @(posedge clk);
    end
endtask

task wr;
    input [7:0] a;
    input [31:0] v;
    begin
        wr_mode(a, v, 4'hF, mrand(4));
    end
endtask

task rd;
    input [7:0] a;
    output [31:0] v;
    begin
        repeat (mrand(DELAY + 1)) @(posedge clk);
        s_arvalid <= 1'b1;
        s_araddr <= a;
        @(posedge clk);
        while (!s_arready) @(posedge clk);
        s_arvalid <= 1'b0;
        s_araddr <= 8'hxx;
        while (!(s_rvalid && s_rready)) @(posedge clk);
        v = s_rdata;
    end
endtask

reg [31:0] rv;
task rd_exp;
    input [7:0] a;
    input [31:0] exp;
    begin
        rd(a, rv);
        if (rv !== exp) begin
            if (errors < 10) $display("FAIL register %h read %h, expected %h at cycle %0d", a, rv, exp, cyc);
            errors = errors + 1;
        end
    end
endtask

// ---------------------------------------------------------------- helpers
reg [31:0] ptr [0:9];                   // shadow of the pointer words
integer gie_sh = 0, ier_sh = 0, isr_sh = 0;

function [31:0] merge;
    input [31:0] old;
    input [31:0] v;
    input [3:0] st;
    integer b;
    begin
        for (b = 0; b < 4; b = b + 1) merge[b*8 +: 8] = st[b] ? v[b*8 +: 8] : old[b*8 +: 8];
    end
endfunction

task check_ports;
    begin
        if (base_prog !== {ptr[1], ptr[0]} || base_weights !== {ptr[3], ptr[2]} ||
            base_work !== {ptr[5], ptr[4]} || base_input !== {ptr[7], ptr[6]} ||
            base_output !== {ptr[9], ptr[8]}) fail("base_* ports differ from the pointers written");
    end
endtask

task check_ptrs;
    integer k;
    begin
        for (k = 0; k < 10; k = k + 1) rd_exp(8'h10 + 4 * k, ptr[k]);
        check_ports;
    end
endtask

task check_irq;
    begin
        if (interrupt !== (gie_sh[0] && (isr_sh & ier_sh & 3) != 0)) begin
            if (errors < 10) $display("FAIL interrupt %b with GIE %0d IER %0d ISR %0d at cycle %0d",
                                      interrupt, gie_sh, ier_sh, isr_sh, cyc);
            errors = errors + 1;
        end
    end
endtask

task wait_cycles;
    input integer n;
    begin
        repeat (n) @(posedge clk);
    end
endtask

// the engine quiet: no run, idle, no start pending, for a few cycles
task wait_quiet;
    integer q, t;
    begin
        q = 0;
        t = 0;
        while (q < 4 && t < 100000) begin
            @(posedge clk);
            q = (!active && !in_run && eng_idle && !pend && !eng_start) ? q + 1 : 0;
            t = t + 1;
        end
        if (t >= 100000) fail("timeout waiting for the engine to be quiet");
    end
endtask

task wait_start;
    input integer n;
    integer t;
    begin
        t = 0;
        while (n_start < n && t < 100000) begin
            @(posedge clk);
            t = t + 1;
        end
        if (t >= 100000) fail("timeout waiting for eng_start");
    end
endtask

// start with the engine quiet and poll CTRL until done and idle: exactly
// one done and one ready are read; CYCLES is the run's count
task run_polled;
    integer ndone, nready, n0, guard;
    begin
        n0 = n_start;
        wr(A_CTRL, 32'h1);
        ndone = 0;
        nready = 0;
        guard = 0;
        rv = 0;
        while (!(ndone > 0 && rv[2]) && guard < 10000) begin
            rd(A_CTRL, rv);
            ndone = ndone + rv[1];
            nready = nready + rv[3];
            guard = guard + 1;
        end
        if (guard >= 10000) fail("polling: no done");
        if (ndone != 1 || nready != 1) begin
            if (errors < 10) $display("FAIL polling read done %0d and ready %0d times, expected 1 and 1 at cycle %0d",
                                      ndone, nready, cyc);
            errors = errors + 1;
        end
        if (n_start != n0 + 1) fail("polling: not exactly one eng_start");
        rd_exp(A_CYCLO, last_cycles[31:0]);
        rd_exp(A_CYCHI, last_cycles[63:32]);
    end
endtask

// ---------------------------------------------------------------- stress: requests without waiting for responses
integer pk, pn;
reg [7:0] pa [0:63];
reg [31:0] pd [0:63];
reg [31:0] pr [0:63];
reg [3:0] ps [0:63];

task pipe_writes;
    input integer n;
    integer k;
    begin
        for (k = 0; k < n; k = k + 1) begin
            pa[k] = 8'h10 + 4 * mrand(10);
            pd[k] = mrand(0);
            ps[k] = mrand(16);
        end
        fork
            for (pk = 0; pk < n; pk = pk + 1) aw_phase(pa[pk], mrand(2));
            for (pn = 0; pn < n; pn = pn + 1) w_phase(pd[pn], ps[pn], mrand(2));
        join
        while (n_b != n_aw) @(posedge clk);
        for (k = 0; k < n; k = k + 1) ptr[(pa[k] - 8'h10) / 4] = merge(ptr[(pa[k] - 8'h10) / 4], pd[k], ps[k]);
    end
endtask

// ARs back to back while the Rs are stalled; constant registers and pointers
task pipe_reads;
    input integer n;
    integer k, w, nr;
    begin
        for (k = 0; k < n; k = k + 1) begin
            w = mrand(14);
            pa[k] = w < 10 ? 8'h10 + 4 * w : w == 10 ? A_SPEC : w == 11 ? A_ID : w == 12 ? 8'h4C : 8'hFC;
        end
        nr = 0;
        fork
            for (pk = 0; pk < n; pk = pk + 1) begin
                repeat (mrand(2)) @(posedge clk);
                s_arvalid <= 1'b1;
                s_araddr <= pa[pk];
                @(posedge clk);
                while (!s_arready) @(posedge clk);
                s_arvalid <= 1'b0;
            end
            while (nr < n) begin
                @(posedge clk);
                if (s_rvalid && s_rready) begin
                    pr[nr] = s_rdata;
                    nr = nr + 1;
                end
            end
        join
        for (k = 0; k < n; k = k + 1)
            if (pa[k] >= 8'h10 && pa[k] <= 8'h34) expect32("pipelined pointer read", pr[k], ptr[(pa[k] - 8'h10) / 4]);
    end
endtask

// ---------------------------------------------------------------- the sequence
integer i, k, w, n0;
reg [31:0] v;
reg [3:0] st;
initial begin
    for (k = 0; k < 10; k = k + 1) ptr[k] = 32'd0;
    repeat (5) @(posedge clk);
    rst <= 1'b0;
    @(posedge clk);

    // reset values; unmapped reads 0
    rd_exp(A_CTRL, 32'h4);
    rd_exp(A_GIE, 0); rd_exp(A_IER, 0); rd_exp(A_ISR, 0);
    rd_exp(A_SPEC, SPEC); rd_exp(A_ID, ID);
    rd_exp(A_CYCLO, 0); rd_exp(A_CYCHI, 0);
    rd(A_STATUS, rv);
    rd_exp(8'h4C, 0); rd_exp(8'h50, 0); rd_exp(8'h80, 0); rd_exp(8'hFC, 0);
    check_ptrs;
    if (interrupt !== 1'b0) fail("interrupt after reset");

    // pointers: every write order, partial strobes, read back
    for (i = 0; i < 120; i = i + 1) begin
        w = mrand(10);
        v = mrand(0);
        st = i < 10 ? 4'hF : mrand(16);
        wr_mode(8'h10 + 4 * w, v, st, i % 4);
        ptr[w] = merge(ptr[w], v, st);
        rd_exp(8'h10 + 4 * w, ptr[w]);
        check_ports;
    end
    check_ptrs;

    // writes to read-only and unmapped registers are ignored; GIE/IER keep their bits
    wr(A_STATUS, mrand(0)); wr(A_SPEC, mrand(0)); wr(A_CYCLO, mrand(0)); wr(A_CYCHI, mrand(0));
    wr(A_ID, mrand(0)); wr(8'h4C, mrand(0)); wr(8'h80, mrand(0)); wr(8'hFC, 32'hFFFFFFFF);
    rd_exp(A_SPEC, SPEC); rd_exp(A_ID, ID); rd_exp(A_CYCLO, 0); rd_exp(A_CYCHI, 0);
    rd_exp(8'h4C, 0); rd_exp(8'h80, 0); rd_exp(8'hFC, 0); rd(A_STATUS, rv);
    rd_exp(A_GIE, 0); rd_exp(A_IER, 0); rd_exp(A_ISR, 0); rd_exp(A_CTRL, 32'h4);
    wr(A_GIE, 32'hFFFFFFFE); rd_exp(A_GIE, 0);
    wr(A_GIE, 32'hFFFFFFFF); rd_exp(A_GIE, 1);
    wr_mode(A_GIE, 32'h0, 4'hE, 3); rd_exp(A_GIE, 1);   // byte 0 not strobed
    wr(A_GIE, 0); rd_exp(A_GIE, 0);
    wr(A_IER, 32'hFFFFFFFF); rd_exp(A_IER, 3);
    wr(A_IER, 0); rd_exp(A_IER, 0);
    check_ptrs;
    if (n_start != 0) fail("eng_start without a start");

    // ap_start reads 1 until the engine takes it
    hold = 1'b1;
    wait_cycles(3);
    wr(A_CTRL, 32'h1);
    rd_exp(A_CTRL, 32'h1);
    wait_cycles(20);
    rd_exp(A_CTRL, 32'h1);
    if (n_start != 0) fail("eng_start while eng_idle is low");
    hold = 1'b0;
    wait_start(1);
    wait_quiet;
    if (n_start != 1 || n_fin != 1) fail("not exactly one run for one start");
    rd_exp(A_CTRL, 32'hE);                  // done, idle, ready
    rd_exp(A_CTRL, 32'h4);                  // both cleared by the read
    rd_exp(A_CYCLO, last_cycles[31:0]);
    rd_exp(A_CYCHI, last_cycles[63:32]);

    // polled runs, short and long, with every corner of the engine's lag
    for (i = 0; i < RUNS; i = i + 1) begin
        run_min = 1 + mrand(3);
        run_max = run_min + (i % 3 == 0 ? 40 : mrand(6));
        wait_quiet;
        run_polled;
    end

    // CYCLES counts in 64 bits: a run whose count crosses 2^32 (the bench
    // adds 2^32 - 16 to the counter in the middle of the run)
    run_min = 80; run_max = 80;
    wait_quiet;
    n0 = n_start;
    wr(A_CTRL, 32'h1);
    wait_start(n0 + 1);
    wait_cycles(10);
    @(negedge clk);
    dut.cnt_q = dut.cnt_q + 64'hFFFF_FFF0;
    cyc_add = 64'hFFFF_FFF0;
    wait_quiet;
    if (last_cycles != 64'd80 + 64'hFFFF_FFF0) fail("bench: the long run's count");
    rd_exp(A_CYCLO, last_cycles[31:0]);
    rd_exp(A_CYCHI, last_cycles[63:32]);
    cyc_add = 64'd0;
    rd(A_CTRL, rv);

    // a start written while a run is under way is ignored
    run_min = 300; run_max = 300;
    n0 = n_start;
    wr(A_CTRL, 32'h1);
    wait_start(n0 + 1);
    wait_cycles(5);
    wr(A_CTRL, 32'h1);
    wr(A_CTRL, 32'h81);
    rd(A_CTRL, rv);
    expect32("CTRL while running", rv & 32'h87, 32'h80);
    if (!in_run) fail("bench: the run ended before the writes");
    wr(A_CTRL, 32'h0);
    wait_quiet;
    wait_cycles(30);
    if (n_start != n0 + 1) fail("a start written while running was taken");
    rd_exp(A_CTRL, 32'h6);                  // done, idle
    rd_exp(A_CTRL, 32'h4);

    // interrupts: ISR bits set by the events IER enables, toggled by writes
    run_min = 2; run_max = 20;
    wr(A_IER, 3); ier_sh = 3;
    run_polled;
    isr_sh = 3;
    rd_exp(A_ISR, 3);
    check_irq;                              // GIE 0
    wr(A_GIE, 1); gie_sh = 1;
    check_irq;
    wait_cycles(50);
    check_irq;                              // a level
    wr(A_ISR, 1); isr_sh = 2; rd_exp(A_ISR, 2); check_irq;
    wr(A_ISR, 2); isr_sh = 0; rd_exp(A_ISR, 0); check_irq;
    wr(A_ISR, 0); rd_exp(A_ISR, 0); check_irq;
    wr(A_ISR, 1); isr_sh = 1; rd_exp(A_ISR, 1); check_irq;
    wr(A_ISR, 3); isr_sh = 2; rd_exp(A_ISR, 2); check_irq;
    wr_mode(A_ISR, 32'h3, 4'hE, 3); rd_exp(A_ISR, 2); check_irq;   // byte 0 not strobed
    wr(A_ISR, 32'hFFFFFFFD); isr_sh = 3; rd_exp(A_ISR, 3); check_irq;
    for (i = 0; i < 24; i = i + 1) begin
        gie_sh = i % 2;
        ier_sh = (i / 2) % 4;
        wr(A_GIE, gie_sh);
        wr(A_IER, ier_sh);
        if (i >= 8) begin
            k = 1 + (i / 8 - 1);            // ISR = 1, then 2
            wr(A_ISR, isr_sh ^ k);
            isr_sh = k;
        end
        rd_exp(A_ISR, isr_sh);
        check_irq;
    end
    // each IER bit alone, GIE on
    wr(A_GIE, 1); gie_sh = 1;
    for (i = 0; i < 4; i = i + 1) begin
        wr(A_ISR, isr_sh); isr_sh = 0;
        ier_sh = i;
        wr(A_IER, ier_sh);
        check_irq;
        run_polled;
        isr_sh = i;
        rd_exp(A_ISR, isr_sh);
        check_irq;
    end
    // the done interrupt rises with eng_fin, the ready one with the start
    wr(A_ISR, isr_sh); isr_sh = 0;
    wr(A_IER, 1); ier_sh = 1;
    run_min = 100; run_max = 100;
    n0 = n_start;
    wr(A_CTRL, 32'h1);
    wait_start(n0 + 1);
    wait_cycles(3);
    check_irq;
    while (!eng_fin) @(posedge clk);
    wait_cycles(2);
    isr_sh = 1;
    check_irq;
    wait_quiet;
    rd(A_CTRL, rv);
    wr(A_ISR, 1); isr_sh = 0;
    wr(A_IER, 2); ier_sh = 2;
    n0 = n_start;
    wr(A_CTRL, 32'h1);
    wait_start(n0 + 1);
    wait_cycles(2);
    isr_sh = 2;
    check_irq;
    wait_quiet;
    rd(A_CTRL, rv);
    wr(A_ISR, 2); isr_sh = 0;
    wr(A_IER, 0); ier_sh = 0;
    wr(A_GIE, 0); gie_sh = 0;
    check_irq;

    // auto_restart: started again whenever idle; clearing it during a run
    // makes that run the last
    run_min = 1; run_max = 10;
    wait_quiet;
    n0 = n_start;
    wr(A_CTRL, 32'h81);
    for (i = 0; i < 20; i = i + 1) rd(A_CTRL, rv);    // polled while restarting (monitor)
    wait_start(n0 + 12);
    if (n_fin < n0 + 11) fail("auto_restart: runs did not end");
    run_min = 60; run_max = 60;
    wait_start(n_start + 1);
    wait_cycles(3);
    n0 = n_start;
    wr(A_CTRL, 32'h0);
    wait_quiet;
    wait_cycles(100);
    if (n_start != n0) fail("auto_restart cleared during a run: another run followed");
    rd(A_CTRL, rv);
    expect32("CTRL after auto_restart", rv & 32'h87, 32'h06);
    rd_exp(A_CTRL, 32'h4);
    rd_exp(A_CYCLO, 60);
    rd_exp(A_CYCHI, 0);

    // concurrent reads and writes; requests pipelined behind stalled responses
    run_min = 1; run_max = 5;
    fork
        for (i = 0; i < 40; i = i + 1) begin
            w = mrand(5);
            v = mrand(0);
            st = mrand(16);
            wr_mode(8'h10 + 4 * w, v, st, mrand(4));
            ptr[w] = merge(ptr[w], v, st);
        end
        for (k = 0; k < 40; k = k + 1) begin
            n0 = mrand(7);
            if (n0 < 5) rd_exp(8'h24 + 4 * n0, ptr[5 + n0]);
            else rd(n0 == 5 ? A_ID : A_CTRL, rv);
        end
    join
    check_ptrs;
    for (i = 0; i < 6; i = i + 1) begin
        pipe_writes(32);
        check_ptrs;
        pipe_reads(48);
    end

    // settle: every request answered, nothing left over
    wait_cycles(20);
    if (n_aw != n_w || n_b != n_aw || n_r != n_ar) fail("requests and responses do not pair up");
    if (n_fin != n_start) fail("runs started and ended differ");
    if (errors == 0)
        $display("PASS writes=%0d reads=%0d runs=%0d cycles=%0d ctrl-reads-at-start=%0d at-fin=%0d",
                 n_b, n_r, n_start, cyc, cov_s, cov_f);
    else
        $display("FAIL %0d errors", errors);
    $finish;
end

endmodule

`default_nettype wire
