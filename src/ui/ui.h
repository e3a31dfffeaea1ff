// ui.h: the ncurses interface, a front end on the core like the headless
// mode beside it (src/cli/); it knows the core's types, not the CLI's.
#ifndef TRIPLETSCOPE_UI_H
#define TRIPLETSCOPE_UI_H
#include "tripletscope/data.h"
#include "tripletscope/runner.h"
#include "tripletscope/config.h"

// Held-out queries the interface evaluates unless --eval-size says otherwise:
// evaluation runs in the training thread, so it is bounded to keep every
// step, and the screen, moving.
#define UI_EVAL_SIZE_DEFAULT 1000

// The colour palettes of --palette: default (the hues the interface always
// had) and colorblind (Okabe & Ito's: easy / semi-hard / hard and the two
// models stay apart under deuteranopia, protanopia and tritanopia).
typedef enum { UI_PALETTE_DEFAULT, UI_PALETTE_COLORBLIND, UI_PALETTE_COUNT } ui_palette;

// The palette called name ("default", "colorblind"), or -1.
int ui_palette_by_name(const char *name);

// What the interface itself takes from the command line.
typedef struct {
    int palette;   // ui_palette
} ui_opts;

// Runs the interface on cfg until q, a script's q or a signal; returns the
// exit status (0, 2 on an error, 128 + signal). ui may be NULL (defaults).
int ui_run(const ts_config *cfg, const ts_runner_opts *opts, const ui_opts *ui,
           const ts_dataset *train, const ts_dataset *test, const char *name);

#endif
