#!/bin/sh
# demo.sh NNC: the README's first command. The trained 8x8-digits CNN
# (examples/digits) compiled to Verilog in both architectures; a handful of
# real test digits simulated in Icarus Verilog and compared with the golden
# model bit for bit; then the accuracy over the whole test set; then one
# engine, built once, running two different networks through the C driver.
set -e
nnc=$1
d=examples/digits
out=build/demo
IMAGES=${IMAGES:-8}
PY=/usr/bin/python3
rm -rf "$out"; mkdir -p "$out"

echo "== the network (nnc check $d/digits.nn)"
"$nnc" check $d/digits.nn
echo

# the first IMAGES test digits, as the simulations' input
$PY - "$d/test_x.npy" "$out/x.npy" "$IMAGES" <<'PY'
import sys, numpy as np
x = np.load(sys.argv[1])[: int(sys.argv[3])]
np.save(sys.argv[2], x)
PY

for mode in parallel serial; do
    echo "== nnc sim $d/digits.nn --mode $mode: $IMAGES test digits in Icarus, random stalls on"
    "$nnc" sim $d/digits.nn -q --mode $mode --weights $d/weights --input "$out/x.npy" \
        --keep "$out/$mode" | tee "$out/$mode.verdict"
    grep -q '^PASS' "$out/$mode.verdict"
done
"$nnc" run $d/digits.nn -q --weights $d/weights --input "$out/x.npy" -o "$out/golden.npy" --raw
"$nnc" run $d/digits.nn -q --weights $d/weights --input "$out/x.npy" -o "$out/float.npy" --float
"$nnc" run $d/digits.nn -q --weights $d/weights --input $d/test_x.npy -o "$out/test_fixed.npy"
"$nnc" run $d/digits.nn -q --weights $d/weights --input $d/test_x.npy -o "$out/test_float.npy" --float

$PY - "$out" "$d" <<'PY'
import sys, numpy as np
out, d = sys.argv[1], sys.argv[2]
y = np.load(d + "/test_y.npy")
golden = np.load(out + "/golden.npy")
flt = np.load(out + "/float.npy")
n = len(golden)

def rtl(mode):
    """The RTL's outputs and cycles per image, from the testbench's records."""
    v = np.zeros_like(golden)
    cyc = np.zeros(n, np.int64)
    for line in open(f"{out}/{mode}/out.txt"):
        f = line.split()
        if f[0] == "o":
            v[int(f[1]), int(f[2])] = int(f[3])
        elif f[0] == "f":
            cyc[int(f[1])] = int(f[3]) - int(f[2])
    return v, cyc

par, pcyc = rtl("parallel")
ser, scyc = rtl("serial")
print()
print("image  label  float  golden  RTL parallel (latency)  RTL serial (cycles)")
for i in range(n):
    print(f"{i:5d}  {y[i]:5d}  {flt[i].argmax():5d}  {golden[i].argmax():6d}"
          f"  {par[i].argmax():12d}  ({pcyc[i]:6d})  {ser[i].argmax():10d} ({scyc[i]:6d})")
same_p = (par == golden).all()
same_s = (ser == golden).all()
print(f"\nRTL == golden model, bit for bit, on all {golden.size} outputs of the {n} images:"
      f" parallel {'yes' if same_p else 'NO'}, serial {'yes' if same_s else 'NO'}")
tf, tq = np.load(out + "/test_float.npy"), np.load(out + "/test_fixed.npy")
print(f"test set ({len(y)} digits): float accuracy {100 * (tf.argmax(1) == y).mean():.2f}%,"
      f" 8-bit fixed point {100 * (tq.argmax(1) == y).mean():.2f}%")
print(f"the designs, testbenches and vectors are in {out}/parallel and {out}/serial")
sys.exit(0 if same_p and same_s else 1)
PY

# one engine for any network (docs/DESIGN.md §10): synthesized once, the
# networks are programs the host loads; here the host is the C driver in a
# Verilator harness, over the engine's AXI4-Lite port
NNC_CACHE=${NNC_CACHE:-build/engine-cache}; export NNC_CACHE
echo
echo "== one engine, two networks: nnc engine -o $out/engine/eng.v --pe 8x8 --mem-width 64"
echo "   (its Verilator model is built once, cached in $NNC_CACHE; the networks are programs)"
mkdir -p "$out/engine"
"$nnc" engine -o "$out/engine/eng.v" --pe 8x8 --mem-width 64 -q
for net in "$d/digits.nn --weights $d/weights --input $out/x.npy" "examples/lenet5.nn --frames 2"; do
    echo "-- nnc sim ${net%% *} --engine $out/engine/eng.json (the same engine)"
    # shellcheck disable=SC2086
    "$nnc" sim $net -q --engine "$out/engine/eng.json" | tee "$out/engine/verdict"
    grep -q '^PASS' "$out/engine/verdict"
done
echo "the engine (eng.v, its spec eng.json, its registers eng_hw.h) is in $out/engine"
