#!/bin/sh
# run_nets.sh NNC COUNT FIRST_SEED [RESULTS]: differential testing of the
# generated hardware. For each seed, tests/fuzz/gen_net.py writes a random
# valid network; `nnc sim` compiles it in both modes, simulates it with random
# stalls (parallel: 2 frames back to back, stalls on every link inside the
# design too; serial: an array and bus chosen by the seed, --batch 2 on
# even seeds whose network ends in fc, and --fuse all on seeds divisible by
# 3: every conv pair it can runs fused through the scratch, in the bands
# the estimate picks) and compares every output with the
# golden model. Icarus runs the
# small networks, Verilator the larger. A failure prints a reproducer (the .nn
# file, kept under build/fuzz-nets/, and the command) and makes the exit code
# 1. A network the compiler refuses with a located error (a hardware limit,
# such as an add the serial engine cannot align) is counted and listed as
# refused, not failed: a clear refusal is not a wrong result. With RESULTS,
# the counts also go to the test summary.
#
# DEEP (fifth argument, default 0) deep networks follow, seeds FIRST.. on:
# even ones gen_net.py --deep with 100 to 300 layers, odd ones --resnet50,
# each simulated in both modes (Icarus; one frame serial, two parallel) and
# its outputs checked by check_outputs.py: not all equal, not all saturated.
nnc=$1; count=${2:-20}; first=${3:-1}; results=$4; deep=${5:-0}
PY=/usr/bin/python3
dir=build/fuzz-nets
mkdir -p "$dir"
pass=0; fail=0; refused=0
set -- "4x4 32" "3x5 64" "8x4 128" "2x6 64" "8x8 64" "5x3 32"
npe=$#
seed=$first
while [ "$seed" -lt $((first + count)) ]; do
    net=$dir/seed-$seed.nn
    $PY tests/fuzz/gen_net.py --seed "$seed" -o "$net"
    macs=$("$nnc" check "$net" --json | sed -n 's/.*"total_macs": \([0-9]*\).*/\1/p')
    sim=icarus
    [ "${macs:-0}" -gt 400000 ] && sim=verilator
    eval "pick=\${$((seed % npe + 1))}"
    pe=${pick% *}; bus=${pick#* }
    bad=0
    for mode in parallel serial; do
        if [ $mode = parallel ]; then opts="--frames 2 --stall-inner"; else opts="--frames 1 --pe $pe --mem-width $bus"; fi
        # a network ending in fc: every other seed runs serial with --batch
        if [ $mode = serial ] && [ $((seed % 2)) = 0 ] &&
           grep -v '^ *#' "$net" | grep -E '^ +[a-z]+ ' | tail -n 1 | grep -q '^ *fc '; then
            opts="--frames 3 --batch 2 --pe $pe --mem-width $bus"
        fi
        [ $mode = serial ] && [ $((seed % 3)) = 0 ] && opts="$opts --fuse all"
        cmd="$nnc sim $net --mode $mode $opts --seed $seed --simulator $sim"
        # shellcheck disable=SC2086
        if $cmd -q >"$dir/seed-$seed.$mode.log" 2>&1 && tail -n 1 "$dir/seed-$seed.$mode.log" | grep -q '^PASS'; then
            pass=$((pass + 1))
            rm -f "$dir/seed-$seed.$mode.log"
        elif grep -q "^$net:[0-9]*:[0-9]*: error: " "$dir/seed-$seed.$mode.log"; then
            refused=$((refused + 1))
            echo "fuzz-nets: refused seed $seed, $mode mode: $(grep -m1 ': error: ' "$dir/seed-$seed.$mode.log" | sed 's/.*error: //')"
            rm -f "$dir/seed-$seed.$mode.log"
        else
            fail=$((fail + 1)); bad=1
            echo "fuzz-nets: FAIL seed $seed, $mode mode: $(tail -n 1 "$dir/seed-$seed.$mode.log")"
            echo "    reproduce: $cmd"
        fi
    done
    [ $bad = 0 ] && rm -f "$net"
    seed=$((seed + 1))
done
k=0
while [ "$k" -lt "$deep" ]; do
    seed=$((first + k)); k=$((k + 1))
    net=$dir/deep-$seed.nn
    if [ $((seed % 2)) = 0 ]; then how="--deep $((100 + seed * 37 % 201))"; else how=--resnet50; fi
    # shellcheck disable=SC2086
    $PY tests/fuzz/gen_net.py --seed "$seed" $how -o "$net"
    bad=0
    for mode in parallel serial; do
        if [ $mode = parallel ]; then opts="--frames 2 --stall-inner"; else opts="--frames 1 --pe 4x4 --mem-width 32"; fi
        keep=$dir/deep-$seed.$mode
        log=$keep.log
        rm -rf "$keep"
        cmd="$nnc sim $net --mode $mode $opts --seed $seed"
        # shellcheck disable=SC2086
        if $cmd -q --keep "$keep" >"$log" 2>&1 && tail -n 1 "$log" | grep -q '^PASS' &&
           $PY tests/fuzz/check_outputs.py "$nnc" "$net" "$keep" >>"$log" 2>&1; then
            pass=$((pass + 1))
            rm -rf "$keep" "$log"
        else
            fail=$((fail + 1)); bad=1
            echo "fuzz-nets: FAIL deep seed $seed ($how), $mode mode: $(tail -n 1 "$log")"
            echo "    reproduce: $cmd"
        fi
    done
    [ $bad = 0 ] && rm -f "$net"
done
[ "$deep" -gt 0 ] && deeps=" + $deep deep" || deeps=
echo "fuzz-nets: seeds $first..$((first + count - 1))$deeps: $pass passed, $fail failed, $refused refused"
[ -n "$results" ] && sh tests/report.sh "$results" "fuzz-nets (seeds $first..$((first + count - 1))$deeps, both modes)" "$pass" "$fail"
[ "$fail" -eq 0 ]
