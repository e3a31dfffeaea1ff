// projection.c: the held-out embeddings in 2D (PCA) as a scatter, and the
// one class legend both scatters share.
#include <stdio.h>
#include "panels.h"

// --- Projection and legend ---------------------------------------------------

// Braille dots can only be told apart by colour: with more classes than
// colours (8-colour terminals, NO_COLOR, LANG=C) every cell shows its
// class's glyph instead, in its colour where there is one.
static int class_glyphs(const ui_state *u, const ts_snapshot *sn) {
    return !u->caps.utf8 || sn->info.C > term_class_colors(&u->caps);
}

void legend_plan(ui_legend *g, const ui_state *u, const ts_snapshot *sn, int W,
                        int max_rows) {
    int C = sn->info.C < TS_MAX_LEGEND ? sn->info.C : TS_MAX_LEGEND, wd[TS_MAX_LEGEND + 1];
    g->glyphs = class_glyphs(u, sn);
    g->classes = C;
    g->more = sn->info.C - C;
    g->n = C + (g->more > 0);
    for (int len = 23; len >= 1; len--) {
        for (int c = 0; c < C; c++) {
            text_ellipsize(g->name[c], sizeof g->name[c], sn->class_names[c], len, 0,
                           u->caps.utf8);
            wd[c] = 2 + text_cols(g->name[c]);   // glyph, space, name
        }
        if (g->more) {
            snprintf(g->name[C], sizeof g->name[C], "+%d", g->more);
            wd[C] = text_cols(g->name[C]);
        }
        // Two spaces between entries unless one saves a row.
        g->gap = 2;
        g->rows = legend_flow(wd, g->n, W, 2, g->x, g->row);
        if (legend_flow(wd, g->n, W, 1, g->x, g->row) < g->rows) {
            g->gap = 1;
            g->rows = legend_flow(wd, g->n, W, 1, g->x, g->row);
        } else {
            legend_flow(wd, g->n, W, 2, g->x, g->row);
        }
        if (g->rows <= max_rows) return;
    }
}

void legend_draw(const ui_legend *g, int y) {
    for (int c = 0; c < g->n; c++) {
        int ly = y + g->row[c], lx = g->x[c];
        if (c == g->classes) {   // the count of the classes left out
            term_text(ly, lx, 8, ROLE_DIM, g->name[c]);
            break;
        }
        ui_cell cell = {g->glyphs ? scatter_glyph(c) : L'⣿',
                        (uint8_t)(ROLE_CLASS0 + c % UI_CLASS_ROLES)};
        term_cells(ly, lx, &cell, 1);
        term_text(ly, lx + 2, 24, ROLE_DEFAULT, g->name[c]);
    }
}

void projection_draw(ui_state *u, const ui_layout *L, const ts_snapshot *sn,
                            const ts_model_view *m, int x, int w) {
    int y = L->y_proj, rows = L->n_proj;
    if (rows <= 0) return;
    if (!m->have_eval || m->n_proj == 0) {
        term_text(y, x, w, ROLE_DIM, "projection: after the first evaluation");
        return;
    }
    double explained = m->proj_total_var > 0
                           ? 100.0 * (m->proj_var[0] + m->proj_var[1]) / m->proj_total_var : 0;
    char t[3][160];
    snprintf(t[0], sizeof t[0], "held-out %d at step %ld, PCA 2D (%.0f%% of variance)",
             m->n_proj, m->last_eval.step, explained);
    snprintf(t[1], sizeof t[1], "held-out %d, step %ld, PCA %.0f%%", m->n_proj,
             m->last_eval.step, explained);
    snprintf(t[2], sizeof t[2], "PCA %.0f%%", explained);
    const char *tp[3] = {t[0], t[1], t[2]};
    text_fit(y, x, w, ROLE_DIM, tp, 3);
    y++;
    // Scale to the points' extent (display scaling only).
    float x0 = 0, x1 = 0, y0 = 0, y1 = 0;
    for (int i = 0; i < m->n_proj; i++) {
        float px = m->proj[2 * i], py = m->proj[2 * i + 1];
        if (i == 0 || px < x0) x0 = px;
        if (i == 0 || px > x1) x1 = px;
        if (i == 0 || py < y0) y0 = py;
        if (i == 0 || py > y1) y1 = py;
    }
    scatter_plot(u->cells, w, rows, m->proj, m->proj_y, m->n_proj, x0, x1, y0, y1,
                 !class_glyphs(u, sn), ROLE_CLASS0, u->cand, u->cnt, u->bits);
    for (int r = 0; r < rows; r++) term_cells(y + r, x, u->cells + (size_t)r * w, w);
}
