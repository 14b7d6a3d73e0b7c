#!/bin/sh
# run_unit.sh RESULTS BIN... [asan]: run each cmocka binary, one line per binary.
results=$1; shift
tag=unit
for last; do :; done
[ "$last" = asan ] && tag=unit-asan
for bin; do
    [ "$bin" = asan ] && continue
    name=$(basename "$bin")
    log=${bin}.log
    if "$bin" >"$log" 2>&1; then rc=0; else rc=$?; fi
    p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -n 1)
    f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -n 1)
    p=${p:-0}; f=${f:-0}
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi     # crashed or sanitizer report
    [ "$f" -ne 0 ] && sed 's/^/    /' "$log" | grep -v '^    \[ *\(RUN\|OK\) ' | tail -n 30
    sh "$(dirname "$0")/report.sh" "$results" "$tag $name" "$p" "$f"
done
