#!/bin/sh
# run_generated.sh RESULTS: generated/ must be what `make generate` writes
# now; otherwise it is stale and the failure says how to refresh it. One
# test per generated design directory.
results=$1
tmp=$(mktemp -d)
pass=0; fail=0
if make -s --no-print-directory generate GEN_DIR="$tmp/gen" >"$tmp/log" 2>&1; then
    for d in $( (cd "$tmp/gen" && ls -d */*; cd generated 2>/dev/null && ls -d */*) | sort -u); do
        if diff -r -q "generated/$d" "$tmp/gen/$d" >/dev/null 2>&1; then
            pass=$((pass + 1))
        else
            fail=$((fail + 1))
            echo "    FAIL generated/$d is stale or missing: run 'make generate' and commit it"
            diff -r "generated/$d" "$tmp/gen/$d" 2>&1 | head -n 6 | sed 's/^/        /'
        fi
    done
else
    fail=1; echo "    FAIL make generate"; head -n 10 "$tmp/log"
fi
rm -rf "$tmp"
sh tests/report.sh "$results" "generated (make generate is current)" "$pass" "$fail"
