#!/bin/sh
# The findings of the mining's degenerate cases and of zero distances
# (docs/failure-modes.md): zero_distance, nothing_mined, semihard_fallback.
# Each scenario raises its finding within its documented steps, its key (or,
# where no key can, its fix as flags) clears it, and the step lines carry the
# numbers it reads ("zero_pairs", "min_dist", "mined":{"fallback":N}).
B=${1:-build}
BIN="$B/tripletscope"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
# shellcheck source=tests/cli/diagnose.inc
. "$(dirname "$0")/diagnose.inc"

run() { run_headless "$1" --scenario "$@"; }

# --- zero_distance: duplicates in P x K batches, d to the squared distance ---------
run zero-distance --script 150:d
for m in siamese triplet; do
    check_raise zero-distance "$T/zero-distance.jsonl" zero_distance $m 100
    check_clear zero-distance "$T/zero-distance.jsonl" zero_distance $m d 100
done
l=$(grep '"code":"zero_distance","state":"raised"' "$T/zero-distance.jsonl" | head -1)
if echo "$l" | grep -q '"min_dist":0,' && echo "$l" | grep -q '"distance":"euclidean"' &&
   echo "$l" | grep -q '"suggest":"d"'; then ok "zero-distance: evidence min_dist 0 under euclidean, suggests d"
else bad "zero-distance: the raised line lacks its evidence: $l"; fi
# Without duplicates (k 16 of ~144 a class), none: no pair at distance 0.
"$BIN" --headless --scenario zero-distance --k 16 --batch 128 --steps 120 --eval-every 0 \
    --log-every 1 >"$T/nodup.jsonl" 2>&1
z=$(grep '"type":"step"' "$T/nodup.jsonl" | grep -vc '"zero_pairs":0,')
if [ "$z" -eq 0 ] && [ "$(diag_count "$T/nodup.jsonl" zero_distance raised)" -eq 0 ]; then
    ok "zero-distance: no duplicates, no zero pair at any of 120 steps"
else bad "zero-distance: $z step lines with zero pairs without duplicates"; fi

# Watching a run that trained on such batches: the same finding, and the
# message says what to add to its code (its distance may not be guarded).
"$BIN" --headless --scenario zero-distance --steps 80 --eval-every 0 --dump "$T/run" \
    --dump-every 1 >/dev/null 2>&1
"$BIN" --headless --watch "$T/run/triplet" >"$T/watched.jsonl" 2>"$T/watched.err"
l=$(grep '"code":"zero_distance","state":"raised"' "$T/watched.jsonl" | head -1)
if echo "$l" | grep -q 'add an epsilon'; then ok "zero-distance: watched, raised with the epsilon to add"
else bad "zero-distance: watched run: '$l' $(head -c 200 "$T/watched.err")"; fi

# --- nothing_mined: uniform batches without positive pairs, p for P x K --------------
run nothing-mined --script 150:p
check_raise nothing-mined "$T/nothing-mined.jsonl" nothing_mined triplet 100
check_clear nothing-mined "$T/nothing-mined.jsonl" nothing_mined triplet p 100
# It is named as such, not as all_easy; and the steps before the key mined nothing.
n0=$(grep '"type":"step"' "$T/nothing-mined.jsonl" | grep '"model":"triplet"' |
     sed -n 's/.*"step":\([0-9]*\),.*"mined":{"count":0,.*/\1/p' | awk '$1 <= 150' | wc -l)
if [ "$(diag_count "$T/nothing-mined.jsonl" all_easy raised)" -eq 0 ] && [ "$n0" -ge 10 ]; then
    ok "nothing-mined: $n0 of 15 logged steps before p mined nothing; all_easy not raised"
else bad "nothing-mined: $n0 empty steps logged, all_easy raised $(diag_count "$T/nothing-mined.jsonl" all_easy raised)"; fi

# --- semihard_fallback: a ring around a blob, a linear model -------------------------
run semihard-fallback
check_raise semihard-fallback "$T/semihard-fallback.jsonl" semihard_fallback triplet 100
l=$(grep '"code":"semihard_fallback","state":"raised"' "$T/semihard-fallback.jsonl" | head -1)
f=$(echo "$l" | sed -n 's/.*"fallback":\([0-9.e-]*\),.*/\1/p')
if echo "$l" | grep -q '"severity":"info"' && [ -n "$f" ] && awk "BEGIN{exit !($f >= 0.5 && $f <= 0.8)}"; then
    ok "semihard-fallback: info, $f of the pairs fell back"
else bad "semihard-fallback: the raised line: $l"; fi
s=$(grep '"type":"step"' "$T/semihard-fallback.jsonl" | grep '"model":"triplet"' | sed -n 5p)   # step 50
c=$(echo "$s" | sed -n 's/.*"mined":{"count":\([0-9]*\),.*/\1/p')
fb=$(echo "$s" | sed -n 's/.*"fallback":\([0-9]*\),.*/\1/p')
if [ -n "$c" ] && [ -n "$fb" ] && [ "$((2 * fb))" -ge "$c" ]; then
    ok "semihard-fallback: the step line's mined.fallback $fb of $c"
else bad "semihard-fallback: no mined.fallback in the step line: $s"; fi
# The fix: a hidden layer learns the radius; nothing falls back for long.
"$BIN" --headless --scenario semihard-fallback --hidden 64 >"$T/fixed.jsonl" 2>&1
if [ "$(diag_count "$T/fixed.jsonl" semihard_fallback raised)" -eq 0 ]; then
    ok "semihard-fallback: with --hidden 64 not raised"
else bad "semihard-fallback: raised with --hidden 64"; fi
# Other miners never count a fallback.
"$BIN" --headless --scenario semihard-fallback --miner hard --steps 100 >"$T/hard.jsonl" 2>&1
n=$(grep '"type":"step"' "$T/hard.jsonl" | grep -c '"model":"triplet"')
nz=$(grep '"type":"step"' "$T/hard.jsonl" | grep '"model":"triplet"' | grep -vc '"fallback":0,')
if [ "$n" -ge 10 ] && [ "$nz" -eq 0 ]; then ok "semihard-fallback: batch-hard counts no fallback ($n step lines)"
else bad "semihard-fallback: batch-hard: $nz of $n step lines count a fallback"; fi

[ "$fails" -eq 0 ] || { echo "$fails mining-finding check(s) failed"; exit 1; }
