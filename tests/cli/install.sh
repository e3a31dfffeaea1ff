#!/bin/sh
# make install / uninstall honour PREFIX and DESTDIR; the installed binary
# runs from anywhere (the digits are inside it) and its --help names where
# its docs went; the man page and the docs are installed (the docs as in the
# clone); uninstall leaves nothing.
#
# A PREFIX other than the build's rebuilds the two help files that name the
# docs' directory (the Makefile's $(BUILD)/docdir), so this installs from a
# copy of the build: the build under test stays as it was. Run from make
# (make check, make asan), the copy is rebuilt with that make's flags.
B=${1:-build}
D=$(mktemp -d)
trap 'rm -rf "$D"' EXIT
fails=0
fail() { echo "FAIL install: $*"; fails=$((fails + 1)); }

cp -Rp "$B" "$D/build" || exit 1
rm -rf "$D/build/tests"
ROOT="$D/root"
PREFIX=/opt/ts
DOCS="$ROOT$PREFIX/share/doc/tripletscope"
MAN="$ROOT$PREFIX/share/man/man1/tripletscope.1"
make -s --no-print-directory BUILD="$D/build" install DESTDIR="$ROOT" PREFIX="$PREFIX" >/dev/null ||
    { echo "FAIL install: make install failed"; exit 1; }

[ -x "$ROOT$PREFIX/bin/tripletscope" ] || fail "no binary under DESTDIR/PREFIX/bin"
(cd / && "$ROOT$PREFIX/bin/tripletscope" --headless --data digits --steps 3 --log-every 3 | grep -q '"type":"summary"') ||
    fail "the installed binary did not run from /"
"$ROOT$PREFIX/bin/tripletscope" --help | grep -qx "  $PREFIX/share/doc/tripletscope/docs" ||
    fail "the installed binary's --help does not name $PREFIX/share/doc/tripletscope/docs"

# The man page, naming the docs where they went (and not the default place).
[ -f "$MAN" ] || fail "no man page at DESTDIR/PREFIX/share/man/man1/tripletscope.1"
if [ -f "$MAN" ]; then
    grep -q "$PREFIX/share/doc/tripletscope" "$MAN" || fail "the installed man page does not name $PREFIX's docs"
    grep -q "/usr/local/share/doc" "$MAN" && fail "the installed man page still names /usr/local/share/doc"
    if command -v man >/dev/null 2>&1; then
        [ "$(man -M "$ROOT$PREFIX/share/man" -w tripletscope 2>/dev/null)" = "$MAN" ] ||
            fail "man -M PREFIX/share/man does not find tripletscope"
    fi
fi

# The docs: README.md, docs/*.md, the Python writer, the data sets'
# attribution, each as in the clone.
for f in README.md docs/*.md python/tripletscope_dump.py datasets/README.md; do
    cmp -s "$f" "$DOCS/$f" || fail "$f is not installed as DOCDIR/$f"
done

make -s --no-print-directory BUILD="$D/build" uninstall DESTDIR="$ROOT" PREFIX="$PREFIX" >/dev/null ||
    fail "make uninstall failed"
left=$(find "$ROOT" -type f | wc -l)
[ "$left" -eq 0 ] || fail "$left files left after uninstall: $(find "$ROOT" -type f | head -3 | tr '\n' ' ')"
[ -d "$DOCS" ] && fail "uninstall left the docs' directory $DOCS"
[ "$fails" -eq 0 ] || exit 1
echo "install: ok"
