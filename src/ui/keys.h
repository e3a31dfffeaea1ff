// keys.h: the interface's keys: which command each key gives (command.h),
// its label in the key bar and in the help overlay, so the two never
// disagree. The help line is the command's own (command_info()->help).
#ifndef TS_UI_KEYS_H
#define TS_UI_KEYS_H
#include "tripletscope/command.h"

typedef struct {
    int keys[3];             // the keys (curses codes), 0-terminated
    ts_command cmds[3];      // the command each key gives
    const char *label;       // how the help writes the keys: "m M", "? F1"
    const char *bar_key;     // how the key bar writes them: "m/M", "?"
    const char *bar;         // its word in the key bar, or NULL (help only)
    int bar_keep;            // kept in the key bar when it is too narrow
} ui_keydef;

// The table, in the order the help overlay lists it; *n receives its size.
const ui_keydef *keys_table(int *n);
// The entry of key ch, or NULL; *cmd (may be NULL) receives the command it gives.
const ui_keydef *keys_find(int ch, ts_command *cmd);
// The entry with a key that gives c, or NULL.
const ui_keydef *keys_for(ts_command c);
// 0 for the entries that do nothing when watching a run (pause, step, the
// pace, auto-pause, the
// learning rate, the weight decay, reseed): the help and the key bar leave
// them out there.
int keys_act_watching(const ui_keydef *k);
// The key that gives c, as the screen writes it ("[", "M"), into buf (n
// bytes); "" when no key does.
void keys_name(ts_command c, char *buf, int n);
// The help line of a row: its first command's.
const char *keys_help(const ui_keydef *k);
// 1 when c is a what-if key on an attached run: a setting the source
// re-measures the run's dumps under (m M + - n d o z l); the others do
// nothing there or are refused (p, [ ], w, R: the run's own).
int keys_whatif(ts_command c);

#endif
