#!/bin/sh
# The lessons of docs/demos.md, headless with their --script: their findings
# appear and clear in exactly the documented order, and each clear comes
# after the key that fixes it. Lessons on Fashion-MNIST are skipped when the
# data set is not installed.
B=${1:-build}
BIN="$B/tripletscope"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
# shellcheck source=tests/cli/diagnose.inc
. "$(dirname "$0")/diagnose.inc"

# lesson NAME "EXPECTED" ARGS...: runs; the diagnosis lines, as code:state in
# order, must be EXPECTED (space-separated).
lesson() {
    name=$1; want=$2; shift 2
    "$BIN" --headless "$@" >"$T/$name.jsonl" 2>"$T/$name.err"
    check_exit "$name" "$T/$name.jsonl" $?
    got=$(grep '^{"type":"diagnosis"' "$T/$name.jsonl" |
        sed 's/^{"type":"diagnosis","step":[0-9]*,"model":"[a-z]*","code":"\([a-z_]*\)","state":"\([a-z]*\)".*/\1:\2/' |
        tr '\n' ' ' | sed 's/ $//')
    if [ "$got" = "$want" ]; then ok "$name: $got"
    else bad "$name: findings in order were '$got', expected '$want'"; fi
}

# after NAME CODE KEY: CODE was cleared after KEY was pressed.
after() {
    c=$(diag_step "$T/$1.jsonl" "$2" cleared)
    k=$(event_step "$T/$1.jsonl" "$3")
    if [ -n "$c" ] && [ -n "$k" ] && [ "$c" -gt "$k" ]; then ok "$1: $2 cleared at $c, after $3 at $k"
    else bad "$1: $2 cleared at '${c:-never}', key $3 at '${k:-never}'"; fi
}

# Lesson 3: small batches; the sampler is not the fix, the miner is.
lesson small-batches "self_positive:raised self_positive:cleared" \
    --data digits --preset seed-small --steps 400 --eval-every 100 --script 100:p,200:M
after small-batches self_positive M
s=$(diag_step "$T/small-batches.jsonl" self_positive cleared)
if [ -n "$s" ] && [ "$s" -gt 200 ]; then ok "small-batches: p alone did not clear self_positive"
else bad "small-batches: self_positive cleared at '${s:-never}' (before M at 200?)"; fi

# Lesson 4: nothing to learn; fixing the collapse does not add signal.
lesson nothing-to-learn "collapse:raised margin_scale:raised collapse:cleared no_signal:raised" \
    --data noise --steps 600 --eval-every 50 --script 100:M,200:n
after nothing-to-learn collapse n

if have_fashion; then
    # Lesson 1: the question's setup, fixed one key at a time.
    lesson question-by-keys \
        "too_hard:raised siamese_ahead:raised too_hard:cleared norm_drift:raised norm_drift:cleared margin_scale:raised margin_scale:cleared siamese_ahead:cleared" \
        --data fashion --preset seed --eval-every 100 --eval-size 1000 --steps 1000 \
        --script "300:M,450:n,600:-------,750:p"
    after question-by-keys too_hard M
    after question-by-keys norm_drift n
    after question-by-keys siamese_ahead p

    # Lesson 2: batch-hard collapse, and the way out without a reset.
    lesson batch-hard-collapse "collapse:raised siamese_ahead:raised collapse:cleared siamese_ahead:cleared" \
        --data fashion --preset batch-hard --eval-every 100 --eval-size 1000 --steps 800 --script 150:m
    after batch-hard-collapse collapse m
else
    echo "skip question-by-keys, batch-hard-collapse: Fashion-MNIST is not installed"
fi

[ "$fails" -eq 0 ] || { echo "$fails demo check(s) failed"; exit 1; }
