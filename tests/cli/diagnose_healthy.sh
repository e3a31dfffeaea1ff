#!/bin/sh
# A false alarm is a failure too: the healthy setup (--preset facenet on the
# built-in digits: P x K batches, semi-hard mining, normalised embeddings,
# margin 0.2) must raise no error or warn finding, on two seeds, over the
# whole default run and a longer one. (info findings would be allowed; none
# is expected either.)
B=${1:-build}
BIN="$B/tripletscope"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
# shellcheck source=tests/cli/diagnose.inc
. "$(dirname "$0")/diagnose.inc"

for args in "--seed 0" "--seed 1 --steps 2000 --eval-every 200"; do
    # shellcheck disable=SC2086  # args is a list of flags
    "$BIN" --headless --preset facenet --data digits $args >"$T/run.jsonl" 2>"$T/err"
    st=$?
    check_exit "healthy ($args)" "$T/run.jsonl" "$st"
    alarms=$(grep '^{"type":"diagnosis"' "$T/run.jsonl" | grep -Ec '"severity":"(error|warn)"')
    if [ "$alarms" -eq 0 ]; then
        ok "healthy ($args): no error or warn finding over $(grep -c '"type":"step"' "$T/run.jsonl") step lines"
    else
        bad "healthy ($args): $alarms alarm(s):"
        grep '^{"type":"diagnosis"' "$T/run.jsonl" | head -5 | sed 's/^/    /'
    fi
done

[ "$fails" -eq 0 ] || { echo "$fails healthy-run check(s) failed"; exit 1; }
