#!/bin/sh
# --distance and its aliases, from the outside: --squared is --distance
# squared and --no-squared euclidean (scripts written before --distance keep
# working); the config line names the distance and keeps "squared"; cosine
# normalises whatever --normalize says (the same numbers either way), its
# distances lie in [0, 2]; d steps euclidean -> squared -> cosine -> euclidean.
B=${1:-build}
BIN="$B/tripletscope"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL distance: $1"; fails=$((fails + 1)); }
# run NAME ARGS...: a short headless run, its summary (timing) dropped.
run() {
    name=$1; shift
    "$BIN" --headless --data digits --steps 30 --log-every 10 --eval-every 30 --eval-size 200 \
        "$@" >"$T/$name.raw" || { fail "$name: status $?"; return; }
    grep -v '"type":"summary"' "$T/$name.raw" >"$T/$name"
}
run squared --squared
run distance_squared --distance squared
run no_squared --distance cosine --no-squared
run euclidean
run cosine --distance cosine
run cosine_norm --distance cosine --normalize
run keys --script 5:d,10:d,15:d

cmp -s "$T/squared" "$T/distance_squared" || fail "--squared differs from --distance squared"
cmp -s "$T/no_squared" "$T/euclidean" || fail "--no-squared (after --distance cosine) is not euclidean"
grep -q '"normalize":false,"distance":"squared","squared":true,' "$T/squared" ||
    fail "the config line of --squared: $(head -1 "$T/squared" | grep -o '"settings":{[^}]*}')"
grep -q '"normalize":false,"distance":"cosine","squared":false,' "$T/cosine" ||
    fail "the config line of cosine: $(head -1 "$T/cosine" | grep -o '"settings":{[^}]*}')"
# Cosine with and without --normalize: every line but the config's the same.
tail -n +2 "$T/cosine" >"$T/a"
tail -n +2 "$T/cosine_norm" >"$T/b"
cmp -s "$T/a" "$T/b" || fail "cosine depends on --normalize: $(diff "$T/a" "$T/b" | head -3)"
tail -n +2 "$T/euclidean" >"$T/c"
cmp -s "$T/a" "$T/c" && fail "cosine gave the Euclidean numbers"
# Every mean distance of a step in [0, 2].
awk -F'"dist":{"pos":' '/"type":"step"/ {
        split($2, f, /[:,}]/); p = f[1]; n = f[3];
        if (!(p >= 0 && p <= 2 && n >= 0 && n <= 2)) { print "FAIL distance: out of [0, 2]: " $0; bad = 1 }
        k++ }
     END { if (!k || bad) exit 1 }' "$T/cosine" || fails=$((fails + 1))
grep -q '"type":"eval","step":30,"model":"triplet"' "$T/cosine" || fail "no evaluation under cosine"
# d three times: back where it started.
for e in '"step":5,"key":"d","setting":"distance","from":"euclidean","to":"squared"' \
    '"step":10,"key":"d","setting":"distance","from":"squared","to":"cosine"' \
    '"step":15,"key":"d","setting":"distance","from":"cosine","to":"euclidean"'; do
    grep -q "$e" "$T/keys" || fail "no event $e"
done
"$BIN" --headless --distance l2 >"$T/out" 2>"$T/err"
[ $? -eq 2 ] && grep -q -- '--distance: expected euclidean, squared or cosine, got "l2"' "$T/err" ||
    fail "--distance l2: $(cat "$T/err")"
[ "$fails" -eq 0 ] || exit 1
echo "distance: ok"
