#!/bin/sh
# --dump DIR: the run directory of docs/dump-format.md, read with the shell
# and od only (numpy.load is the Python side's test): the files of every
# dumped step and evaluation and nothing else, their NPY headers and sizes,
# labels written after their embeddings, scalars.jsonl against the step
# lines, run.json, --models, the default interval, a reset, and writes that
# fail mid-run (a file size limit). The refusals at start-up (a bad flag, a
# directory that cannot be made or already holds a run) are in bad_input.sh.
B=${1:-build}
BIN="$B/tripletscope"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL dump: $*"; fails=$((fails + 1)); }

# A small generated set: 400 samples, 80 held out; batches of 32, E = 8.
SMALL="--data blobs --samples 400 --batch 32 --embed-dim 8 --hidden 16"

# npy FILE DESCR SHAPE BYTES: an NPY 1.0 file, its header 128 bytes (the
# dict padded with spaces, '\n' last), then BYTES of data.
npy() {
    [ -f "$1" ] || { fail "$1 is missing"; return; }
    magic=$(od -An -tx1 -N10 "$1" | tr -d ' \n')
    [ "$magic" = 934e554d505901007600 ] || fail "$1: magic and header length $magic"
    dict=$(head -c 127 "$1" | tail -c 117 | sed 's/ *$//')
    hdr="{'descr': '$2', 'fortran_order': False, 'shape': $3, }"
    [ "$dict" = "$hdr" ] || fail "$1: header $dict, want $hdr"
    [ "$(head -c 128 "$1" | tail -c 1 | od -An -c | tr -d ' ')" = '\n' ] || fail "$1: header does not end in a newline"
    [ "$(wc -c <"$1")" -eq $((128 + $4)) ] || fail "$1: $(wc -c <"$1") bytes, want $((128 + $4))"
}

# --- A run, every 5 steps, evaluated at 10 and 20 -------------------------------
# Under strace when there is one, to see the renames' order (without
# LeakSanitizer there, under make asan: it cannot run traced; the other runs
# here check for leaks).
TRACE=""
if command -v strace >/dev/null 2>&1 && strace -f -o /dev/null true 2>/dev/null; then
    TRACE="env ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
    TRACE="$TRACE strace -f -qq -e trace=rename,renameat,renameat2 -o $T/trace"
fi
$TRACE "$BIN" --headless $SMALL --steps 20 --eval-every 10 --dump "$T/run" --dump-every 5 \
    >"$T/out" 2>"$T/err"
st=$?
[ "$st" -eq 0 ] && [ ! -s "$T/err" ] || fail "the run: status $st, stderr $(head -c 200 "$T/err")"
grep -q '"dump":{"dir":"'"$T/run"'","every":5},' "$T/out" || fail "the config line has no dump object"
n_eval=$(sed -n 's/.*"eval_queries":\([0-9]*\).*/\1/p' "$T/out" | head -n 1)
[ "$n_eval" = 80 ] || fail "eval_queries $n_eval, want 80"

want="batch-10.ids.npy batch-10.labels.npy batch-10.npy batch-15.ids.npy batch-15.labels.npy"
want="$want batch-15.npy batch-20.ids.npy batch-20.labels.npy batch-20.npy batch-5.ids.npy"
want="$want batch-5.labels.npy batch-5.npy eval-10.labels.npy eval-10.npy"
want="$want eval-20.labels.npy eval-20.npy run.json scalars.jsonl"
[ "$(ls -A "$T/run" | tr '\n' ' ')" = "siamese triplet " ] || fail "DIR holds $(ls -A "$T/run")"
for m in siamese triplet; do
    D="$T/run/$m"
    got=$(LC_ALL=C ls -A "$D" | LC_ALL=C sort | tr '\n' ' ')
    [ "$got" = "$(echo $want | tr ' ' '\n' | LC_ALL=C sort | tr '\n' ' ')" ] || fail "$m holds $got"
    for s in 5 10 15 20; do
        npy "$D/batch-$s.npy" '<f4' '(32, 8)' $((32 * 8 * 4))
        npy "$D/batch-$s.labels.npy" '<i4' '(32,)' $((32 * 4))
        npy "$D/batch-$s.ids.npy" '<i4' '(32,)' $((32 * 4))
    done
    for s in 10 20; do
        npy "$D/eval-$s.npy" '<f4' "($n_eval, 8)" $((n_eval * 8 * 4))
        npy "$D/eval-$s.labels.npy" '<i4' "($n_eval,)" $((n_eval * 4))
    done
    # One scalars line per dumped step; its loss is the step line's, digit for digit.
    [ "$(sed 's/,"loss".*//' "$D/scalars.jsonl" | tr '\n' ' ')" = '{"step":5 {"step":10 {"step":15 {"step":20 ' ] ||
        fail "$m/scalars.jsonl: $(tr '\n' ' ' <"$D/scalars.jsonl")"
    for s in 10 20; do
        a=$(sed -n 's/^{"type":"step","step":'$s',"model":"'$m'","loss":\([^,]*\),.*/\1/p' "$T/out")
        grep -qx '{"step":'$s',"loss":'"$a"',"lr":0.001}' "$D/scalars.jsonl" ||
            fail "$m/scalars.jsonl at $s: not the step line's loss $a"
    done
    loss=contrastive; [ $m = triplet ] && loss=triplet
    grep -q '^{"name":"'$m'","loss":"'$loss'","miner":"hardest-neg","margin":1,"pair_margin":1,"distance":"euclidean","normalize":false,"batch_sampler":"uniform","seed":0,' "$D/run.json" ||
        fail "$m/run.json: $(cat "$D/run.json")"
    # Labels after their embeddings: each labels file's rename follows its array's.
    for f in batch-5 batch-20 eval-10 eval-20; do
        [ -z "$TRACE" ] && break
        a=$(grep -n "\"$D/$f.npy\"" "$T/trace" | head -n 1 | cut -d: -f1)
        l=$(grep -n "\"$D/$f.labels.npy\"" "$T/trace" | head -n 1 | cut -d: -f1)
        [ -n "$a" ] && [ -n "$l" ] && [ "$a" -lt "$l" ] || fail "$m/$f: labels renamed at line $l, the array at $a"
    done
    [ "$(stat -c %.9Y "$D/batch-5.labels.npy")" \< "$(stat -c %.9Y "$D/batch-5.npy")" ] &&
        fail "$m/batch-5.labels.npy is older than its embeddings"
done
[ -n "$TRACE" ] || echo "dump: no strace: the order of the renames is not checked"

# --- --models siamese, the default interval (--log-every), a reset -----------------------
"$BIN" --headless $SMALL --steps 8 --log-every 4 --eval-every 0 --models siamese \
    --dump "$T/one" >/dev/null 2>"$T/err" || fail "--models siamese: status $?"
[ "$(ls "$T/one")" = siamese ] || fail "--models siamese wrote $(ls "$T/one")"
[ "$(ls "$T/one/siamese" | grep -c '^batch-[48]\.npy$')" -eq 2 ] && [ ! -e "$T/one/siamese/batch-2.npy" ] &&
    [ -e "$T/one/siamese/eval-8.npy" ] || fail "--dump-every by default: $(ls "$T/one/siamese" | tr '\n' ' ')"

"$BIN" --headless $SMALL --steps 30 --eval-every 0 --dump "$T/reset" --dump-every 5 --script 12:r \
    >"$T/out" 2>"$T/err"
st=$?
if [ "$st" -ne 0 ] || [ "$(wc -l <"$T/err")" -ne 1 ] ||
    ! grep -q '^tripletscope: warning: --script at step 12: --dump: dumping stopped at the reset' "$T/err" ||
    [ ! -e "$T/reset/triplet/batch-10.npy" ] || [ -n "$(ls "$T/reset/triplet" | grep -e '-15\.' -e '^eval-')" ]; then
    fail "a reset: status $st, $(cat "$T/err"); $(ls "$T/reset/triplet" | tr '\n' ' ')"
fi

# --- Writes that fail mid-run: a file size limit (EFBIG, root too) --------------------
# 16 blocks (8 or 16 KiB, by the shell) hold a batch (2 KiB here), not an
# evaluation (400 held out: 25 KiB). stdout goes through a pipe, unlimited.
# limited NAME ARGS...: runs under the limit; status in $T/st, stderr in $T/err.
limited() {
    name=$1; shift
    ( ulimit -f 16 && "$BIN" --headless --data blobs --batch 32 --embed-dim 16 --hidden 32 "$@" \
        --dump "$T/$name" --dump-every 5 2>"$T/err"; echo $? >"$T/st" ) | cat >"$T/out"
}
# At the first evaluation (step 10): the run ends there, status 2, one line.
limited full --steps 100 --eval-every 10
if [ "$(cat "$T/st")" -ne 2 ] || [ "$(wc -l <"$T/err")" -ne 1 ] ||
    ! grep -q "^tripletscope: --dump $T/full/siamese/eval-10.npy: write failed: File too large$" "$T/err" ||
    ! tail -n 1 "$T/out" | grep -q '"type":"summary","steps":10,'; then
    fail "a write failing mid-run: status $(cat "$T/st"), $(cat "$T/err"), stdout ends $(tail -n 1 "$T/out" | cut -c1-60)"
fi
[ -e "$T/full/triplet/batch-10.labels.npy" ] || fail "the batches before the failure are gone"
[ -z "$(ls -A "$T/full/siamese" "$T/full/triplet" | grep '^\.')" ] || fail "temporary files left: $(ls -A "$T/full"/*)"
# At the last evaluation, after the steps: status 2 all the same.
limited last --steps 20 --eval-every 0
if [ "$(cat "$T/st")" -ne 2 ] || [ "$(wc -l <"$T/err")" -ne 1 ] ||
    ! grep -q "^tripletscope: --dump $T/last/siamese/eval-20.npy: write failed" "$T/err"; then
    fail "the last evaluation's dump failing: status $(cat "$T/st"), $(cat "$T/err")"
fi

[ "$fails" -eq 0 ] || { echo "dump: $fails failed"; exit 1; }
echo "dump: all passed"
