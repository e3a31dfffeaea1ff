#!/bin/sh
# --data fashion-small, the embedded Fashion-MNIST subset: its config line
# (name, 10 000 / 2 000 samples, 784 features, 10 classes and their names),
# its companion flags and budget refused with one line, and the question's
# stall on it: under --preset seed (seeds 0-2, 500 steps each, about 2 s
# each) the triplet model lags the Siamese one as on the full set: too_hard
# and siamese_ahead raised, and the held-out MAP@R gap at step 500 at least
# 0.04 (measured 0.07-0.23 over seeds 0-2 and six kernels;
# docs/failure-modes.md). The fallback itself (no --data, no package) is
# tests/test_data.c's: it needs a folder without Fashion-MNIST as default.
B=${1:-build}
BIN="$B/tripletscope"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0

# shellcheck source=tests/cli/expect.inc
. "$(dirname "$0")/expect.inc"
# shellcheck source=tests/cli/diagnose.inc
. "$(dirname "$0")/diagnose.inc"

# The MAP@R of MODEL at STEP in FILE, or nothing.
map_at() {
    grep '^{"type":"eval"' "$1" | grep "\"step\":$2," | grep "\"model\":\"$3\"" | head -1 |
        sed 's/.*"map_at_r":\([0-9.e-]*\).*/\1/'
}

# --- loads, and says what it is ------------------------------------------------
"$BIN" --headless --data fashion-small --seed 0 --steps 500 --eval-every 100 --eval-size 1000 \
    >"$T/run.jsonl" 2>"$T/err"
st=$?
check_exit "fashion-small run" "$T/run.jsonl" "$st"
cfg=$(head -n 1 "$T/run.jsonl")
for want in '"name":"fashion-small"' '"train":10000,' '"test":2000,' '"dim":784,' \
    '"classes":10,' '"kind":"fashion-small"' \
    '"class_names":\["T-shirt/top","Trouser","Pullover","Dress","Coat","Sandal","Shirt","Sneaker","Bag","Ankle boot"\]'; do
    if printf '%s\n' "$cfg" | grep -q "$want"; then ok "config line: $want"
    else bad "config line: no $want in $(printf '%s\n' "$cfg" | grep -o '"data":{[^}]*}[^}]*}')"; fi
done
# Named, it is no fallback.
printf '%s\n' "$cfg" | grep -q '"fallback_for"' && bad "config line: --data fashion-small says fallback_for"

# --- the stall, over three seeds ----------------------------------------------
# Seed 0 is the run above. The gap at step 500, seed 0 / 1 / 2 under the six
# OpenBLAS kernels: 0.22 / 0.22-0.23 / 0.07-0.10 (siamese_ahead's line is 0.05).
for seed in 0 1 2; do
    f="$T/run.jsonl"
    if [ "$seed" -ne 0 ]; then
        f="$T/seed$seed.jsonl"
        "$BIN" --headless --data fashion-small --seed "$seed" --steps 500 --eval-every 100 \
            --eval-size 1000 >"$f" 2>"$T/err"
        check_exit "fashion-small seed $seed" "$f" $?
    fi
    check_raise "seed $seed on fashion-small" "$f" too_hard triplet 300
    check_raise "seed $seed on fashion-small" "$f" siamese_ahead both 500
    s=$(map_at "$f" 500 siamese)
    t=$(map_at "$f" 500 triplet)
    if [ -z "$s" ] || [ -z "$t" ]; then
        bad "seed $seed: no MAP@R at step 500 (siamese '${s:-none}', triplet '${t:-none}')"
    elif awk -v s="$s" -v t="$t" 'BEGIN { exit !(s - t >= 0.04) }'; then
        ok "seed $seed: MAP@R at step 500: siamese $s, triplet $t (gap >= 0.04)"
    else
        bad "seed $seed: MAP@R at step 500: siamese $s, triplet $t: the triplet model does not lag by 0.04"
    fi
done

# --- what it refuses ----------------------------------------------------------
expect "fashion-small --test-frac" "^tripletscope: --test-frac: does not apply to --data fashion-small" \
    --data fashion-small --test-frac 0.3
expect "fashion-small --data-dir" "^tripletscope: --data-dir: does not apply to --data fashion-small" \
    --data fashion-small --data-dir /tmp
expect "fashion-small budget" "fashion-small (embedded), training images: .*4M budget (raise it with --max-memory SIZE)" \
    --data fashion-small --max-memory 4M

[ "$fails" -eq 0 ] || { echo "fashion_small: $fails failed"; exit 1; }
echo "fashion_small: all passed"
