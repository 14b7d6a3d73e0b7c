#!/usr/bin/python3
"""evaluate.py: accuracy of the digits CNN in PyTorch (float32), in nnc's float
reference (`nnc run --float`, double) and in nnc's bit-exact fixed-point golden
model (`nnc run`), on the 360 held-back test images.

Run from the repository root: /usr/bin/python3 examples/digits/evaluate.py
Optional: --net FILE (default examples/digits/digits.nn), --nnc PATH.
Exit 1 if nnc's float accuracy differs from torch's, if the largest
|nnc float - torch| logit difference is 1e-4 or more, or if the fixed-point
accuracy is more than 1 point below the float accuracy.
"""
import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np

D = "examples/digits"


def nnc_run(nnc, net, out, extra):
    cmd = [nnc, "run", net, "--weights", f"{D}/weights", "--input", f"{D}/test_x.npy",
           "-o", out] + extra
    print("$", " ".join(cmd), flush=True)
    r = subprocess.run(cmd)
    if r.returncode != 0:
        sys.exit(f"evaluate.py: nnc exited with {r.returncode}")
    return np.load(out).reshape(-1, 10)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--net", default=f"{D}/digits.nn")
    ap.add_argument("--nnc", default="build/nnc")
    a = ap.parse_args()
    if not os.path.exists(a.nnc):
        sys.exit(f"evaluate.py: {a.nnc} not found (run from the repository root after make build/nnc)")

    y = np.load(f"{D}/test_y.npy")
    torch_logits = np.load(f"{D}/test_logits_torch.npy")
    with tempfile.TemporaryDirectory() as tmp:
        fixed = nnc_run(a.nnc, a.net, f"{tmp}/fixed.npy", [])
        flt = nnc_run(a.nnc, a.net, f"{tmp}/float.npy", ["--float"])

    def acc(logits):
        return 100.0 * (logits.argmax(1) == y).mean()

    # ties among the fixed-point logits: argmax takes the first (lowest) class
    top2 = np.sort(fixed, axis=1)[:, -2:]
    ties = int((top2[:, 0] == top2[:, 1]).sum())
    diff = float(np.abs(flt - torch_logits).max())
    agree = int((fixed.argmax(1) == flt.argmax(1)).sum())
    a_t, a_f, a_q = acc(torch_logits), acc(flt), acc(fixed)
    n = len(y)
    print(f"test images:                     {n}")
    print(f"torch float32 accuracy:          {a_t:.2f}%")
    print(f"nnc --float accuracy:            {a_f:.2f}%")
    print(f"nnc fixed point accuracy:        {a_q:.2f}%  ({a.net})")
    print(f"fixed-point argmax = float:      {agree}/{n} images ({ties} with a tie for the top logit)")
    print(f"max |nnc float - torch| logit:   {diff:.3g}")
    print(f"max |nnc fixed - nnc float|:     {np.abs(fixed - flt).max():.3g}")
    ok = True
    if a_f != a_t:
        print("FAIL: nnc float accuracy differs from torch's")
        ok = False
    if not diff < 1e-4:
        print("FAIL: nnc float logits differ from torch's by 1e-4 or more")
        ok = False
    if a_q < a_f - 1.0:
        print("FAIL: fixed-point accuracy is more than 1 point below float")
        ok = False
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
