#!/bin/sh
# bench/watch.sh BUILD: what --watch costs (make bench runs it; alone:
# sh bench/watch.sh build). Batches on one core (the default); the evaluation
# with --threads set to every core, and with one.
#   a batch dump measured: B x D = 512 x 512 and 128 x 32 (all counts, the
#     semi-hard miner, norms, pairs; reading the file included)
#   an eval dump of 10 000 x 512 evaluated (P@1, R-precision, MAP@R, PCA)
#   catching up on 5 000 dumps of 512 x 512: time and peak RSS (the files
#     are hard links of one, so the disk holds 1 MB, not 5 GB)
set -u
B=${1:-build}
BIN="$B/tripletscope"
PY=/usr/bin/python3
N=${WATCH_DUMPS:-5000}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
$PY -c 'import numpy' 2>/dev/null || { echo "bench/watch.sh: needs python3-numpy"; exit 1; }

# mkrun DIR B D DUMPS [EVAL_ROWS]: DUMPS batches (hard links of one) and an eval.
mkrun() {
    $PY - "$@" <<'PYEOF'
import json, os, sys
import numpy as np
d, B, D, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
ev = int(sys.argv[5]) if len(sys.argv) > 5 else 0
os.makedirs(d)
rng = np.random.default_rng(0)
C = max(2, B // 16)
cent = rng.normal(size=(C, D))
y = np.repeat(np.arange(C), B // C)[:B]
z = (cent[y] + rng.normal(size=(len(y), D))).astype(np.float32)
json.dump({"name": "bench", "loss": "triplet", "miner": "semihard", "margin": 0.2,
           "normalize": True}, open(os.path.join(d, "run.json"), "w"))
np.save(os.path.join(d, "batch-0.npy"), z)
np.save(os.path.join(d, "batch-0.labels.npy"), y)
for s in range(1, n):
    os.link(os.path.join(d, "batch-0.npy"), os.path.join(d, "batch-%d.npy" % s))
    os.link(os.path.join(d, "batch-0.labels.npy"), os.path.join(d, "batch-%d.labels.npy" % s))
if ev:
    ye = np.repeat(np.arange(10), ev // 10)
    ce = rng.normal(size=(10, D))
    np.save(os.path.join(d, "eval-0.npy"), (ce[ye] + 2 * rng.normal(size=(len(ye), D))).astype(np.float32))
    np.save(os.path.join(d, "eval-0.labels.npy"), ye)
PYEOF
}

secs() { sed -n 's/.*"type":"summary".*"seconds":\([0-9.e+-]*\).*/\1/p'; }

per_dump() {   # per_dump B D DUMPS -> ms a dump
    mkrun "$T/b$1x$2" "$1" "$2" "$3"
    s=$("$BIN" --headless --threads 1 --watch "$T/b$1x$2" 2>/dev/null | secs)
    awk -v s="$s" -v n="$3" 'BEGIN { printf "%.2f", 1000 * s / n }'
}

echo "## Watching a run (--watch), $(date -u '+%Y-%m-%d %H:%M') UTC, $(nproc) cores"
echo
echo "| what | measured | goal |"
echo "|---|---|---|"
echo "| a batch dump of 512 x 512 measured (read, all counts, semihard, norms) | $(per_dump 512 512 200) ms | 20 ms |"
echo "| a batch dump of 128 x 32 measured | $(per_dump 128 32 2000) ms | 1 ms |"
mkrun "$T/eval" 128 512 1 10000
s=$("$BIN" --headless --threads "$(nproc)" --watch "$T/eval" 2>/dev/null | secs)
s1=$("$BIN" --headless --threads 1 --watch "$T/eval" 2>/dev/null | secs)
echo "| an eval dump of 10 000 x 512 evaluated (P@1, R-precision, MAP@R, PCA), with one batch, $(nproc) threads / 1 | $(awk -v s="$s" -v t="$s1" 'BEGIN { printf "%.2f s / %.2f s", s, t }') | 2 s |"
mkrun "$T/many" 512 512 "$N"
/usr/bin/time -f "%e %M" -o "$T/time" "$BIN" --headless --threads 1 --watch "$T/many" >/dev/null 2>&1
read -r el rss <"$T/time"
echo "| catching up on $N dumps of 512 x 512: time, peak RSS | $el s, $(awk -v k="$rss" 'BEGIN { printf "%.0f", k / 1024 }') MB | RSS 200 MB |"
