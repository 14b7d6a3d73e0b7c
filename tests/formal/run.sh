#!/bin/sh
# run.sh RESULTS [NAME-PATTERN]: the formal checks listed in tests/formal/*.list
# (yosys + yosys-smtbmc + z3; SymbiYosys is not packaged, so this drives them
# directly). With QUICK=1, the lines marked slow are left out (make test).
# One line per check, a summary line via tests/report.sh; exits 0.
#
# list lines:  NAME  TOP  FILES  PARAMS  CHECK  ARG  EXPECT  [slow]
#   FILES   comma-separated template names (templates/NAME.v) or paths; a
#           name:MUT.sed applies tests/formal/broken/MUT.sed to that file
#           first (a deliberately broken variant)
#   PARAMS  comma-separated P=V for TOP, or -
#   CHECK   prove K  BMC of K steps from reset, then k-induction with k = K
#           bmc K    BMC of K steps only (state too deep for induction)
#           cover K  every cover() reached within K steps (not vacuous)
#           comb C   no combinational path: C = FROM>TO[+TO..][;FROM>TO..],
#                    each a yosys selection of ports (i:*tready, o:*tvalid)
#   EXPECT  pass, or fail for a broken variant that the check must reject
RESULTS=${1:-/dev/null}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PAT=${2:-}
WORK=$(mktemp -d /tmp/nn_formal.XXXXXX)
trap 'rm -rf "$WORK"' EXIT INT TERM
pass=0; fail=0

# files FILES: the read_verilog arguments, broken variants written to WORK
files() {
    out=""
    for f in $(echo "$1" | tr ',' ' '); do
        src=${f%%:*}
        case $src in */*) p=$ROOT/$src ;; *) p=$ROOT/templates/$src.v ;; esac
        case $f in
        *:*) mut=${f#*:}; q=$WORK/$(basename "$p" .v)_${mut%.sed}.v
             sed -f "$ROOT/tests/formal/broken/$mut" "$p" > "$q"
             if cmp -s "$p" "$q"; then echo "MUTATION-NOOP"; return; fi
             p=$q ;;
        esac
        out="$out $p"
    done
    echo "$out"
}

# smt2 NAME TOP FILES PARAMS: the design as an SMT-LIBv2 model in WORK/NAME.smt2
smt2() {
    chp=""
    [ "$4" = "-" ] || for kv in $(echo "$4" | tr ',' ' '); do chp="$chp chparam -set ${kv%%=*} ${kv#*=} $2;"; done
    yosys -q -l "$WORK/yosys.log" -p "read_verilog -DFORMAL -formal $3; $chp prep -top $2; \
        async2sync; dffunmap; write_smt2 -wires $WORK/$1.smt2" >/dev/null 2>&1
}

# comb TOP FILES PARAMS C: yosys select finds no combinational path
comb() {
    chp=""
    [ "$3" = "-" ] || for kv in $(echo "$3" | tr ',' ' '); do chp="$chp chparam -set ${kv%%=*} ${kv#*=} $1;"; done
    sel=""
    IFS=';'
    for rule in $4; do
        from=${rule%%>*}; to=${rule#*>}
        tos=""; n=0
        IFS='+'
        for t in $to; do tos="$tos $t"; n=$((n + 1)); [ $n -gt 1 ] && tos="$tos %u"; done
        IFS=';'
        sel="$sel select -assert-none $from %coe* $tos %i;"
    done
    unset IFS
    yosys -q -l "$WORK/yosys.log" -p "read_verilog $2; $chp prep -top $1; flatten; opt_clean; $sel" >/dev/null 2>&1
}

cat "$ROOT"/tests/formal/*.list > "$WORK/all"
while read -r name top fl params check arg expect slow; do
    case $name in ''|'#'*) continue ;; esac
    [ -n "$QUICK" ] && [ "$slow" = slow ] && continue
    [ -n "$PAT" ] && case $name in $PAT) ;; *) continue ;; esac
    f=$(files "$fl")
    start=$(date +%s)
    ok=1
    if [ "$f" = "MUTATION-NOOP" ]; then
        ok=2
    elif [ "$check" = comb ]; then
        comb "$top" "$f" "$params" "$arg" || ok=0
    elif ! smt2 "$name" "$top" "$f" "$params"; then
        ok=2
    else
        case $check in
        prove) yosys-smtbmc -s z3 --presat -t "$arg" "$WORK/$name.smt2" > "$WORK/out" 2>&1 &&
               grep -q 'Status: PASSED' "$WORK/out" &&
               yosys-smtbmc -s z3 --presat -i -t "$arg" "$WORK/$name.smt2" > "$WORK/out" 2>&1 &&
               grep -q 'Status: PASSED' "$WORK/out" || ok=0 ;;
        bmc)   yosys-smtbmc -s z3 --presat -t "$arg" "$WORK/$name.smt2" > "$WORK/out" 2>&1 &&
               grep -q 'Status: PASSED' "$WORK/out" || ok=0 ;;
        cover) yosys-smtbmc -s z3 -c -t "$arg" "$WORK/$name.smt2" > "$WORK/out" 2>&1 &&
               grep -q 'Status: PASSED' "$WORK/out" || ok=0 ;;
        *)     ok=2 ;;
        esac
    fi
    secs=$(( $(date +%s) - start ))
    if [ $ok = 2 ]; then
        res=ERROR
    elif { [ $ok = 1 ] && [ "$expect" = pass ]; } || { [ $ok = 0 ] && [ "$expect" = fail ]; }; then
        res=ok
    else
        res=FAIL
    fi
    what="$check $arg"; [ $ok = 0 ] && what="$what: rejected"
    printf '  %-5s %-24s %s (%ss)\n' "$res" "$name" "$what" "$secs"
    if [ "$res" = ok ]; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        { grep -E 'Assert failed|failed|Unreached|ERROR|Error' "$WORK/out" "$WORK/yosys.log" 2>/dev/null | head -n 5; } | sed 's/^/        /'
    fi
    rm -f "$WORK/out" "$WORK/yosys.log"
done < "$WORK/all"
sh "$ROOT/tests/report.sh" "$RESULTS" "formal" $pass $fail
