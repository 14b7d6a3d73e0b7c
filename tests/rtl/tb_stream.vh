// tb_stream.vh: shared stream source and sink for the template benches (included inside a testbench module).
// The including module declares: parameters IN_BITS, OUT_BITS, MAXB, GAP, STALL, SEED; and it fills
// src_data/src_last (n_src beats) and exp_data/exp_last (n_exp beats), then sets go = 1.
// The source holds tvalid and tdata until a handshake (AXI-Stream rule); gaps and stalls are random.
reg clk = 0, rst = 1;
always #5 clk = ~clk;
reg go = 0;
reg [IN_BITS-1:0]  src_data [0:MAXB-1];
reg                src_last [0:MAXB-1];
reg [OUT_BITS-1:0] exp_data [0:MAXB-1];
reg                exp_last [0:MAXB-1];
integer n_src = 0, n_exp = 0, i_src = 0, i_exp = 0, errors = 0, cycles = 0, first_out = -1, last_out = -1;
integer sseed = SEED * 7 + 1, kseed = SEED * 13 + 5;
reg [IN_BITS-1:0] s_tdata = 0;
reg s_tvalid = 0, s_tlast = 0;
wire s_tready;
wire [OUT_BITS-1:0] m_tdata;
wire m_tvalid, m_tlast;
reg m_tready = 0;
reg [OUT_BITS-1:0] prev_data;
reg prev_stall = 0, prev_last = 0;

always @(posedge clk) begin
    if (!rst && go) begin
        cycles <= cycles + 1;
        // source
        if (!s_tvalid || s_tready) begin
            if (s_tvalid && s_tready) i_src = i_src + 1;
            if (i_src < n_src && ($unsigned($random(sseed)) % 100) >= GAP) begin
                s_tvalid <= 1'b1;
                s_tdata <= src_data[i_src];
                s_tlast <= src_last[i_src];
            end else begin
                s_tvalid <= 1'b0;
            end
        end
        // sink
        if (prev_stall && (!m_tvalid || m_tdata !== prev_data || m_tlast !== prev_last)) begin
            errors = errors + 1;
            if (errors < 10) $display("PROTOCOL: output changed while stalled at beat %0d", i_exp);
        end
        if (m_tvalid && m_tready) begin
            if (first_out < 0) first_out = cycles;
            last_out = cycles;
            if (i_exp >= n_exp) begin
                errors = errors + 1;
                if (errors < 10) $display("EXTRA output beat %0d", i_exp);
            end else if (m_tdata !== exp_data[i_exp] || m_tlast !== exp_last[i_exp]) begin
                errors = errors + 1;
                if (errors < 10) $display("MISMATCH beat %0d: got %h last %b, expected %h last %b", i_exp, m_tdata, m_tlast, exp_data[i_exp], exp_last[i_exp]);
            end
            i_exp = i_exp + 1;
        end
        prev_stall = m_tvalid && !m_tready;
        prev_data = m_tdata;
        prev_last = m_tlast;
        m_tready <= ($unsigned($random(kseed)) % 100) >= STALL;
    end
end

// sanity of the expected data: not all equal, not all zero
function automatic integer exp_distinct(input integer dummy);
    integer k, d;
    begin
        d = 0;
        for (k = 1; k < n_exp; k = k + 1) if (exp_data[k] !== exp_data[0]) d = d + 1;
        exp_distinct = d;
    end
endfunction

task automatic finish_bench(input [8*24-1:0] name, input integer timeout);
    integer t;
    begin
        t = 0;
        while (i_exp < n_exp && t < timeout) begin
            @(posedge clk);
            t = t + 1;
        end
        repeat (20) @(posedge clk);
        if (i_exp != n_exp) begin
            errors = errors + 1;
            $display("TIMEOUT: %0d of %0d beats", i_exp, n_exp);
        end
        if (exp_distinct(0) < n_exp / 4) begin
            errors = errors + 1;
            $display("WEAK TEST: expected outputs mostly equal");
        end
        $display("%0s: %0d beats in, %0d out, %0d errors, %0d cycles", name, n_src, i_exp, errors, cycles);
        if (errors == 0) $display("PASS"); else $display("FAIL");
        $finish;
    end
endtask
