#!/bin/sh
# The finding view's table (src/core/diag_about.c) against the docs and the
# rules:
# - every section it names is how a heading of docs/failure-modes.md starts
#   ("### `too_hard` (warn; triplet)" for "`too_hard`"), once;
# - it names a section for as many findings as the catalogue has headings;
# - every evidence name the rules write (src/core/diag_rules.c,
#   src/core/diagnose.c) has a unit row (a text's or a flag's unit is "").
# Each failure names the section or the evidence name.
ROOT="$(dirname "$0")/../.."
ABOUT="$ROOT/src/core/diag_about.c"
DOC="$ROOT/docs/failure-modes.md"
fails=0
fail() { echo "FAIL about_docs: $*"; fails=$((fails + 1)); }

# The sections: the last string of each about row, "`code`"}.
sections=$(sed -n 's/^ *"\(`[a-z_]*`\)"},$/\1/p' "$ABOUT")
[ -n "$sections" ] || { echo "FAIL about_docs: no sections read from src/core/diag_about.c"; exit 1; }
n=0
for s in $sections; do
    n=$((n + 1))
    c=$(grep -c -F -- "### $s" "$DOC" | tr -d ' ')
    h=$(grep -E -c -- "^### $s( |\$)" "$DOC" | tr -d ' ')
    [ "$h" = 1 ] || fail "src/core/diag_about.c names the section $s: docs/failure-modes.md has $h headings '### $s' ($c lines)"
done
headings=$(grep -c '^### `[a-z_]*`' "$DOC" | tr -d ' ')
[ "$n" = "$headings" ] ||
    fail "src/core/diag_about.c names $n sections, docs/failure-modes.md's catalogue has $headings"

# The evidence names: the quoted first argument of evidence_num/text/flag
# (and both names of a ternary), as the rules write them.
names=$(grep -h 'evidence_[a-z_]*(' "$ROOT/src/core/diag_rules.c" "$ROOT/src/core/diagnose.c" |
    grep -v 'const char \*name' | grep -o '"[a-z][a-z0-9_]*"' | tr -d '"' |
    grep -vx 'nan\|inf' | sort -u)
[ -n "$names" ] || { echo "FAIL about_docs: no evidence names read from src/core/diag_rules.c"; exit 1; }
m=0
for e in $names; do
    m=$((m + 1))
    grep -q "{\"$e\", " "$ABOUT" ||
        fail "the rules write evidence '$e', which src/core/diag_about.c's units table lacks"
done

[ "$fails" -eq 0 ] || exit 1
echo "about_docs: ok ($n sections, $m evidence names)"
