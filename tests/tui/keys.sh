#!/bin/sh
# tests/tui/keys.sh BUILD: the interface's own keys and repeated notices:
# F1 opens the help, Esc and F1 close it; Ctrl-L repaints what was
# scribbled over the screen; a key refused twice, and an export made twice
# at one step, show their notice both times.
. "$(dirname "$0")/common.inc"

start 100 30 -- --data iris --batch 60 --k 16 --sampler uniform --export-dir "$DIR"
wait_step_above 0
T send-keys -t ts Space
wait_for 'PAUSED'

T send-keys -t ts F1
wait_for 'tripletscope help'
T send-keys -t ts Escape
wait_gone 'tripletscope help'
T send-keys -t ts F1
wait_for 'tripletscope help'
T send-keys -t ts F1
wait_gone 'tripletscope help'
ok "F1 opens the help; Esc and F1 close it"

# Output written behind curses' back stays until a full repaint.
printf '\033[6;10HZZSCRIBBLEZZ' > "$(T display -p -t ts '#{pane_tty}')"
wait_for 'ZZSCRIBBLEZZ'
T send-keys -t ts C-l
wait_gone 'ZZSCRIBBLEZZ'
ok "Ctrl-L repaints the screen"

T send-keys -t ts p
wait_for 'p refused: '
wait_gone 'p refused: .*\(x2\)' 1
T send-keys -t ts p
wait_for 'p refused: .*\(x2\)'
ok "p refused twice: the notice shows again, marked (x2)"

T send-keys -t ts e
wait_for 'exported .*\.json'
T send-keys -t ts e
wait_for 'exported .*\.json \(x2\)'
ok "e twice at one step: the notice shows again, marked (x2)"
quit_ok
