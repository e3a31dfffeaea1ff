#!/bin/sh
# tests/tui/nocolor.sh BUILD: under NO_COLOR (https://no-color.org) the
# screen has no colour at all: classes differ by glyph (the legend shows
# them), the difficulty bar by fill character; the keys and resizes of
# interface.sh act as they do in colour.
. "$(dirname "$0")/common.inc"

# no_colour: no colour SGR code on screen: 30-37, 38;..., 40-47, 48;...,
# 90-97, 100-107 (39 and 49 are the defaults).
no_colour() {
    esc=$(printf '\033')
    T capture-pane -p -e -t ts | grep -Eq "$esc\\[([0-9]*;)*(3[0-8]|4[0-8]|9[0-7]|10[0-7])(;[0-9]*)*m" &&
        fail "colour codes on screen under NO_COLOR"
    return 0
}

start 120 40 NO_COLOR=1 -- --data digits --margin 0.2 --eval-every 50
wait_step_above 0
wait_for '^Siamese .*│Triplet '
wait_for 'easy [0-9]+ [0-9]+%'
no_colour
# The bar's fills are the monochrome ones (light, medium, full).
screen | grep -Eq '^now [░▒█ ]+│now [░▒█ ]+$' || fail "the difficulty bar does not use the monochrome fills"
# One legend beneath both scatters names every class next to its glyph:
# digits' classes 0..9 as "o 0", "x 1", ...
wait_for 'held-out [0-9]+'
screen | grep -Eq '^o 0  x 1  \+ 2  \* 3  # 4  @ 5  % 6  & 7  = 8  \$ 9 *$' ||
    fail "the legend does not show every class with its glyph"
ok "no colour; glyphs per class, fills per difficulty"

T send-keys -t ts m
wait_for 'miner random'
T send-keys -t ts +
wait_for 'miner random  margin 0.25'
ok "m: hardest-neg -> random; +: margin 0.20 -> 0.25"
T send-keys -t ts Space
wait_for 'PAUSED'
s=$(step)
holds_step "$s"
T send-keys -t ts .
wait_step_is $((s + 1))
holds_step $((s + 1))
ok "space pauses at $s; '.' steps exactly once"

T resize-window -t ts -x 80 -y 24
wait_gone 'held-out [0-9]+'
wait_for '^Siamese .*│Triplet '
screen | tail -n 1 | grep -q 'Quit' || fail "no key bar in the compact view"
T resize-window -t ts -x 40 -y 12
wait_for 'need 80x24, have 40x12'
T resize-window -t ts -x 120 -y 40
wait_for 'held-out [0-9]+'
wait_for '^Siamese .*│Triplet '
no_colour
ok "80x24 compact, 40x12 too small, and back, without colour"
quit_ok
