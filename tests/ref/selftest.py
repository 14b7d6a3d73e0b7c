#!/usr/bin/python3
"""selftest.py: check nnref.py against hand-worked tiny networks and against a
plain-loop, Python-int evaluation of random generated networks.

    /usr/bin/python3 tests/ref/selftest.py        # prints "N passed, M failed"
"""

import os
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True       # no __pycache__ in the source tree
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "fuzz"))

import nnref      # noqa: E402

PASSED = 0
FAILED = 0
TMP = tempfile.mkdtemp(prefix="nnref-selftest-")


def check(name, got, want):
    global PASSED, FAILED
    got = np.asarray(got)
    want = np.asarray(want)
    if got.shape == want.shape and np.array_equal(got.astype(object), want.astype(object)):
        PASSED += 1
    else:
        FAILED += 1
        print("FAIL %s:\n  got  %s\n  want %s" % (name, got.tolist(), want.tolist()))


def run_net(name, text, x, weights, extra=()):
    """Write the case, run nnref's command line, return (output, layer dumps, net)."""
    d = os.path.join(TMP, name)
    os.makedirs(os.path.join(d, "w"), exist_ok=True)
    with open(os.path.join(d, "net.nn"), "w") as fh:
        fh.write(text)
    for k, v in weights.items():
        np.save(os.path.join(d, "w", k + ".npy"), v)
    np.save(os.path.join(d, "x.npy"), x)
    rc = nnref.main([os.path.join(d, "net.nn"), "--weights", os.path.join(d, "w"),
                     "--input", os.path.join(d, "x.npy"), "-o", os.path.join(d, "y.npy"),
                     "--dump-layers", os.path.join(d, "layers"), "-q"] + list(extra))
    if rc != 0:
        return None, None, None
    net = nnref.load_net(os.path.join(d, "net.nn"))
    dumps = {L.name: np.load(os.path.join(d, "layers", L.name + ".npy")) for L in net.layers}
    return np.load(os.path.join(d, "y.npy")), dumps, net


def i32(a):
    return np.array(a, dtype=np.int32)


def i64(a):
    return np.array(a, dtype=np.int64)


# --------------------------------------------------------------------------
# Hand-worked cases (expected values computed by hand in the comments)

def case_rounding():
    # acc = x * 1 with Facc = 0 + 1 = 1, out F = 0: s = 1
    # nearest: (acc + 1) >> 1: 3 -> 2, -3 -> -1, 1 -> 1, -1 -> 0, 5 -> 3, -5 -> -2
    # floor:    acc >> 1:      3 -> 1, -3 -> -2, 1 -> 0, -1 -> -1, 5 -> 2, -5 -> -3
    x = i32([[[3, -3, 1, -1, 5, -5]]])
    for rnd, want in (("nearest", [2, -1, 1, 0, 3, -2]), ("floor", [1, -2, 0, -1, 2, -3])):
        text = """network t { input x [1, 1, 6] fixed<8,0>;
            conv c : filters = 1, kernel = 1, weight = fixed<8,1>, bias = none,
                     out = fixed<8,0>, round = %s; }""" % rnd
        y, _, _ = run_net("round_" + rnd, text, x, {"c.weight": i32([[[[1]]]])})
        check("rounding at .5, %s" % rnd, y, [[want]])


def case_shift_left_and_saturation():
    # acc = 2x, Facc = 0, out fixed<8,2>: s = -2, y = acc * 4 then sat8
    # [100, -100, 3, -3, 16, -16] -> [800, -800, 24, -24, 128, -128] -> [127, -128, 24, -24, 127, -128]
    text = """network t { input x [1, 1, 6] fixed<8,0>;
        conv c : filters = 1, kernel = 1, weight = fixed<8,0>, bias = none, out = fixed<8,2>; }"""
    y, _, _ = run_net("shl", text, i32([[[100, -100, 3, -3, 16, -16]]]), {"c.weight": i32([[[[2]]]])})
    check("s < 0 and saturation at both rails", y, [[[127, -128, 24, -24, 127, -128]]])
    # s = 0: y = sat(acc)
    text = text.replace("fixed<8,2>", "fixed<6,0>")
    y, _, _ = run_net("s0", text, i32([[[100, -100, 3, -3, 16, -16]]]), {"c.weight": i32([[[[2]]]])})
    check("s = 0 saturates to fixed<6,0>", y, [[[31, -32, 6, -6, 31, -32]]])


def case_relu6():
    # out fixed<8,3>: cap = 6 * 8 = 48; s = 0 (x fixed<8,3>, w fixed<8,0> = 1)
    text = """network t { input x [1, 1, 5] fixed<8,3>;
        conv c : filters = 1, kernel = 1, weight = fixed<8,0>, bias = none, out = fixed<8,3>, act = relu6; }"""
    y, _, _ = run_net("relu6a", text, i32([[[60, 48, 47, -5, 127]]]), {"c.weight": i32([[[[1]]]])})
    check("relu6 cap 48", y, [[[48, 48, 47, 0, 48]]])
    # out fixed<8,-1>: cap = floor(6 / 2) = 3; s = 1 nearest: [10,4,-4,2,7] -> [5,2,-2,1,4] -> [3,2,0,1,3]
    text = """network t { input x [1, 1, 5] fixed<8,0>;
        conv c : filters = 1, kernel = 1, weight = fixed<8,0>, bias = none, out = fixed<8,-1>, act = relu6; }"""
    y, _, _ = run_net("relu6b", text, i32([[[10, 4, -4, 2, 7]]]), {"c.weight": i32([[[[1]]]])})
    check("relu6 cap 3 (negative Fo)", y, [[[3, 2, 0, 1, 3]]])
    # out fixed<4,4>: 6 * 16 = 96 saturates to 7, so relu6 = relu with sat: s = 4 - 4 = 0
    text = """network t { input x [1, 1, 4] fixed<8,4>;
        conv c : filters = 1, kernel = 1, weight = fixed<8,0>, bias = none, out = fixed<4,4>, act = relu6; }"""
    y, _, _ = run_net("relu6c", text, i32([[[100, 6, -3, 7]]]), {"c.weight": i32([[[[1]]]])})
    check("relu6 cap saturated to 7", y, [[[7, 6, 0, 7]]])
    # Fo = -3: cap = floor(6/8) = 0, everything 0
    text = """network t { input x [1, 1, 3] fixed<8,0>;
        conv c : filters = 1, kernel = 1, weight = fixed<8,0>, bias = none, out = fixed<8,-3>, act = relu6; }"""
    y, _, _ = run_net("relu6d", text, i32([[[100, 8, -3]]]), {"c.weight": i32([[[[1]]]])})
    check("relu6 cap 0", y, [[[0, 0, 0]]])


def case_negative_fraction_bits():
    # x fixed<6,-2> [5, -7]; w fixed<4,-1> = 3: Facc = -3; bias fixed<6,-5> = 2 adds 2 << 2 = 8
    # acc = [23, -13]; out fixed<8,-5>: s = 2
    # nearest: (23+2)>>2 = 6, (-13+2)>>2 = -3;  floor: 23>>2 = 5, -13>>2 = -4
    for rnd, want in (("nearest", [6, -3]), ("floor", [5, -4])):
        text = """network t { input x [1, 1, 2] fixed<6,-2>;
            conv c : filters = 1, kernel = 1, weight = fixed<4,-1>, bias = fixed<6,-5>,
                     out = fixed<8,-5>, round = %s; }""" % rnd
        y, _, _ = run_net("negf_" + rnd, text, i32([[[5, -7]]]),
                          {"c.weight": i32([[[[3]]]]), "c.bias": i64([2])})
        check("negative fraction bits, %s" % rnd, y, [[want]])
    # fraction bits above the width: x fixed<4,10> [7, -8], w fixed<3,6> = -4: Facc = 16,
    # acc = [-28, 32]; out fixed<6,14>: s = 2 nearest: (-28+2)>>2 = -7, (32+2)>>2 = 8
    text = """network t { input x [1, 1, 2] fixed<4,10>;
        conv c : filters = 1, kernel = 1, weight = fixed<3,6>, bias = none, out = fixed<6,14>; }"""
    y, _, _ = run_net("bigf", text, i32([[[7, -8]]]), {"c.weight": i32([[[[-4]]]])})
    check("fraction bits above the width", y, [[[-7, 8]]])


def case_avgpool():
    # n = 6: P = 16 + 3 = 19, M = floor(2^19/6 + 1/2) = 87381
    # sum 21: (21*87381 + 2^18) >> 19 = 2097145 >> 19 = 3   (3.5 rounds down: M < 2^19/6)
    # sum -21: (-1835001 + 262144) >> 19 = -1572857 >> 19 = -3
    # sum 3: (262143 + 262144) >> 19 = 0 ; sum -3: 1 >> 19 = 0 ;
    # sum 27: (2359287 + 262144) >> 19 = 2621431 >> 19 = 4   (4.5 rounds down too)
    text = """network t { input x [5, 2, 3] fixed<8,0>;
        avgpool a : size = [2, 3]; }"""
    x = i32([[[1, 2, 3], [4, 5, 6]], [[-1, -2, -3], [-4, -5, -6]], [[1, 1, 1], [0, 0, 0]],
             [[-1, -1, -1], [0, 0, 0]], [[4, 5, 6], [4, 4, 4]]])
    y, _, _ = run_net("avg6", text, x, {})
    check("avgpool n=6", y, [[[3]], [[-3]], [[0]], [[0]], [[4]]])
    # global over 2x2: n = 4, P = 18, M = 65536: sum 2 -> 1 (0.5 rounds up), sum -2 -> 0,
    # sum -6 -> -1 (-1.5 -> -1), sum 508 -> 127
    text = """network t { input x [4, 2, 2] fixed<8,3>;
        avgpool g : global = true; }"""
    x = i32([[[1, 1], [0, 0]], [[-1, -1], [0, 0]], [[-3, -3], [0, 0]], [[127, 127], [127, 127]]])
    y, _, _ = run_net("gavg", text, x, {})
    check("global avgpool n=4", y, [[[1]], [[0]], [[-1]], [[127]]])
    # windowed 2x2 stride 1 on [1,3,3], then out fixed<8,5> (s = 3 - 5 = -2: y*4, sat)
    # x = [[0,4,8],[2,6,10],[1,3,5]]: windows sums 12, 28, 12, 24 -> avg 3, 7, 3, 6 -> *4: 12, 28, 12, 24
    text = """network t { input x [1, 3, 3] fixed<8,3>;
        avgpool a : size = 2, stride = 1, out = fixed<8,5>; }"""
    y, _, _ = run_net("avgout", text, i32([[[0, 4, 8], [2, 6, 10], [1, 3, 5]]]), {})
    check("avgpool stride 1 with out (s<0)", y, [[[12, 28], [12, 24]]])
    # out fixed<4,2> floor: s = 1: avg [3,7,3,6] -> [1,3,1,3]; nearest -> [2,4,2,3]
    for rnd, want in (("floor", [[1, 3], [1, 3]]), ("nearest", [[2, 4], [2, 3]])):
        text = """network t { input x [1, 3, 3] fixed<8,3>;
            avgpool a : size = 2, stride = 1, out = fixed<4,2>, round = %s; }""" % rnd
        y, _, _ = run_net("avgout_" + rnd, text, i32([[[0, 4, 8], [2, 6, 10], [1, 3, 5]]]), {})
        check("avgpool out fixed<4,2> %s" % rnd, y, [want])
    # the default's round reaches avgpool, its out does not
    text = """network t { input x [1, 3, 3] fixed<8,3>;
        default round = floor, out = fixed<4,0>;
        avgpool a : size = 2, stride = 1, out = fixed<4,2>;
        avgpool b (x) : size = 2, stride = 1; }"""
    y, d, net = run_net("avg_default", text, i32([[[0, 4, 8], [2, 6, 10], [1, 3, 5]]]), {})
    check("avgpool takes the default round", d["a"], [[[1, 3], [1, 3]]])
    check("avgpool ignores the default out", d["b"], [[[3, 7], [3, 6]]])
    check("avgpool ignores the default out (format)", net.info["b"][1], (8, 3))


def case_maxpool_pad():
    # pad cells count as -8 (fixed<4,0>); windows 2x2 stride 2 over the padded 5x5
    text = """network t { input x [1, 3, 3] fixed<4,0>;
        maxpool p : size = 2, pad = 1; }"""
    x = i32([[[-5, -4, -3], [-2, -1, -6], [-7, -8, -7]]])
    y, _, _ = run_net("maxpad", text, x, {})
    check("maxpool pad counts as -2^(W-1)", y, [[[-5, -3], [-2, -1]]])
    # rectangular size [1,3], stride 1, pad [0,1], on [[1,-2,3,-4]] -> [1,3,3,3]
    text = """network t { input x [1, 1, 4] fixed<4,0>;
        maxpool p : size = [1, 3], stride = 1, pad = [0, 1]; }"""
    y, _, _ = run_net("maxrect", text, i32([[[1, -2, 3, -4]]]), {})
    check("maxpool rectangular", y, [[[1, 3, 3, 3]]])


def case_groups_fc_bias():
    # conv groups = 2, kernel 1: ch0 = x0 * 1, ch1 = x1 * 10 -> [1,2], [30,40]
    # fc flattens C,H,W: [1,2,30,40] . [1,2,3,4] = 255; bias -5 (default fixed<16,0>) -> 250
    text = """network t { input x [2, 1, 2] fixed<8,0>;
        default weight = fixed<8,0>, out = fixed<16,0>;
        conv c : filters = 2, kernel = 1, groups = 2;
        fc f : units = 2; }"""
    w = {"c.weight": i32([[[[1]]], [[[10]]]]), "c.bias": i64([0, 0]),
         "f.weight": i32([[1, 2, 3, 4], [0, 0, 0, -1]]), "f.bias": i64([-5, 7])}
    y, d, net = run_net("groups", text, i32([[[1, 2]], [[3, 4]]]), w)
    check("conv groups", d["c"], [[[1, 2]], [[30, 40]]])
    check("fc flatten order and bias", y, [250, -33])
    check("default bias format", [L.bfmt for L in net.layers], [(16, 0), (24, 0)])
    # depthwise 3x3 with pad 1 on [2,2,2], multiplier 2 (F = 4): group g = f // 2 sees channel g
    text = """network t { input x [2, 2, 2] fixed<8,0>;
        conv d : filters = 4, kernel = 3, pad = 1, groups = 2, weight = fixed<8,0>, bias = none,
                 out = fixed<16,0>; }"""
    ones = np.ones((4, 1, 3, 3), dtype=np.int32)
    ones[1] *= 2
    ones[3] *= -1
    x = i32([[[1, 2], [3, 4]], [[5, 6], [7, 8]]])
    # every output sums the whole 2x2 map (3x3 window with pad 1 covers it): 10 and 26
    y, _, _ = run_net("depthwise", text, x, {"d.weight": ones})
    check("depthwise groups", y, [np.full((2, 2), 10), np.full((2, 2), 20),
                                  np.full((2, 2), 26), np.full((2, 2), -26)])


def case_after_fc():
    # fc output is [units]; what follows sees [units,1,1]: relu [3,1,1], conv 1x1 [2,1,1]
    # f = [1+2, -1+0, 0-6] = [3,-1,-6]; relu [3,0,0]; c = [3+0+0, 2*3-0+0] = [3,6];
    # add (r, r) = [6,0,0]
    text = """network t { input x [1, 1, 2] fixed<8,0>;
        default weight = fixed<8,0>, out = fixed<16,0>, bias = none;
        fc f : units = 3;
        relu r;
        conv c : filters = 2, kernel = 1;
        add a (r, r); }"""
    w = {"f.weight": i32([[1, 1], [-1, 0], [0, -3]]), "c.weight": i32([[[[1]], [[1]], [[1]]],
                                                                       [[[2]], [[-1]], [[5]]]])}
    y, d, _ = run_net("afterfc", text, i32([[[1, 2]]]), w)
    check("fc dump is [units]", d["f"], [3, -1, -6])
    check("relu after fc is [units,1,1]", d["r"], [[[3]], [[0]], [[0]]])
    check("conv after fc", d["c"], [[[3]], [[6]]])
    check("add after fc", y, [[[6]], [[0]], [[0]]])


def case_stride_pad_rect():
    # conv kernel [1,2], stride 2, pad [0,1] on [[1,2,3,4,5]]: padded 0,1,2,3,4,5,0
    # width out = (5 + 2 - 2)//2 + 1 = 3: windows (0,1), (2,3), (4,5) with weights [1, 10]
    text = """network t { input x [1, 1, 5] fixed<8,0>;
        conv c : filters = 1, kernel = [1, 2], stride = 2, pad = [0, 1], weight = fixed<8,0>,
                 bias = none, out = fixed<16,0>; }"""
    y, _, _ = run_net("rect", text, i32([[[1, 2, 3, 4, 5]]]), {"c.weight": i32([[[[1, 10]]]])})
    check("rectangular kernel, stride, pad", y, [[[10, 32, 54]]])


def case_residual_add():
    # x fixed<8,2> [1,-6,3,20]; c = x*1 to fixed<8,0>: s = 2: (x+2)>>2 = [0,-1,1,5]
    # add (x, c): Fm = 2, c<<2 = [0,-4,4,20]; sum [1,-10,7,40]; out fixed<4,1>: s = 1 nearest
    # -> [1,-5,4,20] -> sat4 [1,-5,4,7] -> relu [1,0,4,7]
    text = """network t { input x [1, 1, 4] fixed<8,2>;
        conv c : filters = 1, kernel = 1, weight = fixed<8,0>, bias = none, out = fixed<8,0>;
        add a (x, c) : out = fixed<4,1>, act = relu; }"""
    y, d, _ = run_net("residual", text, i32([[[1, -6, 3, 20]]]), {"c.weight": i32([[[[1]]]])})
    check("residual conv", d["c"], [[[0, -1, 1, 5]]])
    check("residual add", y, [[[1, 0, 4, 7]]])
    # default round = floor applies to add: floor -> [0,-5,3,20] -> [0,-5,3,7] -> relu [0,0,3,7]
    text = text.replace("network t {", "network t { default round = floor;").replace(
        "out = fixed<8,0>;", "out = fixed<8,0>, round = nearest;")
    y, _, _ = run_net("residual_floor", text, i32([[[1, -6, 3, 20]]]), {"c.weight": i32([[[[1]]]])})
    check("add takes the default round", y, [[[0, 0, 3, 7]]])


def case_defaults_and_output():
    # cumulative defaults; relu layer; maxpool keeps its format; output names a middle layer
    text = """// comment
    # another
    network t {
        input x [1, 2, 2] fixed<8,0>;   // trailing
        default out = fixed<6,1>, act = relu;
        conv c : filters = 1, kernel = 1, weight = fixed<8,0>, bias = none;
        default round = floor;
        maxpool p : size = 2;
        conv e : filters = 1, kernel = 1, weight = fixed<8,0>, bias = none, act = none;
        relu r;
        output c;
    }"""
    # c: acc = x (Facc 0), out F 1: s = -1: x*2 -> sat6 -> relu: [3,-2,20,40] -> [6,0,31,31]
    y, d, net = run_net("defaults", text, i32([[[3, -2], [20, 40]]]), {"c.weight": i32([[[[1]]]]),
                                                                        "e.weight": i32([[[[-1]]]])})
    check("output names a middle layer", y, [[[6, 0], [31, 31]]])
    check("maxpool keeps the format", net.info["p"][1], (6, 1))
    # e: input fixed<6,1> = 31, w -1: acc -31 with Facc 1, out fixed<6,1>: -31, act none
    check("cumulative defaults, act overridden", d["e"], [[[-31]]])
    check("relu layer", d["r"], [[[0]]])
    check("formats", [net.info[n][1] for n in ("c", "p", "e", "r")], [(6, 1)] * 4)


def case_wide_accumulator():
    # products up to 2^62 plus a shifted bias: exact 64-bit edge handling
    text = """network t { input x [1, 1, 3] fixed<32,0>;
        conv c : filters = 3, kernel = 1, weight = fixed<32,0>, bias = fixed<32,-30>,
                 out = fixed<32,%d>, round = %s; }"""
    x = i32([[[-2 ** 31, -2 ** 31, 5]]])
    w = i32([[[[-2 ** 31]]], [[[2 ** 31 - 1]]], [[[-1]]]])
    b = i64([2 ** 31 - 1, -2 ** 31, 0])
    accs = [2 ** 62 + (2 ** 31 - 1) * 2 ** 30,          # filter 0 on x[0]
            -2 ** 31 * (2 ** 31 - 1) - 2 ** 61,          # filter 1 on x[1]
            -5]                                           # filter 2 on x[2]
    # out F -31 (s = 31), -62 (s = 62), -70 (s = 70), 5 (s = -5)
    for fo in (-31, -62, -70, 5):
        for rnd in ("nearest", "floor"):
            y, d, _ = run_net("wide%d%s" % (-fo, rnd), text % (fo, rnd), x,
                              {"c.weight": w, "c.bias": b})
            s = -fo
            want = []
            for f in range(3):
                a = [[accs[0], None, None], [None, accs[1], None], [None, None, accs[2]]][f]
                row = []
                for i in range(3):
                    acc = (int(x[0, 0, i]) * int(w[f, 0, 0, 0])) + (int(b[f]) << 30)
                    if a[i] is not None:
                        assert acc == a[i]
                    if s > 0:
                        v = (acc + (1 << (s - 1))) >> s if rnd == "nearest" else acc >> s
                    else:
                        v = acc << (-s)
                    row.append(max(-2 ** 31, min(2 ** 31 - 1, v)))
                want.append([row])
            check("wide accumulator s=%d %s" % (s, rnd), y, want)
    # spot values worked by hand: s = 62 nearest, filter 1 at x[1]: acc = -1.5*2^62 + 2^31 -> -1
    y, _, _ = run_net("wide_spot", text % (-62, "nearest"), x, {"c.weight": w, "c.bias": b})
    check("s=62 nearest at -1.5+", y[1, 0, 1], -1)


def case_float_quantization():
    # q = sat(floor(x * 2^F + 0.5)): F = 2: 0.125 -> floor(1.0) = 1, -0.125 -> floor(0) = 0,
    # 0.375 -> floor(2.0) = 2, -0.375 -> floor(-1.0) = -1, 100 -> 127, -100 -> -128
    # F = -1 weights: 3.0 -> floor(2.0) = 2 (raw 2 = 4.0), -1.0 -> floor(0) = 0, 1.0 -> floor(1) = 1
    text = """network t { input x [1, 1, 6] fixed<8,2>;
        conv c : filters = 3, kernel = 1, weight = fixed<4,-1>, bias = fixed<8,1>,
                 out = fixed<16,1>; }"""
    x = np.array([[[0.125, -0.125, 0.375, -0.375, 100.0, -100.0]]], dtype=np.float32)
    w = np.array([3.0, -1.0, 1.0], dtype=np.float32).reshape(3, 1, 1, 1)
    b = np.array([0.25, -0.25, 1000.0], dtype=np.float32)   # F=1: 0.5->floor(1.0)=1, -0.5->0, sat 127
    # Facc = 2 + -1 = 1 = Fb: acc = xq * wq + bq; out F 1: s = 0
    xq = np.array([1, 0, 2, -1, 127, -128])
    want = [[xq * 2 + 1], [xq * 0 + 0], [xq * 1 + 127]]
    y, _, _ = run_net("floatq", text, x, {"c.weight": w, "c.bias": b})
    check("float quantization (ties, saturation, negative F)", y, want)


# --------------------------------------------------------------------------
# Plain-loop, Python-int evaluation of generated networks

def sat_i(v, w):
    return max(-(1 << (w - 1)), min((1 << (w - 1)) - 1, v))


def requant_i(acc, s, w, mode):
    if s > 0:
        v = (acc + (1 << (s - 1))) >> s if mode == "nearest" else acc >> s
    else:
        v = acc << (-s)
    return sat_i(v, w)


def act_i(v, act, fmt):
    if act in ("relu", "relu6"):
        v = max(v, 0)
    if act == "relu6":
        w, f = fmt
        cap = int(np.floor(6 * 2.0 ** f))
        v = min(v, sat_i(cap, w))
    return v


def plain_layer(L, ins, params):
    """ins: list of nested Python lists [C][H][W] or [units]; returns the same."""
    x = ins[0]
    if L.kind == "conv":
        wq, bq = params[L.name]
        C, H, W = L.in_shape
        F, Ho, Wo = L.out_shape
        kh, kw = L.kernel
        sh, sw = L.stride
        ph, pw = L.pad
        Cg, Fg = C // L.groups, F // L.groups
        out = []
        for f in range(F):
            g = f // Fg
            plane = []
            for oy in range(Ho):
                row = []
                for ox in range(Wo):
                    acc = 0
                    for c in range(Cg):
                        for ky in range(kh):
                            for kx in range(kw):
                                iy, ix = oy * sh + ky - ph, ox * sw + kx - pw
                                if 0 <= iy < H and 0 <= ix < W:
                                    acc += x[g * Cg + c][iy][ix] * int(wq[f, c, ky, kx])
                    if bq is not None:
                        acc += int(bq[f]) * 2 ** (L.facc - L.bfmt[1])
                    row.append(act_i(requant_i(acc, L.facc - L.ofmt[1], L.ofmt[0], L.round),
                                     L.act, L.ofmt))
                plane.append(row)
            out.append(plane)
        return out
    if L.kind == "fc":
        wq, bq = params[L.name]
        flat = list(np.array(x, dtype=object).ravel())
        out = []
        for u in range(L.out_shape[0]):
            acc = sum(int(a) * int(w) for a, w in zip(flat, wq[u]))
            if bq is not None:
                acc += int(bq[u]) * 2 ** (L.facc - L.bfmt[1])
            out.append([[act_i(requant_i(acc, L.facc - L.ofmt[1], L.ofmt[0], L.round), L.act, L.ofmt)]])
        return out                      # [units][1][1]: what follows sees a 1x1 map
    if L.kind in ("maxpool", "avgpool"):
        C, H, W = L.in_shape
        _, Ho, Wo = L.out_shape
        kh, kw = L.kernel
        sh, sw = L.stride
        ph, pw = L.pad if L.kind == "maxpool" else (0, 0)
        lo = -(1 << (L.in_fmt[0] - 1))
        n = kh * kw
        P = 16 + int(np.ceil(np.log2(n))) if n > 1 else 16
        M = int(np.floor(2.0 ** P / n + 0.5))
        out = []
        for c in range(C):
            plane = []
            for oy in range(Ho):
                row = []
                for ox in range(Wo):
                    cells = []
                    for ky in range(kh):
                        for kx in range(kw):
                            iy, ix = oy * sh + ky - ph, ox * sw + kx - pw
                            inside = 0 <= iy < H and 0 <= ix < W
                            cells.append(x[c][iy][ix] if inside else lo)
                    if L.kind == "maxpool":
                        row.append(max(cells))
                    else:
                        v = (sum(cells) * M + 2 ** (P - 1)) // 2 ** P
                        if L.ofmt is not None:
                            v = requant_i(v, L.in_fmt[1] - L.ofmt[1], L.ofmt[0], L.round)
                        else:
                            v = sat_i(v, L.in_fmt[0])
                        row.append(v)
                plane.append(row)
            out.append(plane)
        return out
    if L.kind == "relu":
        return np.maximum(np.array(x, dtype=object), 0).tolist()
    if L.kind == "add":
        a = np.array(x, dtype=object)
        b = np.array(ins[1], dtype=object)
        fa, fb = L.in_fmt[1], L.in_fmt2[1]
        fm = max(fa, fb)
        s = a * 2 ** (fm - fa) + b * 2 ** (fm - fb)
        f = np.vectorize(lambda v: act_i(requant_i(int(v), fm - L.ofmt[1], L.ofmt[0], L.round),
                                         L.act, L.ofmt), otypes=[object])
        return f(s).tolist()
    raise AssertionError(L.kind)


def macs(net):
    t = 0
    for L in net.layers:
        if L.kind in ("conv", "fc"):
            t += L.n * int(np.prod(L.out_shape))
        elif L.kind in ("maxpool", "avgpool"):
            t += L.kernel[0] * L.kernel[1] * int(np.prod(L.out_shape))
    return t


def case_random_plain_loops(budget_s=4.0):
    import time
    import gen_net
    import golden_diff
    t0 = time.time()
    seed, done = 0, 0
    while time.time() - t0 < budget_s and seed < 3000:
        seed += 1
        text = gen_net.generate(seed)
        d = os.path.join(TMP, "rand%d" % seed)
        os.makedirs(d, exist_ok=True)
        p = os.path.join(d, "net.nn")
        with open(p, "w") as fh:
            fh.write(text)
        net = nnref.load_net(p)
        if macs(net) > 60000:
            continue
        rng = np.random.default_rng(seed)
        mode = ("float", "int")[seed % 2]
        x = golden_diff.make_input(net, rng, mode)[:1]
        golden_diff.make_weights(net, rng, mode, os.path.join(d, "w"))
        np.save(os.path.join(d, "x.npy"), x[0])
        rc = nnref.main([p, "--weights", os.path.join(d, "w"), "--input", os.path.join(d, "x.npy"),
                         "-o", os.path.join(d, "y.npy"), "--dump-layers", os.path.join(d, "l"), "-q"])
        if rc != 0:
            check("seed %d ran" % seed, rc, 0)
            continue
        params = nnref.load_params(net, os.path.join(d, "w"), warn=False)
        xq = nnref.to_fixed(x[0], net.input_fmt, "x", warn=False)
        vals = {net.input_name: np.asarray(xq, dtype=object).tolist()}
        ok = True
        for L in net.layers:
            vals[L.name] = plain_layer(L, [vals[s] for s in L.srcs], params)
            got = np.load(os.path.join(d, "l", L.name + ".npy"))
            want = np.array(vals[L.name], dtype=object)
            if L.kind == "fc":           # an fc layer's file is [units]
                want = want.reshape(-1)
            if got.shape != want.shape or not np.array_equal(got.astype(object), want):
                check("plain loops, seed %d layer %s" % (seed, L.name), got, want)
                ok = False
                break
        if ok:
            y = np.load(os.path.join(d, "y.npy"))
            want = np.array(vals[net.out_name], dtype=object)
            if net.out_name in net.info and any(L.name == net.out_name and L.kind == "fc"
                                                for L in net.layers):
                want = want.reshape(-1)
            check("plain loops, seed %d output" % seed, y, want)
        done += 1
    return done


def case_errors():
    bad = {
        "unknown attribute": "network t { input x [1,4,4] fixed<8,0>; conv c : filters = 1, kernel = 1, foo = 2; }",
        "kernel too large": "network t { input x [1,4,4] fixed<8,0>; conv c : filters = 1, kernel = 5; }",
        "pad >= kernel": "network t { input x [1,4,4] fixed<8,0>; maxpool p : size = 2, pad = 2; }",
        "groups": "network t { input x [3,4,4] fixed<8,0>; conv c : filters = 4, kernel = 1, groups = 3; }",
        "width": "network t { input x [1,4,4] fixed<33,0>; relu r; }",
        "bias F": "network t { input x [1,4,4] fixed<8,0>; conv c : filters = 1, kernel = 1, bias = fixed<8,9>; }",
        "acc 64": "network t { input x [1,4,4] fixed<32,0>; conv c : filters = 1, kernel = 3, pad = 1, weight = fixed<32,0>; }",
    }
    for name, text in bad.items():
        p = os.path.join(TMP, "bad.nn")
        with open(p, "w") as fh:
            fh.write(text)
        try:
            nnref.load_net(p)
            check("rejects: " + name, "accepted", "error")
        except nnref.NNError:
            check("rejects: " + name, "error", "error")


def main():
    import shutil
    cases = [case_rounding, case_shift_left_and_saturation, case_relu6, case_negative_fraction_bits,
             case_avgpool, case_maxpool_pad, case_groups_fc_bias, case_after_fc, case_stride_pad_rect,
             case_residual_add, case_defaults_and_output, case_wide_accumulator,
             case_float_quantization, case_errors]
    for c in cases:
        try:
            c()
        except Exception as e:
            import traceback
            traceback.print_exc()
            check(c.__name__ + " raised", repr(e), "nothing")
    n = case_random_plain_loops()
    print("plain-loop comparison on %d generated networks" % n)
    shutil.rmtree(TMP, ignore_errors=True)
    print("%d passed, %d failed" % (PASSED, FAILED))
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main())
