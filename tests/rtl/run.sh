#!/bin/sh
# run.sh RESULTS: every template bench (several parameter sets each), verilator lint and yosys check.
# One line per template via tests/report.sh; always exits 0.
RESULTS=${1:-/dev/null}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
T=$ROOT/templates
B=$ROOT/tests/rtl
WORK=$(mktemp -d /tmp/nn_rtl.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
LOG=$WORK/log
cd "$WORK" || exit 0

# sim NAME "FILES" "P=V P=V" : compile tests/rtl/tb_NAME.v with the parameters, run, expect PASS
sim() {
    name=$1; files=$2; set_=$3
    pargs=""
    for kv in $set_; do pargs="$pargs -Ptb_$name.$kv"; done
    if iverilog -g2012 -I "$B" -o "$WORK/sim_$name" $pargs "$B/tb_$name.v" $files >"$LOG" 2>&1 &&
       vvp -n "$WORK/sim_$name" >"$LOG" 2>&1 && tail -n 1 "$LOG" | grep -q '^PASS'; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1)); echo "  FAIL sim $name [$set_]"; tail -n 5 "$LOG" | sed 's/^/    /'
    fi
}

# lint TOP "FILES" "P=V P=V" : verilator --lint-only -Wall and yosys proc; check -assert
lint() {
    top=$1; files=$2; set_=$3
    gargs=""; yargs=""
    for kv in $set_; do
        gargs="$gargs -G$kv"
        yargs="$yargs${yargs:+, }.${kv%%=*}(${kv#*=})"
    done
    if verilator --lint-only -Wall --top-module "$top" $gargs $files >"$LOG" 2>&1; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1)); echo "  FAIL verilator $top [$set_]"; head -n 8 "$LOG" | sed 's/^/    /'
    fi
    echo "module yw_top(); $top #($yargs) u(); endmodule" > "$WORK/yw.v"
    if yosys -q -p "read_verilog $files $WORK/yw.v; hierarchy -top yw_top; proc; check -assert" >"$LOG" 2>&1; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1)); echo "  FAIL yosys $top [$set_]"; tail -n 5 "$LOG" | sed 's/^/    /'
    fi
}

done_tpl() {
    sh "$ROOT/tests/report.sh" "$RESULTS" "rtl $1" "$pass" "$fail"
}

# ---------------------------------------------------------------- nn_skid
pass=0; fail=0
F="$T/nn_skid.v"
sim skid "$F" ""
sim skid "$F" "GAP=0 STALL=0 SEED=2"
sim skid "$F" "GAP=70 STALL=10 SEED=3 DATA_W=17"
sim skid "$F" "GAP=5 STALL=70 SEED=4 DATA_W=1"
lint nn_skid "$F" "DATA_W=8"
lint nn_skid "$F" "DATA_W=1"
done_tpl nn_skid

# ---------------------------------------------------------------- nn_fifo
pass=0; fail=0
F="$T/nn_fifo.v"
sim fifo "$F" ""
sim fifo "$F" "GAP=0 STALL=0 DEPTH=1 SEED=2"
sim fifo "$F" "GAP=70 STALL=10 DEPTH=5 SEED=3 DATA_W=17"
sim fifo "$F" "GAP=5 STALL=70 DEPTH=100 SEED=4 DATA_W=1"
lint nn_fifo "$F" "DATA_W=8 DEPTH=16"
lint nn_fifo "$F" "DATA_W=3 DEPTH=1"
lint nn_fifo "$F" "DATA_W=3 DEPTH=1000"
done_tpl nn_fifo

# ---------------------------------------------------------------- nn_rom / nn_ram (exercised by the engines; lint here)
pass=0; fail=0
lint nn_rom "$T/nn_rom.v" "DEPTH=16 WIDTH=8"
lint nn_rom "$T/nn_rom.v" "DEPTH=1 WIDTH=72"
lint nn_ram "$T/nn_ram.v" "DEPTH=100 WIDTH=24"
lint nn_ram "$T/nn_ram.v" "DEPTH=1 WIDTH=1"
done_tpl nn_rom_ram

# ---------------------------------------------------------------- nn_requant
pass=0; fail=0
F="$T/nn_requant.v"
sim requant "$F" ""
sim requant "$F" "SHIFT=-3 ACC_W=16 SEED=2"
sim requant "$F" "SHIFT=0 ACT=2 OUT_W=6 RELU6_MAX=31 SEED=3"
sim requant "$F" "SHIFT=30 ROUND=0 ACC_W=40 ACT=1 LANES=1 SEED=4"
sim requant "$F" "ACC_W=64 SHIFT=40 OUT_W=32 BIAS_W=32 BIAS_SHIFT=20 SEED=5"
sim requant "$F" "HAS_BIAS=0 SHIFT=1 ACT=2 RELU6_MAX=100 LANES=3 SEED=6"
sim requant "$F" "SHIFT=9 ROUND=1 OUT_W=2 ACC_W=12 BIAS_W=4 BIAS_SHIFT=0 SEED=7"
lint nn_requant "$F" "LANES=2 ACC_W=24 SHIFT=6"
lint nn_requant "$F" "LANES=1 ACC_W=16 SHIFT=-3 ACT=2"
lint nn_requant "$F" "LANES=3 ACC_W=64 SHIFT=40 OUT_W=32 BIAS_W=32 BIAS_SHIFT=20 HAS_BIAS=0"
done_tpl nn_requant

exit 0
