#!/bin/sh
# accuracy.sh NNC: test-set accuracy of the digits CNN in float and in fixed
# point at 8, 6 and 4 bits, the fixed-point formats calibrated by nnc
# quantize on 100 training images (calib_x.npy).
set -e
nnc=$1
d=examples/digits
tmp=$(mktemp -d)
acc() {   # acc OUT.npy: percent correct on the test labels
    /usr/bin/python3 -c "import numpy as np, sys; y = np.load('$d/test_y.npy'); p = np.load(sys.argv[1]).argmax(1); print('%.2f%%' % (100 * (p == y).mean()))" "$1"
}
"$nnc" run $d/digits.nn -q --weights $d/weights --input $d/test_x.npy -o "$tmp/f.npy" --float
printf '%-28s %s\n' "float (double precision)" "$(acc "$tmp/f.npy")"
"$nnc" run $d/digits.nn -q --weights $d/weights --input $d/test_x.npy -o "$tmp/h.npy"
printf '%-28s %s\n' "8-bit, formats by hand" "$(acc "$tmp/h.npy")"
for b in 8 6 4; do
    net=$d/digits.nn; [ $b != 8 ] && net=$d/digits$b.nn
    "$nnc" quantize "$net" -q --weights $d/weights --calib $d/calib_x.npy -o "$tmp/q$b.nn"
    "$nnc" run "$tmp/q$b.nn" -q --weights $d/weights --input $d/test_x.npy -o "$tmp/q$b.npy"
    printf '%-28s %s\n' "$b-bit, calibrated" "$(acc "$tmp/q$b.npy")"
done
rm -rf "$tmp"
