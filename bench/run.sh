#!/bin/sh
# bench/run.sh BUILD: `make bench`. One run, side by side: tripletscope and a
# PyTorch implementation of the same training, the sgemm-bound ceiling of
# the same shapes, evaluation, the interface's cost, key latency, start-up
# and memory. Prints the table and writes it to bench/results/.
#   QUICK=1 make bench   fewer repetitions (a rough look, not for quoting)
set -u
B=${1:-build}
BIN="$B/tripletscope"
BENCH="$B/bench/bench"
PY=/usr/bin/python3
REPS=${QUICK:+1}; REPS=${REPS:-3}
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
    both=$(ours "$data" both hard "$steps")
    one=$(ours "$data" triplet hard "$steps")
    echo
    echo "Both models in lockstep (batch-hard): $both steps/s against $one for the triplet model alone:"
    echo "lockstep costs $(awk -v a="$one" -v b="$both" 'BEGIN { printf "%.2fx", a / b }') one model."
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

# --- the interface: its cost, key latency, start-up ---------------------------------
if command -v tmux >/dev/null 2>&1; then
    sh bench/ui.sh "$B" "$REPS" | tee -a "$OUT"
fi

cp "$OUT" bench/results/latest.md
echo "bench: written to $OUT (and bench/results/latest.md)"
