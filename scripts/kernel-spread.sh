#!/bin/sh
# scripts/kernel-spread.sh [BUILD] [KERNELS...]: how the figures the tests
# assert spread across OpenBLAS's kernels. Floating-point results differ
# between CPUs (OpenBLAS picks a kernel per CPU); this runs the runs of
# tests/cli/diagnose_*.sh and learning.sh under each kernel this CPU can
# run (OPENBLAS_CORETYPE, for measuring only: the tests never set it) and
# prints, per run, when each finding was raised and cleared and the final
# held-out P@1 and MAP@R, as min..max over the kernels. A developer's tool,
# not a test: it takes a few minutes.
B=${1:-build}
shift 2>/dev/null
KERNELS=${*:-"Prescott Sandybridge Haswell SkylakeX Cooperlake Zen"}
BIN="$B/tripletscope"
OUT=${OUT:-$(mktemp -d)}
mkdir -p "$OUT"
echo "kernel-spread: logs in $OUT"

# name|flags  (the tests' runs, the same flags)
RUNS='all-easy|--scenario all-easy --script 200:++++++++
all-easy3|--scenario all-easy --script 200:+++
no-positives|--scenario no-positives --script 100:p
self-positive|--scenario self-positive --script 100:M
margin-scale|--scenario margin-scale --script 300:-
norm-drift|--scenario norm-drift --script 400:n
diverged|--scenario diverged
no-signal|--scenario no-signal --script 450:pMn
collapse|--scenario collapse --script 150:m
too-hard|--scenario too-hard --script 150:M
averaging|--scenario averaging --script 460:z
siamese-ahead|--scenario siamese-ahead --script 300:pMn-------
zero-distance|--scenario zero-distance --script 150:d
nothing-mined|--scenario nothing-mined --script 150:p
semihard-fallback|--scenario semihard-fallback
label-noise|--scenario label-noise --script 200:M
label-noise-0|--data digits --preset seed --steps 1000 --eval-every 500
label-noise-bh|--data digits --preset batch-hard --label-noise 0.05 --steps 1000 --eval-every 500
small-batches|--data digits --preset seed-small --steps 400 --eval-every 100 --script 100:p,200:M
nothing-to-learn|--data noise --steps 600 --eval-every 50 --script 100:M,200:n,300:-------
healthy|--data digits --preset facenet
healthy-1|--preset facenet --data digits --seed 1 --steps 2000 --eval-every 200
healthy-2|--preset facenet --data digits --seed 2 --steps 4000
blows-up|--data digits --lr 10
question-by-keys|--data fashion --preset seed --eval-every 100 --eval-size 1000 --steps 1000 --script 300:M,450:n,600:-------
question-no-minus|--data fashion --preset seed --eval-every 100 --eval-size 1000 --steps 1000 --script 300:M,450:n
batch-hard-collapse|--data fashion --preset batch-hard --eval-every 100 --eval-size 1000 --steps 800 --script 150:m
learn-digits|--preset facenet --data digits --steps 1000 --eval-every 0
learn-iris|--data iris --steps 300 --batch 30 --k 10 --preset facenet --eval-every 0
static-triplets|--scenario static-triplets --script 500:m
static-triplets-M|--scenario static-triplets --script 500:M
static-lesson|--data digits --miner offline --steps 1500 --eval-every 100 --script 500:m,1000:M
overfit|--scenario overfit --script 600:www
overfit-more-data|--scenario overfit --train-size 2000
inverted-pairs|--scenario inverted-pairs --script 150:l
inverted-pairs-nokey|--scenario inverted-pairs
pairs-digits-euclidean|--data digits --steps 1000 --eval-every 500
pairs-digits-elementwise|--data digits --pair-distance elementwise --steps 1000 --eval-every 500
pairs-fashion-euclidean|--data fashion --steps 1000 --eval-every 500 --eval-size 1000
pairs-fashion-elementwise|--data fashion --pair-distance elementwise --steps 1000 --eval-every 500 --eval-size 1000
dim-collapse|--scenario dim-collapse --script 500:[[[[[r
dim-collapse-lr|--scenario dim-collapse --script 500:[[[[[
dim-collapse-nokey|--scenario dim-collapse'

for k in $KERNELS; do
    echo "$RUNS" | while IFS='|' read -r name flags; do
        # shellcheck disable=SC2086  # flags is a list
        OPENBLAS_CORETYPE=$k "$BIN" --headless $flags >"$OUT/$name.$k.jsonl" 2>/dev/null
    done &
done
wait

# One line a run and figure: the value under each kernel, then min..max.
echo "$RUNS" | while IFS='|' read -r name flags; do
    for k in $KERNELS; do
        f="$OUT/$name.$k.jsonl"
        grep '^{"type":"diagnosis"' "$f" |
            sed 's/^{"type":"diagnosis","step":\([0-9]*\),"model":"\([a-z]*\)","code":"\([a-z_]*\)","state":"\([a-z]*\)".*/\3(\2):\4 \1/' |
            awk -v k="$k" '!seen[$1]++ { print $1, k, $2 }'
        for m in siamese triplet; do
            grep "\"type\":\"eval\".*\"model\":\"$m\"" "$f" | tail -1 |
                sed -n "s/.*\"p_at_1\":\([0-9.e-]*\).*\"map_at_r\":\([0-9.e-]*\).*/P@1($m) $k \1\nMAP@R($m) $k \2/p"
        done
    done | awk -v run="$name" -v nk="$(echo $KERNELS | wc -w)" '
        { v[$1] = v[$1] " " $3; n[$1]++
          if (!($1 in lo) || $3 < lo[$1]) lo[$1] = $3
          if (!($1 in hi) || $3 > hi[$1]) hi[$1] = $3 }
        END { for (f in v) printf "%-20s %-32s %s..%s%s  [%s ]\n", run, f, lo[f], hi[f],
                                   n[f] < nk ? " (not under every kernel)" : "", v[f] }' | sort
done
