#!/bin/sh
# python/tripletscope_dump.py writes docs/dump-format.md exactly (every file
# read back with numpy.load; labels renamed last; no temporaries left), refuses
# bad input and a second run's directory with a clear ValueError, its pml and
# Keras hooks work against stand-ins, and docs/attach.md's runnable snippets
# run (tests/cli/python_writer.py). Needs a python3 with numpy:
# /usr/bin/python3 first (`python3` on PATH may be a pyenv shim without
# numpy); with none it says so and passes.
B=${1:-build}
BIN="$B/tripletscope"
HERE=$(dirname "$0")
PY=""
for p in /usr/bin/python3 python3; do
    if command -v "$p" >/dev/null 2>&1 && "$p" -c 'import numpy' >/dev/null 2>&1; then
        PY=$p
        break
    fi
done
if [ -z "$PY" ]; then
    echo "python_writer: skipped (no python3 that can import numpy; Debian: python3-numpy)"
    exit 0
fi
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
# No __pycache__ in the source tree.
PYTHONDONTWRITEBYTECODE=1 "$PY" "$HERE/python_writer.py" "$T" || exit 1

# ---------------------------------------------------------------------------
# The run the module wrote, read back headless: one step line per batch
# written, every step line's model is the writer's name, and so is the
# config line's.

batches=$(sed -n 1p "$T/run.expect")
name=$(sed -n 2p "$T/run.expect")
timeout 60 "$BIN" --headless --watch "$T/run" >"$T/out" 2>"$T/err" </dev/null ||
    { echo "FAIL python_writer: --headless --watch exited $?: $(head -3 "$T/err")"; exit 1; }
steps=$(grep -c '"type":"step"' "$T/out")
[ "$steps" -eq "$batches" ] ||
    { echo "FAIL python_writer: $steps step lines, $batches batches written"; exit 1; }
[ "$(grep '"type":"step"' "$T/out" | grep -c "\"model\":\"$name\"")" -eq "$batches" ] ||
    { echo "FAIL python_writer: step lines not of model $name"; exit 1; }
grep '"type":"config"' "$T/out" | grep -q "\"$name\"" ||
    { echo "FAIL python_writer: the config line does not name the run $name"; exit 1; }
grep -q '"type":"notice"' "$T/out" &&
    { echo "FAIL python_writer: notices on the module's own run: $(grep '"type":"notice"' "$T/out" | head -2)"; exit 1; }
echo "python_writer: --watch read the module's $batches batches"
# ---------------------------------------------------------------------------
