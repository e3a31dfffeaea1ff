#!/bin/sh
# bench/run.sh BUILD: `make bench`. One run, side by side: tripletscope and a
# PyTorch implementation of the same training, the sgemm-bound ceiling of
# the same shapes, evaluation, the interface's cost, key latency, start-up
# and memory. Prints the table and writes it to bench/results/.
#   QUICK=1 make bench   fewer repetitions (a rough look, not for quoting)
#   SCALE=0 make bench   without "How the cost grows" (batch and embedding
#                        size, the step's phases, evaluation against N)
#   ONLY=scale           only "How the cost grows" (after the header)
#   sh bench/watch.sh BUILD   only "Watching a run" (--watch's costs)
set -u
B=${1:-build}
BIN="$B/tripletscope"
BENCH="$B/bench/bench"
PY=/usr/bin/python3
REPS=${QUICK:+1}; REPS=${REPS:-3}
SCALE=${SCALE:-1}
ONLY=${ONLY:-}
mkdir -p bench/results
OUT="bench/results/bench-$(date +%Y%m%d-%H%M%S).md"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"; tmux -L tsbench kill-server 2>/dev/null' EXIT

# --- PyTorch, installed on demand --------------------------------------------
torch_ok=0
if $PY -c "import torch" 2>/dev/null; then
    torch_ok=1
elif [ "$(id -u)" -eq 0 ]; then
    echo "bench: installing python3-torch (Debian) for the PyTorch side ..."
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-torch >/dev/null 2>&1 ||
        { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-torch >/dev/null 2>&1; }
    $PY -c "import torch" 2>/dev/null && torch_ok=1
else
    echo "bench: PyTorch is missing; for the comparison run: sudo apt-get install python3-torch"
fi
fashion=0
[ -r /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ] && fashion=1

# --- helpers -------------------------------------------------------------------
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ours() {   # ours DATA MODELS MINER STEPS [THREADS] -> median steps/s
    i=0
    while [ $i -lt "$REPS" ]; do
        "$BIN" --headless --data "$1" --preset facenet --models "$2" --miner "$3" --steps "$4" \
            --threads "${5:-1}" --eval-every 0 --eval-size 100 --log-every 1000000 |
            tail -1 | sed 's/.*"steps_per_s":\([0-9.e+]*\).*/\1/'
        i=$((i + 1))
    done | median
}
torch() {  # torch DATA MINER STEPS [THREADS]
    [ "$torch_ok" -eq 1 ] || { echo "-"; return; }
    i=0
    while [ $i -lt "$REPS" ]; do
        $PY bench/torch_bench.py --data "$1" --miner "$2" --steps "$3" --threads "${4:-1}" | sed 's/steps_per_s //'
        i=$((i + 1))
    done | median
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == "-" || b + 0 == 0) print "-"; else printf "%.1fx", a / b }'; }
pct() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f %%", 100 * a / b }'; }
val() { grep "^$1 " | sed "s/^$1 //"; }

{
echo "# tripletscope benchmark"
echo
echo "$(date -u '+%Y-%m-%d %H:%M UTC'); $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores;"
echo "$("$BIN" --version); PyTorch $([ $torch_ok -eq 1 ] && $PY -c 'import torch; print(torch.__version__)' || echo 'not installed');"
echo "medians of $REPS runs; steps/s of ONE model unless said; batch 128 (pk 8x16), L2-normalised, margin 0.2."
echo
} | tee "$OUT"

# The usual sections; ONLY=scale leaves them out (not re-indented, to keep
# them as they were).
if [ "$ONLY" != scale ]; then

# --- training speed, per data set ------------------------------------------------
table() {   # table DATA D STEPS TORCHSTEPS
    data=$1 D=$2 steps=$3 tsteps=$4
    "$BENCH" gemm "$D" 256 128 32 128 2 >"$TMP/gemm"
    ceil=$(val ceiling_steps_per_s <"$TMP/gemm")
    echo "## $data ($D-256-128-32), one thread"
    echo
    echo "sgemm ceiling (the step's forward and backward GEMMs alone, OpenBLAS, same shapes):"
    echo "$(val gemm_mflop_per_step <"$TMP/gemm") MFLOP per step at $(val gemm_gflops <"$TMP/gemm") GFLOP/s = $ceil steps/s."
    echo
    echo "| model | tripletscope | PyTorch | ratio | of ceiling |"
    echo "|---|---|---|---|---|"
    for m in siamese random all hard semihard hardest-neg; do
        if [ $m = siamese ]; then o=$(ours "$data" siamese hard "$steps"); t=$(torch "$data" contrastive "$tsteps")
        else
            ts=$tsteps
            case $m in all|semihard) ts=$((tsteps / 4)) ;; hardest-neg) ts=$((tsteps / 8)) ;; esac
            o=$(ours "$data" triplet "$m" "$steps"); t=$(torch "$data" "$m" "$ts")
        fi
        label=$m; [ $m = siamese ] && label="siamese (contrastive)"
        [ $m = hardest-neg ] && label="hardest-neg (PyTorch: the question's Python loops)"
        echo "| $label | $o | $t | $(ratio "$o" "$t") | $(pct "$o" "$ceil") |"
    done
    echo
    echo "Both models in lockstep against the triplet model alone (steps/s): at once, one thread"
    echo "each (--threads 2, the default on 2 cores), and taking turns on one (--threads 1):"
    echo
    echo "| miner | one model | both at once | of one model | both in turns | of one model |"
    echo "|---|---|---|---|---|---|"
    for m in hard hardest-neg; do
        one=$(ours "$data" triplet "$m" "$steps")
        both=$(ours "$data" both "$m" "$steps" 2)
        turns=$(ours "$data" both "$m" "$steps" 1)
        echo "| $m | $one | $both | $(awk -v a="$both" -v b="$one" 'BEGIN { printf "%.2fx", a / b }') | $turns | $(awk -v a="$turns" -v b="$one" 'BEGIN { printf "%.2fx", a / b }') |"
    done
    echo
}
[ $fashion -eq 1 ] && table fashion 784 2000 300 | tee -a "$OUT"
table digits 64 4000 600 | tee -a "$OUT"

# --- two threads ---------------------------------------------------------------------
if [ $fashion -eq 1 ]; then
    {
    "$BENCH" gemm 784 256 128 32 128 2 2 >"$TMP/gemm2"
    echo "## Two threads (fashion, batch-hard)"
    echo
    echo "sgemm ceiling on 2 threads: $(val ceiling_steps_per_s <"$TMP/gemm2") steps/s ($(val gemm_gflops <"$TMP/gemm2") GFLOP/s);"
    echo "tripletscope --threads 2: $(ours fashion triplet hard 2000 2) steps/s; PyTorch 2 threads: $(torch fashion hard 300 2)."
    echo
    } | tee -a "$OUT"
fi

# --- evaluation, start-up, memory ----------------------------------------------------
{
echo "## Evaluation, start-up, memory"
echo
if [ $fashion -eq 1 ]; then
    "$BENCH" eval fashion 0 3 >"$TMP/eval"
    echo "- Evaluation of one model on $(val eval_queries <"$TMP/eval") Fashion-MNIST test queries (embedding, P@1, R-precision, MAP@R, 2000-point PCA): $(val eval_seconds <"$TMP/eval") s."
    "$BENCH" rss "$BIN" --headless --data fashion --steps 0 --eval-every 0 >"$TMP/start"
    echo "- Start-up, headless, Fashion-MNIST (load the 70 000 images, build both models): $(val wall_seconds <"$TMP/start") s."
    "$BENCH" rss "$BIN" --headless --data fashion --steps 500 --eval-every 250 --eval-size 0 >"$TMP/rss"
    echo "- Peak RSS, full Fashion-MNIST, both models, evaluation on all 10 000 test images: $(val peak_rss_mb <"$TMP/rss") MB."
fi
"$BENCH" rss "$BIN" --headless --data digits --steps 0 >"$TMP/start"
echo "- Start-up, headless, digits: $(val wall_seconds <"$TMP/start") s; peak RSS $(val peak_rss_mb <"$TMP/start") MB."
echo
} | tee -a "$OUT"

# --- the spread beside the retrieval, side by side on the same embeddings ------------
{
sdata=digits
[ $fashion -eq 1 ] && sdata=fashion
echo "### The held-out spread beside the retrieval (issue 12; $sdata test set, one thread)"
echo
echo "| E | queries | retrieval (P@1, R-precision, MAP@R) s | spread (rank, first PC, std_l2) s | of which the eigenvalues s | spread / retrieval |"
echo "|---|---|---|---|---|---|"
for e in 32 128 512 1024; do
    "$BENCH" spread "$sdata" 0 "$e" 2 >"$TMP/sp"
    rs=$(val retrieval_seconds <"$TMP/sp"); ss=$(val spread_seconds <"$TMP/sp")
    echo "| $e | $(val spread_queries <"$TMP/sp") | $rs | $ss | $(val eigen_seconds <"$TMP/sp") | $(pct "$ss" "$rs") |"
done
echo
} | tee -a "$OUT"

# --- the interface: its cost, key latency, start-up ---------------------------------
if command -v tmux >/dev/null 2>&1; then
    sh bench/ui.sh "$B" "$REPS" | tee -a "$OUT"
fi

# --- watching a run: a dump measured, an evaluation, catching up ---------------------
{ sh bench/watch.sh "$B"; echo; } | tee -a "$OUT"

fi   # ONLY != scale

# --- how the cost grows (issue 14) -------------------------------------------------
# Batch size B and embedding size E against the sgemm ceiling and PyTorch;
# where one step's time goes at each B; evaluation seconds against N. Each
# training run takes about SCALE_SECONDS: its steps come from a short pilot
# run's rate, as the speed at B = 1024 is not known in advance.
SCALE_SECONDS=1
kfor() { if [ "$1" -le 128 ]; then echo 16; else echo $(($1 / 8)); fi; }   # K = max(16, B/8)
run1() {   # run1 DATA MODELS B K E STEPS THREADS -> steps/s of one run
    "$BIN" --headless --data "$1" --preset batch-hard --models "$2" --batch "$3" --k "$4" \
        --embed-dim "$5" --steps "$6" --threads "$7" --eval-every 0 --eval-size 100 \
        --log-every 1000000 | tail -1 | sed 's/.*"steps_per_s":\([0-9.e+]*\).*/\1/'
}
steps_for() {   # steps_for RATE FRACTION -> steps for SCALE_SECONDS * FRACTION at RATE
    awk -v r="$1" -v f="$2" -v t="$SCALE_SECONDS" 'BEGIN { n = int(r * t * f); print (n < 5) ? 5 : n }'
}
reps() {   # reps CMD... -> the median of REPS runs of CMD
    i=0
    while [ $i -lt "$REPS" ]; do "$@"; i=$((i + 1)); done | median
}
share() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b + 0 == 0) print "-"; else printf "%.0f %%", 100 * a / b }'; }

scale_table() {   # scale_table DATA D E
    data=$1 D=$2 E=$3
    echo "### E = $E ($data, $D-256-128-$E)"
    echo
    echo "| B | P x K | sgemm ceiling | triplet | of ceiling | PyTorch | of ceiling | tripletscope / PyTorch | both models, --threads 2 | of ceiling |"
    echo "|---|---|---|---|---|---|---|---|---|---|"
    for b in 32 64 128 256 512 1024; do
        k=$(kfor $b)
        ceil=$("$BENCH" gemm "$D" 256 128 "$E" "$b" 0.5 | val ceiling_steps_per_s)
        pilot=$(run1 "$data" triplet "$b" "$k" "$E" "$(steps_for "$ceil" 0.05)" 1)
        one=$(reps run1 "$data" triplet "$b" "$k" "$E" "$(steps_for "$pilot" 1)" 1)
        echo "$one" >"$TMP/rate-$b-$E"
        # The pair takes about twice one model's time (with --threads 2
        # less, once the models step concurrently).
        both=$(reps run1 "$data" both "$b" "$k" "$E" "$(steps_for "$one" 0.5)" 2)
        t="-"
        if [ "$torch_ok" -eq 1 ]; then
            t=$($PY bench/torch_bench.py --data "$data" --miner hard --batch "$b" --k "$k" \
                --embed-dim "$E" --steps 10 --seconds "$SCALE_SECONDS" --repeat "$REPS" |
                sed 's/steps_per_s //' | median)
        fi
        echo "| $b | $((b / k)) x $k | $ceil | $one | $(share "$one" "$ceil") | $t | $(share "$t" "$ceil") | $(ratio "$one" "$t") | $both | $(share "$both" "$ceil") |"
    done
    echo
}

phases_table() {   # phases_table DATA E
    data=$1 E=$2
    echo "### Where one step's time goes (triplet model, batch-hard, E = $E, one thread)"
    echo
    echo "\`bench phases\`: the step of src/core/session.c replayed with the same calls, a clock read"
    echo "between the phases; the distances, anchors (each anchor's sorted negatives) and counts are"
    echo "timed once more apart, splitting measure_batch. Shares of the step's time."
    echo
    echo "| B | P x K | steps/s | batch (sample, gather) | forward | measure_batch | of which distances | anchors | counts | mining + loss | backward + Adam | mining and counts | pairs refined |"
    echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
    for b in 32 64 128 256 512 1024; do
        k=$(kfor $b)
        r=$(cat "$TMP/rate-$b-$E" 2>/dev/null || echo 20)
        "$BENCH" phases "$data" "$b" "$k" "$E" "$(steps_for "$r" 1)" >"$TMP/ph"
        v() { val "$1" <"$TMP/ph"; }
        mc=$(awk -v m="$(v measure_share)" -v d="$(v dist_share)" -v n="$(v mine_share)" 'BEGIN { printf "%.1f", m - d + n }')
        echo "| $b | $((b / k)) x $k | $(v steps_per_s) | $(v batch_share) % | $(v forward_share) % | $(v measure_share) % | $(v dist_share) % | $(v anchors_share) % | $(v counts_share) % | $(v mine_share) % | $(v backward_share) % | $mc % | $(v close_pairs_share) % |"
    done
    echo
    echo "Mining and counts = measure_batch without its distances, plus mining and the loss; pairs"
    echo "refined = the share of the batch's pairs whose distance came from their differences (close"
    echo "pairs, where the Gram form cancels: docs/metrics.md, Distances)."
    echo
}

eval_table() {
    echo "### Evaluation against N (one model, E = 32, untrained weights)"
    echo
    echo "| queries N | from | seconds | ns per query pair (s / N^2) | against N = 1000 |"
    echo "|---|---|---|---|---|"
    ref=
    for n in 1000 2000 5000 10000 60000; do
        if [ $n -eq 60000 ]; then "$BENCH" eval-train fashion 0 0 >"$TMP/ev"; from="the training set"
        else "$BENCH" eval fashion $n 1 >"$TMP/ev"; from="the test set"; fi
        q=$(val eval_queries <"$TMP/ev"); sec=$(val eval_seconds <"$TMP/ev")
        [ $n -eq 1000 ] && ref=$sec
        rel=$(awk -v s="$sec" -v r="$ref" 'BEGIN { if (r + 0 == 0) print "-"; else printf "%.2fx", s / r }')
        echo "| $q | $from | $sec | $(awk -v s="$sec" -v q="$q" 'BEGIN { printf "%.2f", 1e9 * s / (q * q) }') | $rel |"
    done
    echo
    echo "Each query's distances to all others (sgemm in blocks), a selection of its R nearest"
    echo "(R = its class's size - 1), P@1, R-precision, MAP@R, and a 2000-point PCA."
    echo
}

if [ "$SCALE" != 0 ]; then
    t0=$(date +%s)
    sdata=digits SD=64
    [ $fashion -eq 1 ] && sdata=fashion SD=784
    {
    echo "## How the cost grows (issue 14)"
    echo
    core="unset (the CPU's own choice)"
    [ -n "${OPENBLAS_CORETYPE:-}" ] && core=$OPENBLAS_CORETYPE
    echo "$("$BIN" --version); OPENBLAS_CORETYPE=$core."
    echo "$sdata, batch-hard (pk, the hardest positive and negative per anchor), L2-normalised,"
    echo "margin 0.2; steps/s, medians of $REPS runs of about $SCALE_SECONDS s each. P x K: K = 16 up to"
    echo "B = 128, then K = B / 8 so that P = 8 classes fit the data's 10. The ceiling: the"
    echo "step's forward and backward GEMMs alone, one thread (the pair: one model per core, the same)."
    echo "PyTorch: bench/torch_bench.py, the same network, batch-hard loss and Adam, one thread."
    echo "Both models: Siamese (contrastive) and triplet in lockstep, --threads 2."
    echo "Load average at the start (the machine is shared): $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)."
    echo
    for e in 32 128 512; do scale_table "$sdata" "$SD" "$e"; done
    phases_table "$sdata" 32
    if [ $fashion -eq 1 ]; then eval_table; fi
    echo "(These sections took $(($(date +%s) - t0)) s.)"
    echo
    } | tee -a "$OUT"
fi

cp "$OUT" bench/results/latest.md
echo "bench: written to $OUT (and bench/results/latest.md)"
