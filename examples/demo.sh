#!/bin/sh
# demo.sh NNC: the README's first command. Checks LeNet-5, runs the golden
# model on a few pseudo-random images, and shows what nnc computed.
set -e
nnc=$1
out=build/demo
mkdir -p "$out"
echo "== nnc check examples/lenet5.nn"
"$nnc" check examples/lenet5.nn
echo
echo "== nnc run: 4 images through the bit-exact golden model (pseudo-random weights, seed 1)"
/usr/bin/python3 - "$out/x.npy" <<'PY'
import sys, numpy as np
# four 28x28 "digits": strokes drawn on a blank image, values in [0, 1)
rng = np.random.RandomState(7)
x = np.zeros((4, 1, 28, 28), np.float32)
for n in range(4):
    for _ in range(3):
        r0, c0 = rng.randint(4, 24, 2)
        dr, dc = rng.choice([-1, 0, 1], 2)
        for t in range(12):
            r, c = r0 + dr * t, c0 + dc * t
            if 0 <= r < 28 and 0 <= c < 28:
                x[n, 0, max(r-1,0):r+1, max(c-1,0):c+1] = 0.99
np.save(sys.argv[1], x)
PY
"$nnc" run examples/lenet5.nn --input "$out/x.npy" -o "$out/y.npy" --dump-layers "$out/layers"
"$nnc" run examples/lenet5.nn --input "$out/x.npy" -o "$out/yf.npy" --float
/usr/bin/python3 - "$out" <<'PY'
import sys, numpy as np
d = sys.argv[1]
y, yf = np.load(d + "/y.npy"), np.load(d + "/yf.npy")
np.set_printoptions(precision=3, suppress=True, linewidth=120)
for n in range(len(y)):
    print(f"image {n}: fixed point {y[n]}  argmax {y[n].argmax()}")
    print(f"         float       {yf[n]}  argmax {yf[n].argmax()}")
print(f"largest |fixed - float| over the outputs: {np.abs(y - yf).max():.4f}")
print(f"every layer's raw output is in {d}/layers/<layer>.npy")
PY
