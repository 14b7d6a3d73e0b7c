#!/bin/sh
# run_import.sh NNC RESULTS: `nnc import` against the training framework.
#  1. examples/digits/digits.onnx (PyTorch 1.13): import, `nnc run --float` on
#     the test set, max |y - PyTorch's logits| < 1e-5; then `nnc quantize` on
#     the imported network and its fixed-point accuracy within a point of float.
#  2. every tests/import/<case>.onnx with <case>.x.npy and <case>.y.npy (made
#     by tests/import/make_fixtures.py; the framework's float32 outputs are
#     committed, so no torch is needed here): import, `nnc run --float`,
#     max |y - expected| < 1e-5 on outputs that are not constant; and the
#     imported .nn, comments aside, equal to tests/import/<case>.nn (which
#     shows what was fused and folded; UPDATE=1 rewrites them, to be reviewed).
# Always exits 0; one line via tests/report.sh.
nnc=$1; results=$2
PY=/usr/bin/python3
tmp=$(mktemp -d)
pass=0; fail=0
check() {
    if [ "$1" -eq 0 ]; then pass=$((pass + 1))
    else fail=$((fail + 1)); echo "    FAIL $2"; sed 's/^/        /' "$tmp/log" | tail -n 8; fi
}

# compare Y EXPECTED: max |y - expected| < 1e-5, shapes equal, y not constant
compare() {
    $PY - "$1" "$2" <<'PY'
import sys, numpy as np
y, e = np.load(sys.argv[1]), np.load(sys.argv[2])
assert y.shape == e.shape, f"shape {y.shape}, expected {e.shape}"
assert np.ptp(e) > 1e-2 and np.ptp(y) > 1e-2, "outputs (nearly) constant: the test proves nothing"
d = float(np.abs(y.astype(np.float64) - e).max())
print(f"max |y - expected| = {d:.3g} (max |expected| {float(np.abs(e).max()):.3g})")
assert d < 1e-5, f"max difference {d:.3g} is not below 1e-5"
PY
}

d=examples/digits
"$nnc" import $d/digits.onnx -o "$tmp/digits.nn" --weights-out "$tmp/digits_w" >"$tmp/log" 2>&1 &&
"$nnc" run -q "$tmp/digits.nn" --weights "$tmp/digits_w" --input $d/test_x.npy --float -o "$tmp/y.npy" >>"$tmp/log" 2>&1 &&
compare "$tmp/y.npy" $d/test_logits_torch.npy >>"$tmp/log" 2>&1
check $? "digits.onnx: nnc run --float against PyTorch's logits"

"$nnc" quantize -q "$tmp/digits.nn" --weights "$tmp/digits_w" --calib $d/calib_x.npy -o "$tmp/digits.q.nn" >"$tmp/log" 2>&1 &&
"$nnc" run -q "$tmp/digits.q.nn" --weights "$tmp/digits_w" --input $d/test_x.npy -o "$tmp/q.npy" >>"$tmp/log" 2>&1 &&
$PY - "$tmp/y.npy" "$tmp/q.npy" $d/test_y.npy >>"$tmp/log" 2>&1 <<'PY'
import sys, numpy as np
f, q, lab = np.load(sys.argv[1]), np.load(sys.argv[2]), np.load(sys.argv[3])
af, aq = (f.argmax(1) == lab).mean() * 100, (q.argmax(1) == lab).mean() * 100
print(f"imported digits: float {af:.2f}%, quantized 8-bit {aq:.2f}%")
assert aq >= af - 1, "quantized accuracy more than a point below float"
PY
check $? "digits.onnx: nnc quantize on the imported network, within a point of float"

for m in tests/import/*.onnx; do
    c=$(basename "$m" .onnx)
    [ -f "tests/import/$c.y.npy" ] || continue      # error fixtures: tests/errors/import_*
    rm -rf "$tmp/$c.nn" "$tmp/${c}_w"
    "$nnc" import "$m" -o "$tmp/$c.nn" --weights-out "$tmp/${c}_w" >"$tmp/log" 2>&1 &&
    "$nnc" run -q "$tmp/$c.nn" --weights "$tmp/${c}_w" --input "tests/import/$c.x.npy" --float \
        -o "$tmp/$c.y.npy" >>"$tmp/log" 2>&1 &&
    compare "$tmp/$c.y.npy" "tests/import/$c.y.npy" >>"$tmp/log" 2>&1
    check $? "$c.onnx: nnc run --float against the framework"
    grep -v '^//' "$tmp/$c.nn" >"$tmp/$c.body" 2>/dev/null
    if [ -n "$UPDATE" ]; then cp "$tmp/$c.body" "tests/import/$c.nn"; fi
    diff "tests/import/$c.nn" "$tmp/$c.body" >"$tmp/log" 2>&1
    check $? "$c.onnx: the imported network differs from tests/import/$c.nn"
done

# names that collide once made identifiers, or differ only in case (the
# weights are files: one file on a case-insensitive file system): every
# layer gets its own name, and no two weight files differ only in case
"$nnc" import -q tests/import/hostile_names.onnx -o "$tmp/names.nn" --weights-out "$tmp/names_w" \
    >"$tmp/log" 2>&1 &&
[ "$(ls "$tmp/names_w" | wc -l)" -eq 8 ] &&
[ "$(ls "$tmp/names_w" | tr A-Z a-z | sort -u | wc -l)" -eq 8 ] &&
"$nnc" check "$tmp/names.nn" >>"$tmp/log" 2>&1
check $? "hostile_names.onnx: colliding names made unique, also without case"

# a 20,000-node graph: imported in bounded time, no deep recursion
$PY - "$tmp/deep.onnx" <<'PY'
import sys
sys.path.insert(0, "tests/fuzz")
from onnx_writer import graph, model, node, tensor, value_info
n = 20000
w = tensor("w", [3, 3, 1, 1], floats=[0.1] * 9)
nodes = [node("Conv", ["x" if i == 0 else "t%d" % (i - 1), "w"], ["t%d" % i], "c%d" % i) for i in range(n)]
open(sys.argv[1], "wb").write(model(graph(nodes, [value_info("x", [1, 3, 4, 4])],
                                          [value_info("t%d" % (n - 1), [1, 3, 4, 4])], [w])))
PY
(ulimit -s 1024; timeout 60 "$nnc" import -q "$tmp/deep.onnx" -o "$tmp/deep.nn" --weights-out "$tmp/deep_w" \
    >"$tmp/log" 2>&1 && timeout 60 "$nnc" check "$tmp/deep.nn" >>"$tmp/log" 2>&1 &&
    grep -q "^total: 2,880,000 MACs" "$tmp/log")
check $? "a 20,000-node graph imports (1 MiB stack, under 60 s)"

rm -rf "$tmp"
sh tests/report.sh "$results" "import" "$pass" "$fail"
exit 0
