#!/bin/sh
# run_models.sh NNC RESULTS: the trained digits model end to end.
#  1. nnc's float model and fixed point against PyTorch's logits and the
#     labels (examples/digits/evaluate.py: same accuracy in float, within a
#     point in fixed point);
#  2. nnc run with the float weights and float inputs against the
#     independent reference quantizing the same floats (docs/DESIGN.md §3): the same
#     integers on every output, so the same predictions;
#  3. nnc quantize: the calibrated network re-parses and stays within a point.
nnc=$1; results=$2
PY=/usr/bin/python3
d=examples/digits
tmp=$(mktemp -d)
pass=0; fail=0
check() { if [ "$1" -eq 0 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "    FAIL $2"; sed 's/^/        /' "$tmp/log" | tail -n 8; fi; }

$PY $d/evaluate.py --nnc "$nnc" >"$tmp/log" 2>&1; check $? "evaluate.py on digits.nn"

"$nnc" run $d/digits.nn -q --weights $d/weights --input $d/test_x.npy --raw -o "$tmp/nnc.npy" >"$tmp/log" 2>&1 &&
$PY tests/ref/nnref.py $d/digits.nn --weights $d/weights --input $d/test_x.npy -o "$tmp/ref.npy" >>"$tmp/log" 2>&1 &&
$PY - "$tmp/nnc.npy" "$tmp/ref.npy" $d/test_y.npy >>"$tmp/log" 2>&1 <<'PY'
import sys, numpy as np
a, b, y = np.load(sys.argv[1]), np.load(sys.argv[2]), np.load(sys.argv[3])
assert a.shape == b.shape == (len(y), 10), (a.shape, b.shape)
assert len(np.unique(a)) > 10, "outputs nearly constant"
bad = np.argwhere(a != b)
assert len(bad) == 0, f"{len(bad)} elements differ, first {bad[0]}: nnc {a[tuple(bad[0])]} ref {b[tuple(bad[0])]}"
acc = (a.argmax(1) == y).mean()
print(f"nnc and the reference agree on all {a.size} outputs; accuracy {100*acc:.2f}%")
PY
check $? "digits: nnc run == independent reference on float weights and inputs"

"$nnc" quantize $d/digits.nn -q --weights $d/weights --calib $d/calib_x.npy -o "$tmp/digits.q.nn" >"$tmp/log" 2>&1 &&
$PY $d/evaluate.py --nnc "$nnc" --net "$tmp/digits.q.nn" >>"$tmp/log" 2>&1
check $? "nnc quantize digits: within a point of float"

rm -rf "$tmp"
sh tests/report.sh "$results" "models (digits)" "$pass" "$fail"
