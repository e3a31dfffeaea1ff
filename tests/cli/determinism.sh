#!/bin/sh
# Same flags and seed: byte-identical output apart from the summary's timing,
# keys pressed by --script included; another seed gives other numbers.
B=${1:-build}
BIN="$B/tripletscope"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
run() {
    "$BIN" --headless --data digits --steps 300 --eval-every 100 --log-every 5 \
        --script "50:m,120:p+,200:nz" --log "$T/log$1" --seed "$2" >"$T/out$1" || exit 1
}
run 1 7; run 2 7; run 3 8
grep -v '"type":"summary"' "$T/out1" >"$T/a"
grep -v '"type":"summary"' "$T/out2" >"$T/b"
grep -v '"type":"summary"' "$T/out3" >"$T/c"
cmp -s "$T/a" "$T/b" || { echo "FAIL: two runs with seed 7 differ"; diff "$T/a" "$T/b" | head; exit 1; }
cmp -s "$T/out1" "$T/log1" || { echo "FAIL: --log differs from stdout"; exit 1; }
cmp -s "$T/a" "$T/c" && { echo "FAIL: seeds 7 and 8 gave the same output"; exit 1; }
[ "$(grep -c '"type":"event"' "$T/a")" -eq 5 ] || { echo "FAIL: expected 5 event lines"; exit 1; }
grep -q '"type":"event","step":120,"key":"p","setting":"sampler","from":"uniform","to":"pk"' "$T/a" ||
    { echo "FAIL: the p event line"; exit 1; }
# Every step line: easy + semihard + hard == valid.
awk -F'"triplets":' '/"type":"step"/ {
        split($2, f, /[:,}]/); v=f[2]; e=f[4]; s=f[6]; h=f[8];
        if (e + s + h != v) { print "FAIL: counts do not add up: " $0; bad=1 }
        n++ }
     END { if (n != 120 || bad) { print "FAIL: " n " step lines"; exit 1 } }' "$T/a" || exit 1
echo "determinism: ok"
