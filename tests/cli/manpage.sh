#!/bin/sh
# The man page, man/tripletscope.1, against the program:
# - it renders without a warning (groff -man -ww);
# - its OPTIONS section names every flag --help lists (the left column, as
#   flags_doc.sh reads it), and the page names no flag --help does not list;
# - its KEYS section has a tag for every key letter of the command table
#   (src/core/command.c; a space is "Space") and every key of the interface's
#   key table (src/ui/keys.c: the words of each row's label, as "? F1"), and
#   no tag for a key neither table has;
# - its title gives the version --version prints.
# Each failure says which flag or key is missing, and where.
B=${1:-build}
BIN="$B/tripletscope"
ROOT="$(dirname "$0")/../.."
PAGE="$ROOT/man/tripletscope.1"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL manpage: $*"; fails=$((fails + 1)); }

[ -f "$PAGE" ] || { echo "FAIL manpage: no man/tripletscope.1"; exit 1; }
command -v groff >/dev/null 2>&1 ||
    { echo "FAIL manpage: groff is missing (Debian's groff-base: sh scripts/setup.sh installs it)"; exit 1; }

# --- It renders without a warning ----------------------------------------------------
groff -man -ww -z -Tutf8 "$PAGE" >"$T/warn" 2>&1 || fail "groff -man could not render man/tripletscope.1"
[ -s "$T/warn" ] && fail "man/tripletscope.1 renders with warnings (groff -man -ww -z):" && sed 's/^/    /' "$T/warn"

# The text a reader sees, on lines long enough that no paragraph wraps (and
# the page does not hyphenate: .nh), without bold or underline.
groff -man -Tutf8 -rLL=2000n -P-cbou "$PAGE" >"$T/text" 2>/dev/null
section() { awk -v s="$1" '/^[A-Z][A-Z ]*$/ { on = ($0 == s); next } on' "$T/text"; }
section OPTIONS >"$T/options"
[ -s "$T/options" ] || fail "man/tripletscope.1 has no OPTIONS section"

# --- Flags -------------------------------------------------------------------------
"$BIN" --help | grep -- '^  -' | cut -c1-21 | grep -o -- '--[a-z][a-z-]*' | sort -u >"$T/help"
[ -s "$T/help" ] || { echo "FAIL manpage: no flags read from --help"; exit 1; }
for f in $(cat "$T/help"); do
    grep -Eq -- "(^|[^a-z-])$f([^a-z-]|\$)" "$T/options" ||
        fail "--help lists $f, which man/tripletscope.1's OPTIONS section does not document"
done
grep -o -- '--[a-z][a-z-]*' "$T/text" | sort -u >"$T/named"
for f in $(comm -23 "$T/named" "$T/help"); do
    fail "man/tripletscope.1 names $f, which --help does not list"
done

# --- Keys --------------------------------------------------------------------------
# The tags of the KEYS section: the line after each .TP, its macro, fonts,
# quotes and escapes taken off, split at commas and spaces.
awk '/^\.SH/ { on = ($0 ~ /^\.SH "?KEYS"?$/); next }
     on && /^\.TP/ { tag = 1; next }
     on && tag { print; tag = 0 }' "$PAGE" |
    sed -e 's/^\.[A-Z]*[[:space:]]*//' -e 's/\\f[BIRP]//g' -e 's/\\-/-/g' -e 's/\\&//g' \
        -e 's/\\e/\\/g' -e 's/"//g' |
    tr ', ' '\n\n' | grep -v '^$' | sort -u >"$T/tags"
[ -s "$T/tags" ] || fail "man/tripletscope.1 has no key tags in a KEYS section"

# The command table's letters ({CMD_X, {'m', ...), a space as "Space".
grep -o "^ *{CMD_[A-Z_]*, {'[^']*'" "$ROOT/src/core/command.c" | sed "s/.*{'//; s/'\$//; s/^ \$/Space/" |
    sort -u >"$T/letters"
[ -s "$T/letters" ] || { echo "FAIL manpage: no letters read from src/core/command.c"; exit 1; }
while IFS= read -r k; do
    grep -qxF -- "$k" "$T/tags" ||
        fail "the command table's key '$k' (src/core/command.c) has no tag in man/tripletscope.1's KEYS section"
done <"$T/letters"

# The interface's keys: each row's label ({{'m', 'M'}, {...}, "m M", ...), word by word.
grep -o '{CMD_[A-Z_, ]*}, "[^"]*"' "$ROOT/src/ui/keys.c" | sed 's/.*, "//; s/"$//' | tr ' ' '\n' |
    grep -v '^$' | sort -u >"$T/labels"
[ -s "$T/labels" ] || { echo "FAIL manpage: no key labels read from src/ui/keys.c"; exit 1; }
while IFS= read -r k; do
    grep -qxF -- "$k" "$T/tags" ||
        fail "the interface's key '$k' (src/ui/keys.c) has no tag in man/tripletscope.1's KEYS section"
done <"$T/labels"

sort -u "$T/letters" "$T/labels" >"$T/keys"
while IFS= read -r k; do
    grep -qxF -- "$k" "$T/keys" ||
        fail "man/tripletscope.1's KEYS section has a tag '$k', a key of neither src/core/command.c nor src/ui/keys.c"
done <"$T/tags"

# --- Version -----------------------------------------------------------------------
v=$("$BIN" --version | awk '{ print $2 }')
grep -q "^\.TH .*\"tripletscope $v\"" "$PAGE" || fail "man/tripletscope.1's .TH line does not say \"tripletscope $v\""

[ "$fails" -eq 0 ] || exit 1
echo "manpage: ok ($(wc -l <"$T/help") flags, $(wc -l <"$T/keys") keys)"
