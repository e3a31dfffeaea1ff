#!/bin/sh
# tests/tui/nocolor.sh BUILD: under NO_COLOR (https://no-color.org) the
# screen has no colour at all: classes differ by glyph (the legend shows
# them), the difficulty bar by fill character; keys and q work as ever.
. "$(dirname "$0")/common.inc"

start 120 40 NO_COLOR=1 -- --data digits
wait_step_above 0
wait_for '^Siamese .*│Triplet '
wait_for 'easy [0-9]+ [0-9]+%'
# Colour SGR codes: 30-37, 38;..., 40-47, 48;..., 90-97, 100-107 (39 and 49 are the defaults).
esc=$(printf '\033')
T capture-pane -p -e -t ts | grep -Eq "$esc\\[([0-9]*;)*(3[0-8]|4[0-8]|9[0-7]|10[0-7])(;[0-9]*)*m" &&
    fail "colour codes on screen under NO_COLOR"
# The bar's fills are the monochrome ones (light, medium, full).
screen | grep -Eq '^now [░▒█ ]+│now [░▒█ ]+$' || fail "the difficulty bar does not use the monochrome fills"
# One legend beneath both scatters names every class next to its glyph:
# digits' classes 0..9 as "o 0", "x 1", ...
wait_for 'held-out [0-9]+'
screen | grep -Eq '^o 0  x 1  \+ 2  \* 3  # 4  @ 5  % 6  & 7  = 8  \$ 9 *$' ||
    fail "the legend does not show every class with its glyph"
ok "no colour; glyphs per class, fills per difficulty"

T send-keys -t ts Space
wait_for 'PAUSED'
quit_ok
