#!/bin/sh
# tests/tui/interface.sh BUILD: the interface end to end in a 120x40 pane:
# the header's step counter moves; both titles, the difficulty counts and
# the key bar show; m, +, space, '.', e, R, ? act; resizing to 80x24 (compact), to
# 40x12 (too small) and back; q quits within 2 s with status 0 and the
# terminal restored; --log holds the keys' event lines.
. "$(dirname "$0")/common.inc"

start 120 40 -- --data digits --margin 0.2 --eval-every 50 --log "$DIR/log.jsonl" --export-dir "$DIR"
wait_step_above 0
s=$(step)
wait_step_above "$s"
ok "the step counter moves"

wait_for '^Siamese .*│Triplet '
wait_for 'easy [0-9]+ [0-9]+%  semi-hard [0-9]+ [0-9]+%  hard [0-9]+ [0-9]+%'
screen | tail -n 1 | grep -q 'Pause.*Miner.*Margin.*Reset.*Help.*Quit' || fail "no key bar"
screen | grep -q 'miner hardest-neg' || fail "the triplet settings do not show the miner"
screen | grep -q 'margin 0.20' || fail "the margin does not show as 0.20"
ok "titles, difficulty counts, settings and key bar"

T send-keys -t ts m
wait_for 'miner random'
ok "m: hardest-neg -> random"
T send-keys -t ts +
wait_for 'miner random  margin 0.25'
ok "+: margin 0.20 -> 0.25"

T send-keys -t ts Space
wait_for 'PAUSED'
s=$(step)
holds_step "$s"
ok "space: PAUSED, the counter stops at $s"
T send-keys -t ts .
wait_step_is $((s + 1))
holds_step $((s + 1))
ok "'.': exactly one step"

T send-keys -t ts e
wait_for "exported $DIR/tripletscope-seed0-step$((s + 1)).json"
[ -s "$DIR/tripletscope-seed0-step$((s + 1)).json" ] || fail "e: no export file"
ok "e: the export's path shows and the file is there"
T send-keys -t ts R
wait_for '│ seed 1 │'
wait_step_is 0
holds_step 0
ok "R (paused): a reset with seed 1, the counter back at 0"
T send-keys -t ts Space
wait_for 'RUNNING'
wait_step_above 0

T send-keys -t ts '?'
wait_for 'tripletscope help'
wait_for 'next / previous miner'
T send-keys -t ts '?'
wait_gone 'tripletscope help'
ok "? opens and closes the help"

# Compact: both columns, no projection; too small: the message; back: all.
wait_for 'held-out [0-9]+'
T resize-window -t ts -x 80 -y 24
wait_gone 'held-out [0-9]+'
wait_for '^Siamese .*│Triplet '
screen | tail -n 1 | grep -q 'Quit' || fail "no key bar in the compact view"
ok "80x24: the compact view"
T resize-window -t ts -x 40 -y 12
wait_for 'terminal too small'
wait_for 'need 80x24, have 40x12'
ok "40x12: the too-small message"
T resize-window -t ts -x 120 -y 40
wait_for 'held-out [0-9]+'
wait_for '^Siamese .*│Triplet '
ok "120x40 again: the full view"

quit_ok

grep -q '"type":"config"' "$DIR/log.jsonl" || fail "--log lacks the config line"
grep -q '{"type":"event","step":[0-9]*,"key":"m","setting":"miner","from":"hardest-neg","to":"random"}' \
    "$DIR/log.jsonl" || fail "--log lacks m's event"
grep -q '{"type":"event","step":[0-9]*,"key":"+","setting":"margin","from":"0.2","to":"0.25"}' \
    "$DIR/log.jsonl" || fail "--log lacks +'s event"
grep -q '"type":"summary"' "$DIR/log.jsonl" || fail "--log lacks the summary line"
ok "--log holds the event lines"
