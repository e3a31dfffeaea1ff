#!/bin/sh
# tests/tui/rank.sh BUILD: the norms row shows the held-out effective rank
# ("rank 9.3/32") of each model once evaluated, beside its sparkline: at
# 80x24 the norms' [min, max] gives way to it; at 120x40 both fit. Without
# an evaluation (--eval-every 0) there is no rank, and the range stays.
. "$(dirname "$0")/common.inc"

NORM_RANK='norm [0-9.e+-]+±[0-9.e+-]+ (\[[^]]*\] )?rank [0-9]+\.[0-9]/32 [^ ]'

start 80 24 -- --data digits --eval-every 50
wait_for 'P@1 0\.[0-9]+'
wait_for "$NORM_RANK.*│$NORM_RANK"
screen | grep -E '^norm ' | grep -q '\[' && fail "at 80x24 the norms' range should give way to the rank"
ok "80x24: both columns show the rank on the norms row, with a sparkline"
T resize-window -t ts -x 120 -y 40
wait_for 'norm [^ ]+ \[[^]]*\] rank [0-9]+\.[0-9]/32 [^ ].*│norm [^ ]+ \[[^]]*\] rank [0-9]+\.[0-9]/32 [^ ]'
ok "120x40: the range and the rank both fit"
T kill-session -t ts

start 80 24 -- --data digits --eval-every 0
wait_step_above 20
wait_for '^norm [^ ]+ \[[^]]*\] '
screen | grep -q 'rank [0-9]' && fail "a rank shown without any evaluation"
ok "no evaluation: no rank, the norms' range stays"
quit_ok
