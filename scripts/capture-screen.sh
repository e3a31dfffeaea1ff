#!/bin/sh
# scripts/capture-screen.sh [BUILD]: recaptures the screen that README.md and
# docs/interface.md show (between their "BEGIN screen" and "END screen"
# markers): Fashion-MNIST at 120 x 40, NO_COLOR=1, --preset seed, seed 0,
# paused by the script's space at step 1000, through tmux capture-pane. The
# numbers on it depend on the CPU's OpenBLAS kernel; the docs say which one.
set -eu
B=${1:-build}
BIN="$B/tripletscope"
SOCK="tscap$$"
T() { tmux -L "$SOCK" -f /dev/null "$@"; }
OUT=$(mktemp)
trap 'T kill-server 2>/dev/null; rm -f "$OUT"' EXIT
T new-session -d -s cap -x 120 -y 40 \
    "env LANG=C.UTF-8 NO_COLOR=1 TERM=xterm-256color $BIN --data fashion --script '1000: '; sleep 60"
i=0
until T capture-pane -p -t cap | grep -q 'step 1000 .* PAUSED'; do
    i=$((i + 1))
    [ "$i" -lt 600 ] || { echo "capture-screen: no pause at step 1000 within 60 s" >&2; exit 1; }
    sleep 0.1
done
sleep 0.5
T capture-pane -p -t cap | sed 's/[[:space:]]*$//' >"$OUT"
for doc in README.md docs/interface.md; do
    awk -v shot="$OUT" '
        /<!-- BEGIN screen/ { print; print "```text"; while ((getline l < shot) > 0) print l; print "```"; skip = 1; next }
        /<!-- END screen -->/ { skip = 0 }
        !skip' "$doc" >"$doc.new" && mv "$doc.new" "$doc"
done
echo "capture-screen: README.md and docs/interface.md updated ($(OPENBLAS_VERBOSE=0 "$BIN" --version))"
