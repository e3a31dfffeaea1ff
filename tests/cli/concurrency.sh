#!/bin/sh
# Both models stepping at once (--threads 2: the triplet model on a thread of
# its own) give the same JSON lines to the bit as taking turns (--threads 1),
# for every miner, on digits and on a generated set, through evaluations,
# keys and a reset; the config line's "threads" and the summary's timing aside.
B=${1:-build}
BIN="$B/tripletscope"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
run() {   # run THREADS ARGS... -> the lines, threads and timing masked
    t=$1; shift
    "$BIN" --headless --threads "$t" "$@" |
        sed -E 's/"threads":[0-9]+/"threads":T/; s/"seconds":[^,]*,"steps_per_s":[^}]*/T/'
}
n=0
for data in "digits" "blobs --classes 6 --samples 600"; do
    for miner in random all hard semihard hardest-neg; do
        args="--data $data --miner $miner --sampler pk --batch 48 --k 8 --steps 120 --eval-every 50 --eval-size 200 --log-every 5 --script 30:+n,60:o,80:r"
        run 1 $args >"$T/one" || { echo "FAIL concurrency: --threads 1 $args"; fails=$((fails + 1)); continue; }
        run 2 $args >"$T/two" || { echo "FAIL concurrency: --threads 2 $args"; fails=$((fails + 1)); continue; }
        lines=$(grep -c '"type":"step"' "$T/one")
        if [ "$lines" -lt 40 ] || ! grep -q '"type":"eval"' "$T/one"; then
            echo "FAIL concurrency: $args: too little output to compare ($lines step lines)"; fails=$((fails + 1))
        elif ! cmp -s "$T/one" "$T/two"; then
            echo "FAIL concurrency: $args: --threads 2 differs from --threads 1:"
            diff "$T/one" "$T/two" | head -4
            fails=$((fails + 1))
        fi
        n=$((n + 1))
    done
done
# The default runs both models at once on a machine of two cores.
if [ "$(getconf _NPROCESSORS_ONLN)" -ge 2 ]; then
    "$BIN" --headless --data digits --steps 1 --eval-every 0 | head -1 | grep -q '"threads":2,' ||
        { echo "FAIL concurrency: the default is not 2 threads for both models on 2+ cores"; fails=$((fails + 1)); }
fi
"$BIN" --headless --data digits --models triplet --steps 1 --eval-every 0 | head -1 | grep -q '"threads":1,' ||
    { echo "FAIL concurrency: one model does not default to 1 thread"; fails=$((fails + 1)); }
[ $fails -eq 0 ] || exit 1
echo "concurrency: all passed ($n configurations, identical to the bit)"
