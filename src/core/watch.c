// watch.c: an attached run's dumps as the driver's source (watch.h).
//
// Each watched directory is a run: a catalog of its dumps, its settings
// (run.json, the flags, what-if keys), a track, and buffers sized by its
// dumps. An advance reads the dumps of the lowest step not yet read, across
// the runs, and measures them as the trainer measures its own batches
// (measure.h) and evaluations (eval.h, pca.h). Only the dump on screen is
// kept: the series remember the rest.
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "tripletscope/dumpfile.h"
#include "tripletscope/measure.h"
#include "tripletscope/pca.h"
#include "tripletscope/report.h"
#include "tripletscope/runjson.h"
#include "tripletscope/source.h"
#include "tripletscope/watch.h"

#define EVAL_SEED 0x5eedULL   // as the trainer's: the same subsample of the same set
#define NOTICES 32
#define MAX_BATCH 65536       // rows of one batch dump measured (B x B distances)

typedef struct {
    long step;
    size_t entry;             // its catalog entry
    int has_run_loss;         // the run's own loss at that step (scalars.jsonl)
    float run_loss;
} dump_ref;

typedef struct {
    long step;
    size_t entry;
    ts_retrieval r;
} eval_ref;

typedef struct {
    int used;
    ts_model_kind kind;
    char dir[160], name[48], loss[32];
    ts_catalog cat;
    ts_labelmap *labels;      // the watch's one map: a class is one id (and colour) in both runs
    ts_settings own, set;     // the run's own settings, and the ones measured under
    uint64_t seed;
    int D;                    // fixed by the first dump read
    dumpfile_dtype dtype[2];  // of batch and of eval dumps (dump_kind), each fixed by its first
    ts_measure meas;          // sized for batches of meas.B rows
    int *y;                   // (meas.B)
    int64_t *ids;             // (meas.B) batch-STEP.ids.npy's sample ids
    int *slot;                // (meas.B) their slots in picks
    ts_picks picks;           // triplet run: per-sample picks, from the first batch with ids
    int picks_full_said;      // the notice that picks holds no more ids was given
    ts_rng rng;
    ts_track track;
    size_t next;              // the next catalog entry to read
    dump_ref *batches;        // (n_batches) the batches read, by step
    size_t n_batches, cap_batches;
    eval_ref *evals;          // (n_evals) the evaluations read, by step
    size_t n_evals, cap_evals;
    int eval_due;             // an eval dump at this step waits for evaluate()
    size_t eval_entry;
    // The evaluation on screen.
    int eval_rows, eval_used; // rows of the dump, rows evaluated
    int *eval_y;              // (eval_used)
    float *eval_emb;          // (eval_used, D)
    int cap_eval;
    ts_eval_ws ews;
    int ews_N, ews_C;
    ts_pca pca;
    int n_proj;
    float proj[2 * TS_MAX_PROJ];
    int proj_y[TS_MAX_PROJ];
    float *proj_emb;          // (TS_MAX_PROJ, D)
    ts_stepstats shown;       // the shown batch, measured under `set`
    int have_shown;
    ts_evalrec shown_eval;
    int have_shown_eval;
    // The run's own scalars (scalars.jsonl), read up to the step reached.
    FILE *scalars;
    char line[4096];
    int line_held;            // line holds a parsed line of a later step
    long held_step;
    int n_scalar;
    char scalar_name[4][24];
    float scalar[4];
    int has_loss;
    float loss_value;
    long loss_step;
} run;

typedef struct {
    ts_watch_opts opts;
    ts_labelmap labels;       // raw labels -> class ids, shared by the runs
    ts_config cfg;            // cfg.set: the settings the snapshot shows (merged)
    run run[MODEL_COUNT];
    ts_eventlog events;
    long step;                // the step reached (-1: none)
    long *steps;              // (n_steps) the steps read, in order: the timeline
    size_t n_steps, cap_steps;
    size_t shown;             // index into steps of the step on screen
    int following;
    char notice[NOTICES][320];
    int n_notice, notice_head;
    char notice_out[320];
    ts_eval_progress progress;
    void *progress_ctx;
    int scanned;              // the catalogs were listed once
} ts_watch;

// --- Notices ---------------------------------------------------------------------

static void say(ts_watch *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(ts_watch *w, const char *fmt, ...) {
    if (w->n_notice == NOTICES) return;   // the front end reads them every step
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(w->notice[(w->notice_head + w->n_notice) % NOTICES], sizeof w->notice[0], fmt, ap);
    va_end(ap);
    w->n_notice++;
}

static void catalog_notices(ts_watch *w, run *r) {
    const char *m;
    while ((m = catalog_next_notice(&r->cat))) say(w, "%s", m);
}

// --- Growing lists (outside any training step: reading a dump is IO) ---------------

static int grow(void **p, size_t *cap, size_t need, size_t size) {
    if (need <= *cap) return 0;
    size_t c = *cap ? *cap * 2 : 64;
    while (c < need) c *= 2;
    void *q = realloc(*p, c * size);
    if (!q) return -1;
    *p = q;
    *cap = c;
    return 0;
}

// --- Settings ------------------------------------------------------------------------

static int miner_by_name(const char *s, ts_miner *m) {
    for (int i = 0; i < MINER_ONLINE; i++)   // offline's listed triplets are not in the dumps
        if (!strcmp(s, miner_name((ts_miner)i))) {
            *m = (ts_miner)i;
            return 0;
        }
    if (!strcmp(s, "batch-hard") || !strcmp(s, "batch_hard")) {
        *m = MINER_HARD;
        return 0;
    }
    return -1;
}

static int distance_by_name(const char *s, ts_settings *set) {
    int d = distance_parse(s);
    if (d < 0) return -1;
    set->distance = (ts_distance)d;
    return 0;
}


// The run's own settings: the format's defaults, run.json's, then the flags'.
static int run_settings(run *r, const ts_runjson *rj, const ts_watch_opts *o,
                        const ts_config *cfg, const char *path, ts_error *err) {
    ts_settings *s = &r->own;
    *s = cfg->set;
    s->miner = MINER_ALL;
    s->margin = 0.2f;
    s->pair_margin = 1.0f;
    s->normalize = 0;
    s->distance = DIST_EUCLIDEAN;
    s->soft = 0;
    s->reduce = REDUCE_MEAN;
    s->pair_labels = PAIR_LABELS_NORMAL;     // the dumps' labels as they are
    s->pair_distance = PAIR_DIST_EUCLIDEAN;
    // A run of pre-selected triplets (--miner offline's own dumps): its list
    // is not in the dumps, so its batches are measured under --miner NAME.
    int offline = rj->given & RUNJSON_MINER && !strcmp(rj->miner, miner_name(MINER_OFFLINE));
    if (offline && !(o->given & WATCH_GIVEN_MINER))
        return ts_fail(err, "%s: \"miner\": offline (pre-selected triplets) cannot be watched: "
                       "its list is not in the dumps; give --miner NAME to measure them", path);
    if (rj->given & RUNJSON_MINER && !offline && miner_by_name(rj->miner, &s->miner))
        return ts_fail(err, "%s: \"miner\": expected random, all, hard, semihard or hardest-neg, got \"%s\"",
                       path, rj->miner);
    if (rj->given & RUNJSON_MARGIN) {
        if (!(rj->margin >= 0)) return ts_fail(err, "%s: \"margin\" must be >= 0", path);
        s->margin = (float)rj->margin;
    }
    if (rj->given & RUNJSON_PAIR_MARGIN) {
        if (!(rj->pair_margin >= 0)) return ts_fail(err, "%s: \"pair_margin\" must be >= 0", path);
        s->pair_margin = (float)rj->pair_margin;
    }
    if (rj->given & RUNJSON_DISTANCE && distance_by_name(rj->distance, s))
        return ts_fail(err, "%s: \"distance\": expected euclidean, squared or cosine, got \"%s\"",
                       path, rj->distance);
    if (rj->given & RUNJSON_NORMALIZE) s->normalize = rj->normalize;
    if (rj->given & RUNJSON_SAMPLER) s->sampler = strcmp(rj->sampler, "pk") ? SAMPLER_UNIFORM : SAMPLER_PK;
    if (o->given & WATCH_GIVEN_MINER) s->miner = cfg->set.miner;
    if (o->given & WATCH_GIVEN_MARGIN) s->margin = cfg->set.margin;
    if (o->given & WATCH_GIVEN_PAIR_MARGIN) s->pair_margin = cfg->set.pair_margin;
    if (o->given & WATCH_GIVEN_DISTANCE) s->distance = cfg->set.distance;
    if (o->given & WATCH_GIVEN_NORMALIZE) s->normalize = cfg->set.normalize;
    r->set = *s;
    return 0;
}

// What the snapshot and the diagnosis read as "the settings": the triplet
// run's triplet settings, the Siamese run's pair margin; the distance space
// the triplet run's (or the only run's).
static void merge_settings(ts_watch *w) {
    const run *t = &w->run[MODEL_TRIPLET], *s = &w->run[MODEL_SIAMESE];
    ts_settings m = t->used ? t->set : s->set;
    if (s->used) {
        m.pair_margin = s->set.pair_margin;
        m.pair_labels = s->set.pair_labels;
        m.pair_distance = s->set.pair_distance;
    }
    w->cfg.set = m;
}

// --- The run's own scalars ---------------------------------------------------------

// Reads scalars.jsonl's lines up to `step`: the newest values at or before
// it are the run's own at that step. A line of a later step waits.
static void scalars_upto(ts_watch *w, run *r, long step) {
    if (!r->scalars) {
        char path[512];
        if (!catalog_has_scalars(&r->cat) || catalog_scalars_path(&r->cat, path, sizeof path))
            return;
        if (!(r->scalars = fopen(path, "r"))) return;
    }
    for (;;) {
        if (!r->line_held) {
            long pos = ftell(r->scalars);
            if (!fgets(r->line, sizeof r->line, r->scalars)) {
                clearerr(r->scalars);   // followed: more may come
                return;
            }
            size_t len = strlen(r->line);
            if (len == 0 || r->line[len - 1] != '\n') {   // a partial last line: later
                fseek(r->scalars, pos, SEEK_SET);
                return;
            }
            r->line_held = 1;
        }
        int64_t st;
        char names[8][DUMPFILE_SCALAR_NAME];
        double vals[8];
        int n = 0;
        int rc = dumpfile_parse_scalar_line(r->line, &st, names, vals, 8, &n);
        if (rc < 0) {
            if (strspn(r->line, " \t\r\n") != strlen(r->line))
                say(w, "%s/scalars.jsonl: a line that is not a JSON object with a \"step\" was skipped",
                    r->dir);
            r->line_held = 0;
            continue;
        }
        if (st > step) return;   // held for a later step
        r->line_held = 0;
        r->n_scalar = 0;
        for (int i = 0; i < n; i++) {
            if (!strcmp(names[i], "loss")) {
                r->has_loss = 1;
                r->loss_value = (float)vals[i];
                r->loss_step = (long)st;
            }
            if (r->n_scalar < 4) {
                snprintf(r->scalar_name[r->n_scalar], 24, "%.23s", names[i]);
                r->scalar[r->n_scalar++] = (float)vals[i];
            }
        }
    }
}

// --- Reading and measuring a batch ---------------------------------------------------

static int size_measure(run *r, int B) {
    if (r->meas.e && r->meas.B == B) return 0;
    measure_free(&r->meas);
    free(r->y);
    free(r->ids);
    free(r->slot);
    r->y = malloc(sizeof(int) * (size_t)B);
    r->ids = malloc(sizeof(int64_t) * (size_t)B);
    r->slot = malloc(sizeof(int) * (size_t)B);
    if (!r->y || !r->ids || !r->slot || measure_init(&r->meas, B, B, r->D)) return -1;
    return 0;
}

// The matrix of entry i, checked against the run's D and dtype; NULL with a
// notice when it is skipped.
static float *read_dump(ts_watch *w, run *r, size_t i, int *N, char *path, size_t cap) {
    ts_error err;
    dumpfile_dtype dt;
    int D;
    float *x = NULL;
    if (catalog_entry_path(&r->cat, i, DUMP_EMBEDDINGS, path, cap)) {
        say(w, "%s: a dump's path is too long: skipped", r->dir);
        return NULL;
    }
    if (dumpfile_read_matrix(path, w->opts.max_bytes, &x, N, &D, &dt, &err)) {
        say(w, "%s (skipped)", err.msg);
        return NULL;
    }
    int kind = catalog_entry(&r->cat, i).kind == DUMP_EVAL;
    if (!r->D) r->D = D;
    if (!r->dtype[kind]) r->dtype[kind] = dt;
    if (D != r->D || dt != r->dtype[kind]) {
        say(w, "%s: %d x %d %s, but the run's %s dumps are %s with D = %d: skipped", path, *N, D,
            dumpfile_dtype_name(dt), kind ? "eval" : "batch", dumpfile_dtype_name(r->dtype[kind]),
            r->D);
        free(x);
        return NULL;
    }
    return x;
}

// Reads entry i's labels into y (N); -1 with a notice when skipped.
static int read_labels(ts_watch *w, run *r, size_t i, const char *path, int N, int *y) {
    char lpath[512];
    ts_error err;
    if (catalog_entry_path(&r->cat, i, DUMP_LABELS, lpath, sizeof lpath)) {
        say(w, "%s: no labels: skipped", path);
        return -1;
    }
    if (dumpfile_read_labels(lpath, path, N, w->opts.label_col, r->labels, y, &err)) {
        say(w, "%s (skipped)", err.msg);
        return -1;
    }
    return 0;
}

// Measures z (B, D), y under the run's current settings into st.
static void measure_run(run *r, const float *z, long step, ts_stepstats *st) {
    memset(st, 0, sizeof *st);
    measure_batch(&r->meas, z, r->y, &r->set, st);
    if (r->kind == MODEL_SIAMESE) st->loss = measure_pairs(&r->meas, &r->set, st);
    else st->loss = measure_triplets(&r->meas, &r->set, &r->rng, st);
    st->step = step;
}

// Reads and measures batch entry i. Returns 1 when it was measured.
static int read_batch(ts_watch *w, run *r, size_t i, long step, ts_stepstats *st) {
    char path[512];
    int B;
    float *z = read_dump(w, r, i, &B, path, sizeof path);
    if (!z) return 0;
    if (B < 2 || B > MAX_BATCH) {
        say(w, "%s: %d rows: a batch needs 2 to %d: skipped", path, B, MAX_BATCH);
        free(z);
        return 0;
    }
    if (size_measure(r, B)) {
        say(w, "%s: out of memory for a batch of %d: skipped", path, B);
        free(z);
        return 0;
    }
    if (read_labels(w, r, i, path, B, r->y)) {
        free(z);
        return 0;
    }
    measure_run(r, z, step, st);
    free(z);
    return 1;
}

// Counts the picks of the batch entry i measured last (read_batch) when the
// triplet run dumped its sample ids (batch-STEP.ids.npy) and the miner is
// batch-hard or hardest-neg; st->picks says whether it did. The counts are
// sized once, at the first batch with ids: TS_PICKS_MAX_IDS distinct ids at
// most (the ids may be any integers: they are mapped, not indexed), those
// first seen later are left out with a notice.
static void count_picks(ts_watch *w, run *r, size_t i, ts_stepstats *st) {
    dump_entry e = catalog_entry(&r->cat, i);
    if (r->kind != MODEL_TRIPLET) return;
    picks_stats(&r->picks, &st->picks);   // the tallies stand still unless counted below
    if (!e.has_ids || (r->set.miner != MINER_HARD && r->set.miner != MINER_HARDEST_NEG)) return;
    char path[512], epath[512];
    ts_error err;
    int B = r->meas.B;
    if (catalog_entry_path(&r->cat, i, DUMP_IDS, path, sizeof path) ||
        catalog_entry_path(&r->cat, i, DUMP_EMBEDDINGS, epath, sizeof epath)) {
        say(w, "%s: a dump's path is too long: its ids are not counted", r->dir);
        return;
    }
    if (dumpfile_read_ids(path, epath, B, r->ids, &err)) {
        say(w, "%s (its ids are not counted)", err.msg);
        return;
    }
    if (!r->picks.drawn && picks_init_ids(&r->picks, TS_PICKS_MAX_IDS, MAX_BATCH)) {
        say(w, "%s: out of memory for the per-sample picks: ids are not counted", r->dir);
        return;
    }
    picks_slots(&r->picks, r->ids, B, r->slot);
    if (r->picks.dropped && !r->picks_full_said) {
        r->picks_full_said = 1;
        say(w, "%s: more than %d distinct sample ids: those seen after are not counted", r->dir,
            TS_PICKS_MAX_IDS);
    }
    picks_count(&r->picks, &r->meas, &r->set, r->slot, &st->picks);
}

// --- Evaluating ------------------------------------------------------------------------

static int size_eval(run *r, int n, int C) {
    if (n > r->cap_eval) {
        free(r->eval_emb);
        free(r->eval_y);
        r->eval_emb = malloc(sizeof(float) * (size_t)n * r->D);
        r->eval_y = malloc(sizeof(int) * (size_t)n);
        r->cap_eval = r->eval_emb && r->eval_y ? n : 0;
        if (!r->cap_eval) return -1;
    }
    if (n > r->ews_N || C > r->ews_C) {
        eval_ws_free(&r->ews);
        int N2 = n > r->ews_N ? n : r->ews_N, C2 = C > r->ews_C ? C : r->ews_C;
        if (eval_ws_init(&r->ews, N2, r->D, C2)) {
            r->ews_N = r->ews_C = 0;
            return -1;
        }
        r->ews_N = N2;
        r->ews_C = C2;
    }
    if (!r->proj_emb) {
        if (!(r->proj_emb = malloc(sizeof(float) * TS_MAX_PROJ * (size_t)r->D))) return -1;
        if (pca_init(&r->pca, TS_MAX_PROJ, r->D)) return -1;
    }
    return 0;
}

// Reads eval entry i and evaluates it under the run's settings: P@1,
// R-precision, MAP@R and the projection. Returns 1 when evaluated.
static int evaluate_entry(ts_watch *w, run *r, size_t i, ts_retrieval *out) {
    char path[512];
    int N;
    float *z = read_dump(w, r, i, &N, path, sizeof path);
    if (!z) return 0;
    int *y = malloc(sizeof(int) * (size_t)N), *idx = malloc(sizeof(int) * (size_t)N);
    float *norms = malloc(sizeof(float) * (size_t)N);
    int ok = y && idx && norms && !read_labels(w, r, i, path, N, y);
    int C = r->labels->count, n = 0;
    if (ok) {
        n = eval_subsample(y, N, C, w->cfg.eval_size, EVAL_SEED, idx);
        ok = n > 0 && !size_eval(r, n, C);
        if (!ok && n > 0) say(w, "%s: out of memory for %d held-out rows: skipped", path, n);
    }
    if (ok) {
        const int D = r->D;
        for (int k = 0; k < n; k++) {
            memcpy(r->eval_emb + (size_t)k * D, z + (size_t)idx[k] * D, sizeof(float) * D);
            r->eval_y[k] = y[idx[k]];
        }
        embed_forward(r->eval_emb, norms, r->eval_emb, n, D,
                      distance_normalizes(r->set.distance, r->set.normalize));
        r->ews.progress = w->progress;
        r->ews.progress_ctx = w->progress_ctx;
        r->ews.progress_tag = r->kind;
        eval_retrieval(r->eval_emb, r->eval_y, n, D, C, &r->ews, out);
        eval_spread(r->eval_emb, n, D, &r->ews, &out->spread);
        r->eval_rows = N;
        r->eval_used = n;
        int np = w->cfg.proj_points < TS_MAX_PROJ ? w->cfg.proj_points : TS_MAX_PROJ;
        int *pidx = idx;   // reused: the subsample is copied out already
        r->n_proj = eval_subsample(r->eval_y, n, C, np, EVAL_SEED + 1, pidx);
        if (r->n_proj > TS_MAX_PROJ) r->n_proj = TS_MAX_PROJ;
        for (int k = 0; k < r->n_proj; k++) {
            memcpy(r->proj_emb + (size_t)k * D, r->eval_emb + (size_t)pidx[k] * D, sizeof(float) * D);
            r->proj_y[k] = r->eval_y[pidx[k]];
        }
        pca_project(&r->pca, r->proj_emb, r->n_proj, r->proj);
    }
    free(z);
    free(y);
    free(idx);
    free(norms);
    return ok;
}

// --- Opening --------------------------------------------------------------------------

static const char *base_name(const char *dir) {
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/') n--;
    const char *p = dir + n;
    while (p > dir && p[-1] != '/') p--;
    return p;
}

static int open_run(ts_watch *w, const char *dir, run *r, ts_error *err) {
    snprintf(r->dir, sizeof r->dir, "%s", dir);
    if (catalog_open(&r->cat, dir, err)) return -1;
    ts_runjson rj;
    memset(&rj, 0, sizeof rj);
    char path[512];
    if (catalog_has_run_json(&r->cat)) {
        if (catalog_run_json_path(&r->cat, path, sizeof path))
            return ts_fail(err, "--watch %s: the path is too long", dir);
        if (runjson_read(path, &rj, err)) return -1;
    } else {
        snprintf(path, sizeof path, "%s/run.json", dir);
    }
    if (rj.given & RUNJSON_NAME && rj.name[0]) snprintf(r->name, sizeof r->name, "%s", rj.name);
    else {
        const char *b = base_name(dir);
        size_t n = strcspn(b, "/");
        snprintf(r->name, sizeof r->name, "%.*s", (int)(n < 47 ? n : 47), b);
    }
    snprintf(r->loss, sizeof r->loss, "%s", rj.given & RUNJSON_LOSS ? rj.loss : "triplet");
    r->kind = !strcmp(r->loss, "contrastive") ? MODEL_SIAMESE : MODEL_TRIPLET;
    if (run_settings(r, &rj, &w->opts, &w->cfg, path, err)) return -1;
    r->seed = rj.given & RUNJSON_SEED ? rj.seed : w->cfg.seed;
    rng_seed(&r->rng, r->seed, 3);   // the trainer's miner stream of this seed
    r->labels = &w->labels;
    if (catalog_scan(&r->cat, err) < 0) return -1;
    if (catalog_count(&r->cat) == 0 && !w->opts.follow)
        return ts_fail(err, "--watch %s: no dump there (batch-STEP.npy with batch-STEP.labels.npy, "
                       "eval-STEP.npy, or a TensorBoard projector_config.pbtxt; see docs/dump-format.md)",
                       dir);
    int others = catalog_other_ranks(&r->cat);
    if (others) say(w, "%s: %d other ranks' batches are there: reading rank 0 only", dir, others);
    track_clear(&r->track, r->kind);
    r->used = 1;
    return 0;
}

// The first dump of a run must read: a directory of unreadable dumps is a
// start-up error, not a stream of notices.
static int check_first(ts_watch *w, run *r, ts_error *err) {
    if (catalog_count(&r->cat) == 0) return 0;
    char path[512];
    dumpfile_dtype dt;
    int N, D;
    float *x = NULL;
    if (catalog_entry_path(&r->cat, 0, DUMP_EMBEDDINGS, path, sizeof path))
        return ts_fail(err, "--watch %s: a dump's path is too long", r->dir);
    if (dumpfile_read_matrix(path, w->opts.max_bytes, &x, &N, &D, &dt, err)) return -1;
    ts_labelmap probe;
    labelmap_init(&probe);
    int *y = malloc(sizeof(int) * (size_t)N);
    char lpath[512];
    int rc = 0;
    if (!y) rc = ts_fail(err, "out of memory");
    else if (catalog_entry_path(&r->cat, 0, DUMP_LABELS, lpath, sizeof lpath))
        rc = ts_fail(err, "%s: no labels file beside it", path);
    else rc = dumpfile_read_labels(lpath, path, N, w->opts.label_col, &probe, y, err);
    labelmap_free(&probe);
    free(y);
    free(x);
    return rc;
}

static void run_free(run *r) {
    catalog_free(&r->cat);
    measure_free(&r->meas);
    free(r->y);
    free(r->ids);
    free(r->slot);
    picks_free(&r->picks);
    free(r->batches);
    free(r->evals);
    free(r->eval_emb);
    free(r->eval_y);
    eval_ws_free(&r->ews);
    if (r->proj_emb) pca_free(&r->pca);
    free(r->proj_emb);
    if (r->scalars) fclose(r->scalars);
}

// --- Advancing ------------------------------------------------------------------------

// The step of run r's next entry, or -1 when it has none listed.
static long next_step(run *r) {
    if (!r->used || r->next >= catalog_count(&r->cat)) return -1;
    return (long)catalog_entry(&r->cat, r->next).step;
}

static void rescan(ts_watch *w) {
    for (int k = 0; k < MODEL_COUNT; k++) {
        run *r = &w->run[k];
        if (!r->used) continue;
        ts_error err;
        int others = catalog_other_ranks(&r->cat);
        if (catalog_scan(&r->cat, &err) < 0) say(w, "%s (will try again)", err.msg);
        catalog_notices(w, r);
        if (!others && catalog_other_ranks(&r->cat))
            say(w, "%s: other ranks' batches are there: reading rank 0 only", r->dir);
    }
}

static ts_source_status w_advance(void *self, ts_advance *a) {
    ts_watch *w = self;
    long lo = -1;
    for (int pass = 0; pass < 2 && lo < 0; pass++) {
        if (pass == 1 || !w->scanned) {
            if (w->scanned && !w->opts.follow) break;
            if (w->scanned) rescan(w);
            w->scanned = 1;
        }
        for (int k = 0; k < MODEL_COUNT; k++) {
            long s = next_step(&w->run[k]);
            if (s >= 0 && (lo < 0 || s < lo)) lo = s;
        }
    }
    for (int k = 0; k < MODEL_COUNT; k++) catalog_notices(w, &w->run[k]);
    if (lo < 0) return w->opts.follow ? SOURCE_WAITING : SOURCE_END;
    for (int k = 0; k < MODEL_COUNT; k++) {
        run *r = &w->run[k];
        while (next_step(r) == lo) {
            size_t i = r->next++;
            dump_entry e = catalog_entry(&r->cat, i);
            if (e.kind == DUMP_EVAL) {
                r->eval_due = 1;
                r->eval_entry = i;
                continue;
            }
            ts_stepstats st;
            if (!read_batch(w, r, i, lo, &st)) continue;
            count_picks(w, r, i, &st);   // once per dump: show() measures again, never counts
            scalars_upto(w, r, lo);
            if (r->has_loss && r->loss_step == lo) {
                st.has_run_loss = 1;
                st.run_loss = r->loss_value;
            }
            track_push_step(&r->track, &st);
            if (w->following) {   // else the screen stays on the step the user chose
                r->shown = r->track.last;   // with the settings' generation it was read under
                r->have_shown = 1;
            }
            if (!grow((void **)&r->batches, &r->cap_batches, r->n_batches + 1, sizeof(dump_ref)))
                r->batches[r->n_batches++] = (dump_ref){lo, i, st.has_run_loss, st.run_loss};
            a->stepped |= TS_MODEL_BIT(k);
            if (r->eval_due) continue;
        }
        if (r->eval_due) a->evaluate = 1;
    }
    w->step = lo;
    if (!grow((void **)&w->steps, &w->cap_steps, w->n_steps + 1, sizeof(long)))
        w->steps[w->n_steps++] = lo;
    if (w->following) w->shown = w->n_steps - 1;
    a->step = lo;
    a->log = a->stepped != 0;
    return SOURCE_STEPPED;
}

static void show(ts_watch *w, int reevaluate);

static void w_evaluate(void *self, unsigned *evaluated) {
    ts_watch *w = self;
    int moved = 0;   // the projection buffers left the step on screen
    for (int k = 0; k < MODEL_COUNT; k++) {
        run *r = &w->run[k];
        if (!r->used || !r->eval_due) continue;
        r->eval_due = 0;
        ts_retrieval res;
        if (!evaluate_entry(w, r, r->eval_entry, &res)) continue;
        track_push_eval(&r->track, w->step, &res);
        if (w->following) {
            r->shown_eval = r->track.last_eval;
            r->have_shown_eval = 1;
        } else {
            moved = 1;
        }
        if (!grow((void **)&r->evals, &r->cap_evals, r->n_evals + 1, sizeof(eval_ref)))
            r->evals[r->n_evals++] = (eval_ref){w->step, r->eval_entry, res};
        *evaluated |= TS_MODEL_BIT(k);
    }
    if (moved) show(w, 0);   // paused on an earlier step: its projection again
}

// --- The timeline ---------------------------------------------------------------------

// The last ref at or before step (refs sorted by step), or -1.
static long find_at(const void *refs, size_t n, size_t size, long step) {
    long lo = 0, hi = (long)n - 1, best = -1;
    while (lo <= hi) {
        long mid = (lo + hi) / 2;
        long s = *(const long *)((const char *)refs + (size_t)mid * size);
        if (s <= step) {
            best = mid;
            lo = mid + 1;
        } else {
            hi = mid - 1;
        }
    }
    return best;
}

// Measures again what is on screen: each run's batch at or before the shown
// step, under the current settings, and its evaluation when asked (a change
// of the distance space changes the ranking; a move of the timeline only
// looks the evaluation up).
static void show(ts_watch *w, int reevaluate) {
    if (!w->n_steps) return;
    long step = w->steps[w->shown];
    for (int k = 0; k < MODEL_COUNT; k++) {
        run *r = &w->run[k];
        if (!r->used) continue;
        long b = find_at(r->batches, r->n_batches, sizeof(dump_ref), step);
        if (b >= 0) {
            ts_stepstats st;
            ts_rng keep = r->rng;   // what-ifs on screen leave the stream of later dumps alone
            if (read_batch(w, r, r->batches[b].entry, r->batches[b].step, &st)) {
                st.has_run_loss = r->batches[b].has_run_loss;
                st.run_loss = r->batches[b].run_loss;
                memcpy(st.gen, r->track.gen, sizeof st.gen);   // measured under the settings of now
                r->shown = st;
                r->have_shown = 1;
            }
            r->rng = keep;
        }
        long e = find_at(r->evals, r->n_evals, sizeof(eval_ref), step);
        if (e >= 0) {
            ts_retrieval res = r->evals[e].r;
            if (reevaluate || r->evals[e].entry != r->eval_entry) {
                r->eval_entry = r->evals[e].entry;
                if (evaluate_entry(w, r, r->evals[e].entry, &res) && reevaluate)
                    r->evals[e].r = res;
            }
            r->shown_eval = (ts_evalrec){r->evals[e].step, res};
            r->have_shown_eval = 1;
        }
    }
}

static int timeline(ts_watch *w, ts_command c, char *why, size_t n) {
    if (!w->n_steps) {
        snprintf(why, n, "no dump read yet");
        return -1;
    }
    size_t last = w->n_steps - 1, to = w->shown;
    if (c == CMD_DUMP_PREV) to = to > 0 ? to - 1 : 0;
    else if (c == CMD_DUMP_NEXT) to = to < last ? to + 1 : last;
    else if (c == CMD_DUMP_FIRST) to = 0;
    else to = last;
    w->following = c == CMD_FOLLOW || (c == CMD_DUMP_LAST) || (c == CMD_DUMP_NEXT && to == last && w->following);
    if (c == CMD_DUMP_PREV || c == CMD_DUMP_FIRST) w->following = 0;
    if (to != w->shown) {
        w->shown = to;
        show(w, 0);
    }
    return 2;
}

// --- What-if commands ------------------------------------------------------------------

// A setting key on every run it acts on (the command's models: triplet-only
// settings on the triplet run, the pair labels on the contrastive run); the
// event shows the triplet run's change (or the only run's it acts on). The
// pair labels change the contrastive loss's value only: the embeddings are
// the run's.
static int what_if(ts_watch *w, ts_command c, ts_event *ev, char *why, size_t n) {
    const ts_command_info *info = command_info(c);
    const run *ref = NULL;
    for (int k = MODEL_COUNT - 1; k >= 0 && !ref; k--)   // the triplet run first
        if (w->run[k].used && (info->models & TS_MODEL_BIT(k))) ref = &w->run[k];
    if (!ref) {
        int triplet = info->models == TS_MODEL_BIT(MODEL_TRIPLET);
        snprintf(why, n, "no %s run is watched: %s is the %s loss's",
                 triplet ? "triplet" : "contrastive", info->setting, triplet ? "triplet" : "contrastive");
        return -1;
    }
    int reevaluate = 0;
    for (int k = 0; k < MODEL_COUNT; k++) {
        run *r = &w->run[k];
        if (!r->used || !(info->models & TS_MODEL_BIT(k))) continue;
        ts_settings *s = &r->set;
        char from[40], to[40];
        if (c == CMD_RESET || c == CMD_RESTORE) {   // the run's own settings again (r, P)
            snprintf(from, sizeof from, "what-if");
            snprintf(to, sizeof to, "the run's own");
            reevaluate |= s->normalize != r->own.normalize || s->distance != r->own.distance;
            *s = r->own;
        } else {
            settings_change(s, c, from, to);
            reevaluate |= c == CMD_NORMALIZE || c == CMD_DISTANCE;   // the ranking's space
        }
        // The dumps read from now on are measured under the new settings
        // (the run's own again after r or P: every reading).
        track_settings_changed(&r->track, c == CMD_RESET || c == CMD_RESTORE
                                              ? TS_READ_ALL : command_readings(c));
        if (r == ref) {
            snprintf(ev->from, sizeof ev->from, "%s", from);
            snprintf(ev->to, sizeof ev->to, "%s", to);
        }
    }
    merge_settings(w);
    show(w, reevaluate);
    return 1;
}

static int w_command(void *self, ts_command c, ts_event *ev, char *why, size_t n) {
    ts_watch *w = self;
    const ts_command_info *info = command_info(c);
    if (info->scope == SCOPE_SOURCE) return timeline(w, c, why, n);
    if (info->scope != SCOPE_TRAINER || c == CMD_EXPORT) return 0;
    if (c == CMD_SAMPLER) {
        snprintf(why, n, "the batches are the run's own: sample P x K in your training to change them");
        return -1;
    }
    if (c == CMD_LR_UP || c == CMD_LR_DOWN || c == CMD_RESEED || c == CMD_WEIGHT_DECAY) {
        snprintf(why, n, "the %s is the run's own: nothing is trained here",
                 c == CMD_RESEED ? "seed" : c == CMD_WEIGHT_DECAY ? "weight decay" : "learning rate");
        return -1;
    }
    ts_event e = {.step = w->step < 0 ? 0 : w->step, .command = c, .models = info->models};
    snprintf(e.setting, sizeof e.setting, "%s",
             c == CMD_RESET || c == CMD_RESTORE ? "settings" : info->setting);
    int r = what_if(w, c, &e, why, n);
    if (r < 0) return -1;
    w->events.ev[w->events.n % TS_MAX_EVENTS] = e;
    w->events.n++;
    if (ev) *ev = e;
    return 1;
}

// --- The rest of the source --------------------------------------------------------------

static int w_diverged(const void *self) { return 0; }   // a dump of NaN is a finding, not an end
static void w_stop(void *self) {}                       // the user's run is not ours to stop

static const ts_track *w_track(const void *self, ts_model_kind k) {
    const ts_watch *w = self;
    return w->run[k].used ? &w->run[k].track : NULL;
}

static const run *main_run(const ts_watch *w) {
    return w->run[MODEL_TRIPLET].used ? &w->run[MODEL_TRIPLET] : &w->run[MODEL_SIAMESE];
}

static void w_diag_input(const void *self, ts_diag_input *in) {
    const ts_watch *w = self;
    const run *r = main_run(w);
    in->set = w->cfg.set;
    in->batch = r->meas.B;
    in->classes = r->labels->count;
    in->eval_y = r->eval_y;
    in->n_eval = r->eval_used;
    in->eval_classes = r->labels->count;
    in->last_change = eventlog_last_change(&w->events);
    in->attached = 1;   // no raw inputs: raw_inputs stays 0
    const run *t = &w->run[MODEL_TRIPLET];
    in->picks = t->used && t->picks.drawn ? &t->picks : NULL;
}

static void w_info(const void *self, ts_run_info *info) {
    const ts_watch *w = self;
    const run *r = main_run(w);
    memset(info, 0, sizeof *info);
    run_info_default_names(info);
    snprintf(info->data_name, sizeof info->data_name, "watch");
    info->attached = 1;
    info->n_test = r->eval_rows;
    info->D = r->D;
    info->C = r->labels->count;
    info->n_eval = r->eval_used;
    info->n_proj = r->n_proj;
    for (int k = 0; k < MODEL_COUNT; k++)
        if (w->run[k].used) snprintf(info->model_name[k], sizeof info->model_name[k], "%s", w->run[k].name);
}

static const ts_config *w_config(const void *self) { return &((const ts_watch *)self)->cfg; }

static void w_config_line(const void *self, char *buf, size_t n) {
    const ts_watch *w = self;
    ts_watched runs[MODEL_COUNT];
    int nr = 0;
    for (int k = 0; k < MODEL_COUNT; k++) {
        const run *r = &w->run[k];
        if (!r->used) continue;
        runs[nr++] = (ts_watched){r->name, r->dir, r->loss, r->kind,
                                  catalog_kind_of(&r->cat) == CATALOG_TENSORBOARD, &r->own,
                                  (long)catalog_count(&r->cat)};
    }
    report_watch_config(buf, n, &w->cfg, runs, nr, w->opts.follow);
}

static void w_snapshot(const void *self, ts_snapshot *snap) {
    const ts_watch *w = self;
    ts_watch_view *v = &snap->watch;
    memset(v, 0, sizeof *v);
    snap->step = w->step < 0 ? 0 : w->step;
    snap->diverged = 0;
    snap->cfg = w->cfg;
    const run *m = main_run(w);
    snap->cfg.batch = m->meas.B;   // the dumps' batch, not the trainer's default
    for (int c = 0; c < TS_MAX_LEGEND; c++) {
        if (c < m->labels->count) snapshot_class_name(snap, c, labelmap_name(m->labels, c));
        else snap->class_names[c][0] = 0;
    }
    v->following = w->following;
    v->live = w->opts.follow;
    v->n_steps = (long)w->n_steps;
    v->shown_index = w->n_steps ? (long)w->shown + 1 : 0;
    v->shown_step = w->n_steps ? w->steps[w->shown] : 0;
    for (int k = 0; k < MODEL_COUNT; k++) {
        const run *r = &w->run[k];
        ts_model_view *mv = &snap->model[k];
        mv->kind = (ts_model_kind)k;
        mv->enabled = r->used;
        if (!r->used) {
            mv->have_eval = 0;
            mv->n_proj = 0;
            continue;
        }
        mv->last = r->have_shown ? r->shown : r->track.last;
        mv->hist = r->track.hist;
        mv->have_eval = r->have_shown_eval;
        mv->last_eval = r->shown_eval;
        mv->n_proj = r->have_shown_eval ? r->n_proj : 0;
        memcpy(mv->proj, r->proj, sizeof(float) * 2 * (size_t)mv->n_proj);
        memcpy(mv->proj_y, r->proj_y, sizeof(int) * (size_t)mv->n_proj);
        mv->proj_var[0] = r->pca.var[0];
        mv->proj_var[1] = r->pca.var[1];
        mv->proj_total_var = r->pca.total_var;
        mv->proj_extent = r->pca.extent;
        mv->proj_extent0 = r->pca.extent0;
        mv->proj_extent_dist = distance_of_length(r->set.distance, r->pca.extent);
        v->n_listed += (long)catalog_count(&r->cat);
        v->n_read += (long)r->next;
        snprintf(v->dir[k], sizeof v->dir[k], "%s", r->dir);
        v->tensorboard[k] = catalog_kind_of(&r->cat) == CATALOG_TENSORBOARD;
        v->other_ranks[k] = catalog_other_ranks(&r->cat);
        v->eval_used[k] = r->eval_used;
        v->eval_rows[k] = r->eval_rows;
        v->n_scalars[k] = r->n_scalar;
        for (int i = 0; i < r->n_scalar; i++) {
            snprintf(v->scalar_name[k][i], 24, "%s", r->scalar_name[i]);
            v->scalar[k][i] = r->scalar[i];
        }
    }
    snap->n_events = w->events.n;
    memcpy(snap->events, w->events.ev, sizeof snap->events);
    w_info(w, &snap->info);
}

static void w_set_progress(void *self, ts_eval_progress fn, void *ctx) {
    ts_watch *w = self;
    w->progress = fn;
    w->progress_ctx = ctx;
}

static int w_final_eval_due(const void *self) { return 0; }

static const char *w_take_notice(void *self) {
    ts_watch *w = self;
    if (!w->n_notice) return NULL;
    snprintf(w->notice_out, sizeof w->notice_out, "%s", w->notice[w->notice_head]);
    w->notice_head = (w->notice_head + 1) % NOTICES;
    w->n_notice--;
    return w->notice_out;
}

static void w_free(void *self) {
    ts_watch *w = self;
    if (!w) return;
    for (int k = 0; k < MODEL_COUNT; k++) run_free(&w->run[k]);
    labelmap_free(&w->labels);
    free(w->steps);
    free(w);
}

static const ts_source_ops watch_ops = {
    .advance = w_advance,
    .evaluate = w_evaluate,
    .diverged = w_diverged,
    .stop = w_stop,
    .track = w_track,
    .diag_input = w_diag_input,
    .command = w_command,
    .info = w_info,
    .config = w_config,
    .config_line = w_config_line,
    .snapshot = w_snapshot,
    .set_progress = w_set_progress,
    .final_eval_due = w_final_eval_due,
    .take_notice = w_take_notice,
    .free = w_free,
};

int watch_source_create(struct ts_source *src, const ts_watch_opts *opts, const ts_config *cfg,
                        ts_error *err) {
    if (opts->n_dirs < 1 || opts->n_dirs > TS_MAX_WATCH)
        return ts_fail(err, "--watch: give one or two run directories");
    ts_watch *w = calloc(1, sizeof *w);
    if (!w) return ts_fail(err, "out of memory");
    w->opts = *opts;
    w->cfg = *cfg;
    w->step = -1;
    w->following = 1;
    labelmap_init(&w->labels);
    for (int i = 0; i < opts->n_dirs; i++) {
        run tmp;
        memset(&tmp, 0, sizeof tmp);
        if (open_run(w, opts->dir[i], &tmp, err)) {
            run_free(&tmp);
            w_free(w);
            return -1;
        }
        run *slot = &w->run[tmp.kind];
        if (slot->used) {
            run_free(&tmp);
            ts_fail(err, "--watch %s: both runs use the %s loss; side by side, one run must be "
                    "contrastive and the other a triplet run (run.json's \"loss\")",
                    opts->dir[i], tmp.kind == MODEL_SIAMESE ? "contrastive" : "triplet");
            w_free(w);
            return -1;
        }
        *slot = tmp;
        if (check_first(w, slot, err)) {
            w_free(w);
            return -1;
        }
    }
    w->scanned = 1;   // open_run listed each directory
    merge_settings(w);
    src->ops = &watch_ops;
    src->self = w;
    return 0;
}
