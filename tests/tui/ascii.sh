#!/bin/sh
# tests/tui/ascii.sh BUILD: under LANG=C (no UTF-8) every glyph is ASCII:
# no braille, no blocks, no box lines; the interface works as under UTF-8.
. "$(dirname "$0")/common.inc"

start 120 40 LANG=C -- --data digits --margin 0.2
wait_step_above 0
wait_for '^Siamese .*\|Triplet '
wait_for 'easy [0-9]+ [0-9]+%'
wait_for 'held-out [0-9]+'
screen | LC_ALL=C grep -q '[^ -~]' && fail "non-ASCII characters on screen under LANG=C"
screen | head -n 1 | grep -q ' | step [0-9]* | ' || fail "the header's separators are not ASCII"
ok "ASCII only"

T send-keys -t ts m +
wait_for 'miner random  margin 0.25'
T send-keys -t ts Space
wait_for 'PAUSED'
s=$(step)
T send-keys -t ts .
wait_step_is $((s + 1))
ok "keys act as under UTF-8"
T resize-window -t ts -x 40 -y 12
wait_for 'terminal too small'
T resize-window -t ts -x 120 -y 40
wait_for '^Siamese .*\|Triplet '
screen | LC_ALL=C grep -q '[^ -~]' && fail "non-ASCII characters on screen after a resize"
quit_ok
