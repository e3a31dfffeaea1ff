#!/bin/sh
# README.md's "A tour of the flags" names the flags --help lists (the flag
# table's, src/cli/args.c), and only those: a flag added, renamed or removed
# in one but not the other fails here. The section need not list the --no-X
# negations of flags it lists, nor --version (beside --help).
B=${1:-build}
BIN="$B/tripletscope"
README="$(dirname "$0")/../../README.md"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

# --help's flags: the left column (21 characters) of the lines that start a flag.
"$BIN" --help | grep -- '^  -' | cut -c1-21 | grep -o -- '--[a-z][a-z-]*' | sort -u >"$T/help"
# The section's flags: every --word from its heading to the next one.
awk '/^## A tour of the flags/ { on = 1; next } /^## / { on = 0 } on' "$README" |
    grep -o -- '--[a-z][a-z-]*' | sort -u >"$T/readme"
[ -s "$T/help" ] && [ -s "$T/readme" ] || { echo "FAIL flags_doc: no flags read"; exit 1; }

fails=0
# In README, not a flag.
for f in $(comm -13 "$T/help" "$T/readme"); do
    echo "FAIL flags_doc: README.md names $f, which --help does not list"
    fails=$((fails + 1))
done
# A flag, not in README (but for the exemptions above).
for f in $(comm -23 "$T/help" "$T/readme"); do
    case $f in
    --version) continue ;;
    --no-*) grep -qx -- "--${f#--no-}" "$T/readme" && continue ;;
    esac
    echo "FAIL flags_doc: --help lists $f, which README.md's tour of the flags does not name"
    fails=$((fails + 1))
done
[ "$fails" -eq 0 ] || exit 1
echo "flags_doc: ok ($(wc -l <"$T/help") flags)"
