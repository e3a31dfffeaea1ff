#!/bin/sh
# make install / uninstall honour PREFIX and DESTDIR; the installed binary
# runs from anywhere (the digits are inside it); uninstall leaves nothing.
B=${1:-build}
D=$(mktemp -d)
trap 'rm -rf "$D"' EXIT
make -s --no-print-directory BUILD="$B" install DESTDIR="$D" PREFIX=/opt/ts >/dev/null || exit 1
[ -x "$D/opt/ts/bin/tripletscope" ] || { echo "FAIL: not installed under DESTDIR/PREFIX"; exit 1; }
(cd / && "$D/opt/ts/bin/tripletscope" --headless --data digits --steps 3 --log-every 3 | grep -q '"type":"summary"') ||
    { echo "FAIL: the installed binary did not run from /"; exit 1; }
make -s --no-print-directory BUILD="$B" uninstall DESTDIR="$D" PREFIX=/opt/ts >/dev/null || exit 1
left=$(find "$D" -type f | wc -l)
[ "$left" -eq 0 ] || { echo "FAIL: $left files left after uninstall"; exit 1; }
echo "install: ok"
