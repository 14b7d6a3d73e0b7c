#!/bin/sh
# run_axi_mem.sh RESULTS: sim/axi_mem.h (the AXI4 slave memory of the engine
# harness) against templates/nn_serial_axi.v, Verilated with DW 64 and 256
# (tests/rtl/axi_mem_test.cpp: the model's own checks driven by hand, random
# traffic checked against a shadow copy, injected read and write SLVERR).
# Each run prints PASS/FAIL lines, one count each. The builds are kept in
# build/axi_mem_test/dwN and redone when a source is newer.
# One line via tests/report.sh; always exits 0.
RESULTS=${1:-/dev/null}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=$ROOT/build/axi_mem_test
SRC="$ROOT/templates/nn_serial_axi.v $ROOT/tests/rtl/axi_mem_test.cpp $ROOT/sim/axi_mem.h"
pass=0; fail=0

build() {
    dw=$1; bin=$OUT/dw$dw/axi_mem_test
    fresh=1
    for s in $SRC; do [ "$s" -nt "$bin" ] && fresh=0; done
    [ -x "$bin" ] && [ $fresh = 1 ] && return 0
    mkdir -p "$OUT/dw$dw"
    verilator --cc --exe --build -j 2 --prefix Vaxi --top-module nn_serial_axi \
        -GDW="$dw" -GAW=40 -Wno-fatal -Mdir "$OUT/dw$dw" -o axi_mem_test \
        -CFLAGS "-O1 -Wall -Wextra -DTEST_DW=$dw -I$ROOT/sim" \
        "$ROOT/templates/nn_serial_axi.v" "$ROOT/tests/rtl/axi_mem_test.cpp" \
        >"$OUT/dw$dw/build.log" 2>&1
}

run() {
    dw=$1; shift
    log=$OUT/dw$dw/run.log
    if ! build "$dw"; then
        fail=$((fail + 1)); echo "  FAIL build DW $dw"; tail -n 10 "$OUT/dw$dw/build.log" | sed 's/^/    /'
        return
    fi
    timeout 120 "$OUT/dw$dw/axi_mem_test" "$@" >"$log" 2>&1
    rc=$?
    p=$(grep -c '^PASS' "$log"); f=$(grep -c '^FAIL' "$log")
    [ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && f=1
    [ "$p" -eq 0 ] && [ "$f" -eq 0 ] && f=1
    pass=$((pass + p)); fail=$((fail + f))
    [ "$f" -ne 0 ] && { echo "  FAIL axi_mem_test DW $dw $*"; grep -v '^PASS' "$log" | head -n 10 | sed 's/^/    /'; }
}

run 64 --seed 1
run 64 --seed 2 --stall 0 --latency 0
run 64 --seed 3 --stall 60 --latency 30
run 256 --seed 4
run 256 --seed 5 --stall 50 --latency 3
sh "$ROOT/tests/report.sh" "$RESULTS" "rtl axi_mem (nn_serial_axi, DW 64, 256)" "$pass" "$fail"
exit 0
