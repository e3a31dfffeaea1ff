// curve.c: a model's loss curve over the whole run, with a dashed marker
// where a setting change acted on it, the keys that made each on the axis
// row beneath, and the first and last steps.
#include <stdio.h>
#include "keys.h"
#include "panels.h"

// --- Loss curve --------------------------------------------------------------

#define AXIS_W 7   // y labels: 6 characters and a space

void curve_draw(ui_state *u, const ui_layout *L, const ts_snapshot *sn,
                      const ts_model_view *m, int x, int w) {
    int rows = L->n_loss, cw = w - AXIS_W, y = L->y_loss;
    if (rows <= 0 || cw < 4) return;
    const ts_series *s = &m->hist.loss;
    float lo = 0, hi = 0;
    if (!series_range(s, &lo, &hi)) {
        term_text(y, x + AXIS_W, cw, ROLE_DIM, "loss: waiting for the first step");
        return;
    }
    // The setting changes that act on this model, as dot columns; the first
    // step under a new setting is ev->step + 1.
    int mdot[TS_MAX_EVENTS], mcell[TS_MAX_EVENTS], nm = 0;
    char mkey[TS_MAX_EVENTS];
    long first = sn->n_events > TS_MAX_EVENTS ? sn->n_events - TS_MAX_EVENTS : 0;
    for (long i = first; i < sn->n_events; i++) {
        const ts_event *ev = &sn->events[i % TS_MAX_EVENTS];
        int col = ev->models & TS_MODEL_BIT(m->kind) ? series_step_column(s, 2 * cw, ev->step + 1) : -1;
        if (col < 0) continue;
        mdot[nm] = col;
        mcell[nm] = col / 2;
        char key[8];
        keys_name(ev->command, key, sizeof key);
        mkey[nm++] = key[0];
    }
    ui_canvas c;
    canvas_init(&c, cw, rows, u->bits, u->roles);
    // Markers first: where the curve crosses one, the curve's colour wins.
    for (int i = 0; i < nm; i++) plot_marker(&c, mdot[i], ROLE_MARKER);
    plot_series(&c, s, lo, hi, model_role(m->kind), u->f[0], u->f[1]);
    canvas_render(&c, u->caps.utf8, u->cells);
    for (int r = 0; r < rows; r++) term_cells(y + r, x + AXIS_W, u->cells + (size_t)r * cw, cw);
    // Top, bottom and (with room) middle; a flat curve, drawn across the
    // middle, has the one label there.
    char lab[16];
    if (hi > lo) {
        format_sig3(lab, sizeof lab, hi, AXIS_W - 1);
        term_printf(y, x, AXIS_W - 1, ROLE_DIM, "%6s", lab);
        format_sig3(lab, sizeof lab, lo, AXIS_W - 1);
        term_printf(y + rows - 1, x, AXIS_W - 1, ROLE_DIM, "%6s", lab);
    }
    if (rows >= 5 || !(hi > lo)) {
        format_sig3(lab, sizeof lab, (lo + hi) / 2, AXIS_W - 1);
        term_printf(y + rows / 2, x, AXIS_W - 1, ROLE_DIM, "%6s", lab);
    }
    // The axis row: every key under its marker, the first and last step.
    int ya = y + rows, xa = x + AXIS_W;
    char lab0[24], lab1[24], *row = (char *)u->bits;   // the canvas is on screen: reuse
    snprintf(lab0, sizeof lab0, "%ld", s->nbins ? s->bins[0].step : 0L);
    snprintf(lab1, sizeof lab1, "%ld", sn->step);
    axis_compose(row, u->roles, cw, mcell, mkey, nm, lab0, lab1);
    term_printf(ya, x, AXIS_W - 1, ROLE_DIM, "%6s", "step");
    for (int i = 0; i < cw; i++) {
        char ch[2] = {row[i], 0};
        if (!row[i]) term_fill(ya, xa + i, 1, u->caps.utf8 ? L'─' : L'-', ROLE_DIM);
        else term_text(ya, xa + i, 1, u->roles[i] ? ROLE_MARKER : ROLE_DIM, ch);
    }
}
