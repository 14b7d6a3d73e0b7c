# bench.py NNC [PART...]: nnc's benchmarks (issue 5). Each part measures
# figures against a bound, a published anchor or a peer run in the same run,
# merges them into bench/results.json and prints them against their targets.
# Parts: vgg16 (a), parallel (b), estimates (c), golden (d), compile (e),
# synth (e), depth (compile time over 75..600 layers). Run by bench/run.sh; see bench/RESULTS.md.
import json, os, platform, re, resource, shutil, subprocess, sys, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RESULTS = os.path.join(ROOT, "bench", "results.json")
WORK = os.environ.get("BENCH_WORK", os.path.join(ROOT, "build", "bench"))
CLOCK_HZ = 150e6
QIU_FPS, QIU_CONV_GOPS = 4.45, 187.8          # Qiu et al., FPGA 2016, XC7Z045
VGG16_TIMEOUT = int(os.environ.get("BENCH_VGG16_TIMEOUT", "7200"))
VGG16_BATCH = int(os.environ.get("BENCH_VGG16_BATCH", "4"))      # frames a start (--batch)
# on-chip buffers within an XC7Z045's block RAM (545 RAMB36), the 2016 part
VGG16_BRAM = int(os.environ.get("BENCH_VGG16_BRAM_KBITS", "19620"))
SIM_TIMEOUT = int(os.environ.get("BENCH_SIM_TIMEOUT", "1800"))
SYNTH_TIMEOUT = int(os.environ.get("BENCH_SYNTH_TIMEOUT", "1500"))

NNC = None
NNC_SRC = None     # the binary given on the command line (its build time is recorded)
figures = {}       # key -> {value, target, met, command, note, part}
details = {}       # part -> free-form tables


def log(msg):
    print(msg, flush=True)


def sh(cmd, timeout=None, cwd=ROOT):
    """Run a shell command; returns (rc, stdout+stderr, seconds). rc None on timeout."""
    t = time.time()
    p = subprocess.Popen(cmd, shell=True, cwd=cwd, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        out, _ = p.communicate(timeout=timeout)
        return p.returncode, out, time.time() - t
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, 9)
        out, _ = p.communicate()
        return None, out, time.time() - t


def disp(cmd):
    """A command as the user types it, from the repository's root."""
    return cmd.replace(NNC + " ", "build/nnc ").replace(WORK + "/", "DIR/")


def fig(part, key, value, target, met, command, note="", unit=""):
    figures[key] = {"part": part, "value": value, "unit": unit, "target": target,
                    "met": met, "command": disp(command), "note": note}


def rel(a, b):
    return abs(a - b) / b if b else 0.0


# ---------------------------------------------------------------- reports

def check_json(net, extra=""):
    rc, out, _ = sh(f"{NNC} check {net} --json {extra}")
    return json.loads(out)


def serial_layer_bounds(chk, tm, tn, mw, batch=1, batched_from=""):
    """docs/DESIGN.md §5 per conv/fc layer, as compiler/serial/desc.c computes it (serial_roofline):
    max(MACs / (TM*TN), bytes over the bus / bytes a cycle), per frame: with
    --batch B the fc tail (layers from batched_from on) fetches its weights
    once for B frames."""
    layers = chk["layers"]
    tail = False
    byname = {l["name"]: l for l in layers}
    out = {}
    for i, l in enumerate(layers):
        if l["kind"] not in ("conv", "fc"):
            continue
        o = l
        for m in layers[i + 1:]:
            if m["kind"] not in ("maxpool", "avgpool", "relu") or m["sources"][0] != o["name"]:
                break
            o = m
        nb = lambda f: (f["w"] + 7) // 8
        cout = l["output_shape"][0]
        bias = cout if "bias_format" in l else 0
        wcount = l["params"] - bias
        elems = lambda s: s[0] * s[1] * s[2]
        tail = tail or (batch > 1 and l["name"] == batched_from)
        share = batch if tail else 1
        by = ((wcount * nb(l["weight_format"]) + (bias * nb(l["bias_format"]) if bias else 0))
              / share
              + elems(l["input_shape"]) * nb(l["in_format"])
              + elems(o["output_shape"]) * nb(o["out_format"]))
        c = l["macs"] / (tm * tn)
        m = by / (mw / 8)
        out[l["name"]] = {"bound": max(c, m), "compute": c, "memory": m, "macs": l["macs"],
                          "bytes": by, "kind": l["kind"],
                          "intensity_macs_per_byte": l["macs"] / by}
    return out


def parse_sim(out):
    """nnc sim's verdict line: cycles, bound, attained and MAC use; or, for
    one frame in parallel mode (no interval), only the latency."""
    m = re.search(r"PASS cycles=(\d+) bound=(\d+) attained=([\d.]+) mac_util=([\d.]+)", out)
    if m:
        return {"cycles": int(m.group(1)), "bound": int(m.group(2)),
                "attained": float(m.group(3)), "mac_util": float(m.group(4))}
    m = re.search(r"PASS latency=(\d+) cycles", out)
    return {"latency": int(m.group(1))} if m else None


def records(dirpath):
    """out.txt's f and l records, and the bench monitor's d records."""
    f, l, d = {}, [], []
    for line in open(os.path.join(dirpath, "out.txt")):
        p = line.split()
        if p and p[0] == "f" and len(p) == 4:
            f[int(p[1])] = (int(p[2]), int(p[3]))
        elif p and p[0] == "l" and len(p) >= 3:
            l.append(p[1:])
    mon = os.path.join(dirpath, "bench_desc.txt")
    if os.path.exists(mon):
        for line in open(mon):
            p = line.split()
            if p and p[0] == "d":
                d.append((int(p[1]), int(p[2])))
    return f, l, d


MONITOR = """
// bench/bench.py: the descriptor index each time it changes (per-layer cycles)
integer bench_fd;
reg [15:0] bench_last;
initial begin bench_fd = $fopen("bench_desc.txt", "w"); bench_last = 16'hffff; end
always @(posedge clk) if (u_dut.desc != bench_last) begin
    $fwrite(bench_fd, "d %0d %0d\\n", u_dut.desc, cyc);
    $fflush(bench_fd);
    bench_last <= u_dut.desc;
end
"""


def monitor_rerun(dirpath, net, plus, timeout):
    """No l records from the testbench: rebuild the kept serial testbench with a
    monitor of the descriptor index and run it again (same seed, so the same
    cycles; the comparison against the golden model was nnc sim's)."""
    src = open(os.path.join(dirpath, f"{net}_tb.v")).read()
    i = src.index("module tb;")
    j = src.index("\nendmodule", i)
    with open(os.path.join(dirpath, "bench_tb.v"), "w") as fh:
        fh.write(src[:j] + "\n" + MONITOR + src[j:])
    shutil.copy(os.path.join(dirpath, "out.txt"), os.path.join(dirpath, "out.sim.txt"))
    rc, out, secs = sh(f"verilator --binary --timing -O2 -Wno-fatal -Wno-lint -Wno-style "
                       f"--top-module tb -Mdir obj_mon -o simv bench_tb.v {net}.v "
                       f">mon_build.log 2>&1 && ./obj_mon/simv {plus} > mon_sim.log 2>&1",
                       timeout=timeout, cwd=dirpath)
    shutil.copy(os.path.join(dirpath, "out.txt"), os.path.join(dirpath, "out.mon.txt"))
    shutil.copy(os.path.join(dirpath, "out.sim.txt"), os.path.join(dirpath, "out.txt"))
    return rc == 0, secs


def serial_layers(dirpath, rep, frames_t):
    """Per-descriptor measured cycles of the first start (frame 0, or the
    first batch: its cycles over the batch, per frame): from l records when
    the testbench writes them, else from the bench monitor. Returns
    ({layer: cycles}, source)."""
    f, l, d = records(dirpath)
    descs = rep["descriptors"]
    meas = {}
    if l:
        l = l[:len(descs)]
        batch = rep.get("batch", 1)
        for rec in l:
            # l LAYER CYCLES (optionally l FRAME LAYER CYCLES)
            key, cyc = (rec[0], rec[1]) if len(rec) == 2 else (rec[1], rec[2])
            if len(rec) == 3 and rec[0] != "0":
                continue
            if key.isdigit() and int(key) < len(descs):
                key = descs[int(key)]["layer"]
            meas[key] = meas.get(key, 0) + int(cyc) / batch
        return meas, "testbench l records"
    if d and 0 in frames_t:
        t0, t1 = frames_t[0]
        starts = {}
        for k, c in d:
            if t0 <= c <= t1 and k not in starts:
                starts[k] = c
        starts[0] = t0
        n = len(descs)
        for k in range(n):
            if k not in starts:
                return {}, "monitor incomplete"
            end = starts[k + 1] if k + 1 < n else t1
            key = descs[k]["layer"]
            meas[key] = meas.get(key, 0) + end - starts[k]
        return meas, "bench monitor of the descriptor index (tb.u_dut.desc)"
    return {}, "not available"


def data_lines(dirpath):
    """out.txt without its cycle records (f, l): the outputs."""
    return [x for x in open(os.path.join(dirpath, "out.txt")) if x[:2] not in ("f ", "l ")]


def seeded_means(dirpath, rep, frames_t, seeds, timeout):
    """The memory model's stalls are random: run the kept simulation again
    with +seed=2..SEEDS and return ({layer: mean cycles over the seeds}, n).
    Each run's outputs must equal the first run's (which nnc sim compared
    with the golden model): stalls change the timing, never the data."""
    first = data_lines(dirpath)
    shutil.copy(os.path.join(dirpath, "out.txt"), os.path.join(dirpath, "out.seed1.txt"))
    sums, n = {}, 0
    m, _ = serial_layers(dirpath, rep, frames_t)
    for k, v in m.items():
        sums[k] = v
    n = 1
    for sd in range(2, seeds + 1):
        rc, out, _ = sh(f"./obj_dir/simv +seed={sd} > seed.log 2>&1", timeout=timeout,
                        cwd=dirpath)
        if rc != 0:
            raise RuntimeError(f"{dirpath}: seed {sd} failed (rc {rc})")
        if data_lines(dirpath) != first:
            raise RuntimeError(f"{dirpath}: seed {sd} gave different outputs")
        f, _, _ = records(dirpath)
        m, _ = serial_layers(dirpath, rep, f)
        for k, v in m.items():
            sums[k] = sums.get(k, 0) + v
        n += 1
    shutil.copy(os.path.join(dirpath, "out.seed1.txt"), os.path.join(dirpath, "out.txt"))
    return {k: v / n for k, v in sums.items()}, n


def run_serial(net, opts, tag, frames=1, timeout=SIM_TIMEOUT, monitor=True, stall=True,
               seeds=1):
    d = os.path.join(WORK, tag)
    shutil.rmtree(d, ignore_errors=True)
    cmd = (f"{NNC} sim {net} --mode serial {opts} --frames {frames} --simulator verilator"
           + ("" if stall else " --no-stall"))
    rc, out, secs = sh(cmd + f" --keep {d}", timeout=timeout)
    res = {"command": disp(cmd), "wall_s": round(secs, 1), "rc": rc}
    s = parse_sim(out)
    if not s:
        res["error"] = out[-2000:]
        return res
    res.update(s)
    name = os.path.basename(net)[:-3]
    rep = json.load(open(os.path.join(d, f"{name}.json")))
    res["estimated_cycles"] = rep["estimated_cycles"]
    f, l, dd = records(d)
    if not l and monitor:
        ok, msecs = monitor_rerun(d, name, "+seed=1" + ("" if stall else " +nostall"), timeout)
        res["monitor_wall_s"] = round(msecs, 1)
        f2, _, _ = records(d)
    meas, src = serial_layers(d, rep, f)
    res["layer_source"] = src
    mean = {}
    if seeds > 1 and stall and src == "testbench l records":
        mean, n = seeded_means(d, rep, f, seeds, timeout)
        res["seeds"] = n
    eng = rep["engine"]
    chk = check_json(net)
    batch = rep.get("batch", 1)
    bounds = serial_layer_bounds(chk, eng["tm"], eng["tn"], eng["mem_width"], batch,
                                 rep.get("batched_from", ""))
    est = {}
    for de in rep["descriptors"]:
        est[de["layer"]] = est.get(de["layer"], 0) + de["estimated_cycles"] / batch
    rows = []
    for de_layer in dict.fromkeys(de["layer"] for de in rep["descriptors"]):
        b = bounds.get(de_layer)
        r = {"layer": de_layer, "estimated": round(est[de_layer]),
             "measured": round(meas[de_layer]) if de_layer in meas else None}
        if b:
            r.update({"kind": b["kind"], "bound": round(b["bound"], 1), "macs": b["macs"],
                      "bytes": b["bytes"],
                      "intensity_macs_per_byte": round(b["intensity_macs_per_byte"], 2),
                      "memory_bound": b["memory"] > b["compute"]})
        if de_layer in mean:
            r["measured_mean"] = round(mean[de_layer], 1)
            r["estimate_error_single"] = round(rel(r["estimated"], r["measured"]), 4)
            r["estimate_error"] = round(rel(r["estimated"], mean[de_layer]), 4)
        elif r["measured"]:
            r["estimate_error"] = round(rel(r["estimated"], r["measured"]), 4)
        if r["measured"] and b:
            r["attained"] = round(b["bound"] / r["measured"], 3)
        rows.append(r)
    res["layers"] = rows
    # the compiler's own roofline (OUT.json "layers"), when it writes one, must agree
    rl = {x["layer"]: x["bound_cycles"] for x in rep.get("layers", []) if "bound_cycles" in x}
    if rl:
        res["bound_matches_report"] = all(abs(rl[x["layer"]] - x["bound"]) <= 1
                                          for x in rows if "bound" in x and x["layer"] in rl)
    return res


def run_parallel(net, opts, tag, frames=3, timeout=SIM_TIMEOUT):
    d = os.path.join(WORK, tag)
    shutil.rmtree(d, ignore_errors=True)
    cmd = f"{NNC} sim {net} {opts} --frames {frames} --simulator verilator --no-stall"
    rc, out, secs = sh(cmd + f" --keep {d}", timeout=timeout)
    res = {"command": disp(cmd), "wall_s": round(secs, 1), "rc": rc}
    s = parse_sim(out)
    if not s:
        res["error"] = out[-2000:] if rc is not None else f"timed out after {timeout} s"
        return res
    res.update(s)
    name = os.path.basename(net)[:-3]
    rep = json.load(open(os.path.join(d, f"{name}.json")))
    res["estimate"] = rep["frame_interval_estimate"]
    res["estimate_error"] = round(rel(rep["frame_interval_estimate"], s["cycles"]), 4)
    res["engines"] = [{"name": l["name"], "cycles_per_frame": l["cycles_per_frame"],
                       "multipliers": l["multipliers"]} for l in rep["layers"]]
    res["slowest_engine"] = max(rep["layers"], key=lambda l: l["cycles_per_frame"])["name"]
    return res


# ---------------------------------------------------------------- parts

def part_vgg16():
    # fc batching (Qiu et al.): the conv layers run frame by frame, the fc
    # layers once for the batch, each fc weight fetched once for its frames
    opts = f"--pe 32x24 --mem-width 256 --batch {VGG16_BATCH}" + \
        (f" --bram-kbits {VGG16_BRAM}" if VGG16_BRAM > 0 else "")
    r = run_serial("examples/vgg16.nn", opts, "vgg16-serial", frames=VGG16_BATCH,
                   timeout=VGG16_TIMEOUT,
                   monitor=os.environ.get("BENCH_VGG16_MONITOR", "1") == "1")
    details["vgg16"] = r
    cmd = r["command"] + " --keep DIR"
    if "cycles" not in r:
        fig("vgg16", "vgg16_fps_ratio_vs_2016", None, ">= 1.3", False, cmd,
            f"the simulation did not finish (rc {r['rc']}, {r['wall_s']} s)")
        fig("vgg16", "vgg16_conv_min_attained", None, ">= 0.90", False, cmd, "no simulation")
        return
    fps = CLOCK_HZ / r["cycles"]
    conv = [x for x in r["layers"] if x.get("kind") == "conv"]
    note = f"bit-exact (PASS), {r['cycles']} cycles, wall {r['wall_s']} s; per-layer: {r['layer_source']}"
    note += (f"; cycles per frame: a batch of {VGG16_BATCH} frames (one start) over "
             f"{VGG16_BATCH}; the fc layers fetch their weights once a batch")
    fig("vgg16", "vgg16_cycles", r["cycles"], "", None, cmd, note)
    fig("vgg16", "vgg16_fps_150mhz", round(fps, 3), f">= {1.3 * QIU_FPS:.2f}",
        fps >= 1.3 * QIU_FPS, cmd, "150e6 / cycles", "fps")
    fig("vgg16", "vgg16_fps_ratio_vs_2016", round(fps / QIU_FPS, 3), ">= 1.3",
        fps / QIU_FPS >= 1.3, cmd, "our fps / 4.45 (Qiu et al. 2016, 780 DSPs, 150 MHz, 16-bit)")
    fig("vgg16", "vgg16_attained", r["attained"], "", None, cmd, "bound / cycles, whole network")
    if conv and all(x.get("measured") for x in conv):
        mn = min(x["attained"] for x in conv)
        fig("vgg16", "vgg16_conv_min_attained", mn, ">= 0.90", mn >= 0.90, cmd,
            "lowest bound/measured over the 13 conv layers (bound: docs/DESIGN.md §5 roofline)")
        cmacs = sum(x["macs"] for x in conv)
        ccyc = sum(x["measured"] for x in conv)
        gops = 2 * cmacs / (ccyc / CLOCK_HZ) / 1e9
        fig("vgg16", "vgg16_conv_gops", round(gops, 1), f"> {QIU_CONV_GOPS} (2016)",
            gops > QIU_CONV_GOPS, cmd, "2 x conv MACs / conv seconds at 150 MHz", "GOP/s")
    else:
        fig("vgg16", "vgg16_conv_min_attained", None, ">= 0.90", False, cmd,
            "per-layer cycles not available")


def part_parallel():
    runs = [("examples/lenet5.nn", 256), ("examples/cifar.nn", 64), ("examples/cifar.nn", 256),
            ("examples/cifar.nn", 1024)]
    out = []
    for net, b in runs:
        name = os.path.basename(net)[:-3]
        r = run_parallel(net, f"--mult-budget {b}", f"par-{name}-{b}")
        r["network"], r["budget"] = name, b
        out.append(r)
        log(f"  parallel {name} budget {b}: {r.get('cycles')} cycles, bound {r.get('bound')}, "
            f"attained {r.get('attained')} ({r['wall_s']} s)")
        if "cycles" in r:
            tgt = ">= 0.85" if (name == "cifar" and b == 256) else ""
            fig("parallel", f"parallel_{name}_{b}_attained", r["attained"], tgt,
                r["attained"] >= 0.85 if tgt else None, r["command"],
                f"frame interval {r['cycles']} vs bound {r['bound']} (max over layers of "
                f"MACs / that layer's multipliers); MAC use {r['mac_util']} "
                f"(all MACs / (multipliers x interval))")
    details["parallel"] = out


EST_SEEDS = int(os.environ.get("BENCH_EST_SEEDS", "16"))


def part_estimates():
    par, ser = [], []
    nets = [("examples/tiny.nn", ""), ("examples/lenet5.nn", ""), ("examples/cifar.nn", ""),
            ("examples/digits/digits.nn", "--weights examples/digits/weights"),
            ("examples/alexnet.nn", "")]
    for net, w in nets:
        name = os.path.basename(net)[:-3]
        r = run_parallel(net, w, f"est-par-{name}", frames=2 if name == "alexnet" else 3,
                         timeout=int(os.environ.get("BENCH_ALEXNET_TIMEOUT", "900"))
                         if name == "alexnet" else SIM_TIMEOUT)
        r["network"] = name
        par.append(r)
        log(f"  parallel {name}: estimate {r.get('estimate')} measured {r.get('cycles')} "
            f"error {r.get('estimate_error')} ({r['wall_s']} s)")
    sopts = {"cifar": "--pe 16x16", "lenet5": "--pe 8x8", "alexnet": "--pe 16x16 --mem-width 128"}
    for net, w in nets:
        name = os.path.basename(net)[:-3]
        o = (w + " " + sopts.get(name, "")).strip()
        # the memory model's default stalls (what `nnc sim` runs and the
        # estimate models), and for the small networks also without stalls
        # the small networks' short layers are run with 16 stall sequences:
        # the estimate is an expectation over the memory's random stalls
        r = run_serial(net, o, f"est-ser-{name}", stall=True,
                       seeds=1 if name == "alexnet" else EST_SEEDS,
                       timeout=int(os.environ.get("BENCH_ALEXNET_TIMEOUT", "900"))
                       if name == "alexnet" else SIM_TIMEOUT)
        r["network"], r["stalls"] = name, True
        ser.append(r)
        if name != "alexnet":
            r2 = run_serial(net, o, f"est-ser-{name}-nostall", stall=False)
            r2["network"], r2["stalls"] = name, False
            ser.append(r2)
            w2 = max([x.get("estimate_error", 0) for x in r2.get("layers", [])] or [0])
            log(f"  serial {name}, no stalls: measured {r2.get('cycles')} worst layer error {w2}")
        worst = max([x.get("estimate_error", 0) for x in r.get("layers", [])] or [0])
        log(f"  serial {name}: estimate {r.get('estimated_cycles')} measured {r.get('cycles')} "
            f"worst layer error {worst} ({r.get('layer_source')}) ({r['wall_s']} s)")
    details["estimates"] = {"parallel": par, "serial": ser}
    estimate_figures(par, ser)


def part_estimate_figures():
    """The estimates part's figures again from its stored simulations and the
    VGG16 part's layers (after a new VGG16 run), without simulating."""
    e = json.load(open(RESULTS))["details"]["estimates"]
    details["estimates"] = e
    estimate_figures(e["parallel"], e["serial"])


def estimate_figures(par, ser):
    for r in ser:
        name = r.get("network")
        if not (name == "cifar" and r.get("stalls") and "cycles" in r):
            continue
        fig("estimates", "serial_cifar_16x16_attained", r["attained"], ">= 0.90",
            r["attained"] >= 0.90, r["command"],
            f"whole network, memory stalls on; {r['cycles']} cycles vs bound {r['bound']}")
        first = r["layers"][0] if r.get("layers") else {}
        if "attained" not in first and first.get("measured") and first.get("bound"):
            first["attained"] = round(first["bound"] / first["measured"], 3)
        if "attained" in first:
            fig("estimates", "serial_cifar_16x16_first_layer_attained", first["attained"],
                ">= 0.90", first["attained"] >= 0.90, r["command"],
                f"{first['layer']}: {first['measured']} cycles vs bound {first['bound']}")
    # VGG16 serial per-layer from part a when it ran
    prev = {}
    if os.path.exists(RESULTS):
        prev = json.load(open(RESULTS)).get("details", {})
    v = details.get("vgg16") or prev.get("vgg16")
    errs, conv_errs = [], []
    for r in par:
        if "estimate_error" in r:
            errs.append((r["estimate_error"], f"{r['network']} parallel frame interval"))
    nostall = []
    for r in ser + ([v] if isinstance(v, dict) and "layers" in v else []):
        nm = r.get("network", "vgg16")
        if not r.get("stalls", True):
            nostall += [(x["estimate_error"], f"{nm} serial {x['layer']}")
                        for x in r.get("layers", []) if "estimate_error" in x]
            continue
        for x in r.get("layers", []):
            if "estimate_error" in x:
                errs.append((x["estimate_error"], f"{nm} serial {x['layer']}"))
                if x.get("kind") == "conv":
                    conv_errs.append((x["estimate_error"], f"{nm} serial {x['layer']}"))
        if "cycles" in r:
            errs.append((rel(r["estimated_cycles"], r["cycles"]), f"{nm} serial total"))
    if errs:
        e, where = max(errs)
        fig("estimates", "estimate_max_error", round(e, 4), "<= 0.03", e <= 0.03,
            "sh bench/run.sh NNC estimates",
            f"worst: {where}; serial per layer, memory stalls on (nnc sim's default memory, "
            f"which the estimate models; VGG16 from part vgg16 when it ran) vs the "
            f"testbench's per-layer cycles, parallel: the "
            f"network's frame_interval_estimate vs the measured interval (per-engine intervals "
            f"are not measured); {sum(1 for x, _ in errs if x > 0.03)} of {len(errs)} over 3%")
    if nostall:
        e, where = max(nostall)
        fig("estimates", "estimate_max_error_serial_nostall", round(e, 4), "", None,
            "sh bench/run.sh NNC estimates", f"serial layers simulated with --no-stall (a faster "
            f"memory than the estimate models), worst: {where}; "
            f"{sum(1 for x, _ in nostall if x > 0.03)} of {len(nostall)} over 3%")
    if conv_errs:
        e, where = max(conv_errs)
        fig("estimates", "estimate_max_error_serial_conv", round(e, 4), "", None,
            "sh bench/run.sh NNC estimates", f"conv layers only, worst: {where}; "
            f"{sum(1 for x, _ in conv_errs if x > 0.03)} of {len(conv_errs)} over 3%")


def part_golden():
    d = os.path.join(WORK, "golden")
    os.makedirs(d, exist_ok=True)
    script = os.path.join(ROOT, "bench", "torch_vgg16.py")
    rc, out, secs = sh(f"/usr/bin/python3 {script} {d} {NNC}", timeout=1800)
    try:
        r = json.loads(out.strip().splitlines()[-1])
    except Exception:
        details["golden"] = {"error": out[-2000:]}
        fig("golden", "golden_time_ratio_vs_torch", None, "<= 2", False, "", "failed")
        return
    details["golden"] = r
    # the median of interleaved pairs: PyTorch's single runs on this shared
    # machine range over a factor of 4, so a best-of ratio follows one outlier
    ratio = r["pair_ratio_median"]
    fig("golden", "golden_time_ratio_vs_torch", round(ratio, 3), "<= 2", ratio <= 2,
        r["nnc_command"],
        f"nnc run {r['nnc_s']:.3f} s (whole command) vs PyTorch float32 "
        f"{r['torch_s']:.3f} s (forward, 2 threads, after a warm-up): best of 5 each, "
        f"interleaved; the figure is the median of the 5 paired ratios (best over best: "
        f"{r['nnc_s'] / r['torch_s']:.2f}); "
        f"single runs vary widely on this shared machine")
    fig("golden", "golden_vgg16_s", round(r["nnc_s"], 3), "", None, r["nnc_command"], "", "s")
    fig("golden", "torch_vgg16_s", round(r["torch_s"], 3), "", None,
        "/usr/bin/python3 bench/torch_vgg16.py DIR NNC", "", "s")


def part_compile():
    d = os.path.join(WORK, "compile")
    os.makedirs(d, exist_ok=True)
    for mode in ("serial", "parallel"):
        cmd = f"{NNC} examples/vgg16.nn -o {d}/v.v --mode {mode}"
        ts, cpu = [], []
        for _ in range(3):
            c0 = os.times()
            rc, out, secs = sh(cmd, timeout=600)
            c1 = os.times()
            if rc != 0:
                break
            ts.append(secs)
            cpu.append(c1.children_user + c1.children_system - c0.children_user - c0.children_system)
        if not ts:
            fig("compile", f"vgg16_compile_{mode}_s", None, "< 2", False, cmd, out[-300:], "s")
            continue
        size = sum(os.path.getsize(os.path.join(d, x)) for x in os.listdir(d))
        fig("compile", f"vgg16_compile_{mode}_s", round(min(ts), 3), "< 2", min(ts) < 2,
            cmd.replace(d, "DIR"), f"wall, best of 3 (CPU user+sys {min(cpu):.2f} s), "
            f"{size / 1e6:.0f} MB written; the machine is shared, so wall time varies", "s")
        shutil.rmtree(d)
        os.makedirs(d)


def part_depth():
    """Compile time against depth: random residual networks (gen_net.py --deep)
    of 75, 150, 300 and 600 layers in both modes; the figure is the time per
    layer at 600 over the time per layer at 75 (1 is linear; a quadratic pass
    would show as 8)."""
    d = os.path.join(WORK, "depth")
    os.makedirs(d, exist_ok=True)
    depths = (75, 150, 300, 600)
    rows = {}
    for n in depths:
        net = os.path.join(d, f"deep{n}.nn")
        sh(f"/usr/bin/python3 tests/fuzz/gen_net.py --seed 1 --deep {n} -o {net}")
        rc, out, _ = sh(f"{NNC} check {net} --json")
        layers = len(json.loads(out)["layers"]) if rc == 0 else n
        for mode in ("serial", "parallel"):
            cmd = f"{NNC} {net} -o {d}/o.v --mode {mode} -q"
            ts = []
            for _ in range(7):
                c0 = resource.getrusage(resource.RUSAGE_CHILDREN)
                rc, out, secs = sh(cmd, timeout=600)
                c1 = resource.getrusage(resource.RUSAGE_CHILDREN)
                if rc != 0:
                    break
                # CPU time of the compile (and its shell): wall time on this
                # shared machine wanders more than the figure measures
                ts.append((c1.ru_utime + c1.ru_stime - c0.ru_utime - c0.ru_stime,
                           c1.ru_utime - c0.ru_utime, c1.ru_stime - c0.ru_stime))
            best = min(ts) if ts else (None, None, None)
            rows[(mode, n)] = {"layers": layers, "cpu_s": best[0] and round(best[0], 4),
                               "user_s": best[1] and round(best[1], 4),
                               "sys_s": best[2] and round(best[2], 4),
                               "rc": rc, "tail": out[-300:] if rc else ""}
            for x in os.listdir(d):
                if x.startswith("o"):
                    os.remove(os.path.join(d, x))
    details["depth"] = {f"{m} {n}": r for (m, n), r in rows.items()}
    for mode in ("serial", "parallel"):
        a, b = rows[(mode, depths[0])], rows[(mode, depths[-1])]
        if not a["cpu_s"] or not b["cpu_s"]:
            fig("depth", f"depth_{mode}_per_layer_ratio_600_vs_75", None, "<= 2", False,
                f"build/nnc DIR/deep600.nn -o DIR/o.v --mode {mode}", "a compile failed")
            continue
        ratio = (b["cpu_s"] / b["layers"]) / (a["cpu_s"] / a["layers"])
        times = ", ".join(f"{n}: {rows[(mode, n)]['cpu_s']} s ({rows[(mode, n)]['sys_s']} sys)"
                          for n in depths)
        fig("depth", f"depth_{mode}_per_layer_ratio_600_vs_75", round(ratio, 2), "<= 2",
            ratio <= 2, f"build/nnc DIR/deep600.nn -o DIR/o.v --mode {mode}",
            f"CPU time per layer, 600 over 75 layers (best of 7; gen_net.py --seed 1 "
            f"--deep N; {times}); 1 is linear, the fixed start-up cost pulls it below; "
            f"parallel mode's time is mostly the kernel creating two ROM files a conv")
    shutil.rmtree(d)


def synth_table(out):
    t = {}
    for line in out.splitlines():
        m = re.match(r"(cells|LUTs|flip-flops|multipliers \(RTL\)|DSP blocks|block RAMs|LUT RAM cells|"
                     r"yosys time|nextpnr time|Fmax \(nextpnr\)|memories \(RTL\))\s+(.*)$", line)
        if m:
            t[m.group(1)] = m.group(2).strip()
    return t


def synth_partial(d):
    """What a synthesis that did not finish had established: the RTL multipliers
    and memories (coarse.log), the last pass reached, the multipliers packed
    into DSP48E1s and the memories mapped to block RAM, LUT RAM or flip-flops."""
    f = {}
    c = os.path.join(d, "coarse.log")
    if os.path.exists(c):
        txt = open(c).read()
        f["multipliers_rtl"] = sum(int(m) for m in re.findall(r"^\s+\$mul\s+(\d+)$", txt, re.M))
        f["memories_rtl"] = sum(int(m) for m in re.findall(r"^\s+\$mem(?:_v2)?\s+(\d+)$", txt, re.M))
    y = os.path.join(d, "yosys.log")
    if os.path.exists(y):
        txt = open(y).read()
        heads = re.findall(r"^(\d+\.\d+)\. Executing (.*)$", txt, re.M)
        if heads:
            f["last_pass"] = " ".join(heads[-1])
        f["dsp_packing_candidates"] = len(re.findall(r"for Xilinx DSP packing", txt))
        f["memories_to_block_ram"] = len(re.findall(r"^mapping memory .* via \$__XILINX_BLOCKRAM", txt, re.M))
        f["memories_to_lut_ram"] = len(re.findall(r"^mapping memory .* via \$__XILINX_LUTRAM", txt, re.M))
        f["memories_to_ffs"] = len(re.findall(r"^using FF mapping for memory", txt, re.M))
    return f


def part_synth():
    res = {}
    cmd = ('make synth NET=examples/vgg16.nn MODE=serial TARGET=xilinx '
           'SYNTH_OPTS="--pe 32x24 --mem-width 256"')
    rc, out, secs = sh(f"sh bench/synth.sh {NNC} examples/vgg16.nn serial xilinx "
                       f"--pe 32x24 --mem-width 256", timeout=SYNTH_TIMEOUT)
    log(out)
    t = synth_table(out)
    res["vgg16_xilinx"] = {"command": cmd, "rc": rc, "wall_s": round(secs, 1), "table": t,
                           "tail": out[-1500:]}
    if rc == 0:
        ys = float(t.get("yosys time", "0 s").split()[0])
        # a netlist with fewer DSP blocks than the array's 768 multipliers
        # has lost part of the engine: its time proves nothing
        dsps = int(str(t.get("DSP blocks", "0")).split()[0] or 0)
        whole = dsps >= 32 * 24
        fig("synth", "vgg16_synth_xilinx_s", round(ys, 1), "< 600", ys < 600 and whole, cmd,
            f"LUTs {t.get('LUTs')}, FFs {t.get('flip-flops')}, DSPs {t.get('DSP blocks')}, "
            f"BRAMs {t.get('block RAMs')}"
            + ("" if whole else "; NOT a valid figure: fewer DSP blocks than the 768 multipliers "
               "(and far fewer block RAMs than the weight buffers need): synthesis removed "
               "most of the array"), "s")
    else:
        pf = synth_partial(os.path.join(os.path.dirname(NNC), "synth", "vgg16-serial-xilinx"))
        res["vgg16_xilinx"]["partial"] = pf
        fig("synth", "vgg16_synth_xilinx_s", None, "< 600", False, cmd,
            (f"did not finish within {SYNTH_TIMEOUT} s" if rc is None else f"failed (rc {rc})")
            + "; reached: " + ", ".join(f"{k} {v}" for k, v in pf.items()), "s")
    # the engine inside the 2016 design's part: an XC7Z045 has 900 DSP48E1,
    # 545 RAMB36 (19620 kbits), 218600 LUTs (a LUT RAM cell takes up to 4)
    cmd = ('make synth NET=examples/vgg16.nn MODE=serial TARGET=xilinx '
           'SYNTH_OPTS="--pe 32x24 --mem-width 256 --batch 4 --bram-kbits 19620"')
    rc, out, secs = sh(f"sh bench/synth.sh {NNC} examples/vgg16.nn serial xilinx "
                       f"--pe 32x24 --mem-width 256 --batch 4 --bram-kbits 19620",
                       timeout=SYNTH_TIMEOUT)
    log(out)
    t = synth_table(out)
    res["vgg16_xilinx_fit"] = {"command": cmd, "rc": rc, "wall_s": round(secs, 1), "table": t,
                               "tail": out[-1500:]}
    if rc == 0:
        num = lambda k: float(str(t.get(k, "0")).split()[0] or 0)
        m = re.search(r"= ([0-9.]+) RAMB36", t.get("block RAMs", ""))
        b36 = float(m.group(1)) if m else 1e9
        luts = num("LUTs") + 4 * num("LUT RAM cells")
        fits = num("DSP blocks") >= 768 and num("DSP blocks") <= 900 and b36 <= 545 and \
            luts <= 218600 and num("flip-flops") <= 437200
        fig("synth", "vgg16_xc7z045_fits", fits, "fits", fits, cmd,
            f"DSP48E1 {t.get('DSP blocks')} of 900, block RAM {b36} of 545 RAMB36, LUTs "
            f"{t.get('LUTs')} + LUT RAM cells {t.get('LUT RAM cells', 0)} (<= {int(luts)} LUTs) "
            f"of 218600, FFs {t.get('flip-flops')} of 437200 (yosys synth_xilinx counts; "
            f"no place and route for the 7-series in Debian)")
    else:
        fig("synth", "vgg16_xc7z045_fits", None, "fits", False, cmd, f"synthesis failed (rc {rc})")
    details["synth"] = res


def part_ice40():
    """iCE40 UP5K (5280 LCs, 8 DSPs, 30 BRAMs): the largest small serial engine
    that places and routes, from 2x2 down; nextpnr's Fmax."""
    ice, best = [], None
    for pe, mw in (("2x2", 16), ("1x1", 8)):
        c = (f'make synth NET=examples/digits/digits.nn MODE=serial TARGET=ice40 '
             f'SYNTH_OPTS="--pe {pe} --mem-width {mw}"')
        rc, out, secs = sh(f"sh bench/synth.sh {NNC} examples/digits/digits.nn serial ice40 "
                           f"--pe {pe} --mem-width {mw}", timeout=SYNTH_TIMEOUT)
        t = synth_table(out)
        pnr = os.path.join(os.path.dirname(NNC), "synth", "digits-serial-ice40", "pnr.log")
        if os.path.exists(pnr):
            for k, v in re.findall(r"(ICESTORM_LC|ICESTORM_DSP|ICESTORM_RAM):\s+(\d+/\s*\d+)",
                                   open(pnr).read()):
                t["nextpnr " + k] = v.replace(" ", "")
        fm = t.get("Fmax (nextpnr)", "")
        ok = rc == 0 and re.match(r"[\d.]+ MHz", fm) is not None
        ice.append({"pe": pe, "mem_width": mw, "command": c, "rc": rc, "wall_s": round(secs, 1),
                    "table": t, "fits": ok})
        log(f"  ice40 digits serial {pe} / {mw} bits: {'fits, ' + fm if ok else 'does not fit'} "
            f"(LCs {t.get('nextpnr ICESTORM_LC')}, DSPs {t.get('nextpnr ICESTORM_DSP')}; {secs:.0f} s)")
        if ok:
            best = (pe, mw, c, t)
            break
    if best:
        pe, mw, c, t = best
        fig("ice40", "ice40_up5k_fmax_mhz", float(t["Fmax (nextpnr)"].split()[0]), "fits", True,
            c, f"digits serial {pe}, {mw}-bit bus: LUTs {t.get('LUTs')}, DSPs "
            f"{t.get('DSP blocks')}, BRAMs {t.get('block RAMs')}", "MHz")
    else:
        fig("ice40", "ice40_up5k_fmax_mhz", None, "fits", False, ice[-1]["command"],
            "no serial engine placed on the UP5K: "
            + "; ".join(f"{i['pe']}/{i['mem_width']} bits needs {i['table'].get('nextpnr ICESTORM_LC')} "
                        f"LCs and {i['table'].get('nextpnr ICESTORM_DSP')} DSPs" for i in ice))
    details["ice40"] = ice


def timed(cmd, runs=3):
    """Best wall time of a few runs of cmd (None if it fails)."""
    best = None
    for _ in range(runs):
        rc, out, secs = sh(cmd, timeout=600)
        if rc != 0:
            log(out[-500:])
            return None
        best = secs if best is None else min(best, secs)
    return best


def sim_until_running(cmd, timeout):
    """Run nnc sim; the seconds from its start to the engine model's first
    cycle ("progress engine model running"), the output and rc."""
    t = time.time()
    p = subprocess.Popen(cmd, shell=True, cwd=ROOT, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True, start_new_session=True)
    first, out = None, []
    try:
        for line in p.stdout:
            out.append(line)
            if first is None and "engine model running" in line:
                first = time.time() - t
        p.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, 9)
    return first, "".join(out), p.returncode, time.time() - t


def part_engine():
    """One engine for any network (issue 14): VGG16 on a generic engine
    against its own per-network engine (the same run), the engine's and a
    program's compile times, and one 16x16 engine running several networks
    with no rebuild between them."""
    d = os.path.join(WORK, "engine")
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    env = f"NNC_CACHE={d}/cache "
    vopt = f"--pe 32x24 --mem-width 256 --bram-kbits {VGG16_BRAM}"
    per = f"{NNC} examples/vgg16.nn -o {d}/pn.v --mode serial {vopt} --batch {VGG16_BATCH}"
    eng = f"{NNC} engine -o {d}/vgg_eng.v {vopt}"
    prog = f"{NNC} examples/vgg16.nn --engine {d}/vgg_eng.json -o {d}/vgg16.bin --batch {VGG16_BATCH}"
    te = timed(eng)
    tp = timed(prog)
    rc, out, _ = sh(per, timeout=600)
    if te is None or tp is None or rc != 0:
        fig("engine", "engine_vgg16_estimate_ratio", None, "<= 1.02", False, prog, "failed")
        return
    pn = json.load(open(f"{d}/pn.json"))["estimated_cycles"]
    ge = json.load(open(f"{d}/vgg16.json"))["estimated_cycles"]
    spec = json.load(open(f"{d}/vgg_eng.json"))
    fig("engine", "engine_vgg16_estimate_ratio", round(ge / pn, 4), "<= 1.02", ge / pn <= 1.02,
        prog, f"the generic engine's estimate {ge} cycles a frame over the per-network "
        f"engine's {pn} ({per.replace(NNC, 'build/nnc').replace(d, 'DIR')}), same compiler, same "
        f"run; spec {spec['spec']}")
    fig("engine", "engine_vgg16_build_and_program_s", round(te + tp, 3), "< 2", te + tp < 2,
        eng + " && " + prog, f"wall, best of 3 each: engine {te:.3f} s, program {tp:.3f} s "
        f"(the program writes a {os.path.getsize(d + '/vgg16.weights.bin') / 1e6:.0f} MB weight "
        f"image); the machine is shared, so wall time varies", "s")
    fig("engine", "engine_vgg16_program_s", round(tp, 3), "< 1", tp < 1, prog,
        "wall, best of 3", "s")
    # one 16x16 engine, a 64-bit bus: several networks, built once
    sm = f"{NNC} engine -o {d}/eng16.v --pe 16x16 --mem-width 64 --max-width 16 --bram-kbits 4096"
    sh(sm)
    nets = [("examples/tiny.nn", "--frames 2"), ("examples/lenet5.nn", "--frames 2"),
            ("examples/digits/digits.nn", "--weights examples/digits/weights --frames 2"),
            ("examples/cifar.nn", "--frames 1"), ("tests/nets/alexnet_small.nn", "--frames 1"),
            ("tests/nets/residual.nn", "--frames 2")]
    rows, switch, allpass = [], [], True
    for k, (net, o) in enumerate(nets):
        cmd = f"{env}{NNC} sim {net} --engine {d}/eng16.json {o} --simulator verilator"
        first, out, rc, wall = sim_until_running(cmd, SIM_TIMEOUT)
        r = parse_sim(out) or {}
        ok = rc == 0 and "cycles" in r
        allpass &= ok
        built = "building the engine" in out
        rows.append({"network": net, "pass": ok, "cycles": r.get("cycles"),
                     "attained": r.get("attained"), "built_model": built,
                     "to_first_cycle_s": round(first, 3) if first else None,
                     "wall_s": round(wall, 1)})
        log(f"  engine 16x16: {net}: {'PASS' if ok else 'FAIL'} {r.get('cycles')} cycles, "
            f"first cycle after {first and round(first, 2)} s{' (model built)' if built else ''}")
        if k > 0 and first is not None and not built:
            switch.append(first)
    details["engine"] = {"networks_16x16": rows, "spec_16x16": sm.replace(NNC, "build/nnc")}
    fig("engine", "engine_16x16_networks_bitexact", allpass, "all", allpass,
        sm + " && " + f"build/nnc sim NET --engine DIR/eng16.json",
        f"{sum(r['pass'] for r in rows)} of {len(rows)}: " +
        ", ".join(f"{os.path.basename(r['network'])} {r['cycles']}" for r in rows) +
        " cycles; the Verilator model built once, by the first")
    if switch:
        fig("engine", "engine_switch_to_first_cycle_s", round(max(switch), 3), "no Verilator build",
            all(not r["built_model"] for r in rows[1:]), "build/nnc sim NET --engine DIR/eng16.json",
            f"seconds from nnc sim's start to the engine model's first cycle, for each network "
            f"after the first (compile the program, golden model, load): max {max(switch):.2f}, "
            f"min {min(switch):.2f}", "s")


def part_engine_vgg16():
    """VGG16 on the generic engine of part engine, in Verilator through the
    driver, against the per-network engine's simulated cycles (vgg16_cycles,
    part vgg16). BENCH_ENGINE_VGG16_LOG: the output of that same command run
    earlier (about 100 minutes), read instead of running it again."""
    d = os.path.join(WORK, "engine-vgg16")
    os.makedirs(d, exist_ok=True)
    eng = f"{NNC} engine -o {d}/vgg_eng.v --pe 32x24 --mem-width 256 --bram-kbits {VGG16_BRAM}"
    cmd = (f"{NNC} sim examples/vgg16.nn --engine {d}/vgg_eng.json --batch {VGG16_BATCH} "
           f"--frames {VGG16_BATCH}")
    old = os.environ.get("BENCH_ENGINE_VGG16_LOG")
    if old:
        out, secs, rc = open(old).read(), None, 0
    else:
        sh(eng)
        rc, out, secs = sh(f"NNC_CACHE={d}/cache " + cmd + f" --keep {d}/run", timeout=VGG16_TIMEOUT)
    r = parse_sim(out)
    prev = json.load(open(RESULTS)).get("vgg16_cycles") if os.path.exists(RESULTS) else None
    wall = re.search(r"Elapsed \(wall clock\) time[^:]*: ([0-9:.]+)", out)
    note = (f"bit-exact (PASS) on {VGG16_BATCH} frames, memory stalls on, through the C driver; "
            + (f"wall {wall.group(1)}" if wall else f"wall {secs and round(secs)} s"))
    if not r or rc != 0:
        fig("engine-vgg16", "engine_vgg16_cycles_ratio", None, "<= 1.02", False,
            eng + " && " + cmd, "no PASS: " + out[-300:])
        return
    ratio = r["cycles"] / prev if prev else None
    fig("engine-vgg16", "engine_vgg16_cycles", r["cycles"], "", None, eng + " && " + cmd,
        note + f"; attained {r['attained']}")
    fig("engine-vgg16", "engine_vgg16_cycles_ratio", ratio and round(ratio, 4), "<= 1.02",
        ratio is not None and ratio <= 1.02, eng + " && " + cmd,
        f"{r['cycles']} cycles a frame on the generic engine over the per-network engine's "
        f"{prev} (vgg16_cycles, part vgg16: the same network, array, bus and buffer cap)")


def part_engine_synth():
    """The VGG16 engine of part engine, synthesized once with synth_xilinx."""
    cmd = (f"sh bench/synth.sh {NNC} vgg_engine engine xilinx --pe 32x24 --mem-width 256 "
           f"--bram-kbits {VGG16_BRAM}")
    rc, out, secs = sh(cmd, timeout=SYNTH_TIMEOUT * 3)
    log(out)
    t = synth_table(out)
    details["engine_synth"] = {"command": disp(cmd), "rc": rc, "wall_s": round(secs, 1),
                               "table": t, "tail": out[-1500:]}
    if rc != 0:
        fig("engine-synth", "engine_vgg16_xc7z045_fits", None, "fits", False, cmd,
            f"synthesis failed or timed out (rc {rc}, {secs:.0f} s)")
        return
    num = lambda k: float(str(t.get(k, "0")).split()[0] or 0)
    m = re.search(r"= ([0-9.]+) RAMB36", t.get("block RAMs", ""))
    b36 = float(m.group(1)) if m else 1e9
    luts = num("LUTs") + 4 * num("LUT RAM cells")
    fits = 768 <= num("DSP blocks") <= 900 and b36 <= 545 and luts <= 218600 and \
        num("flip-flops") <= 437200
    fig("engine-synth", "engine_vgg16_xc7z045_fits", fits, "fits", fits, cmd,
        f"DSP48E1 {t.get('DSP blocks')} of 900, block RAM {b36} of 545 RAMB36, LUTs "
        f"{t.get('LUTs')} + LUT RAM cells {t.get('LUT RAM cells', 0)} (<= {int(luts)} LUTs) of "
        f"218600, FFs {t.get('flip-flops')} of 437200; yosys {t.get('yosys time')} "
        f"(synth_xilinx counts; no place and route for the 7-series in Debian)")


PARTS = {"vgg16": part_vgg16, "parallel": part_parallel, "estimates": part_estimates,
         "estimate-figures": part_estimate_figures,
         "golden": part_golden, "compile": part_compile, "synth": part_synth,
         "ice40": part_ice40, "depth": part_depth, "engine": part_engine,
         "engine-synth": part_engine_synth, "engine-vgg16": part_engine_vgg16}
ORDER = ["golden", "compile", "depth", "parallel", "vgg16", "estimates", "synth", "ice40",
         "engine", "engine-synth", "engine-vgg16"]


def machine():
    cpu = ""
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    rc, rev, _ = sh("git rev-parse --short HEAD")
    rc, dirty, _ = sh("git status --porcelain --untracked-files=no -- compiler lang templates sim")
    return {"date": time.strftime("%Y-%m-%d %H:%M:%S %z"), "uname_m": platform.machine(),
            "nproc": os.cpu_count(), "cpu": cpu, "git": rev.strip(),
            "source_modified": bool(dirty.strip()),
            "load_average": [round(x, 2) for x in os.getloadavg()],
            "nnc_built": time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(os.path.getmtime(NNC_SRC)))
            if NNC_SRC else None}


def table(res):
    lines = ["| figure | value | target | met | command |", "|---|---|---|---|---|"]
    for k, f in res["figures"].items():
        met = {True: "met", False: "NOT met", None: ""}[f["met"]]
        v = "—" if f["value"] is None else f"{f['value']}{(' ' + f['unit']) if f['unit'] else ''}"
        lines.append(f"| {k} | {v} | {f['target']} | {met} | `{f['command']}` |")
    return "\n".join(lines)


def layer_table(r):
    lines = ["| layer | estimated | measured | bound | attained | estimate error | MACs/byte | bound by |",
             "|---|---|---|---|---|---|---|---|"]
    for x in r.get("layers", []):
        lines.append("| {} | {} | {} | {} | {} | {} | {} | {} |".format(
            x["layer"], x["estimated"], x.get("measured", "—"), x.get("bound", "—"),
            x.get("attained", "—"), x.get("estimate_error", "—"),
            x.get("intensity_macs_per_byte", "—"),
            ("memory" if x.get("memory_bound") else "compute") if "bound" in x else "—"))
    return "\n".join(lines)


def write_md(res):
    m = [f"# nnc benchmark results", "",
         f"Written by `make bench` (`sh bench/run.sh build/nnc [part]`) into "
         f"`bench/results.json`; {res.get('date')}, {res.get('cpu')} ({res.get('uname_m')}, "
         f"{res.get('nproc')} cores), nnc at {res.get('git')}. NNC below is `build/nnc`.",
         "",
         "Cycle counts are exact and repeatable (Verilator, fixed seeds). Times (golden "
         "model, compile, synthesis, simulation wall time) are wall-clock on this machine "
         "as it was, shared with other jobs: `machine_<part>.load_average` in results.json "
         "gives the load when each part ended. Re-run a part alone with "
         "`sh bench/run.sh build/nnc PART` (parts: " + " ".join(ORDER) + "); "
         "`estimates` takes VGG16's per-layer figures from the last `vgg16` run; "
         "`estimate-figures` recomputes its figures from the stored runs after a new `vgg16` run.",
         "", table(res), "",
         "Notes on the figures:", ""] + [f"- `{k}`: {f['note']}" for k, f in res["figures"].items()
                                        if f.get("note")] + ["",
         "Wall time of each part (s): " + ", ".join(f"{k} {v}" for k, v in res["wall_s"].items()),
         ""]
    v = res["details"].get("vgg16")
    if isinstance(v, dict) and v.get("layers"):
        m += ["## VGG16, serial, 32x24 array, 256-bit bus, per layer", "",
              f"`{v['command']}`: {v.get('cycles')} cycles, bound {v.get('bound')}, "
              f"attained {v.get('attained')}; per-layer cycles from the "
              f"{v.get('layer_source')}; simulation wall time {v.get('wall_s')} s.", "",
              layer_table(v), ""]
    pr = res["details"].get("parallel")
    if pr:
        m += ["## Parallel mode: frame interval vs bound (Verilator, 3 frames, no stalls)", "",
              "| network | budget | multipliers used | interval | bound | attained | MAC use | estimate | command |",
              "|---|---|---|---|---|---|---|---|---|"]
        for r in pr:
            m.append(f"| {r['network']} | {r['budget']} | "
                     f"{sum(e['multipliers'] for e in r.get('engines', []))} | {r.get('cycles')} | "
                     f"{r.get('bound')} | {r.get('attained')} | {r.get('mac_util')} | "
                     f"{r.get('estimate')} | "
                     f"`{r['command']}` |")
        m.append("")
    es = res["details"].get("estimates")
    if es:
        m += ["## Estimates vs simulation", "",
              "Parallel: the network's `frame_interval_estimate` against the measured "
              "interval (the slowest engine sets it; per-engine intervals are not measured).", "",
              "| network | estimate | measured | error | slowest engine | command |",
              "|---|---|---|---|---|---|"]
        for r in es["parallel"]:
            m.append(f"| {r['network']} | {r.get('estimate')} | {r.get('cycles')} | "
                     f"{r.get('estimate_error', r.get('error', '')[:60] if 'error' in r else '')} | "
                     f"{r.get('slowest_engine', '')} | `{r['command']}` |")
        m += ["", "Serial (no stalls): each descriptor's `estimated_cycles` in OUT.json "
              "against its measured cycles.", ""]
        for r in es["serial"]:
            m += [f"### {r['network']}{', memory stalls on' if r.get('stalls') else ''}: "
                  f"`{r['command']}`", "",
                  f"{r.get('cycles')} cycles (estimate {r.get('estimated_cycles')}), bound "
                  f"{r.get('bound')}, attained {r.get('attained')}; per layer from the "
                  f"{r.get('layer_source', '—')}.", ""]
            if r.get("layers"):
                m += [layer_table(r), ""]
            elif "error" in r:
                m += ["Not measured: " + r["error"].strip().splitlines()[-1][:200], ""]
    sy = res["details"].get("synth")
    if sy:
        m += ["## Synthesis", ""]
        x = sy["vgg16_xilinx"]
        m += [f"`{x['command']}` (rc {x['rc']}, {x['wall_s']} s):", "", "```"]
        m += [f"{k:24s} {v}" for k, v in x["table"].items()] or [
            f"{k:24s} {v}" for k, v in x.get("partial", {}).items()] or [x["tail"][-800:]]
        m += ["```", ""]
    if res["details"].get("ice40"):
        for i in res["details"]["ice40"]:
            m += [f"`{i['command']}`: {'fits' if i['fits'] else 'does not fit'}", "", "```"]
            m += [f"{k:24s} {v}" for k, v in i["table"].items()]
            m += ["```", ""]
    with open(os.path.join(ROOT, "bench", "RESULTS.md"), "w") as fh:
        fh.write("\n".join(m))


def main():
    global NNC, NNC_SRC
    NNC_SRC = os.path.abspath(sys.argv[1])
    # a private copy: others may rebuild build/nnc while the benchmarks run
    os.makedirs(WORK, exist_ok=True)
    NNC = os.path.join(WORK, "nnc")
    shutil.copy(os.path.abspath(sys.argv[1]), NNC)
    parts = sys.argv[2:] or ORDER
    for p in parts:
        if p not in PARTS:
            sys.exit(f"bench: unknown part '{p}' (parts: {' '.join(ORDER)})")
    os.makedirs(WORK, exist_ok=True)
    res = json.load(open(RESULTS)) if os.path.exists(RESULTS) else {}
    res.setdefault("figures", {})
    res.setdefault("details", {})
    res.setdefault("wall_s", {})
    for p in parts:
        log(f"bench: {p} ...")
        figures.clear()
        details.clear()
        t = time.time()
        try:
            PARTS[p]()
        finally:
            w = round(time.time() - t, 1)
            # parts may run concurrently: merge into the file as it is now
            if os.path.exists(RESULTS):
                res = json.load(open(RESULTS))
            for k in ("figures", "details", "wall_s"):
                res.setdefault(k, {})
            res["wall_s"][p] = w
            # a part's figures replace that part's previous ones
            res["figures"] = {k: v for k, v in res["figures"].items() if v["part"] != p}
            res["figures"].update(figures)
            res["details"].update(details)
            res["machine_" + p] = machine()
            for k, v in res["figures"].items():
                res[k] = v["value"]
            order = {q: i for i, q in enumerate(ORDER)}
            res["figures"] = dict(sorted(res["figures"].items(),
                                         key=lambda kv: order.get(kv[1]["part"], 99)))
            res.update(machine())
            with open(RESULTS + ".tmp", "w") as fh:
                json.dump(res, fh, indent=1)
            os.replace(RESULTS + ".tmp", RESULTS)
            log(f"bench: {p} done in {w} s")
    write_md(res)
    log("")
    log(table(res))


if __name__ == "__main__":
    main()
