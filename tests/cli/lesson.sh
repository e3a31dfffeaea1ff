#!/bin/sh
# --lesson headless (docs/lessons.md):
# - --lesson list names the eight embedded lessons, status 0;
# - a lesson replays its docs/demos.md command: the same lines (events at the
#   same steps, the same step, eval and diagnosis lines) as the lesson's flags
#   with its --script, plus narration lines; lesson 1 cut at --steps 650 by a
#   flag on the command line (which overrides the lesson's), when
#   Fashion-MNIST is installed; lesson 3 (digits) always;
# - a name and its number are the same lesson; a teacher's own file runs;
# - a bad lesson file: one line "tripletscope: FILE:LINE: ...", status 2,
#   nothing on stdout (under `make asan`, no leak either).
B=${1:-build}
BIN="$B/tripletscope"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
# shellcheck source=tests/cli/expect.inc
. "$(dirname "$0")/expect.inc"
# shellcheck source=tests/cli/diagnose.inc
. "$(dirname "$0")/diagnose.inc"

# --- --lesson list ---------------------------------------------------------------------
"$BIN" --lesson list >"$T/list" 2>"$T/err"
st=$?
n=$(grep -cE '^[1-8]  [a-z-]+ +[a-zA-Z]' "$T/list")
if [ "$st" = 0 ] && [ "$n" = 8 ] && [ ! -s "$T/err" ] && grep -q '^1  question ' "$T/list" &&
    grep -q '^2  collapse ' "$T/list"; then ok "--lesson list: 8 lessons, status 0"
else bad "--lesson list: status $st, $n lesson lines"; fi

# --- A lesson replays its command -----------------------------------------------------

# same NAME "LESSON ARGS" "SCRIPT ARGS": the two runs' lines are the same
# but for the narration (the lesson's) and the summary's time; the lesson's
# events come at the script's steps; narration lines come at steps.
same() {
    name=$1
    # shellcheck disable=SC2086
    "$BIN" --headless $2 >"$T/$name.lesson.jsonl" 2>"$T/$name.lesson.err" || bad "$name: --lesson run: status $?"
    # shellcheck disable=SC2086
    eval "\"\$BIN\" --headless $3" >"$T/$name.script.jsonl" 2>"$T/$name.script.err" || bad "$name: --script run: status $?"
    grep -v '"type":"narration"' "$T/$name.lesson.jsonl" | grep -v '"type":"summary"' >"$T/a"
    grep -v '"type":"summary"' "$T/$name.script.jsonl" >"$T/b"
    ev=$(grep -c '"type":"event"' "$T/a")
    nar=$(grep -c '^{"type":"narration","step":[0-9]*,"text":"' "$T/$name.lesson.jsonl")
    if [ "$ev" -gt 0 ] && cmp -s "$T/a" "$T/b"; then
        ok "$name: the same $(wc -l <"$T/a") lines as the script ($ev events), and $nar narration lines"
    else
        bad "$name: the lesson's lines differ from the script's ($ev events):"
        diff "$T/a" "$T/b" | head -5
    fi
    [ "$nar" -ge "$4" ] || bad "$name: $nar narration lines, expected at least $4"
}

same small-batches "--lesson 3" \
    "--data digits --preset seed-small --steps 400 --eval-every 100 --script 100:p,200:M" 4
grep -q '^{"type":"narration","step":100,"text":"Press p: ' "$T/small-batches.lesson.jsonl" ||
    bad "small-batches: no narration at step 100 for its wait"
grep -q '"type":"narration","step":[0-9]*,"text":"self_positive: ' "$T/small-batches.lesson.jsonl" ||
    bad "small-batches: no narration when self_positive was raised"

if have_fashion; then
    same question "--lesson 1 --steps 650" \
        "--data fashion --preset seed --eval-every 100 --eval-size 1000 --steps 650 --script '300:M,450:n,600:-------'" 8
    for s in 0 300 450 600; do
        grep -q "^{\"type\":\"narration\",\"step\":$s," "$T/question.lesson.jsonl" ||
            bad "question: no narration at step $s"
    done
    grep -q '"type":"narration","step":[0-9]*,"text":"too_hard: ' "$T/question.lesson.jsonl" ||
        bad "question: no narration when too_hard was raised"
    tail -n 1 "$T/question.lesson.jsonl" | grep -q '^{"type":"summary","steps":650,' ||
        bad "question: --steps 650 on the command line did not override the lesson's 1000"
else
    echo "skip question: Fashion-MNIST is not installed"
fi

# A name is its number.
"$BIN" --headless --lesson question --steps 0 | head -n 1 >"$T/by-name"
"$BIN" --headless --lesson 1 --steps 0 | head -n 1 >"$T/by-number"
if [ -s "$T/by-name" ] && cmp -s "$T/by-name" "$T/by-number"; then ok "--lesson question is --lesson 1"
else bad "--lesson question and --lesson 1 differ"; fi

# A teacher's own file, its flags overridden and added to.
cat >"$T/mine.lesson" <<'LESSON'
# A teacher's lesson.
title mine
flags --data digits --steps 60 --eval-every 0
at 0 say Hello "class".
at 20 wait M Press M.
at 40 press nn
LESSON
"$BIN" --headless --lesson "$T/mine.lesson" --steps 50 >"$T/mine.jsonl" 2>"$T/mine.err"
st=$?
if [ "$st" = 0 ] && grep -q '^{"type":"narration","step":0,"text":"Hello \\"class\\"."}$' "$T/mine.jsonl" &&
    [ "$(grep -c '^{"type":"event","step":20,"key":"M"' "$T/mine.jsonl")" = 1 ] &&
    [ "$(grep -c '^{"type":"event","step":40,"key":"n"' "$T/mine.jsonl")" = 2 ] &&
    tail -n 1 "$T/mine.jsonl" | grep -q '"steps":50,'; then
    ok "a file of one's own: narration, M at 20, n n at 40, --steps 50 over its 60"
else bad "a file of one's own: status $st: $(head -c 300 "$T/mine.err")"; fi

# --- Bad lesson files ------------------------------------------------------------------
# bad_lesson NAME PATTERN TEXT: the file holding TEXT is refused with PATTERN.
bad_lesson() {
    printf '%b' "$3" >"$T/$1.lesson"
    expect "lesson $1" "^tripletscope: $T/$1.lesson:$2" --lesson "$T/$1.lesson"
}
bad_lesson directive '2: unknown directive "sey"' 'title x\nsey hi\n'
bad_lesson step '1: at: expected a step' 'at soon say hi\n'
bad_lesson verb '1: unknown verb "shout"' 'at 1 shout hi\n'
bad_lesson key "1: unknown key 'X' in \"MX\"" 'at 1 wait MX Press\n'
bad_lesson keys '1: "m*": at most 31 keys' 'at 1 press mmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmm\n'
bad_lesson text '1: say needs a text' 'at 1 say\n'
bad_lesson finding '1: on raised: unknown finding "too-hard"' 'on raised too-hard say x\n'
bad_lesson on-wait '1: on ... wait: keys come at steps' 'on raised collapse wait m x\n'
bad_lesson quote '3: flags: a quote is not closed' '# x\n\nflags --script "1:m\n'
bad_lesson flag '2: flags: --lr: expected a number, got "fast"' 'title t\nflags --data digits --lr fast\n'
bad_lesson unknown-flag '1: flags: --speeed: unknown flag' 'flags --speeed 5\n'
bad_lesson viewer '1: flags: --headless is the viewer' 'flags --data digits --headless\n'
bad_lesson nul '1: a NUL byte' 'at 1 say a\0b\n'
bad_lesson control '1: control character' 'at 1 say a\033b\n'
expect "lesson missing file" "^tripletscope: $T/none.lesson: cannot open: " --lesson "$T/none.lesson"
mkdir "$T/dir.lesson"
expect "lesson a directory" "^tripletscope: $T/dir.lesson: a directory" --lesson "$T/dir.lesson"
expect "lesson unknown name" '^tripletscope: --lesson: no lesson "nine"' --lesson nine
expect "lesson twice" '^tripletscope: --lesson: given twice' --lesson 1 --lesson 2
expect "--auto without a lesson" '^tripletscope: --auto: only with --lesson' --auto
expect "a bad flag after the lesson" '^tripletscope: --lr: expected a number' --lesson 3 --lr x

[ "$fails" -eq 0 ] || { echo "$fails lesson check(s) failed"; exit 1; }
