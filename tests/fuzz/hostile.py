#!/usr/bin/python3
"""hostile.py NNC COUNT SEED [RESULTS]: hostile ONNX models and .npy arrays,
built from their structure (tests/fuzz/onnx_writer.py), not by flipping
bytes: graphs with cycles, tensors written twice, nodes overwriting the input
or an initializer, unknown and future opsets, external data with paths
anywhere, dimensions zero, negative or up to 2^62, element counts that
disagree with the data, every data type, attributes out of range, unknown
operators, several or missing outputs; arrays whose headers lie about their
shape, length, type, order or version. Each is given to nnc (`nnc import`,
then `nnc check` of what it wrote; `nnc run` with the array as input or
weights). Every run must end with exit 0 or 1 in bounded time (60 s), exit 1
with an "error:" line and nothing left behind: no .nn, no weights directory,
no temporary. Seeded; prints "N passed, M failed", exits 1 on any failure;
with RESULTS, also reports the counts to the test summary.
hostile.py --seeds DIR N writes N such models to DIR (make fuzz-onnx's corpus)."""
import os
import random
import shutil
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from onnx_writer import (attr_float, attr_int, attr_ints, f_bytes, f_int,  # noqa: E402
                         graph, model, node, tensor, value_info)

if sys.argv[1] == "--seeds":       # hostile.py --seeds DIR N: seeds for make fuzz-onnx
    nnc, count, seed = None, int(sys.argv[3]), 1
else:
    nnc, count, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rng = random.Random(seed)

OPS = ["Conv", "Gemm", "MatMul", "Add", "Relu", "Clip", "MaxPool", "AveragePool",
       "GlobalAveragePool", "GlobalMaxPool", "ReduceMean", "BatchNormalization", "Flatten",
       "Reshape", "Squeeze", "Identity", "Dropout", "Constant", "Cast", "Pad", "Shape",
       "Gather", "Unsqueeze", "Concat", "Mul", "Sigmoid", "ConvTranspose", "LRN", "Frobnicate"]
BIG = [0, -1, -7, 1 << 20, (1 << 20) + 1, 1 << 31, 1 << 40, 1 << 62, -(1 << 63)]


def dim():
    r = rng.random()
    if r < 0.7:
        return rng.choice([1, 1, 2, 3, 4, 5, 8, 16])
    if r < 0.85:
        return rng.choice(BIG)
    return "N"                                    # a dynamic dimension


def shape(rank=None):
    return [dim() for _ in range(rng.randint(0, 5) if rank is None else rank)]


def ints_or_big(n, lo=0, hi=4):
    return [rng.choice(BIG) if rng.random() < 0.1 else rng.randint(lo, hi) for _ in range(n)]


def initializer(name):
    dims = [d if isinstance(d, int) else 3 for d in shape(rng.choice([1, 2, 4, 4, 4]))]
    n = 1
    for d in dims:
        n *= max(d, 0) if abs(d) < (1 << 16) else 0
    if rng.random() < 0.2:
        n = rng.randint(0, 64)                    # a count that disagrees
    n = min(n, 4096)
    vals = [rng.uniform(-1, 1) for _ in range(n)]
    if vals and rng.random() < 0.05:
        vals[rng.randrange(n)] = rng.choice([float("nan"), float("inf")])
    dtype = rng.choice([1, 1, 1, 1, 6, 7, 11, 0, 16, 999])
    kw = {}
    r = rng.random()
    if r < 0.06:
        kw = {"location": 1, "external": {"location": rng.choice(
            ["w.bin", "../w.bin", "/etc/passwd", "../../../../root/.ssh/id_rsa", "x" * 300, ""])}}
    elif r < 0.1:
        kw = {"external": {"location": "data.bin"}}
    if dtype in (6, 7) or rng.random() < 0.3:
        size = {1: 4, 6: 4, 7: 8, 11: 8}.get(dtype, 4)
        fmt = {1: "f", 6: "i", 7: "q", 11: "d"}.get(dtype, "f")
        if fmt in "iq":
            vals = [rng.choice([0, 1, 2, 3, -1, 4, 1 << 20]) for _ in range(n)]
        raw = struct.pack("<%d%s" % (n, fmt), *vals)
        if rng.random() < 0.1:
            raw = raw[:len(raw) - rng.randint(1, size)] if raw else b"\x01"
        return tensor(name, dims, raw=raw, dtype=dtype, **kw)
    return tensor(name, dims, floats=vals, dtype=dtype, **kw)


def attrs(op):
    out = []
    pool = [("kernel_shape", 2, 1, 5), ("strides", 2, 1, 3), ("pads", 4, 0, 2),
            ("dilations", 2, 1, 2), ("output_padding", 2, 0, 1)]
    for name, n, lo, hi in pool:
        if rng.random() < 0.4:
            out.append(attr_ints(name, ints_or_big(rng.choice([n, n, 1, 3]), lo, hi)))
    for name in ["group", "transA", "transB", "axis", "ceil_mode", "count_include_pad",
                 "keepdims", "to", "size", "allowzero"]:
        if rng.random() < 0.15:
            out.append(attr_int(name, rng.choice([0, 1, 1, 2, 3, -1] + BIG)))
    for name in ["alpha", "beta", "epsilon", "min", "max", "momentum", "bias"]:
        if rng.random() < 0.15:
            out.append(attr_float(name, rng.choice([0.0, 1.0, -1.0, 6.0, 1e-5, 1e38, -1e38,
                                                    float("nan"), float("inf")])))
    if op == "Constant" and rng.random() < 0.8:
        out.append(f_bytes(1, "value") + f_int(20, 4) + f_bytes(5, initializer("c")))
    if rng.random() < 0.05:
        out.append(attr_ints("axes", ints_or_big(rng.randint(0, 4), -4, 3)))
    return out


def floats(n):
    return [rng.uniform(-1, 1) for _ in range(n)]


def base_model():
    """A valid network as lists (nodes as [op, inputs, outputs, name, attrs],
    initializers as [name, dims, values]) that nnc imports."""
    c, h = rng.randint(1, 4), rng.randint(4, 12)
    inp = ["x", [1, c, h, h]]
    nodes, inits = [], []
    cur, k = "x", 0
    for i in range(rng.randint(1, 6)):
        op = rng.choice(["Conv", "Conv", "Relu", "MaxPool", "BatchNormalization", "Add",
                         "AveragePool"])
        out = "t%d" % i
        if op == "Conv":
            f, kk = rng.randint(1, 4), rng.choice([1, 3])
            inits.append(["w%d" % i, [f, c, kk, kk], floats(f * c * kk * kk)])
            ins = [cur, "w%d" % i]
            if rng.random() < 0.5:
                inits.append(["b%d" % i, [f], floats(f)])
                ins.append("b%d" % i)
            p = kk // 2
            nodes.append(["Conv", ins, [out], "conv%d" % i,
                          [attr_ints("kernel_shape", [kk, kk]), attr_ints("pads", [p, p, p, p])]])
            c = f
        elif op in ("MaxPool", "AveragePool") and h >= 2:
            nodes.append([op, [cur], [out], "pool%d" % i,
                          [attr_ints("kernel_shape", [2, 2]), attr_ints("strides", [2, 2])]])
            h //= 2
        elif op == "BatchNormalization":
            for nm in ("s", "o", "m", "v"):
                inits.append(["%s%d" % (nm, i), [c], [abs(v) + 0.1 for v in floats(c)]])
            nodes.append([op, [cur] + ["%s%d" % (nm, i) for nm in "somv"], [out], "bn%d" % i, []])
        elif op == "Add" and cur != "x":
            nodes.append(["Relu", [cur], ["r%d" % i], "relu%d" % i, []])
            nodes.append(["Add", [cur, "r%d" % i], [out], "add%d" % i, []])
        else:
            nodes.append(["Relu", [cur], [out], "relu%d" % i, []])
        cur = out
        k = i + 1
    if rng.random() < 0.5:
        u, n = rng.randint(1, 5), c * h * h
        nodes.append(["Flatten", [cur], ["flat"], "flatten", [attr_int("axis", 1)]])
        inits.append(["fw", [u, n], floats(u * n)])
        inits.append(["fb", [u], floats(u)])
        nodes.append(["Gemm", ["flat", "fw", "fb"], ["y"], "fc", [attr_int("transB", 1)]])
        cur = "y"
    return {"in": inp, "nodes": nodes, "inits": inits, "out": [cur], "opset": 13, "k": k}


def mutate_model(m):
    """One hostile change to the structure."""
    nodes, inits = m["nodes"], m["inits"]
    names = ["x"] + [i[0] for i in inits] + [o for n in nodes for o in n[2]]
    r = rng.randrange(12)
    n = rng.choice(nodes)
    if r == 0:                                    # an attribute out of range
        n[4] = attrs(n[0])
    elif r == 1:                                  # another operator
        n[0] = rng.choice(OPS)
    elif r == 2:                                  # read something later, or nothing
        later = [o for o in names if o.startswith("t")] + ["", "nowhere"]
        if n[1]:
            n[1][rng.randrange(len(n[1]))] = rng.choice(later)
        else:
            n[1].append(rng.choice(later))
    elif r == 3:                                  # write a name already taken
        n[2][0] = rng.choice(names)
    elif r == 4 and inits:                        # an initializer's shape, type or data
        t = rng.choice(inits)
        t[1] = [rng.choice(BIG) if rng.random() < 0.3 else d for d in t[1]] \
            if rng.random() < 0.5 else shape(rng.randint(0, 5))
        t[1] = [d if isinstance(d, int) else 1 for d in t[1]]
        if rng.random() < 0.3:
            t[2] = t[2][:rng.randrange(len(t[2]) + 1)]
    elif r == 5:                                  # the input's shape
        m["in"][1] = [dim() for _ in range(rng.choice([2, 3, 4, 4, 5]))]
    elif r == 6:                                  # the opset
        m["opset"] = rng.choice([1, 7, 9, 11, 18, 21, 22, 99, 0, -5])
    elif r == 7:                                  # the outputs
        m["out"] = rng.choice([[], ["x"], ["nowhere"], names[-2:], [names[1]]])
    elif r == 8:                                  # raw, external, odd-typed data
        m["special"] = rng.randrange(len(inits) + 1)
    elif r == 9:                                  # node inputs added or removed
        if rng.random() < 0.5 and n[1]:
            n[1].pop()
        else:
            n[1].append(rng.choice(names))
    elif r == 10:                                 # names made to collide
        n[3] = rng.choice(["input", "Conv.1", "conv-1", "CONV_1", "", "/a/b/Conv", "x",
                           "network", "9lives", "a" * 200])
    else:                                         # a node dropped
        if len(nodes) > 1:
            nodes.remove(n)


def hostile_model():
    m = base_model()
    for _ in range(rng.choice([0, 1, 1, 1, 2, 3])):
        mutate_model(m)
    inits = []
    for j, (name, dims, vals) in enumerate(m["inits"]):
        if m.get("special") == j:
            inits.append(initializer(name))
        else:
            inits.append(tensor(name, dims, floats=vals))
    nodes = [node(op, ins, outs, name, at) for op, ins, outs, name, at in m["nodes"]]
    outs = [value_info(o, [1]) for o in m["out"]]
    g = graph(nodes, [value_info(*m["in"])], outs, inits)
    if rng.random() < 0.02:       # a long chain
        g = graph([node("Relu", ["x" if i == 0 else "t%d" % (i - 1)], ["t%d" % i], "r%d" % i)
                   for i in range(rng.randint(1000, 5000))], [value_info(*m["in"])],
                  [value_info("t0", [1])], inits)
    data = model(g, m["opset"])
    if rng.random() < 0.03:
        data = data[:rng.randrange(len(data))]                  # truncated
    return data


def hostile_npy(base_shape):
    descr = rng.choice(["<f4"] * 12 + ["<f8", "|i1", "<i2", "<i4", "<i8"] * 2 +
                       [">f4", "<f2", "|b1", "<c8", "O", "<U4", "", "<f4'", "[('a', '<f4')]"])
    shp = list(base_shape)
    r = rng.random()
    if r < 0.2:
        shp[rng.randrange(len(shp))] = rng.choice(BIG[:-1])
    elif r < 0.4:
        shp = shape()
    elif r < 0.45:
        shp = [rng.randint(1, 3) for _ in range(rng.randint(9, 12))]
    fortran = rng.choice(["False"] * 20 + ["True", "0", "None"])
    st = "(" + ", ".join(str(d) if isinstance(d, int) else "'N'" for d in shp) + \
        ("," if len(shp) == 1 else "") + ")"
    keys = ["'descr': '%s'" % descr if not descr.startswith("[") else "'descr': " + descr,
            "'fortran_order': %s" % fortran, "'shape': %s" % st]
    if rng.random() < 0.04:
        keys.append(rng.choice(["'shape': (1,)", "'extra': 1", "'descr': '<f4'"]))
    if rng.random() < 0.04:
        keys.remove(rng.choice(keys))
    rng.shuffle(keys)
    hdr = "{" + ", ".join(keys) + ", }"
    hdr += " " * ((64 - (len(hdr) + 11) % 64) % 64) + "\n"
    ver = rng.choice([1] * 12 + [2, 3, 0, 4])
    hb = hdr.encode()
    hlen = len(hb)
    if rng.random() < 0.05:
        hlen = rng.choice([0, 1, hlen - 1, hlen + 1, 65535, (1 << 32) - 1 if ver > 1 else 65535])
    pre = b"\x93NUMPY" + bytes([ver, 0])
    pre += struct.pack("<H", hlen & 0xFFFF) if ver < 2 else struct.pack("<I", hlen & 0xFFFFFFFF)
    n = 1
    for d in shp:
        n *= d if isinstance(d, int) and 0 <= d < (1 << 16) else 1
    size = {"<f8": 8, "<i8": 8, "|i1": 1, "<i2": 2}.get(descr, 4)
    if descr in ("<f4", "<f8"):
        vals = [rng.choice([rng.uniform(-2, 2), rng.uniform(-1e9, 1e9), float("nan"),
                            float("inf"), 0.0]) if rng.random() < 0.02 else rng.uniform(-1, 1)
                for _ in range(min(n, 1 << 14))]
        body = struct.pack("<%d%s" % (len(vals), "f" if descr == "<f4" else "d"), *vals)
    else:
        body = bytes(rng.randrange(256) for _ in range(min(n * size, 1 << 16)))
    if rng.random() < 0.15:
        body = body[:rng.randrange(len(body) + 1)] + bytes(rng.randint(0, 9))
    return pre + hb + body


if nnc is None:
    for k in range(count):
        with open(os.path.join(sys.argv[2], "gen%04d.onnx" % k), "wb") as f:
            f.write(hostile_model())
    sys.exit(0)

passed = failed = 0
outcomes = {}                 # (kind, exit code) -> count: how far the inputs get
firsts = {}                   # the first error's text, without names -> count
tmp = tempfile.mkdtemp()
for k in range(count):
    work = os.path.join(tmp, str(k))
    os.makedirs(work)
    if k % 2 == 0:
        path = os.path.join(work, "m.onnx")
        open(path, "wb").write(hostile_model())
        cmds = [[nnc, "import", path, "-o", os.path.join(work, "y.nn"),
                 "--weights-out", os.path.join(work, "y_w")]]
        follow = [nnc, "check", os.path.join(work, "y.nn")]
    else:
        wdir = os.path.join(work, "w")
        shutil.copytree("tests/errors/data/w_ok", wdir)
        which = rng.choice(["x", "c1.weight", "f1.weight", "c1.bias"])
        base = {"x": rng.choice([[1, 4, 4], [3, 1, 4, 4]]), "c1.weight": [2, 1, 3, 3],
                "f1.weight": [2, 8], "c1.bias": [2]}[which]
        target = os.path.join(work, "x.npy") if which == "x" else os.path.join(wdir, which + ".npy")
        open(target, "wb").write(hostile_npy(base))
        inp = target if which == "x" else "tests/errors/data/x_ok.npy"
        cmds = [[nnc, "run", "tests/errors/data/net.nn", "--weights", wdir, "--input", inp,
                 "-o", os.path.join(work, "y.npy")]]
        follow = None
    problem = None
    for cmd in cmds:
        try:
            r = subprocess.run(cmd, capture_output=True, timeout=60)
        except subprocess.TimeoutExpired:
            problem = "timeout"
            break
        err = r.stderr.decode(errors="replace")
        kind = "onnx" if k % 2 == 0 else "npy"
        outcomes[(kind, r.returncode)] = outcomes.get((kind, r.returncode), 0) + 1
        line = next((x for x in err.splitlines() if "error:" in x), "")
        key = kind + ": " + line.split("error:", 1)[-1].split("'")[0][:50].strip()
        firsts[key] = firsts.get(key, 0) + 1
        left = [f for f in os.listdir(work) if f.startswith("y") or ".tmp" in f]
        if r.returncode not in (0, 1):
            problem = f"exit {r.returncode}"
        elif r.returncode == 1 and "error:" not in err:
            problem = "exit 1 without an error message"
        elif r.returncode == 1 and left:
            problem = f"left {left} behind"
        elif r.returncode == 0 and follow:
            r2 = subprocess.run(follow, capture_output=True, timeout=60)
            if r2.returncode != 0:
                problem = "nnc check refused what nnc import wrote: " + r2.stderr.decode()[:300]
    if problem:
        failed += 1
        keep = os.path.join("build", "hostile", str(k))
        shutil.rmtree(keep, ignore_errors=True)
        shutil.copytree(work, keep)
        print(f"    FAIL case {k}: {problem}; kept in {keep}: {' '.join(cmd)}")
        print("        " + err.strip().replace("\n", "\n        ")[:600])
    else:
        passed += 1
    shutil.rmtree(work)
shutil.rmtree(tmp)
if os.environ.get("HOSTILE_STATS"):
    for (kind, rc), n in sorted(outcomes.items()):
        print(f"  {kind} exit {rc}: {n}")
    for key, n in sorted(firsts.items(), key=lambda kv: -kv[1])[:40]:
        print(f"  {n:5d}  {key}")
print(f"hostile ONNX/.npy (seed {seed}): {passed} passed, {failed} failed")
if len(sys.argv) > 4:
    subprocess.run(["sh", "tests/report.sh", sys.argv[4], f"hostile ONNX/.npy ({count}, seed {seed})",
                    str(passed), str(failed)], stdout=sys.stdout)
sys.exit(1 if failed else 0)
