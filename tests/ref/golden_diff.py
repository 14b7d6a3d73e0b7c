#!/usr/bin/python3
"""golden_diff.py NNC COUNT FIRST_SEED COUNTS_FILE [--ref-only] [--keep]

Differential test of `nnc run --raw` against the independent reference
tests/ref/nnref.py on random networks from tests/fuzz/gen_net.py.
Called by tests/run_golden_diff.sh, which turns COUNTS_FILE ("PASSED FAILED
CONSTANT") into the group's result line.

Per seed S (files under build/golden-diff/seed-S/):
  * net.nn from gen_net.py --seed S; x.npy: random [2,C,H,W] input;
  * weights: S % 5 == 0: float32 weights and a float32 input written here
    (both sides quantize; values slightly beyond the range and exact .5 ties
    included); else S % 3 == 0: raw int32/int64 weights and biases written
    here; else nnc's own pseudo-random weights (--seed S, --dump-weights) fed
    to the reference;
  * nnc run NET --raw --input x.npy -o y.nnc.npy --dump-weights wd/
    --dump-layers layers.nnc/ [--weights w/ | --seed S] and nnref with the
    same weights: every element of the output and of every layer's dump must
    agree, and so must the integers nnc says it used with the reference's own
    quantization of the weights we gave;
  * on a mismatch the first differing layer, index and both values are printed;
  * an output constant over all elements fails unless the generator marked
    the network `gen: may-be-constant`.
"""

import os
import shutil
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.dont_write_bytecode = True       # no __pycache__ in the source tree
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "fuzz"))

import nnref      # noqa: E402
import gen_net    # noqa: E402

NNC_TIMEOUT = 120


def weight_mode(seed):
    if seed % 5 == 0:
        return "float"
    if seed % 3 == 0:
        return "int"
    return "nnc"


def rand_raw(rng, shape, w, extremes=0.05):
    lo, hi = nnref.smin(w), nnref.smax(w)
    a = rng.integers(-hi, hi, size=shape, endpoint=True, dtype=np.int64)   # zero mean
    if a.size and extremes:
        m = rng.random(shape) < extremes
        a = np.where(m, np.where(rng.random(shape) < 0.5, lo, hi), a)
    return a


def rand_float(rng, shape, w, f, amp=None):
    """float32 values around the range of fixed<w,f>, some beyond it, some exact ties."""
    half = float(1 << (w - 1)) if amp is None else float(amp)
    v = rng.uniform(-1.04, 1.04, size=shape) * half
    ties = rng.random(shape) < 0.12
    k = np.floor(rng.uniform(-half, half, size=shape))
    v = np.where(ties, k + 0.5, v)
    return np.ldexp(v, -f).astype(np.float32)


def make_input(net, rng, mode):
    C, H, W = net.input_shape
    w, f = net.input_fmt
    if mode == "float":
        return rand_float(rng, (2, C, H, W), w, f)
    return rand_raw(rng, (2, C, H, W), w).astype(np.int32)


def bias_amp(L):
    """Bias amplitude (raw bias units) comparable to a typical accumulator."""
    wa, ww = L.in_fmt[0], L.wfmt[0]
    est = (wa - 1.8) + (ww - 1.8) + 0.5 * np.log2(max(L.n, 1))
    amp = 2.0 ** (est - (L.facc - L.bfmt[1]))
    return int(max(1, min(amp, float(1 << (L.bfmt[0] - 1)))))


def make_weights(net, rng, mode, wdir):
    os.makedirs(wdir, exist_ok=True)
    for L in net.layers:
        if L.kind not in ("conv", "fc"):
            continue
        ww, fw = L.wfmt
        if mode == "float":
            w = rand_float(rng, L.wshape, ww, fw)
        else:
            w = rand_raw(rng, L.wshape, ww).astype(np.int32 if rng.random() < 0.75 else np.int64)
        np.save(os.path.join(wdir, L.name + ".weight.npy"), w)
        if L.bfmt is None:
            continue
        wb, fb = L.bfmt
        amp = bias_amp(L)
        if mode == "float":
            b = rand_float(rng, L.bshape, wb, fb, amp=amp)
        else:
            b = rng.integers(-amp, amp, size=L.bshape, endpoint=True, dtype=np.int64)
            b = np.clip(b, nnref.smin(wb), nnref.smax(wb))
            b = b.astype(np.int32 if wb <= 32 and rng.random() < 0.25 else np.int64)
        np.save(os.path.join(wdir, L.name + ".bias.npy"), b)


def run_nnc(nnc, args, log):
    t = time.time()
    try:
        p = subprocess.run([nnc] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=NNC_TIMEOUT)
    except subprocess.TimeoutExpired:
        return False, "nnc timed out after %ds" % NNC_TIMEOUT, time.time() - t
    except OSError as e:
        return False, "cannot run %s: %s" % (nnc, e), 0
    with open(log, "ab") as fh:
        fh.write(b"$ nnc " + " ".join(args).encode() + b"\n" + p.stdout + p.stderr)
    if p.returncode != 0:
        return False, "nnc exited %d: %s" % (p.returncode,
                                             p.stderr.decode(errors="replace").strip()[-800:]), 0
    return True, "", time.time() - t


def run_ref(args):
    import contextlib
    import io
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        rc = nnref.main(args + ["-q"])
    return rc == 0, err.getvalue().strip()


def first_diff(a, b):
    a = np.asarray(a)
    b = np.asarray(b)
    if a.shape != b.shape:
        return "shape nnc %s vs ref %s" % (a.shape, b.shape)
    d = np.argwhere(a != b)
    if len(d) == 0:
        return None
    i = tuple(int(v) for v in d[0])
    return "%d of %d elements differ; first at index %s: nnc %d, ref %d" % (
        len(d), a.size, list(i), int(a[i]), int(b[i]))


def check_dumped_weights(net, wdir, given, mode):
    """nnc's --dump-weights: int32 weights, int64 biases, the integers nnc used.
    When we gave the weights, they must equal the reference's quantization."""
    problems = []
    for L in net.layers:
        if L.kind not in ("conv", "fc"):
            continue
        for part, shape, fmt, dt in (("weight", L.wshape, L.wfmt, np.int32),
                                     ("bias", L.bshape, L.bfmt, np.int64)):
            path = os.path.join(wdir, "%s.%s.npy" % (L.name, part))
            if fmt is None:
                if os.path.exists(path):
                    problems.append("%s: written although bias = none" % path)
                continue
            if not os.path.exists(path):
                problems.append("%s: not written" % path)
                continue
            d = np.load(path)
            if d.dtype != dt:
                problems.append("%s: dtype %s, expected %s" % (path, d.dtype, np.dtype(dt)))
            if tuple(d.shape) != tuple(shape):
                problems.append("%s: shape %s, expected %s" % (path, d.shape, shape))
                continue
            if d.dtype.kind in "iu" and d.size and (int(d.min()) < nnref.smin(fmt[0]) or
                                                    int(d.max()) > nnref.smax(fmt[0])):
                problems.append("%s: values outside fixed<%d,%d>" % ((path,) + fmt))
            if given:
                src = np.load(os.path.join(given, "%s.%s.npy" % (L.name, part)))
                ref = nnref.to_fixed(src, fmt, path, warn=False)
                msg = first_diff(d.astype(np.int64), np.asarray(ref, dtype=np.int64))
                if msg:
                    problems.append("%s (%s weights): %s" % (path, mode, msg))
    return problems


def compare_layers(net, dn, dr):
    """First layer (in network order) whose dumps differ, or None."""
    for L in net.layers:
        pn = os.path.join(dn, L.name + ".npy")
        if not os.path.exists(pn):
            return "nnc did not dump layer %s" % L.name
        a = np.load(pn)
        if a.dtype != np.int32:
            return "nnc's dump of layer %s has dtype %s, expected int32" % (L.name, a.dtype)
        msg = first_diff(a.astype(np.int64), np.load(os.path.join(dr, L.name + ".npy")).astype(np.int64))
        if msg:
            return "first differing layer: %s %s (line %d): %s" % (L.kind, L.name, L.line, msg)
    return None


def one_seed(nnc, seed, base, ref_only):
    d = os.path.join(base, "seed-%d" % seed)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    netp = os.path.join(d, "net.nn")
    text = gen_net.generate(seed)
    with open(netp, "w") as fh:
        fh.write(text)
    maybe_const = "gen: may-be-constant" in text
    net = nnref.load_net(netp)
    rng = np.random.default_rng(1000003 + seed)
    mode = weight_mode(seed)
    x = make_input(net, rng, mode)
    xin = os.path.join(d, "x.npy")
    np.save(xin, x)
    given = None
    if mode != "nnc":
        given = os.path.join(d, "w")
        make_weights(net, rng, mode, given)
    wdump = os.path.join(d, "wd")
    yn, yr = os.path.join(d, "y.nnc.npy"), os.path.join(d, "y.ref.npy")
    dn, dr = os.path.join(d, "layers.nnc"), os.path.join(d, "layers.ref")
    res = {"seed": seed, "mode": mode, "net": netp, "fail": [], "const": False, "t_nnc": 0.0}
    if ref_only:
        if given is None:
            given = os.path.join(d, "w")
            make_weights(net, rng, "int", given)
        wargs = ["--weights", given]
    else:
        args = ["run", netp, "--raw", "--input", xin, "-o", yn, "--dump-weights", wdump,
                "--dump-layers", dn]
        if given:
            args += ["--weights", given]
        else:
            args += ["--seed", str(seed)]      # nnc's own pseudo-random weights, varied per seed
        ok, msg, res["t_nnc"] = run_nnc(nnc, args, os.path.join(d, "nnc.log"))
        if not ok:
            res["fail"].append(msg)
            return res
        probs = check_dumped_weights(net, wdump, given, mode)
        res["fail"] += probs
        wargs = ["--weights", given or wdump]
        if probs and not given:
            return res
    ok, msg = run_ref([netp, "--input", xin, "-o", yr, "--dump-layers", dr] + wargs)
    if not ok:
        res["fail"].append("reference failed: " + msg)
        return res
    y_ref = np.load(yr)
    if not ref_only:
        y_nnc = np.load(yn)
        if y_nnc.dtype != np.int32:
            res["fail"].append("nnc --raw output dtype %s, expected int32" % y_nnc.dtype)
        msg = first_diff(y_nnc.astype(np.int64), y_ref.astype(np.int64))
        if msg:
            res["fail"].append("output: " + msg)
        # every layer is compared, not only the output: a wrong layer can be
        # masked downstream by rounding, saturation or relu
        lmsg = compare_layers(net, dn, dr)
        if lmsg:
            res["fail"].append(lmsg)
        elif msg:
            res["fail"].append("no layer differs in the dumps (only the -o output does)")
    if not ref_only and not res["fail"]:
        # without --raw nnc writes float32 value * 2^-F (one rounding to float32)
        yf = os.path.join(d, "y.nnc.float.npy")
        args = ["run", netp, "--input", xin, "-o", yf] + (
            ["--weights", given] if given else ["--seed", str(seed)])
        ok, msg, _ = run_nnc(nnc, args, os.path.join(d, "nnc.log"))
        if not ok:
            res["fail"].append("without --raw: " + msg)
        else:
            fo = net.info[net.out_name][1]
            want = np.ldexp(y_ref.astype(np.float64), -fo[1]).astype(np.float32)
            got = np.load(yf)
            if got.dtype != np.float32:
                res["fail"].append("nnc float output dtype %s, expected float32" % got.dtype)
            elif got.shape != want.shape:
                res["fail"].append("float output: shape nnc %s vs ref %s" % (got.shape, want.shape))
            elif not np.array_equal(got, want):
                i = tuple(int(v) for v in np.argwhere(got != want)[0])
                res["fail"].append("float output (value*2^-%d): first difference at %s: nnc %r, "
                                   "ref %r" % (fo[1], list(i), float(got[i]), float(want[i])))
    if y_ref.size and y_ref.min() == y_ref.max():
        res["const"] = True
        if not maybe_const:
            first = ""
            for L in net.layers:
                a = np.load(os.path.join(dr, L.name + ".npy"))
                if a.size and a.min() == a.max():
                    first = "; first constant layer: %s %s, out fixed<%d,%d>" % (
                        (L.kind, L.name) + tuple(L.out_fmt))
                    break
            res["fail"].append("output is constant (%d everywhere) and the generator did not "
                               "expect it (%s weights%s)" % (int(y_ref.flat[0]), mode, first))
    res["y_ref"] = y_ref
    return res


def main():
    argv = [a for a in sys.argv[1:] if not a.startswith("--")]
    ref_only = "--ref-only" in sys.argv
    keep = "--keep" in sys.argv
    nnc, count, first, counts_file = argv[0], int(argv[1]), int(argv[2]), argv[3]
    base = os.path.join(ROOT, "build", "golden-diff")
    os.makedirs(base, exist_ok=True)
    passed = failed = nconst = 0
    t0 = time.time()
    for seed in range(first, first + count):
        try:
            res = one_seed(nnc, seed, base, ref_only)
        except Exception as e:       # a bug in the test itself counts as a failure
            import traceback
            traceback.print_exc()
            res = {"seed": seed, "mode": weight_mode(seed), "fail": ["test error: %r" % e],
                   "const": False, "net": os.path.join(base, "seed-%d" % seed, "net.nn")}
        nconst += res["const"]
        if res["fail"]:
            failed += 1
            print("golden-diff: FAIL seed %d (%s weights): %s" % (seed, res["mode"], res["net"]))
            for m in res["fail"]:
                print("    " + m)
        else:
            passed += 1
            if not keep:
                shutil.rmtree(os.path.dirname(res["net"]), ignore_errors=True)
    dt = time.time() - t0
    print("golden-diff: seeds %d..%d, %d passed, %d failed, %d constant output(s), %.1fs"
          % (first, first + count - 1, passed, failed, nconst, dt))
    with open(counts_file, "w") as fh:
        fh.write("%d %d %d\n" % (passed, failed, nconst))
    return 0


if __name__ == "__main__":
    sys.exit(main())
