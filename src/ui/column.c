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

// An attached run's title: its name and, where room allows, its loss kind;
// at the right our loss and the run's own, each in its curve's colour (and
// with the run curve's glyph where colour cannot tell them apart), so the
// title is also the loss curve's legend. What gives way, in order: the loss
// kind, the word "loss", then the name shrinks (to 12 columns), then the
// run's loss goes, then the name shrinks to what is left.
static void draw_watch_title(const ui_state *u, const ts_snapshot *sn, const ts_model_view *m,
                             int y, int x, int w) {
    const char *name = run_info_model_name(&sn->info, m->kind);
    const char *kind = m->kind == MODEL_SIAMESE ? " (contrastive)" : " (triplet)";
    int named = text_cols(name);
    int have = m->enabled && m->last.step > 0;
    int run = have && (m->last.has_run_loss || m->hist.run_loss.nbins > 0);
    // The loss part: "loss 0.412 · run's 0.398", "0.412 · run's 0.398", "loss 0.412".
    char ours[16], theirs[16], glyph[8] = "";
    format_sig3(ours, sizeof ours, m->last.loss, NUM_W);
    if (m->last.has_run_loss) format_sig3(theirs, sizeof theirs, m->last.run_loss, NUM_W);
    else snprintf(theirs, sizeof theirs, "--");   // the run logged no loss at this step
    wchar_t g = run_loss_glyph(&u->caps);
    if (g) snprintf(glyph, sizeof glyph, "%lc ", (wint_t)g);
    const char *dot = u->caps.utf8 ? " · " : ", ";
    int w_ours[2], w_run;
    w_ours[0] = 5 + text_cols(ours);   // "loss 0.412"
    w_ours[1] = text_cols(ours);
    w_run = text_cols(dot) + text_cols(glyph) + 6 + text_cols(theirs);   // " · • run's 0.398"
    // Forms: {kind shown, "loss" word, run's shown, the name's least width}.
    static const struct {
        int kind, word, run, name_min;
    } forms[] = {{1, 1, 1, 0}, {0, 1, 1, 0}, {0, 0, 1, 0}, {0, 0, 1, 12}, {0, 1, 0, 0},
                 {0, 1, 0, 12}, {0, 0, 0, 12}, {0, 0, 0, 1}};
    int nf = (int)(sizeof forms / sizeof forms[0]), f;
    int right = 0, tw = 0;
    for (f = 0; f < nf; f++) {
        right = !have ? 0 : w_ours[forms[f].word ? 0 : 1] + (run && forms[f].run ? w_run : 0);
        tw = named + (forms[f].kind ? text_cols(kind) : 0);
        int room = w - (right ? right + 1 : 0);
        if (tw <= room) break;
        if (forms[f].name_min && room >= forms[f].name_min) {
            tw = room;
            break;
        }
    }
    if (f == nf) {   // not even the name's least fits beside the loss: the name alone
        f = nf - 1;
        right = 0;
        tw = w;
    }
    char shown[96];
    text_ellipsize(shown, sizeof shown, name, tw < named ? tw : named, 1, u->caps.utf8);
    int n = term_text(y, x, w, ROLE_TITLE, shown);
    if (forms[f].kind && tw >= named + text_cols(kind))
        term_text(y, x + n, w - n, ROLE_DIM, kind);
    if (!right) return;
    int rx = x + w - right;
    if (forms[f].word) rx += term_text(y, rx, 5, ROLE_DEFAULT, "loss ");
    rx += term_text(y, rx, NUM_W, model_role(m->kind), ours);
    if (!(run && forms[f].run)) return;
    rx += term_text(y, rx, 3, ROLE_DIM, dot);
    if (glyph[0]) rx += term_text(y, rx, 2, ROLE_RUN_LOSS, glyph);
    rx += term_text(y, rx, 6, ROLE_DEFAULT, "run's ");
    term_text(y, rx, NUM_W, ROLE_RUN_LOSS, theirs);
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
    // An attached run is not trained here: our learning rate is no setting
    // of it (its own, when it logs one, is among its scalars).
    if (sn->info.attached) return n;
    format_setting(v, sizeof v, s->lr);
    token(&tok[n++], "lr %s", "lr %s", v);
    return n;
}

// An attached run's own scalars at the step shown (scalars.jsonl: "lr",
// "epoch", ...) as tokens, after the settings; its loss is on the title.
static int scalar_tokens(const ts_snapshot *sn, ts_model_kind k, ui_token *tok, int max) {
    const ts_watch_view *w = &sn->watch;
    int n = 0;
    for (int i = 0; i < w->n_scalars[k] && i < 4 && n < max; i++) {
        if (strcmp(w->scalar_name[k][i], "loss") == 0) continue;
        char v[16];
        format_sig3(v, sizeof v, w->scalar[k][i], NUM_W);
        snprintf(tok[n].text[0], sizeof tok[n].text[0], "%.23s %s", w->scalar_name[k][i], v);
        snprintf(tok[n].text[1], sizeof tok[n].text[1], "%.23s %s", w->scalar_name[k][i], v);
        n++;
    }
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
// tokens shortened one by one, from the first. An attached run's scalars
// follow, each while it fits (they are the run's, not settings the keys
// change).
static void draw_settings(const ts_snapshot *sn, ts_model_kind k, int y, int x, int w, int rows) {
    ui_token tok[12];
    int shortened[12] = {0}, n = settings_tokens(sn, k, tok);
    for (int i = 0; i < n && !settings_flow(tok, shortened, n, y, x, w, rows, 0); i++)
        shortened[i] = 1;
    if (sn->info.attached) {
        ui_token extra[4];
        int ne = scalar_tokens(sn, k, extra, 4);
        for (int i = 0; i < ne; i++) {
            tok[n] = extra[i];
            shortened[n] = 0;
            if (!settings_flow(tok, shortened, n + 1, y, x, w, rows, 0)) break;
            n++;
        }
    }
    settings_flow(tok, shortened, n, y, x, w, rows, 1);
}

// --- A model's column --------------------------------------------------------

void column_draw(ui_state *u, const ui_layout *L, const ts_snapshot *sn, int k) {
    const ts_model_view *m = &sn->model[k];
    int x = L->x[k], w = L->cw, watch = sn->info.attached;
    if (watch) draw_watch_title(u, sn, m, 1, x, w);
    else draw_title(m, 1, x, w);
    if (!m->enabled) {
        term_text(3, x, w, ROLE_DIM,
                  watch ? "no run in this column (a second --watch DIR fills it)"
                        : "not trained in this run (--models)");
        return;
    }
    draw_settings(sn, m->kind, 2, x, w, L->n_set);
    curve_draw(u, L, sn, m, x, w);
    if (m->last.step == 0) {   // nothing measured yet (a fresh start or a reset)
        if (!watch) {
            term_text(L->y_diff, x, w, ROLE_DIM, "no step yet: the batch figures follow the first");
            stats_draw_eval(u, sn, m, L->y_eval, x, w);
            return;
        }
        // An attached run may have eval dumps before (or without) batches:
        // a TensorBoard log has none.
        const char *tb[2] = {"a TensorBoard log has no training batches: held-out panels only",
                             "TensorBoard: held-out panels only"};
        const char *none[2] = {"no batch dump read yet: the batch figures follow the first",
                               "no batch dump read yet"};
        text_fit(L->y_diff, x, w, ROLE_DIM, sn->watch.tensorboard[k] ? tb : none, 2);
        stats_draw_eval(u, sn, m, L->y_eval, x, w);
        projection_draw(u, L, sn, m, x, w);
        return;
    }
    counts_draw_difficulty(u, L, sn, m, x, w);
    counts_draw_mined(sn, m, L->y_extra, x, w);
    stats_draw_norms(u, sn, m, L->y_norm, x, w);
    stats_draw_dist(sn, m, L->y_dist, x, w);
    stats_draw_eval(u, sn, m, L->y_eval, x, w);
    projection_draw(u, L, sn, m, x, w);
}
