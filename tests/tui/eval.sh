#!/bin/sh
# tests/tui/eval.sh BUILD: a long evaluation shows its progress on the
# Diagnosis rule, and the screen keeps working through it: ? opens and
# closes the help, a resize redraws, v toggles the projection, and a space waits for the evaluation's
# end, after which the progress is gone. Blobs with 10 000 held-out points
# (any machine has them), evaluated every 20 steps: an evaluation is in
# progress most of the time. Under LANG=C, so the progress is ASCII too.
. "$(dirname "$0")/common.inc"

PROGRESS='evaluating (the (Siamese|triplet) model|both models): +[0-9]+ of 10000 held-out queries'
start 120 40 LANG=C -- --data blobs --samples 50000 --eval-size 10000 --eval-every 20
wait_for "^-- Diagnosis -+ $PROGRESS -$"
screen | LC_ALL=C grep -q '[^ -~]' && fail "non-ASCII characters on screen during an evaluation"
ok "the progress shows on the rule, ASCII only"

# The help is the interface's own: it opens whether or not an evaluation runs.
T send-keys -t ts '?'
wait_for 'tripletscope help'
T send-keys -t ts '?'
wait_gone 'tripletscope help'
wait_for "$PROGRESS"
ok "? opens and closes the help while evaluations run"

T resize-window -t ts -x 80 -y 24
wait_for '^-- Diagnosis -+ (evaluating|eval) .*[0-9]+( of |/)10000.* -$'
[ "$(screen | grep -c 'Diagnosis')" = 1 ] || fail "the rule is not one row at 80x24"
ok "at 80x24 the progress fits on the rule"
T send-keys -t ts v
wait_for 'projection: after the first evaluation|PCA [0-9]+%'
T send-keys -t ts v
wait_gone 'projection: after the first evaluation|PCA [0-9]+%'
ok "v shows and hides the projection while evaluations run"

# The pause is the runner's: it waits for the evaluation to end, and paused
# nothing is evaluated.
T resize-window -t ts -x 120 -y 40
T send-keys -t ts Space
wait_for ' PAUSED '
wait_gone 'evaluating|eval [0-9 ]+/'
wait_for '^-- Diagnosis -+$'
s=$(step)
holds_step "$s"
screen | grep -Eq 'evaluating|eval [0-9 ]+/' && fail "an evaluation shows while paused"
ok "paused at step $s, the progress gone from the rule"
quit_ok
