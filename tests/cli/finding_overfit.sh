#!/bin/sh
# overfit (docs/failure-modes.md): --scenario overfit, 200 training samples of
# ten overlapping 2-D blobs, trains on while its held-out MAP@R falls. The
# triplet model's finding is raised within 600 steps (measured: 350-500 over
# six OpenBLAS kernels); w w w (weight decay 0 -> 0.1 -> 1 -> 10) at step 600
# clears it within 350 steps (measured: 250 after the key under all six).
# The Siamese model's, due at 650-750 without the key, is raised at 650
# under five kernels all the same (its MAP@R had fallen before the decay
# could act), with no key left to suggest, and cleared by step 900; the test
# asks that it be cleared by the end (1000). The other fix, more data
# (--train-size 2000), raises nothing; nor does the healthy digits run
# evaluated every 50 steps (five times as often as the default: five times
# the chances of a false alarm).
B=${1:-build}
BIN="$B/tripletscope"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
# shellcheck source=tests/cli/diagnose.inc
. "$(dirname "$0")/diagnose.inc"

# A number of the evidence of FILE's first CODE line in STATE (for MODEL).
evidence() {
    grep '^{"type":"diagnosis"' "$1" | grep "\"code\":\"$2\"" | grep "\"state\":\"$3\"" |
        grep "\"model\":\"$4\"" | head -1 | sed -n "s/.*\"$5\":\([-0-9.e]*\)[,}].*/\1/p"
}

# --- the scenario and its key ------------------------------------------------------
run_headless overfit --scenario overfit --script 600:www
f="$T/overfit.jsonl"
check_raise overfit "$f" overfit triplet 600
check_clear overfit "$f" overfit triplet w 350
# The evidence of the raise: MAP@R 0.03 or more below its best for three
# evaluations or more, the loss below the loss at the best.
peak=$(evidence "$f" overfit raised triplet map_peak)
now=$(evidence "$f" overfit raised triplet map_now)
below=$(evidence "$f" overfit raised triplet evals_below)
lt=$(evidence "$f" overfit raised triplet loss_then)
ln=$(evidence "$f" overfit raised triplet loss_now)
if [ -n "$peak" ] && [ -n "$now" ] && [ -n "$below" ] && [ -n "$lt" ] && [ -n "$ln" ] &&
   awk "BEGIN{exit !($peak - $now >= 0.03 && $below >= 3 && $ln < 0.9 * $lt)}"; then
    ok "overfit: MAP@R $peak -> $now over $below evaluations, loss $lt -> $ln"
else bad "overfit: the raised line's evidence does not show the fall: $(grep '"code":"overfit"' "$f" | head -1)"; fi
if grep '"code":"overfit","state":"raised"' "$f" | grep '"model":"triplet"' | head -1 |
   grep -q '"suggest":"w"'; then ok "overfit: suggests w"
else bad "overfit: the raised line does not suggest w"; fi
# The cleared line: weight decay 10, and the loss back above the loss at the best.
wd=$(evidence "$f" overfit cleared triplet weight_decay)
lt=$(evidence "$f" overfit cleared triplet loss_then)
ln=$(evidence "$f" overfit cleared triplet loss_now)
if [ "$wd" = 10 ] && [ -n "$lt" ] && [ -n "$ln" ] && awk "BEGIN{exit !($ln >= $lt)}"; then
    ok "overfit: cleared under weight decay $wd, the loss $ln back over $lt"
else bad "overfit: the cleared line shows weight decay '$wd', loss '$lt' -> '$ln'"; fi
r=$(diag_step "$f" overfit raised siamese)
c=$(diag_step "$f" overfit cleared siamese)
if [ -z "$r" ] || { [ -n "$c" ] && [ "$c" -gt "$r" ]; }; then
    ok "overfit: the Siamese model's raised '${r:-never}', cleared '${c:-}'"
else bad "overfit: the Siamese model's raised at $r and not cleared by the end"; fi
if [ "$(diag_count "$f" overfit raised)" -eq "$(diag_count "$f" overfit cleared)" ]; then
    ok "overfit: every raised overfit cleared by the end"
else bad "overfit: $(diag_count "$f" overfit raised) raised, $(diag_count "$f" overfit cleared) cleared"; fi
if [ "$(grep '^{"type":"diagnosis"' "$f" | grep -vc '"code":"overfit"')" -eq 0 ]; then
    ok "overfit: no other finding"
else bad "overfit: other findings: $(grep '^{"type":"diagnosis"' "$f" | grep -v '"code":"overfit"' | head -2)"; fi

# --- more data: the same run on 2000 training samples ---------------------------------
run_headless more --scenario overfit --train-size 2000
if [ "$(grep -c '^{"type":"diagnosis"' "$T/more.jsonl")" -eq 0 ]; then
    ok "overfit --train-size 2000: no finding"
else bad "overfit --train-size 2000: $(grep '^{"type":"diagnosis"' "$T/more.jsonl" | head -2)"; fi

# --- healthy, evaluated every 50 steps ------------------------------------------------
run_headless healthy --preset facenet --data digits --eval-every 50
if [ "$(diag_count "$T/healthy.jsonl" overfit raised)" -eq 0 ]; then
    ok "healthy digits, 20 evaluations: no overfit"
else bad "healthy digits: $(grep '"code":"overfit"' "$T/healthy.jsonl" | head -1)"; fi

[ "$fails" -eq 0 ] || { echo "$fails overfit check(s) failed"; exit 1; }
