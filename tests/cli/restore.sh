#!/bin/sh
# P, the starting settings again (README "Keys", docs/metrics.md events):
# after M + n, P gives one event a setting (key P), each back to the value
# the run started with, and the run goes on (no reset); the starting
# settings are the preset's with the command line's flags (--margin 0.5);
# P with nothing changed writes no line. --scenario NAME is named on the
# config line ("scenario"), absent without it. (Headless ends at a
# divergence: P's recovery is tests/test_driver.c's and tests/tui/notices.sh's.)
B=${1:-build}
BIN="$B/tripletscope"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
ok() { echo "ok   $1"; }
bad() { echo "FAIL $1"; fails=$((fails + 1)); }

# --- M + n at 50, P at 100 ------------------------------------------------------
"$BIN" --headless --data digits --steps 120 --eval-every 0 --script "50:M+n,100:P" \
    >"$T/p.jsonl" 2>"$T/p.err"
st=$?
[ "$st" -eq 0 ] || bad "M+n then P: status $st: $(cat "$T/p.err")"
n=$(grep -c '"type":"event","step":100,"key":"P"' "$T/p.jsonl")
if [ "$n" -eq 3 ]; then ok "P: one event per setting changed (3)"
else bad "P: $n events at step 100 (expected 3): $(grep '"event"' "$T/p.jsonl")"; fi
# Each P event undoes the change at step 50: its from is that change's to, its to that one's from.
for s in miner margin normalize; do
    ch=$(grep "\"type\":\"event\",\"step\":50,.*\"setting\":\"$s\"" "$T/p.jsonl")
    back=$(grep "\"type\":\"event\",\"step\":100,\"key\":\"P\",\"setting\":\"$s\"" "$T/p.jsonl")
    f=$(printf '%s' "$ch" | sed -n 's/.*"from":"\([^"]*\)","to":"\([^"]*\)".*/\1/p')
    t=$(printf '%s' "$ch" | sed -n 's/.*"from":"\([^"]*\)","to":"\([^"]*\)".*/\2/p')
    if [ -n "$f" ] && [ "$f" != "$t" ] && printf '%s' "$back" | grep -q "\"from\":\"$t\",\"to\":\"$f\""
    then ok "P: $s back from $t to $f"
    else bad "P: $s: change [$ch], P's [$back]"; fi
done
if grep -q '"type":"step","step":110,' "$T/p.jsonl" && ! grep -q '"setting":"reset"' "$T/p.jsonl"
then ok "P: no reset, the run goes on (step 110 follows)"
else bad "P: a reset, or no step 110 after it"; fi

# --- the flags are part of the start; nothing to restore: no line ------------------
"$BIN" --headless --data digits --margin 0.5 --steps 60 --eval-every 0 --script "20:++,40:P,50:P" \
    >"$T/m.jsonl" 2>"$T/m.err"
if grep -q '"step":40,"key":"P","setting":"margin","from":"0\.78[0-9]*","to":"0\.5"' "$T/m.jsonl"
then ok "P: the starting margin is --margin 0.5's"
else bad "P: margin: $(grep '"event"' "$T/m.jsonl")"; fi
if ! grep -q '"step":50,"key":"P"' "$T/m.jsonl"; then ok "P: nothing changed: no event line"
else bad "P at 50 wrote an event: $(grep '"step":50,"key":"P"' "$T/m.jsonl")"; fi

# --- the scenario on the config line ---------------------------------------------------
"$BIN" --headless --scenario all-easy --steps 5 --eval-every 0 >"$T/s.jsonl" 2>"$T/s.err"
if head -n 1 "$T/s.jsonl" | grep -q '^{"type":"config","version":"[^"]*","preset":"facenet","scenario":"all-easy",'
then ok "config line: scenario all-easy beside its preset facenet"
else bad "config line: $(head -c 120 "$T/s.jsonl")"; fi
if ! head -n 1 "$T/p.jsonl" | grep -q '"scenario"'; then ok "config line: no scenario without --scenario"
else bad "config line names a scenario without --scenario"; fi

[ "$fails" -eq 0 ] || exit 1
