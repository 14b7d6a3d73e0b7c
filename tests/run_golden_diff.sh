#!/bin/sh
# run_golden_diff.sh NNC RESULTS [COUNT] [FIRST_SEED]: differential test of
# `nnc run --raw` against the independent Python reference tests/ref/nnref.py
# on COUNT random networks (tests/fuzz/gen_net.py, seeds FIRST_SEED..).
# Failing cases are kept under build/golden-diff/seed-S/. Always exits 0;
# the counts go to RESULTS through tests/report.sh.
nnc=$1; results=$2; count=${3:-40}; first=${4:-1}
here=$(cd "$(dirname "$0")" && pwd)
PY=/usr/bin/python3
mkdir -p "$here/../build/golden-diff"
counts=$here/../build/golden-diff/counts.txt
rm -f "$counts"
$PY "$here/ref/golden_diff.py" "$nnc" "$count" "$first" "$counts" || true
if [ -f "$counts" ]; then
    read -r passed failed nconst < "$counts"
else
    echo "golden-diff: the driver did not finish" >&2
    passed=0; failed=$count
fi
sh "$here/report.sh" "$results" "golden-diff ($count nets)" "$passed" "$failed"
exit 0
