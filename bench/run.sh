#!/bin/sh
# run.sh NNC [PART...]: nnc's benchmarks (issue 5). Prints one table of every
# figure against its target and merges the figures into bench/results.json.
# Parts, each runnable alone: golden compile depth parallel vgg16 estimates synth
# (estimates includes VGG16's per-layer figures from the last vgg16 run)
# (default: all). Scratch files go to build/bench/ (BENCH_WORK).
# Timeouts (seconds): BENCH_VGG16_TIMEOUT (3600), BENCH_SIM_TIMEOUT (1800),
# BENCH_ALEXNET_TIMEOUT (900), BENCH_SYNTH_TIMEOUT (1500).
set -e
[ $# -ge 1 ] || { echo "usage: sh bench/run.sh NNC [part...]" >&2; exit 1; }
cd "$(dirname "$0")/.."
exec /usr/bin/python3 bench/bench.py "$@"
