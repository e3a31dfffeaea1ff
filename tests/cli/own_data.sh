#!/bin/sh
# Own data: a semicolon-separated CSV with names as labels, headless. The
# delimiter is detected, the names become the classes (in byte order) and
# reach the config line (data.source.class_names, with data.classes and
# data.source.delimiter); --class-names renames them; a comma given for a
# semicolon file gets the hint; bad flag values get one line and status 2.
B=${1:-build}
BIN="$B/tripletscope"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0

# shellcheck source=tests/cli/expect.inc
. "$(dirname "$0")/expect.inc"

fail() {
    echo "FAIL own_data: $1"
    fails=$((fails + 1))
}

# 150 rows of three named classes, apart in two features; a header; the
# labels quoted on some rows (as R writes them).
awk 'BEGIN {
    print "sepal length;petal length;species"
    split("virginica setosa versicolor", name, " ")
    for (i = 0; i < 150; i++) {
        c = i % 3
        l = c == 1 && i % 2 ? "\"" name[c + 1] "\"" : name[c + 1]
        printf "%.2f;%.2f;%s\n", c * 2 + (i % 7) * 0.1, c - (i % 5) * 0.1, l
    }
}' >"$T/flowers.csv"

config() { head -n 1 "$T/out"; }

# --- detected, named ---------------------------------------------------------
if "$BIN" --headless --data "$T/flowers.csv" --batch 32 --steps 20 --eval-every 0 \
    >"$T/out" 2>"$T/err"; then
    config | grep -q '"classes":3,' || fail "config line: not 3 classes: $(config | cut -c1-200)"
    config | grep -q '"delimiter":";"' || fail "config line: delimiter not ;"
    config | grep -q '"class_names":\["setosa","versicolor","virginica"\]' ||
        fail "config line: no class_names [setosa, versicolor, virginica]: $(config | grep -o '"source":{[^}]*}')"
    tail -n 1 "$T/out" | grep -q '"type":"summary"' || fail "the run did not end with its summary"
    [ -s "$T/err" ] && fail "stderr not empty: $(head -n 1 "$T/err")"
    echo "ok   named labels: $(config | grep -o '"source":{[^}]*}')"
else
    fail "the run failed: $(head -n 1 "$T/err")"
fi

# --- the same, given; renamed ----------------------------------------------------
printf 'Iris setosa\nIris versicolor\nIris virginica\n' >"$T/names.txt"
if "$BIN" --headless --data "$T/flowers.csv" --delimiter ';' --class-names "$T/names.txt" \
    --batch 32 --steps 5 --eval-every 0 >"$T/out" 2>"$T/err"; then
    config | grep -q '"class_names":\["Iris setosa","Iris versicolor","Iris virginica"\]' ||
        fail "--class-names: names not in the config line"
    config | grep -q '"class_names_file":' || fail "--class-names: the file not in the config line"
    echo "ok   --class-names"
else
    fail "the run with --class-names failed: $(head -n 1 "$T/err")"
fi

# --- integer labels: unchanged, no names recorded --------------------------------
awk 'BEGIN { for (i = 0; i < 150; i++) printf "%d,%d,%d\n", i % 7, i % 3 * 5, i % 3 * 10 }' \
    >"$T/ints.csv"
if "$BIN" --headless --data "$T/ints.csv" --batch 32 --steps 2 --eval-every 0 >"$T/out" 2>"$T/err"; then
    config | grep -q '"classes":3,' || fail "integer labels: not 3 classes"
    config | grep -q 'class_names' && fail "integer labels: class_names recorded"
    config | grep -q '"delimiter":","' || fail "integer labels: delimiter not ,"
    echo "ok   integer labels"
else
    fail "the run on integer labels failed: $(head -n 1 "$T/err")"
fi

# --- bad input -------------------------------------------------------------------
expect "comma for a semicolon file" \
    "flowers.csv: line 1 has 1 column (split by ','); is it separated by ';'? try --delimiter ';'" \
    --data "$T/flowers.csv" --delimiter ,
expect "bad --delimiter" '--delimiter: expected auto' --data "$T/flowers.csv" --delimiter ab
expect "--delimiter for a built-in set" "--delimiter: does not apply to --data digits" \
    --data digits --delimiter ';'
printf 'a\nb\n' >"$T/two.txt"
expect "too few class names" "two.txt: 2 names for the 3 classes of $T/flowers.csv" \
    --data "$T/flowers.csv" --class-names "$T/two.txt"
printf '1;2;cat\n3;4;7\n' >"$T/mixed.csv"
expect "names and integers" "mixed.csv: line 2, column 3: label 7 is a number" --data "$T/mixed.csv"
expect "--class-names with --watch" "--class-names: not with --watch" --watch "$T" \
    --class-names "$T/two.txt"

[ "$fails" -eq 0 ] || exit 1
echo "own_data: ok"
