#!/bin/sh
# synth.sh NNC NET MODE TARGET [nnc compile options...]: compile NET and
# synthesize it with Yosys for TARGET (MODE engine: NET is the engine's
# name, built by `nnc engine` with the options, no network) (generic: `synth`; ice40: `synth_ice40`
# then nextpnr-ice40 place and route for an iCE40 UP5K; xilinx:
# `synth_xilinx` for 7-series), then print a resource table and the time.
# The design and the logs stay in <nnc's directory>/synth/<net>-<mode>-<target>/
# (build/synth/... for build/nnc), so builds in other directories do not collide.
set -e
nnc=$1; net=$2; mode=$3; target=$4; shift 4
name=$(basename "$net" .nn)
dir=$(dirname "$nnc")/synth/$name-$mode-$target
rm -rf "$dir"; mkdir -p "$dir"
if [ "$mode" = engine ]; then
    "$nnc" engine -o "$dir/$name.v" --name "$name" -q "$@"
    top=$name
else
    "$nnc" "$net" -o "$dir/$name.v" --mode "$mode" -q "$@"
    top=$(sed -n 's/^module \([A-Za-z0-9_]*_top\) .*/\1/p; s/^module \([A-Za-z0-9_]*_top\)$/\1/p' "$dir/$name.v" | head -n 1)
fi
# iCE40: an UP5K in its SG48 package has 39 user I/O pins. A top whose
# ports need more (the serial engine's memory port) is placed inside an
# out-of-context harness: its inputs (but clk) come from a shift register
# fed by one pin, its outputs are folded by XOR into one registered pin, so
# no logic can be optimised away; the harness costs a flip-flop per input
# bit and a LUT per three or four output bits. The table says so.
sytop=$top; files=$name.v; harness=
if [ "$target" = ice40 ]; then
    ports=$(awk -v t="$top" '$1 == "module" && $2 == t { on = 1; next }
        on && /\);/ { exit }
        on { gsub(/,/, ""); w = 1; n = $NF
             if ($3 ~ /^\[/) { split(substr($3, 2), r, ":"); w = r[1] + 1 }
             print $1, w, n }' "$dir/$name.v")
    pins=$(echo "$ports" | awk '{ s += $2 } END { print s + 0 }')
    if [ "$pins" -gt 39 ]; then
        sytop=${top}_ooc; files="$name.v ooc.v"
        echo "$ports" | awk -v t="$top" '
            $1 == "input" && $3 != "clk" { ni += $2; inp[++nin] = $3; iw[nin] = $2 }
            $1 == "output" { no += $2; outp[++nout] = $3; ow[nout] = $2 }
            END {
                print "// out-of-context harness for " t " (bench/synth.sh): the ports are not pins"
                print "module " t "_ooc (input wire clk, input wire sin, output reg sout);"
                print "reg [" ni - 1 ":0] in_sr;"
                print "wire [" no - 1 ":0] outs;"
                print "always @(posedge clk) begin"
                print "    in_sr <= {in_sr[" (ni > 1 ? ni - 2 : 0) ":0], sin};"
                print "    sout <= ^outs;"
                print "end"
                printf "%s u_dut (\n    .clk(clk)", t
                b = 0
                for (k = 1; k <= nin; k++) { printf ",\n    .%s(in_sr[%d:%d])", inp[k], b + iw[k] - 1, b; b += iw[k] }
                b = 0
                for (k = 1; k <= nout; k++) { printf ",\n    .%s(outs[%d:%d])", outp[k], b + ow[k] - 1, b; b += ow[k] }
                print "\n);"
                print "endmodule"
            }' > "$dir/ooc.v"
        harness="$pins port bits on 3 pins (clk, sin, sout): shift register in, XOR out"
    fi
fi
case "$target" in
    generic) cmd="synth -flatten -top $top" ;;
    ice40)   cmd="synth_ice40 -dsp -top $sytop -json $name.json" ;;
    xilinx)  cmd="synth_xilinx -flatten -top $top -family xc7" ;;
    *) echo "synth.sh: TARGET is generic, ice40 or xilinx, not '$target'" >&2; exit 1 ;;
esac
# multipliers and memories as the design has them, before technology mapping
(cd "$dir" && yosys -q -l coarse.log -p "read_verilog $name.v; hierarchy -top $top; proc; flatten; opt -fast; wreduce; memory_collect; stat" >/dev/null)
muls=$(awk '/Number of cells:/ { s = 1 } s && $1 == "$mul" { m += $2 } END { print m + 0 }' "$dir/coarse.log")
mems=$(awk '/Number of cells:/ { s = 1 } s && ($1 == "$mem_v2" || $1 == "$mem") { m += $2 } END { print m + 0 }' "$dir/coarse.log")
membits=$(awk '/Number of memory bits:/ { m = $5 } END { print m + 0 }' "$dir/coarse.log")
start=$(date +%s.%N)
(cd "$dir" && yosys -q -l yosys.log -p "read_verilog $files; $cmd; stat" >/dev/null)
end=$(date +%s.%N)
fmax=
if [ "$target" = ice40 ]; then
    command -v nextpnr-ice40 >/dev/null || { echo "synth.sh: nextpnr-ice40 is missing (apt-get install nextpnr-ice40)" >&2; exit 1; }
    if (cd "$dir" && nextpnr-ice40 --up5k --package sg48 --json "$name.json" --asc "$name.asc" \
            --freq 12 > pnr.log 2>&1); then
        fmax=$(sed -n 's/.*Max frequency for clock.*: \([0-9.]*\) MHz.*/\1/p' "$dir/pnr.log" | tail -n 1)
    else
        fmax="did not fit or route (see $dir/pnr.log)"
    fi
fi
pnr_end=$(date +%s.%N)
used=
if [ "$target" = ice40 ] && [ -f "$dir/pnr.log" ]; then
    used=$(sed -n 's/.*\(ICESTORM_LC\|ICESTORM_DSP\|ICESTORM_RAM\): *\([0-9]*\)\/ *\([0-9]*\).*/\1 \2\/\3/p' "$dir/pnr.log" |
        awk '{ u[$1] = $2 } END { printf "LCs %s, DSPs %s, RAMs %s", u["ICESTORM_LC"], u["ICESTORM_DSP"], u["ICESTORM_RAM"] }')
fi
# the last "stat" section of the log: the top module's cell counts
awk -v muls="$muls" -v mems="$mems" -v membits="$membits" -v target="$target" -v secs="$(echo "$end - $start" | bc)" -v pnr="$(echo "$pnr_end - $end" | bc)" \
    -v fmax="$fmax" -v top="$top" -v used="$used" -v harness="$harness" \
    -v warns="$(grep -c '^Warning: ' "$dir/yosys.log")" '
    # the last module section is the top (or, unflattened, the hierarchy total)
    /^=== / { delete n; cells = 0 }
    /Number of cells:/ { cells = $4 }
    /^ +\$?[A-Za-z_0-9]+ +[0-9]+$/ { n[$1] = $2 }
    END {
        for (c in n) {
            if (c ~ /LUT|lut/) luts += n[c]
            else if (c ~ /DFF|FD[RSCP]E?|dff|SB_DFF/) ffs += n[c]
            else if (c ~ /MAC16|DSP48|\$mul/) dsps += n[c]
            else if (c ~ /RAM40|RAMB|\$mem/) brams += n[c]
            else if (c ~ /^RAM(32|64|128|256)[MX]/) lutrams += n[c]
            if (c ~ /^RAMB18/) r18 += n[c]
            if (c ~ /^RAMB36/) r36 += n[c]
        }
        printf "%-24s %s (%s)\n", "design", top, target
        printf "%-24s %d\n", "cells", cells
        printf "%-24s %d\n", "LUTs", luts
        printf "%-24s %d\n", "flip-flops", ffs
        printf "%-24s %d\n", "multipliers (RTL)", muls
        if (membits > 0) printf "%-24s %d (%d bits)\n", "memories (RTL)", mems, membits
        else printf "%-24s %d\n", "memories (RTL)", mems
        if (target != "generic") {
            printf "%-24s %d\n", "DSP blocks", dsps
            if (target == "xilinx")
                printf "%-24s %d (%d RAMB18E1 + %d RAMB36E1 = %.1f RAMB36)\n", "block RAMs", brams, r18, r36, r18 / 2 + r36
            else
                printf "%-24s %d\n", "block RAMs", brams
            if (lutrams > 0) printf "%-24s %d\n", "LUT RAM cells", lutrams
        }
        printf "%-24s %.1f s\n", "yosys time", secs
        printf "%-24s %d (see yosys.log)\n", "yosys warnings", warns
        if (target == "ice40") {
            if (harness != "") printf "%-24s %s\n", "harness", harness
            if (used != "") printf "%-24s %s\n", "UP5K used (nextpnr)", used
            printf "%-24s %.1f s\n", "nextpnr time", pnr
            if (fmax ~ /^[0-9.]+$/) printf "%-24s %s MHz\n", "Fmax (nextpnr)", fmax
            else printf "%-24s %s\n", "Fmax (nextpnr)", fmax
        }
    }' "$dir/yosys.log"
