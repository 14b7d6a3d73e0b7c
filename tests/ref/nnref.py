#!/usr/bin/python3
"""nnref: an independent reference model of nnc's golden model (`nnc run --raw`).

Written from the design only (docs/DESIGN.md §2 language, §3 numerics,
§6 files, plus the conventions listed in README-style notes
below), never from nnc's C sources, so that the two can be compared bit for
bit by tests/run_golden_diff.sh.

    /usr/bin/python3 tests/ref/nnref.py NET.nn --weights DIR --input X.npy -o Y.npy
                     [--dump-layers DIR2] [--float-out]

Conventions (where DESIGN.md is silent):
  * input .npy is [C,H,W] or [N,C,H,W]; the output has a leading N only when
    the input had one; per image a layer's output is [C,H,W], fc's is [units]
    (what follows an fc sees [units,1,1], so a relu or add after it is [units,1,1]);
  * weights: <layer>.weight.npy (conv [F, C/groups, KH, KW], fc [units, inputs])
    and <layer>.bias.npy ([F] / [units]), no bias file with bias = none;
    integer arrays are raw, float arrays are quantized in float64;
  * default formats weight fixed<8,7>, out fixed<8,4>, round nearest, bias
    fixed<Wa+Ww, Fa+Fw>; `default` statements are cumulative and apply to the
    conv, fc and add layers after them (round also to avgpool);
  * relu6 cap = sat_Wo(floor(6*2^Fo)); maxpool pads with -2^(W-1);
  * avgpool: y = (sum*M + 2^(P-1)) >> P, P = 16 + ceil(log2 n),
    M = floor(2^P/n + 1/2), then requantize to `out` if named, else saturate;
  * add: both to max fraction bits, sum, requantize (round mode of the layer /
    default), act;
  * conv group g = f // (F/groups) sees channels g*C/groups .. (g+1)*C/groups-1;
  * windowed output size floor((H + 2P - K)/S) + 1.

Everything is exact integer arithmetic: int64 where the accumulator bound
allows it (the bound is checked), Python ints (object arrays) otherwise.
"""

import os
import sys

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

INT64_SAFE = 1 << 62      # magnitudes below this are safe in int64 arithmetic


class NNError(Exception):
    pass


# --------------------------------------------------------------------------
# Lexer

PUNCT = set("{}[](),;:=<>")


class Tok:
    __slots__ = ("kind", "val", "line", "col")

    def __init__(self, kind, val, line, col):
        self.kind, self.val, self.line, self.col = kind, val, line, col

    def __repr__(self):
        return "Tok(%s,%r,%d:%d)" % (self.kind, self.val, self.line, self.col)


def tokenize(text, fname="<net>"):
    toks = []
    i, n = 0, len(text)
    line, lstart = 1, 0
    while i < n:
        c = text[i]
        if c == "\n":
            line += 1
            i += 1
            lstart = i
            continue
        if c in " \t\r\f\v":
            i += 1
            continue
        if c == "#" or text.startswith("//", i):
            while i < n and text[i] != "\n":
                i += 1
            continue
        col = i - lstart + 1
        if c.isalpha() or c == "_":
            j = i
            while j < n and (text[j].isalnum() or text[j] == "_"):
                j += 1
            toks.append(Tok("id", text[i:j], line, col))
            i = j
            continue
        if c.isdigit() or (c in "-+" and i + 1 < n and text[i + 1].isdigit()):
            j = i + 1
            while j < n and text[j].isdigit():
                j += 1
            toks.append(Tok("int", int(text[i:j]), line, col))
            i = j
            continue
        if c == '"':
            j = i + 1
            while j < n and text[j] != '"' and text[j] != "\n":
                j += 1
            if j >= n or text[j] != '"':
                raise NNError("%s:%d:%d: error: unterminated string" % (fname, line, col))
            toks.append(Tok("str", text[i + 1:j], line, col))
            i = j + 1
            continue
        if c in PUNCT:
            toks.append(Tok("p", c, line, col))
            i += 1
            continue
        raise NNError("%s:%d:%d: error: unexpected character %r" % (fname, line, col, c))
    toks.append(Tok("eof", None, line, 1))
    return toks


# --------------------------------------------------------------------------
# Parser

KINDS = {
    "conv": {"filters", "kernel", "stride", "pad", "groups", "act", "weight", "bias",
             "out", "round", "par"},
    "fc": {"units", "act", "weight", "bias", "out", "round", "par"},
    "maxpool": {"size", "stride", "pad", "par"},
    "avgpool": {"size", "stride", "global", "out", "round", "par"},
    "relu": {"par"},
    "add": {"out", "act", "round", "par"},
}
DEFAULT_ATTRS = {"weight", "bias", "out", "round", "act"}


class Layer:
    def __init__(self, kind, name, sources, attrs, defaults, line):
        self.kind, self.name, self.sources = kind, name, sources
        self.attrs, self.defaults, self.line = attrs, defaults, line
        # filled in by sema
        self.in_shape = self.out_shape = None
        self.in_fmt = self.out_fmt = None


class Net:
    def __init__(self):
        self.name = None
        self.input_name = None
        self.input_shape = None
        self.input_fmt = None
        self.layers = []
        self.output = None


class Parser:
    def __init__(self, toks, fname):
        self.t, self.i, self.fname = toks, 0, fname

    def peek(self, k=0):
        return self.t[self.i + k]

    def err(self, tok, msg):
        raise NNError("%s:%d:%d: error: %s" % (self.fname, tok.line, tok.col, msg))

    def next(self):
        tok = self.t[self.i]
        self.i += 1
        return tok

    def expect(self, kind, val=None):
        tok = self.next()
        if tok.kind != kind or (val is not None and tok.val != val):
            self.err(tok, "expected %s" % (repr(val) if val else kind))
        return tok

    def is_p(self, val):
        tok = self.peek()
        return tok.kind == "p" and tok.val == val

    def value(self):
        tok = self.peek()
        if tok.kind == "int":
            self.next()
            return ("int", tok.val)
        if tok.kind == "str":
            self.next()
            return ("str", tok.val)
        if tok.kind == "p" and tok.val == "[":
            self.next()
            vals = [self.expect("int").val]
            while self.is_p(","):
                self.next()
                vals.append(self.expect("int").val)
            self.expect("p", "]")
            return ("list", vals)
        if tok.kind == "id":
            if tok.val == "fixed" and self.peek(1).kind == "p" and self.peek(1).val == "<":
                return ("fmt", self.format())
            self.next()
            if tok.val in ("true", "false"):
                return ("bool", tok.val == "true")
            return ("id", tok.val)
        self.err(tok, "expected a value")

    def format(self):
        self.expect("id", "fixed")
        self.expect("p", "<")
        w = self.expect("int").val
        self.expect("p", ",")
        f = self.expect("int").val
        self.expect("p", ">")
        return (w, f)

    def attrs(self):
        out = {}
        while True:
            name = self.expect("id")
            self.expect("p", "=")
            val = self.value()
            if name.val in out:
                self.err(name, "duplicate attribute '%s'" % name.val)
            out[name.val] = (val, name)
            if self.is_p(","):
                self.next()
                continue
            return out

    def parse(self):
        net = Net()
        self.expect("id", "network")
        net.name = self.expect("id").val
        self.expect("p", "{")
        defaults = {}
        names = {}
        while not self.is_p("}"):
            tok = self.next()
            if tok.kind != "id":
                self.err(tok, "expected a statement")
            kw = tok.val
            if kw == "input":
                if net.input_name is not None:
                    self.err(tok, "second input")
                net.input_name = self.expect("id").val
                self.expect("p", "[")
                dims = [self.expect("int").val]
                while self.is_p(","):
                    self.next()
                    dims.append(self.expect("int").val)
                self.expect("p", "]")
                if len(dims) != 3:
                    self.err(tok, "input needs [C, H, W]")
                net.input_shape = tuple(dims)
                net.input_fmt = self.format()
                self.expect("p", ";")
                names[net.input_name] = tok
            elif kw == "default":
                a = self.attrs()
                self.expect("p", ";")
                for k, (v, ntok) in a.items():
                    if k not in DEFAULT_ATTRS:
                        self.err(ntok, "attribute '%s' cannot be a default" % k)
                    defaults[k] = v
            elif kw == "output":
                net.output = (self.expect("id").val, tok)
                self.expect("p", ";")
            elif kw in KINDS:
                name = self.expect("id")
                if name.val in names:
                    self.err(name, "duplicate name '%s'" % name.val)
                sources = None
                if self.is_p("("):
                    self.next()
                    sources = [self.expect("id").val]
                    while self.is_p(","):
                        self.next()
                        sources.append(self.expect("id").val)
                    self.expect("p", ")")
                a = {}
                if self.is_p(":"):
                    self.next()
                    a = self.attrs()
                self.expect("p", ";")
                for k, (v, ntok) in a.items():
                    if k not in KINDS[kw]:
                        self.err(ntok, "unknown attribute '%s' for %s" % (k, kw))
                names[name.val] = name
                net.layers.append(Layer(kw, name.val, sources, a, dict(defaults), tok.line))
            else:
                self.err(tok, "unknown statement or layer kind '%s'" % kw)
        self.expect("p", "}")
        self.expect("eof")
        if net.input_name is None:
            raise NNError("%s: error: no input" % self.fname)
        if not net.layers:
            raise NNError("%s: error: no layers" % self.fname)
        return net


# --------------------------------------------------------------------------
# Semantics: shapes and formats

def _get(layer, key, typ, default=None, use_defaults=False):
    if key in layer.attrs:
        v = layer.attrs[key][0]
    elif use_defaults and key in layer.defaults:
        v = layer.defaults[key]
    else:
        return default
    if v[0] not in typ:
        raise NNError("line %d: attribute '%s' of %s has the wrong type" % (layer.line, key, layer.name))
    return v


def _pair(layer, key, default=None, positive=True):
    v = _get(layer, key, ("int", "list"))
    if v is None:
        return default
    if v[0] == "int":
        p = (v[1], v[1])
    else:
        if len(v[1]) != 2:
            raise NNError("line %d: %s needs K or [KH, KW]" % (layer.line, key))
        p = tuple(v[1])
    lo = 1 if positive else 0
    if p[0] < lo or p[1] < lo:
        raise NNError("line %d: bad %s %s" % (layer.line, key, p))
    return p


def _int(layer, key, default=None, lo=1):
    v = _get(layer, key, ("int",))
    if v is None:
        return default
    if v[1] < lo:
        raise NNError("line %d: bad %s %d" % (layer.line, key, v[1]))
    return v[1]


def _fmt(layer, key, default, use_defaults=True, allow_none=False):
    v = _get(layer, key, ("fmt", "id") if allow_none else ("fmt",), None, use_defaults)
    if v is None:
        return default
    if v[0] == "id":
        if v[1] != "none":
            raise NNError("line %d: %s must be a format or none" % (layer.line, key))
        return None
    w, f = v[1]
    if not 2 <= w <= 32:
        raise NNError("line %d: width %d outside 2..32" % (layer.line, w))
    return (w, f)


def _enum(layer, key, choices, default, use_defaults=True):
    v = _get(layer, key, ("id",), None, use_defaults)
    if v is None:
        return default
    if v[1] not in choices:
        raise NNError("line %d: %s must be one of %s" % (layer.line, key, "/".join(choices)))
    return v[1]


def window_out(n, k, s, p):
    if k > n + 2 * p:
        raise NNError("kernel %d larger than padded input %d" % (k, n + 2 * p))
    if p >= k:
        raise NNError("pad %d not smaller than kernel %d" % (p, k))
    return (n + 2 * p - k) // s + 1


def analyze(net):
    wi, fi = net.input_fmt
    if not 2 <= wi <= 32:
        raise NNError("input width %d outside 2..32" % wi)
    if any(d < 1 for d in net.input_shape):
        raise NNError("input shape must be positive")
    info = {net.input_name: (tuple(net.input_shape), net.input_fmt)}
    prev = net.input_name
    for L in net.layers:
        srcs = L.sources if L.sources is not None else [prev]
        for s in srcs:
            if s not in info:
                raise NNError("line %d: unknown source '%s'" % (L.line, s))
        L.srcs = srcs
        nsrc = 2 if L.kind == "add" else 1
        if len(srcs) != nsrc:
            raise NNError("line %d: %s takes %d source(s)" % (L.line, L.kind, nsrc))
        shape, fmt = info[srcs[0]]
        L.in_shape, L.in_fmt = shape, fmt
        k = L.kind
        if k in ("conv", "fc"):
            L.wfmt = _fmt(L, "weight", (8, 7))
            L.ofmt = _fmt(L, "out", (8, 4))
            L.round = _enum(L, "round", ("nearest", "floor"), "nearest")
            L.act = _enum(L, "act", ("none", "relu", "relu6"), "none")
            facc = fmt[1] + L.wfmt[1]
            L.facc = facc
            L.bfmt = _fmt(L, "bias", (fmt[0] + L.wfmt[0], facc), allow_none=True)
            if L.bfmt is not None and L.bfmt[1] > facc:
                raise NNError("line %d: bias fraction bits %d > accumulator's %d"
                              % (L.line, L.bfmt[1], facc))
            if k == "conv":
                if len(shape) != 3:
                    raise NNError("line %d: conv needs a [C,H,W] input" % L.line)
                C, H, W = shape
                F = _int(L, "filters")
                if F is None:
                    raise NNError("line %d: conv needs filters" % L.line)
                L.kernel = _pair(L, "kernel")
                if L.kernel is None:
                    raise NNError("line %d: conv needs kernel" % L.line)
                L.stride = _pair(L, "stride", (1, 1))
                L.pad = _pair(L, "pad", (0, 0), positive=False)
                L.groups = _int(L, "groups", 1)
                if C % L.groups or F % L.groups:
                    raise NNError("line %d: groups must divide channels and filters" % L.line)
                Ho = window_out(H, L.kernel[0], L.stride[0], L.pad[0])
                Wo = window_out(W, L.kernel[1], L.stride[1], L.pad[1])
                L.out_shape = (F, Ho, Wo)
                L.wshape = (F, C // L.groups, L.kernel[0], L.kernel[1])
                L.bshape = (F,)
                L.n = (C // L.groups) * L.kernel[0] * L.kernel[1]
            else:
                units = _int(L, "units")
                if units is None:
                    raise NNError("line %d: fc needs units" % L.line)
                n = int(np.prod(shape))
                L.out_shape = (units, 1, 1)     # a [units] vector, seen as [units,1,1] by what follows
                L.wshape = (units, n)
                L.bshape = (units,)
                L.n = n
            # accumulator bound
            wa, ww = fmt[0], L.wfmt[0]
            bound = L.n * (1 << (wa - 1)) * (1 << (ww - 1))
            if L.bfmt is not None:
                bound += (1 << (L.bfmt[0] - 1)) << (facc - L.bfmt[1])
            L.acc_bound = bound
            if bound >= (1 << 63):
                raise NNError("line %d: accumulator wider than 64 bits" % L.line)
            L.out_fmt = L.ofmt
        elif k == "maxpool":
            C, H, W = shape
            L.kernel = _pair(L, "size")
            if L.kernel is None:
                raise NNError("line %d: maxpool needs size" % L.line)
            L.stride = _pair(L, "stride", L.kernel)
            L.pad = _pair(L, "pad", (0, 0), positive=False)
            L.out_shape = (C, window_out(H, L.kernel[0], L.stride[0], L.pad[0]),
                           window_out(W, L.kernel[1], L.stride[1], L.pad[1]))
            L.out_fmt = fmt
        elif k == "avgpool":
            C, H, W = shape
            g = _get(L, "global", ("bool",))
            L.is_global = bool(g and g[1])
            if L.is_global:
                L.kernel = (H, W)
                L.stride = (1, 1)
            else:
                L.kernel = _pair(L, "size")
                if L.kernel is None:
                    raise NNError("line %d: avgpool needs size or global" % L.line)
                L.stride = _pair(L, "stride", L.kernel)
            L.out_shape = (C, window_out(H, L.kernel[0], L.stride[0], 0),
                           window_out(W, L.kernel[1], L.stride[1], 0))
            L.round = _enum(L, "round", ("nearest", "floor"), "nearest")
            L.ofmt = _fmt(L, "out", None, use_defaults=False)
            L.out_fmt = L.ofmt if L.ofmt is not None else fmt
        elif k == "relu":
            L.out_shape, L.out_fmt = shape, fmt
        elif k == "add":
            shape2, fmt2 = info[srcs[1]]
            if tuple(shape2) != tuple(shape):
                raise NNError("line %d: add sources differ in shape %s vs %s" % (L.line, shape, shape2))
            L.in_fmt2 = fmt2
            L.ofmt = _fmt(L, "out", (8, 4))
            L.round = _enum(L, "round", ("nearest", "floor"), "nearest")
            L.act = _enum(L, "act", ("none", "relu", "relu6"), "none")
            L.out_shape, L.out_fmt = shape, L.ofmt
        L.file_shape = (L.out_shape[0],) if k == "fc" else L.out_shape
        info[L.name] = (L.out_shape, L.out_fmt)
        prev = L.name
    if net.output is not None:
        oname, tok = net.output
        if oname not in info:
            raise NNError("%d:%d: error: unknown output '%s'" % (tok.line, tok.col, oname))
        net.out_name = oname
    else:
        net.out_name = net.layers[-1].name
    net.info = info
    return net


def load_net(path):
    with open(path) as fh:
        text = fh.read()
    net = Parser(tokenize(text, path), path).parse()
    return analyze(net)


# --------------------------------------------------------------------------
# Numerics (exact)

def smin(w):
    return -(1 << (w - 1))


def smax(w):
    return (1 << (w - 1)) - 1


def sat(x, w):
    """Clamp to w-bit two's complement; works for int64 and object arrays."""
    return np.minimum(np.maximum(x, smin(w)), smax(w))


def is_obj(x):
    return x.dtype == object


def requant(acc, s, wo, mode):
    """y = sat_wo(round(acc / 2^s)) per docs/DESIGN.md §3; exact."""
    if is_obj(acc):
        if s > 0:
            if mode == "nearest":
                y = (acc + (1 << (s - 1))) >> s
            else:
                y = acc >> s
        else:
            y = acc * (1 << (-s))
        return sat(y, wo).astype(np.int64)
    acc = acc.astype(np.int64)
    if s > 0:
        # (acc + 2^(s-1)) >> s == (acc >> s) + bit (s-1) of acc, without overflow;
        # shifts >= 63 give the sign (two's complement sign extension).
        y = acc >> min(s, 63)
        if mode == "nearest":
            y = y + ((acc >> min(s - 1, 63)) & 1)
    elif s == 0:
        y = acc
    else:
        # Any |acc| >= 2^31 saturates for wo <= 32, as does any nonzero acc
        # shifted by >= 31, so clipping both keeps the result exact.
        k = min(-s, 31)
        y = np.clip(acc, -(1 << 31), 1 << 31) << k
    return sat(y, wo)


def relu6_cap(wo, fo):
    v = (6 << fo) if fo >= 0 else (6 >> (-fo))
    return min(v, smax(wo))


def apply_act(y, act, ofmt):
    if act == "relu":
        return np.maximum(y, 0)
    if act == "relu6":
        return np.minimum(np.maximum(y, 0), relu6_cap(*ofmt))
    return y


def shift_left(x, k, bound):
    """x * 2^k exactly; int64 when |x| * 2^k stays safe, else Python ints."""
    if k == 0:
        return x
    if bound << k < INT64_SAFE and not is_obj(x):
        return x << k
    return x.astype(object) * (1 << k)


def quantize_float(x, w, f, what):
    x = np.asarray(x, dtype=np.float64)
    if not np.all(np.isfinite(x)):
        raise NNError("%s: NaN or infinity" % what)
    v = np.floor(np.ldexp(x, f) + 0.5)
    hi = float(1 << (w - 1))
    over = v >= hi
    under = v < -hi
    nsat = int(over.sum() + under.sum())
    v = np.where(over | under, 0.0, v)
    if w <= 63:
        q = v.astype(np.int64)
        q = np.where(over, smax(w), np.where(under, smin(w), q))
    else:
        q = np.array([int(t) for t in v.ravel()], dtype=object).reshape(v.shape)
        q[over] = smax(w)
        q[under] = smin(w)
    return q, nsat


def to_fixed(arr, fmt, what, warn=True):
    """Raw integers from an .npy array: floats are quantized, ints must fit."""
    w, f = fmt
    if arr.dtype.kind == "f":
        q, nsat = quantize_float(arr, w, f, what)
        if nsat and warn:
            print("nnref: warning: %s: %d value(s) saturated" % (what, nsat), file=sys.stderr)
        return q
    if arr.dtype.kind in "iu":
        a = arr.astype(object) if w > 63 else arr.astype(np.int64)
        if arr.size and (int(arr.min()) < smin(w) or int(arr.max()) > smax(w)):
            raise NNError("%s: integer values do not fit fixed<%d,%d>" % (what, w, f))
        if arr.dtype == np.uint64 and arr.size and int(arr.max()) > smax(63):
            raise NNError("%s: integer values do not fit" % what)
        return a
    raise NNError("%s: unsupported dtype %s" % (what, arr.dtype))


# --------------------------------------------------------------------------
# Layers (x has a leading batch dimension N)

def windows(x, kh, kw, sh, sw, ho, wo):
    """x [N,C,H,W] -> [N,C,ho,wo,kh,kw] views of the windows."""
    v = sliding_window_view(x, (kh, kw), axis=(2, 3))
    return v[:, :, ::sh, ::sw][:, :, :ho, :wo]


def run_conv(L, x, wq, bq):
    N = x.shape[0]
    C, H, W = L.in_shape
    F, Ho, Wo = L.out_shape
    kh, kw = L.kernel
    ph, pw = L.pad
    sh, sw = L.stride
    G = L.groups
    Cg, Fg = C // G, F // G
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    win = windows(xp, kh, kw, sh, sw, Ho, Wo)          # [N,C,Ho,Wo,kh,kw]
    acc = np.empty((N, F, Ho, Wo), dtype=np.int64)
    for g in range(G):
        cols = win[:, g * Cg:(g + 1) * Cg]             # [N,Cg,Ho,Wo,kh,kw]
        cols = cols.transpose(0, 2, 3, 1, 4, 5).reshape(N * Ho * Wo, Cg * kh * kw)
        wg = wq[g * Fg:(g + 1) * Fg].reshape(Fg, Cg * kh * kw)
        r = cols @ wg.T                                 # [N*Ho*Wo, Fg]
        acc[:, g * Fg:(g + 1) * Fg] = r.reshape(N, Ho, Wo, Fg).transpose(0, 3, 1, 2)
    if bq is not None:
        acc += (bq << (L.facc - L.bfmt[1])).reshape(1, F, 1, 1)
    return acc


def run_fc(L, x, wq, bq):
    N = x.shape[0]
    a = x.reshape(N, -1)
    acc = a @ wq.T
    if bq is not None:
        acc += (bq << (L.facc - L.bfmt[1])).reshape(1, -1)
    return acc.reshape(N, -1, 1, 1)


def run_layer(L, xs, params):
    x = xs[0]
    if L.kind in ("conv", "fc"):
        wq, bq = params[L.name]
        acc = run_conv(L, x, wq, bq) if L.kind == "conv" else run_fc(L, x, wq, bq)
        y = requant(acc, L.facc - L.ofmt[1], L.ofmt[0], L.round)
        return apply_act(y, L.act, L.ofmt)
    if L.kind == "maxpool":
        C, H, W = L.in_shape
        _, Ho, Wo = L.out_shape
        ph, pw = L.pad
        xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)), constant_values=smin(L.in_fmt[0]))
        win = windows(xp, L.kernel[0], L.kernel[1], L.stride[0], L.stride[1], Ho, Wo)
        return win.max(axis=(4, 5))
    if L.kind == "avgpool":
        _, Ho, Wo = L.out_shape
        kh, kw = L.kernel
        n = kh * kw
        win = windows(x, kh, kw, L.stride[0], L.stride[1], Ho, Wo)
        s = win.sum(axis=(4, 5), dtype=np.int64)
        P = 16 + (n - 1).bit_length()               # 16 + ceil(log2 n)
        M = ((1 << (P + 1)) + n) // (2 * n)         # floor(2^P/n + 1/2)
        bound = n * (1 << (L.in_fmt[0] - 1)) * M + (1 << P)
        if bound >= INT64_SAFE:
            s = s.astype(object)
        y = (s * M + (1 << (P - 1))) >> P
        if L.ofmt is not None:
            return requant(y, L.in_fmt[1] - L.ofmt[1], L.ofmt[0], L.round)
        return sat(y, L.in_fmt[0]).astype(np.int64)
    if L.kind == "relu":
        return np.maximum(x, 0)
    if L.kind == "add":
        a, b = xs
        fa, fb = L.in_fmt[1], L.in_fmt2[1]
        fm = max(fa, fb)
        a = shift_left(a, fm - fa, 1 << (L.in_fmt[0] - 1))
        b = shift_left(b, fm - fb, 1 << (L.in_fmt2[0] - 1))
        if is_obj(a) != is_obj(b):
            a, b = a.astype(object), b.astype(object)
        y = requant(a + b, fm - L.ofmt[1], L.ofmt[0], L.round)
        return apply_act(y, L.act, L.ofmt)
    raise NNError("unknown kind %s" % L.kind)


def load_params(net, wdir, warn=True):
    params = {}
    for L in net.layers:
        if L.kind not in ("conv", "fc"):
            continue
        wpath = os.path.join(wdir, L.name + ".weight.npy")
        if not os.path.exists(wpath):
            raise NNError("%s: missing" % wpath)
        w = np.load(wpath)
        if tuple(w.shape) != tuple(L.wshape):
            raise NNError("%s: shape %s, expected %s" % (wpath, w.shape, L.wshape))
        wq = to_fixed(w, L.wfmt, wpath, warn)
        bq = None
        if L.bfmt is not None:
            bpath = os.path.join(wdir, L.name + ".bias.npy")
            if not os.path.exists(bpath):
                raise NNError("%s: missing" % bpath)
            b = np.load(bpath)
            if tuple(b.shape) != tuple(L.bshape):
                raise NNError("%s: shape %s, expected %s" % (bpath, b.shape, L.bshape))
            bq = to_fixed(b, L.bfmt, bpath, warn)
            if is_obj(bq):      # a 64-bit bias format; shifted value fits by the bound
                bq = np.array([int(v) for v in bq.ravel()], dtype=np.int64).reshape(bq.shape)
        params[L.name] = (wq.astype(np.int64), bq)
    return params


def run(net, x, params):
    """x: raw int64 [N,C,H,W]. Returns {name: raw int64 [N, *shape]}."""
    vals = {net.input_name: x}
    for L in net.layers:
        y = run_layer(L, [vals[s] for s in L.srcs], params)
        y = np.asarray(y)
        if is_obj(y):
            y = y.astype(np.int64)
        assert y.shape[1:] == tuple(L.out_shape), (L.name, y.shape, L.out_shape)
        fw = L.out_fmt[0]
        assert y.size == 0 or (y.min() >= smin(fw) and y.max() <= smax(fw)), L.name
        vals[L.name] = y
    return vals


def load_input(net, path, warn=True):
    x = np.load(path)
    batched = x.ndim == 4
    if x.ndim == 3:
        x = x[None]
    if x.ndim != 4 or tuple(x.shape[1:]) != tuple(net.input_shape):
        raise NNError("%s: shape %s does not match input [%s]"
                      % (path, x.shape, ", ".join(map(str, net.input_shape))))
    return to_fixed(x, net.input_fmt, path, warn).astype(np.int64), batched


def main(argv=None):
    import argparse
    ap = argparse.ArgumentParser(description="independent reference for nnc run --raw")
    ap.add_argument("net")
    ap.add_argument("--weights", required=True)
    ap.add_argument("--input", required=True)
    ap.add_argument("-o", "--output", required=True)
    ap.add_argument("--dump-layers")
    ap.add_argument("--float-out", action="store_true",
                    help="write float32 value*2^-F instead of raw int32")
    ap.add_argument("-q", "--quiet", action="store_true")
    args = ap.parse_args(argv)
    try:
        net = load_net(args.net)
        x, batched = load_input(net, args.input, not args.quiet)
        params = load_params(net, args.weights, not args.quiet)
        vals = run(net, x, params)
    except NNError as e:
        print("nnref: %s" % e, file=sys.stderr)
        return 1

    shapes = {L.name: L.file_shape for L in net.layers}

    def fix(name, a):
        if name in shapes:
            a = a.reshape((a.shape[0],) + shapes[name])
        a = a if batched else a[0]
        if args.float_out and name == net.out_name:
            f = net.info[name][1][1]
            return np.ldexp(a.astype(np.float64), -f).astype(np.float32)
        return a.astype(np.int32)

    if args.dump_layers:
        os.makedirs(args.dump_layers, exist_ok=True)
        for L in net.layers:
            np.save(os.path.join(args.dump_layers, L.name + ".npy"), fix(L.name, vals[L.name]))
    np.save(args.output, fix(net.out_name, vals[net.out_name]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
