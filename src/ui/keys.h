// keys.h: the one table of keys: what each does, its label in the key bar
// and its line in the help overlay, so the two never disagree.
#ifndef TS_UI_KEYS_H
#define TS_UI_KEYS_H

typedef enum {
    ACT_RUNNER,      // sent to the training thread (space, '.', setting keys)
    ACT_HELP,        // the help overlay
    ACT_QUIT,
    ACT_REDRAW,      // Ctrl-L
    ACT_PROJECTION,  // show / hide the projection
} ui_action;

typedef struct {
    int keys[3];             // the keys (curses codes), 0-terminated
    const char *label;       // how the help writes the keys: "m M", "? F1"
    const char *bar_key;     // how the key bar writes them: "m/M", "?"
    const char *bar;         // its word in the key bar, or NULL (help only)
    int bar_keep;            // kept in the key bar when it is too narrow
    ui_action action;
    const char *help;        // its line in the help overlay
} ui_keydef;

// The table, in the order the help overlay lists it; *n receives its size.
const ui_keydef *keys_table(int *n);
// The entry of key ch, or NULL.
const ui_keydef *keys_find(int ch);

#endif
