// header.c: the header row: the program, the data set and its sizes, the
// step, steps/s, RUNNING / PAUSED, the seed and the preset, each giving way
// in turn when the row is too narrow.
#include <stdio.h>
#include "panels.h"

// --- Header ------------------------------------------------------------------

// What gives way, in order, when the header is too wide: the data set's
// name is shortened (down to 12 columns), then the preset, the seed and
// steps/s go, then the sizes, then the name shrinks to a few columns, then
// the program's name goes. The step and RUNNING / PAUSED always show.
static const struct {
    int preset, seed, rate, sizes, title, name_min;
} header_fallbacks[] = {
    {1, 1, 1, 1, 1, 12}, {0, 1, 1, 1, 1, 12}, {0, 0, 1, 1, 1, 12},
    {0, 0, 0, 1, 1, 12}, {0, 0, 0, 0, 1, 4},  {0, 0, 0, 0, 0, 1},
};

void header_draw(const ui_state *u, const ts_runner_view *v, int W) {
    const ts_snapshot *sn = &v->snap;
    enum { DATA, STEP, RATE, STATE, SEED, PRESET, NSEG };
    char seg[NSEG][128], sizes[32];
    ui_role role[NSEG] = {ROLE_DEFAULT, ROLE_TITLE, ROLE_DEFAULT, ROLE_DEFAULT, ROLE_DEFAULT,
                          ROLE_DIM};
    snprintf(sizes, sizeof sizes, " %d/%d", sn->info.n_train, sn->info.n_test);
    snprintf(seg[STEP], sizeof seg[STEP], "step %ld", sn->step);
    snprintf(seg[RATE], sizeof seg[RATE], v->steps_per_s >= 10 ? "%.0f steps/s" : "%.1f steps/s",
             v->steps_per_s);
    snprintf(seg[STATE], sizeof seg[STATE], "%s",
             sn->diverged ? "DIVERGED PAUSED" : v->running ? "RUNNING" : "PAUSED");
    role[STATE] = sn->diverged ? ROLE_ERROR : v->running ? ROLE_GOOD : ROLE_WARN;
    snprintf(seg[SEED], sizeof seg[SEED], "seed %llu", (unsigned long long)sn->cfg.seed);
    snprintf(seg[PRESET], sizeof seg[PRESET], "preset %s", sn->cfg.preset);
    const char *title = "tripletscope", *sep = u->caps.utf8 ? " │ " : " | ";
    int n_fb = (int)(sizeof header_fallbacks / sizeof header_fallbacks[0]);
    int on[NSEG], fb;
    for (fb = 0; fb < n_fb; fb++) {
        on[DATA] = on[STEP] = on[STATE] = 1;
        on[RATE] = header_fallbacks[fb].rate && v->running;   // paused, it is 0 by definition
        on[SEED] = header_fallbacks[fb].seed;
        on[PRESET] = header_fallbacks[fb].preset;
        // The width of everything but the name.
        int w = header_fallbacks[fb].title ? text_cols(title) + 3 : 0;
        for (int i = 0; i < NSEG; i++)
            if (on[i] && i != DATA) w += 3 + text_cols(seg[i]);
        if (header_fallbacks[fb].sizes) w += text_cols(sizes);
        int room = W - w, name = text_cols(sn->info.data_name);
        if (room >= name || room >= header_fallbacks[fb].name_min || fb == n_fb - 1) {
            char shown[96];   // the name (< 64 bytes) and an ellipsis
            text_ellipsize(shown, sizeof shown, sn->info.data_name, room, 1, u->caps.utf8);
            snprintf(seg[DATA], sizeof seg[DATA], "%s%s", shown,
                     header_fallbacks[fb].sizes ? sizes : "");
            break;
        }
    }
    int x = 0;
    if (header_fallbacks[fb].title) {
        x += term_text(0, 0, W, ROLE_TITLE, title);
        x += term_text(0, x, W - x, ROLE_DIM, sep);
    }
    for (int i = 0; i < NSEG; i++) {
        if (!on[i]) continue;
        if (i != DATA) x += term_text(0, x, W - x, ROLE_DIM, sep);
        x += term_text(0, x, W - x, role[i], seg[i]);
    }
}
