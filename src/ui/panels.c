// panels.c: the screen, drawn from one runner view with curses. Everything
// shown is read from the snapshot; the panels only lay out, scale, bin and
// format (the core measures). This file holds the scratch a frame draws in
// and draws the panels in their places (layout.c).
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "panels.h"

// --- Scratch -----------------------------------------------------------------

int panels_reserve(ui_state *u, int W, int H) {
    int need = W * H, need_w = 2 * W + 2;
    if (need > u->cap) {
        ui_cell *c = realloc(u->cells, sizeof *c * (size_t)need);
        if (c) u->cells = c;
        uint8_t *b = realloc(u->bits, (size_t)need), *r = realloc(u->roles, (size_t)need);
        if (b) u->bits = b;
        if (r) u->roles = r;
        int *ca = realloc(u->cand, sizeof(int) * (size_t)need);
        if (ca) u->cand = ca;
        int *cn = realloc(u->cnt, sizeof(int) * (size_t)need);
        if (cn) u->cnt = cn;
        if (!c || !b || !r || !ca || !cn) return -1;
        u->cap = need;
    }
    if (!u->view && !(u->view = malloc(2 * sizeof *u->view))) return -1;
    if (need_w > u->cap_w) {
        for (int i = 0; i < 4; i++) {
            float *f = realloc(u->f[i], sizeof(float) * (size_t)need_w);
            if (!f) return -1;
            u->f[i] = f;
        }
        u->cap_w = need_w;
    }
    return 0;
}

void panels_free(ui_state *u) {
    free(u->cells);
    free(u->bits);
    free(u->roles);
    free(u->cand);
    free(u->cnt);
    for (int i = 0; i < 4; i++) free(u->f[i]);
    free(u->view);
    u->view = NULL;
    u->cap = u->cap_w = 0;
}

// --- Entry -------------------------------------------------------------------

// Centred; the message breaks after its colon when the line is too narrow.
static void draw_too_small(int W, int H) {
    char buf[96];
    snprintf(buf, sizeof buf, "terminal too small: need %dx%d, have %dx%d", UI_MIN_W, UI_MIN_H, W,
             H);
    const char *lines[3] = {buf, "q quits", NULL};
    char *colon = strchr(buf, ':');
    if ((int)strlen(buf) > W && colon) {
        colon[1] = 0;
        lines[1] = colon + 2;
        lines[2] = "q quits";
    }
    int n = lines[2] ? 3 : 2, y = H / 2 - 1 > 0 ? H / 2 - 1 : 0;
    for (int i = 0; i < n && y + i < H; i++) {
        int len = (int)strlen(lines[i]);
        term_text(y + i, len < W ? (W - len) / 2 : 0, W, i == n - 1 ? ROLE_DIM : ROLE_WARN,
                  lines[i]);
    }
}

void panels_draw(ui_state *u, const ts_runner_view *v, double now) {
    int H = LINES, W = COLS;
    erase();
    if (W < UI_MIN_W || H < UI_MIN_H) {
        draw_too_small(W, H);
        return;
    }
    if (panels_reserve(u, W, H)) term_fatal("out of memory drawing a %dx%d screen", W, H);
    ui_layout L;
    ui_legend g;
    const ts_snapshot *sn = &v->snap;
    layout_compute(&L, W, H, u->show_proj);
    u->paused = !v->running || (sn->info.attached && !sn->watch.following);
    // The legend's rows come off the bottom of the scatters.
    if (L.n_proj > 0) {
        int max = L.n_proj / 2 < LEGEND_ROWS_MAX ? L.n_proj / 2 : LEGEND_ROWS_MAX;
        legend_plan(&g, u, sn, W, max > 1 ? max : 1);
        L.n_leg = g.rows;
        L.n_proj -= g.rows;
        L.y_leg = L.y_proj + 1 + L.n_proj;
    }
    header_draw(u, v, W);
    if (u->find_open) {   // the finding view in place of the columns
        findview_draw(u, &L, v);
    } else {
        for (int k = 0; k < MODEL_COUNT; k++) column_draw(u, &L, sn, k);
        for (int y = 1; y < L.y_diag; y++)
            if (y < L.y_leg || y >= L.y_leg + L.n_leg)
                term_fill(y, L.cw, 1, u->caps.utf8 ? L'│' : L'|', ROLE_DIM);
        if (L.n_leg > 0) legend_draw(&g, L.y_leg);
    }
    diagnosis_draw(u, &L, v, now);
    keybar_draw(u, &L, sn);
    if (u->help) help_draw(u, sn, W, H);
}
