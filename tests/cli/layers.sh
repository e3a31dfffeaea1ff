#!/bin/sh
# The layers of docs/architecture.md, read off the #include lines: each may
# include only what sits below it. A new include that crosses a layer, or a
# core header that pulls in the trainer, fails here.
#
#   src/cli  ->  src/ui  ->  src/core  ->  src/data  ->  src/base
#
# Within the core, only the trainer's own files (session, measure's caller)
# and the driver include the session; the diagnosis reads tracks, never the
# trainer, and its tests build no session.
cd "$(dirname "$0")/../.." || exit 1
fails=0
fail() { echo "FAIL layers: $*"; fails=$((fails + 1)); }

# The tripletscope/ headers a file includes, one name per line ("error", ...).
public_includes() { sed -n 's/^#include "tripletscope\/\([a-z_]*\)\.h".*/\1/p' "$@"; }
# Any quoted include of a file under src/ (relative or not).
local_includes() { grep -H '^#include "' "$@" | grep -v '"tripletscope/'; }

BASE="clock error file json jsonread rng"
DATA="$BASE data dumpfile runjson"
in_list() { for x in $2; do [ "$x" = "$1" ] && return 0; done; return 1; }

# base: errors, JSON, RNG, clock, files include only each other.
for f in src/base/*.c $(for h in $BASE; do echo include/tripletscope/$h.h; done); do
    for h in $(public_includes "$f"); do
        in_list "$h" "$BASE" || fail "$f includes tripletscope/$h.h (base sits below the core and the data)"
    done
done
# data: only base and its own headers.
for f in src/data/*.c src/data/*.h include/tripletscope/data.h include/tripletscope/dumpfile.h include/tripletscope/runjson.h; do
    for h in $(public_includes "$f"); do
        in_list "$h" "$DATA" || fail "$f includes tripletscope/$h.h (the data sit below the core)"
    done
    bad=$(local_includes "$f" | grep -v '"loader.h"')
    [ -z "$bad" ] || fail "$bad (the data include only their own loader.h)"
done
# core: no interface or CLI header, no curses.
for f in src/core/*.c src/core/*.h include/tripletscope/*.h; do
    grep -q '^#include <n\?curses' "$f" && fail "$f includes curses (the core never draws)"
    bad=$(local_includes "$f" | grep -E '"\.\./|ui/|cli/|keys\.h|panels\.h|cli\.h')
    [ -z "$bad" ] || fail "$bad (the core never includes the interface or the CLI)"
done
# The trainer stays out of every core header and of the measuring pipeline.
for f in include/tripletscope/*.h; do
    [ "$f" = include/tripletscope/session.h ] && continue
    public_includes "$f" | grep -qx 'session\|driver\|runner' &&
        [ "$f" != include/tripletscope/runner.h ] &&
        fail "$f includes the trainer or a driver (only session.c and driver.c may)"
done
for f in src/core/*.c; do
    case "$f" in src/core/session.c | src/core/driver.c) continue ;; esac
    public_includes "$f" | grep -qx session && fail "$f includes session.h (only the trainer and the driver do)"
done
for f in src/core/diag*.c src/core/diag.h tests/test_diagnose.c; do
    public_includes "$f" | grep -qx 'session\|driver\|runner' && fail "$f reads the trainer (the diagnosis reads tracks)"
done
# ui: never the CLI, never the trainer.
for f in src/ui/*.c src/ui/*.h; do
    local_includes "$f" | grep -q 'cli' && fail "$f includes a CLI header"
    public_includes "$f" | grep -qx session && fail "$f includes session.h (the interface reads snapshots)"
done

[ $fails -eq 0 ] || exit 1
# Counted once the rules ran on every file: an empty glob must not pass.
n=$(ls src/base/*.c src/data/*.c src/core/*.c src/ui/*.c include/tripletscope/*.h | wc -l)
[ "$n" -gt 60 ] || { echo "FAIL layers: only $n files read"; exit 1; }
echo "layers: all passed ($n files)"
