#!/bin/sh
# tests/tui/layout.sh BUILD: what must stay on screen at the sizes the spec
# names: at 100x30 (the full view) the class legend names every class, with
# one glyph per class on an 8-colour terminal, and so does the compact
# 80x24 view's projection (v); at 80x24 a long data file name gives way in
# the header, which keeps the step and PAUSED.
. "$(dirname "$0")/common.inc"

# legend_has GLYPH NAME...: the legend shows each NAME after GLYPH.
legend_has() {
    g=$1
    shift
    for name in "$@"; do
        screen | grep -qF -- "$g $name" || fail "the legend lacks \"$g $name\""
    done
}

start 100 30 -- --data digits --eval-every 50
wait_step_above 0
wait_for 'held-out [0-9]+'
legend_has '⣿' 0 1 2 3 4 5 6 7 8 9
ok "100x30, digits: the legend names all 10 classes"
T kill-session -t ts

# 8 colours: 7 distinct hues for 10 classes, so glyphs tell them apart.
start 100 30 TERM=xterm -- --data digits --eval-every 50
wait_for 'held-out [0-9]+'
screen | grep -Eq '^o 0  x 1  \+ 2  \* 3  # 4  @ 5  % 6  & 7  = 8  \$ 9 *$' ||
    fail "TERM=xterm: the legend does not give each class its own glyph"
ok "100x30, 8 colours: one glyph per class in the legend"
T kill-session -t ts

if [ -d /usr/share/datasets/fashion-mnist ]; then
    start 100 30 -- --data fashion --eval-every 50
    wait_for 'held-out [0-9]+' 40
    legend_has '⣿' T-shirt/top Trouser Pullover Dress Coat Sandal Shirt Sneaker Bag 'Ankle boot'
    ok "100x30, fashion: the legend names all 10 classes"
    T resize-window -t ts -x 80 -y 24
    wait_gone 'held-out [0-9]+'
    T send-keys -t ts v
    wait_for 'held-out [0-9]+'
    legend_has '⣿' T-shirt/top Trouser Pullover Dress Coat Sandal Shirt Sneaker Bag 'Ankle boot'
    ok "80x24, fashion, v: the legend names all 10 classes"
    T kill-session -t ts
else
    ok "fashion not installed: its legend is not checked"
fi

# A long data file name: the name is shortened, the step and state stay.
long="$DIR/my_handwritten_digits_dataset.csv"
tail -n +2 datasets/iris.csv > "$long"
start 80 24 -- --data "$long" --batch 60 --k 20
wait_step_above 0
T send-keys -t ts Space
wait_for '^tripletscope .*│ step [0-9]+ │.*PAUSED'
screen | head -n 1 | grep -q 'my_han.*csv' || fail "the header does not show the (shortened) name"
ok "80x24, a long file name: the header keeps step and PAUSED"
quit_ok
