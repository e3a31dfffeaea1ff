#!/bin/sh
# tests/run.sh BUILD: every test. Unit tests (cmocka) first, then the
# binary's behaviour (tests/cli), then the interface through tmux (tests/tui).
# Each script takes the build directory and exits non-zero on failure.
B=${1:-build}
failed=""
for t in "$B"/tests/test_*; do
    [ -x "$t" ] || continue
    echo "== $t"
    "$t" || failed="$failed $t"
done
for s in tests/cli/*.sh tests/tui/*.sh; do
    [ -f "$s" ] || continue
    echo "== $s"
    sh "$s" "$B" || failed="$failed $s"
done
if [ -n "$failed" ]; then
    echo "FAILED:$failed"
    exit 1
fi
echo "all tests passed"
