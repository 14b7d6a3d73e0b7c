#!/bin/sh
# run_lint.sh NNC RESULTS: generated Verilog is clean: `verilator --lint-only
# -Wall` and Yosys `proc; check -assert` (no latches, no multiple drivers, no
# combinational loops) on designs of both modes.
# Waiver: DECLFILENAME (one generated file holds every module of a design).
nnc=$1; results=$2
tmp=$(mktemp -d)
pass=0; fail=0
check() {   # TOP FILE WHAT: verilator -Wall and yosys check, one count each
    if (cd "$tmp" && verilator --lint-only -Wall -Wno-DECLFILENAME --top-module "$1" "$2") >"$tmp/log" 2>&1; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1)); echo "    FAIL verilator -Wall: $3"; grep '^%' "$tmp/log" | head -n 8 | sed 's/^/        /'
    fi
    if (cd "$tmp" && yosys -q -p "read_verilog $2; hierarchy -top $1; proc; check -assert") >"$tmp/log" 2>&1; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1)); echo "    FAIL yosys check: $3"; grep -i 'error\|warning' "$tmp/log" | head -n 8 | sed 's/^/        /'
    fi
}
while read -r mode net opts; do
    case "$mode" in ''|'#'*) continue ;; esac
    name=$(basename "$net" .nn)
    # shellcheck disable=SC2086
    if ! "$nnc" "$net" -q --mode "$mode" -o "$tmp/$name.v" $opts 2>"$tmp/log"; then
        if grep -q "not in this build" "$tmp/log"; then continue; fi
        fail=$((fail + 1)); echo "    FAIL compile $mode $net"; head -n 5 "$tmp/log"; continue
    fi
    top=$(sed -n 's/^module \([A-Za-z0-9_]*_top\).*/\1/p' "$tmp/$name.v" | head -n 1)
    check "$top" "$name.v" "$mode $net"
    rm -f "$tmp"/*.hex "$tmp"/*.v "$tmp"/*.json "$tmp"/*.bin
done <<LIST
parallel examples/tiny.nn
parallel examples/lenet5.nn
parallel tests/nets/residual.nn
parallel tests/nets/conv_fc.nn --mult-budget 64
serial examples/tiny.nn --pe 4x4
serial examples/lenet5.nn
LIST
# engines without a network (nnc engine): the AXI4-Lite slave, the fetch,
# the relocation and the AXI4 master around the core
for opts in "--pe 4x4 --mem-width 64" "--pe 5x3 --mem-width 32 --max-width 8 --fuse none" \
            "--pe 16x16 --mem-width 256 --bram-kbits 4096"; do
    # shellcheck disable=SC2086
    "$nnc" engine -q -o "$tmp/eng.v" $opts || { fail=$((fail + 1)); echo "    FAIL nnc engine $opts"; continue; }
    check eng eng.v "engine $opts"
done
rm -rf "$tmp"
sh tests/report.sh "$results" "lint (verilator -Wall, yosys check)" "$pass" "$fail"
