#!/usr/bin/python3
"""gen_net.py --seed S [--deep N | --resnet50] -o NET.nn: one random, valid nnc network, deterministic in S.

--deep N: about N layers (100 to 600) of residual blocks, two-branch blocks,
adds and long skips on a tiny map; --resnet50: ResNet-50's graph (bottleneck
blocks 1x1-3x3-1x1, projection shortcuts, 16 blocks) at 8x8 with few channels.

Covers the whole language across seeds: conv (groups, depthwise, square and
rectangular kernels 1..11, strides 1..4, pads), fc, maxpool (with and without
pad), avgpool (windowed and global, with and without out/round), relu layers,
add with two named sources (residual and two-branch patterns), formats with
widths 2..16 (bias up to 32) and fraction bits negative or above the width,
both round modes, act none/relu/relu6, explicit bias formats and bias = none,
`default` statements (cumulative), `output`, `//` and `#` comments.

Formats are chosen from a magnitude model (log2 of the RMS of each tensor's
raw integers, assuming weights uniform over the weight format's range) so that
outputs are usually neither all zero nor all saturated. A network that was
built so that its output may legitimately be constant carries the comment
`// gen: may-be-constant` (the differential test then tolerates it).
"""

import argparse
import math
import random
import re
import sys

MAC_BUDGET = 200_000
ACC_LIMIT = 1 << 56          # stay well clear of the 64-bit accumulator limit
WIDE_LIMIT = 1 << 60         # the same in a "wide" network (sums beyond 2^53)
LOG2_UNIFORM = math.log2(math.sqrt(3.0))   # rms of uniform[-2^(W-1), 2^(W-1)) = 2^(W-1)/sqrt 3

FLO, FHI = -48, 56          # fraction bits stay inside (nnc accepts -64..64)
BUILTIN = {"weight": (8, 7), "out": (8, 4), "round": "nearest", "act": "none", "bias": "implicit"}


def fmt_s(f):
    return "fixed<%d,%d>" % f if isinstance(f, tuple) else f


def relu6_cap(wo, fo):
    v = (6 << fo) if fo >= 0 else (6 >> (-fo))
    return min(v, (1 << (wo - 1)) - 1)


class Node:
    def __init__(self, name, shape, fmt, mag, nonneg=False):
        self.name, self.shape, self.fmt, self.mag, self.nonneg = name, shape, fmt, mag, nonneg


class Gen:
    def __init__(self, seed):
        self.r = random.Random(seed)
        self.seed = seed
        self.lines = []
        self.defaults = {}
        self.nodes = {}
        self.order = []           # layer names in order
        self.nlayers = 0
        self.maybe_const = []     # reasons a constant output is acceptable
        self.kinds_used = set()
        self.last = False         # building the last layer: prefer outputs that are not tiny
        # a few networks use widths up to 32 everywhere, so that accumulators
        # pass 2^53 (beyond exact double arithmetic) while staying under 2^60
        self.wide = self.r.random() < 0.07
        self.limit = WIDE_LIMIT if self.wide else ACC_LIMIT
        self.deep = False         # a deep network: formats from real ranges
        self.how = ""             # the generator's options, for the header

    # ---- small helpers -------------------------------------------------
    def width(self):
        r = self.r
        if self.wide and r.random() < 0.7:
            return r.randint(17, 32)
        return r.choice([2, 3] + list(range(4, 13)) * 3 + [13, 14, 15, 16])

    def comment(self, p=0.15):
        if self.r.random() < p:
            c = self.r.choice(["//", "#"])
            self.lines.append("    %s %s" % (c, self.r.choice(
                ["block", "next stage", "TODO: nothing", "layer; with = punctuation, [1,2]",
                 "fixed<8,4> in a comment", "output x;"])))

    def emit(self, text):
        tail = ""
        if self.r.random() < 0.1:
            tail = "  %s trailing comment" % self.r.choice(["//", "#"])
        self.lines.append("    " + text + tail)

    def fresh(self, prefix):
        self.nlayers += 1
        return "%s%d" % (prefix, self.nlayers)

    def attrs_text(self, attrs):
        return ", ".join("%s = %s" % (k, v) for k, v in attrs)

    def kernel_text(self, kh, kw):
        if kh == kw and self.r.random() < 0.85:
            return str(kh)
        return "[%d, %d]" % (kh, kw)

    def add_node(self, node):
        self.nodes[node.name] = node
        self.order.append(node.name)

    # ---- format choice -------------------------------------------------
    def pick_s(self, mag_in, wo, extreme_ok=True):
        """Right shift that puts a tensor of log2-rms mag_in well inside wo bits."""
        r = self.r
        target = max(wo - 1 - r.uniform(0.6, 2.4), r.uniform(0.4, 1.2))
        s = int(round(mag_in - target))
        if extreme_ok and r.random() < 0.04:
            s += r.choice([-7, -5, 5, 7])
            self.maybe_const.append("extreme shift")
        return s

    def maybe_default(self, vals, first):
        """Perhaps emit a `default` statement taking some of this layer's values."""
        r = self.r
        if r.random() >= (0.45 if first else 0.12):
            return
        keys = [k for k in ("weight", "out", "round", "act", "bias") if k in vals]
        r.shuffle(keys)
        keys = keys[:r.randint(1, len(keys))]
        items = []
        for k in keys:
            v = vals[k]
            if v == "implicit":
                continue
            items.append((k, fmt_s(v)))
            self.defaults[k] = v
        if items:
            self.lines.append("    default %s;" % self.attrs_text(items))

    def write_vals(self, vals, attrs):
        """Append the attributes whose value differs from what is in force."""
        r = self.r
        for k in ("weight", "bias", "out", "round", "act"):
            if k not in vals:
                continue
            v = vals[k]
            active = self.defaults.get(k, BUILTIN[k])
            if v == active:
                if k in self.defaults or v == "implicit" or r.random() < 0.8:
                    continue
            if v == "implicit":
                raise AssertionError("implicit bias under a default bias")
            attrs.append((k, fmt_s(v)))

    def fix_act(self, act, wo, fo, outmag):
        """relu6 only where its cap neither zeroes nor flattens everything."""
        if act == "relu6":
            cap = relu6_cap(wo, fo)
            if cap < 1 or math.log2(cap) < outmag - 1.5:
                return "relu"
        return act

    def choose_act(self, wo, fo, outmag):
        act = self.r.choice(["none", "none", "relu", "relu", "relu6"])
        return self.fix_act(act, wo, fo, outmag)

    def act_mag(self, act, outmag, wo, fo):
        if act == "none":
            return outmag
        m = outmag - 0.5
        if act == "relu6":
            m = min(m, math.log2(relu6_cap(wo, fo)))
        return m

    def mac_layer(self, src, n, extra_attrs):
        """Formats for conv/fc: weight, bias, out, round, act. Returns (attrs, node fields)."""
        r = self.r
        wa, fa = src.fmt
        # weight format: the default's when in force (mostly), else a fresh one
        want_relu6 = r.random() < 0.2
        if "weight" in self.defaults and r.random() < 0.7 and not want_relu6:
            ww, fw = self.defaults["weight"]
        else:
            ww = r.choice([2, 3, 4] + list(range(4, 13)) * 2 + [13, 14, 15, 16])
            if self.wide and r.random() < 0.7:
                ww = r.randint(17, 32)
            fw = r.randint(-4, ww + 6)
        # products and the implicit bias must stay under the limit
        ww_max = int(math.floor(math.log2(self.limit) - 1 - math.log2(n + 2))) - wa + 2
        if ww > ww_max:
            ww = max(2, ww_max)
            fw = min(fw, ww + 6)
        wmag = ww - 1 - LOG2_UNIFORM
        acc_mag = src.mag + wmag + 0.5 * math.log2(n)
        if want_relu6:
            # make real values land near 6 so the cap bites
            fw = int(round(acc_mag - fa - math.log2(6) - r.uniform(-1.5, 1.0)))
        # keep the accumulator's, the bias's and the output's fraction bits
        # inside [FLO, FHI] whatever shift the magnitudes call for
        s_hi, s_lo = int(math.ceil(acc_mag)) + 8, int(math.floor(acc_mag)) - 23
        fw = max(FLO + max(s_hi, 10) - fa, min(FHI + min(s_lo, 0) - fa, fw))
        facc = fa + fw
        # bias
        bias = "implicit"
        if "bias" in self.defaults:
            bias = self.defaults["bias"]
        pb = r.random()
        if pb < 0.15:
            bias = "none"
        elif pb < 0.45:
            d = r.randint(0, 10)
            wb = int(round(acc_mag + r.uniform(-4, 1) + 1 + LOG2_UNIFORM - d))
            wb = max(2, min(32, wb))
            bias = (wb, facc - d)
        if isinstance(bias, tuple):
            wb, fb = bias
            if fb > facc or ((1 << (wb - 1)) << (facc - fb)) > (self.limit >> 2):
                bias = (max(2, min(32, wa + ww)), facc)
        if bias == "implicit" and "bias" in self.defaults:
            bias = (wa + ww, facc) if wa + ww <= 32 else "none"
        bmax = 0
        if isinstance(bias, tuple):
            bmax = (1 << (bias[0] - 1)) << (facc - bias[1])
        elif bias == "implicit":
            bmax = 1 << (wa + ww - 1)
        assert n * (1 << (wa - 1)) * (1 << (ww - 1)) + bmax < self.limit, (n, wa, ww, bmax)
        # output format: the default's if it fits the magnitude, else fresh
        use_def = False
        if "out" in self.defaults:
            wo, fo = self.defaults["out"]
            om = acc_mag - (facc - fo)
            use_def = wo - 4.5 <= om <= wo - 0.3 and r.random() < 0.85
        narrow6 = want_relu6 and r.random() < 0.5      # relu6 caps of 1..3 (negative Fo)
        if not use_def or narrow6:
            wo = r.choice([2, 3, 4]) if narrow6 else self.width()
            fo = facc - self.pick_s(acc_mag, wo)
        outmag = min(acc_mag - (facc - fo), wo - 1)
        rnd = self.defaults.get("round", "nearest") if r.random() < 0.6 else r.choice(["nearest", "floor"])
        if "act" in self.defaults and r.random() < 0.7:
            act = self.fix_act(self.defaults["act"], wo, fo, outmag)
        else:
            act = self.choose_act(wo, fo, outmag)
        if want_relu6 and relu6_cap(wo, fo) >= 1:
            act = "relu6"
        vals = {"weight": (ww, fw), "bias": bias, "out": (wo, fo), "round": rnd, "act": act}
        self.maybe_default(vals, not self.defaults)
        attrs = list(extra_attrs)
        self.write_vals(vals, attrs)
        outmag = self.act_mag(act, outmag, wo, fo)
        return attrs, (wo, fo), max(outmag, -1.0), act != "none"

    # ---- layers -----------------------------------------------------------
    def conv(self, src, same=False, named=False, depthwise=None):
        r = self.r
        C, H, W = src.shape
        for _ in range(80):
            divs = [d for d in range(1, C + 1) if C % d == 0]
            pg = r.random()
            if depthwise or (depthwise is None and pg < 0.2):
                g = C
            elif pg < 0.6 or len(divs) == 1:
                g = 1
            else:
                g = r.choice(divs)
            if same:
                F = C
                if F % g:
                    continue
            elif g == C and C > 1:
                F = C * r.choice([1, 1, 2]) if C <= 32 else C
            else:
                F = g * r.randint(1, max(1, 16 // g))
                if self.last and F < 4 and r.random() < 0.8:
                    F = g * max(1, 4 // g + (4 % g > 0))
            if r.random() < 0.75:
                kh = kw = r.choice([1, 1, 2, 3, 3, 3, 4, 5, 5, 6, 7, 8, 9, 10, 11])
            else:
                kh, kw = r.randint(1, 11), r.randint(1, 11)
            if same:
                kh |= 1
                kw |= 1
                sh = sw = 1
                ph, pw = kh // 2, kw // 2
            else:
                sh = sw = r.choice([1, 1, 1, 2, 2, 3, 4] if not self.last else [1, 1, 1, 1, 2, 3, 4])
                if r.random() < 0.5:
                    ph, pw = r.randint(0, kh - 1), r.randint(0, kw - 1)
                    if r.random() < 0.6:
                        ph = pw = min(ph, pw)
                else:
                    ph = pw = 0
            if kh > H + 2 * ph or kw > W + 2 * pw or ph >= kh or pw >= kw:
                continue
            Ho = (H + 2 * ph - kh) // sh + 1
            Wo = (W + 2 * pw - kw) // sw + 1
            n = (C // g) * kh * kw
            if F * Ho * Wo * n > MAC_BUDGET:
                continue
            break
        else:
            return None
        name = self.fresh(self.r.choice(["c", "conv", "conv_", "res"]) if not same else "r")
        extra = [("filters", str(F)), ("kernel", self.kernel_text(kh, kw))]
        if sh != 1 or r.random() < 0.1:
            extra.append(("stride", str(sh)))
        if ph or pw or r.random() < 0.1:
            extra.append(("pad", str(ph) if ph == pw and r.random() < 0.8 else "[%d, %d]" % (ph, pw)))
        if g != 1 or r.random() < 0.1:
            extra.append(("groups", str(g)))
        r.shuffle(extra)
        attrs, fmt, mag, nonneg = self.mac_layer(src, n, extra)
        srcs = " (%s)" % src.name if named else ""
        self.emit("conv %s%s : %s;" % (name, srcs, self.attrs_text(attrs)))
        self.kinds_used.add("conv-dw" if g == C and C > 1 else ("conv-g" if g > 1 else "conv"))
        node = Node(name, (F, Ho, Wo), fmt, mag, nonneg)
        self.add_node(node)
        return node

    def fc(self, src, named=False, units=None):
        r = self.r
        n = 1
        for d in src.shape:
            n *= d
        if n > 4096:
            return None
        if units is None:
            hi = max(1, min(64, MAC_BUDGET // n))
            units = r.randint(min(hi, 12) if self.last and r.random() < 0.8 else 1, hi)
        name = self.fresh(r.choice(["f", "fc", "dense"]))
        attrs, fmt, mag, nonneg = self.mac_layer(src, n, [("units", str(units))])
        srcs = " (%s)" % src.name if named else ""
        self.emit("fc %s%s : %s;" % (name, srcs, self.attrs_text(attrs)))
        self.kinds_used.add("fc")
        node = Node(name, (units,), fmt, mag, nonneg)
        self.add_node(node)
        return node

    def maxpool(self, src):
        r = self.r
        C, H, W = src.shape
        for _ in range(50):
            if r.random() < 0.8:
                kh = kw = r.choice([1, 2, 2, 2, 3, 3, 4, 5])
            else:
                kh, kw = r.randint(1, 6), r.randint(1, 6)
            ph = pw = 0
            if r.random() < 0.4:
                ph, pw = r.randint(0, kh - 1), r.randint(0, kw - 1)
            if kh > H + 2 * ph or kw > W + 2 * pw:
                continue
            stride = None
            if r.random() < 0.35:
                stride = r.randint(1, 4)
            sh = sw = stride
            if stride is None:
                sh, sw = kh, kw
            Ho = (H + 2 * ph - kh) // sh + 1
            Wo = (W + 2 * pw - kw) // sw + 1
            break
        else:
            return None
        name = self.fresh(r.choice(["p", "pool", "mp"]))
        attrs = [("size", self.kernel_text(kh, kw))]
        if stride is not None:
            attrs.append(("stride", str(stride)))
        if ph or pw:
            attrs.append(("pad", str(ph) if ph == pw else "[%d, %d]" % (ph, pw)))
            self.kinds_used.add("maxpool-pad")
        self.emit("maxpool %s : %s;" % (name, self.attrs_text(attrs)))
        self.kinds_used.add("maxpool")
        # the max of n cells climbs toward the top of the range
        mag = min(src.mag + 0.5 * math.log2(kh * kw), max(src.mag, src.fmt[0] - 1.2))
        node = Node(name, (C, Ho, Wo), src.fmt, mag, src.nonneg or kh * kw >= 4)
        self.add_node(node)
        return node

    def avgpool(self, src, glob=False):
        r = self.r
        C, H, W = src.shape
        attrs = []
        if glob:
            kh, kw, Ho, Wo = H, W, 1, 1
            attrs.append(("global", "true"))
        else:
            for _ in range(50):
                if r.random() < 0.8:
                    kh = kw = r.choice([1, 2, 2, 2, 3, 3, 4, 5, 7])
                else:
                    kh, kw = r.randint(1, 7), r.randint(1, 7)
                if kh > H or kw > W:
                    continue
                stride = None
                if r.random() < 0.3:
                    stride = r.randint(1, 4)
                sh, sw = (stride, stride) if stride else (kh, kw)
                Ho, Wo = (H - kh) // sh + 1, (W - kw) // sw + 1
                break
            else:
                return None
            attrs.append(("size", self.kernel_text(kh, kw)))
            if stride is not None:
                attrs.append(("stride", str(stride)))
        n = kh * kw
        mag = src.mag - (0.6 if src.nonneg else 0.5 * math.log2(n))
        if mag < 0.5 and not src.nonneg:
            # the mean of a small zero-mean map rounds to 0 in the input's
            # fraction bits, whatever `out` says: mostly avoid it
            if r.random() < 0.9:
                return None
            self.maybe_const.append("avgpool of a small zero-mean map")
        elif n >= 16 and not src.nonneg:
            self.maybe_const.append("mean of a zero-mean map")
        fmt = src.fmt
        if r.random() < 0.5:
            wo = self.width()
            s = self.pick_s(mag, wo)
            fmt = (wo, src.fmt[1] - s)
            mag = min(mag - s, wo - 1)
            attrs.append(("out", fmt_s(fmt)))
            rnd = r.choice(["nearest", "floor"])
            if rnd != self.defaults.get("round", "nearest") or r.random() < 0.2:
                attrs.append(("round", rnd))
        name = self.fresh(r.choice(["a", "avg", "gap"]))
        self.emit("avgpool %s : %s;" % (name, self.attrs_text(attrs)))
        self.kinds_used.add("avgpool-global" if glob else "avgpool")
        node = Node(name, (C, Ho, Wo), fmt, mag, src.nonneg)
        self.add_node(node)
        return node

    def relu(self, src):
        name = self.fresh(self.r.choice(["relu", "act", "rl"]))
        self.emit("relu %s;" % name if self.r.random() < 0.8 else "relu %s (%s);" % (name, src.name))
        self.kinds_used.add("relu")
        node = Node(name, src.shape, src.fmt, src.mag - 0.5, True)
        self.add_node(node)
        return node

    def add(self, a, b):
        r = self.r
        fa, fb = a.fmt[1], b.fmt[1]
        fm = max(fa, fb)
        ma, mb = a.mag + fm - fa, b.mag + fm - fb
        if a.nonneg and b.nonneg:      # means add up
            smag = math.log2(2 ** ma + 2 ** mb)
        else:
            smag = 0.5 * math.log2(2 ** (2 * ma) + 2 ** (2 * mb))
        use_def = False
        if "out" in self.defaults:
            wo, fo = self.defaults["out"]
            om = smag - (fm - fo)
            use_def = wo - 4.5 <= om <= wo - 0.3 and r.random() < 0.85
        if not use_def:
            wo = self.width()
            fo = fm - self.pick_s(smag, wo)
        outmag = min(smag - (fm - fo), wo - 1)
        if "act" in self.defaults and r.random() < 0.6:
            act = self.fix_act(self.defaults["act"], wo, fo, outmag)
        else:
            act = self.choose_act(wo, fo, outmag)
        vals = {"out": (wo, fo), "act": act}
        attrs = []
        self.write_vals(vals, attrs)
        name = self.fresh(r.choice(["add", "sum", "res_add"]))
        text = "add %s (%s, %s)" % (name, a.name, b.name)
        if attrs:
            text += " : " + self.attrs_text(attrs)
        self.emit(text + ";")
        self.kinds_used.add("add")
        mag = self.act_mag(act, outmag, wo, fo)
        node = Node(name, a.shape, (wo, fo), mag, act != "none")
        self.add_node(node)
        return node

    def residual(self, x):
        """Residual or two-branch block ending in an add; False if it does not fit."""
        r = self.r
        if len(x.shape) == 1:
            n = x.shape[0]
            if n * n * 2 > MAC_BUDGET:
                return None
            if r.random() < 0.5:
                f1 = self.fc(x, named=True, units=n)
                return self.add(x, f1) if r.random() < 0.5 else self.add(f1, x)
            f1 = self.fc(x, named=True, units=n)
            f2 = self.fc(x, named=True, units=n)
            return self.add(f1, f2)
        C, H, W = x.shape
        if C * C * H * W > MAC_BUDGET:
            return None
        v = r.random()
        if v < 0.45:
            r1 = self.conv(x, same=True, named=True)
            if r1 is None:
                return None
            r2 = self.conv(r1, same=True) if r.random() < 0.6 else r1
            if r2 is None:
                return None
            return self.add(x, r2) if r.random() < 0.7 else self.add(r2, x)
        if v < 0.8:
            b1 = self.conv(x, same=True, named=True)
            if b1 is None:
                return None
            b2 = self.conv(x, same=True, named=True)
            if b2 is None:
                return None
            return self.add(b1, b2)
        # add a relu'd copy or a same-size max pool of x to x
        if r.random() < 0.5:
            name = self.fresh("rl")
            self.emit("relu %s (%s);" % (name, x.name))
            node = Node(name, x.shape, x.fmt, x.mag - 0.5, True)
        else:
            name = self.fresh("mp")
            self.emit("maxpool %s (%s) : size = 3, stride = 1, pad = 1;" % (name, x.name))
            node = Node(name, x.shape, x.fmt, x.mag + 0.3, False)
            self.kinds_used.add("maxpool-pad")
        self.add_node(node)
        return self.add(node, x)

    # ---- deep networks: 100 to 600 layers at a tiny size ------------------
    # The magnitude model above lets fraction bits random-walk from layer to
    # layer, which over hundreds of layers (and a residual chain's growing
    # sums) ends in adds nnc cannot align. Deep networks set formats from a
    # real range instead: a map of fixed<w,f> spans 2^e, e = w - 1 - f; nnc's
    # pseudo-random weights put every conv's output RMS at a fifth of its
    # range, so a conv that ends a residual branch gets a range 2^-3 of the
    # trunk's (the trunk grows slowly over many adds), an add of two full maps
    # gets one more bit of range, and a conv on the trunk resets it.
    def deep_fmt(self, e):
        wo = self.r.randint(6, 12)
        return (wo, wo - 1 - e)

    def conv_k(self, src, F, k, e, stride=1, named=False, act=None, prefix="c"):
        """A conv with a k x k kernel padded to keep the size (over the stride),
        its output spanning 2^e."""
        r = self.r
        C, H, W = src.shape
        p = k // 2
        n = C * k * k
        name = self.fresh(prefix)
        wo, fo = self.deep_fmt(e)
        # weights of RMS 2^(e - e_in) / sqrt(n) in real units, about 16 LSBs
        fw = int(round(4 - (e - src.e) + 0.5 * math.log2(n))) + r.randint(-1, 1)
        attrs = [("filters", str(F)), ("kernel", str(k))]
        if stride != 1:
            attrs.append(("stride", str(stride)))
        if p:
            attrs.append(("pad", str(p)))
        attrs.append(("weight", "fixed<8,%d>" % fw))
        if r.random() < 0.2:
            attrs.append(("bias", "none"))
        attrs.append(("out", "fixed<%d,%d>" % (wo, fo)))
        act = act or r.choice(["relu", "none"])
        attrs.append(("act", act))
        if r.random() < 0.3:
            attrs.append(("round", r.choice(["nearest", "floor"])))
        srcs = " (%s)" % src.name if named else ""
        self.emit("conv %s%s : %s;" % (name, srcs, self.attrs_text(attrs)))
        self.kinds_used.add("conv")
        node = Node(name, (F, (H + 2 * p - k) // stride + 1, (W + 2 * p - k) // stride + 1),
                    (wo, fo), wo - 3, act != "none")
        node.e = e
        self.add_node(node)
        return node

    def deep_add(self, a, b, e, act=None):
        wo, fo = self.deep_fmt(e)
        act = act or self.r.choice(["relu", "none", "none"])
        name = self.fresh(self.r.choice(["add", "sum", "res_add"]))
        self.emit("add %s (%s, %s) : out = fixed<%d,%d>, act = %s;" % (name, a.name, b.name, wo, fo, act))
        self.kinds_used.add("add")
        node = Node(name, a.shape, (wo, fo), wo - 3, act != "none")
        node.e = e
        self.add_node(node)
        return node

    def same_map(self, x):
        """A relu'd copy or a same-size max pool of x."""
        if self.r.random() < 0.5:
            name = self.fresh("rl")
            self.emit("relu %s (%s);" % (name, x.name))
        else:
            name = self.fresh("mp")
            self.emit("maxpool %s (%s) : size = 3, stride = 1, pad = 1;" % (name, x.name))
        node = Node(name, x.shape, x.fmt, x.mag, True)
        node.e = x.e
        self.add_node(node)
        return node

    def deep_input(self, C, H, W):
        self.wide, self.limit, self.deep = False, ACC_LIMIT, True
        wi = self.r.choice([6, 8, 10])
        fi = self.r.randint(wi - 3, wi + 1)
        self.lines.append("    input x [%d, %d, %d] fixed<%d,%d>;" % (C, H, W, wi, fi))
        x = Node("x", (C, H, W), (wi, fi), wi - 1 - LOG2_UNIFORM)
        x.e = wi - 1 - fi
        self.nodes["x"] = x
        return x

    def deep_tail(self, cur, units):
        """Global average and an fc with a wide output."""
        name = self.fresh("gap")
        self.emit("avgpool %s : global = true;" % name)
        g = Node(name, (cur.shape[0], 1, 1), cur.fmt, cur.mag, cur.nonneg)
        g.e = cur.e
        self.add_node(g)
        name = self.fresh("fc")
        n = cur.shape[0]
        fw = int(round(4 + 0.5 * math.log2(n))) + self.r.randint(-1, 1)
        self.emit("fc %s : units = %d, weight = fixed<8,%d>, out = fixed<16,%d>;"
                  % (name, units, fw, 15 - g.e))
        out = Node(name, (units,), (16, 15 - g.e), 13)
        self.add_node(out)
        return out

    def generate_deep(self, depth):
        """A random residual network of about `depth` layers on a 2..4 x 5x5 map:
        residual blocks of one or two convs, two-branch blocks, adds of a relu
        or a pool of the map, and long skips that add a map from far back."""
        r = self.r
        self.how = " --deep %d" % depth
        C = r.randint(2, 4)
        e0 = r.randint(1, 3)
        x = self.deep_input(r.randint(1, 3), 5, 5)
        cur = self.conv_k(x, C, 3, e0, act="relu")
        anchor = cur
        while self.nlayers < depth - 2:
            v = r.random()
            k = r.choice([1, 3, 3])
            if v < 0.45:
                if r.random() < 0.6:
                    a = self.conv_k(cur, C, k, cur.e, named=True)
                    a = self.conv_k(a, C, r.choice([1, 3]), cur.e - 3)
                else:
                    a = self.conv_k(cur, C, k, cur.e - 3, named=True)
                cur = self.deep_add(cur, a, cur.e) if r.random() < 0.7 else self.deep_add(a, cur, cur.e)
            elif v < 0.65:
                b1 = self.conv_k(cur, C, k, cur.e - 1, named=True)
                b2 = self.conv_k(cur, C, r.choice([1, 3]), cur.e - 1, named=True)
                cur = self.deep_add(b1, b2, cur.e)
            elif v < 0.8:
                cur = self.deep_add(self.same_map(cur), cur, cur.e + 1)
            elif v < 0.9 and anchor is not cur:
                cur = self.deep_add(cur, anchor, max(cur.e, anchor.e) + 1)     # a long skip
                anchor = cur
            else:
                cur = self.conv_k(cur, C, k, e0 + r.randint(-1, 1), named=r.random() < 0.2)
                if r.random() < 0.3:
                    anchor = cur
        cur = self.deep_tail(cur, r.randint(6, 10))
        return self.finish(cur, pick_output=False)

    def generate_resnet50(self):
        """ResNet-50's graph at 8x8: a 3x3 stem, then 3, 4, 6 and 3 bottleneck
        blocks (1x1, 3x3, 1x1 expanding 4x, the first of a stage with a strided
        1x1 projection shortcut, the add with relu), global average, fc."""
        self.how = " --resnet50"
        x = self.deep_input(3, 8, 8)
        cur = self.conv_k(x, 4, 3, 2, act="relu", prefix="stem")
        for stage, (blocks, m, stride) in enumerate(zip([3, 4, 6, 3], [2, 2, 4, 4], [1, 2, 2, 2])):
            pre = "s%d" % (stage + 2)
            for b in range(blocks):
                s = stride if b == 0 else 1
                a = self.conv_k(cur, m, 1, cur.e, named=True, act="relu", prefix=pre + "a")
                a = self.conv_k(a, m, 3, cur.e, stride=s, act="relu", prefix=pre + "b")
                sc = cur
                if b == 0:
                    sc = self.conv_k(cur, 4 * m, 1, cur.e, stride=s, named=True, act="none",
                                     prefix=pre + "proj")
                a = self.conv_k(a, 4 * m, 1, cur.e - 2, named=b == 0, act="none", prefix=pre + "c")
                cur = self.deep_add(a, sc, cur.e, act="relu")
        cur = self.deep_tail(cur, 10)
        return self.finish(cur, pick_output=False)

    # ---- network -----------------------------------------------------------
    def generate(self):
        r = self.r
        C = r.randint(1, 8)
        H = r.choice([r.randint(1, 40), r.randint(4, 24), r.randint(6, 16)])
        W = r.choice([H, r.randint(1, 40), r.randint(4, 24)])
        wi = r.randint(17, 32) if self.wide else r.choice([2, 3] + list(range(4, 17)) * 2)
        fi = r.randint(-6, wi + 6)
        iname = r.choice(["x", "image", "in0", "data"])
        self.lines.append("    input %s [%d, %d, %d] fixed<%d,%d>;" % (iname, C, H, W, wi, fi))
        x = Node(iname, (C, H, W), (wi, fi), wi - 1 - LOG2_UNIFORM)
        self.nodes[iname] = x
        target = r.randint(1, 6)
        built = 0
        cur = x
        tries = 0
        while built < target and tries < 40:
            tries += 1
            self.comment()
            remaining = target - built
            self.last = remaining == 1
            if len(cur.shape) == 1:
                choices = (["fc"] * 6 + ["relu"] + ["conv", "maxpool", "gap"] +
                           (["res"] * 2 if remaining >= 2 else []))
            else:
                choices = (["conv"] * 8 + ["maxpool"] * 3 + ["avgpool"] * 2 +
                           ["gap"] * (1 if not self.last or cur.shape[0] >= 8 else 0) +
                           ["relu"] + ["fc"] * 2 + (["res"] * 3 if remaining >= 2 else []))
            k = r.choice(choices)
            before = len(self.order)
            if len(cur.shape) == 1 and k in ("conv", "maxpool", "gap"):
                # what follows an fc sees a [units, 1, 1] map
                cur = Node(cur.name, cur.shape + (1, 1), cur.fmt, cur.mag, cur.nonneg)
            if k == "conv":
                nxt = self.conv(cur, named=r.random() < 0.1)
            elif k == "fc":
                nxt = self.fc(cur, named=r.random() < 0.1)
            elif k == "maxpool":
                nxt = self.maxpool(cur)
            elif k == "avgpool":
                nxt = self.avgpool(cur)
            elif k == "gap":
                nxt = self.avgpool(cur, glob=True)
            elif k == "relu":
                nxt = self.relu(cur)
            else:
                nxt = self.residual(cur)
            if nxt is None:
                if len(self.order) != before:     # half-built block: cannot undo, stop here
                    break
                continue
            built += len(self.order) - before
            cur = nxt
        if not self.order:
            cur = self.relu(x)
        return self.finish(cur)

    def finish(self, cur, pick_output=True):
        """The network's text, with `output` perhaps naming an earlier layer."""
        r = self.r
        out = cur
        if pick_output and len(self.order) > 1 and r.random() < 0.15:
            pick = r.choice(self.order[:-1])
            out = self.nodes[pick]
            self.lines.append("    output %s;" % pick)
        elif pick_output and r.random() < 0.1:
            self.lines.append("    output %s;   // the last layer anyway" % out.name)
        # when a constant output is plausible
        nel = 1
        for d in out.shape:
            nel *= d
        if nel <= 8:
            self.maybe_const.append("output has %d element(s) per image" % nel)
        if out.nonneg and nel <= 32:
            self.maybe_const.append("few non-negative outputs")
        if out.fmt[0] <= 3:
            self.maybe_const.append("narrow output")
        if out.mag < 0:
            self.maybe_const.append("small output magnitude")
        name = "net%d" % self.seed if r.random() < 0.7 else "fuzz_%d_net" % self.seed
        text = ["// random network, gen_net.py --seed %d%s" % (self.seed, self.how),
                "# a '#' comment line"]
        if self.maybe_const:
            text.append("// gen: may-be-constant (%s)" % "; ".join(sorted(set(self.maybe_const))))
        text.append("network %s {" % name)
        text += self.lines
        text.append("}")
        return "\n".join(text) + "\n"


def valid_formats(text):
    """Widths 2..32 and fraction bits inside nnc's -64..64 in every written format."""
    for w, f in re.findall(r"fixed<(-?\d+),(-?\d+)>", text):
        if not (2 <= int(w) <= 32 and FLO - 8 <= int(f) <= FHI + 8):
            return False
    return True


def generate(seed, deep=0, resnet50=False):
    """The network for a seed; a rare out-of-range draw is replaced by a sub-seed's."""
    for k in range(100):
        g = Gen(seed if k == 0 else seed * 1000 + k)
        text = (g.generate_resnet50() if resnet50 else g.generate_deep(deep) if deep
                else g.generate())
        if valid_formats(text.split("{", 1)[1]):
            if k:
                text = text.replace("network ", "// (sub-seed %d)\nnetwork " % k, 1)
            return text
    raise RuntimeError("no valid network for seed %d" % seed)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("-o", "--output", required=True)
    ap.add_argument("--deep", type=int, default=0, metavar="N",
                    help="a random residual network of about N layers at a tiny size")
    ap.add_argument("--resnet50", action="store_true",
                    help="ResNet-50's graph (16 bottleneck blocks) at 8x8")
    args = ap.parse_args()
    text = generate(args.seed, args.deep, args.resnet50)
    if args.output == "-":
        sys.stdout.write(text)
    else:
        with open(args.output, "w") as fh:
            fh.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
