#!/bin/sh
# Every --scenario, headless with --script: its finding is raised within its
# documented number of steps, its key is pressed, and the finding is cleared
# within the documented number of steps after the key (docs/failure-modes.md,
# --scenario list). diverged stops the run (finding, summary, exit 0);
# no-signal has no key and must stay raised. Fashion-MNIST scenarios are
# skipped when the data set is not installed.
B=${1:-build}
BIN="$B/tripletscope"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
# shellcheck source=tests/cli/diagnose.inc
. "$(dirname "$0")/diagnose.inc"

# run NAME ARGS...: the scenario's JSON lines into $T/NAME.jsonl; sets st.
run() { run_headless "$1" --scenario "$@"; }

# --- the listing ----------------------------------------------------------------
"$BIN" --scenario list >"$T/list" 2>&1
st=$?
missing=""
for n in collapse all-easy no-positives self-positive margin-scale diverged no-signal \
         too-hard norm-drift averaging siamese-ahead; do
    grep -q "^$n\$" "$T/list" || missing="$missing $n"
done
if [ "$st" -ne 0 ] || [ -n "$missing" ]; then bad "--scenario list: status $st, missing:$missing"
else ok "--scenario list names every scenario"; fi
"$BIN" --headless --scenario nope >"$T/out" 2>"$T/err"
st=$?
if [ "$st" -eq 2 ] && grep -q -- "--scenario" "$T/err" && [ ! -s "$T/out" ]; then ok "unknown scenario: exit 2"
else bad "unknown scenario: status $st"; fi
# Explicit flags override the scenario's, whatever their order.
"$BIN" --headless --data digits --scenario collapse --steps 1 --eval-every 0 >"$T/over" 2>&1
if head -1 "$T/over" | grep -q '"name":"digits"' && head -1 "$T/over" | grep -q '"miner":"hard"' &&
   head -1 "$T/over" | grep -q '"steps":1,'; then ok "explicit flags override the scenario"
else bad "explicit flags did not override the scenario: $(head -c 300 "$T/over")"; fi

# --- digits (fast) -------------------------------------------------------------------
run all-easy --script 200:++++++++
check_raise all-easy "$T/all-easy.jsonl" all_easy triplet 200
check_clear all-easy "$T/all-easy.jsonl" all_easy triplet + 100
# Only the gradient coming back clears it: +++ (m 0.078, no longer a tiny
# margin for the distances) leaves active at 0.003, and the finding raised.
"$BIN" --headless --scenario all-easy --script 200:+++ >"$T/all-easy3.jsonl" 2>&1
if [ -n "$(diag_step "$T/all-easy3.jsonl" all_easy raised)" ] &&
   [ "$(diag_count "$T/all-easy3.jsonl" all_easy cleared)" -eq 0 ]; then
    ok "all-easy: +++ alone (no gradient back) leaves it raised"
else bad "all-easy: cleared by +++ although no gradient came back"; fi

run no-positives --script 100:p
check_raise no-positives "$T/no-positives.jsonl" no_positives triplet 100
check_clear no-positives "$T/no-positives.jsonl" no_positives triplet p 100

run self-positive --script 100:M
check_raise self-positive "$T/self-positive.jsonl" self_positive triplet 100
check_clear self-positive "$T/self-positive.jsonl" self_positive triplet M 100

run margin-scale --script 300:-
check_raise margin-scale "$T/margin-scale.jsonl" margin_scale triplet 300
# 1.2 is still a wide margin: the condition is a 50-step mean of the new
# margin's steps, so it is decided from 50 steps after the key, and cleared
# 50 decided steps later at the earliest (99 measured).
check_clear margin-scale "$T/margin-scale.jsonl" margin_scale triplet - 150
# 1.2 is still a wide margin: what cleared it is the active share falling
# (digits meets 1.2), which the cleared line shows.
l=$(grep '"code":"margin_scale","state":"cleared"' "$T/margin-scale.jsonl")
a=$(echo "$l" | sed -n 's/.*"active":\([0-9.e-]*\),.*/\1/p')
if echo "$l" | grep -q '"margin":1.2,' && [ -n "$a" ] && awk "BEGIN{exit !($a < 0.6)}"; then
    ok "margin-scale: cleared at margin 1.2 by the active share falling to $a"
else bad "margin-scale: the cleared line does not show the active share under 0.6: $l"; fi

run norm-drift --script 400:n
check_raise norm-drift "$T/norm-drift.jsonl" norm_drift triplet 400
check_clear norm-drift "$T/norm-drift.jsonl" norm_drift triplet n 100

# diverged: the finding, then the summary, exit 0; nothing after the finding
# but the summary (r is tested on a session in tests/test_diagnose.c).
run diverged
check_raise diverged "$T/diverged.jsonl" diverged triplet 10
n_after=$(sed -n '/"code":"diverged"/,$p' "$T/diverged.jsonl" | grep -vc '"code":"diverged"')
if [ "$n_after" -eq 1 ]; then ok "diverged: stopped there, then the summary, exit $st"
else bad "diverged: $n_after lines after the finding (expected the summary only)"; fi

# no-signal: raised; no key helps, so keys do not clear it.
run no-signal --script 450:pMn
check_raise no-signal "$T/no-signal.jsonl" no_signal both 500
if [ "$(diag_count "$T/no-signal.jsonl" no_signal cleared)" -eq 0 ]; then ok "no-signal: still raised after p, M, n"
else bad "no-signal: cleared by a key"; fi

# --- Fashion-MNIST (the stalls that need it) -------------------------------------------
if have_fashion; then
    run collapse --script 150:m
    check_raise collapse "$T/collapse.jsonl" collapse triplet 100
    check_clear collapse "$T/collapse.jsonl" collapse triplet m 250

    run too-hard --script 150:M
    check_raise too-hard "$T/too-hard.jsonl" too_hard triplet 150
    check_clear too-hard "$T/too-hard.jsonl" too_hard triplet M 100

    run averaging --script 460:z
    check_raise averaging "$T/averaging.jsonl" averaging triplet 480
    check_clear averaging "$T/averaging.jsonl" averaging triplet z 100

    run siamese-ahead --script 300:pMn-------
    check_raise siamese-ahead "$T/siamese-ahead.jsonl" siamese_ahead both 300
    check_clear siamese-ahead "$T/siamese-ahead.jsonl" siamese_ahead both p 600
else
    echo "skip collapse, too-hard, averaging, siamese-ahead: Fashion-MNIST is not installed"
fi

[ "$fails" -eq 0 ] || { echo "$fails diagnosis scenario check(s) failed"; exit 1; }
