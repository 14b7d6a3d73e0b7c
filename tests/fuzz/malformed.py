#!/usr/bin/python3
"""malformed.py NNC COUNT SEED [RESULTS]: mutate valid .nn and .npy files (flip, cut,
insert, splice bytes; seeded), run nnc on each, and check that every run ends
with exit code 0 or 1 (never a crash, exit 2 or a signal), that exit 1 comes
with an "error:" line, and that a failed run leaves no output file and no
temporary behind. Prints "N passed, M failed" and exits 1 on any failure;
with RESULTS, also reports the counts to the test summary."""
import os, random, shutil, subprocess, sys, tempfile

nnc, count, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rng = random.Random(seed)
nets = ["examples/tiny.nn", "examples/lenet5.nn", "examples/digits/digits.nn",
        "tests/nets/residual.nn", "tests/errors/data/net.nn"]
arrays = ["tests/errors/data/x_ok.npy", "tests/errors/data/w_ok/c1.weight.npy",
          "tests/errors/data/w_ok/f1.weight.npy", "tests/errors/data/w_ok/c1.bias.npy"]

def mutate(data):
    b = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        op = rng.randrange(5)
        i = rng.randrange(len(b) + 1)
        if op == 0 and b:                       # flip a byte
            b[min(i, len(b) - 1)] = rng.randrange(256)
        elif op == 1:                           # cut the tail
            del b[i:]
        elif op == 2:                           # insert junk
            b[i:i] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
        elif op == 3 and b:                     # delete a run
            del b[i:i + rng.randint(1, 16)]
        else:                                   # splice a printable token
            b[i:i] = rng.choice([b"}", b"{", b";", b",", b"=", b"fixed<", b"-", b"999999999999",
                                 b"conv x : filters = 0", b"\xff", b"'descr'", b"(", b")"])
    return bytes(b)

passed = failed = 0
tmp = tempfile.mkdtemp()
for k in range(count):
    work = os.path.join(tmp, str(k))
    os.makedirs(work)
    if k % 2 == 0:      # a malformed network
        src = rng.choice(nets)
        bad = os.path.join(work, "bad.nn")
        open(bad, "wb").write(mutate(open(src, "rb").read()))
        cmd = [nnc, "run", bad, "--input", "tests/errors/data/x_ok.npy", "-o", os.path.join(work, "y.npy")] \
            if rng.random() < 0.3 else [nnc, bad, "-o", os.path.join(work, "y.v"), "-q"]
    else:               # a malformed array as an input or a weight file
        src = rng.choice(arrays)
        wdir = os.path.join(work, "w")
        shutil.copytree("tests/errors/data/w_ok", wdir)
        if "weight" in src or "bias" in src:
            target = os.path.join(wdir, os.path.basename(src))
            inp = "tests/errors/data/x_ok.npy"
        else:
            target = inp = os.path.join(work, "x.npy")
        open(target, "wb").write(mutate(open(src, "rb").read()))
        cmd = [nnc, "run", "tests/errors/data/net.nn", "--weights", wdir, "--input", inp,
               "-o", os.path.join(work, "y.npy")]
    try:
        r = subprocess.run(cmd, capture_output=True, timeout=60)
    except subprocess.TimeoutExpired:
        failed += 1
        print(f"    FAIL case {k}: timeout: {' '.join(cmd)}")
        continue
    err = r.stderr.decode(errors="replace")
    left = [f for f in os.listdir(work) if f.startswith("y") or ".tmp" in f]
    problem = None
    if r.returncode not in (0, 1):
        problem = f"exit {r.returncode}"
    elif r.returncode == 1 and "error:" not in err:
        problem = "exit 1 without an error message"
    elif r.returncode == 1 and left:
        problem = f"left {left} behind"
    if problem:
        failed += 1
        keep = os.path.join("build", "malformed", str(k))
        shutil.rmtree(keep, ignore_errors=True)
        shutil.copytree(work, keep)
        print(f"    FAIL case {k} ({src}): {problem}; kept in {keep}: {' '.join(cmd)}")
        print("        " + err.strip().replace("\n", "\n        ")[:600])
    else:
        passed += 1
    shutil.rmtree(work)
shutil.rmtree(tmp)
print(f"malformed inputs (seed {seed}): {passed} passed, {failed} failed")
if len(sys.argv) > 4:
    subprocess.run(["sh", "tests/report.sh", sys.argv[4], f"malformed .nn/.npy ({count}, seed {seed})",
                    str(passed), str(failed)], stdout=sys.stdout)
sys.exit(1 if failed else 0)
