#!/bin/sh
# run_errors.sh NNC RESULTS [TAG]: golden-file tests of user errors.
#   X.nn    `nnc check X.nn`, and the compile command `nnc X.nn -o OUT.v`
#   X.args  the command line written there (@OUT@: a temporary output path)
# Each must exit 1, print exactly X.err on stderr, print nothing on stdout,
# and leave no output file or temporary behind. UPDATE=1 rewrites the .err
# files from nnc's output, to be reviewed by hand before committing.
nnc=$1; results=$2; tag=${3:+ $3}
dir=tests/errors
tmp=$(mktemp -d)
pass=0; fail=0
bad() { fail=$((fail + 1)); echo "    FAIL $1: $2"; }
for t in "$dir"/*.nn "$dir"/*.args; do
    name=${t%.*}
    rm -rf "$tmp"/out*
    if [ "${t##*.}" = nn ]; then
        set -- check "$t"
    else
        # shellcheck disable=SC2046
        set -- $(sed "s|@OUT@|$tmp/out|g" "$t")
    fi
    "$nnc" "$@" >"$tmp/stdout" 2>"$tmp/stderr"; rc=$?
    if [ -n "$UPDATE" ] && [ -z "$tag" ]; then cp "$tmp/stderr" "$name.err"; fi
    if [ $rc -ne 1 ]; then bad "$t" "exit code $rc, expected 1"; continue; fi
    if [ ! -f "$name.err" ]; then bad "$t" "no $name.err"; continue; fi
    if ! cmp -s "$tmp/stderr" "$name.err"; then
        bad "$t" "stderr differs from $name.err"; diff "$name.err" "$tmp/stderr" | head -n 8 | sed 's/^/        /'
        continue
    fi
    if [ -s "$tmp/stdout" ]; then bad "$t" "printed on stdout"; continue; fi
    if ls "$tmp"/out* >/dev/null 2>&1; then bad "$t" "left an output behind"; continue; fi
    if [ "${t##*.}" = nn ]; then
        "$nnc" "$t" -o "$tmp/out.v" >/dev/null 2>&1; rc=$?
        if [ $rc -ne 1 ] || ls "$tmp"/out* >/dev/null 2>&1; then
            bad "$t" "compile: exit $rc or output left behind"; continue
        fi
    fi
    pass=$((pass + 1))
done
left=$(find "$dir" -name '*.tmp*' | head -n 3)
if [ -n "$left" ]; then bad "temporaries" "left behind: $left"; fi
rm -rf "$tmp"
sh tests/report.sh "$results" "errors$tag" "$pass" "$fail"
