#!/bin/sh
# Installs the Debian packages tripletscope needs, when they are missing.
# As root it runs apt-get; otherwise it prints the exact command and stops.
#   sh scripts/setup.sh        what `make run` and `make test` need
#   sh scripts/setup.sh fuzz   that, and clang with libFuzzer for `make fuzz`
set -u
PKGS="gcc make libc6-dev pkg-config libncurses-dev libopenblas-dev zlib1g-dev libcmocka-dev tmux dataset-fashion-mnist python3-numpy groff-base"
# Only `make fuzz` needs clang: Debian's clang-14, and its runtime
# libraries (libFuzzer, the sanitizers), which Debian only recommends.
if [ "${1:-}" = fuzz ]; then PKGS="$PKGS clang-14 libclang-rt-14-dev"; fi

if ! command -v dpkg-query >/dev/null 2>&1; then
    # Not Debian: trust pkg-config and say what we could not check.
    if pkg-config --exists ncursesw openblas zlib cmocka 2>/dev/null; then exit 0; fi
    echo "setup: not a Debian system; install ncursesw, OpenBLAS, zlib, cmocka, pkg-config and tmux, then run make again" >&2
    exit 1
fi

missing=""
for p in $PKGS; do
    st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)
    case "$st" in *"install ok installed"*) ;; *) missing="$missing $p" ;; esac
done
[ -z "$missing" ] && exit 0

cmd="apt-get install -y --no-install-recommends$missing"
if [ "$(id -u)" -ne 0 ]; then
    echo "setup: missing Debian packages:$missing" >&2
    echo "setup: run this, then 'make' again:" >&2
    echo "    sudo apt-get update && sudo $cmd" >&2
    exit 1
fi
echo "setup: installing$missing"
export DEBIAN_FRONTEND=noninteractive
if ! apt-get install -y -qq --no-install-recommends $missing >/dev/null 2>&1; then
    apt-get update -qq && apt-get install -y -qq --no-install-recommends $missing || {
        echo "setup: apt-get could not install:$missing" >&2; exit 1; }
fi
