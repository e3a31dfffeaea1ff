#!/bin/sh
# tests/tui/watch.sh BUILD: the interface attached to two runs' dumps
# (--watch DIR --watch DIR2), written by the trainer's own --dump: both
# column titles show the runs' names (run.json's), Left shows the step
# before and "f follows", f follows again, a what-if key (m) changes the
# miner the dumps are measured under, the key bar shows the timeline keys
# and not pause; at 100x30 and 80x24 the header and the titles keep whole
# forms (nothing cut off); q restores the terminal. Skipped, with a
# message, while the binary refuses --dump or --watch.
. "$(dirname "$0")/common.inc"

skip() {
    echo "ok ($NAME): skipped: $*"
    exit 0
}

# Two runs of 200 steps, a dump every 10 (steps 10..200: 20 dumps each).
runs="$DIR/runs"
"$BIN" --headless --steps 200 --dump "$runs" --dump-every 10 --data blobs \
    >"$DIR/dump.out" 2>"$DIR/dump.err" ||
    skip "--dump is refused ($(head -n 1 "$DIR/dump.err"))"
[ -f "$runs/siamese/run.json" ] && [ -f "$runs/triplet/run.json" ] ||
    skip "--dump wrote no run.json"
# Names of the runs' own, so the titles are seen to come from run.json.
for k in siamese triplet; do
    sed "s/\"name\": *\"$k\"/\"name\":\"my-$k-run\"/" "$runs/$k/run.json" >"$DIR/run.json" &&
        mv "$DIR/run.json" "$runs/$k/run.json"
done
grep -q '"my-triplet-run"' "$runs/triplet/run.json" || fail "could not rename the run in run.json"
"$BIN" --headless --watch "$runs/siamese" --watch "$runs/triplet" >"$DIR/watch.out" 2>"$DIR/watch.err" ||
    skip "--watch is refused ($(head -n 1 "$DIR/watch.err"))"

# whole_forms W: the header ends in a whole segment and each title in a
# whole number (a cut-off text would end in a part of one, or at the edge).
whole_forms() {
    w=$1
    head=$(screen | sed -n 1p)
    printf '%s\n' "$head" | grep -Eq '(following|newest dump|\(f follows\)|paused|rank 0 of [0-9]+ read|rank 0/[0-9]+|rows|[0-9]+/[0-9]+|█|░|%) *$' ||
        fail "${w} columns: the header does not end in a whole segment: $head"
    n=$(printf '%s' "$head" | LC_ALL=C.UTF-8 wc -m)
    [ "$n" -le "$w" ] || fail "${w} columns: the header takes $n columns"
    titles=$(screen | sed -n 2p)
    printf '%s\n' "$titles" |
        grep -Eq '^my-siamese-run.* [0-9.e-]+( · run.s ([0-9.e-]+|--))? *│my-triplet-run.* [0-9.e-]+( · run.s ([0-9.e-]+|--))? *$' ||
        fail "${w} columns: a title is cut off: $titles"
    screen | tail -n 1 | grep -Eq 'q Quit *$' || fail "${w} columns: the key bar is cut off"
}

# Wide: each title has room for its loss kind too.
start 160 50 -- --watch "$runs/siamese" --watch "$runs/triplet"
wait_for '^tripletscope │ watching my-siamese-run and my-triplet-run │ step 200'
wait_for '│ following'
screen | sed -n 2p | grep -Eq '^my-siamese-run \(contrastive\) .*│my-triplet-run \(triplet\) ' ||
    fail "the column titles do not name the runs and their loss kinds"
screen | sed -n 2p | grep -q "loss [0-9.]* · run's [0-9.]*.*loss [0-9.]* · run's [0-9.]*" ||
    fail "the titles do not show our loss and the run's own"
ok "160x50: the header and both titles name the watched runs, with their loss kinds and losses"
whole_forms 160

T resize-window -t ts -x 100 -y 30
wait_for 'q Quit *$'
sleep 0.3
screen | tail -n 1 | grep -q '^←/→ Dump .*f Follow' || fail "the key bar lacks the timeline keys"
screen | tail -n 1 | grep -Eq 'Pause|Step|LR' && fail "the key bar shows keys that do nothing here"
ok "the key bar: the timeline keys, not pause, step or lr"
whole_forms 100
ok "100x30: the header, titles and key bar keep whole forms"

T send-keys -t ts Left
wait_for '^tripletscope .* step 190, 19( of |/)20.*paused.*\(f follows\)'
ok "Left: the step before, paused, f follows"
T send-keys -t ts f
wait_for '^tripletscope .* step 200, 20( of |/)20.* following'
ok "f: following the newest dump again"

screen | grep -q 'miner hardest-neg' || fail "the triplet run's miner is not shown"
T send-keys -t ts m
wait_for 'miner random'
ok "m (what if): the dumps are measured under the next miner"
T send-keys -t ts r
wait_for 'miner hardest-neg'
ok "r: the run's own miner again"

T send-keys -t ts '?'
wait_for 'Watching a run'
screen | grep -q 'docs/attach.md' || fail "the help does not point to docs/attach.md"
screen | grep -Eq '│ +Space +pause' && fail "the help lists Space while watching"
T send-keys -t ts Escape
wait_gone 'Watching a run'
ok "?: the help starts with 'Watching a run'"

T resize-window -t ts -x 80 -y 24
wait_for 'q Quit *$'
sleep 0.3
whole_forms 80
ok "80x24: the header, titles and key bar keep whole forms"
T send-keys -t ts Left
wait_for '^.*step 190.*paused'
whole_forms 80
ok "80x24, paused: whole forms"
quit_ok
