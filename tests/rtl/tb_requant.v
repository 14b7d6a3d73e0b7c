// tb_requant: random vectors with random ce stalls and valid gaps against a behavioural model of docs/DESIGN.md §3.
`timescale 1ns / 1ps
module tb_requant;
parameter LANES = 2;
parameter ACC_W = 24;
parameter HAS_BIAS = 1;
parameter BIAS_W = 12;
parameter BIAS_SHIFT = 3;
parameter SHIFT = 6;
parameter ROUND = 1;
parameter OUT_W = 8;
parameter ACT = 0;
parameter RELU6_MAX = 96;
parameter SEED = 1;
parameter NV = 3000;

reg clk = 0, rst = 1;
always #5 clk = ~clk;
reg ce = 0, in_valid = 0, in_last = 0;
reg [LANES*ACC_W-1:0] in_acc = 0;
reg [LANES*BIAS_W-1:0] in_bias = 0;
wire out_valid, out_last;
wire [LANES*OUT_W-1:0] out_data;

nn_requant #(.LANES(LANES), .ACC_W(ACC_W), .HAS_BIAS(HAS_BIAS), .BIAS_W(BIAS_W), .BIAS_SHIFT(BIAS_SHIFT),
    .SHIFT(SHIFT), .ROUND(ROUND), .OUT_W(OUT_W), .ACT(ACT), .RELU6_MAX(RELU6_MAX)) dut (
    .clk(clk), .rst(rst), .ce(ce), .in_valid(in_valid), .in_last(in_last), .in_acc(in_acc), .in_bias(in_bias),
    .out_valid(out_valid), .out_last(out_last), .out_data(out_data));

// behavioural model, 128-bit arithmetic
function automatic signed [127:0] model(input signed [127:0] acc, input signed [127:0] bias);
    reg signed [127:0] v, y, mx, mn;
    integer s;
    begin
        v = acc;
        if (HAS_BIAS) v = v + bias * (128'sd1 <<< BIAS_SHIFT);
        s = SHIFT;
        if (s > 0) begin
            if (ROUND) y = (v + (128'sd1 <<< (s - 1))) >>> s;
            else y = v >>> s;
        end else begin
            y = v * (128'sd1 <<< (-s));
        end
        mx = (128'sd1 <<< (OUT_W - 1)) - 1;
        mn = -(128'sd1 <<< (OUT_W - 1));
        if (y > mx) y = mx;
        if (y < mn) y = mn;
        if (ACT >= 1 && y < 0) y = 0;
        if (ACT == 2 && y > RELU6_MAX) y = RELU6_MAX;
        model = y;
    end
endfunction

reg signed [127:0] exp_q [0:NV*LANES-1];
reg exp_last [0:NV-1];
integer seed, nin, nout, errors, i, nzero, nsat, ndiff;
reg signed [127:0] a, b, first_val;
reg signed [ACC_W-1:0] ra;
// note: {$random,$random} fills up to 64 bits
reg signed [BIAS_W-1:0] rb;
integer mag;

initial begin
    seed = SEED; nin = 0; nout = 0; errors = 0; nzero = 0; nsat = 0; ndiff = 0;
    repeat (3) @(posedge clk);
    rst <= 0;
    while (nout < NV) begin
        @(posedge clk);
        // check output produced by the previous edge
        if (ce && out_valid) begin
            for (i = 0; i < LANES; i = i + 1) begin
                a = $signed(out_data[i*OUT_W +: OUT_W]);
                if (a !== exp_q[nout*LANES+i]) begin
                    errors = errors + 1;
                    if (errors < 10) $display("MISMATCH beat %0d lane %0d got %0d exp %0d", nout, i, a, exp_q[nout*LANES+i]);
                end
                if (a == 0) nzero = nzero + 1;
                if (a == (128'sd1 <<< (OUT_W-1)) - 1 || a == -(128'sd1 <<< (OUT_W-1))) nsat = nsat + 1;
                if (nout == 0 && i == 0) first_val = a; else if (a != first_val) ndiff = ndiff + 1;
            end
            if (out_last !== exp_last[nout]) begin
                errors = errors + 1;
                if (errors < 10) $display("MISMATCH last at beat %0d", nout);
            end
            nout = nout + 1;
        end
        // the beat on the inputs was taken at this edge if ce was high
        if (ce && in_valid) nin = nin + 1;
        if (!(in_valid && !ce)) begin
            if (nin < NV && ($random(seed) & 1)) begin
                in_valid <= 1;
                for (i = 0; i < LANES; i = i + 1) begin
                    mag = $unsigned($random(seed)) % (ACC_W + 1);
                    if ($random(seed) & 1) mag = OUT_W + SHIFT - 2 + $unsigned($random(seed)) % 4;
                    if (mag < 1) mag = 1;
                    if (mag > ACC_W) mag = ACC_W;
                    ra = {$random(seed), $random(seed)};
                    ra = ra >>> (ACC_W - mag);
                    if (($random(seed) & 7) == 0) ra = $random(seed);
                    if (($random(seed) & 15) == 0) ra = {1'b0, {(ACC_W-1){1'b1}}};
                    if (($random(seed) & 15) == 0) ra = {1'b1, {(ACC_W-1){1'b0}}};
                    rb = $random(seed);
                    mag = $unsigned($random(seed)) % (BIAS_W + 1);
                    if ($random(seed) & 1) mag = OUT_W + SHIFT - BIAS_SHIFT - 2 + $unsigned($random(seed)) % 4;
                    if (mag < 1) mag = 1;
                    if (mag > BIAS_W) mag = BIAS_W;
                    rb = rb >>> (BIAS_W - mag);
                    in_acc[i*ACC_W +: ACC_W] <= ra;
                    in_bias[i*BIAS_W +: BIAS_W] <= rb;
                    a = ra; b = rb;
                    exp_q[nin*LANES+i] = model(a, b);
                end
                in_last <= (nin % 7) == 6;
                exp_last[nin] = (nin % 7) == 6;
            end else begin
                in_valid <= 0;
            end
        end
        ce <= ($random(seed) & 3) != 0;
        // hold inputs when ce is low: the DUT samples only with ce, so model only counts beats sampled with ce
    end
    $display("tb_requant: %0d beats, %0d errors, zero=%0d sat=%0d diff=%0d", nout, errors, nzero, nsat, ndiff);
    if (errors == 0 && ndiff > NV/4 && nzero < NV*LANES*9/10 && nsat < NV*LANES*9/10) $display("PASS");
    else $display("FAIL");
    $finish;
end
endmodule
