#!/bin/sh
# The lessons of docs/demos.md, headless with their --script. Each lesson's
# findings are raised and cleared, and no other finding shows; each is
# raised within its window, and cleared after the key that fixes it, within
# its window. Windows, not exact steps: float results differ between CPUs
# (OpenBLAS picks a kernel per CPU), and so do the steps at which a finding
# moves, by a few; the windows hold on every kernel measured
# (scripts/kernel-spread.sh; docs/demos.md gives the ranges). Findings at the
# same step carry no order. Where a lesson says a key caused a clear, a
# control run without that key shows the finding still raised.
# Lessons on Fashion-MNIST are skipped when the data set is not installed.
B=${1:-build}
BIN="$B/tripletscope"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
# shellcheck source=tests/cli/diagnose.inc
. "$(dirname "$0")/diagnose.inc"

# lesson NAME "REQUIRED" "ALLOWED" ARGS...: runs; every code:state of
# REQUIRED appears among the diagnosis lines, and nothing but REQUIRED and
# ALLOWED does (in any order: "" for none at all).
lesson() {
    name=$1; want=$2; may=$3; shift 3
    run_headless "$name" "$@"
    got=$(grep '^{"type":"diagnosis"' "$T/$name.jsonl" |
        sed 's/^{"type":"diagnosis","step":[0-9]*,"model":"[a-z]*","code":"\([a-z_]*\)","state":"\([a-z]*\)".*/\1:\2/' |
        sort -u | tr '\n' ' ' | sed 's/ $//')
    missing="" extra=""
    for w in $want; do
        case " $got " in *" $w "*) ;; *) missing="$missing $w" ;; esac
    done
    for g in $got; do
        case " $want $may " in *" $g "*) ;; *) extra="$extra $g" ;; esac
    done
    if [ -z "$missing" ] && [ -z "$extra" ]; then ok "$name: ${got:-no finding at all}"
    else bad "$name: findings '$got': missing '${missing# }', unexpected '${extra# }'"; fi
}

# raised NAME CODE LO HI: CODE (any model) was first raised at a step in [LO, HI].
raised() {
    r=$(diag_step "$T/$1.jsonl" "$2" raised)
    if [ -n "$r" ] && [ "$r" -ge "$3" ] && [ "$r" -le "$4" ]; then ok "$1: $2 raised at $r (in $3..$4)"
    else bad "$1: $2 raised at '${r:-never}', outside $3..$4"; fi
}

# after NAME CODE KEY WITHIN: CODE was cleared after KEY was pressed, within
# WITHIN steps of it.
after() {
    c=$(diag_step "$T/$1.jsonl" "$2" cleared)
    k=$(event_step "$T/$1.jsonl" "$3")
    if [ -n "$c" ] && [ -n "$k" ] && [ "$c" -gt "$k" ] && [ "$c" -le $((k + $4)) ]; then
        ok "$1: $2 cleared at $c, $((c - k)) steps after $3 at $k (<= $4)"
    else bad "$1: $2 cleared at '${c:-never}', key $3 at '${k:-never}' (within $4?)"; fi
}

# caused NAME CONTROL CODE KEY: in the control run (NAME's script without
# KEY), CODE was raised as in NAME and never cleared: KEY, not time or
# another key, cleared it.
caused() {
    c=$(diag_step "$T/$1.jsonl" "$3" cleared)
    r=$(diag_step "$T/$2.jsonl" "$3" raised)
    cc=$(diag_step "$T/$2.jsonl" "$3" cleared)
    if [ -z "$c" ] || [ -z "$r" ]; then
        bad "$1: cannot compare $3 with $2 (cleared '${c:-never}', control raised '${r:-never}')"
    elif [ -n "$cc" ]; then
        bad "$1: without $4, $3 was cleared at $cc too: $4 did not cause the clear at $c"
    else
        ok "$1: without $4, $3 stays raised to the end (cleared at $c with it)"
    fi
}

# gap FILE STEP: Siamese minus triplet MAP@R at the evaluation of STEP.
gap() {
    s=$(grep "^{\"type\":\"eval\",\"step\":$2,\"model\":\"siamese\"" "$1" | sed 's/.*"map_at_r":\([0-9.e-]*\).*/\1/')
    t=$(grep "^{\"type\":\"eval\",\"step\":$2,\"model\":\"triplet\"" "$1" | sed 's/.*"map_at_r":\([0-9.e-]*\).*/\1/')
    [ -n "$s" ] && [ -n "$t" ] && awk -v s="$s" -v t="$t" 'BEGIN { printf "%.4f", s - t }'
}

# below NAME WHAT VALUE BAR: VALUE < BAR.
below() {
    if [ -n "$3" ] && awk -v v="$3" -v b="$4" 'BEGIN { exit !(v < b) }'; then ok "$1: $2 $3 < $4"
    else bad "$1: $2 '${3:-none}' is not below $4"; fi
}

# Lesson 3: small batches; the sampler is not the fix, the miner is.
lesson small-batches "self_positive:raised self_positive:cleared" "" \
    --data digits --preset seed-small --steps 400 --eval-every 100 --script 100:p,200:M
raised small-batches self_positive 1 100
after small-batches self_positive M 100
s=$(diag_step "$T/small-batches.jsonl" self_positive cleared)
if [ -n "$s" ] && [ "$s" -gt 200 ]; then ok "small-batches: p alone did not clear self_positive"
else bad "small-batches: self_positive cleared at '${s:-never}' (before M at 200?)"; fi

# Lesson 4: nothing to learn; fixing every training finding adds no signal.
lesson nothing-to-learn \
    "collapse:raised collapse:cleared margin_scale:raised margin_scale:cleared no_signal:raised" "" \
    --data noise --steps 600 --eval-every 50 --script "100:M,200:n,300:-------"
raised nothing-to-learn collapse 1 100
after nothing-to-learn collapse n 100
raised nothing-to-learn margin_scale 201 300     # only once normalised
after nothing-to-learn margin_scale - 100
raised nothing-to-learn no_signal 301 500

# Lesson 5: what healthy looks like: no finding at all, not even an info.
lesson healthy "" "" --data digits --preset facenet

# Lesson 6: when it blows up. Both models at once, the keys in order ([ then
# r), and headless stops there: the findings, then the summary, exit 0.
lesson blows-up "diverged:raised" "" --data digits --lr 10
r=$(diag_step "$T/blows-up.jsonl" diverged raised)
n_raised=$(diag_count "$T/blows-up.jsonl" diverged raised)
n_keys=$(grep '"code":"diverged"' "$T/blows-up.jsonl" | grep -c '"suggest":"\[r"')
n_after=$(sed -n '/"code":"diverged"/,$p' "$T/blows-up.jsonl" | grep -vc '"code":"diverged"')
if [ -n "$r" ] && [ "$r" -le 10 ] && [ "$n_raised" -eq 2 ] && [ "$n_keys" -eq 2 ] && [ "$n_after" -eq 1 ]; then
    ok "blows-up: diverged at step $r for both models, suggest [r, then only the summary"
else bad "blows-up: raised at '${r:-never}' ($n_raised of 2), $n_keys of 2 suggest [r, $n_after line(s) after"; fi

# Lesson 8: the question's Siamese distance, abs(a - b) fed to the loss: the
# Siamese model learns less (tests/cli/pair_distance.sh checks by how much),
# its classes lined up along one direction: dim_collapse, and nothing else.
lesson keras-distance "dim_collapse:raised" "" --data digits --steps 1000 --eval-every 500 --pair-distance elementwise
if [ "$(diag_step "$T/keras-distance.jsonl" dim_collapse raised siamese)" = 1000 ]; then
    ok "keras-distance: dim_collapse raised for the Siamese model at its second evaluation"
else bad "keras-distance: dim_collapse not raised for the Siamese model at step 1000"; fi

if have_fashion; then
    # Lesson 1: the question's setup, fixed one suggested key at a time. The
    # control presses the same keys but no -: the margin stays, and so does
    # margin_scale; the gap to the Siamese model stays wider.
    fashion="--data fashion --preset seed --eval-every 100 --eval-size 1000 --steps 1000"
    all1="too_hard:raised too_hard:cleared siamese_ahead:raised siamese_ahead:cleared norm_drift:raised norm_drift:cleared margin_scale:raised margin_scale:cleared"
    # zero_distance may be raised too: hardest-neg on raw Fashion-MNIST maps
    # a few dozen samples of a batch onto one point (distance exactly 0) until
    # M, at 121-232 depending on the kernel (docs/demos.md).
    zd="zero_distance:raised zero_distance:cleared"
    # shellcheck disable=SC2086  # fashion is a list of flags
    lesson question-by-keys "$all1" "$zd" $fashion --script "300:M,450:n,600:-------"
    # shellcheck disable=SC2086
    lesson question-no-minus \
        "too_hard:raised too_hard:cleared siamese_ahead:raised norm_drift:raised norm_drift:cleared margin_scale:raised" \
        "siamese_ahead:cleared $zd" $fashion --script "300:M,450:n"
    raised question-by-keys too_hard 1 150
    after question-by-keys too_hard M 100
    if [ -n "$(diag_step "$T/question-by-keys.jsonl" zero_distance raised)" ]; then
        raised question-by-keys zero_distance 50 300
        after question-by-keys zero_distance M 100
    fi
    raised question-by-keys siamese_ahead 100 300
    raised question-by-keys norm_drift 301 450     # only once the mining is semi-hard
    after question-by-keys norm_drift n 100
    # Only once normalised, and on a whole window of normalised steps: not
    # before 500 (n at 450), its evidence theirs alone. Normalised distances
    # lie in [0, 2]: a d_neg above 2 is a window mixing raw steps in (the
    # raise at 490 with d_neg 3.71 before windows restarted at a change).
    raised question-by-keys margin_scale 500 600
    after question-by-keys margin_scale - 100
    for f in question-by-keys question-no-minus; do
        n=$(grep '"code":"margin_scale"' "$T/$f.jsonl" | grep -c '"normalize":true')
        worst=$(grep '"code":"margin_scale"' "$T/$f.jsonl" | grep '"normalize":true' |
            sed -n 's/.*"d_neg":\([-0-9.e+]*\).*/\1/p' | sort -g | tail -1)
        if [ "$n" -ge 1 ] && awk -v d="$worst" 'BEGIN { exit !(d <= 2) }'; then
            ok "$f: margin_scale's $n line(s) while normalised: d_neg at most $worst (<= 2)"
        else bad "$f: margin_scale while normalised with d_neg '${worst:-none}' ($n lines)"; fi
    done
    after question-by-keys siamese_ahead - 400
    caused question-by-keys question-no-minus margin_scale -
    # The first evaluation after the - at 600: the gap has closed with it,
    # not without it (measured 0.015..0.027 against 0.037..0.049 across kernels).
    g1=$(gap "$T/question-by-keys.jsonl" 700)
    g0=$(gap "$T/question-no-minus.jsonl" 700)
    below question-by-keys "the gap at 700 with - ($g1) minus without" \
        "$(awk -v a="$g1" -v b="$g0" 'BEGIN { printf "%.4f", a - b }')" -0.005

    # Lesson 2: batch-hard collapse, and the way out without a reset. The
    # Siamese lead is raised at the first evaluations and has nearly closed by
    # the end (it clears within 800 steps on some kernels, later on others).
    lesson batch-hard-collapse "collapse:raised collapse:cleared siamese_ahead:raised" \
        "siamese_ahead:cleared" \
        --data fashion --preset batch-hard --eval-every 100 --eval-size 1000 --steps 800 --script 150:m
    raised batch-hard-collapse collapse 1 100
    after batch-hard-collapse collapse m 250
    raised batch-hard-collapse siamese_ahead 100 300
    below batch-hard-collapse "the MAP@R gap at 800" "$(gap "$T/batch-hard-collapse.jsonl" 800)" 0.04
else
    echo "skip question-by-keys, batch-hard-collapse: Fashion-MNIST is not installed"
fi

[ "$fails" -eq 0 ] || { echo "$fails demo check(s) failed"; exit 1; }
