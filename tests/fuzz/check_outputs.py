#!/usr/bin/python3
"""check_outputs.py NNC NET.nn DIR: the outputs a bit-exact `nnc sim --keep DIR`
compared must be worth comparing: not all equal, not all at the output
format's rails (saturated). Prints one line; exit 1 when they are not."""

import json
import subprocess
import sys


def main():
    nnc, net, d = sys.argv[1:4]
    info = json.loads(subprocess.run([nnc, "check", net, "--json"], check=True,
                                     capture_output=True, text=True).stdout)
    out = info.get("output")
    layer = next(l for l in info["layers"] if l["name"] == out) if out else info["layers"][-1]
    w = layer["out_format"]["w"]
    lo, hi = -(1 << (w - 1)), (1 << (w - 1)) - 1
    vals = []
    with open(d + "/out.txt") as f:
        for line in f:
            if line.startswith("o "):
                vals.append(int(line.split()[3]))
    if not vals:
        print("outputs: none in %s/out.txt" % d)
        return 1
    sat = sum(v in (lo, hi) for v in vals)
    distinct = len(set(vals))
    print("outputs: %d values, %d distinct, %d saturated (fixed<%d,...> rails %d, %d)"
          % (len(vals), distinct, sat, w, lo, hi))
    if distinct == 1:
        print("outputs: FAIL every output is %d" % vals[0])
        return 1
    if sat == len(vals):
        print("outputs: FAIL every output is saturated")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
