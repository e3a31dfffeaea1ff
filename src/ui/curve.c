// curve.c: a model's loss curve over the whole run, with a dashed marker
// where a setting change acted on it, the keys that made each on the axis
// row beneath, and the first and last steps. An attached run's own logged
// loss is a second series on the same axis.
#include <math.h>
#include <stdio.h>
#include "keys.h"
#include "panels.h"

// --- Loss curve --------------------------------------------------------------

#define AXIS_W 7   // y labels: 6 characters and a space

wchar_t run_loss_glyph(const ui_caps *caps) {
    if (caps->color && caps->utf8) return 0;   // braille in its own colour
    return caps->utf8 ? L'•' : L'*';           // ASCII curves are ' . :, so * stands out
}

// The run's loss as one glyph per cell column, at the row of the column's
// mean, over the cells already rendered (w x rows): without colour, or
// without braille, dots of two series in one cell could not be told apart.
static void overlay_run_loss(ui_state *u, const ts_series *s, int w, int rows, float lo,
                             float hi, wchar_t glyph) {
    float *mean = u->f[2];
    series_columns(s, w, NULL, NULL, mean);
    for (int i = 0; i < w; i++) {
        if (!isfinite(mean[i])) continue;
        float t = hi > lo ? (hi - mean[i]) / (hi - lo) : 0.5f;
        int r = (int)lroundf(t * (float)(rows - 1));
        if (r < 0) r = 0;
        if (r > rows - 1) r = rows - 1;
        ui_cell *c = &u->cells[(size_t)r * w + i];
        c->ch = glyph;
        c->role = ROLE_RUN_LOSS;
    }
}

void curve_draw(ui_state *u, const ui_layout *L, const ts_snapshot *sn,
                      const ts_model_view *m, int x, int w) {
    int rows = L->n_loss, cw = w - AXIS_W, y = L->y_loss;
    if (rows <= 0 || cw < 4) return;
    const ts_series *s = &m->hist.loss, *run = &m->hist.run_loss;
    float lo = 0, hi = 0;
    if (!series_range(s, &lo, &hi)) {
        term_text(y, x + AXIS_W, cw, ROLE_DIM, "loss: waiting for the first step");
        return;
    }
    // The run's own loss shares the axis: the range spans both.
    float rlo, rhi;
    int with_run = run->nbins > 0 && series_range(run, &rlo, &rhi);
    if (with_run) {
        if (rlo < lo) lo = rlo;
        if (rhi > hi) hi = rhi;
    }
    wchar_t glyph = run_loss_glyph(&u->caps);
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
    // In colour the run's loss goes first: where the two coincide ours
    // wins the cell, so the run's shows where they differ.
    if (with_run && !glyph) plot_series(&c, run, lo, hi, ROLE_RUN_LOSS, u->f[0], u->f[1]);
    plot_series(&c, s, lo, hi, model_role(m->kind), u->f[0], u->f[1]);
    canvas_render(&c, u->caps.utf8, u->cells);
    if (with_run && glyph) overlay_run_loss(u, run, cw, rows, lo, hi, glyph);
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
    // Paused on an earlier dump of an attached run: where it is on the
    // curve, on the axis line (keys and step labels keep their cells).
    if (sn->info.attached && !sn->watch.following) {
        int col = series_step_column(s, cw, sn->watch.shown_step);
        if (col >= 0 && !row[col])
            term_fill(ya, xa + col, 1, u->caps.utf8 ? L'▲' : L'^', ROLE_WARN);
    }
}
