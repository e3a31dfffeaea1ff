// projection.c: the held-out embeddings in 2D (PCA) as a scatter, and the
// one class legend both scatters share.
#include <math.h>
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

// The projection keeps its scale (proj_half_width): [-1, 1] on both axes for
// unit vectors, else the first evaluation's, so a collapse draws as one dot.
// The title gives the cloud's extent in the distance in use beside the
// margin, and says "collapsed to a point" under a tenth of it.
void projection_draw(ui_state *u, const ui_layout *L, const ts_snapshot *sn,
                            const ts_model_view *m, int x, int w) {
    int y = L->y_proj, rows = L->n_proj;
    if (rows <= 0) return;
    if (!m->have_eval || m->n_proj == 0) {
        term_text(y, x, w, ROLE_DIM, "projection: after the first evaluation");
        return;
    }
    const ts_settings *set = &sn->cfg.set;
    double explained = m->proj_total_var > 0
                           ? 100.0 * (m->proj_var[0] + m->proj_var[1]) / m->proj_total_var : 0;
    // The reach of the points (display scaling only).
    float reach = 0;
    for (int i = 0; i < 2 * m->n_proj; i++)
        if (fabsf(m->proj[i]) > reach) reach = fabsf(m->proj[i]);
    int unit = distance_normalizes(set->distance, set->normalize);
    float h = proj_half_width(unit, m->proj_extent0, reach);
    float margin = m->kind == MODEL_SIAMESE ? set->pair_margin : set->margin;
    int collapsed = proj_collapsed(m->proj_extent_dist, margin);
    char ext[16], ext2[16], mg[24], hs[16], t[6][200];
    format_sig3(ext, sizeof ext, m->proj_extent_dist, NUM_W);
    format_sig3(ext2, sizeof ext2, m->proj_extent_dist, 5);
    format_setting(mg, sizeof mg, margin);
    format_sig3(hs, sizeof hs, h, NUM_W);
    const char *pmk = u->caps.utf8 ? "±" : "+-";
    if (collapsed) {
        snprintf(t[0], sizeof t[0],
                 "held-out %d at step %ld, PCA %.0f%%: extent %s (margin %s): collapsed to a point",
                 m->n_proj, m->last_eval.step, explained, ext, mg);
        snprintf(t[1], sizeof t[1], "extent %s (margin %s): collapsed to a point", ext, mg);
        snprintf(t[2], sizeof t[2], "extent %s (m %s): collapsed to a point", ext2, mg);
        snprintf(t[3], sizeof t[3], "extent %s: collapsed", ext2);
        snprintf(t[4], sizeof t[4], "collapsed");
        snprintf(t[5], sizeof t[5], "collapsed");
    } else {
        snprintf(t[0], sizeof t[0],
                 "held-out %d at step %ld, PCA 2D (%.0f%% of variance), extent %s (margin %s), "
                 "axes %s%s",
                 m->n_proj, m->last_eval.step, explained, ext, mg, pmk, hs);
        snprintf(t[1], sizeof t[1], "held-out %d, step %ld, PCA %.0f%%, extent %s (m %s), %s%s",
                 m->n_proj, m->last_eval.step, explained, ext, mg, pmk, hs);
        snprintf(t[2], sizeof t[2], "held-out %d, PCA %.0f%%, extent %s (m %s)", m->n_proj,
                 explained, ext, mg);
        snprintf(t[3], sizeof t[3], "held-out %d, PCA %.0f%%, extent %s", m->n_proj, explained,
                 ext);
        snprintf(t[4], sizeof t[4], "PCA %.0f%%, extent %s", explained, ext2);
        snprintf(t[5], sizeof t[5], "PCA %.0f%%", explained);
    }
    const char *tp[6] = {t[0], t[1], t[2], t[3], t[4], t[5]};
    text_fit(y, x, w, collapsed ? ROLE_WARN : ROLE_DIM, tp, 6);
    y++;
    scatter_plot(u->cells, w, rows, m->proj, m->proj_y, m->n_proj, -h, h, -h, h,
                 !class_glyphs(u, sn), ROLE_CLASS0, u->cand, u->cnt, u->bits);
    for (int r = 0; r < rows; r++) term_cells(y + r, x, u->cells + (size_t)r * w, w);
}
