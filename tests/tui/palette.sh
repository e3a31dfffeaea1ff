#!/bin/sh
# tests/tui/palette.sh BUILD: colours and the loss axis.
# - The difficulty segments keep their own fill in colour, as without: in
#   the bar and the strip, easy, semi-hard and hard are three fills, each in
#   one colour, its label's (UTF-8 and ASCII);
# - --palette colorblind draws them, the models' curves and the classes in
#   its colours, 256 and 8 (TERM=xterm), and the help's Colours line says
#   which; under NO_COLOR no colour shows;
# - g turns the loss axis to log (labelled), to the recent steps and back;
#   paused, the row under the axis gives the loss at each key marker;
# - a bad --palette is one line on stderr and status 2.
. "$(dirname "$0")/common.inc"

# colours: reads the screen with its escape codes and prints, once each,
# "TOKEN FG" for every cell of the "now" bars and the first "run" strip rows
# (TOKEN: the fill) and for the difficulty line's labels ("easy", "semi",
# "hard": its coloured words, in order, in any of its forms: easy or e),
# FG being the foreground's colour number (d: the terminal's own). SGR
# codes: 0 and 39 reset, 3N and 9N the basic colours, 38;5;N the 256.
colours() {
    T capture-pane -p -e -t ts | LC_ALL=C awk '
    BEGIN { ESC = sprintf("%c", 27); split("easy semi hard", name, " ") }
    function sgr(p,    a, m, q) {
        if (p == "") { fg = "d"; return }
        m = split(p, a, ";")
        for (q = 1; q <= m; q++) {
            if (a[q] == "0" || a[q] == "39") fg = "d"
            else if (a[q] == "38" && a[q + 1] == "5") { fg = a[q + 2]; q += 2 }
            else if (a[q] ~ /^3[0-7]$/) fg = a[q] - 30
            else if (a[q] ~ /^9[0-7]$/) fg = a[q] - 90 + 8
        }
    }
    {
        line = $0; n = length(line); fg = "d"; plain = ""; on = 0; diff = 0; i = 1
        text = line
        gsub(ESC "\\[[0-9;]*[A-Za-z]", "", text)
        isdiff = text ~ /^(e|easy) [0-9]/
        while (i <= n) {
            c = substr(line, i, 1)
            if (c == ESC && substr(line, i + 1, 1) == "[") {
                j = i + 2
                while (j <= n && substr(line, j, 1) !~ /[A-Za-z]/) j++
                if (substr(line, j, 1) == "m") sgr(substr(line, i + 2, j - i - 2))
                i = j + 1
                continue
            }
            ch = c
            t = substr(line, i, 3)
            if (t == "░" || t == "▒" || t == "█" || t == "│") ch = t
            start = plain == "" || plain ~ /(│|\|)$/
            if (start && isdiff) { diff = 1; k = 0; run = "" }
            if (ch == "│" || ch == "|") { on = 0; diff = 0 }
            else if (on && ch != " ") print ch, fg
            else if (diff && ch != " ") {
                if (fg == "d") run = ""
                else if (fg != run && k < 3) { print name[++k], fg; run = fg }
            }
            plain = plain ch
            if (plain ~ /(^|│|\|)(now|run) $/) on = 1
            i += length(ch)
        }
    }' | sort -u
}

# check_fills EASY SEMI HARD "F1 F2 F3": the three fills (e.g. "░ ▒ █") each
# in one colour, EASY, SEMI and HARD (any three distinct colours for "-"),
# each label in its fill's colour, and nothing else in the bars.
check_fills() {
    colours >"$DIR/colours"
    k=0
    for want in "$1" "$2" "$3"; do
        k=$((k + 1))
        f=$(echo "$4" | cut -d' ' -f$k)
        label=$(echo "easy semi hard" | cut -d' ' -f$k)
        got=$(grep -F -- "$f " "$DIR/colours" | cut -d' ' -f2)
        [ -n "$got" ] || fail "no '$f' ($label) cell in the bars: $(tr '\n' ' ' <"$DIR/colours")"
        [ "$(echo "$got" | wc -l)" = 1 ] || fail "the '$f' ($label) cells have several colours: $got"
        [ "$got" != d ] || fail "the '$f' ($label) cells are not coloured"
        [ "$want" = - ] || [ "$got" = "$want" ] || fail "'$f' ($label) is in colour $got, not $want"
        grep -qx -- "$label $got" "$DIR/colours" ||
            fail "the label $label is not in its fill's colour $got: $(tr '\n' ' ' <"$DIR/colours")"
        eval "c$k=\$got"
    done
    [ "$c1" != "$c2" ] && [ "$c2" != "$c3" ] && [ "$c1" != "$c3" ] ||
        fail "the three segments share colours: $c1 $c2 $c3"
    other=$(grep -v -e '^easy ' -e '^semi ' -e '^hard ' "$DIR/colours" | grep -vF \
        -e "$(echo "$4" | cut -d' ' -f1) " -e "$(echo "$4" | cut -d' ' -f2) " -e "$(echo "$4" | cut -d' ' -f3) ")
    [ -z "$other" ] || fail "the bars hold other cells than the three fills: $other"
}

# Random labels (noise): every segment stays in the batch whatever the
# model learns. Paused at step 100 by the script's space, after n at 30
# (both models) and M at 60 (the triplet model).
SCRIPT="30:n,60:M,100: "
MARGIN=0.05

# --- The default palette: three fills in three colours ------------------------------
start 80 24 -- --data noise --margin "$MARGIN" --script "$SCRIPT"
wait_for 'PAUSED'
wait_for '^(easy|e) .*│(easy|e) '
check_fills 2 3 1 "░ ▒ █"
ok "default palette: easy ░ green, semi-hard ▒ yellow, hard █ red, labels alike"

# --- The loss axis --------------------------------------------------------------
# Paused: the loss at each marker under the axis, in the markers' order.
num='(-?[0-9.]+(e-?[0-9]+)?|nan|inf)'
wait_for "^  loss n $num +│  loss n $num  M $num *\$"
screen | grep -Eq '^  step 1─*n─*[0-9]+│  step 1─*n─*M─*[0-9]+$' ||
    fail "the axis rows do not show the markers' keys"
ok "paused: the loss at each key marker under the axis"
T send-keys -t ts g
wait_for '^   log [^│]*│   log '
screen | grep -Eq '^  step 1' || fail "the log view lost the axis row"
ok "g: the log axis, labelled log"
T send-keys -t ts g
wait_gone '^   log '
wait_for '^recent [0-9]+─.*│recent [0-9]+─'
ok "g again: the recent steps, labelled recent"
T send-keys -t ts g
wait_gone '^recent '
wait_for '^  step 1─.*│  step 1─'
ok "g again: the whole run, linear"
T send-keys -t ts Space
wait_for 'RUNNING'
wait_gone '^  loss n '
ok "running: the markers' values go"
T kill-session -t ts

# --- ASCII: the fills are . + #, in colour too ------------------------------------
start 80 24 LANG=C -- --data noise --margin "$MARGIN" --script "$SCRIPT"
wait_for 'PAUSED'
wait_for '^(easy|e) .*\|(easy|e) '
check_fills 2 3 1 ". + #"
T send-keys -t ts g
wait_for '^   log [^|]*\|   log '
ok "LANG=C: easy . semi-hard + hard #, each in its colour; g: log"
T kill-session -t ts

# --- colorblind, 256 colours --------------------------------------------------------
start 80 24 -- --data noise --margin "$MARGIN" --palette colorblind --script "$SCRIPT"
wait_for 'PAUSED'
wait_for '^(easy|e) .*│(easy|e) '
check_fills 33 220 160 "░ ▒ █"
esc=$(printf '\033')
T capture-pane -p -e -t ts | sed -n 2p | grep -q "${esc}\\[38;5;39mloss " ||
    fail "the Siamese loss is not sky blue (39)"
T capture-pane -p -e -t ts | sed -n 2p | grep -q "${esc}\\[38;5;214mloss " ||
    fail "the triplet loss is not orange (214)"
T send-keys -t ts '?'
wait_for 'tripletscope help'
# To the end of the help: PgDn past it (clamped there).
for i in 1 2 3 4 5 6 7 8 9 10 11 12; do T send-keys -t ts NPage; done
wait_for 'Colours: --palette colorblind \(Okabe & Ito.s hues\), 256 colours'
ok "colorblind, 256 colours: blue 33, yellow 220, vermillion 160; sky blue and orange curves; the help says so"
T kill-session -t ts

# The classes: iris's 3 in its class colours (braille), digits' 10 by glyph.
start 100 30 -- --data iris --batch 60 --palette colorblind --eval-every 20
wait_for 'held-out [0-9]+'
wait_for '⣿ setosa'
# (the legend's glyph: tmux may set the background between colour and glyph)
T capture-pane -p -e -t ts | grep -Eq "${esc}\\[38;5;214m(${esc}\\[49m)?⣿" ||
    fail "iris's first class is not orange"
T kill-session -t ts
start 100 30 -- --data digits --palette colorblind --eval-every 50
wait_for 'held-out [0-9]+'
screen | grep -Eq '^o 0  x 1  \+ 2  \* 3  # 4  @ 5  % 6  & 7  = 8  \$ 9 *$' ||
    fail "colorblind: digits' 10 classes are not told apart by glyph"
ok "colorblind: 3 classes by colour, 10 by glyph"
T kill-session -t ts

# --- colorblind, 8 colours ------------------------------------------------------------
start 80 24 TERM=xterm -- --data noise --margin "$MARGIN" --palette colorblind --script "$SCRIPT"
wait_for 'PAUSED'
wait_for '^(easy|e) .*│(easy|e) '
check_fills 6 3 1 "░ ▒ █"
T send-keys -t ts '?'
wait_for 'tripletscope help'
# To the end of the help: PgDn past it (clamped there).
for i in 1 2 3 4 5 6 7 8 9 10 11 12; do T send-keys -t ts NPage; done
wait_for "Colours: --palette colorblind \\(Okabe & Ito.s hues\\), this terminal.s 8 "
screen | grep -q "colours, the nearest to them: easy cyan, semi-hard yellow, hard red;" ||
    fail "the help does not say the 8 colours are the nearest"
ok "colorblind, 8 colours: cyan, yellow, red; the help says it takes the nearest 8"
T kill-session -t ts

# --- NO_COLOR wins --------------------------------------------------------------------
start 80 24 NO_COLOR=1 -- --data noise --margin "$MARGIN" --palette colorblind --script "$SCRIPT"
wait_for 'PAUSED'
wait_for '^(easy|e) .*│(easy|e) '
T capture-pane -p -e -t ts | grep -Eq "$esc\\[([0-9]*;)*(3[0-8]|4[0-8]|9[0-7]|10[0-7])(;[0-9]*)*m" &&
    fail "colour codes on screen under NO_COLOR with --palette colorblind"
colours | grep -q '^░ d$' || fail "no light fill (easy) under NO_COLOR"
ok "NO_COLOR with --palette colorblind: no colour, the fills stay"
quit_ok

# --- A bad name -----------------------------------------------------------------------
"$BIN" --palette pastel >"$DIR/out" 2>"$DIR/err"
st=$?
[ "$st" = 2 ] || fail "--palette pastel: status $st, not 2"
[ "$(wc -l <"$DIR/err")" = 1 ] || fail "--palette pastel: not one line on stderr: $(cat "$DIR/err")"
grep -qx 'tripletscope: --palette: expected default or colorblind, got "pastel"' "$DIR/err" ||
    fail "--palette pastel: $(cat "$DIR/err")"
[ -s "$DIR/out" ] && fail "--palette pastel wrote to stdout"
"$BIN" --palette 2>"$DIR/err" >/dev/null
st=$?
[ "$st" = 2 ] && grep -q -- '--palette: needs a value' "$DIR/err" || fail "--palette without a value: status $st, $(cat "$DIR/err")"
"$BIN" --headless --data blobs --steps 3 --palette colorblind >/dev/null 2>"$DIR/err" ||
    fail "--palette colorblind --headless: $(cat "$DIR/err")"
ok "a bad --palette: one line, status 2; headless takes a good one"
