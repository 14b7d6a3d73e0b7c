#!/bin/sh
# Add up the per-group counts ("PASSED FAILED group") that the test groups
# appended to $1 and print the closing line "N passed, M failed".
results=$1
[ -f "$results" ] || { echo "0 passed, 1 failed"; echo "no test group reported" >&2; exit 1; }
awk '{ p += $1; f += $2 } END {
        printf "%d passed, %d failed\n", p, f
        exit (f > 0 || p == 0) ? 1 : 0 }' "$results"
