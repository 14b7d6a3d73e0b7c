#!/bin/sh
# report.sh RESULTS GROUP PASSED FAILED: one line for the reader, one for summary.sh.
printf '%-34s %d passed, %d failed\n' "$2" "$3" "$4"
printf '%d %d %s\n' "$3" "$4" "$2" >> "$1"
