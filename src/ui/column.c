// column.c: a model's column: its title and settings, then its panels in
// order (curve.c, counts.c, stats.c, projection.c), and what those panels
// share.
#include <stdio.h>
#include <string.h>
#include "panels.h"

// --- Shared by the panels ----------------------------------------------------

void text_fit(int y, int x, int w, ui_role role, const char *const *texts, int n) {
    for (int i = 0; i < n; i++)
        if ((int)strlen(texts[i]) <= w || i == n - 1) {
            term_text(y, x, w, role, texts[i]);
            return;
        }
}

ui_role model_role(ts_model_kind k) { return k == MODEL_SIAMESE ? ROLE_SIAMESE : ROLE_TRIPLET; }

int common_form(const ts_snapshot *sn, int w, int n, form_width width) {
    for (int f = 0; f < n - 1; f++) {
        int fits = 1;
        for (int k = 0; k < MODEL_COUNT; k++) {
            const ts_model_view *m = &sn->model[k];
            if (m->enabled && m->last.step > 0 && width(sn, m, f) > w) fits = 0;
        }
        if (fits) return f;
    }
    return n - 1;
}

// --- Title and settings ------------------------------------------------------

static const char *model_title(ts_model_kind k) { return k == MODEL_SIAMESE ? "Siamese" : "Triplet"; }

static void draw_title(const ts_model_view *m, int y, int x, int w) {
    int n = term_text(y, x, w, ROLE_TITLE, model_title(m->kind));
    if (!m->enabled || m->last.step == 0) return;
    char buf[48], v[16];
    format_sig3(v, sizeof v, m->last.loss, NUM_W);
    snprintf(buf, sizeof buf, "loss %s", v);
    int len = (int)strlen(buf);
    if (n + 1 + len <= w) term_text(y, x + w - len, len, model_role(m->kind), buf);
}

// The settings that act on model k, as tokens, each in a long and a short
// form: "miner hardest-neg" / "hardest-neg". Returns how many.
typedef struct {
    char text[2][48];   // long, short
} ui_token;

// A token from its value v and the long and short patterns ("%s" is v).
static void token(ui_token *t, const char *long_form, const char *short_form, const char *v) {
    snprintf(t->text[0], sizeof t->text[0], long_form, v);
    snprintf(t->text[1], sizeof t->text[1], short_form, v);
}

static int settings_tokens(const ts_snapshot *sn, ts_model_kind k, ui_token *tok) {
    const ts_settings *s = &sn->cfg.set;
    char v[24];
    int n = 0;
    if (k == MODEL_SIAMESE) {
        token(&tok[n++], "%s", "%s", "contrastive");
        format_setting(v, sizeof v, s->pair_margin);
        token(&tok[n++], "pair margin %s", "pair m %s", v);
    } else {
        token(&tok[n++], "miner %s", "%s", miner_name(s->miner));
        format_setting(v, sizeof v, s->margin);
        token(&tok[n++], s->soft ? "soft margin (m %s)" : "margin %s", s->soft ? "soft m %s" : "m %s",
              v);
    }
    if (s->sampler == SAMPLER_PK)
        snprintf(v, sizeof v, "pk %dx%d", sn->cfg.k ? sn->cfg.batch / sn->cfg.k : 0, sn->cfg.k);
    else
        snprintf(v, sizeof v, "uniform %d", sn->cfg.batch);
    token(&tok[n++], "%s", "%s", v);
    // Cosine is of unit vectors whatever n says: no norm / raw beside it.
    const ts_distance_info *di = distance_info(s->distance);
    if (di->unit) snprintf(v, sizeof v, "%s", di->label);
    else snprintf(v, sizeof v, "%s %s", di->label, s->normalize ? "norm" : "raw");
    token(&tok[n++], "%s", "%s", v);
    if (k == MODEL_TRIPLET) token(&tok[n++], "reduce %s", "reduce %s", reduce_name(s->reduce));
    format_setting(v, sizeof v, s->lr);
    token(&tok[n++], "lr %s", "lr %s", v);
    return n;
}

// Lays the tokens out in rows of w columns, two spaces apart, token i in
// its short form when shortened[i]; draws them when draw is set. Returns 1
// when all of them fit in rows.
static int settings_flow(const ui_token *tok, const int *shortened, int n, int y, int x, int w,
                         int rows, int draw) {
    int col = 0, row = 0;
    for (int i = 0; i < n; i++) {
        const char *t = tok[i].text[shortened[i]];
        int len = text_cols(t);
        if (col > 0 && col + 2 + len > w) {
            row++;
            col = 0;
        }
        if (row >= rows) return 0;
        if (col > 0) col += 2;
        if (draw) term_text(y + row, x + col, w - col, ROLE_DEFAULT, t);
        col += len;
    }
    return 1;
}

// Every setting stays in view: the long forms while they fit, else the
// tokens shortened one by one, from the first.
static void draw_settings(const ts_snapshot *sn, ts_model_kind k, int y, int x, int w, int rows) {
    ui_token tok[8];
    int shortened[8] = {0}, n = settings_tokens(sn, k, tok);
    for (int i = 0; i < n && !settings_flow(tok, shortened, n, y, x, w, rows, 0); i++)
        shortened[i] = 1;
    settings_flow(tok, shortened, n, y, x, w, rows, 1);
}

// --- A model's column --------------------------------------------------------

void column_draw(ui_state *u, const ui_layout *L, const ts_snapshot *sn, int k) {
    const ts_model_view *m = &sn->model[k];
    int x = L->x[k], w = L->cw;
    draw_title(m, 1, x, w);
    if (!m->enabled) {
        term_text(3, x, w, ROLE_DIM, "not trained in this run (--models)");
        return;
    }
    draw_settings(sn, m->kind, 2, x, w, L->n_set);
    curve_draw(u, L, sn, m, x, w);
    if (m->last.step == 0) {   // nothing measured yet (a fresh start or a reset)
        term_text(L->y_diff, x, w, ROLE_DIM, "no step yet: the batch figures follow the first");
        stats_draw_eval(u, sn, m, L->y_eval, x, w);
        return;
    }
    counts_draw_difficulty(u, L, sn, m, x, w);
    counts_draw_mined(sn, m, L->y_extra, x, w);
    stats_draw_norms(u, m, L->y_norm, x, w);
    stats_draw_dist(sn, m, L->y_dist, x, w);
    stats_draw_eval(u, sn, m, L->y_eval, x, w);
    projection_draw(u, L, sn, m, x, w);
}
