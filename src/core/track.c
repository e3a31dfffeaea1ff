// track.c: one model's measurements over a run.
#include <math.h>
#include <string.h>
#include "tripletscope/track.h"

const char *model_name(ts_model_kind k) {
    return k == MODEL_SIAMESE ? "siamese" : k == MODEL_TRIPLET ? "triplet" : "both";
}

const char *models_name(unsigned models) {
    return models == TS_MODELS_ALL ? "both"
           : models == TS_MODEL_BIT(MODEL_SIAMESE) ? "siamese" : "triplet";
}

float track_frac(long part, long whole) { return whole ? (float)part / (float)whole : NAN; }

int stepstats_finite(const ts_stepstats *st) {
    return isfinite(st->loss) && isfinite(st->norm.mean);
}

static void history_clear(ts_history *h) {
    ts_series *all[] = {&h->loss, &h->easy, &h->semihard, &h->hard, &h->active,
                        &h->norm_mean, &h->d_pos, &h->d_neg, &h->p_at_1,
                        &h->r_precision, &h->map_at_r, &h->run_loss,
                        &h->effective_rank, &h->pc1_share, &h->std_l2};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) series_clear(all[i]);
}

void track_clear(ts_track *t, ts_model_kind kind) {
    t->kind = kind;
    memset(&t->last, 0, sizeof t->last);
    t->n_recent = 0;
    t->have_eval = 0;
    t->n_evals = 0;
    memset(&t->last_eval, 0, sizeof t->last_eval);
    memset(t->gen, 0, sizeof t->gen);
    history_clear(&t->hist);
}

void track_settings_changed(ts_track *t, unsigned readings) {
    for (int r = 0; r < TS_READINGS; r++)
        if (readings & TS_READ_BIT(r)) t->gen[r]++;
}

int stepstats_same_gen(const ts_stepstats *a, const ts_stepstats *b, unsigned readings) {
    for (int r = 0; r < TS_READINGS; r++)
        if ((readings & TS_READ_BIT(r)) && a->gen[r] != b->gen[r]) return 0;
    return 1;
}

void track_push_step(ts_track *t, const ts_stepstats *st) {
    long step = st->step;
    t->last = *st;
    memcpy(t->last.gen, t->gen, sizeof t->gen);
    t->recent[t->n_recent % TS_RECENT] = t->last;
    t->n_recent++;
    ts_history *h = &t->hist;
    series_push(&h->loss, step, st->loss);
    series_push(&h->easy, step, track_frac(st->all.easy, st->all.valid));
    series_push(&h->semihard, step, track_frac(st->all.semihard, st->all.valid));
    series_push(&h->hard, step, track_frac(st->all.hard, st->all.valid));
    if (t->kind == MODEL_TRIPLET) series_push(&h->active, step, track_frac(st->active, st->mined.valid));
    else series_push(&h->active, step, track_frac(st->pairs.active_neg, st->pairs.neg));
    series_push(&h->norm_mean, step, st->norm.mean);
    series_push(&h->d_pos, step, st->d_pos);
    series_push(&h->d_neg, step, st->d_neg);
    if (st->has_run_loss) series_push(&h->run_loss, step, st->run_loss);
}

void track_push_eval(ts_track *t, long step, const ts_retrieval *r) {
    t->last_eval.step = step;
    t->last_eval.r = *r;
    t->have_eval = 1;
    t->n_evals++;
    series_push(&t->hist.p_at_1, step, r->p_at_1);
    series_push(&t->hist.r_precision, step, r->r_precision);
    series_push(&t->hist.map_at_r, step, r->map_at_r);
    series_push(&t->hist.effective_rank, step, r->spread.effective_rank);
    series_push(&t->hist.pc1_share, step, r->spread.pc1_share);
    series_push(&t->hist.std_l2, step, r->spread.std_l2);
}

const ts_stepstats *track_recent(const ts_track *t, int i) {
    long avail = t->n_recent < TS_RECENT ? t->n_recent : TS_RECENT;
    if (i < 0 || i >= avail) return NULL;
    return &t->recent[(t->n_recent - 1 - i) % TS_RECENT];
}

const ts_event *eventlog_last(const ts_eventlog *l) {
    return l->n > 0 ? &l->ev[(l->n - 1) % TS_MAX_EVENTS] : NULL;
}

long eventlog_last_change(const ts_eventlog *l) {
    const ts_event *ev = eventlog_last(l);
    return !ev || command_info(ev->command)->resets ? -1 : ev->step;
}
