#!/bin/sh
# replay.sh DIR RESULTS: the three fuzz harnesses, built with a plain main()
# in DIR (the ASan build), each over the seed corpus of make fuzz-*: every
# example, error case and test model, and 50 generated ONNX models. One line
# via tests/report.sh; always exits 0.
dir=$1; results=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0; fail=0
/usr/bin/python3 tests/fuzz/hostile.py --seeds "$tmp" 50
set -- examples/*.nn examples/digits/*.nn tests/errors/*.nn
"$dir/replay_frontend" "$@" > "$tmp/log" 2>&1 && pass=$((pass + 1)) ||
    { fail=$((fail + 1)); echo "    FAIL replay_frontend"; tail -n 8 "$tmp/log" | sed 's/^/        /'; }
set -- $(find examples tests -name '*.npy' -size -64k)
"$dir/replay_npy" "$@" > "$tmp/log" 2>&1 && pass=$((pass + 1)) ||
    { fail=$((fail + 1)); echo "    FAIL replay_npy"; tail -n 8 "$tmp/log" | sed 's/^/        /'; }
set -- examples/digits/digits.onnx tests/import/*.onnx "$tmp"/*.onnx
"$dir/replay_onnx" "$@" > "$tmp/log" 2>&1 && pass=$((pass + 1)) ||
    { fail=$((fail + 1)); echo "    FAIL replay_onnx"; tail -n 8 "$tmp/log" | sed 's/^/        /'; }
sh tests/report.sh "$results" "fuzz harnesses replayed (asan)" "$pass" "$fail"
