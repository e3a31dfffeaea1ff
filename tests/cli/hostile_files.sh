#!/bin/sh
# Hostile files (issue 9): a FIFO where a data file should be, a gzip bomb,
# an IDX header that claims billions of labels, and the small ones (a label
# past 2^53, a byte order mark, a cell of megabytes, 1e999). Each bad input:
# exit status 2, one stderr line naming the file or flag, within seconds
# (`timeout` turns a hang into a failure), nothing on stdout.
B=${1:-build}
BIN="$B/tripletscope"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
# shellcheck source=tests/cli/expect.inc
. "$(dirname "$0")/expect.inc"

# expect_ok NAME ARGS...: a file that must load and train (status 0).
expect_ok() {
    name=$1; shift
    timeout "$LIMIT" "$BIN" --headless --steps 1 --batch 8 "$@" >"$T/out" 2>"$T/err" </dev/null
    st=$?
    if [ "$st" -ne 0 ]; then
        echo "FAIL $name: status $st:"
        sed 's/^/    /' "$T/err" | head -5
        fails=$((fails + 1))
    else
        echo "ok   $name: loads"
    fi
}


# Eight IDX rows of one byte each, and their labels (two classes).
{ be32 2050; be32 8; be32 1; printf '\001\002\003\004\005\006\007\010'; } >"$T/rows.idx"
{ be32 2049; be32 8; printf '\000\001\000\001\000\001\000\001'; } >"$T/labels.idx"

# --- FIFOs: open() would wait for a writer forever -----------------------------
mkfifo "$T/fifo.csv" "$T/fifo" "$T/labels-fifo"
expect "FIFO named .csv" "fifo.csv: not a regular file (a FIFO)" --data "$T/fifo.csv"
expect "FIFO without extension" "fifo: not a regular file (a FIFO)" --data "$T/fifo" --labels "$T/labels.idx"
expect "FIFO as --labels" "labels-fifo: not a regular file (a FIFO)" --data "$T/rows.idx" --labels "$T/labels-fifo"
expect "character device" "not a regular file (a character device)" --data /dev/null --labels "$T/labels.idx"
# A FIFO to write to, that no process reads: open() would wait for a reader.
mkfifo "$T/out-fifo"
expect "--log FIFO without a reader" "--log .*out-fifo: cannot open for writing: a FIFO that no process reads" \
    --data digits --log "$T/out-fifo"
timeout "$LIMIT" "$BIN" --headless --steps 1 --data digits --dump-projection "$T/out-fifo" \
    >/dev/null 2>"$T/err" </dev/null
st=$?
if [ "$st" -eq 2 ] && [ "$(wc -l <"$T/err")" -eq 1 ] && grep -q "no process reads" "$T/err"; then
    echo "ok   --dump-projection FIFO without a reader: $(cat "$T/err")"
else
    echo "FAIL --dump-projection FIFO without a reader: status $st: $(head -2 "$T/err")"
    fails=$((fails + 1))
fi

# Fashion-MNIST's files as FIFOs: --data-dir must not block either.
mkdir "$T/fashion"
for f in train-images-idx3-ubyte.gz train-labels-idx1-ubyte.gz t10k-images-idx3-ubyte.gz t10k-labels-idx1-ubyte.gz; do
    mkfifo "$T/fashion/$f"
done
expect "FIFOs in --data-dir" "a FIFO" --data-dir "$T/fashion"

# --- a gzip bomb: 1 GiB of "0,1" lines in about 1 MB ---------------------------
# Concatenated gzip members are one valid stream: one member of 1 MiB of
# text, written 1024 times.
yes 0,1 | head -c 1048576 | gzip -9 >"$T/member.gz"
i=0
while [ $i -lt 1024 ]; do cat "$T/member.gz"; i=$((i + 1)); done >"$T/bomb.csv.gz"
expect "gzip bomb" "bomb.csv.gz: loading it needs at least .* of memory, more than the 64M budget (raise it with --max-memory SIZE)" \
    --data "$T/bomb.csv.gz" --max-memory 64M
# Its peak memory, where GNU time can tell it: the budget bounds what is
# held (before: 7.3 GB and 48 s before it was refused).
if [ -x /usr/bin/time ]; then
    /usr/bin/time -f '%M %e' -o "$T/time" timeout "$LIMIT" "$BIN" --headless --steps 1 \
        --data "$T/bomb.csv.gz" --max-memory 64M >/dev/null 2>&1 </dev/null
    # GNU time puts "Command exited with non-zero status 2" first.
    kb=$(tail -n 1 "$T/time" | cut -d' ' -f1); secs=$(tail -n 1 "$T/time" | cut -d' ' -f2)
    if [ "$kb" -gt 300000 ]; then
        echo "FAIL gzip bomb memory: peak RSS $kb KB (budget 64M)"
        fails=$((fails + 1))
    else
        echo "ok   gzip bomb memory: peak RSS $kb KB, $secs s"
    fi
fi
# A normal .csv.gz still loads under the same budget.
i=0
while [ $i -lt 40 ]; do echo "$i.5,$((i * 3)),$((i % 2))"; i=$((i + 1)); done | gzip >"$T/normal.csv.gz"
expect_ok "normal .csv.gz under 64M" --data "$T/normal.csv.gz" --max-memory 64M

# --- headers that claim more than the file holds -------------------------------
# 28 bytes of .gz whose header says 2^31 - 1 labels: refused on the count.
{ be32 2049; be32 2147483647; } | gzip -9 >"$T/labels-header.gz"
expect "IDX label header" "labels-header.gz: 2147483647 labels for the 8 samples of .*rows.idx (label count mismatch)" \
    --data "$T/rows.idx" --labels "$T/labels-header.gz"
# A compressed IDX cannot be checked against its length: its header is
# checked against the budget.
{ be32 2050; be32 100000; be32 1000; } | gzip >"$T/rows-header.gz"
expect "IDX header over budget" "rows-header.gz: .*more than the 16M budget" \
    --data "$T/rows-header.gz" --labels "$T/labels.idx" --max-memory 16M
# A .npy with the data it claims, but over the budget.
{ printf '\223NUMPY\001\000\166\000'; printf '%-117s\n' "{'descr': '|u1', 'fortran_order': False, 'shape': (2097152, 1), }"; head -c 2097152 /dev/zero; } >"$T/wide.npy"
expect ".npy over budget" "wide.npy: loading it needs .*more than the 1M budget" \
    --data "$T/wide.npy" --labels "$T/labels.idx" --max-memory 1M
expect "generated set over budget" "--samples 1000000 x --dim 100: loading it needs .*more than the 64M budget" \
    --data blobs --samples 1000000 --dim 100 --max-memory 64M

# --- the small ones ---------------------------------------------------------------
printf '1,2,0\n3,4,4611686018427387904\n5,6,0\n' >"$T/big-label.csv"
expect "label 2^62" "big-label.csv: line 2, column 3: label 4611686018427387904 is out of range (at most 2^53" \
    --data "$T/big-label.csv"
{ printf '\357\273\277'; i=0; while [ $i -lt 20 ]; do echo "$i,$((i * 2)),$((i % 2))"; i=$((i + 1)); done; } >"$T/bom.csv"
expect_ok "BOM without header" --data "$T/bom.csv"
{ printf '\357\273\277a,b,y\n'; i=0; while [ $i -lt 20 ]; do echo "$i,$((i * 2)),$((i % 2))"; i=$((i + 1)); done; } >"$T/bom-header.csv"
expect_ok "BOM with header" --data "$T/bom-header.csv"
{ printf '1,2,0\n3,'; head -c 5242880 /dev/zero | tr '\0' 9; printf ',1\n'; } >"$T/long-cell.csv"
expect "5 MB number cell" "long-cell.csv: line 2, column 2: a cell of 5242880 characters is too long for a number (at most 256)" \
    --data "$T/long-cell.csv"
printf '1,2,0\n3,1e999,1\n' >"$T/e999.csv"
expect "1e999" "e999.csv: line 2, column 2: 1e999 is out of float range" --data "$T/e999.csv"
printf '1,2,0\n3,4,1e999\n' >"$T/e999-label.csv"
expect "1e999 label" "e999-label.csv: line 2, column 3: label 1e999 is out of range" --data "$T/e999-label.csv"
printf '1,2,0\n3,nan,1\n' >"$T/nan.csv"
expect "nan cell" "nan.csv: line 2, column 2: nan: NaN or Inf is not allowed" --data "$T/nan.csv"
printf '1,2,0\n3,-inf,1\n' >"$T/inf.csv"
expect "inf cell" "inf.csv: line 2, column 2: -inf: NaN or Inf is not allowed" --data "$T/inf.csv"

if [ "$fails" -ne 0 ]; then echo "hostile_files: $fails failed"; exit 1; fi
echo "hostile_files: all passed"
