#!/bin/sh
# tests/tui/projscale.sh BUILD: the projection keeps its scale. A healthy
# normalised run (facenet on digits) draws a spread cloud on [-1, 1] with its
# extent beside the margin and no collapse; batch-hard on Fashion-MNIST
# (--scenario collapse, skipped without the data set) draws the triplet
# model's collapsed cloud as (nearly) one point and says so. The norms row
# says "raw norm" when the distance normalises, "norm" when not, and shows a
# pair (mean and std) in one format: both with an exponent or neither.
. "$(dirname "$0")/common.inc"

# proj_cells COL: the non-blank cells of column COL's (1: Siamese, 2:
# triplet) scatter, the rows under its projection title down to the legend.
proj_cells() {
    screen | awk -v col="$1" -F '│' '
        /PCA [0-9]+%|collapsed/ && !on { on = 1; next }
        on && NF < 2 { exit }
        on { print $col }' | tr -d ' \n' | LC_ALL=C.UTF-8 wc -m
}

start 100 30 -- --data digits --preset facenet --eval-every 50
wait_for 'held-out [0-9]+, PCA [0-9]+%, extent [0-9.]+ \(m 1\.00\) .*│held-out [0-9]+, PCA [0-9]+%, extent [0-9.]+ \(m 0\.20\)'
screen | grep -q collapsed && fail "a healthy run is said to be collapsed"
for c in 1 2; do
    n=$(proj_cells $c)
    [ "$n" -ge 20 ] || fail "column $c: a healthy projection drew only $n cells"
done
ok "facenet on digits: a spread cloud on ±1, the extent beside the margin, no collapse"
wait_for '^raw norm [^ ]+±[^ ]+ .*│raw norm [^ ]+±'
ok "normalised: the norms row says raw norm"
T kill-session -t ts

# lr 10 on raw digits: norms of about 1e7 with a std of about 1e6, which
# used to read 3.48e7+-5974488.
start 100 30 -- --data digits --lr 10 --eval-every 0
wait_for '^norm [0-9.]+e[0-9]+±'
screen | grep -q 'raw norm' && fail "raw embeddings: the norms row should say norm, not raw norm"
screen | grep -Eq 'norm [0-9.]+e[0-9]+±[0-9.]+ |norm [0-9.]+±[0-9.]+e[0-9]+ ' &&
    fail "a norm pair mixes an exponent with fixed point"
ok "raw: the norms row says norm, its pair in one format"
T kill-session -t ts

if [ -d /usr/share/datasets/fashion-mnist ]; then
    start 100 30 -- --scenario collapse
    wait_for '│extent [0-9.e-]+ \(m(argin)? 0\.20\): collapsed to a point' 40
    n=$(proj_cells 2)
    [ "$n" -ge 1 ] && [ "$n" -le 3 ] || fail "a collapsed projection drew $n cells, not one point"
    ok "collapse: the triplet model's cloud is one point, labelled with its extent and margin"
    quit_ok
else
    ok "fashion not installed: the collapse is not drawn"
fi
