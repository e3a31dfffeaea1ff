// script.h: --script "STEP:KEYS,STEP:KEYS": keys pressed when a step is
// reached, the same in the interface and headless, so demos and tests are
// reproducible.
#ifndef TRIPLETSCOPE_SCRIPT_H
#define TRIPLETSCOPE_SCRIPT_H
#include "tripletscope/error.h"

typedef struct {
    long step;
    char keys[32];
} ts_script_entry;

typedef struct {
    int n, next;            // entries, and the first not yet fired
    ts_script_entry *e;     // (n) sorted by step, stable
} ts_script;

// Parses text ("300:p,600:mm"); an empty or NULL text gives an empty script.
// The keys are commands' letters (command.h). Refuses, with a message naming
// --script and the entry: a step that is not a number >= 0 (or overflows),
// an entry without keys or with more than 31, a letter that is no command's,
// and an empty entry (",," or a trailing comma).
int script_parse(const char *text, ts_script *s, ts_error *err);
void script_free(ts_script *s);
// The keys of the next entry if it is due at `step` (its step <= step), and
// consumes it; NULL when nothing is due. Call until NULL.
const char *script_due(ts_script *s, long step);

#endif
