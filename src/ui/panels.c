// panels.c: the screen, drawn from one runner view with curses. Everything
// shown is read from the snapshot; this file only lays out, scales, bins and
// formats (the core measures).
//
//   header                                                          row 0
//   Siamese                 loss | Triplet                    loss  titles
//   settings (1-2 rows)          | settings
//   loss curve + axis            | loss curve + axis
//   difficulty counts, bar, strip| ...
//   mined / pairs, no-positive   | ...
//   norms, d_ap vs d_an, P@1     | ...
//   projection                   | projection
//   class legend (shared, full width, 1-3 rows)
//   Diagnosis ----------------------------------------------------
//   findings / warnings
//   key bar                                                         last row
#include <curses.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "keys.h"
#include "evidence.h"
#include "format.h"
#include "panels.h"

// --- Layout -------------------------------------------------------------------------

typedef struct {
    int W, H;
    int cw, x[2];          // column width; the columns' left edges
    int compact;           // the projection does not fit beside the curves
    int n_set;             // settings rows (from row 2)
    int y_loss, n_loss;    // loss canvas rows (0: hidden); the axis row follows
    int y_proj, n_proj;    // projection title row, then n_proj rows (0: hidden)
    int y_leg, n_leg;      // the class legend beneath both scatters, full width
    int y_diff, n_strip;   // counts row, bar row, then n_strip strip rows
    int y_extra;           // two rows: mined / pairs, no-positive / self-positive
    int y_norm, y_dist, y_eval;
    int y_diag, n_diag;    // "Diagnosis" rule, then n_diag rows
    int y_keys;
} ui_layout;

// Rows go, by priority, to the fixed lines, then a loss curve of at least
// 3 rows, then the projection (at least 5); a compact view shows the
// projection only when asked, in place of the loss curve and strip.
static void layout_compute(ui_layout *L, int W, int H, int proj_toggled) {
    memset(L, 0, sizeof *L);
    L->W = W;
    L->H = H;
    L->cw = (W - 1) / 2;
    L->x[0] = 0;
    L->x[1] = L->cw + 1;
    L->n_set = L->cw >= 80 ? 1 : 2;
    int strip = H >= 36 ? 3 : H >= 30 ? 2 : 1;
    L->n_diag = H >= 36 ? 4 : H >= 30 ? 3 : 2;
    int fixed = 11 + L->n_set;   // header, titles, counts, bar, 2 extra, norm, dist, eval, rule, keys
    int R = H - fixed - strip - L->n_diag;
    L->compact = R < 10;
    int loss_rows, proj_rows;
    if (!L->compact) {
        loss_rows = (R - 2) * 2 / 5;
        if (loss_rows < 3) loss_rows = 3;
        if (loss_rows > 12) loss_rows = 12;
        proj_rows = R - 2 - loss_rows;
        if (proj_toggled) { loss_rows = R - 1; proj_rows = 0; }
        L->n_strip = strip;
    } else if (proj_toggled) {
        loss_rows = 0;
        proj_rows = R + strip - 1;
        L->n_strip = 0;
    } else {
        loss_rows = R - 1;
        proj_rows = 0;
        L->n_strip = strip;
    }
    int y = 2 + L->n_set;
    if (loss_rows > 0) {
        L->y_loss = y;
        L->n_loss = loss_rows;
        y += loss_rows + 1;
    }
    if (L->compact && proj_rows > 0) {
        L->y_proj = y;
        L->n_proj = proj_rows;
        y += proj_rows + 1;
    }
    L->y_diff = y;
    y += 2 + L->n_strip;
    L->y_extra = y;
    y += 2;
    L->y_norm = y++;
    L->y_dist = y++;
    L->y_eval = y++;
    if (!L->compact && proj_rows > 0) {
        L->y_proj = y;
        L->n_proj = proj_rows;
    }
    L->y_keys = H - 1;
    L->y_diag = H - 2 - L->n_diag;
}

// --- Scratch ------------------------------------------------------------------------

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
    u->cap = u->cap_w = 0;
}

// --- Small helpers --------------------------------------------------------------------

#define NUM_W 7   // the widest a measured number gets (format_sig3)

static const char *pm(const ui_state *u) { return u->caps.utf8 ? "±" : "+-"; }

static double pct(long part, long whole) { return whole > 0 ? 100.0 * part / whole : 0.0; }

// Writes the first of the texts (most detailed first) that fits in w.
static void text_fit(int y, int x, int w, ui_role role, const char *const *texts, int n) {
    for (int i = 0; i < n; i++)
        if ((int)strlen(texts[i]) <= w || i == n - 1) {
            term_text(y, x, w, role, texts[i]);
            return;
        }
}

static const char *model_title(ts_model_kind k) { return k == MODEL_SIAMESE ? "Siamese" : "Triplet"; }

static ui_role model_role(ts_model_kind k) { return k == MODEL_SIAMESE ? ROLE_SIAMESE : ROLE_TRIPLET; }

// --- Header ---------------------------------------------------------------------------

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

static void draw_header(const ui_state *u, const ts_runner_view *v, int W) {
    const ts_snapshot *sn = &v->snap;
    enum { DATA, STEP, RATE, STATE, SEED, PRESET, NSEG };
    char seg[NSEG][128], sizes[32];
    ui_role role[NSEG] = {ROLE_DEFAULT, ROLE_TITLE, ROLE_DEFAULT, ROLE_DEFAULT, ROLE_DEFAULT,
                          ROLE_DIM};
    snprintf(sizes, sizeof sizes, " %d/%d", sn->n_train, sn->n_test);
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
        int room = W - w, name = text_cols(sn->data_name);
        if (room >= name || room >= header_fallbacks[fb].name_min || fb == n_fb - 1) {
            char shown[96];   // the name (< 64 bytes) and an ellipsis
            text_ellipsize(shown, sizeof shown, sn->data_name, room, 1, u->caps.utf8);
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

// --- Title and settings -----------------------------------------------------------------

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
    snprintf(v, sizeof v, "%s %s", s->squared ? "L2^2" : "L2", s->normalize ? "norm" : "raw");
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

// --- Loss curve -------------------------------------------------------------------------

#define AXIS_W 7   // y labels: 6 characters and a space

static void draw_loss(ui_state *u, const ui_layout *L, const ts_snapshot *sn,
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
        mkey[nm++] = ev->key;
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

// --- Forms shared by the two columns ------------------------------------------------------

// Columns model m's line takes in form f (0: the most detailed).
typedef int (*form_width)(const ts_snapshot *sn, const ts_model_view *m, int f);

// The first of n forms that fits w in both columns (of the models with a
// step to show), so the same figures read alike side by side.
static int common_form(const ts_snapshot *sn, int w, int n, form_width width) {
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

// --- Difficulty -------------------------------------------------------------------------

// The difficulty line's forms, most detailed first: counts exact, then
// compact (91.2k), never left out.
static const struct {
    const char *label[3];
    int compact;   // counts by format_count
    int gap;       // spaces between segments
    int total;     // "of N" at the end
} diff_forms[] = {
    {{"easy", "semi-hard", "hard"}, 0, 2, 1}, {{"easy", "semi-hard", "hard"}, 0, 2, 0},
    {{"easy", "semi", "hard"}, 0, 2, 0},      {{"easy", "semi", "hard"}, 1, 2, 0},
    {{"easy", "semi", "hard"}, 1, 1, 0},      {{"e", "s", "h"}, 1, 2, 0},
    {{"e", "s", "h"}, 1, 1, 0},
};
#define N_DIFF_FORMS ((int)(sizeof diff_forms / sizeof diff_forms[0]))

static void fmt_counted(char *buf, int n, long v, int compact) {
    if (compact) format_count(buf, n, v);
    else snprintf(buf, (size_t)n, "%ld", v);
}

// Segment k (easy, semi-hard, hard) of the line in form f, without its
// label: "91.2k 51%"; k == 3: the total, "of 184k".
static void diff_segment(const ts_counts *c, int f, int k, char *buf, int n) {
    const long v[4] = {c->easy, c->semihard, c->hard, c->valid};
    char num[24];
    fmt_counted(num, sizeof num, v[k], diff_forms[f].compact);
    if (k == 3) snprintf(buf, (size_t)n, "of %s", num);
    else snprintf(buf, (size_t)n, "%s %.0f%%", num, pct(v[k], c->valid));
}

static int diff_width(const ts_snapshot *sn, const ts_model_view *m, int f) {
    char seg[48];
    int w = 0;
    for (int k = 0; k < 3 + diff_forms[f].total; k++) {
        diff_segment(&m->last.all, f, k, seg, sizeof seg);
        w += (k ? diff_forms[f].gap : 0) + text_cols(seg);
        if (k < 3) w += text_cols(diff_forms[f].label[k]) + 1;
    }
    return w;
}

static void draw_difficulty(ui_state *u, const ui_layout *L, const ts_snapshot *sn,
                            const ts_model_view *m, int x, int w) {
    const ts_counts *c = &m->last.all;
    int y = L->y_diff, f = common_form(sn, w, N_DIFF_FORMS, diff_width), col = 0;
    // Each label in its segment's colour: the words name the bar's parts.
    static const ui_role label_role[3] = {ROLE_EASY, ROLE_SEMI, ROLE_HARD};
    char seg[48];
    for (int k = 0; k < 3 + diff_forms[f].total; k++) {
        if (k) col += diff_forms[f].gap;
        if (k < 3) col += term_text(y, x + col, w - col, label_role[k], diff_forms[f].label[k]) + 1;
        diff_segment(c, f, k, seg, sizeof seg);
        col += term_text(y, x + col, w - col, ROLE_DEFAULT, seg);
    }

    // easy, semi-hard, hard from left to right; the strip stacks them from
    // the bottom up as hard, semi-hard, easy, so a drift to all-hard rises.
    wchar_t fills[3];
    bar_fills(u->caps.utf8, u->caps.color, 3, fills);
    const uint8_t roles[3] = {ROLE_EASY, ROLE_SEMI, ROLE_HARD};
    const long counts[3] = {c->easy, c->semihard, c->hard};
    int bw = w - 4;
    if (bw < 4) return;
    term_text(y + 1, x, 4, ROLE_DIM, "now ");
    bar_stacked(u->cells, bw, counts, 3, fills, roles, NULL);
    term_cells(y + 1, x + 4, u->cells, bw);
    if (L->n_strip <= 0) return;
    term_text(y + 2, x, 4, ROLE_DIM, "run ");
    series_columns(&m->hist.hard, bw, NULL, NULL, u->f[0]);
    series_columns(&m->hist.semihard, bw, NULL, NULL, u->f[1]);
    series_columns(&m->hist.easy, bw, NULL, NULL, u->f[2]);
    const float *frac[3] = {u->f[0], u->f[1], u->f[2]};
    const wchar_t sfills[3] = {fills[2], fills[1], fills[0]};
    const uint8_t sroles[3] = {ROLE_HARD, ROLE_SEMI, ROLE_EASY};
    strip_stacked(u->cells, bw, L->n_strip, frac, 3, sfills, sroles);
    for (int r = 0; r < L->n_strip; r++)
        term_cells(y + 2 + r, x + 4, u->cells + (size_t)r * bw, bw);
}

// Anchors alone in their class (the batch is shared, so both columns show
// the same count); the triplet model's self-positives. Form f of 4.
#define N_NOPOS_FORMS 4

static void nopos_text(const ts_snapshot *sn, const ts_model_view *m, int f, char *buf, size_t n) {
    const ts_stepstats *st = &m->last;
    int B = sn->cfg.batch, len;
    const char *no = f < 2 ? "no positive" : "no-pos", *self = f < 1 ? "self-positive" : "self-pos";
    if (f < 3)
        len = snprintf(buf, n, "%s %d/%d (%.0f%%)", no, st->no_positive, B, pct(st->no_positive, B));
    else
        len = snprintf(buf, n, "%s %d (%.0f%%)", no, st->no_positive, pct(st->no_positive, B));
    if (m->kind == MODEL_TRIPLET && len > 0 && (size_t)len < n)
        snprintf(buf + len, n - (size_t)len, "%s%s %d (%.0f%%)", f < 3 ? "  " : " ", self,
                 st->self_positive, pct(st->self_positive, B));
}

static int nopos_width(const ts_snapshot *sn, const ts_model_view *m, int f) {
    char buf[160];
    nopos_text(sn, m, f, buf, sizeof buf);
    return text_cols(buf);
}

// Triplet: what the miner picked; Siamese: the pairs. Both: anchors alone
// in their class.
static void draw_extra(const ts_snapshot *sn, const ts_model_view *m, int y, int x, int w) {
    const ts_stepstats *st = &m->last;
    // The counts exact, then compact (miner "all" mines every valid
    // triplet: 186k), in the longer forms before the shorter.
    char t[4][160], n[2][4][24];
    const long *v, tv[4] = {st->mined.valid, st->mined.easy, st->mined.semihard, st->mined.hard};
    const long pv[3] = {st->pairs.pos, st->pairs.neg, st->pairs.active_neg};
    int nv = m->kind == MODEL_TRIPLET ? 4 : 3;
    v = m->kind == MODEL_TRIPLET ? tv : pv;
    for (int c = 0; c < 2; c++)
        for (int i = 0; i < nv; i++) fmt_counted(n[c][i], sizeof n[c][i], v[i], c);
    char act[2][24];
    fmt_counted(act[0], sizeof act[0], st->active, 0);
    fmt_counted(act[1], sizeof act[1], st->active, 1);
    if (m->kind == MODEL_TRIPLET) {
        snprintf(t[0], sizeof t[0], "mined %s: easy %s semi %s hard %s  active %s", n[0][0],
                 n[0][1], n[0][2], n[0][3], act[0]);
        snprintf(t[1], sizeof t[1], "mined %s (e %s s %s h %s) active %s", n[0][0], n[0][1],
                 n[0][2], n[0][3], act[0]);
        snprintf(t[2], sizeof t[2], "mined %s (e %s s %s h %s) active %s", n[1][0], n[1][1],
                 n[1][2], n[1][3], act[1]);
        snprintf(t[3], sizeof t[3], "mined %s active %s", n[1][0], act[1]);
    } else {
        snprintf(t[0], sizeof t[0], "pairs: %s positive, %s negative, %s inside the margin",
                 n[0][0], n[0][1], n[0][2]);
        snprintf(t[1], sizeof t[1], "pairs +%s -%s, %s inside margin", n[0][0], n[0][1], n[0][2]);
        snprintf(t[2], sizeof t[2], "pairs +%s -%s, %s inside margin", n[1][0], n[1][1], n[1][2]);
        snprintf(t[3], sizeof t[3], "pairs +%s -%s act %s", n[1][0], n[1][1], n[1][2]);
    }
    const char *tp[4] = {t[0], t[1], t[2], t[3]};
    text_fit(y, x, w, ROLE_DEFAULT, tp, 4);
    ui_role role = st->no_positive > 0 || (m->kind == MODEL_TRIPLET && st->self_positive > 0)
                       ? ROLE_WARN : ROLE_DEFAULT;
    char buf[160];
    nopos_text(sn, m, common_form(sn, w, N_NOPOS_FORMS, nopos_width), buf, sizeof buf);
    term_text(y + 1, x, w, role, buf);
}

// --- Norms, distances, retrieval --------------------------------------------------------

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

static void draw_norms(ui_state *u, const ts_model_view *m, int y, int x, int w) {
    const ts_normstats *ns = &m->last.norm;
    char buf[160], v[4][16];
    const double val[4] = {ns->mean, ns->std, ns->min, ns->max};
    for (int i = 0; i < 4; i++) format_sig3(v[i], sizeof v[i], val[i], NUM_W);
    snprintf(buf, sizeof buf, "norm %s%s%s [%s, %s] ", v[0], pm(u), v[1], v[2], v[3]);
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

static void draw_dist(const ts_snapshot *sn, const ts_model_view *m, int y, int x, int w) {
    const ts_stepstats *st = &m->last;
    ui_role role = st->d_neg > st->d_pos ? ROLE_DEFAULT : ROLE_WARN;
    char buf[120];
    dist_text(m, common_form(sn, w, 2, dist_width), buf, sizeof buf);
    term_text(y, x, w, role, buf);
}

static void draw_eval(ui_state *u, const ts_snapshot *sn, const ts_model_view *m, int y, int x,
                      int w) {
    if (!m->have_eval) {
        char t[2][120];
        if (sn->cfg.eval_every > 0) {
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

// --- Projection and legend --------------------------------------------------------------

// One class legend for both scatters (the models share the classes), in
// full-width rows beneath them.
typedef struct {
    int classes, more;                   // classes named; classes left out (past TS_MAX_LEGEND)
    int n;                               // entries: the classes, then "+more" if any
    int rows, gap, glyphs;               // glyphs: classes told apart by glyph (else colour)
    char name[TS_MAX_LEGEND + 1][32];    // as shown (shortened only when the rows need it)
    int x[TS_MAX_LEGEND + 1], row[TS_MAX_LEGEND + 1];
} ui_legend;

#define LEGEND_ROWS_MAX 3

// Braille dots can only be told apart by colour: with more classes than
// colours (8-colour terminals, NO_COLOR, LANG=C) every cell shows its
// class's glyph instead, in its colour where there is one.
static int class_glyphs(const ui_state *u, const ts_snapshot *sn) {
    return !u->caps.utf8 || sn->C > term_class_colors(&u->caps);
}

// Fits the legend in W columns and at most max_rows rows: every class by its
// whole name when that fits, else the names shortened alike.
static void legend_plan(ui_legend *g, const ui_state *u, const ts_snapshot *sn, int W,
                        int max_rows) {
    int C = sn->C < TS_MAX_LEGEND ? sn->C : TS_MAX_LEGEND, wd[TS_MAX_LEGEND + 1];
    g->glyphs = class_glyphs(u, sn);
    g->classes = C;
    g->more = sn->C - C;
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

static void draw_legend(const ui_legend *g, int y) {
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

static void draw_projection(ui_state *u, const ui_layout *L, const ts_snapshot *sn,
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
    scatter_plot(u->cells, w, rows, m->proj, sn->proj_y, m->n_proj, x0, x1, y0, y1,
                 !class_glyphs(u, sn), ROLE_CLASS0, u->cand, u->cnt, u->bits);
    for (int r = 0; r < rows; r++) term_cells(y + r, x, u->cells + (size_t)r * w, w);
}

// --- A model's column -------------------------------------------------------------------

static void draw_column(ui_state *u, const ui_layout *L, const ts_snapshot *sn, int k) {
    const ts_model_view *m = &sn->model[k];
    int x = L->x[k], w = L->cw;
    draw_title(m, 1, x, w);
    if (!m->enabled) {
        term_text(3, x, w, ROLE_DIM, "not trained in this run (--models)");
        return;
    }
    draw_settings(sn, m->kind, 2, x, w, L->n_set);
    draw_loss(u, L, sn, m, x, w);
    if (m->last.step == 0) {   // nothing measured yet (a fresh start or a reset)
        term_text(L->y_diff, x, w, ROLE_DIM, "no step yet: the batch figures follow the first");
        draw_eval(u, sn, m, L->y_eval, x, w);
        return;
    }
    draw_difficulty(u, L, sn, m, x, w);
    draw_extra(sn, m, L->y_extra, x, w);
    draw_norms(u, m, L->y_norm, x, w);
    draw_dist(sn, m, L->y_dist, x, w);
    draw_eval(u, sn, m, L->y_eval, x, w);
    draw_projection(u, L, sn, m, x, w);
}

// --- Diagnosis ------------------------------------------------------------------------

static ui_role severity_role(ts_severity s) {
    return s == SEV_ERROR ? ROLE_ERROR : s == SEV_WARN ? ROLE_WARN : ROLE_DEFAULT;
}

static const char *severity_tag(ts_severity s) {
    return s == SEV_ERROR ? "ERROR" : s == SEV_WARN ? "WARN " : "INFO ";
}

// Writes s over up to rows rows of w columns from (y, x), broken at
// spaces; what does not fit ends in an ellipsis. Returns the rows used.
static int draw_wrapped(const ui_state *u, int y, int x, int w, int rows, ui_role role,
                        const char *s) {
    int r = 0;
    char buf[640];
    while (*s && r < rows) {
        const char *next;
        int len = text_wrap(s, w, &next);
        if (r == rows - 1 && *next) text_ellipsize(buf, sizeof buf, s, w, 0, u->caps.utf8);
        else snprintf(buf, sizeof buf, "%.*s", len, s);
        term_text(y + r++, x, w, role, buf);
        s = next;
    }
    return r;
}

// Rows s takes wrapped in w columns.
static int wrapped_rows(const char *s, int w) {
    int n = 0;
    while (*s) {
        text_wrap(s, w, &s);
        n++;
    }
    return n;
}

// A finding's first row, "WARN  triplet too_hard  press M: ", drawn when
// draw is set; returns where its message starts (continuation rows and the
// evidence align there). Below 120 columns the code (the name
// docs/failure-modes.md files it under) gives its room to the message.
static int finding_head(int y, int W, const ts_finding *f, int draw) {
    const char *who = f->model == DIAG_MODEL_BOTH ? "both" : model_name((ts_model_kind)f->model);
    char part[4][24];
    const ui_role role[4] = {severity_role(f->severity), ROLE_TITLE, ROLE_DIM, ROLE_MARKER};
    snprintf(part[0], sizeof part[0], "%s", severity_tag(f->severity));
    snprintf(part[1], sizeof part[1], "%-7s", who);
    snprintf(part[2], sizeof part[2], "%s", W >= 120 ? diag_code_name(f->code) : "");
    if (part[2][0]) strcat(part[2], " ");
    snprintf(part[3], sizeof part[3], f->suggest[0] ? "press %s:" : "", f->suggest);
    int x = 1;
    for (int i = 0; i < 4; i++) {
        if (!part[i][0]) continue;
        if (draw) term_text(y, x, W - x, role[i], part[i]);
        x += (int)strlen(part[i]) + 1;
    }
    return x < W - 10 ? x : W - 10;
}

#define NOTICE_S 10   // seconds a notice stays on the rule

// Takes the session's last notice (an export's path, a refused key). The
// sequence, not the text, says it is new: a key refused twice is answered
// twice, the second time marked as a repeat.
static void take_notice(ui_state *u, const ts_snapshot *sn, double now) {
    if (sn->notice_seq == u->notice_seq) return;
    int same = strcmp(u->notice, sn->notice) == 0 && now - u->notice_t < NOTICE_S;
    u->notice_repeat = same ? u->notice_repeat + 1 : 1;
    memcpy(u->notice, sn->notice, sizeof u->notice);
    u->notice_seq = sn->notice_seq;
    u->notice_t = now;
}

// The "Diagnosis" rule, with a --log failure or, for a while, the notice.
static void draw_rule(ui_state *u, const ts_runner_view *v, int y, int W, double now) {
    term_fill(y, 0, W, u->caps.utf8 ? L'─' : L'-', ROLE_DIM);
    int x = 2 + term_text(y, 2, W - 2, ROLE_TITLE, " Diagnosis ");
    char msg[700], buf[700], rep[16] = "";
    int room = W - x - 3;   // a space either side, and the rule's last cell
    take_notice(u, &v->snap, now);
    if (v->log_error[0]) {
        snprintf(msg, sizeof msg, "--log %s", v->log_error);
        text_ellipsize(buf, sizeof buf, msg, room, 0, u->caps.utf8);
        term_printf(y, x + 1, W - x - 2, ROLE_ERROR, " %s ", buf);
    } else if (u->notice[0] && now - u->notice_t < NOTICE_S) {
        // The repeat count stays in view however long the notice.
        if (u->notice_repeat > 1) snprintf(rep, sizeof rep, " (x%d)", u->notice_repeat);
        text_ellipsize(buf, sizeof buf, u->notice, room - (int)strlen(rep), 0, u->caps.utf8);
        term_printf(y, x + 1, W - x - 2, ROLE_WARN, " %s%s ", buf, rep);
    }
}

// The engine's findings in rows y.. (rows of them), most severe first. Each
// gets a row; spare rows go first to the messages, then to the evidence,
// most severe first; findings that find no row are counted at the end of
// the last one (which then has a single row: none was spare).
static void draw_findings(const ui_state *u, const ts_snapshot *sn, int y, int rows, int W) {
    int F = sn->n_findings, shown = F < rows ? F : rows, spare = rows - shown;
    int msg_x[TS_MAX_FINDINGS], msg_rows[TS_MAX_FINDINGS], ev_rows[TS_MAX_FINDINGS];
    char ev[TS_MAX_FINDINGS][320], more_text[32];
    // Saying so plainly when there is nothing teaches what a healthy run
    // looks like.
    if (F == 0) term_text(y, 1, W - 1, ROLE_GOOD, DIAG_NONE_MESSAGE);
    for (int i = 0; i < shown; i++) {
        const ts_finding *f = &sn->findings[i];
        msg_x[i] = finding_head(y, W, f, 0);
        int need = wrapped_rows(f->message, W - msg_x[i]) - 1, add = need < spare ? need : spare;
        msg_rows[i] = 1 + (add > 0 ? add : 0);
        spare -= msg_rows[i] - 1;
    }
    for (int i = 0; i < shown; i++) {
        fmt_evidence(ev[i], sizeof ev[i], sn->findings[i].evidence);
        int need = ev[i][0] ? wrapped_rows(ev[i], W - msg_x[i]) : 0;
        ev_rows[i] = need < spare ? need : spare;
        spare -= ev_rows[i];
    }
    int more = F > shown ? snprintf(more_text, sizeof more_text, " +%d more", F - shown) : 0;
    for (int i = 0; i < shown; i++) {
        const ts_finding *f = &sn->findings[i];
        finding_head(y, W, f, 1);
        int mx = msg_x[i], mw = W - mx - (i == shown - 1 ? more : 0);
        y += draw_wrapped(u, y, mx, mw, msg_rows[i], ROLE_DEFAULT, f->message);
        y += draw_wrapped(u, y, mx, mw, ev_rows[i], ROLE_DIM, ev[i]);
    }
    if (more) term_text(y - 1, W - more, more, ROLE_WARN, more_text);
}

static void draw_diagnosis(ui_state *u, const ui_layout *L, const ts_runner_view *v,
                           double now) {
    draw_rule(u, v, L->y_diag, L->W, now);
    draw_findings(u, &v->snap, L->y_diag + 1, L->n_diag, L->W);
}

// --- Key bar -------------------------------------------------------------------------

static void draw_keybar(const ui_layout *L) {
    int n, W = L->W, y = L->y_keys;
    const ui_keydef *t = keys_table(&n);
    int show[32] = {0}, total = 0;
    for (int i = 0; i < n && i < 32; i++)
        if (t[i].bar) {
            show[i] = 1;
            total += (int)(strlen(t[i].bar_key) + strlen(t[i].bar)) + 2;
        }
    // Too narrow: drop the entries not marked to keep, from the right.
    for (int i = n - 1; i >= 0 && total > W; i--)
        if (show[i] && !t[i].bar_keep) {
            show[i] = 0;
            total -= (int)(strlen(t[i].bar_key) + strlen(t[i].bar)) + 2;
        }
    int x = 0;
    for (int i = 0; i < n && x < W; i++) {
        if (!show[i]) continue;
        x += term_text(y, x, W - x, ROLE_KEY, t[i].bar_key);
        x += term_printf(y, x, W - x, ROLE_DEFAULT, " %s ", t[i].bar);
    }
}

// --- Entry ---------------------------------------------------------------------------

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
    // The legend's rows come off the bottom of the scatters.
    if (L.n_proj > 0) {
        int max = L.n_proj / 2 < LEGEND_ROWS_MAX ? L.n_proj / 2 : LEGEND_ROWS_MAX;
        legend_plan(&g, u, sn, W, max > 1 ? max : 1);
        L.n_leg = g.rows;
        L.n_proj -= g.rows;
        L.y_leg = L.y_proj + 1 + L.n_proj;
    }
    draw_header(u, v, W);
    for (int k = 0; k < MODEL_COUNT; k++) draw_column(u, &L, sn, k);
    for (int y = 1; y < L.y_diag; y++)
        if (y < L.y_leg || y >= L.y_leg + L.n_leg)
            term_fill(y, L.cw, 1, u->caps.utf8 ? L'│' : L'|', ROLE_DIM);
    if (L.n_leg > 0) draw_legend(&g, L.y_leg);
    draw_diagnosis(u, &L, v, now);
    draw_keybar(&L);
    if (u->help) help_draw(u, W, H);
}
