#!/bin/sh
# tests/tui/pace.sh BUILD: the interface's pace and where it stops by itself.
# - --speed 5: the header says "pace 5 steps/s" and about 5 steps a second
#   run (a wide window: the machine may be loaded); > and < move along the
#   rungs, up to "full speed", where steps run far faster again;
# - a toggles auto-pause, saying so;
# - --pause-on raised: the run pauses at the step a finding is raised
#   (no-positives: step 50), the notice and the header naming it; Space
#   runs on;
# - --steps 120: paused at step 120, the notice and the header saying so;
#   Space runs on, and a pause by key is a plain PAUSED;
# - headless ignores --speed; a bad --speed or --pause-on is status 2.
. "$(dirname "$0")/common.inc"

# steps_in SECONDS: the step counter's advance over that many seconds.
steps_in() {
    s0=$(step)
    sleep "$1"
    s1=$(step)
    [ -n "$s0" ] && [ -n "$s1" ] || fail "no step counter in the header"
    echo $((s1 - s0))
}

rm -f "$DIR/status"
start 120 40 -- --data digits --speed 5
wait_for '│ pace 5 steps/s │'
wait_step_above 1
n=$(steps_in 2)
[ "$n" -ge 3 ] && [ "$n" -le 30 ] || fail "--speed 5: $n steps in 2 s (expected 3..30)"
ok "--speed 5: the header says so, $n steps in 2 s"

T send-keys -t ts '>'
wait_for '│ pace 10 steps/s │' 5
T send-keys -t ts '<' '<'
wait_for '│ pace 2 steps/s │' 5
ok "> and < move along the rungs (5 -> 10 -> 5 -> 2)"
# 2 -> 5 10 20 50 100 200 500 -> full speed
T send-keys -t ts '>' '>' '>' '>' '>' '>' '>' '>'
wait_for '│ full speed │' 5
n=$(steps_in 2)
[ "$n" -ge 40 ] || fail "full speed: only $n steps in 2 s"
T send-keys -t ts '>'
sleep 0.3
screen | head -n 1 | grep -q '│ full speed │' || fail "> at full speed left it"
ok "full speed after 500, and it stays: $n steps in 2 s"

T send-keys -t ts a
wait_for 'auto-pause on: pause when a finding is raised or cleared' 5
T send-keys -t ts a
wait_for 'auto-pause off' 5
ok "a turns auto-pause on and off, with a notice"
quit_ok
T kill-session -t ts

# Auto-pause at a raised finding: no-positives raises at step 50 (a few
# steps either way on other kernels).
rm -f "$DIR/status"
start 120 40 -- --scenario no-positives --pause-on raised
wait_for 'auto-pause: no_positives raised at step [0-9]+, triplet'
wait_for '│ PAUSED: no_positives raised │' 5
at=$(step)
[ "$at" -ge 30 ] && [ "$at" -le 100 ] || fail "auto-paused at step $at (expected 30..100)"
screen | grep -q "auto-pause: no_positives raised at step $at," ||
    fail "the notice does not name the step the header shows ($at)"
holds_step "$at"
T send-keys -t ts ' '
wait_step_above "$at"
ok "--pause-on raised: paused at step $at with the finding named; Space runs on"
T kill-session -t ts

# The stop at --steps.
rm -f "$DIR/status"
start 120 40 -- --data digits --steps 120
wait_for 'stopped at --steps 120: q quits, space runs on'
wait_step_is 120
wait_for '│ PAUSED: --steps 120 │' 5
holds_step 120
T send-keys -t ts ' '
wait_step_above 120
wait_for '│ RUNNING │' 5
T send-keys -t ts ' '
wait_for '│ PAUSED │' 5
ok "--steps 120: paused at step 120 with a notice; Space runs on"
quit_ok
T kill-session -t ts

# Headless ignores the pace: 30 steps at "1 step/s" end at once.
t0=$(now_ms)
"$BIN" --headless --data digits --steps 30 --speed 1 --pause-on raised,cleared > "$DIR/h.jsonl" ||
    fail "headless with --speed: status $?"
dt=$(( $(now_ms) - t0 ))
[ "$dt" -le 15000 ] || fail "headless --speed 1: 30 steps took $dt ms"
grep -q '^{"type":"summary","steps":30,' "$DIR/h.jsonl" || fail "headless: no summary of 30 steps"
ok "headless ignores --speed and --pause-on ($dt ms for 30 steps)"

for bad in "--speed 0" "--speed fast" "--pause-on raised,x" "--pause-on"; do
    # shellcheck disable=SC2086
    "$BIN" $bad --headless --steps 1 > /dev/null 2> "$DIR/err"
    st=$?
    [ "$st" = 2 ] || fail "$bad: status $st"
    [ "$(wc -l < "$DIR/err")" = 1 ] || fail "$bad: not one line on stderr: $(cat "$DIR/err")"
done
ok "a bad --speed or --pause-on: one line, status 2"
