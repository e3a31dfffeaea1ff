#!/bin/sh
# The round trip: a headless training run with --dump DIR, read back with
# --headless --watch DIR/MODEL, gives the same step and eval lines to the last
# printed digit (the watch adds the run's own loss and the advice, which
# the trainer has not); with --dump-every 1 also the same findings at the same
# steps. (With a sparser interval the random miners' stream is drawn for
# steps the watch never sees, so only deterministic miners' step lines, and
# every eval line, still agree: docs/attach.md says so.)
set -u
BUILD=${1:-build}
BIN=$BUILD/tripletscope
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL roundtrip: $*"; fails=$((fails + 1)); }

# same TRAINLOG DIR TYPE MODEL WHAT: the TYPE lines of MODEL agree. A watch
# of one model's run has no other model: all_easy's evidence of the Siamese
# model's MAP@R (which its severity weighs) is the trainer's alone.
same() {
    grep "\"type\":\"$3\"" "$1" | grep "\"model\":\"$4\"" |
        sed 's/,"siamese_map_at_r":[-0-9.e+a-z]*//' >"$T/a"
    "$BIN" --headless --watch "$2/$4" 2>"$T/err" | grep "\"type\":\"$3\"" |
        sed 's/,"run_loss":[-0-9.e+]*//; s/,"advice":\[[^]]*\]//; s/,"siamese_map_at_r":[-0-9.e+a-z]*//' >"$T/b"
    n=$(wc -l <"$T/a")
    if [ "$n" -eq 0 ] && [ "$3" != diagnosis ]; then fail "$5: no $3 line of $4 in the training run"
    elif cmp -s "$T/a" "$T/b"; then echo "ok (roundtrip): $5: $4's $n $3 lines identical"
    else fail "$5: $4's $3 lines differ: $(diff "$T/a" "$T/b" | head -3 | cut -c1-200) $(cat "$T/err")"; fi
}

# 1. The question's setup, every 10th step dumped: the Siamese model's
#    steps, both models' evaluations; the triplet model with a semi-hard miner.
"$BIN" --headless --data digits --steps 300 --eval-every 100 --dump "$T/a1" >"$T/t1" 2>&1 ||
    fail "training with --dump: $(tail -2 "$T/t1")"
same "$T/t1" "$T/a1" step siamese "seed, every 10th"
same "$T/t1" "$T/a1" eval siamese "seed, every 10th"
same "$T/t1" "$T/a1" eval triplet "seed, every 10th"
"$BIN" --headless --data digits --miner semihard --sampler pk --steps 300 --eval-every 100 \
    --dump "$T/a2" >"$T/t2" 2>&1 || fail "training with --dump (semihard): $(tail -2 "$T/t2")"
same "$T/t2" "$T/a2" step triplet "semihard, every 10th"

# 2. Every step dumped, a scenario that raises a finding: the findings too.
"$BIN" --headless --scenario all-easy --steps 250 --log-every 1 --dump-every 1 \
    --dump "$T/a3" >"$T/t3" 2>&1 || fail "training the all-easy scenario: $(tail -2 "$T/t3")"
grep -q '"code":"all_easy","state":"raised"' "$T/t3" || fail "the all-easy scenario raised nothing"
for m in siamese triplet; do
    for t in step eval diagnosis; do same "$T/t3" "$T/a3" $t $m "all-easy, every step"; done
done

[ $fails -eq 0 ] && echo "roundtrip: all passed" || exit 1
