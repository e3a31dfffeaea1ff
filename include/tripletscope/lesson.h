// lesson.h: --lesson NAME|FILE: a lesson as a file (docs/lessons.md): the
// flags it runs with, narration at steps or at findings raised and cleared,
// and the keys it presses or waits for the viewer to press. The parser, the
// lessons embedded in the binary (lessons/*.lesson), and the runtime the
// driver keeps (which narration is due, which wait holds the run), so that
// headless and the interface agree.
#ifndef TRIPLETSCOPE_LESSON_H
#define TRIPLETSCOPE_LESSON_H
#include <stddef.h>
#include "tripletscope/error.h"

#define TS_LESSON_TEXT_MAX 304     // a narration's bytes, at most 300, and a NUL
#define TS_LESSON_KEYS_MAX 32      // a press's or wait's keys, at most 31, and a NUL
#define TS_LESSON_NAME_MAX 32
#define TS_LESSON_TITLE_MAX 96     // the title's bytes, at most 95, and a NUL
#define TS_LESSON_HOLD_S 3.0       // --auto in the interface: seconds a wait or pause holds

typedef enum {
    LESSON_SAY,     // show the text
    LESSON_PAUSE,   // show the text and pause (the interface; Space goes on)
    LESSON_WAIT,    // show the text, pause until the viewer presses the keys (in order)
    LESSON_PRESS,   // press the keys (and show the text, if any)
} ts_lesson_verb;

typedef struct {
    int on;                       // 0: at a step; 1: on a finding raised or cleared
    long step;                    // at: the step (>= 0)
    int code;                     // on: the finding (ts_finding_code)
    int raised;                   // on: 1 raised, 0 cleared
    ts_lesson_verb verb;
    char keys[TS_LESSON_KEYS_MAX];  // WAIT, PRESS: command letters (command.h)
    char text[TS_LESSON_TEXT_MAX];  // "" for a press without text
    int line;                     // its line in the file
} ts_lesson_entry;

typedef struct {
    char name[TS_LESSON_NAME_MAX];   // "question"; a file's name without its folder
    int number;                      // 1..8 for an embedded lesson, 0 for a file
    char title[TS_LESSON_TITLE_MAX]; // the title line ("" if none)
    char where[288];                 // how messages name it: the file's path, or
                                     // "lessons/1-question.lesson"
    int argc;                        // the flags' words
    char **argv;                     // (argc) each a string of its own
    int flags_line;                  // the line of the first flags directive (0: none)
    int n;                           // entries: the at ones sorted by step (stable),
    ts_lesson_entry *e;              // then the on ones in the file's order
} ts_lesson;

// Parses a lesson's text (len bytes; where names it in messages) into l.
// Refuses, with "WHERE:LINE: what is wrong": an unknown directive, a step
// that is not a number >= 0, an unknown verb, a key that is no command's
// letter, more than 31 keys, a missing or over-long text, an unknown
// finding code, a wait or press under on, an unclosed quote in flags, a
// second title, a NUL byte or a control character, a line over 1000 bytes.
// Returns 0, or -1 (l left empty).
int lesson_parse(const char *text, size_t len, const char *where, ts_lesson *l, ts_error *err);
// Loads spec: an embedded lesson's name or number, else a file (a path: it
// holds a '/' or ends in .lesson, or it names an existing file). Returns 0,
// or -1 with a one-line message ("--lesson: no lesson ...", "FILE: cannot
// open: ...", or the parser's).
int lesson_load(const char *spec, ts_lesson *l, ts_error *err);
void lesson_free(ts_lesson *l);
// The embedded lessons: how many, and lesson i (0-based) parsed into l.
int lesson_embedded_count(void);
int lesson_embedded(int i, ts_lesson *l, ts_error *err);
// The finding code called name ("too_hard"), or -1.
int lesson_code_by_name(const char *name);

// --- The runtime -----------------------------------------------------------------

typedef enum { LESSON_HOLD_NONE, LESSON_HOLD_WAIT, LESSON_HOLD_PAUSE } ts_lesson_hold;

typedef struct {
    const ts_lesson *l;           // must outlive the runtime
    int next;                     // the first at entry not yet due
    unsigned char *fired;         // (l->n) the on entries told already
    const ts_lesson_entry *hold;  // the wait or pause holding the run, or NULL
    int pressed;                  // a wait: its keys pressed so far
} ts_lesson_run;

// Starts l's runtime (l may be NULL: no lesson, nothing is ever due).
// Returns 0, or -1 out of memory.
int lesson_run_init(ts_lesson_run *r, const ts_lesson *l);
void lesson_run_free(ts_lesson_run *r);
// The next at entry due at step (its step <= step), consumed; NULL when none
// is, or while a hold is on (what is due after it waits for its end).
const ts_lesson_entry *lesson_run_due(ts_lesson_run *r, long step);
// The on entries a change (finding code raised or cleared) makes due, each
// told once a run, into out (at most max); returns how many.
int lesson_run_change(ts_lesson_run *r, int code, int raised, const ts_lesson_entry **out,
                      int max);
// A wait or pause (e) holds the run from now.
void lesson_run_hold(ts_lesson_run *r, const ts_lesson_entry *e);
// What holds the run (LESSON_HOLD_*).
ts_lesson_hold lesson_run_holding(const ts_lesson_run *r);
// The keys a wait still wants, in order ("" when none or not a wait).
const char *lesson_run_wanted(const ts_lesson_run *r);
// A key given while a wait holds: if it is the next one wanted, it counts.
// Returns 1 when that was the last (the hold is over), else 0.
int lesson_run_key(ts_lesson_run *r, char letter);
// Ends the hold (a pause passed, or --auto).
void lesson_run_release(ts_lesson_run *r);

// --- What the interface shows ------------------------------------------------------

typedef struct {
    int active;                       // a lesson runs
    int number;                       // 1..8, or 0 for a file
    char name[TS_LESSON_NAME_MAX];
    char title[TS_LESSON_TITLE_MAX];
    long seq;                         // narrations so far
    long step;                        // the latest narration's step
    char text[TS_LESSON_TEXT_MAX];    // the latest narration ("" before the first)
    int hold;                         // ts_lesson_hold
    char keys[TS_LESSON_KEYS_MAX];    // a wait's keys still wanted
    int auto_go;                      // --auto: a hold ends by itself
} ts_lesson_view;

#endif
