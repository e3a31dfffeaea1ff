#!/bin/sh
# tests/tui/lesson.sh BUILD: a lesson in the interface (docs/lessons.md),
# with a small lesson file of its own on digits:
# - the header names the lesson and its step; its narration shows in the
#   lesson panel;
# - at a wait the run holds (the step stays put), the prompt on the panel's
#   rule; Space does not pass it and says what to press; the awaited key
#   goes on, and lands in --log at the wait's step;
# - a pause holds until Space; a long narration shows whole at 80x24;
# - --auto goes on by itself at the wait, the key applied at its step.
. "$(dirname "$0")/common.inc"

cat >"$DIR/t.lesson" <<'LESSON'
title a small lesson for the tests
flags --data digits --eval-every 0 --steps 400
at 0 say Hello class.
at 40 wait M Press M now: hardest-neg to semi-hard mining (alpha).
at 80 press n The n key, pressed by the lesson itself (beta).
at 120 pause A long narration that must show whole at eighty columns by twenty-four rows: it runs on over three rows of the panel, as the lessons of docs/demos.md may, and it ends with a word to look for: omega.
LESSON

rm -f "$DIR/status"
start 100 30 -- --lesson "$DIR/t.lesson" --speed 50 --log "$DIR/log.jsonl"
wait_for 'lesson t · step [0-9]+'
wait_for 'step 40: Press M now: hardest-neg to semi-hard mining \(alpha\)\.'
wait_for 'Lesson ─ press M to go on \(the lesson waits for it\)' 5
wait_step_is 40
holds_step 40
holds_step 40
ok "held at the wait (step 40), its narration and prompt on screen"
T send-keys -t ts ' '
wait_for 'Diagnosis ─ press M to go on \(the lesson waits for it\)' 5
holds_step 40
ok "Space does not pass the wait, and says what to press"
T send-keys -t ts M
wait_step_above 40
wait_for 'step 80: The n key, pressed by the lesson itself \(beta\)\.' 10
grep -q '^{"type":"event","step":40,"key":"M","setting":"miner"' "$DIR/log.jsonl" ||
    fail "no M event at step 40 in --log"
grep -q '^{"type":"event","step":80,"key":"n","setting":"normalize"' "$DIR/log.jsonl" ||
    fail "no n event at step 80 in --log"
grep -q '^{"type":"narration","step":40,"text":"Press M now: ' "$DIR/log.jsonl" ||
    fail "no narration line at step 40 in --log"
ok "M goes on; the lesson's n at step 80; events and narration in --log"
wait_step_is 120
wait_for 'paused by the lesson: space goes on' 5
holds_step 120
T send-keys -t ts ' '
wait_step_above 120
ok "held at the pause (step 120); Space goes on"
quit_ok
T kill-session -t ts

# 80x24: the long narration whole (its last word shows), the header's step.
rm -f "$DIR/status"
start 80 24 -- --lesson "$DIR/t.lesson" --speed full --script 40:M
wait_step_is 120
wait_for 'omega\.' 5
screen | grep -q 'A long narration that must show whole' || fail "the narration's start is not on screen"
screen | head -n 1 | grep -q ' step 120' || fail "no step in the header at 80x24"
ok "80x24: the long narration shows whole"
quit_ok
T kill-session -t ts

# --auto: the wait and the pause go on by themselves, M applied at step 40.
rm -f "$DIR/status"
start 100 30 -- --lesson "$DIR/t.lesson" --auto --speed 50 --log "$DIR/auto.jsonl"
wait_step_is 40
wait_for 'press M to go on \(the lesson waits for it\), or wait' 5
holds_step 40
wait_step_above 40
wait_step_above 120
grep -q '^{"type":"event","step":40,"key":"M","setting":"miner"' "$DIR/auto.jsonl" ||
    fail "--auto: no M event at step 40 in --log"
ok "--auto: held at the wait and the pause a while, then went on (M at step 40)"
quit_ok
