// stats.c: a model's measures beside their sparklines: the embeddings'
// norms (and the held-out effective rank), the mean distances d_ap vs d_an,
// and the held-out P@1 and MAP@R.
#include <math.h>
#include <stdio.h>
#include "panels.h"

// --- Norms, distances, retrieval ---------------------------------------------

// The plus-minus sign: "+-" where there is no UTF-8.
static const char *pm(const ui_state *u) { return u->caps.utf8 ? "±" : "+-"; }

// A sparkline of s over up to w cells (fewer while s has fewer bins), on
// [lo, hi], or on its own range when lo >= hi.
static int draw_spark(ui_state *u, const ts_series *s, int y, int x, int w, float lo, float hi,
                      ui_role role) {
    int n = s->nbins < w ? s->nbins : w;
    if (n <= 0) return 0;
    series_columns(s, n, NULL, NULL, u->f[3]);
    if (!(hi > lo)) {
        int any = 0;
        for (int i = 0; i < n; i++) {
            float v = u->f[3][i];
            if (!isfinite(v)) continue;
            if (!any || v < lo) lo = v;
            if (!any || v > hi) hi = v;
            any = 1;
        }
    }
    sparkline(u->cells, u->f[3], n, lo, hi, u->caps.utf8, (uint8_t)role);
    term_cells(y, x, u->cells, n);
    return n;
}

// The norms, then the held-out effective rank of the last evaluation
// ("rank 7.3/32": of the embedding's dimensions), then the norms' sparkline.
// Where all of it does not fit beside a sparkline of 4 cells, the norms'
// [min, max] goes first, then the rank. The norms are the embeddings' before
// any normalisation: "raw norm" says so when the distance normalises.
void stats_draw_norms(ui_state *u, const ts_snapshot *sn, const ts_model_view *m, int y, int x,
                      int w) {
    const ts_normstats *ns = &m->last.norm;
    char buf[160], v[4][16], rank[32] = "";
    format_sig3_pair(v[0], v[1], sizeof v[0], ns->mean, ns->std, NUM_W);
    format_sig3_pair(v[2], v[3], sizeof v[2], ns->min, ns->max, NUM_W);
    const char *label =
        distance_normalizes(sn->cfg.set.distance, sn->cfg.set.normalize) ? "raw norm" : "norm";
    const ts_spread *sp = &m->last_eval.r.spread;
    if (m->have_eval && sp->dims > 0 && isfinite(sp->effective_rank))
        snprintf(rank, sizeof rank, "rank %.1f/%d ", sp->effective_rank, sp->dims);
    snprintf(buf, sizeof buf, "%s %s%s%s [%s, %s] %s", label, v[0], pm(u), v[1], v[2], v[3],
             rank);
    if (rank[0] && w - text_cols(buf) < 4)
        snprintf(buf, sizeof buf, "%s %s%s%s %s", label, v[0], pm(u), v[1], rank);
    if (rank[0] && w - text_cols(buf) < 4)
        snprintf(buf, sizeof buf, "%s %s%s%s [%s, %s] ", label, v[0], pm(u), v[1], v[2], v[3]);
    int n = term_text(y, x, w, ROLE_DEFAULT, buf);
    if (w - n >= 4) draw_spark(u, &m->hist.norm_mean, y, x + n, w - n, 0, 0, model_role(m->kind));
}

// Mean distances; form 0 or 1.
static void dist_text(const ts_model_view *m, int f, char *buf, size_t n) {
    char p[16], q[16];
    format_sig3(p, sizeof p, m->last.d_pos, NUM_W);
    format_sig3(q, sizeof q, m->last.d_neg, NUM_W);
    snprintf(buf, n, f == 0 ? "mean distance  d_ap %s  vs  d_an %s" : "d_ap %s vs d_an %s", p, q);
}

static int dist_width(const ts_snapshot *sn, const ts_model_view *m, int f) {
    char buf[120];
    dist_text(m, f, buf, sizeof buf);
    return text_cols(buf);
}

void stats_draw_dist(const ts_snapshot *sn, const ts_model_view *m, int y, int x, int w) {
    const ts_stepstats *st = &m->last;
    ui_role role = st->d_neg > st->d_pos ? ROLE_DEFAULT : ROLE_WARN;
    char buf[120];
    dist_text(m, common_form(sn, w, 2, dist_width), buf, sizeof buf);
    term_text(y, x, w, role, buf);
}

void stats_draw_eval(ui_state *u, const ts_snapshot *sn, const ts_model_view *m, int y, int x,
                      int w) {
    if (!m->have_eval) {
        char t[2][120];
        if (sn->info.attached) {   // evaluations come from the run's eval dumps
            snprintf(t[0], sizeof t[0], "P@1 --  MAP@R --  (no eval dump read yet)");
            snprintf(t[1], sizeof t[1], "P@1 --  MAP@R --  (no eval dump)");
        } else if (sn->cfg.eval_every > 0) {
            snprintf(t[0], sizeof t[0], "P@1 --  MAP@R --  (first evaluation at step %d)",
                     sn->cfg.eval_every);
            snprintf(t[1], sizeof t[1], "P@1 --  MAP@R --  (first at step %d)",
                     sn->cfg.eval_every);
        } else {
            snprintf(t[0], sizeof t[0], "P@1 --  MAP@R --  (evaluation off: --eval-every 0)");
            snprintf(t[1], sizeof t[1], "P@1 --  MAP@R --  (--eval-every 0)");
        }
        const char *tp[2] = {t[0], t[1]};
        text_fit(y, x, w, ROLE_DIM, tp, 2);
        return;
    }
    const ts_retrieval *r = &m->last_eval.r;
    char buf[64];
    int half = w / 2;
    snprintf(buf, sizeof buf, "P@1 %.3f ", r->p_at_1);
    int n = term_text(y, x, half, ROLE_TITLE, buf);
    if (half - n >= 3) draw_spark(u, &m->hist.p_at_1, y, x + n, half - n - 1, 0, 1, ROLE_GOOD);
    snprintf(buf, sizeof buf, "MAP@R %.3f ", r->map_at_r);
    n = term_text(y, x + half, w - half, ROLE_TITLE, buf);
    if (w - half - n >= 3)
        draw_spark(u, &m->hist.map_at_r, y, x + half + n, w - half - n, 0, 1, ROLE_GOOD);
}
