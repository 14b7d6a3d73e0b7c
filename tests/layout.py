#!/usr/bin/env python3
"""layout.py RESULTS: the compiler tree's shape holds.

- Each back-end folder (compiler/serial, compiler/parallel, compiler/import)
  is a one-way chain: the graph "file X includes header Y" between its own
  files has no cycle (X.c and X.h are one node).
- A back end includes nothing of another back end; the shared passes at the
  top include no back-end header.
- Every citation of the design document names the file in the repository
  (docs/DESIGN.md), and that file exists.
Prints one line per failure, then appends "PASSED FAILED layout" to RESULTS.
"""
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BACKENDS = ["serial", "parallel", "import"]
INC = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def includes(path):
    with open(path, encoding="utf-8") as f:
        return INC.findall(f.read())


def check_chain(folder, fails):
    d = os.path.join(ROOT, "compiler", folder)
    nodes = {}
    for name in sorted(os.listdir(d)):
        if name.endswith((".c", ".h")):
            node = name[:-2]
            for inc in includes(os.path.join(d, name)):
                if "/" in inc:
                    other = inc.split("/")[0]
                    if other in BACKENDS and other != folder:
                        fails.append("compiler/%s/%s includes %s: another back end" % (folder, name, inc))
                    continue
                if os.path.exists(os.path.join(d, inc)):
                    dep = inc[:-2]
                    if dep != node:
                        nodes.setdefault(node, set()).add(dep)
            nodes.setdefault(node, set())
    # depth-first search for a cycle
    state = {}

    def visit(n, stack):
        state[n] = 1
        for m in sorted(nodes.get(n, ())):
            if state.get(m) == 1:
                cyc = stack[stack.index(m):] + [m] if m in stack else [n, m]
                fails.append("compiler/%s: include cycle %s" % (folder, " -> ".join(cyc)))
            elif m not in state:
                visit(m, stack + [m])
        state[n] = 2

    for n in sorted(nodes):
        if n not in state:
            visit(n, [n])
    return len(nodes)


def check_top(fails):
    d = os.path.join(ROOT, "compiler")
    for name in sorted(os.listdir(d)):
        if name.endswith((".c", ".h")):
            for inc in includes(os.path.join(d, name)):
                if inc.split("/")[0] in BACKENDS:
                    fails.append("compiler/%s includes %s: a shared pass uses a back end" % (name, inc))


CITE = re.compile(r"DESIGN(\.md)?\s*(§|section|[0-9])")


def check_citations(fails):
    if not os.path.exists(os.path.join(ROOT, "docs", "DESIGN.md")):
        fails.append("docs/DESIGN.md is missing")
    for top in ["compiler", "lang", "templates", "sim", "tests", "bench"]:
        for dirpath, _, files in os.walk(os.path.join(ROOT, top)):
            for name in files:
                if not name.endswith((".c", ".h", ".v", ".y", ".l", ".py", ".sh", ".md")):
                    continue
                path = os.path.join(dirpath, name)
                with open(path, encoding="utf-8", errors="replace") as f:
                    for k, line in enumerate(f, 1):
                        for m in CITE.finditer(line):
                            if not line[:m.start()].endswith("docs/"):
                                fails.append("%s:%d: cites the design as '%s', not docs/DESIGN.md"
                                             % (os.path.relpath(path, ROOT), k, m.group(0)))


def main():
    fails = []
    n = 0
    for b in BACKENDS:
        n += check_chain(b, fails)
    check_top(fails)
    check_citations(fails)
    for f in fails:
        print("    FAIL " + f)
    passed = 3 if not fails else 0
    with open(sys.argv[1], "a") as r:
        r.write("%d %d layout\n" % (passed, len(fails)))
    print("%-34s %d passed, %d failed  (%d back-end files in one-way chains)"
          % ("layout", passed, len(fails), n))


main()
