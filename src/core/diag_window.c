// diag_window.c: statistics over a window of a track's recent steps, and
// over the evaluations the diagnosis kept.
#include <math.h>
#include <string.h>
#include "diag.h"

// --- Means of the finite values --------------------------------------------------

typedef struct {
    double sum;
    int n;
} acc;

static void acc_add(acc *a, double v) {
    if (isfinite(v)) {
        a->sum += v;
        a->n++;
    }
}

static double acc_mean(const acc *a) { return a->n ? a->sum / a->n : NAN; }

// --- Steps -----------------------------------------------------------------------

const ts_stepstats *diag_at(const diag_ctx *c, int k, int off) {
    const ts_track *t = k >= 0 && k < MODEL_COUNT ? c->in->track[k] : NULL;
    const ts_stepstats *st = t ? track_recent(t, off) : NULL;
    if (!st || !c->reads || off == c->off) return st;
    const ts_stepstats *ref = track_recent(t, c->off);
    return ref && stepstats_same_gen(st, ref, c->reads) ? st : NULL;
}

int diag_window_len(const diag_ctx *c, int k, int off, int len) {
    int n = 0;
    while (n < len && diag_at(c, k, off + n)) n++;
    return n;
}

void diag_window_stats(const diag_ctx *c, int k, int off, int len, diag_wstats *w) {
    acc loss = {0, 0}, easy = {0, 0}, semi = {0, 0}, hard = {0, 0}, mh = {0, 0}, act = {0, 0},
        selfp = {0, 0}, nopos = {0, 0}, dp = {0, 0}, dn = {0, 0}, norm = {0, 0}, zp = {0, 0},
        fb = {0, 0}, none = {0, 0}, valid = {0, 0}, mz = {0, 0};
    double lo = NAN;
    for (int i = off; i < off + len; i++) {
        const ts_stepstats *st = diag_at(c, k, i);
        if (!st) break;
        acc_add(&loss, st->loss);
        acc_add(&easy, track_frac(st->all.easy, st->all.valid));
        acc_add(&semi, track_frac(st->all.semihard, st->all.valid));
        acc_add(&hard, track_frac(st->all.hard, st->all.valid));
        acc_add(&mh, track_frac(st->mined.hard, st->mined.valid));
        acc_add(&act, track_frac(st->active, st->mined.valid));
        acc_add(&selfp, track_frac(st->self_positive, st->mined.valid));
        acc_add(&nopos, track_frac(st->no_positive, c->in->batch));
        acc_add(&dp, st->d_pos);
        acc_add(&dn, st->d_neg);
        acc_add(&norm, st->norm.mean);
        acc_add(&zp, st->zero_pairs);
        acc_add(&mz, (double)st->mined_zero);
        acc_add(&fb, track_frac(st->fallback, st->mined.valid));
        acc_add(&none, st->mined.valid == 0);
        acc_add(&valid, (double)st->all.valid);
        if (!(st->min_dist >= lo)) lo = isnan(st->min_dist) ? lo : st->min_dist;
    }
    w->loss = acc_mean(&loss);
    w->easy = acc_mean(&easy);
    w->semihard = acc_mean(&semi);
    w->hard = acc_mean(&hard);
    w->mined_hard = acc_mean(&mh);
    w->active = acc_mean(&act);
    w->self_pos = acc_mean(&selfp);
    w->no_pos = acc_mean(&nopos);
    w->d_pos = acc_mean(&dp);
    w->d_neg = acc_mean(&dn);
    w->norm = acc_mean(&norm);
    w->zero_pairs = acc_mean(&zp);
    w->mined_zero = acc_mean(&mz);
    w->min_dist = lo;
    w->fallback = acc_mean(&fb);
    w->nothing = acc_mean(&none);
    w->valid = acc_mean(&valid);
}

double diag_mean_loss(const diag_ctx *c, int k, int off, int len) {
    acc a = {0, 0};
    for (int i = off; i < off + len; i++) {
        const ts_stepstats *st = diag_at(c, k, i);
        if (!st) break;
        acc_add(&a, st->loss);
    }
    return acc_mean(&a);
}

double diag_window_active(const diag_ctx *c, int k, int off, int len) {
    acc a = {0, 0};
    for (int i = off; i < off + len; i++) {
        const ts_stepstats *st = diag_at(c, k, i);
        if (!st) break;
        acc_add(&a, track_frac(st->active, st->mined.valid));
    }
    return acc_mean(&a);
}

int diag_norm_blocks(const diag_ctx *c, int k, int off, int blocks, int len, long warmup,
                     double *out) {
    const ts_stepstats *newest = diag_at(c, k, off);
    if (!newest || newest->step - (long)blocks * len < warmup) return 0;
    for (int b = 0; b < blocks; b++) {
        acc a = {0, 0};
        int first = off + (blocks - 1 - b) * len;
        for (int i = first; i < first + len; i++) {
            const ts_stepstats *st = diag_at(c, k, i);
            if (!st) return 0;
            acc_add(&a, st->norm.mean);
        }
        out[b] = acc_mean(&a);
        if (!(out[b] > 0)) return 0;
    }
    return 1;
}

float diag_loss_median(const diag_ctx *c, int k, int off, int skip, int len) {
    float v[64];
    int n = 0;
    if (len > 64) len = 64;
    for (int i = off + skip; i < off + skip + len; i++) {
        const ts_stepstats *st = diag_at(c, k, i);
        if (!st) break;
        if (!isfinite(st->loss)) continue;
        float x = st->loss;
        int j = n++;
        for (; j > 0 && v[j - 1] > x; j--) v[j] = v[j - 1];
        v[j] = x;
    }
    if (!n) return NAN;
    return n % 2 ? v[n / 2] : 0.5f * (v[n / 2 - 1] + v[n / 2]);
}

double diag_loss_fall(const diag_ctx *c, int k) {
    const ts_diag *d = c->d;
    if (d->first_n[k] < DIAG_WINDOW / 2 || !diag_at(c, k, 2 * DIAG_WINDOW - 1)) return NAN;
    double first = d->first_loss[k] / d->first_n[k];
    double now = diag_mean_loss(c, k, 0, DIAG_WINDOW);
    return first > 0 ? (first - now) / first : NAN;
}

// --- Evaluations ---------------------------------------------------------------------

double diag_loss_upto(const ts_track *t, long step, int len) {
    acc a = {0, 0};
    int off = 0;
    const ts_stepstats *st;
    while ((st = track_recent(t, off)) && st->step > step) off++;
    for (int i = 0; i < len && (st = track_recent(t, off + i)); i++) acc_add(&a, st->loss);
    return acc_mean(&a);
}

double diag_map_rise(const ts_diag *d, int k, long since) {
    int oldest = -1;
    for (int i = 1; i < d->n_ev[k]; i++)
        if (d->ev[k][i].step >= since) oldest = i;
    return oldest < 0 ? NAN : d->ev[k][0].map_at_r - d->ev[k][oldest].map_at_r;
}

// A query of class c finds its class first with probability
// (n_c - 1) / (N - 1); queries whose class has no other member do not count
// (as in eval_retrieval).
void diag_compute_chance(ts_diag *d, const ts_diag_input *in) {
    int C = in->eval_classes, N = in->n_eval;
    d->chance = NAN;
    d->chance_queries = 0;
    if (C <= 0 || C > TS_MAX_CLASSES || N < 2 || !in->eval_y) return;
    memset(d->class_count, 0, sizeof(int) * (size_t)C);
    for (int i = 0; i < N; i++)
        if (in->eval_y[i] >= 0 && in->eval_y[i] < C) d->class_count[in->eval_y[i]]++;
    double hits = 0;
    long q = 0;
    for (int c = 0; c < C; c++) {
        long n = d->class_count[c];
        if (n < 2) continue;
        hits += (double)n * (n - 1) / (N - 1);
        q += n;
    }
    if (q) {
        d->chance = (float)(hits / q);
        d->chance_queries = (int)q;
    }
}
