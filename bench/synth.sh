#!/bin/sh
# synth.sh NNC NET MODE TARGET [nnc compile options...]: compile NET and
# synthesize it with Yosys for TARGET (generic: `synth`; ice40: `synth_ice40`
# then nextpnr-ice40 place and route for an iCE40 UP5K; xilinx:
# `synth_xilinx` for 7-series), then print a resource table and the time.
# The design and the logs stay in build/synth/<net>-<mode>-<target>/.
set -e
nnc=$1; net=$2; mode=$3; target=$4; shift 4
name=$(basename "$net" .nn)
dir=build/synth/$name-$mode-$target
rm -rf "$dir"; mkdir -p "$dir"
"$nnc" "$net" -o "$dir/$name.v" --mode "$mode" -q "$@"
top=$(sed -n 's/^module \([A-Za-z0-9_]*_top\) .*/\1/p; s/^module \([A-Za-z0-9_]*_top\)$/\1/p' "$dir/$name.v" | head -n 1)
case "$target" in
    generic) cmd="synth -flatten -top $top" ;;
    ice40)   cmd="synth_ice40 -dsp -top $top -json $name.json" ;;
    xilinx)  cmd="synth_xilinx -flatten -top $top -family xc7" ;;
    *) echo "synth.sh: TARGET is generic, ice40 or xilinx, not '$target'" >&2; exit 1 ;;
esac
# multipliers and memories as the design has them, before technology mapping
(cd "$dir" && yosys -q -l coarse.log -p "read_verilog $name.v; hierarchy -top $top; proc; flatten; opt -fast; wreduce; memory_collect; stat" >/dev/null)
muls=$(awk '/Number of cells:/ { s = 1 } s && $1 == "$mul" { m += $2 } END { print m + 0 }' "$dir/coarse.log")
mems=$(awk '/Number of cells:/ { s = 1 } s && ($1 == "$mem_v2" || $1 == "$mem") { m += $2 } END { print m + 0 }' "$dir/coarse.log")
membits=$(awk '/Number of memory bits:/ { m = $5 } END { print m + 0 }' "$dir/coarse.log")
start=$(date +%s.%N)
(cd "$dir" && yosys -q -l yosys.log -p "read_verilog $name.v; $cmd; stat" >/dev/null)
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
# the last "stat" section of the log: the top module's cell counts
awk -v muls="$muls" -v mems="$mems" -v membits="$membits" -v target="$target" -v secs="$(echo "$end - $start" | bc)" -v pnr="$(echo "$pnr_end - $end" | bc)" \
    -v fmax="$fmax" -v top="$top" '
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
            printf "%-24s %d\n", "block RAMs", brams
        }
        printf "%-24s %.1f s\n", "yosys time", secs
        if (target == "ice40") {
            printf "%-24s %.1f s\n", "nextpnr time", pnr
            printf "%-24s %s MHz\n", "Fmax (nextpnr)", fmax
        }
    }' "$dir/yosys.log"
