#!/bin/sh
# --watch on hand-made run directories (docs/dump-format.md): what it reads,
# what it diagnoses, what it skips, what it refuses, and following a run
# that a background writer fills while it watches. The dumps are written
# with numpy (python3-numpy, which scripts/setup.sh installs).
set -u
BUILD=${1:-build}
BIN=$BUILD/tripletscope
. "$(dirname "$0")/expect.inc" 2>/dev/null || true
PY=""
for p in /usr/bin/python3 python3; do
    if command -v "$p" >/dev/null 2>&1 && "$p" -c 'import numpy' 2>/dev/null; then PY=$p; break; fi
done
if [ -z "$PY" ]; then echo "FAIL watch: python3 with numpy is needed (scripts/setup.sh installs python3-numpy)"; exit 1; fi
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL watch: $*"; fails=$((fails + 1)); }
ok() { echo "ok (watch): $*"; }

# make KIND DIR: a run directory of 60 batches (every 10 steps) and 4 evals.
#   healthy  clusters that separate as it goes
#   collapse every embedding the same point
#   alleasy  clusters far apart: every triplet easy at margin 0.2
#   nopos    each batch of 64 distinct labels (uniform sampling over many classes)
#   nan      healthy, then NaN from step 300
make() {
    "$PY" - "$1" "$2" <<'PYEOF'
import json, os, sys
import numpy as np
kind, d = sys.argv[1], sys.argv[2]
os.makedirs(d, exist_ok=True)
rng = np.random.default_rng(1)
C, B, D = 8, 64, 16
cent = rng.normal(size=(C, D))
loss = "contrastive" if kind == "siamese" else "triplet"
json.dump({"name": kind, "loss": loss, "miner": "semihard", "margin": 0.2,
           "normalize": kind not in ("collapse", "alleasy")}, open(os.path.join(d, "run.json"), "w"))
def put(name, arr):
    tmp = os.path.join(d, "." + name + ".tmp")
    with open(tmp, "wb") as f: np.save(f, arr)
    os.replace(tmp, os.path.join(d, name))
sc = open(os.path.join(d, "scalars.jsonl"), "w")
for i in range(60):
    s = i * 10
    if kind == "nopos":
        y = np.arange(B) + 1000 * i
    else:
        y = np.repeat(np.arange(C), B // C)
    spread = 0.2 + s / 200.0
    if kind == "collapse":
        z = np.ones((B, D))
    elif kind == "alleasy":
        z = cent[y % C] * 50 + rng.normal(size=(B, D)) * 0.01
    else:
        z = cent[y % C] * spread + rng.normal(size=(B, D))
    if kind == "nan" and s >= 300:
        z[:] = np.nan
    put("batch-%d.npy" % s, z.astype(np.float32))
    put("batch-%d.labels.npy" % s, y.astype(np.int64))
    sc.write(json.dumps({"step": s, "loss": 1.0 / (1 + s), "lr": 1e-3}) + "\n")
    if s % 150 == 0:
        ye = np.repeat(np.arange(C), 40)
        ze = cent[ye] * spread + rng.normal(size=(len(ye), D))
        if kind == "collapse": ze = np.ones_like(ze)
        put("eval-%d.npy" % s, ze.astype(np.float16))
        put("eval-%d.labels.npy" % s, ye.astype(np.int32))
PYEOF
}

for k in healthy collapse alleasy nopos nan siamese; do make $k "$T/$k"; done

# --- What it reads -----------------------------------------------------------------
out=$("$BIN" --headless --watch "$T/healthy" 2>"$T/err")
st=$?
[ $st -eq 0 ] || fail "healthy: exit status $st ($(cat "$T/err"))"
n=$(printf '%s\n' "$out" | grep -c '"type":"step"')
[ "$n" -eq 60 ] && ok "60 batch dumps, 60 step lines" || fail "healthy: $n step lines, expected 60"
n=$(printf '%s\n' "$out" | grep -c '"type":"eval"')
[ "$n" -eq 4 ] && ok "4 eval dumps (float16), 4 eval lines" || fail "healthy: $n eval lines, expected 4"
printf '%s\n' "$out" | head -1 | grep -q '"source":"watch".*"model":"healthy"' \
    && ok "the config line names the run" || fail "healthy: config line: $(printf '%s\n' "$out" | head -1)"
printf '%s\n' "$out" | grep '"type":"step"' | head -1 | grep -q '"model":"healthy".*"run_loss":1[,}]' \
    && ok "the run's own loss beside ours" || fail "healthy: no run_loss in the first step line"
printf '%s\n' "$out" | grep '"type":"step","step":590' | grep -q '"valid":25088' \
    && ok "every valid triplet counted (64 anchors x 7 positives x 56 negatives)" \
    || fail "healthy: the last step's valid triplets: $(printf '%s\n' "$out" | grep '"step":590' | head -1 | cut -c1-200)"
# No finding on the healthy run (its last quarter at least).
printf '%s\n' "$out" | grep '"type":"diagnosis"' | grep '"state":"raised"' | grep -v '"step":[0-9],\|"step":[0-9][0-9],' >"$T/h.diag"
[ ! -s "$T/h.diag" ] && ok "healthy run: no finding after step 100" || fail "healthy: $(head -2 "$T/h.diag" | cut -c1-200)"

# --- What it diagnoses ---------------------------------------------------------------
raised() {   # raised DIR CODE WITHIN_STEP
    line=$("$BIN" --headless --watch "$1" 2>/dev/null | grep '"type":"diagnosis"' | grep "\"code\":\"$2\"" | grep '"state":"raised"' | head -1)
    step=$(printf '%s' "$line" | sed -n 's/.*"step":\([0-9]*\).*/\1/p')
    if [ -n "$step" ] && [ "$step" -le "$3" ]; then ok "$(basename "$1"): $2 raised at step $step (within $3)"
    else fail "$(basename "$1"): $2 not raised by step $3 (${line:-nothing})"; fi
}
raised "$T/collapse" collapse 600
"$BIN" --headless --watch "$T/nopos" 2>/dev/null | grep '"code":"no_positives","state":"raised"' | head -1 |
    grep -q '"advice":\["sample P x K batches' && ok "a finding's advice names what to change in the training" \
    || fail "no_positives: no advice in its line"
raised "$T/alleasy" all_easy 600
raised "$T/nopos" no_positives 600
raised "$T/nan" diverged 310

# --- Two runs side by side -----------------------------------------------------------
out=$("$BIN" --headless --watch "$T/siamese" --watch "$T/healthy" 2>"$T/err")
ns=$(printf '%s\n' "$out" | grep -c '"type":"step","step":[0-9]*,"model":"siamese"')
nt=$(printf '%s\n' "$out" | grep -c '"type":"step","step":[0-9]*,"model":"healthy"')
[ "$ns" -eq 60 ] && [ "$nt" -eq 60 ] && ok "two runs: 60 step lines each" || fail "two runs: $ns and $nt step lines"
"$BIN" --headless --watch "$T/healthy" --watch "$T/alleasy" >/dev/null 2>"$T/err"
[ $? -eq 2 ] && grep -q "both runs use the triplet loss" "$T/err" && ok "two triplet runs: refused" \
    || fail "two triplet runs: $(cat "$T/err")"

# --- What-if keys (a script): semihard -> hardest-neg, then r ----------------------------
out=$("$BIN" --headless --watch "$T/healthy" --script "100:m,200:r" 2>/dev/null)
printf '%s\n' "$out" | grep -q '"type":"event","step":100,"key":"m","setting":"miner","from":"semihard","to":"hardest-neg"' \
    && ok "what-if m: an event" || fail "what-if m: $(printf '%s\n' "$out" | grep '"event"' | head -2)"
printf '%s\n' "$out" | grep '"type":"event","step":200' | grep -q '"key":"r"' \
    && ok "r restores the run's own settings" || fail "r: no event"
"$BIN" --headless --watch "$T/healthy" --script "100:[" >/dev/null 2>"$T/err"
grep -q "learning rate is the run's own" "$T/err" && ok "[ refused: nothing is trained" || fail "[: $(cat "$T/err")"

# --- What it skips -----------------------------------------------------------------------
cp -r "$T/healthy" "$T/bad"
"$PY" -c "import numpy as np; np.save('$T/bad/batch-55.npy', np.zeros((64, 9), np.float32)); np.save('$T/bad/batch-55.labels.npy', np.zeros(64, np.int64)); np.save('$T/bad/batch-56.npy', np.zeros((64, 16), np.float32)); np.save('$T/bad/batch-56.labels.npy', np.zeros(3, np.int64))"
printf 'garbage' >"$T/bad/batch-57.npy"; cp "$T/bad/batch-0.labels.npy" "$T/bad/batch-57.labels.npy"
printf '\x93NUMPY' >"$T/bad/batch-58.npy"   # half written, no labels: never read
out=$("$BIN" --headless --watch "$T/bad" 2>&1)
for f in batch-55.npy batch-56 batch-57.npy; do
    printf '%s\n' "$out" | grep '"type":"notice"' | grep -q "$f" && ok "skipped with a notice: $f" || fail "no notice for $f"
done
printf '%s\n' "$out" | grep -q 'batch-58' && fail "a batch without labels was read" || ok "a batch without its labels file is not read"
n=$(printf '%s\n' "$out" | grep -c '"type":"step"')
[ "$n" -eq 60 ] && ok "the run goes on past the skipped dumps" || fail "bad: $n step lines"

# --- What it refuses ---------------------------------------------------------------------
mkdir -p "$T/empty" "$T/junk"
printf 'nope' >"$T/junk/batch-1.npy"; printf 'nope' >"$T/junk/batch-1.labels.npy"
refuse() {   # refuse WHAT PATTERN ARGS...
    what=$1; pat=$2; shift 2
    "$BIN" --headless "$@" >/dev/null 2>"$T/err" </dev/null
    st=$?
    lines=$(wc -l <"$T/err")
    if [ $st -eq 2 ] && [ "$lines" -eq 1 ] && grep -q -- "$pat" "$T/err"; then ok "refused: $what"
    else fail "$what: status $st, stderr: $(cat "$T/err")"; fi
}
refuse "no dump" "no dump there" --watch "$T/empty"
refuse "missing directory" "$T/none" --watch "$T/none"
refuse "a first dump that is not NPY" "batch-1.npy" --watch "$T/junk"
mkdir -p "$T/short"
"$PY" -c "import numpy as np; np.save('$T/short/batch-0.npy', np.zeros((8, 4), np.float32)); np.save('$T/short/batch-0.labels.npy', np.zeros(5, np.int64))"
refuse "a labels file of the wrong length" "batch-0.labels.npy" --watch "$T/short"
refuse "--data with --watch" "--data: not with --watch" --watch "$T/healthy" --data digits
refuse "three runs" "at most 2" --watch "$T/healthy" --watch "$T/siamese" --watch "$T/nan"
refuse "--follow alone" "only with --watch" --follow
printf '{"miner": 3}' >"$T/healthy2.json"; cp -r "$T/healthy" "$T/h2"; cp "$T/healthy2.json" "$T/h2/run.json"
refuse "run.json of the wrong type" "\"miner\" must be a string" --watch "$T/h2"
printf '{"name": "x",' >"$T/h2/run.json"
refuse "run.json that is not JSON" "run.json: not one JSON object" --watch "$T/h2"

# --- Following: a background writer -----------------------------------------------------
mkdir -p "$T/live"
cp "$T/healthy/run.json" "$T/live/"
"$BIN" --headless --watch "$T/live" --follow --steps 90 >"$T/live.out" 2>&1 &
pid=$!
"$PY" - "$T/live" <<'PYEOF'
import os, sys, time
import numpy as np
d = sys.argv[1]
rng = np.random.default_rng(2)
for i in range(10):
    s = i * 10
    z = rng.normal(size=(32, 8)).astype(np.float32)
    y = np.repeat(np.arange(4), 8)
    # half written under the final name first: must not be read before its labels
    with open(os.path.join(d, "batch-%d.npy" % s), "wb") as f:
        f.write(b"\x93NUMPY\x01\x00")
        f.flush(); time.sleep(0.05)
        f.seek(0); np.save(f, z)
    np.save(os.path.join(d, ".batch-%d.labels.npy" % s), y)
    os.replace(os.path.join(d, ".batch-%d.labels.npy" % s), os.path.join(d, "batch-%d.labels.npy" % s))
    time.sleep(0.1)
PYEOF
i=0
while kill -0 $pid 2>/dev/null && [ $i -lt 50 ]; do sleep 0.2; i=$((i + 1)); done
kill $pid 2>/dev/null; wait $pid
steps=$(grep '"type":"step"' "$T/live.out" | sed -n 's/.*"step":\([0-9]*\).*/\1/p' | tr '\n' ' ')
[ "$steps" = "0 10 20 30 40 50 60 70 80 90 " ] && ok "following: dumps written while it watches, in order" \
    || fail "following: steps read: $steps; $(grep -v '"step"' "$T/live.out" | head -3)"
grep -q '"type":"notice"' "$T/live.out" && fail "following: a notice: $(grep notice "$T/live.out" | head -1)" \
    || ok "following: no half-written file read"

# --- A TensorBoard log directory, as SummaryWriter.add_embedding writes it ---------------
"$PY" - "$T/tb" <<'PYEOF'
import os, sys
import numpy as np
d = sys.argv[1]
rng = np.random.default_rng(3)
cent = rng.normal(size=(3, 5)) * 4
names = ["cat", "dog", "emu"]
blocks = []
for step in (200, 100):        # written out of order: read in step order
    sub = os.path.join(d, "%05d" % step, "emb")
    os.makedirs(sub)
    y = np.repeat(np.arange(3), 20)
    z = cent[y] * (step / 100) + rng.normal(size=(60, 5))
    with open(os.path.join(sub, "tensors.tsv"), "w") as f:
        for row in z: f.write("\t".join("%.6f" % v for v in row) + "\n")
    with open(os.path.join(sub, "metadata.tsv"), "w") as f:
        f.write("label\tsplit\n")
        for c in y: f.write("%s\tval\n" % names[c])
    blocks.append('embeddings {\n  tensor_name: "emb:%05d"\n  tensor_path: "%05d/emb/tensors.tsv"\n'
                  '  metadata_path: "%05d/emb/metadata.tsv"\n}\n' % (step, step, step))
open(os.path.join(d, "projector_config.pbtxt"), "w").write("".join(blocks))
PYEOF
out=$("$BIN" --headless --watch "$T/tb" --label-col label 2>"$T/err")
evs=$(printf '%s\n' "$out" | grep '"type":"eval"' | sed -n 's/.*"step":\([0-9]*\).*"queries":\([0-9]*\).*/\1:\2/p' | tr '\n' ' ')
[ "$evs" = "100:60 200:60 " ] && ok "TensorBoard directory: two eval dumps in step order, 60 queries each" \
    || fail "TensorBoard: evals $evs; $(cat "$T/err")"
printf '%s\n' "$out" | head -1 | grep -q '"format":"tensorboard"' && ok "TensorBoard: the config line says so" \
    || fail "TensorBoard: config $(printf '%s\n' "$out" | head -1 | cut -c1-200)"
refuse "an unknown metadata column" "split" --watch "$T/tb" --label-col species

[ $fails -eq 0 ] && echo "watch: all passed" || exit 1
