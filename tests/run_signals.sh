#!/bin/sh
# run_signals.sh NNC RESULTS: nothing is left behind when nnc is killed. A
# VGG16 compile (serial: a 300 MB memory image through mmap; parallel:
# hundreds of MB of ROM images from threads) gets SIGINT or SIGTERM while a
# temporary is on disk; `timeout` kills another; a file-size limit raises
# SIGXFSZ in a third; `nnc sim` gets SIGTERM while it simulates (and must
# end its simulator). Each must die by its signal and leave its directory
# empty.
nnc=$1; results=$2
net=examples/vgg16.nn
top=$(mktemp -d)
pass=0; fail=0
bad() { fail=$((fail + 1)); echo "    FAIL $1"; }
# a background job of a script starts with SIGINT ignored, and nnc keeps an
# ignored signal ignored (as nohup expects): env puts the default back
bg="env --default-signal=INT"

signum() { case $1 in INT) echo 2 ;; TERM) echo 15 ;; XFSZ) echo 25 ;; esac; }

# wait_for DIR PATTERN: poll (up to 20 s) until DIR holds a file matching PATTERN
wait_for() {
    i=0
    while [ $i -lt 2000 ]; do
        for f in "$1"/$2; do [ -e "$f" ] && return 0; done
        sleep 0.01; i=$((i + 1))
    done
    return 1
}

# kill_run SIG MODE: compile VGG16, send SIG while a temporary exists. A run
# that finished before the signal landed proves nothing: up to 3 tries.
kill_run() {
    sig=$1; mode=$2; want=$(( 128 + $(signum "$sig") ))
    for try in 1 2 3; do
        d=$top/$sig-$mode-$try; mkdir "$d"
        $bg "$nnc" "$net" -o "$d/v.v" --mode "$mode" -q >/dev/null 2>&1 &
        pid=$!; t0=$(date +%s%N)
        if ! wait_for "$d" '*.tmp*'; then kill -KILL "$pid" 2>/dev/null; wait "$pid"; bad "$sig $mode: no temporary seen"; return; fi
        first_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
        kill -"$sig" "$pid"
        wait "$pid"; rc=$?
        [ $rc -eq 0 ] && { rm -rf "$d"; continue; }
        if [ $rc -ne "$want" ]; then bad "$sig $mode: exit status $rc, expected $want (killed by SIG$sig)"; return; fi
        if [ -n "$(ls -A "$d")" ]; then bad "$sig $mode: left behind: $(ls -A "$d" | head -n 3 | tr '\n' ' ')"; return; fi
        pass=$((pass + 1)); return
    done
    bad "$sig $mode: finished before the signal in 3 tries"
}

# the shell notes every death by a signal ("Terminated") on its stderr:
# expected here, so the rest of this script's stderr goes to fd 3
exec 3>&2 2>/dev/null

kill_run INT serial
kill_run INT parallel
kill_run TERM parallel
kill_run TERM serial        # last: first_ms is the serial compile's, for timeout

# timeout(1) sends SIGTERM (--preserve-status: its exit status is nnc's),
# 150 ms after the serial compile's first temporary appeared above
d=$top/timeout; mkdir "$d"
ms=$(( ${first_ms:-1000} + 150 ))
timeout --preserve-status "$((ms / 1000)).$(printf %03d $((ms % 1000)))" \
    "$nnc" "$net" -o "$d/v.v" --mode serial -q >/dev/null 2>&1; rc=$?
if [ $rc -ne 143 ]; then bad "timeout: exit status $rc, expected 143 (killed by SIGTERM)"
elif [ -n "$(ls -A "$d")" ]; then bad "timeout: left behind: $(ls -A "$d" | head -n 3 | tr '\n' ' ')"
else pass=$((pass + 1)); fi

# a file-size limit (in 512-byte blocks): writing the memory image raises SIGXFSZ
d=$top/fsize; mkdir "$d"
(ulimit -f 20000; exec "$nnc" "$net" -o "$d/v.v" --mode serial -q) >/dev/null 2>&1; rc=$?
if [ $rc -ne $(( 128 + $(signum XFSZ) )) ]; then bad "file-size limit: exit status $rc, expected SIGXFSZ"
elif [ -n "$(ls -A "$d")" ]; then bad "file-size limit: left behind: $(ls -A "$d" | head -n 3 | tr '\n' ' ')"
else pass=$((pass + 1)); fi

# nnc sim: its work directory goes too (TMPDIR says where it is made)
d=$top/sim; mkdir "$d"
TMPDIR=$d $bg "$nnc" sim tests/nets/residual.nn --mode parallel --frames 400 -q >/dev/null 2>&1 &
pid=$!
if ! wait_for "$d" 'nnc_sim_*/out.txt'; then kill -KILL "$pid" 2>/dev/null; wait "$pid"; bad "sim: no simulation seen"
else
    kill -TERM "$pid"; wait "$pid"; rc=$?
    # the simulator runs in a process group of its own (a Ctrl-C at the
    # terminal would not reach it): nnc must have ended it, at once
    left=$(for p in /proc/[0-9]*; do readlink "$p/cwd" 2>/dev/null; done | grep -cF "$d/")
    if [ $rc -ne 143 ]; then bad "sim: exit status $rc, expected 143 (killed by SIGTERM)"
    elif [ "$left" -ne 0 ]; then bad "sim: $left process(es) still running in the sim directory"
    elif [ -n "$(ls -A "$d")" ]; then bad "sim: left behind: $(ls -A "$d" | head -n 3 | tr '\n' ' ')"
    else pass=$((pass + 1)); fi
fi

rm -rf "$top"
exec 2>&3
sh tests/report.sh "$results" "signals (nothing left behind)" "$pass" "$fail"
