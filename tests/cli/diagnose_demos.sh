#!/bin/sh
# The lessons of docs/demos.md, headless with their --script: their findings
# appear and clear in exactly the documented order, and each clear comes
# after the key that fixes it. Where a lesson says a key caused a clear, a
# control run without that key shows the finding still raised at that step.
# Lessons on Fashion-MNIST are skipped when the data set is not installed.
B=${1:-build}
BIN="$B/tripletscope"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
# shellcheck source=tests/cli/diagnose.inc
. "$(dirname "$0")/diagnose.inc"

# lesson NAME "EXPECTED" ARGS...: runs; the diagnosis lines, as code:state in
# order, must be EXPECTED (space-separated; "" for none at all).
lesson() {
    name=$1; want=$2; shift 2
    "$BIN" --headless "$@" >"$T/$name.jsonl" 2>"$T/$name.err"
    check_exit "$name" "$T/$name.jsonl" $?
    got=$(grep '^{"type":"diagnosis"' "$T/$name.jsonl" |
        sed 's/^{"type":"diagnosis","step":[0-9]*,"model":"[a-z]*","code":"\([a-z_]*\)","state":"\([a-z]*\)".*/\1:\2/' |
        tr '\n' ' ' | sed 's/ $//')
    if [ "$got" = "$want" ]; then ok "$name: ${got:-no finding at all}"
    else bad "$name: findings in order were '$got', expected '$want'"; fi
}

# after NAME CODE KEY: CODE was cleared after KEY was pressed.
after() {
    c=$(diag_step "$T/$1.jsonl" "$2" cleared)
    k=$(event_step "$T/$1.jsonl" "$3")
    if [ -n "$c" ] && [ -n "$k" ] && [ "$c" -gt "$k" ]; then ok "$1: $2 cleared at $c, after $3 at $k"
    else bad "$1: $2 cleared at '${c:-never}', key $3 at '${k:-never}'"; fi
}

# caused NAME CONTROL CODE KEY: in the control run (NAME's script without
# KEY), CODE was raised as in NAME but not yet cleared at the step where NAME
# cleared it: KEY, not time or another key, cleared it.
caused() {
    c=$(diag_step "$T/$1.jsonl" "$3" cleared)
    r=$(diag_step "$T/$2.jsonl" "$3" raised)
    cc=$(diag_step "$T/$2.jsonl" "$3" cleared)
    last=$(grep '^{"type":"summary"' "$T/$2.jsonl" | sed 's/.*"steps":\([0-9]*\),.*/\1/')
    if [ -z "$c" ] || [ -z "$r" ] || [ -z "$last" ] || [ "$last" -lt "$c" ]; then
        bad "$1: cannot compare $3 with $2 (cleared '${c:-never}', control raised '${r:-never}', ran to '${last:-?}')"
    elif [ -n "$cc" ] && [ "$cc" -le "$c" ]; then
        bad "$1: without $4, $3 was cleared at $cc too: $4 did not cause the clear at $c"
    else
        ok "$1: without $4, $3 is still raised at $c (cleared '${cc:-never}' in $last steps)"
    fi
}

# Lesson 3: small batches; the sampler is not the fix, the miner is.
lesson small-batches "self_positive:raised self_positive:cleared" \
    --data digits --preset seed-small --steps 400 --eval-every 100 --script 100:p,200:M
after small-batches self_positive M
s=$(diag_step "$T/small-batches.jsonl" self_positive cleared)
if [ -n "$s" ] && [ "$s" -gt 200 ]; then ok "small-batches: p alone did not clear self_positive"
else bad "small-batches: self_positive cleared at '${s:-never}' (before M at 200?)"; fi

# Lesson 4: nothing to learn; fixing every training finding adds no signal.
lesson nothing-to-learn \
    "collapse:raised margin_scale:raised collapse:cleared margin_scale:cleared no_signal:raised" \
    --data noise --steps 600 --eval-every 50 --script "100:M,200:n,300:-------"
after nothing-to-learn collapse n
after nothing-to-learn margin_scale -

# Lesson 5: what healthy looks like: no finding at all, not even an info.
lesson healthy "" --data digits --preset facenet

# Lesson 6: when it blows up. Both models at once, the keys in order ([ then
# r), and headless stops there: the findings, then the summary, exit 0.
lesson blows-up "diverged:raised diverged:raised" --data digits --lr 10
r=$(diag_step "$T/blows-up.jsonl" diverged raised)
n_keys=$(grep '"code":"diverged"' "$T/blows-up.jsonl" | grep -c '"suggest":"\[r"')
n_after=$(sed -n '/"code":"diverged"/,$p' "$T/blows-up.jsonl" | grep -vc '"code":"diverged"')
if [ -n "$r" ] && [ "$r" -le 10 ] && [ "$n_keys" -eq 2 ] && [ "$n_after" -eq 1 ]; then
    ok "blows-up: diverged at step $r, suggest [r, then only the summary"
else bad "blows-up: raised at '${r:-never}', $n_keys of 2 suggest [r, $n_after line(s) after"; fi

if have_fashion; then
    # Lesson 1: the question's setup, fixed one suggested key at a time. The
    # control presses the same keys but no -: the margin stays, and so do
    # margin_scale and siamese_ahead.
    fashion="--data fashion --preset seed --eval-every 100 --eval-size 1000 --steps 1000"
    # shellcheck disable=SC2086  # fashion is a list of flags
    lesson question-by-keys \
        "too_hard:raised siamese_ahead:raised too_hard:cleared norm_drift:raised norm_drift:cleared margin_scale:raised margin_scale:cleared siamese_ahead:cleared" \
        $fashion --script "300:M,450:n,600:-------"
    # shellcheck disable=SC2086
    lesson question-no-minus \
        "too_hard:raised siamese_ahead:raised too_hard:cleared norm_drift:raised norm_drift:cleared margin_scale:raised" \
        $fashion --script "300:M,450:n"
    after question-by-keys too_hard M
    after question-by-keys norm_drift n
    after question-by-keys margin_scale -
    after question-by-keys siamese_ahead -
    caused question-by-keys question-no-minus margin_scale -
    caused question-by-keys question-no-minus siamese_ahead -

    # Lesson 2: batch-hard collapse, and the way out without a reset.
    lesson batch-hard-collapse "collapse:raised siamese_ahead:raised collapse:cleared siamese_ahead:cleared" \
        --data fashion --preset batch-hard --eval-every 100 --eval-size 1000 --steps 800 --script 150:m
    after batch-hard-collapse collapse m
else
    echo "skip question-by-keys, batch-hard-collapse: Fashion-MNIST is not installed"
fi

[ "$fails" -eq 0 ] || { echo "$fails demo check(s) failed"; exit 1; }
