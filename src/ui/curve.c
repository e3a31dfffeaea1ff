// curve.c: a model's loss curve over the whole run (or, as g cycles, on a
// log axis, or its last steps), with a dashed marker where a setting change
// acted on it, the keys that made each on the axis row beneath, and the
// first and last steps; paused, the loss at each marker on a row under it.
// An attached run's own logged loss is a second series on the same axis.
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

// Writes label s right-aligned in the y labels' column (AXIS_W - 1 columns).
static void axis_label(int y, int x, ui_role role, const char *s) {
    int pad = AXIS_W - 1 - text_cols(s);
    term_text(y, x + (pad > 0 ? pad : 0), AXIS_W - 1, role, s);
}

// The y labels of a linear axis over [lo, hi] on rows rows: top, bottom and
// (with room) middle; a flat curve, drawn across the middle, has the one
// label there.
static void labels_linear(int y, int x, int rows, float lo, float hi) {
    char lab[16];
    if (hi > lo) {
        format_sig3(lab, sizeof lab, hi, AXIS_W - 1);
        axis_label(y, x, ROLE_DIM, lab);
        format_sig3(lab, sizeof lab, lo, AXIS_W - 1);
        axis_label(y + rows - 1, x, ROLE_DIM, lab);
    }
    if (rows >= 5 || !(hi > lo)) {
        format_sig3(lab, sizeof lab, (lo + hi) / 2, AXIS_W - 1);
        axis_label(y + rows / 2, x, ROLE_DIM, lab);
    }
}

// The y labels of a log axis from floor to hi (real values; clamped: some
// values lie below floor, drawn on the bottom row, and the bottom label
// says "<=" so): the top and the bottom, the word "log" on the second row,
// and the powers of ten between where they have a row to themselves.
static void labels_log(const ui_state *u, int y, int x, int rows, float floor, float hi,
                       int clamped) {
    char lab[16], bot[24];
    uint8_t taken[64] = {0};
    if (rows > 64) rows = 64;
    float lo_l = log10f(floor), hi_l = log10f(hi);
    if (!(hi_l > lo_l)) {   // flat: one label, across the middle
        format_sig3(lab, sizeof lab, hi, AXIS_W - 1);
        axis_label(y + rows / 2, x, ROLE_DIM, lab);
        if (rows >= 3) axis_label(y, x, ROLE_DIM, "log");
        return;
    }
    format_sig3(lab, sizeof lab, hi, AXIS_W - 1);
    axis_label(y, x, ROLE_DIM, lab);
    taken[0] = 1;
    format_sig3(lab, sizeof lab, floor, AXIS_W - (clamped ? 2 : 1));
    snprintf(bot, sizeof bot, "%s%s", clamped ? (u->caps.utf8 ? "≤" : "<") : "", lab);
    axis_label(y + rows - 1, x, ROLE_DIM, bot);
    taken[rows - 1] = 1;
    if (rows >= 3) {
        axis_label(y + 1, x, ROLE_DIM, "log");
        taken[1] = 1;
    }
    int trow[64], texp[64];
    int n = log_ticks(lo_l, hi_l, rows, taken, trow, texp, 64);
    for (int i = 0; i < n; i++) {
        format_sig3(lab, sizeof lab, pow(10.0, texp[i]), AXIS_W - 1);
        axis_label(y + trow[i], x, ROLE_DIM, lab);
    }
}

// The least of two log floors, of those that are positive (0: neither).
static float least_floor(float a, float b) {
    if (!(a > 0)) return b > 0 ? b : 0;
    return b > 0 && b < a ? b : a;
}

// Paused: the loss at each key marker (n of them: key[i], val[i], in the
// order of the markers), on the row under the axis: "loss  m 0.304  n
// 0.012"; those that do not fit give way from the left, after an ellipsis.
static void marker_values(const ui_state *u, int y, int x, int w, const char *key,
                          const float *val, int n) {
    axis_label(y, x, ROLE_DIM, "loss");
    int room = w - AXIS_W, shown = 0, width = 0;
    char num[16];
    const char *dots = u->caps.utf8 ? "…" : "...";
    int dw = text_cols(dots);
    // The last k markers, for the largest k that fits (with the ellipsis
    // before them when some are left out).
    for (int k = 1; k <= n; k++) {
        format_sig3(num, sizeof num, val[n - k], NUM_W - 1);
        int wk = width + 2 + text_cols(num) + (k > 1 ? 2 : 0);
        if (wk + (k < n ? dw + 2 : 0) > room) break;
        width = wk;
        shown = k;
    }
    int col = x + AXIS_W, end = x + w;
    if (shown < n) col += term_text(y, col, end - col, ROLE_DIM, dots) + 2;
    for (int i = n - shown; i < n; i++) {
        char k[2] = {key[i], 0};
        format_sig3(num, sizeof num, val[i], NUM_W - 1);
        col += term_text(y, col, end - col, ROLE_MARKER, k) + 1;
        col += term_text(y, col, end - col, ROLE_DEFAULT, num) + 2;
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
    // The series as the view draws them (g): the recent view takes the
    // last steps of both; the log view, their log10.
    const ts_series *ds = s, *drun = run;
    long from = 0;   // the first step shown
    if (u->loss_view == LOSS_RECENT) {
        from = series_recent_from(s, LOSS_RECENT_STEPS, LOSS_RECENT_MIN_BINS);
        series_window(s, from, &u->view[0]);
        series_window(run, from, &u->view[1]);
        ds = &u->view[0];
        drun = &u->view[1];
        series_range(ds, &lo, &hi);
    }
    // The run's own loss shares the axis: the range spans both.
    float rlo, rhi;
    int with_run = drun->nbins > 0 && series_range(drun, &rlo, &rhi);
    if (with_run) {
        if (rlo < lo) lo = rlo;
        if (rhi > hi) hi = rhi;
    }
    // Log: the values as their log10 from a floor up (no positive value
    // at all: drawn linear).
    float floor = 0, vlo = lo, vhi = hi;
    if (u->loss_view == LOSS_LOG) {
        floor = least_floor(series_log_floor(s, hi), with_run ? series_log_floor(run, hi) : 0);
        if (floor > 0) {
            series_log10(s, floor, &u->view[0]);
            ds = &u->view[0];
            if (with_run) {
                series_log10(run, floor, &u->view[1]);
                drun = &u->view[1];
            }
            vlo = log10f(lo > floor ? lo : floor);
            vhi = log10f(hi > floor ? hi : floor);
        }
    }
    wchar_t glyph = run_loss_glyph(&u->caps);
    // The setting changes that act on this model (and fall in the view), as
    // dot columns; the first step under a new setting is ev->step + 1.
    int mdot[TS_MAX_EVENTS], mcell[TS_MAX_EVENTS], nm = 0;
    char mkey[TS_MAX_EVENTS];
    float mval[TS_MAX_EVENTS];
    long first = sn->n_events > TS_MAX_EVENTS ? sn->n_events - TS_MAX_EVENTS : 0;
    for (long i = first; i < sn->n_events; i++) {
        const ts_event *ev = &sn->events[i % TS_MAX_EVENTS];
        if (!(ev->models & TS_MODEL_BIT(m->kind)) || ev->step + 1 < from) continue;
        int col = series_step_column(ds, 2 * cw, ev->step + 1);
        if (col < 0) continue;
        mdot[nm] = col;
        mcell[nm] = col / 2;
        mval[nm] = series_value_at(s, ev->step + 1);
        char key[8];
        keys_name(ev->command, key, sizeof key);
        mkey[nm++] = key[0];
    }
    // Paused, the loss at each marker takes the canvas's last row.
    int values = u->paused && nm > 0 && rows >= 4;
    if (values) rows--;
    ui_canvas c;
    canvas_init(&c, cw, rows, u->bits, u->roles);
    // Markers first: where the curve crosses one, the curve's colour wins.
    for (int i = 0; i < nm; i++) plot_marker(&c, mdot[i], ROLE_MARKER);
    // In colour the run's loss goes first: where the two coincide ours
    // wins the cell, so the run's shows where they differ.
    if (with_run && !glyph) plot_series(&c, drun, vlo, vhi, ROLE_RUN_LOSS, u->f[0], u->f[1]);
    plot_series(&c, ds, vlo, vhi, model_role(m->kind), u->f[0], u->f[1]);
    canvas_render(&c, u->caps.utf8, u->cells);
    if (with_run && glyph) overlay_run_loss(u, drun, cw, rows, vlo, vhi, glyph);
    for (int r = 0; r < rows; r++) term_cells(y + r, x + AXIS_W, u->cells + (size_t)r * cw, cw);
    if (floor > 0) labels_log(u, y, x, rows, floor, hi > floor ? hi : floor, lo < floor);
    else labels_linear(y, x, rows, lo, hi);
    // The axis row: every key under its marker, the first and last step;
    // "recent" where the view is the last steps.
    int ya = y + rows, xa = x + AXIS_W;
    char lab0[24], lab1[24], *row = (char *)u->bits;   // the canvas is on screen: reuse
    snprintf(lab0, sizeof lab0, "%ld", ds->nbins ? ds->bins[0].step : 0L);
    snprintf(lab1, sizeof lab1, "%ld", sn->step);
    axis_compose(row, u->roles, cw, mcell, mkey, nm, lab0, lab1);
    axis_label(ya, x, ROLE_DIM, u->loss_view == LOSS_RECENT ? "recent" : "step");
    for (int i = 0; i < cw; i++) {
        char ch[2] = {row[i], 0};
        if (!row[i]) term_fill(ya, xa + i, 1, u->caps.utf8 ? L'─' : L'-', ROLE_DIM);
        else term_text(ya, xa + i, 1, u->roles[i] ? ROLE_MARKER : ROLE_DIM, ch);
    }
    // Paused on an earlier dump of an attached run: where it is on the
    // curve, on the axis line (keys and step labels keep their cells).
    if (sn->info.attached && !sn->watch.following && sn->watch.shown_step >= from) {
        int col = series_step_column(ds, cw, sn->watch.shown_step);
        if (col >= 0 && !row[col])
            term_fill(ya, xa + col, 1, u->caps.utf8 ? L'▲' : L'^', ROLE_WARN);
    }
    if (values) marker_values(u, ya + 1, x, w, mkey, mval, nm);
}
