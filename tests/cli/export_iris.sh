#!/bin/sh
# The export (e, docs/metrics.md "The export"): written to the XDG data
# directory by default ($XDG_DATA_HOME/tripletscope, created; $HOME/.local/
# share/tripletscope without it), --export-dir overriding it; the file holds
# the step it was written at, the raise / clear history of the findings, the
# events and both models' projections with labels; an unwritable directory is
# one line and status 2. And iris with the default batch (128 > its 120
# training samples): the batch is fitted and the config line says so, while
# an explicit --batch 128 is still refused.
B=${1:-build}
BIN="$B/tripletscope"
T=$(mktemp -d)
trap 'chmod -R u+w "$T" 2>/dev/null; rm -rf "$T"' EXIT
fails=0
ok() { echo "ok   $1"; }
bad() { echo "FAIL $1"; fails=$((fails + 1)); }

# --- the default directory, two exports, the history ---------------------------
# self-positive raises self_positive (hardest-neg picks the anchor) within 50
# steps; M at step 100 clears it within 50 more; the exports at 60 and 200.
XDG_DATA_HOME="$T/xdg" "$BIN" --headless --scenario self-positive --steps 200 \
    --script 60:e,100:M,200:e >"$T/sp.jsonl" 2>"$T/sp.err"
st=$?
D="$T/xdg/tripletscope"
F1="$D/tripletscope-seed0-step60.json"
F2="$D/tripletscope-seed0-step200.json"
if [ "$st" -eq 0 ] && [ -s "$F1" ] && [ -s "$F2" ]; then
    ok "export: both files in \$XDG_DATA_HOME/tripletscope"
else
    bad "export: status $st, files: $(ls -R "$T/xdg" 2>&1 | tr '\n' ' ') $(cat "$T/sp.err")"
fi
if grep -q "\"type\":\"export\",\"step\":200,\"path\":\"$F2\"" "$T/sp.jsonl"; then
    ok "export: the export line names the path"
else bad "export: no export line naming $F2"; fi
mode=$(stat -c %a "$D" 2>/dev/null)
if [ "$mode" = 700 ]; then ok "export: the directory is created with mode 0700"
else bad "export: directory mode $mode"; fi
if grep -q '^{"type":"snapshot","step":200,' "$F2" && grep -q '^{"type":"snapshot","step":60,' "$F1"
then ok "export: each file holds the step it was written at"
else bad "export: the step is not the export's: $(cut -c1-60 "$F2")"; fi
# The history: raised then cleared, in that order, in the second file; only
# the raise in the first (the clear came after it).
h2=$(sed 's/.*"finding_history":\[//; s/\],"findings":\[.*//' "$F2" | grep -o '"code":"self_positive","state":"[a-z]*"' |
     sed 's/.*"state":"//; s/"//' | tr '\n' ' ')
h1=$(sed 's/.*"finding_history":\[//; s/\],"findings":\[.*//' "$F1" | grep -o '"code":"self_positive","state":"[a-z]*"' |
     sed 's/.*"state":"//; s/"//' | tr '\n' ' ')
if [ "$h2" = "raised cleared " ] && [ "$h1" = "raised " ]; then
    ok "export: the history holds the raise and the clear (at 60: the raise only)"
else bad "export: history at 200 '$h2', at 60 '$h1'"; fi
if grep -q '"events_total":1,"events":\[{"type":"event","step":100,"key":"M"' "$F2"; then
    ok "export: the event of M is listed"
else bad "export: no event M in $(grep -o '"events_total".\{0,120\}' "$F2")"; fi
for m in siamese triplet; do
    if grep -q "\"$m\":{\"last\":.*\"projection\":{\"columns\":\[\"x\",\"y\",\"label\"\].*\"points\":\[\[[-0-9.e]*,[-0-9.e]*,[0-9]\]" "$F2"
    then ok "export: $m's projection rows (x, y, label)"
    else bad "export: no projection rows for $m"; fi
done

# --- HOME without XDG_DATA_HOME; --export-dir overrides -------------------------
mkdir -p "$T/home" "$T/dir"
env -u XDG_DATA_HOME HOME="$T/home" "$BIN" --headless --data iris --steps 5 --script 5:e \
    >/dev/null 2>"$T/h.err"
if [ -s "$T/home/.local/share/tripletscope/tripletscope-seed0-step5.json" ]; then
    ok "export: \$HOME/.local/share/tripletscope without XDG_DATA_HOME"
else bad "export: nothing under \$HOME/.local/share: $(cat "$T/h.err")"; fi
XDG_DATA_HOME="$T/xdg2" "$BIN" --headless --data iris --steps 5 --script 5:e \
    --export-dir "$T/dir" >/dev/null 2>"$T/d.err"
if [ -s "$T/dir/tripletscope-seed0-step5.json" ] && [ ! -e "$T/xdg2" ]; then
    ok "export: --export-dir overrides the XDG directory (not created)"
else bad "export: --export-dir: $(ls "$T/dir") $(cat "$T/d.err")"; fi

# --- an unwritable directory: one line, status 2 --------------------------------
mkdir -p "$T/ro"
chmod 555 "$T/ro"
if touch "$T/ro/probe" 2>/dev/null; then   # root writes anywhere: a file as the directory
    rm -f "$T/ro/probe"
    ro="$T/file/sub"
    : >"$T/file"
else
    ro="$T/ro"
fi
XDG_DATA_HOME="$ro" "$BIN" --headless --data iris --steps 10 --script 5:e \
    >"$T/ro.out" 2>"$T/ro.err"
st=$?
if [ "$st" -eq 2 ] && [ "$(wc -l <"$T/ro.err")" -eq 1 ] &&
   grep -q "^tripletscope: export failed: $ro/tripletscope" "$T/ro.err"; then
    ok "export: unwritable directory: status 2, $(cat "$T/ro.err")"
else bad "export: unwritable: status $st, $(cat "$T/ro.err")"; fi

# --- iris with the default batch --------------------------------------------------
"$BIN" --headless --data iris --steps 20 >"$T/iris.jsonl" 2>"$T/iris.err"
st=$?
if [ "$st" -eq 0 ] && head -1 "$T/iris.jsonl" | grep -q '"batch":120,"batch_fitted_from":128,' &&
   grep -q '"type":"summary","steps":20,' "$T/iris.jsonl"; then
    ok "iris: the default batch is fitted to the 120 training samples and said"
else bad "iris: status $st, $(head -1 "$T/iris.jsonl" | grep -o '"batch":.\{0,40\}') $(cat "$T/iris.err")"; fi
"$BIN" --headless --data iris --preset batch-hard --steps 20 >"$T/pk.jsonl" 2>"$T/pk.err"
st=$?
if [ "$st" -eq 0 ] && head -1 "$T/pk.jsonl" | grep -q '"batch":48,"batch_fitted_from":128,"k":16,'; then
    ok "iris: pk fits P to the 3 classes (48 = 3 x 16)"
else bad "iris pk: status $st, $(head -1 "$T/pk.jsonl" | grep -o '"batch":.\{0,40\}') $(cat "$T/pk.err")"; fi
"$BIN" --headless --data digits --steps 1 | head -1 | grep -q '"batch":128,"k"' &&
    ok "digits: the batch is not fitted (no batch_fitted_from)" ||
    bad "digits: the config line's batch changed"
"$BIN" --headless --data iris --batch 128 --steps 20 >"$T/b.out" 2>"$T/b.err"
st=$?
if [ "$st" -eq 2 ] && [ "$(wc -l <"$T/b.err")" -eq 1 ] &&
   grep -q -- "--batch: 128 is more than the 120 training samples" "$T/b.err"; then
    ok "iris: an explicit --batch 128 is still refused (status 2)"
else bad "iris --batch 128: status $st, $(cat "$T/b.err")"; fi

[ "$fails" -eq 0 ] || { echo "$fails failure(s)"; exit 1; }
