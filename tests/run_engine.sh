#!/bin/sh
# run_engine.sh NNC RESULTS: one engine, built once, runs every network of
# tests/engine/LIST and random networks bit-exact, loaded and started by the
# C driver over AXI4-Lite in Verilator (docs/DESIGN.md §10); a program for
# another engine, a network the engine cannot run and a bus error are
# refused or reported, never run or hung on.
#   ENGINE_OPTS   the engine (default --pe 16x16 --mem-width 64 --max-width 16 --bram-kbits 4096)
#   ENGINE_RANDOM random networks (default 6), ENGINE_SEED their first seed (default 9100)
#   ENGINE_LIST   the networks' list (default tests/engine/LIST; /dev/null: random ones only)
# The engine's Verilator model is cached (NNC_CACHE, default build/engine-cache).
nnc=$1; results=$2
root=$(pwd)
NNC_CACHE=${NNC_CACHE:-$root/build/engine-cache}; export NNC_CACHE
opts=${ENGINE_OPTS:---pe 16x16 --mem-width 64 --max-width 16 --bram-kbits 4096}
nrand=${ENGINE_RANDOM:-6}; seed0=${ENGINE_SEED:-9100}
dir=$(mktemp -d); trap 'rm -rf "$dir"' EXIT INT TERM
pass=0; fail=0
ok() { pass=$((pass + 1)); [ -n "$VERBOSE" ] && echo "    ok $*"; return 0; }
bad() { fail=$((fail + 1)); echo "    FAIL $*"; }
# shellcheck disable=SC2086
if ! "$nnc" engine -o "$dir/eng.v" $opts -q; then
    bad "nnc engine $opts"
    sh tests/report.sh "$results" "engine" "$pass" "$fail"; exit 0
fi
eng=$dir/eng.json
# ENG_hw.h compiles as C and agrees with the driver's register map and the spec
hash=$(sed -n 's/.*"spec_hash": \([0-9]*\).*/\1/p' "$eng")
cat > "$dir/hw.c" <<C
#include "eng_hw.h"
#include "nnc_drv.h"
_Static_assert(NNC_HW_SPEC_HASH == ${hash}u, "the spec hash");
_Static_assert(NNC_HW_REG_CTRL == NNC_REG_CTRL && NNC_HW_REG_STATUS == NNC_REG_STATUS &&
               NNC_HW_REG_OUTPUT_HI == NNC_REG_OUTPUT + 4 && NNC_HW_ID == NNC_ID_VALUE, "registers");
_Static_assert(NNC_HW_D_OP_OFF == 0 && NNC_HW_HEADER_BYTES == NNC_PROG_HEADER, "layout");
int main(void) { return NNC_HW_MEM_BYTES >= 4 ? 0 : 1; }
C
if cc -std=c11 -Wall -Werror -I"$dir" -Idriver -o "$dir/hw" "$dir/hw.c" && "$dir/hw"; then ok "eng_hw.h"
else bad "eng_hw.h does not compile or disagrees with driver/nnc_drv.h and the spec"; fi
run() {     # NET [options]: a PASS line and exit 0
    net=$1; shift
    "$nnc" sim "$net" --engine "$eng" -q "$@" > "$dir/log" 2>&1; rc=$?
    last=$(tail -n 1 "$dir/log")
    if [ $rc -eq 0 ] && [ "${last#PASS}" != "$last" ]; then ok "$net $*: $last"
    else bad "$net $* (exit $rc)"; tail -n 8 "$dir/log" | sed 's/^/        /'; fi
}
# the first run builds the model; every later one must not
first=1
while read -r net args; do
    case "$net" in ''|'#'*) continue ;; esac
    # shellcheck disable=SC2086
    run "$net" $args
    if [ $first = 0 ] && grep -q "building the engine" "$dir/log"; then
        bad "$net: the engine's model was built again"; fi
    first=0
done < "${ENGINE_LIST:-tests/engine/LIST}"
# random networks: each one the engine can hold runs bit-exact; one it
# cannot is refused with a located error naming the engine
ran=0; refused=0
i=0
while [ $i -lt "$nrand" ]; do
    s=$((seed0 + i)); i=$((i + 1))
    /usr/bin/python3 tests/fuzz/gen_net.py --seed "$s" -o "$dir/r$s.nn" || { bad "gen_net.py --seed $s"; continue; }
    "$nnc" "$dir/r$s.nn" --engine "$eng" -o "$dir/r$s.bin" -q > "$dir/log" 2>&1; rc=$?
    if [ $rc -eq 1 ] && grep -q "^$dir/r$s.nn:[0-9]*:[0-9]*: error: .*($eng)" "$dir/log" &&
       [ ! -e "$dir/r$s.bin" ]; then
        refused=$((refused + 1)); continue
    fi
    [ $rc -eq 0 ] || { bad "random seed $s: exit $rc"; cat "$dir/log"; continue; }
    ran=$((ran + 1))
    run "$dir/r$s.nn" --frames 2 --seed "$s"
done
[ $ran -ge $((nrand / 2)) ] && ok "random: $ran ran, $refused refused" ||
    bad "random: only $ran of $nrand networks fit the engine ($refused refused)"
# a network over the engine's limits: located error, exit 1, nothing written
printf 'network wide {\n    input x [2, 4, 4] fixed<8,4>;\n    conv c : filters = 2, kernel = 1, out = fixed<24,8>;\n}\n' > "$dir/wide.nn"
"$nnc" "$dir/wide.nn" --engine "$eng" -o "$dir/wide.bin" > "$dir/log" 2>&1; rc=$?
if [ $rc -eq 1 ] && grep -q "wide.nn:3:10: error: conv 'c': its output fixed<24,8> needs 32-bit containers, over the engine's 16-bit ($eng)" "$dir/log" &&
   [ -z "$(ls "$dir" | grep '^wide\.')" ] || [ "$(ls "$dir" | grep '^wide\.')" = wide.nn ]; then ok "over the limits refused"
else bad "a network over the engine's limits: exit $rc"; cat "$dir/log"; fi
# the model of this engine, and a program built for another engine
exe=$(ls -t "$NNC_CACHE"/engine-"$(sed -n 's/.*"spec_hash_hex": "0x\([0-9a-f]*\)".*/\1/p' "$eng")"-* 2>/dev/null | head -n 1)
[ -x "$exe" ] || { bad "no cached engine model in $NNC_CACHE"; sh tests/report.sh "$results" "engine" "$pass" "$fail"; exit 0; }
"$nnc" engine -o "$dir/other.v" --pe 8x8 --mem-width 64 -q
"$nnc" examples/tiny.nn --engine "$dir/other.json" -o "$dir/tiny_other.bin" -q
"$nnc" examples/tiny.nn --engine "$eng" -o "$dir/tiny.bin" -q
/usr/bin/python3 -c "import struct,sys; open(sys.argv[1],'wb').write(struct.pack('<128i', *[(i * 37) % 200 - 100 for i in range(128)]))" "$dir/in.bin"   # tiny's input: [2, 8, 8]
x() { (cd "$dir" && "$exe" --input in.bin --frames 1 --mem-bytes 8 --out out.txt "$@" > /dev/null 2>&1); }
x --prog tiny_other.bin --weights tiny_other.weights.bin
grep -q "^x engine: program built for another engine" "$dir/out.txt" && ok "the driver refuses another engine's program" ||
    { bad "the driver ran another engine's program"; cat "$dir/out.txt"; }
x --prog tiny_other.bin --weights tiny_other.weights.bin --force
grep -q "^x frame 0: engine status 0x00000008: .*another engine" "$dir/out.txt" && ! grep -q "^o " "$dir/out.txt" &&
    ok "the engine refuses another engine's program" || { bad "the engine ran another engine's program"; cat "$dir/out.txt"; }
# bus errors: the engine stops with the error bit, the driver reports it, and
# the same batch then runs bit-exact (compared with an error-free run)
x --prog tiny.bin --weights tiny.weights.bin; cp "$dir/out.txt" "$dir/good.txt"
grep -q "^o " "$dir/good.txt" && ! grep -q "^x" "$dir/good.txt" || { bad "tiny on the engine"; cat "$dir/good.txt"; }
# the driver waiting on the interrupt instead of polling: the same outputs
x --prog tiny.bin --weights tiny.weights.bin --irq --seed 5
if ! grep -q "^x" "$dir/out.txt" && [ "$(grep '^o ' "$dir/out.txt")" = "$(grep '^o ' "$dir/good.txt")" ]; then
    ok "the driver on the interrupt"; else bad "the driver on the interrupt"; cat "$dir/out.txt"; fi
for e in "--err-read 0" "--err-write 0"; do
    # shellcheck disable=SC2086
    x --prog tiny.bin --weights tiny.weights.bin $e --err-once
    what=$(echo "$e" | sed 's/--err-\([a-z]*\).*/\1/')
    if grep -q "^e frame 0: engine status 0x0*[0-9a-f]*[12]: .*$what error" "$dir/out.txt" && ! grep -q "^x" "$dir/out.txt" &&
       [ "$(grep '^o ' "$dir/out.txt")" = "$(grep '^o ' "$dir/good.txt")" ]; then ok "bus $what error reported, then a clean run"
    else bad "bus $what error"; cat "$dir/out.txt"; fi
done
sh tests/report.sh "$results" "engine" "$pass" "$fail"
