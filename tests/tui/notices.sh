#!/bin/sh
# tests/tui/notices.sh BUILD: a key's notice says what it changed, the
# header marks a change from the starting settings ("preset seed*") until P
# sets them back; a divergence (--scenario diverged, lr 10) pauses, Space
# says why and names P, and P alone (the preset's lr 0.001, a reset) runs
# the run again; --scenario NAME is named in the header.
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

quit_ok
T kill-session -t ts

# A divergence: --scenario diverged starts at lr 10 (Adam's loss explodes
# within a few steps, whatever the machine). Keys pressed while training runs
# land at steps that depend on the machine's load, so the test does not
# diverge by ]: at lr 16 a run can also die quietly (every ReLU off).
rm -f "$DIR/status"
start 140 32 -- --scenario diverged --eval-every 0
wait_for 'DIVERGED PAUSED' 30
T send-keys -t ts Space
wait_for 'diverged at lr 10 \((loss exploded|NaN or Inf)\): press P to go back to lr 0.001 \(the preset.s\) and reset'
ok "Space after the divergence: why, and P with the lr it restores"
s0=$(step)
T send-keys -t ts P
wait_for 'P: lr 10 -> 0.001; reset: new weights'
wait_for 'RUNNING'
wait_gone 'DIVERGED'
s1=$(step)
wait_step_above "$s1"
wait_for '^tripletscope.*scenario diverged\* *$'
ok "P after the divergence: lr 10 -> 0.001 (the preset's), reset, running again (step $s0 -> $s1 -> $(step)), 'scenario diverged*'"
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
