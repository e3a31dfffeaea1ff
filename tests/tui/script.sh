#!/bin/sh
# tests/tui/script.sh BUILD: --script presses keys at given steps in the
# interface as in headless mode: the events land in --log at those steps
# and on screen, and a scripted q ends the run (status 0).
. "$(dirname "$0")/common.inc"

start 120 40 -- --data digits --margin 0.2 --script "20:m,40:+,60: ,500:q" --log "$DIR/log.jsonl"
wait_for 'PAUSED'                 # the script's space at step 60
wait_for 'miner random  margin 0.25'
[ "$(step)" = 60 ] || fail "the script's pause left the counter at $(step), not 60"
grep -q '{"type":"event","step":20,"key":"m","setting":"miner","from":"hardest-neg","to":"random"}' \
    "$DIR/log.jsonl" || fail "no m event at step 20 in --log"
grep -q '{"type":"event","step":40,"key":"+","setting":"margin","from":"0.2","to":"0.25"}' \
    "$DIR/log.jsonl" || fail "no + event at step 40 in --log"
ok "scripted keys at their steps, on screen and in --log"
T send-keys -t ts Space           # resume: the script's q at step 500 quits
wait_exit 20
[ "$STATUS" = 0 ] || fail "status $STATUS after the script's q"
check_restored
grep -q '"type":"summary"' "$DIR/log.jsonl" || fail "--log lacks the summary line"
ok "the script's q ends the run with status 0"
