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

// Runs the interface on cfg until q, a script's q or a signal; returns the
// exit status (0, 2 on an error, 128 + signal).
int ui_run(const ts_config *cfg, const ts_runner_opts *opts, const ts_dataset *train,
           const ts_dataset *test, const char *name);

#endif
