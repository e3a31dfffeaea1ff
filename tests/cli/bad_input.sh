#!/bin/sh
# Every bad input: one line on stderr naming the file or flag and what is
# wrong, exit status 2, nothing on stdout. (Under `make asan` the same runs
# also fail on any leak or memory error.)
B=${1:-build}
BIN="$B/tripletscope"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0

# shellcheck source=tests/cli/expect.inc
. "$(dirname "$0")/expect.inc"

# expect_run NAME STATUS PATTERN LAST ARGS...: a run that starts, so stdout
# holds its JSON lines, the last matching LAST; status STATUS and exactly one
# stderr line matching PATTERN.
expect_run() {
    name=$1; want=$2; pat=$3; last=$4; shift 4
    "$BIN" --headless --steps 1 "$@" >"$T/out" 2>"$T/err"
    st=$?
    lines=$(wc -l <"$T/err")
    if [ "$st" -ne "$want" ] || [ "$lines" -ne 1 ] || ! grep -q -- "$pat" "$T/err" ||
        ! tail -n 1 "$T/out" | grep -q -- "$last"; then
        echo "FAIL $name: status $st, $lines stderr lines, stdout ends: $(tail -n 1 "$T/out" | cut -c1-80)"
        sed 's/^/    /' "$T/err" | head -5
        fails=$((fails + 1))
    else
        echo "ok   $name: $(cat "$T/err")"
    fi
}

# expect_full NAME PATTERN ARGS...: stdout on the full device (so there is no
# stdout to check); status 2 and one stderr line matching PATTERN, within the
# timeout although the run asks for 100000 steps (a failed write ends it).
expect_full() {
    name=$1; pat=$2; shift 2
    timeout 30 "$BIN" --headless --steps 100000 "$@" >/dev/full 2>"$T/err"
    st=$?
    lines=$(wc -l <"$T/err")
    if [ "$st" -ne 2 ] || [ "$lines" -ne 1 ] || ! grep -q -- "$pat" "$T/err"; then
        echo "FAIL $name: status $st, $lines stderr lines:"
        sed 's/^/    /' "$T/err" | head -5
        fails=$((fails + 1))
    else
        echo "ok   $name: $(cat "$T/err")"
    fi
}


# --- files -------------------------------------------------------------------
expect "missing file" "$T/nope.csv" --data "$T/nope.csv"
mkdir "$T/dir.csv"
expect "a directory" "$T/dir.csv" --data "$T/dir.csv"
: >"$T/empty.csv"
expect "empty file" "empty.csv" --data "$T/empty.csv"

# IDX: 10 images of 2 x 2 promised, 8 bytes given.
{ be32 2051; be32 10; be32 2; be32 2; printf '\001\002\003\004\005\006\007\010'; } >"$T/trunc.idx"
{ be32 2049; be32 10; printf '\000\001\000\001\000\001\000\001\000\001'; } >"$T/labels.idx"
expect "truncated IDX" "trunc.idx" --data "$T/trunc.idx" --labels "$T/labels.idx"
gzip -c "$T/trunc.idx" >"$T/trunc.idx.gz"
expect "truncated IDX (.gz)" "trunc.idx.gz" --data "$T/trunc.idx.gz" --labels "$T/labels.idx"
{ be32 305419896; be32 10; be32 2; be32 2; } >"$T/magic.idx"
expect "wrong IDX magic" "magic.idx" --data "$T/magic.idx" --labels "$T/labels.idx"
{ be32 2051; be32 2147483647; be32 65535; be32 65535; } >"$T/huge.idx"
expect "sizes overflow" "huge.idx" --data "$T/huge.idx" --labels "$T/labels.idx"
{ be32 2051; be32 1000000; be32 4096; be32 4096; } >"$T/big.idx"
expect "sizes exceed memory" "big.idx" --data "$T/big.idx" --labels "$T/labels.idx"

# NPY: float32 (10, 2) promised, 8 bytes of data given.
npy_header() {   # $1 = header dict (< 117 chars), padded so that data starts at 128
    printf '\223NUMPY\001\000\166\000'
    printf '%-117s\n' "$1"
}
{ npy_header "{'descr': '<f4', 'fortran_order': False, 'shape': (10, 2), }"; printf '\000\000\200\077\000\000\000\100'; } >"$T/trunc.npy"
expect "truncated NPY" "trunc.npy" --data "$T/trunc.npy" --labels "$T/labels.idx"

# --- CSV contents -------------------------------------------------------------
printf '1,2,0\n3,4,1\n5,6\n' >"$T/ragged.csv"
expect "ragged CSV" "ragged.csv" --data "$T/ragged.csv"
printf '1,2,0\n3,x,1\n5,6,1\n' >"$T/text.csv"
expect "non-numeric cell" "text.csv" --data "$T/text.csv"
printf '1,2,0\n3,nan,1\n5,6,1\n' >"$T/nan.csv"
expect "NaN value" "nan.csv" --data "$T/nan.csv"
printf '1,2,0\n3,inf,1\n5,6,1\n' >"$T/inf.csv"
expect "Inf value" "inf.csv" --data "$T/inf.csv"
{ be32 2049; be32 9; printf '\000\001\000\001\000\001\000\001\000'; } >"$T/labels9.idx"
{ be32 2051; be32 10; be32 1; be32 2; printf '\001\002\003\004\005\006\007\010\011\012\013\014\015\016\017\020\021\022\023\024'; } >"$T/ten.idx"
expect "label count" "label" --data "$T/ten.idx" --labels "$T/labels9.idx"
printf '1,2,0\n3,4,0\n5,6,0\n7,8,0\n' >"$T/oneclass.csv"
expect "fewer than two classes" "oneclass.csv" --data "$T/oneclass.csv"
printf '1,2,0\n3,4,1\n5,6,2\n7,8,3\n' >"$T/lone.csv"
expect "no class with two samples" "triplet" --data "$T/lone.csv"

# --- flags --------------------------------------------------------------------
expect "unknown flag" "--frobnicate" --frobnicate
expect "flag without value" "--margin" --margin
expect "margin < 0" "--margin" --data digits --margin -1
expect "lr <= 0" "--lr" --data digits --lr 0
expect "lr not finite" "--lr" --data digits --lr nan
expect "batch < 2" "--batch" --data digits --batch 1
expect "K < 2 with pk" "--k" --data digits --sampler pk --k 1
expect "B not a multiple of K" "--batch" --data digits --sampler pk --batch 30 --k 4
expect "more P than classes" "--k" --data iris --sampler pk --batch 32 --k 8
expect "steps < 0" "--steps" --data digits --steps -1
expect "hidden size 0" "--hidden" --data digits --hidden 256,0
expect "not a number" "--margin" --data digits --margin abc
expect "unknown miner" "--miner" --data digits --miner hardest
expect "unknown preset" "--preset" --preset nope
expect "unknown data set" "nodata" --data nodata
expect "bad script" "--script" --data digits --script 10p
expect "hidden trailing comma" "--hidden" --data digits --hidden 256,
expect "lr below a float" "--lr" --data digits --lr 1e-50
expect "margin above a float" "--margin" --data digits --margin 1e50

expect "batch of 2" "--batch" --data digits --batch 2
expect "pk batch of one class" "--k.*--batch" --data digits --sampler pk --k 8192 --batch 8192
expect "pk batch of one class (small)" "--k.*--batch" --data digits --sampler pk --k 16 --batch 16
expect "empty --hidden" "--hidden.*none" --data digits --hidden ""
expect "empty --export-dir" "--export-dir" --data digits --export-dir ""
long=$(printf '%0300d' 0)
expect "--export-dir over 255 characters" "--export-dir: at most 255" --data digits --export-dir "/tmp/$long"
expect "script step overflows" "--script.*99999999999999999999:p" --data digits --script 99999999999999999999:p
expect "script trailing comma" "--script: empty entry" --data digits --script 5:p,
expect "script unknown key" "--script: unknown key 'Y' in \"5:Y\"" --data digits --script 5:Y
expect "script unknown key among others" "--script: unknown key 'x'" --data digits --script "5:m,6:mx"
expect "--dump-every 0" "^tripletscope: --dump-every: must be between 1 and 1000000000 (got 0)$" --data digits --dump "$T/dump0" --dump-every 0
expect "--dump-every without --dump" "^tripletscope: --dump-every: needs --dump DIR" --data digits --dump-every 5
expect "empty --dump" "--dump: empty value" --data digits --dump ""
expect "--dump over 255 characters" "--dump: at most 255" --data digits --dump "/tmp/$long"
# --dump DIR that cannot be made or written (as root too), or that holds a run.
expect "--dump without its parent" "^tripletscope: --dump $T/nodir/run: cannot create the directory: No such file or directory$" \
    --data digits --dump "$T/nodir/run"
expect "--dump not writable" "^tripletscope: --dump /proc/siamese: cannot create the directory" --data digits --dump /proc
if [ "$(id -u)" -ne 0 ]; then   # root writes anywhere: /proc above stands for it
    mkdir "$T/ro" && chmod 555 "$T/ro"
    expect "--dump read-only" "^tripletscope: --dump $T/ro/siamese: cannot create the directory: Permission denied$" \
        --data digits --dump "$T/ro"
fi
expect "--dump on a device" "^tripletscope: --dump /dev/full: exists and is not a directory$" --data digits --dump /dev/full
mkdir -p "$T/held/triplet" && : >"$T/held/triplet/batch-3.npy"
expect "--dump holding a run" "^tripletscope: --dump $T/held/triplet: already holds a run (batch-3.npy)" \
    --data digits --dump "$T/held"
[ "$(ls "$T/held")" = triplet ] || { echo "FAIL --dump holding a run: left $(ls "$T/held")"; fails=$((fails + 1)); }

# --- writes that fail ---------------------------------------------------------
expect_full "stdout on a full device" "^tripletscope: stdout: write failed: No space left on device$" --data digits
# The log on the full device, stdout fine: the run stops at the first line
# the log loses, so the config line is all stdout gets.
timeout 30 "$BIN" --headless --data digits --steps 100000 --log /dev/full >"$T/out" 2>"$T/err"
st=$?
if [ "$st" -ne 2 ] || [ "$(wc -l <"$T/err")" -ne 1 ] || [ "$(wc -l <"$T/out")" -ne 1 ] ||
    ! grep -q '^tripletscope: --log /dev/full: write failed: No space left on device$' "$T/err" ||
    ! grep -q '"type":"config"' "$T/out"; then
    echo "FAIL --log on a full device: status $st, stdout $(wc -l <"$T/out") lines:"
    sed 's/^/    /' "$T/err" | head -5
    fails=$((fails + 1))
else
    echo "ok   --log on a full device: $(cat "$T/err") (stdout: the config line only)"
fi
expect_full "--help on a full device" "stdout: write failed" --help
expect_run "--dump-projection on a full device" 2 "^tripletscope: --dump-projection /dev/full: write failed: No space left on device$" \
    '"type":"summary"' --data digits --steps 5 --dump-projection /dev/full
expect_run "--dump-projection unwritable" 2 "--dump-projection $T/nodir/p.csv: cannot open" \
    '"type":"summary"' --data digits --steps 5 --dump-projection "$T/nodir/p.csv"
# A failed export ends the run at its step, the summary after it.
expect_run "export fails" 2 "^tripletscope: export failed: /proc/" \
    '"type":"summary","steps":5,' --data digits --steps 20 --script 5:e --export-dir /proc
# A refused key is a warning: the run goes on to its end, status 0.
expect_run "script key refused" 0 "^tripletscope: warning: --script at step 5: p refused: --k" \
    '"type":"summary","steps":20,' --data digits --steps 20 --batch 16 --k 16 --script 5:p

# --- flags that the data set chosen does not read --------------------------------
expect "labels for a CSV" "--labels" --data "$T/inf.csv" --labels "$T/labels9.idx"
expect "classes for digits" "--classes" --data digits --classes 3
expect "noise for noise" "--noise" --data noise --noise 2
expect "test-frac for fashion" "--test-frac" --data fashion --test-frac 0.3
expect "data-dir means fashion" "fashion" --data-dir "$T"

# --- a held-out split with nothing to evaluate -----------------------------------
printf '1,2,0\n3,4,1\n5,6,0\n7,8,1\n' >"$T/four.csv"
expect "empty held-out split" "held-out" --data "$T/four.csv" --batch 4 --k 2

if [ "$fails" -ne 0 ]; then echo "bad_input: $fails failed"; exit 1; fi
echo "bad_input: all passed"
