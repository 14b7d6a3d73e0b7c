#!/bin/sh
# run_nets.sh NNC RESULTS: simulate the regression networks against the
# golden model, bit for bit. Each line of tests/nets/LIST is
#   MODE NET.nn [nnc sim options...]
# and passes when `nnc sim` ends with a PASS line and exits 0. A mode that
# this build does not have yet is skipped (reported, not counted).
nnc=$1; results=$2
list=tests/nets/LIST
pass=0; fail=0; skip=0
log=$(mktemp)
while read -r mode net opts; do
    case "$mode" in ''|'#'*) continue ;; esac
    # shellcheck disable=SC2086
    "$nnc" sim "$net" --mode "$mode" -q $opts >"$log" 2>&1; rc=$?
    if grep -q "mode is not in this build" "$log"; then skip=$((skip + 1)); continue; fi
    last=$(tail -n 1 "$log")
    # the verdict's figures must be honest: attained never above 1.000; a
    # parallel run of one frame reports a latency, no interval
    why=""
    case "$last" in
        *attained=*) att=${last#*attained=}; att=${att%% *}
            awk -v a="$att" 'BEGIN { exit !(a > 1.0) }' && why="attained=$att above 1" ;;
    esac
    if [ "$mode" = parallel ] && printf '%s\n' "$opts" | grep -q -- '--frames 1\b' &&
       ! printf '%s\n' "$last" | grep -Eq '^PASS latency=[0-9]+ cycles \(1 frame: no interval measured\)$'; then
        why="one frame: expected a latency line"
    fi
    if [ $rc -eq 0 ] && [ "${last#PASS}" != "$last" ] && [ -z "$why" ]; then
        pass=$((pass + 1))
        [ -n "$VERBOSE" ] && echo "    $mode $net $opts: $last"
    else
        fail=$((fail + 1))
        echo "    FAIL $mode $net $opts (exit $rc${why:+; $why})"; tail -n 12 "$log" | sed 's/^/        /'
    fi
done < "$list"
rm -f "$log"
[ $skip -gt 0 ] && echo "    ($skip networks skipped: their mode is not in this build yet)"
sh tests/report.sh "$results" "nets" "$pass" "$fail"
