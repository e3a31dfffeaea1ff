#!/bin/sh
# The models learn: held-out quality reached in a fixed, seeded run. Each bar
# sits below the lowest of what six OpenBLAS kernels give (scripts/
# kernel-spread.sh: digits triplet P@1 0.978-0.986, Siamese 0.981-0.983,
# triplet MAP@R 0.943-0.947; iris triplet P@1 0.933-0.967), so it holds on
# any CPU; a regression in any part of the core shows here.
B=${1:-build}
BIN="$B/tripletscope"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
# last_eval FILE MODEL FIELD
last_eval() {
    grep "\"type\":\"eval\".*\"model\":\"$2\"" "$1" | tail -1 | sed "s/.*\"$3\":\([0-9.e-]*\).*/\1/"
}
# atleast NAME VALUE BAR
atleast() {
    if awk -v v="$2" -v b="$3" 'BEGIN { exit !(v >= b) }'; then
        echo "ok   $1: $2 >= $3"
    else
        echo "FAIL $1: $2 < $3"; fails=$((fails + 1))
    fi
}
"$BIN" --headless --preset facenet --data digits --steps 1000 --eval-every 0 >"$T/facenet" || exit 1
atleast "facenet digits triplet P@1" "$(last_eval "$T/facenet" triplet p_at_1)" 0.97
atleast "facenet digits siamese P@1" "$(last_eval "$T/facenet" siamese p_at_1)" 0.97
atleast "facenet digits triplet MAP@R" "$(last_eval "$T/facenet" triplet map_at_r)" 0.93
"$BIN" --headless --data iris --steps 300 --batch 30 --k 10 --preset facenet --eval-every 0 >"$T/iris" || exit 1
atleast "facenet iris triplet P@1" "$(last_eval "$T/iris" triplet p_at_1)" 0.9
[ "$fails" -eq 0 ] || exit 1
