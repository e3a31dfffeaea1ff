// counts.c: the batch's counts: every valid triplet's difficulty (a line,
// a bar for this batch, a strip over the run), what the miner picked or
// the pairs, and the anchors without a positive.
#include <stdio.h>
#include "panels.h"

// --- Shares ------------------------------------------------------------------

// part as a percentage of whole; 0 of nothing reads 0 % (the core's
// fractions are NaN there, but a share on screen is a count's share).
static double percent_of(long part, long whole) { return whole > 0 ? 100.0 * part / whole : 0.0; }

// --- Difficulty --------------------------------------------------------------

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

// v exact, or compact (format_count) when the form asks for it.
static void count_text(char *buf, int n, long v, int compact) {
    if (compact) format_count(buf, n, v);
    else snprintf(buf, (size_t)n, "%ld", v);
}

// Segment k (easy, semi-hard, hard) of the line in form f, without its
// label: "91.2k 51%"; k == 3: the total, "of 184k".
static void diff_segment(const ts_counts *c, int f, int k, char *buf, int n) {
    const long v[4] = {c->easy, c->semihard, c->hard, c->valid};
    char num[24];
    count_text(num, sizeof num, v[k], diff_forms[f].compact);
    if (k == 3) snprintf(buf, (size_t)n, "of %s", num);
    else snprintf(buf, (size_t)n, "%s %.0f%%", num, percent_of(v[k], c->valid));
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

void counts_draw_difficulty(ui_state *u, const ui_layout *L, const ts_snapshot *sn,
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
    bar_fills(u->caps.utf8, 3, fills);
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
        len = snprintf(buf, n, "%s %d/%d (%.0f%%)", no, st->no_positive, B, percent_of(st->no_positive, B));
    else
        len = snprintf(buf, n, "%s %d (%.0f%%)", no, st->no_positive, percent_of(st->no_positive, B));
    if (m->kind == MODEL_TRIPLET && len > 0 && (size_t)len < n)
        snprintf(buf + len, n - (size_t)len, "%s%s %d (%.0f%%)", f < 3 ? "  " : " ", self,
                 st->self_positive, percent_of(st->self_positive, B));
}

static int nopos_width(const ts_snapshot *sn, const ts_model_view *m, int f) {
    char buf[160];
    nopos_text(sn, m, f, buf, sizeof buf);
    return text_cols(buf);
}

// Triplet: what the miner picked; Siamese: the pairs. Both: anchors alone
// in their class.
void counts_draw_mined(const ts_snapshot *sn, const ts_model_view *m, int y, int x, int w) {
    const ts_stepstats *st = &m->last;
    // The counts exact, then compact (miner "all" mines every valid
    // triplet: 186k), in the longer forms before the shorter.
    char t[4][160], n[2][4][24];
    const long *v, tv[4] = {st->mined.valid, st->mined.easy, st->mined.semihard, st->mined.hard};
    const long pv[3] = {st->pairs.pos, st->pairs.neg, st->pairs.active_neg};
    int nv = m->kind == MODEL_TRIPLET ? 4 : 3;
    v = m->kind == MODEL_TRIPLET ? tv : pv;
    for (int c = 0; c < 2; c++)
        for (int i = 0; i < nv; i++) count_text(n[c][i], sizeof n[c][i], v[i], c);
    char act[2][24];
    count_text(act[0], sizeof act[0], st->active, 0);
    count_text(act[1], sizeof act[1], st->active, 1);
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
