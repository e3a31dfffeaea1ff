#!/bin/sh
# tests/tui/signals.sh BUILD: SIGTERM, and Ctrl-C (SIGINT), end the
# interface with the terminal restored; so does q in the too-small view.
. "$(dirname "$0")/common.inc"

# The binary's pid: the pane's shell runs it as its child.
binary_pid() { pgrep -P "$(T display -p -t ts '#{pane_pid}')" -x tripletscope; }

start 120 40 -- --data digits
wait_step_above 0
pid=$(binary_pid)
[ -n "$pid" ] || fail "cannot find the process"
kill -TERM "$pid"
wait_exit 5
[ "$STATUS" = 143 ] || fail "status $STATUS after SIGTERM (expected 128 + 15)"
check_restored
ok "SIGTERM: ended, terminal restored"
T kill-server

rm -f "$DIR/status" "$DIR/stty"
start 120 40 -- --data digits
wait_step_above 0
T send-keys -t ts C-c
wait_exit 5
[ "$STATUS" = 130 ] || fail "status $STATUS after Ctrl-C (expected 128 + 2)"
check_restored
ok "Ctrl-C: ended, terminal restored"
T kill-server

rm -f "$DIR/status" "$DIR/stty"
start 50 14 -- --data digits
wait_for 'terminal too small'
quit_ok
