#!/bin/sh
# tests/tui/signals.sh BUILD: SIGTERM, Ctrl-C (SIGINT) and Ctrl-\ (SIGQUIT)
# end the interface with the terminal restored and status 128 + the signal;
# a fatal signal (SIGSEGV, SIGABRT) restores the terminal and kills the
# process with that signal; q in the too-small view quits.
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
start 120 40 -- --data digits
wait_step_above 0
T send-keys -t ts 'C-\'
wait_exit 5
[ "$STATUS" = 131 ] || fail "status $STATUS after Ctrl-\\ (expected 128 + 3)"
check_restored
ok "Ctrl-\\ (SIGQUIT): ended, terminal restored"
T kill-server

# fatal SIG STATUS: the handler puts the tty back, then the signal kills.
fatal() {
    rm -f "$DIR/status" "$DIR/stty"
    start 120 40 -- --data digits
    wait_step_above 0
    pid=$(binary_pid)
    [ -n "$pid" ] || fail "cannot find the process"
    kill -"$1" "$pid"
    wait_exit 5
    [ "$STATUS" = "$2" ] || fail "status $STATUS after SIG$1 (expected $2)"
    check_restored
    ok "SIG$1: died of it (status $STATUS), terminal restored"
    T kill-server
}
fatal SEGV 139
fatal ABRT 134

rm -f "$DIR/status" "$DIR/stty"
start 50 14 -- --data digits
wait_for 'terminal too small'
quit_ok
