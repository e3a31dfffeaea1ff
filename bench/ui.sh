#!/bin/sh
# bench/ui.sh BUILD REPS: the interface's cost over a pseudo-terminal (tmux),
# the time from a key press to its effect on screen, the time to the first
# drawn step, and the gaps between frames through long evaluations. Part of
# `make bench`; prints a markdown section.
set -u
B=${1:-build}
REPS=${2:-3}
BIN="$(cd "$(dirname "$B/tripletscope")" && pwd)/tripletscope"
T=$(mktemp -d)
S="tmux -L tsbench"
trap '$S kill-server 2>/dev/null; rm -rf "$T"' EXIT
DATA=digits
[ -r /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ] && DATA=fashion
STEPS=2000
[ $DATA = digits ] && STEPS=6000
ms() { date +%s%3N; }
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
FLAGS="--data $DATA --eval-size 1000 --eval-every 250 --seed 0"

# Wall time of STEPS steps, headless and in the interface (which quits by script).
headless() {
    t0=$(ms); "$BIN" --headless $FLAGS --steps $STEPS >/dev/null; echo $(( $(ms) - t0 ))
}
interface() {
    rm -f "$T/done"
    $S new-session -d -x 120 -y 40 \
        "t0=\$(date +%s%N); LANG=C.UTF-8 TERM=xterm-256color '$BIN' $FLAGS --script '$STEPS:q'; echo \$(( (\$(date +%s%N) - t0) / 1000000 )) > '$T/done'"
    n=0
    while [ ! -s "$T/done" ] && [ $n -lt 6000 ]; do sleep 0.1; n=$((n + 1)); done
    cat "$T/done"
}
i=0
while [ $i -lt "$REPS" ]; do headless >>"$T/h"; interface >>"$T/u"; i=$((i + 1)); done
th=$(median <"$T/h"); tu=$(median <"$T/u")

# Key latency: toggle normalisation and wait for the settings line to say so.
$S new-session -d -x 120 -y 40 "LANG=C.UTF-8 TERM=xterm-256color '$BIN' $FLAGS"
t0=$(ms)
n=0
until $S capture-pane -p | grep -q 'step [1-9]' || [ $n -ge 3000 ]; do sleep 0.01; n=$((n + 1)); done
first=$(( $(ms) - t0 ))
i=0
while [ $i -lt 30 ]; do
    if [ $((i % 2)) -eq 0 ]; then want='L2 norm'; else want='L2 raw'; fi
    t0=$(ms)
    $S send-keys n
    # Both columns' settings lines show the shared distance setting.
    n=0
    until [ "$($S capture-pane -p | grep -o "$want" | wc -l)" -ge 2 ] || [ $n -ge 5000 ]; do n=$((n + 1)); done
    echo $(( $(ms) - t0 )) >>"$T/keys"
    sleep 0.$(( (i * 7) % 10 ))   # irregular: some presses land in an evaluation
    i=$((i + 1))
done
$S send-keys q
key_med=$(median <"$T/keys"); key_max=$(sort -g "$T/keys" | tail -1)

# Frame gaps: evaluations of 10 000 queries (Fashion's whole test set) every
# 100 steps, the interface logging each frame it draws (TRIPLETSCOPE_FRAME_LOG).
# 350 steps cover the evaluations at 100, 200 and 300.
EVAL_FLAGS="--data $DATA --eval-size 10000 --eval-every 100 --seed 0"
sleep 1   # the key latency's interface quits first
rm -f "$T/done"
$S new-session -d -x 120 -y 40 \
    "TRIPLETSCOPE_FRAME_LOG='$T/frames' LANG=C.UTF-8 TERM=xterm-256color '$BIN' $EVAL_FLAGS --script '350:q'; echo 1 > '$T/done'"
n=0
while [ ! -s "$T/done" ] && [ $n -lt 1200 ]; do sleep 0.1; n=$((n + 1)); done
# A frame is inside an evaluation when eval_total > 0, or when eval_done > 0
# (a model's last block, published with eval_total 0 until the step ends).
# An evaluation's time runs from the last frame before it to the first after
# (so it is over by at most a frame on each side).
frame_gaps() {
    awk '{ t = $1; ev = ($4 > 0 || $3 > 0) }
         NR > 1 { g = t - pt; if (g > all) all = g
                  if ((ev || pev) && g > in_ev) in_ev = g
                  if ((ev || pev) && g > 100) over++ }
         ev && !pev { start = NR > 1 ? pt : t; frames = 0 }
         ev { frames++ }
         !ev && pev { n++; d = t - start; total += d; if (d > longest) longest = d; fr += frames }
         { pt = t; pev = ev }
         END {
             if (n == 0) { print "- No evaluation was drawn (" NR " frames logged)."; exit }
             printf "- Longest gap between two drawn frames during an evaluation: %.0f ms (%d over 100 ms); overall: %.0f ms (%d frames).\n", in_ev, over, all, NR
             printf "- %d evaluations (both models): %.0f ms on average, the longest %.0f ms, drawn at %.1f frames/s meanwhile.\n", n, total / n, longest, fr * 1000 / total
         }' "$1"
}
gaps=$(frame_gaps "$T/frames" 2>/dev/null)
[ -n "$gaps" ] || gaps="- No frame log was written."

echo "## The interface ($DATA, both models, evaluation on 1000 held-out queries every 250 steps, the interface's default)"
echo
echo "- $STEPS steps: headless $th ms, in the interface (120 x 40 tmux pane) $tu ms:"
echo "  the interface costs $(awk -v u="$tu" -v h="$th" 'BEGIN { printf "%.1f %%", 100 * (u - h) / h }') of headless throughput (start-up included in both)."
echo "- Key press to visible change (n, read back through tmux capture-pane, 30 presses): median $key_med ms, max $key_max ms."
echo "- Start to the first drawn step: $first ms."
echo
echo "### Frame gaps during long evaluations (issue 14: under 100 ms)"
echo
echo "\`$EVAL_FLAGS --script 350:q\` (default --threads) in a 120 x 40 tmux pane, a line per drawn"
echo "frame from TRIPLETSCOPE_FRAME_LOG:"
echo
echo "$gaps"
echo
