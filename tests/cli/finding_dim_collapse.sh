#!/bin/sh
# dim_collapse (docs/failure-modes.md): the scenario dim-collapse (Adam at
# lr 0.15 on raw digits: most ReLUs die) raises it for the Siamese model
# within its documented number of steps, with the evidence that defines it
# (the effective rank under 0.4 of the 9 directions 10 classes need, the
# distances not small); its key [[[[[r clears it at the reset, and at the
# lower lr it is not raised again, nor anything else. The control run shows
# that the lower lr alone leaves it raised (dead units do not come back). An
# attached run of the same dumps raises it too. The eval lines and the
# export carry the spread.
B=${1:-build}
BIN="$B/tripletscope"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
# shellcheck source=tests/cli/diagnose.inc
. "$(dirname "$0")/diagnose.inc"

# num FILE-LINE FIELD: the number FIELD of a JSON line.
num() { echo "$1" | sed -n "s/.*\"$2\":\([0-9.e+-]*\).*/\1/p"; }

"$BIN" --scenario list >"$T/list" 2>&1
if grep -q '^dim-collapse$' "$T/list" && grep -q 'raises: dim_collapse (siamese)' "$T/list"; then
    ok "--scenario list names dim-collapse"
else bad "--scenario list lacks dim-collapse"; fi

# --- the scenario and its fix -----------------------------------------------------------
# Raised at step 300 under every kernel measured (its second evaluation after
# the warm-up); by 400 leaves one evaluation of room.
"$BIN" --headless --scenario dim-collapse --script '500:[[[[[r' >"$T/fix.jsonl" 2>"$T/fix.err"
check_exit dim-collapse "$T/fix.jsonl" $?
check_raise dim-collapse "$T/fix.jsonl" dim_collapse siamese 400
l=$(grep '"code":"dim_collapse","state":"raised"' "$T/fix.jsonl" | grep '"model":"siamese"' | head -1)
rank=$(num "$l" effective_rank); need=$(num "$l" needed); rmin=$(num "$l" rank_min)
dneg=$(num "$l" d_neg); margin=$(num "$l" margin)
if [ "$need" = 9 ] && [ "$rmin" = 3.6 ] && awk -v r="$rank" -v d="$dneg" -v m="$margin" \
        'BEGIN { exit !(r >= 1 && r < 3.6 && d >= 0.25 * m) }' &&
   echo "$l" | grep -q '"suggest":"\[r"'; then
    ok "dim-collapse: effective rank $rank < 3.6 of 9 needed, d_neg $dneg not small, suggests [r"
else bad "dim-collapse: the raised line's evidence is not what raised it: $l"; fi
r=$(event_step "$T/fix.jsonl" r)
c=$(diag_step "$T/fix.jsonl" dim_collapse cleared siamese)
cl=$(grep '"code":"dim_collapse","state":"cleared"' "$T/fix.jsonl" | grep '"model":"siamese"' | head -1)
if [ -n "$r" ] && [ "$c" = "$r" ] && echo "$cl" | grep -q '{"reset":true}'; then
    ok "dim-collapse: cleared by the reset at step $r"
else bad "dim-collapse: the reset at '${r:-none}' did not clear it (cleared at '${c:-never}')"; fi
lr=$(grep '^{"type":"event"' "$T/fix.jsonl" | grep '"key":"\["' | tail -1 | sed -n 's/.*"to":"\([^"]*\)".*/\1/p')
# After the reset the step counter starts again at 0 (and runs --steps
# again): the lines after the reset's event line are the new run, but for
# the reset's own clears.
sed -n '/^{"type":"event".*"key":"r"/,$p' "$T/fix.jsonl" | sed 1d >"$T/after.jsonl"
after=$(grep '^{"type":"diagnosis"' "$T/after.jsonl" | grep -vc '"evidence":{"reset":true}')
evals=$(grep -c '^{"type":"eval"' "$T/after.jsonl")
if [ -n "$r" ] && [ "$after" -eq 0 ] && [ "$evals" -ge 16 ]; then
    ok "dim-collapse: at lr $lr after the reset, no finding at all over $evals evaluations"
else bad "dim-collapse: $after diagnosis line(s) after the reset at '${r:-none}' ($evals evaluations)"; fi

# The lower lr alone: the dead units stay dead, and so does the finding, to
# the end; its last eval line carries the spread (the Siamese model's rank
# 1.0-2.0 of 32, a first PC of 0.59-1.0, std_l2 0.01-0.06 against 0.18).
"$BIN" --headless --scenario dim-collapse --script '500:[[[[[' >"$T/lr.jsonl" 2>&1
last=$(grep '^{"type":"eval","step":1000,"model":"siamese"' "$T/lr.jsonl")
if [ -n "$(diag_step "$T/lr.jsonl" dim_collapse raised siamese)" ] &&
   [ -z "$(diag_step "$T/lr.jsonl" dim_collapse cleared siamese)" ] &&
   awk -v r="$(num "$last" effective_rank)" -v p="$(num "$last" pc1_share)" -v s="$(num "$last" std_l2)" \
       'BEGIN { exit !(r >= 1 && r < 3 && p >= 0.5 && p <= 1 && s >= 0 && s < 0.1) }'; then
    ok "dim-collapse: [[[[[ alone (no fresh weights) leaves it raised; at the end $(echo "$last" | sed 's/.*"queries":[0-9]*,//; s/}$//')"
else bad "dim-collapse: cleared without the reset, or the eval line's spread is off: $last"; fi

# --- an attached run, and the export -------------------------------------------------------
# The same run dumped and watched: the watch source measures the spread of
# the eval dumps as the trainer does, and raises the finding with advice.
# The export (e) has the spread in each model's eval and its history.
mkdir "$T/exp"
"$BIN" --headless --scenario dim-collapse --steps 400 --dump "$T/run" --script 300:e \
    --export-dir "$T/exp" >/dev/null 2>&1
x=$(cat "$T"/exp/*.json 2>/dev/null)
if echo "$x" | grep -q '"type":"eval","step":300,"model":"siamese",[^}]*"effective_rank":[0-9.]*,"pc1_share":[0-9.]*,"std_l2":[0-9.]*}' &&
   [ "$(echo "$x" | grep -o '"effective_rank":\[\[100,' | wc -l)" -eq 2 ] &&
   [ "$(echo "$x" | grep -o '"pc1_share":\[\[' | wc -l)" -eq 2 ] &&
   [ "$(echo "$x" | grep -o '"std_l2":\[\[' | wc -l)" -eq 2 ]; then
    ok "export: the spread in both models' eval and history"
else bad "export: the spread is missing from $(ls "$T/exp")"; fi
"$BIN" --headless --watch "$T/run/siamese" >"$T/watch.jsonl" 2>&1
w=$(grep '"code":"dim_collapse","state":"raised"' "$T/watch.jsonl" | head -1)
tr=$(grep '^{"type":"eval","step":300,"model":"siamese"' "$T/lr.jsonl" | sed 's/.*"effective_rank"://; s/,.*//')
wr=$(grep '^{"type":"eval","step":300' "$T/watch.jsonl" | sed 's/.*"effective_rank"://; s/,.*//')
if [ -n "$w" ] && echo "$w" | grep -q '"advice":\["lower the learning rate' && [ -n "$tr" ] && [ "$tr" = "$wr" ]; then
    ok "watched: raised at step $(echo "$w" | sed 's/^{"type":"diagnosis","step":\([0-9]*\).*/\1/'), rank $wr as trained, with advice"
else bad "watched: '$(echo "$w" | cut -c1-120)' (rank trained $tr, watched $wr)"; fi

[ "$fails" -eq 0 ] || { echo "$fails dim_collapse check(s) failed"; exit 1; }
