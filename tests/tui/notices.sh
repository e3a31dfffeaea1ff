#!/bin/sh
# tests/tui/notices.sh BUILD: a key's notice says what it changed, the
# header marks a change from the starting settings ("preset seed*") until P
# sets them back; a divergence reached by keys ([ x14) pauses, Space says
# why and names P, and P alone (the starting lr 0.001, a reset) runs the
# run again; --scenario NAME is named in the header.
. "$(dirname "$0")/common.inc"

start 140 32 -- --data digits --eval-every 0
wait_step_above 0
screen | head -n 1 | grep -Eq 'preset seed *$' || fail "the header does not end in 'preset seed'"
T send-keys -t ts M
wait_for 'Diagnosis .*miner hardest-neg -> semihard'
wait_for '^tripletscope.*preset seed\* *$'
ok "M: the notice 'miner hardest-neg -> semihard', the header 'preset seed*'"
T send-keys -t ts r
wait_for 'reset: new weights, the settings kept \(P restores the starting settings\)'
ok "r: the notice says the settings are kept and names P"
T send-keys -t ts P
wait_for 'P: the starting settings again: miner semihard -> hardest-neg'
wait_for '^tripletscope.*preset seed *$'
ok "P: the miner back, the header 'preset seed' again"

# Diverge by keys: lr 0.001 x 2^14 = 16.4 (Adam diverges well before).
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14; do T send-keys -t ts ']'; done
wait_for 'DIVERGED PAUSED' 30
wait_for 'lr 16\.38'   # every ] was taken (the settings line), paused or not
T send-keys -t ts Space
wait_for 'diverged at lr [0-9.]+ \((loss exploded|NaN or Inf)\): press P to go back to lr 0.001 \(the starting settings\) and reset'
ok "Space after the divergence: why, and P with the lr it restores"
s0=$(step)
T send-keys -t ts P
wait_for 'P: lr 16.38 -> 0.001; reset: new weights'
wait_for 'RUNNING'
wait_gone 'DIVERGED'
wait_for '^tripletscope.*preset seed *$'
s1=$(step)
wait_step_above "$s1"
ok "P after the divergence: lr back to 0.001, reset, running again (step $s0 -> $s1 -> $(step))"
quit_ok
T kill-session -t ts

rm -f "$DIR/status"
start 140 32 -- --scenario all-easy --eval-every 0
wait_step_above 0
screen | head -n 1 | grep -Eq 'scenario all-easy *$' || fail "the header does not name the scenario"
screen | head -n 1 | grep -q 'preset' && fail "the header names the preset beside the scenario"
T send-keys -t ts +
wait_for 'margin 0.04 -> 0.05'
wait_for '^tripletscope.*scenario all-easy\* *$'
ok "--scenario all-easy: named in the header, 'scenario all-easy*' after +"
quit_ok
