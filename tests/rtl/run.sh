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

# ---------------------------------------------------------------- nn_serial_ctrl (the serial engine's AXI4-Lite control slave)
pass=0; fail=0
F="$T/nn_serial_ctrl.v"
sim serial_ctrl "$F" ""
sim serial_ctrl "$F" "STALL=0 DELAY=0 SEED=2"
sim serial_ctrl "$F" "STALL=80 DELAY=8 SEED=3 SPEC=32'h00000000"
sim serial_ctrl "$F" "STALL=50 DELAY=1 SEED=4 SPEC=32'hFFFFFFFF RUNS=60"
lint nn_serial_ctrl "$F" ""
lint nn_serial_ctrl "$F" "SPEC=32'hDEADBEEF"
done_tpl nn_serial_ctrl

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

# ---------------------------------------------------------------- nn_conv (+ nn_linebuf, nn_addtree)
pass=0; fail=0
F="$T/nn_conv.v $T/nn_linebuf.v $T/nn_ram.v $T/nn_rom.v $T/nn_addtree.v $T/nn_requant.v $T/nn_skid.v"
sim conv "$F" ""
sim conv "$F" "KH=1 KW=1 PH=0 PW=0 C=8 F=6 PI=4 PO=3 SEED=2"
sim conv "$F" "KH=5 KW=5 PH=2 PW=2 H=9 W=8 C=2 F=3 PI=1 PO=1 SEED=3 GAP=60 STALL=10"
sim conv "$F" "SH=2 SW=2 PH=1 PW=1 H=9 W=9 SEED=4 GAP=5 STALL=60"
sim conv "$F" "SH=3 SW=4 KH=2 KW=2 H=11 W=13 PH=0 PW=1 SEED=5"
sim conv "$F" "GROUPS=4 C=4 F=4 PI=1 PO=1 ACT=1 SEED=6"
sim conv "$F" "GROUPS=2 C=4 F=6 PI=1 PO=3 ACT=2 RELU6_MAX=60 SEED=7"
sim conv "$F" "GROUPS=3 C=6 F=9 PI=2 PO=3 KH=3 KW=1 PH=2 PW=0 SH=1 SW=2 H=6 W=9 GAP=40 STALL=40 SEED=14"
sim conv "$F" "KH=1 KW=1 PH=0 PW=0 C=3 F=5 PI=1 PO=1 SH=2 SW=3 H=9 W=10 SEED=15"
sim conv "$F" "KH=11 KW=11 SH=4 SW=4 PH=2 PW=2 H=23 W=23 C=3 F=4 PI=3 PO=2 FRAMES=2 SEED=8"
sim conv "$F" "KH=1 KW=3 PH=0 PW=2 HAS_BIAS=0 ROUND=0 SEED=9"
sim conv "$F" "H=1 W=1 KH=1 KW=1 PH=0 PW=0 C=16 F=8 PI=4 PO=2 FRAMES=5 SEED=10"
sim conv "$F" "KH=3 KW=2 PH=3 PW=2 H=4 W=5 SHIFT=-1 OUT_W=16 DATA_W=4 WGT_W=3 SEED=11"
# long runs: the global row counters of the line buffer wrap around
sim conv "$F" "H=3 W=3 KH=3 KW=3 PH=1 PW=1 C=2 F=2 PI=1 PO=1 FRAMES=100 SEED=12"
sim conv "$F" "H=3 W=4 KH=2 KW=2 PH=0 PW=0 SH=2 SW=2 C=2 F=2 PI=2 PO=1 FRAMES=150 SEED=13"
# throughput: cycles per frame within 3% of max(HO*WO*GROUPS*OBG*CBG, H*W*C/PI)
for m in "" "SH=2 SW=2 H=12 W=12 C=4 F=8 PI=2 PO=4" "H=8 W=8 C=8 F=8 GROUPS=8 PI=1 PO=1" \
         "H=6 W=6 C=16 F=16 PI=4 PO=4 KH=1 KW=1 PH=0 PW=0" "H=10 W=10 C=3 F=8 PI=3 PO=2 KH=5 KW=5 PH=2 PW=2" \
         "H=15 W=15 C=3 F=4 PI=1 PO=4 KH=7 KW=7 PH=3 PW=3 SH=2 SW=2"; do
    sim conv "$F" "GAP=0 STALL=0 MEASURE=1 FRAMES=3 $m"
    grep THROUGHPUT "$LOG" | sed "s/^/  [$m] /"
done
lint nn_conv "$F" "PH=1 PW=1 PI=2 PO=2"
lint nn_conv "$F" "KH=1 KW=1 C=1 F=1"
lint nn_conv "$F" "KH=11 KW=11 SH=4 SW=4 PH=2 PW=2 H=30 W=30 C=3 PI=3 PO=2 SHIFT=-2"
lint nn_conv "$F" "C=8 F=6 PI=2 PO=3 GROUPS=2 SH=5 SW=2 KH=2 KW=4 PH=1 HAS_BIAS=0 ACT=2"
done_tpl nn_conv

# ---------------------------------------------------------------- nn_maxpool (+ nn_maxtree)
pass=0; fail=0
F="$T/nn_maxpool.v $T/nn_linebuf.v $T/nn_ram.v $T/nn_maxtree.v $T/nn_skid.v"
sim maxpool "$F" ""
sim maxpool "$F" "KH=3 KW=3 SH=2 SW=2 PH=1 PW=1 H=7 W=7 SEED=2"
sim maxpool "$F" "KH=3 KW=3 SH=1 SW=1 PH=1 PW=1 LANES=1 C=3 SEED=3 GAP=60"
sim maxpool "$F" "KH=1 KW=1 SH=1 SW=1 SEED=4 STALL=60"
sim maxpool "$F" "KH=6 KW=8 SH=1 SW=1 H=6 W=8 LANES=4 C=8 FRAMES=4 SEED=5"
sim maxpool "$F" "KH=2 KW=3 SH=3 SW=4 H=11 W=13 PW=1 SEED=6 DATA_W=5"
sim maxpool "$F" "H=2 W=2 KH=2 KW=2 C=2 LANES=1 FRAMES=200 SEED=7"
sim maxpool "$F" "GAP=0 STALL=0 MEASURE=1"
grep THROUGHPUT "$LOG" | sed "s/^/  /"
lint nn_maxpool "$F" ""
lint nn_maxpool "$F" "KH=3 KW=3 PH=1 PW=1 LANES=2"
lint nn_maxpool "$F" "KH=1 KW=1 SH=1 SW=1 DATA_W=16"
done_tpl nn_maxpool

# ---------------------------------------------------------------- nn_fc
pass=0; fail=0
F="$T/nn_fc.v $T/nn_ram.v $T/nn_rom.v $T/nn_addtree.v $T/nn_requant.v $T/nn_skid.v"
sim fc "$F" ""
sim fc "$F" "N=1 UNITS=1 PI=1 PO=1 FRAMES=40 SEED=2"
sim fc "$F" "N=64 UNITS=3 PI=8 PO=1 ACT=1 SEED=3 GAP=70"
sim fc "$F" "N=16 UNITS=8 PI=16 PO=4 HAS_BIAS=0 ROUND=0 GAP=60 STALL=50 FRAMES=30 SEED=4"
sim fc "$F" "N=10 UNITS=4 PI=2 PO=2 ACT=2 RELU6_MAX=50 SEED=5 SHIFT=-1 OUT_W=24"
for m in "" "N=100 UNITS=10 PI=1 PO=10" "N=2 UNITS=3 PI=1 PO=1 FRAMES=40"; do
    sim fc "$F" "GAP=0 STALL=0 MEASURE=1 $m"
    grep THROUGHPUT "$LOG" | sed "s/^/  [$m] /"
done
lint nn_fc "$F" ""
lint nn_fc "$F" "N=1 UNITS=1"
lint nn_fc "$F" "N=1000 PI=8 UNITS=10 PO=10 HAS_BIAS=0 SHIFT=-3"
done_tpl nn_fc

# ---------------------------------------------------------------- nn_resize
pass=0; fail=0
F="$T/nn_resize.v"
sim resize "$F" ""
sim resize "$F" "IN_LANES=1 OUT_LANES=4 FLEN=8 SEED=2"
sim resize "$F" "IN_LANES=5 OUT_LANES=5 FLEN=10 GAP=50 STALL=50 SEED=3"
sim resize "$F" "IN_LANES=16 OUT_LANES=6 FLEN=48 DATA_W=3 SEED=4"
for m in "IN_LANES=4 OUT_LANES=1 FLEN=8" "IN_LANES=1 OUT_LANES=4 FLEN=8" "IN_LANES=3 OUT_LANES=2" "IN_LANES=2 OUT_LANES=3"; do
    sim resize "$F" "GAP=0 STALL=0 MEASURE=1 $m"
done
lint nn_resize "$F" ""
lint nn_resize "$F" "IN_LANES=1 OUT_LANES=16"
lint nn_resize "$F" "IN_LANES=8 OUT_LANES=1 DATA_W=1"
done_tpl nn_resize

# ---------------------------------------------------------------- nn_act
pass=0; fail=0
F="$T/nn_act.v $T/nn_skid.v"
sim act "$F" ""
sim act "$F" "ACT=2 RELU6_MAX=40 SEED=2"
sim act "$F" "ACT=0 LANES=1 SEED=3 GAP=0 STALL=0"
sim act "$F" "ACT=2 RELU6_MAX=1000 DATA_W=12 LANES=4 SEED=4 GAP=60 STALL=60"
lint nn_act "$F" ""
lint nn_act "$F" "ACT=2 LANES=3 DATA_W=16 RELU6_MAX=6144"
done_tpl nn_act

# ---------------------------------------------------------------- nn_fork
pass=0; fail=0
F="$T/nn_fork.v $T/nn_skid.v"
sim fork "$F" ""
sim fork "$F" "STALL=0 STALL1=0 GAP=0 SEED=2"
sim fork "$F" "STALL=80 STALL1=5 SEED=3"
sim fork "$F" "STALL=5 STALL1=80 GAP=50 SEED=4 DATA_W=33"
lint nn_fork "$F" ""
lint nn_fork "$F" "DATA_W=1"
done_tpl nn_fork

# ---------------------------------------------------------------- nn_add
pass=0; fail=0
F="$T/nn_add.v $T/nn_skid.v $T/nn_requant.v"
sim add "$F" ""
sim add "$F" "SHIFT=-2 OUT_W=16 ACT=1 B_W=4 SHIFT_B=0 SHIFT_A=3 SEED=2"
sim add "$F" "SHIFT=4 ROUND=0 ACT=2 RELU6_MAX=20 SHIFT_A=5 LANES=3 SEED=3"
sim add "$F" "GAP=0 GAP_B=0 STALL=0 SEED=4"
sim add "$F" "GAP=70 GAP_B=0 STALL=30 SEED=5 A_W=16 B_W=8 SHIFT_B=8 SHIFT=9"
lint nn_add "$F" ""
lint nn_add "$F" "SHIFT_A=3 LANES=2 B_W=16 SHIFT=-2 ACT=2"
done_tpl nn_add

# ---------------------------------------------------------------- nn_avgpool
pass=0; fail=0
F="$T/nn_avgpool.v $T/nn_linebuf.v $T/nn_ram.v $T/nn_addtree.v $T/nn_requant.v $T/nn_skid.v"
sim avgpool "$F" ""
sim avgpool "$F" "KH=3 KW=3 SH=3 SW=3 H=9 W=9 LANES=1 C=3 SEED=2"
sim avgpool "$F" "KH=7 KW=7 H=7 W=7 SH=1 SW=1 LANES=4 C=8 FRAMES=6 SEED=3"
sim avgpool "$F" "KH=5 KW=5 H=5 W=5 SH=1 SW=1 SHIFT=2 ROUND=0 OUT_W=6 SEED=4 FRAMES=8"
sim avgpool "$F" "KH=3 KW=3 H=6 W=6 SH=1 SW=1 SHIFT=-3 OUT_W=12 SEED=5 GAP=60"
sim avgpool "$F" "KH=1 KW=1 SH=1 SW=1 SEED=6 STALL=60"
sim avgpool "$F" "KH=2 KW=3 SH=1 SW=2 H=5 W=7 SEED=7 DATA_W=16 OUT_W=16"
# global pooling path (accumulator RAM; C/LANES = 1 exercises the read-after-write bypass)
sim avgpool "$F" "KH=7 KW=7 H=7 W=7 LANES=4 C=4 FRAMES=6 GAP=0 STALL=0 MEASURE=1 SEED=8"
sim avgpool "$F" "KH=4 KW=6 H=4 W=6 C=2 LANES=1 FRAMES=8 GAP=60 STALL=60 SEED=9"
sim avgpool "$F" "KH=1 KW=1 H=1 W=1 SH=1 SW=1 C=4 LANES=2 FRAMES=30 SEED=10"
sim avgpool "$F" "GAP=0 STALL=0 MEASURE=1"
grep THROUGHPUT "$LOG" | sed "s/^/  /"
lint nn_avgpool "$F" ""
lint nn_avgpool "$F" "KH=1 KW=1 SH=1 SW=1"
lint nn_avgpool "$F" "KH=7 KW=7 H=7 W=7 LANES=2 SHIFT=-2 OUT_W=12 P=22 M=64'd85598"
lint nn_avgpool "$F" "KH=7 KW=7 H=7 W=7 LANES=4 C=4 P=22 M=64'd85598"
done_tpl nn_avgpool

# ---------------------------------------------------------------- chain: conv -> maxpool -> resize -> fc
pass=0; fail=0
F="$T/nn_conv.v $T/nn_linebuf.v $T/nn_ram.v $T/nn_rom.v $T/nn_addtree.v $T/nn_requant.v $T/nn_skid.v $T/nn_maxpool.v $T/nn_maxtree.v $T/nn_resize.v $T/nn_fc.v"
sim chain "$F" ""
sim chain "$F" "GAP=0 STALL=0 SEED=2"
sim chain "$F" "GAP=70 STALL=70 SEED=3 FRAMES=3"
done_tpl chain

# ---------------------------------------------------------------- residual: fork -> conv | fifo -> add
pass=0; fail=0
F="$T/nn_conv.v $T/nn_linebuf.v $T/nn_ram.v $T/nn_rom.v $T/nn_addtree.v $T/nn_requant.v $T/nn_skid.v $T/nn_fork.v $T/nn_fifo.v $T/nn_add.v"
sim residual "$F" ""
sim residual "$F" "GAP=0 STALL=0 MEASURE=1"
grep THROUGHPUT "$LOG" | sed "s/^/  /"
sim residual "$F" "GAP=0 STALL=0 MEASURE=1 K=5 H=8 W=8 SEED=2"
sim residual "$F" "GAP=0 STALL=0 MEASURE=1 K=1 LANES=1 SEED=3"
sim residual "$F" "GAP=50 STALL=50 K=5 H=8 W=8 LANES=4 SEED=4"
done_tpl residual

# ---------------------------------------------------------------- building blocks linted standalone (simulated inside the engines)
pass=0; fail=0
lint nn_linebuf "$T/nn_linebuf.v $T/nn_ram.v" ""
lint nn_linebuf "$T/nn_linebuf.v $T/nn_ram.v" "C=8 LANES=2 GROUPS=4 REPEAT=3 SH=5 SW=2 KH=2 KW=4 PH=1"
lint nn_linebuf "$T/nn_linebuf.v $T/nn_ram.v" "KH=11 KW=11 SH=4 SW=4 PH=2 PW=2 H=30 W=30 C=3 LANES=3"
lint nn_addtree "$T/nn_addtree.v" "N=1"
lint nn_addtree "$T/nn_addtree.v" "N=27 IN_W=16"
lint nn_maxtree "$T/nn_maxtree.v" "N=1"
lint nn_maxtree "$T/nn_maxtree.v" "N=9 IN_W=5"
done_tpl blocks

exit 0
