#!/bin/sh
# tests/tui/findview.sh BUILD: the finding view (Tab / i) and the codes on
# the diagnosis panel, at 80 x 24 and 100 x 30.
# - --scenario nothing-mined --pause-on raised: paused at step 50 with
#   nothing_mined and no_positives raised; each panel line shows its code,
#   and the finding the run paused at (no_positives) is marked ">";
# - Tab opens the view on it: its code, "raised at step", the whole message
#   (the headless JSON line's "message", word for word, no ellipsis), its
#   evidence with units, what it means, "p: sampler uniform -> pk" (what p
#   changes now) and its section of docs/failure-modes.md (a heading there);
#   Tab goes to the other finding, Shift-Tab back; p acts with the view open,
#   and the view then says what p changes from the new setting; Esc closes
#   (the columns are back), i opens and i closes;
# - --scenario too-hard --data fashion-small (three findings, the third,
#   siamese_ahead, says "see too_hard zero_distance"), paused at each raise:
#   at 100 x 30 all three codes show, siamese_ahead marked; at 80 x 24 two
#   lines show (the marked one kept), "+1 more: Tab", and no line names a
#   code that is not on screen; Tab opens siamese_ahead whole, and Tab goes
#   round to too_hard, whole.
. "$(dirname "$0")/common.inc"

# json_message CODE ARGS...: the message of CODE's raised line, headless.
json_message() {
    code=$1
    shift
    "$BIN" --headless "$@" 2>/dev/null |
        grep "\"code\":\"$code\",\"state\":\"raised\"" | head -n 1 |
        sed 's/.*"message":"\([^"]*\)".*/\1/'
}

# view_message: the message as the view shows it: the rows between its head
# ("... raised at step N") and "Evidence", joined with single spaces.
view_message() {
    screen | awk '/^ [A-Z]+  [^ ]+  [a-z_]+  raised at step [0-9]+/ { on = 1; next } /^ Evidence/ { on = 0 } on' |
        sed 's/^ *//; s/ *$//' | paste -sd' ' -
}

# check_whole CODE JSON: the view shows CODE's head and JSON's message whole.
check_whole() {
    wait_for "^ [A-Z]+  [^ ]+  $1  raised at step [0-9]+" 5
    got=$(view_message)
    [ "$got" = "$2" ] || fail "the view's message of $1 is '$got', the JSON line's '$2'"
    case "$got" in *…*|*...*) fail "the view's message of $1 has an ellipsis" ;; esac
}

# The panel lines (below the Diagnosis rule, above the key bar).
panel() { screen | awk '/── Diagnosis/ { on = 1; next } on' | sed '$d'; }

# no_dangling: no panel line names a finding code that no panel line heads.
no_dangling() {
    heads=$(panel | sed -n 's/^[> ]\(ERROR\|WARN \|INFO \) [^ ]* *\([a-z_]*\)  .*/\2/p')
    [ -n "$heads" ] || fail "no finding line with a code on the panel"
    for c in collapse all_easy no_positives self_positive margin_scale norm_drift too_hard \
             diverged no_signal averaging siamese_ahead inverted_pairs zero_distance \
             nothing_mined semihard_fallback label_noise static_triplets dim_collapse overfit; do
        panel | grep -q -- "$c" || continue
        echo "$heads" | grep -qx -- "$c" || fail "the panel names $c, whose line is not on screen"
    done
}

NM_MSG=$(json_message nothing_mined --scenario nothing-mined --steps 60)
NP_MSG=$(json_message no_positives --scenario nothing-mined --steps 60)
[ -n "$NM_MSG" ] && [ -n "$NP_MSG" ] || fail "headless --scenario nothing-mined raised no nothing_mined / no_positives"

for size in "80 24" "100 30"; do
    set -- $size
    W=$1 H=$2
    rm -f "$DIR/status"
    start "$W" "$H" -- --scenario nothing-mined --pause-on raised
    wait_for 'auto-pause: [a-z_]+ raised at step' 30
    wait_for '^[> ]ERROR triplet nothing_mined  press p:' 5
    wait_for '^[> ]WARN  triplet no_positives  press p:' 5
    screen | grep -q '^>WARN  triplet no_positives ' ||
        fail "${W}x$H: the finding the run paused at (no_positives) is not marked '>'"
    no_dangling
    ok "${W}x$H: both codes on the panel, the paused-at finding marked"

    T send-keys -t ts Tab
    wait_for '── Finding [12] of 2 ' 5
    check_whole no_positives "$NP_MSG"
    for e in 'no_positive +[0-9.]+ +share of anchors' 'batch +16 +samples' 'window +50 +steps'; do
        screen | grep -Eq -- "^   $e" || fail "${W}x$H: no evidence row /$e/"
    done
    wait_for '^ What it means' 2
    wait_for '^   p: sampler uniform -> pk$' 2
    # The docs line: scroll to the end when the view is longer than the pane.
    T send-keys -t ts NPage NPage
    wait_for '^   docs/failure-modes.md, section `no_positives`' 5
    wait_for '^   installed: /.*/docs/failure-modes.md' 2
    grep -q '^### `no_positives`' "$(dirname "$0")/../../docs/failure-modes.md" ||
        fail "docs/failure-modes.md has no heading for no_positives"
    ok "${W}x$H: Tab opens no_positives whole: message, evidence with units, meaning, p's change, docs"

    T send-keys -t ts Tab
    check_whole nothing_mined "$NM_MSG"
    screen | grep -q '>ERROR triplet nothing_mined ' || fail "${W}x$H: the panel does not mark the finding shown"
    T send-keys -t ts BTab
    check_whole no_positives "$NP_MSG"
    ok "${W}x$H: Tab shows nothing_mined whole, Shift-Tab back"

    T send-keys -t ts p
    wait_for '^   p: sampler pk -> uniform$' 5
    ok "${W}x$H: p acts with the view open, which says what p changes now"

    T send-keys -t ts Escape
    wait_gone '── Finding ' 5
    wait_for '^Siamese ' 5
    T send-keys -t ts i
    wait_for '── Finding [12] of 2 ' 5
    T send-keys -t ts i
    wait_gone '── Finding ' 5
    ok "${W}x$H: Esc closes the view, i opens and closes it"
    quit_ok
    T kill-session -t ts
done

# Three findings; the third refers to the other two. Paused at each raise,
# so that none clears while the screen is read.
rm -f "$DIR/status"
start 100 30 -- --scenario too-hard --data fashion-small --pause-on raised
for c in too_hard zero_distance siamese_ahead; do
    wait_for "auto-pause: $c raised at step" 60
    [ "$c" = siamese_ahead ] || T send-keys -t ts ' '
done
wait_for '^[> ]WARN  triplet too_hard  press M:' 5
wait_for '^[> ]WARN  triplet zero_distance  press d:' 5
wait_for '^>INFO  both +siamese_ahead  press' 5
no_dangling
ok "100x30: too_hard, zero_distance and siamese_ahead show their codes, the one paused at marked"
T resize-window -t ts -x 80 -y 24
wait_for '\+1 more: Tab$' 5
panel | grep -Eq '^>INFO  both +siamese_ahead  press' ||
    fail "80x24: the panel does not keep the finding paused at (siamese_ahead) in view, marked"
no_dangling
ok "80x24: two lines (the one paused at kept), '+1 more: Tab', and no line names a finding not on screen"
T send-keys -t ts Tab
wait_for '── Finding 3 of 3 ' 5
wait_for '^ INFO  both  siamese_ahead  raised at step' 5
# Its MAP@R gap differs from a headless run's (the interface evaluates 1000
# held-out points): the words around it are the rule's.
got=$(view_message)
echo "$got" | grep -Eqx "the Siamese model's MAP@R is [0-9.]+ ahead on the same batches; see (too_hard zero_distance|zero_distance too_hard)" ||
    fail "the view's siamese_ahead message is '$got'"
T send-keys -t ts Tab
check_whole too_hard "$(json_message too_hard --scenario too-hard --data fashion-small --steps 120)"
ok "80x24: Tab opens siamese_ahead (paused at) whole, its references included; Tab goes round to too_hard"
quit_ok
T kill-session -t ts

# A notice longer than the rule (an export's failure at 80x24) is cut there
# with "(i: whole)"; the view shows it whole.
rm -f "$DIR/status"
: >"$DIR/notadir"
long="$DIR/notadir/a/long/path/that/cannot/be/made/because/notadir/is/a/file"
start 80 24 -- --data digits --eval-every 0 --export-dir "$long"
wait_step_above 0
T send-keys -t ts e
wait_for 'Diagnosis .*export failed: .*… \(i: whole\)' 5
T send-keys -t ts i
wait_for '^ *Notice: export failed' 5
# Wrapped at a space or, in the path, anywhere: compared without spaces.
got=$(screen | sed -n '/^ *Notice: export failed/,$p' | sed -n '1,5p' | tr -d ' \n')
case "$got" in
*"Notice:exportfailed:$long/tripletscope-seed0-step"*".json:Notadirectory"*) ;;
*) fail "the view does not show the export's failure whole: '$got'" ;;
esac
ok "80x24: a cut notice says '(i: whole)', and the view shows it whole"
quit_ok
