// session.c: two models in lockstep, their measurements, keys and reset.
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#if defined(__SSE__)
#include <xmmintrin.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "tripletscope/report.h"
#include "tripletscope/session.h"
#include "tripletscope/snapshot.h"

// Evaluation embeds the held-out set in chunks of this many rows.
#define EVAL_CHUNK 256
// The held-out subsample and the projected points do not depend on the run's
// seed, so runs with different seeds are measured on the same queries.
#define EVAL_SEED 0x5eedULL
// --label-noise draws its flips from a stream of its own: the weights, the
// batches and the miner's choices are those of the same run without noise.
#define LABEL_NOISE_STREAM 0x1abe15eULL


// ---------------------------------------------------------------------------
// The triplet model's thread
//
// When both models run on two threads or more, the triplet model steps and
// evaluates on a thread of its own while the Siamese one does on the
// caller's: each reads the shared batch, the settings and the held-out set,
// and writes only its own model. A step is posted, both run, the caller
// waits for the peer: the same operations per model as in turns, so the same
// numbers to the bit, for a little more than the price of one model.

enum { JOB_NONE, JOB_STEP, JOB_EVALUATE, JOB_QUIT };

typedef struct ts_peer ts_peer;

struct ts_peer {
    ts_session *s;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int job;                      // written before posted is, read after
    atomic_long posted, done;     // jobs posted and finished
    atomic_int eval_done;         // queries its evaluation has ranked so far
};

// The peer's evaluation notes its progress for the caller, which tells the
// front end from its own thread (the front end hears from one thread only).
static void peer_note(void *ctx, int tag, int done, int total) {
    ts_peer *p = ctx;
    (void)tag, (void)total;
    atomic_store_explicit(&p->eval_done, done, memory_order_relaxed);
}

static void model_step(ts_session *s, ts_model *m);
static void model_evaluate(ts_session *s, ts_model *m, ts_eval_progress fn, void *ctx);
static void flush_denormals(void);

// Each side spins this many pauses (tens of microseconds) for the other
// before it sleeps: a step is about a millisecond, and waking a sleeping
// thread costs tens of microseconds each way, 5-10 % of the pair's step.
#define PEER_SPIN 4000

static void pause_once(void) {
#if defined(__SSE2__)
    _mm_pause();
#endif
}

// Waits until *v differs from old (differs = 1) or equals want (differs = 0).
static void peer_await(ts_peer *p, atomic_long *v, long want, int differs) {
    for (int i = 0; i < PEER_SPIN; i++) {
        long x = atomic_load_explicit(v, memory_order_acquire);
        if (differs ? x != want : x == want) return;
        pause_once();
    }
    pthread_mutex_lock(&p->mu);
    for (;;) {
        long x = atomic_load_explicit(v, memory_order_acquire);
        if (differs ? x != want : x == want) break;
        pthread_cond_wait(&p->cv, &p->mu);
    }
    pthread_mutex_unlock(&p->mu);
}

// Publishes *v = x and wakes a side that went to sleep on it.
static void peer_signal(ts_peer *p, atomic_long *v, long x) {
    atomic_store_explicit(v, x, memory_order_release);
    pthread_mutex_lock(&p->mu);   // a sleeper is either in cond_wait or sees x
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
}

static void *peer_main(void *arg) {
    ts_peer *p = arg;
    ts_model *m = &p->s->model[MODEL_TRIPLET];
    flush_denormals();   // MXCSR is per thread
    for (long seen = 0;;) {
        peer_await(p, &p->posted, seen, 1);
        seen = atomic_load_explicit(&p->posted, memory_order_acquire);
        int job = p->job;
        if (job == JOB_QUIT) break;
        if (job == JOB_STEP) model_step(p->s, m);
        else model_evaluate(p->s, m, peer_note, p);
        peer_signal(p, &p->done, seen);
    }
    return NULL;
}

static void peer_run(ts_peer *p, int job) {
    p->job = job;
    peer_signal(p, &p->posted, atomic_load_explicit(&p->posted, memory_order_relaxed) + 1);
}

static void peer_wait(ts_peer *p) {
    peer_await(p, &p->done, atomic_load_explicit(&p->posted, memory_order_relaxed), 0);
}

// Waits for the peer's evaluation, telling its progress every TELL_MS: the
// caller's own evaluation may end first, and a front end that heard nothing
// for the rest would draw nothing new.
#define TELL_MS 20
static void peer_wait_telling(ts_session *s) {
    ts_peer *p = s->peer;
    long want = atomic_load_explicit(&p->posted, memory_order_relaxed);
    pthread_mutex_lock(&p->mu);
    while (atomic_load_explicit(&p->done, memory_order_acquire) != want) {
        struct timespec t;
        clock_gettime(CLOCK_MONOTONIC, &t);
        t.tv_nsec += TELL_MS * 1000000L;
        if (t.tv_nsec >= 1000000000L) {
            t.tv_sec++;
            t.tv_nsec -= 1000000000L;
        }
        if (pthread_cond_timedwait(&p->cv, &p->mu, &t) == ETIMEDOUT && s->progress &&
            atomic_load_explicit(&p->done, memory_order_acquire) != want) {
            pthread_mutex_unlock(&p->mu);
            s->progress(s->progress_ctx, MODEL_TRIPLET,
                        atomic_load_explicit(&p->eval_done, memory_order_relaxed), s->n_eval);
            pthread_mutex_lock(&p->mu);
        }
    }
    pthread_mutex_unlock(&p->mu);
}

// Starts the peer with every signal blocked but the faults, as the runner's
// worker: signals reach the interface thread, a fault here still runs the
// process's handler.
static ts_peer *peer_start(ts_session *s) {
    ts_peer *p = calloc(1, sizeof *p);
    if (!p) return NULL;
    p->s = s;
    pthread_mutex_init(&p->mu, NULL);
    pthread_condattr_t ca;   // timed waits on the monotonic clock
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&p->cv, &ca);
    pthread_condattr_destroy(&ca);
    static const int faults[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL};
    sigset_t all, old;
    sigfillset(&all);
    for (size_t i = 0; i < sizeof faults / sizeof faults[0]; i++) sigdelset(&all, faults[i]);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    int rc = pthread_create(&p->thread, NULL, peer_main, p);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc) {
        pthread_mutex_destroy(&p->mu);
        pthread_cond_destroy(&p->cv);
        free(p);
        return NULL;
    }
    return p;
}

static void peer_stop(ts_peer *p) {
    if (!p) return;
    peer_run(p, JOB_QUIT);
    pthread_join(p->thread, NULL);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->cv);
    free(p);
}

// ---------------------------------------------------------------------------
// Creation and teardown

static int model_init(ts_model *m, ts_model_kind kind, const ts_config *c, int D, int maxB) {
    memset(m, 0, sizeof *m);
    m->kind = kind;
    m->enabled = 1;
    int dims[TS_MAX_LAYERS + 1], L = c->n_hidden + 1, B = c->batch, E = c->embed_dim;
    dims[0] = D;
    for (int i = 0; i < c->n_hidden; i++) dims[i + 1] = c->hidden[i];
    dims[L] = E;
    if (mlp_init(&m->net, dims, L, maxB)) return -1;
    if (measure_init(&m->meas, B, maxB, E)) return -1;
    m->de = malloc(sizeof(float) * 2 * (size_t)B * E);
    if (!m->de) return -1;
    m->dz = m->de + (size_t)B * E;
    if (pca_init(&m->pca, TS_MAX_PROJ, E)) return -1;
    m->proj = malloc(sizeof(float) * 2 * TS_MAX_PROJ);
    m->xe = malloc(sizeof(float) * (size_t)EVAL_CHUNK * D);
    m->proj_emb = malloc(sizeof(float) * (size_t)TS_MAX_PROJ * E);
    return m->proj && m->xe && m->proj_emb ? 0 : -1;
}

// The held-out set's share of a model: its embeddings and the evaluation's scratch.
static int model_eval_init(ts_model *m, int n_eval, int E, int C) {
    m->eval_emb = malloc(sizeof(float) * ((size_t)n_eval * E + 1));
    return m->eval_emb && !eval_ws_init(&m->ews, n_eval, E, C) ? 0 : -1;
}

static void model_free(ts_model *m) {
    mlp_free(&m->net);
    measure_free(&m->meas);
    free(m->de);
    pca_free(&m->pca);
    free(m->proj);
    free(m->xe);
    free(m->proj_emb);
    free(m->eval_emb);
    eval_ws_free(&m->ews);
    memset(m, 0, sizeof *m);
}

// --label-noise: round(frac N) rows drawn without replacement (a partial
// Fisher-Yates), each given a label drawn uniformly from the C - 1 others,
// into the session's own copy of the labels. Returns 0, or -1 out of memory.
static int flip_labels(ts_session *s, float frac, uint64_t seed) {
    const ts_dataset *tr = s->train;
    int N = tr->N, C = tr->C, n = (int)lround((double)frac * N);
    s->train_y = tr->y;
    if (n <= 0 || C < 2) return 0;
    s->noisy_y = malloc(sizeof(int) * (size_t)N);
    s->flipped = malloc(sizeof(int) * (size_t)N);
    if (!s->noisy_y || !s->flipped) return -1;
    memcpy(s->noisy_y, tr->y, sizeof(int) * (size_t)N);
    int *perm = s->flipped;   // the first n of a shuffled 0..N-1 become the list
    for (int i = 0; i < N; i++) perm[i] = i;
    ts_rng r;
    rng_seed(&r, seed, LABEL_NOISE_STREAM);
    for (int i = 0; i < n; i++) {
        int j = i + (int)rng_below(&r, (uint32_t)(N - i));
        int t = perm[i]; perm[i] = perm[j]; perm[j] = t;
        int row = perm[i];
        s->noisy_y[row] = (tr->y[row] + 1 + (int)rng_below(&r, (uint32_t)(C - 1))) % C;
    }
    s->n_flipped = n;
    // Ascending (a reader compares lists without sorting them): the rows
    // whose label differs now are exactly the flipped ones.
    for (int i = 0, k = 0; i < N; i++)
        if (s->noisy_y[i] != tr->y[i]) perm[k++] = i;
    s->train_y = s->noisy_y;
    return 0;
}

const int *session_flipped(const ts_session *s, int *n) {
    *n = s->n_flipped;
    return s->n_flipped ? s->flipped : NULL;
}

// A batch not asked for (--batch not given: the default or a preset's) that
// the training set cannot fill is fitted to it, and the config line says so
// (batch_fitted_from): uniform, the whole training set; pk, P = B / K cut to
// the classes and to N / K (kept when P would fall under 2: the sampler's
// check then says why). An explicit --batch is left as asked: its check fails.
static void batch_fit(ts_session *s, const ts_dataset *train) {
    int B = s->cfg.batch, K = s->cfg.k, N = train->N;
    if (s->cfg.batch_given) return;
    if (s->cfg.set.sampler == SAMPLER_PK) {
        if (K < 2 || B % K) return;
        int P = B / K;
        if (P > train->C) P = train->C;
        if (P > N / K) P = N / K;
        if (P < 2 || P * K == B) return;
        s->cfg.batch = P * K;
    } else {
        if (B <= N || N < 3) return;
        s->cfg.batch = N;
    }
    s->batch_fitted_from = B;
}

int session_create(ts_session **out, const ts_config *cfg, const ts_dataset *train,
                   const ts_dataset *test, const char *data_name, ts_error *err) {
    *out = NULL;
    if (config_validate(cfg, err)) return -1;
    ts_session *s = calloc(1, sizeof *s);
    if (!s) return ts_fail(err, "out of memory");
    s->cfg = *cfg;
    s->train = train;
    s->test = test;
    snprintf(s->data_name, sizeof s->data_name, "%s", data_name ? data_name : "data");
    // Offline, a batch is T = B / 3 listed triplets, 3T samples: every
    // buffer is sized for 3T, and the config line says so (batch, and the
    // "offline" object with the batch asked for).
    int offline = cfg->set.miner == MINER_OFFLINE;
    batch_fit(s, train);
    s->batch_asked = s->cfg.batch;
    if (offline) s->cfg.batch = 3 * (s->cfg.batch / 3);
    int B = s->cfg.batch, E = cfg->embed_dim, D = train->D;
    int maxB = B > EVAL_CHUNK ? B : EVAL_CHUNK;
    if (flip_labels(s, cfg->label_noise, cfg->seed) || picks_init(&s->picks, train->N, B)) goto oom;
    if (sampler_init(&s->sampler, s->train_y, train->N, train->C, cfg->seed)) goto oom;
    if (offline && offline_init(&s->offline, train->N)) goto oom;
    char why[200];
    if (sampler_check(&s->sampler, cfg->set.sampler, B, cfg->k, why, sizeof why)) {
        ts_fail(err, "%s", why);
        session_free(s);
        return -1;
    }
    s->batch_idx = malloc(sizeof(int) * 2 * (size_t)B);
    s->x = malloc(sizeof(float) * (size_t)B * D);
    if (!s->batch_idx || !s->x) goto oom;
    s->y = s->batch_idx + B;
    for (int k = 0; k < MODEL_COUNT; k++) {
        if (model_init(&s->model[k], (ts_model_kind)k, &s->cfg, D, maxB)) goto oom;
        s->model[k].enabled = (cfg->models & TS_MODEL_BIT(k)) != 0;
    }
    s->eval_idx = malloc(sizeof(int) * 2 * (size_t)test->N);
    if (!s->eval_idx) goto oom;
    s->n_eval = eval_subsample(test->y, test->N, test->C, cfg->eval_size, EVAL_SEED, s->eval_idx);
    if (s->n_eval < 0) goto oom;
    s->eval_y = s->eval_idx + s->n_eval;
    for (int i = 0; i < s->n_eval; i++) s->eval_y[i] = test->y[s->eval_idx[i]];
    for (int k = 0; k < MODEL_COUNT; k++)
        if (model_eval_init(&s->model[k], s->n_eval, E, test->C)) goto oom;
    int np = cfg->proj_points < TS_MAX_PROJ ? cfg->proj_points : TS_MAX_PROJ;
    s->proj_idx = malloc(sizeof(int) * 2 * (size_t)s->n_eval);
    if (!s->proj_idx) goto oom;
    s->n_proj = eval_subsample(s->eval_y, s->n_eval, test->C, np, EVAL_SEED + 1, s->proj_idx);
    if (s->n_proj < 0) goto oom;
    if (s->n_proj > TS_MAX_PROJ) s->n_proj = TS_MAX_PROJ;
    s->proj_y = s->proj_idx + s->n_eval;
    for (int i = 0; i < s->n_proj; i++) s->proj_y[i] = s->eval_y[s->proj_idx[i]];
    s->raw_p_at_1 = NAN;
    s->start = cfg->set;
    ts_config preset;
    config_default(&preset);
    s->preset_lr = config_preset(&preset, cfg->preset) ? cfg->set.lr : preset.set.lr;
    session_reset(s, cfg->seed);
    if (offline && s->offline.n == 0) {
        ts_fail(err, "--miner offline: no training sample has both a positive (another sample "
                "of its class) and a negative, so there is no triplet to list");
        session_free(s);
        return -1;
    }
    if (config_concurrent(cfg) && !(s->peer = peer_start(s))) {
        session_free(s);
        return ts_fail(err, "cannot start the triplet model's thread (try --threads 1)");
    }
    *out = s;
    return 0;
oom:
    session_free(s);
    return ts_fail(err, "out of memory building the models (try a smaller --batch or --hidden)");
}

void session_free(ts_session *s) {
    if (!s) return;
    peer_stop(s->peer);
    for (int k = 0; k < MODEL_COUNT; k++) model_free(&s->model[k]);
    sampler_free(&s->sampler);
    offline_free(&s->offline);
    free(s->noisy_y);
    free(s->flipped);
    picks_free(&s->picks);
    free(s->batch_idx);
    free(s->x);
    free(s->eval_idx);
    free(s->proj_idx);
    free(s);
}

void session_set_progress(ts_session *s, ts_eval_progress fn, void *ctx) {
    s->progress = fn;
    s->progress_ctx = ctx;
}

void session_reset(ts_session *s, uint64_t seed) {
    s->cfg.seed = seed;
    s->step = 0;
    s->diverged = 0;
    s->events.n = 0;
    sampler_reseed(&s->sampler, seed);
    // The offline list again from the seed (the class slices as the reseed left them).
    if (s->offline.a) offline_draw(&s->offline, &s->sampler, seed);
    picks_clear(&s->picks);
    for (int k = 0; k < MODEL_COUNT; k++) {
        ts_model *m = &s->model[k];
        // Each model draws its weights from a fresh stream of the same seed:
        // identical starting points, whichever models are enabled.
        ts_rng init;
        rng_seed(&init, seed, 1);
        mlp_reset(&m->net, &init);
        rng_seed(&m->miner_rng, seed, 3);
        track_clear(&m->track, m->kind);
        pca_forget(&m->pca);
    }
}

// ---------------------------------------------------------------------------
// One step

static void model_step(ts_session *s, ts_model *m) {
    const ts_settings *set = &s->cfg.set;
    int B = s->cfg.batch, E = s->cfg.embed_dim;
    ts_measure *ms = &m->meas;
    ts_stepstats *st = &m->cur;
    st->step = s->step + 1;

    const float *z = mlp_forward(&m->net, s->x, B);                   // (B, E)
    measure_batch(ms, z, s->y, set, st);
    if (m->kind == MODEL_SIAMESE) st->loss = measure_pairs(ms, set, st);
    else {
        st->loss = measure_triplets(ms, set, &m->miner_rng, st);
        picks_count(&s->picks, ms, set, s->batch_idx, &st->picks);
    }

    // The elementwise contrastive loss's gradient is with respect to the
    // embeddings already; every other loss's goes back through the distances.
    const float *de = ms->ge;
    if (!ms->grad_on_e) {
        memset(m->de, 0, sizeof(float) * (size_t)B * E);
        dist_backward(m->de, ms->W, ms->e, ms->d, ms->sq, B, E, set->distance, &ms->dws);
        de = m->de;
    }
    memset(m->dz, 0, sizeof(float) * (size_t)B * E);
    embed_backward(m->dz, de, ms->e, ms->norms, B, E,
                   distance_normalizes(set->distance, set->normalize));
    // The gradients are zero here: mlp_reset and every step leave them so.
    mlp_backward_update(&m->net, s->x, m->dz, B, s->cfg.optimizer, set->lr, s->cfg.momentum,
                        set->weight_decay);
}

// Adam's moments of rarely-touched weights (border pixels) decay into
// denormal floats, which x86 handles a hundred times slower than normal ones:
// flush them to zero in whichever thread trains (MXCSR is per thread).
static void flush_denormals(void) {
#if defined(__SSE__)
    _mm_setcsr(_mm_getcsr() | 0x8040);   // FTZ | DAZ
#endif
}

int session_step(ts_session *s) {
    if (s->diverged) return 1;
    flush_denormals();
    const ts_dataset *tr = s->train;
    int B = s->cfg.batch;
    // Offline: the next listed triplets, never re-mined; after m, the sampler's batches.
    if (s->cfg.set.miner == MINER_OFFLINE && s->offline.n)
        offline_next(&s->offline, B / 3, s->batch_idx);
    else
        sampler_next(&s->sampler, s->cfg.set.sampler, B, s->cfg.k, s->batch_idx);
    data_gather(tr, s->batch_idx, B, s->x);
    for (int i = 0; i < B; i++) s->y[i] = s->train_y[s->batch_idx[i]];
    if (s->peer) {   // the triplet model on its thread, the Siamese one on this
        peer_run(s->peer, JOB_STEP);
        model_step(s, &s->model[MODEL_SIAMESE]);
        peer_wait(s->peer);
    } else {
        for (int k = 0; k < MODEL_COUNT; k++)
            if (s->model[k].enabled) model_step(s, &s->model[k]);
    }
    s->step++;
    for (int k = 0; k < MODEL_COUNT; k++) {
        ts_model *m = &s->model[k];
        if (!m->enabled) continue;
        track_push_step(&m->track, &m->cur);
        if (!stepstats_finite(&m->cur)) s->diverged = 1;
    }
    return 0;
}

const ts_stepstats *session_recent(const ts_session *s, ts_model_kind k, int i) {
    return track_recent(&s->model[k].track, i);
}

const ts_track *session_track(const ts_session *s, ts_model_kind k) {
    return s->model[k].enabled ? &s->model[k].track : NULL;
}

void session_info(const ts_session *s, ts_run_info *info) {
    memset(info, 0, sizeof *info);
    run_info_default_names(info);
    snprintf(info->data_name, sizeof info->data_name, "%s", s->data_name);
    info->n_train = s->train->N;
    info->n_test = s->test->N;
    info->D = s->train->D;
    info->C = s->train->C;
    info->n_eval = s->n_eval;
    info->n_proj = s->n_proj;
    info->n_params = s->model[0].net.n_params;
    snprintf(info->source, sizeof info->source, "%s", s->train->source);
    info->offline_triplets = s->offline.n;
    info->batch_asked = s->batch_asked;
    info->batch_fitted_from = s->batch_fitted_from;
}

// ---------------------------------------------------------------------------
// Evaluation

// Embeds rows idx (n) of ds into out (n, E) in the model's distance space
// (normalised under cosine too: ranking by 1 - cos is ranking by the
// Euclidean distance of unit vectors, which the evaluation computes); tells
// the progress (0 queries ranked) after every chunk when progress is set, so
// that a front end hears from a long evaluation from its start.
static void embed_rows(ts_session *s, ts_model *m, const ts_dataset *ds, const int *idx,
                       int n, float *out, ts_eval_progress fn, void *ctx) {
    int E = s->cfg.embed_dim;
    for (int i0 = 0; i0 < n; i0 += EVAL_CHUNK) {
        int c = n - i0 < EVAL_CHUNK ? n - i0 : EVAL_CHUNK;
        data_gather(ds, idx + i0, c, m->xe);
        const float *z = mlp_forward(&m->net, m->xe, c);
        embed_forward(out + (size_t)i0 * E, m->meas.norms, z, c, E,
                      distance_normalizes(s->cfg.set.distance, s->cfg.set.normalize));
        if (fn) fn(ctx, m->kind, 0, n);
    }
}

// One model's evaluation, touching nothing of the other model's: the two
// may run at once. fn(ctx, ...) hears of its progress (or NULL).
static void model_evaluate(ts_session *s, ts_model *m, ts_eval_progress fn, void *ctx) {
    int E = s->cfg.embed_dim;
    flush_denormals();
    embed_rows(s, m, s->test, s->eval_idx, s->n_eval, m->eval_emb, fn, ctx);
    m->ews.progress = fn;
    m->ews.progress_ctx = ctx;
    m->ews.progress_tag = m->kind;
    ts_retrieval r;
    eval_retrieval(m->eval_emb, s->eval_y, s->n_eval, E, s->test->C, &m->ews, &r);
    eval_spread(m->eval_emb, s->n_eval, E, &m->ews, &r.spread);
    track_push_eval(&m->track, s->step, &r);
    for (int i = 0; i < s->n_proj; i++)
        memcpy(m->proj_emb + (size_t)i * E, m->eval_emb + (size_t)s->proj_idx[i] * E,
               sizeof(float) * E);
    int unit = distance_normalizes(s->cfg.set.distance, s->cfg.set.normalize);
    if (unit != m->pca_unit) m->pca.extent0 = 0;   // the scale is of another space
    m->pca_unit = unit;
    pca_project(&m->pca, m->proj_emb, s->n_proj, m->proj);
}

// The held-out P@1 of the raw input features, by their Euclidean distance
// on the same queries and references as the models': what a model must beat
// (inverted_pairs reads it). Measured once, at the first evaluation with the
// Siamese model run (Fashion-MNIST, 10 000 queries of 784 features: about
// 3 s of one core; 1000 queries: 0.03 s); left unknown when memory is short.
// An evaluation, not a step: it may allocate.
static void raw_evaluate(ts_session *s) {
    if (s->have_raw_p_at_1 || !s->model[MODEL_SIAMESE].enabled || s->n_eval < 2) return;
    int D = s->test->D;
    float *x = malloc(sizeof(float) * (size_t)s->n_eval * D);
    ts_eval_ws ws;
    s->have_raw_p_at_1 = 1;   // tried once: NaN stays when memory is short
    if (!x || eval_ws_init(&ws, s->n_eval, D, s->test->C)) {
        free(x);
        return;
    }
    data_gather(s->test, s->eval_idx, s->n_eval, x);
    ts_retrieval r;
    eval_retrieval(x, s->eval_y, s->n_eval, D, s->test->C, &ws, &r);
    eval_ws_free(&ws);
    free(x);
    if (r.queries > 0) s->raw_p_at_1 = r.p_at_1;
}

void session_evaluate(ts_session *s) {
    raw_evaluate(s);
    if (s->peer) {
        atomic_store_explicit(&s->peer->eval_done, 0, memory_order_relaxed);
        peer_run(s->peer, JOB_EVALUATE);
        model_evaluate(s, &s->model[MODEL_SIAMESE], s->progress, s->progress_ctx);
        peer_wait_telling(s);
        return;
    }
    for (int k = 0; k < MODEL_COUNT; k++)
        if (s->model[k].enabled) model_evaluate(s, &s->model[k], s->progress, s->progress_ctx);
}

// ---------------------------------------------------------------------------
// Commands

// A setting as an event's from / to text.
// Each changes one setting and says how (from, to: 40 bytes each); returns
// 1, or -1 refused (why, n bytes).
typedef int (*command_fn)(ts_session *s, ts_command c, char *from, char *to, char *why, size_t n);

static int cmd_setting(ts_session *s, ts_command c, char *from, char *to, char *why, size_t n) {
    (void)why, (void)n;
    return settings_change(&s->cfg.set, c, from, to);
}

// The sampler, when the data can batch it.
static int cmd_sampler(ts_session *s, ts_command c, char *from, char *to, char *why, size_t n) {
    ts_sampler_kind next = s->cfg.set.sampler == SAMPLER_PK ? SAMPLER_UNIFORM : SAMPLER_PK;
    if (s->cfg.set.miner == MINER_OFFLINE) {
        snprintf(why, n, "p: the offline miner's batches are its listed triplets; m first "
                 "(online mining), then p");
        return -1;
    }
    if (sampler_check(&s->sampler, next, s->cfg.batch, s->cfg.k, why, n)) return -1;
    return settings_change(&s->cfg.set, c, from, to);
}

// r: the same seed; R: the next one. The reset itself follows the event.
static int cmd_reset(ts_session *s, ts_command c, char *from, char *to, char *why, size_t n) {
    uint64_t old = s->cfg.seed, seed = c == CMD_RESEED ? old + 1 : old;
    snprintf(from, 40, "%llu", (unsigned long long)old);
    snprintf(to, 40, "%llu", (unsigned long long)seed);
    (void)why, (void)n;
    return 1;
}

// The trainer's share of the command table (command.h): what carries each out.
static const command_fn apply[CMD_COUNT] = {
    [CMD_MINER_NEXT] = cmd_setting, [CMD_MINER_PREV] = cmd_setting, [CMD_SAMPLER] = cmd_sampler,
    [CMD_MARGIN_UP] = cmd_setting,  [CMD_MARGIN_DOWN] = cmd_setting, [CMD_NORMALIZE] = cmd_setting,
    [CMD_DISTANCE] = cmd_setting,   [CMD_LR_UP] = cmd_setting,       [CMD_LR_DOWN] = cmd_setting,
    [CMD_SOFT] = cmd_setting,       [CMD_REDUCE] = cmd_setting,      [CMD_RESET] = cmd_reset,
    [CMD_RESEED] = cmd_reset,       [CMD_WEIGHT_DECAY] = cmd_setting,
    [CMD_PAIR_LABELS] = cmd_setting,
};

int session_command(ts_session *s, ts_command c, ts_event *out, char *why, size_t n) {
    if ((unsigned)c >= CMD_COUNT || !apply[c]) return 0;
    const ts_command_info *info = command_info(c);
    ts_event ev = {.step = s->step, .command = c, .models = info->models};
    snprintf(ev.setting, sizeof ev.setting, "%s", info->setting);
    if (apply[c](s, c, ev.from, ev.to, why, n) < 0) return -1;
    if (out) *out = ev;
    if (info->resets) {
        session_reset(s, c == CMD_RESEED ? s->cfg.seed + 1 : s->cfg.seed);
        ev.step = 0;   // the curves start again at the reset marker
    } else {   // the steps from now on are read under the new setting
        for (int k = 0; k < MODEL_COUNT; k++)
            if (ev.models & TS_MODEL_BIT(k))
                track_settings_changed(&s->model[k].track, command_readings(c));
    }
    s->events.ev[s->events.n % TS_MAX_EVENTS] = ev;
    s->events.n++;
    return 1;
}

int session_settings_changed(const ts_session *s) { return settings_differ(&s->cfg.set, &s->start); }

float session_restore_lr(const ts_session *s) {
    return s->diverged && s->preset_lr < s->start.lr ? s->preset_lr : s->start.lr;
}

int session_restore(ts_session *s, ts_event *ev, int max) {
    ts_settings start = s->start;
    ts_setting_change ch[TS_SETTING_COUNT];
    start.lr = session_restore_lr(s);
    int n = settings_restore(&s->cfg.set, &start, ch);
    if (n > max) n = max;
    for (int i = 0; i < n; i++) {
        // The steps from now on are read under the starting setting.
        for (int k = 0; k < MODEL_COUNT; k++)
            if (ch[i].models & TS_MODEL_BIT(k))
                track_settings_changed(&s->model[k].track, setting_readings(ch[i].setting));
        ts_event e = {.step = s->step, .command = CMD_RESTORE, .models = ch[i].models};
        snprintf(e.setting, sizeof e.setting, "%s", ch[i].setting);
        snprintf(e.from, sizeof e.from, "%s", ch[i].from);
        snprintf(e.to, sizeof e.to, "%s", ch[i].to);
        s->events.ev[s->events.n % TS_MAX_EVENTS] = e;
        s->events.n++;
        ev[i] = e;
    }
    return n;
}

// ---------------------------------------------------------------------------
// Snapshot

void session_snapshot(const ts_session *s, ts_snapshot *snap) {
    memset(&snap->watch, 0, sizeof snap->watch);
    snap->step = s->step;
    snap->diverged = s->diverged;
    snap->cfg = s->cfg;
    for (int c = 0; c < TS_MAX_LEGEND && c < s->train->C; c++) {
        char id[16];
        snprintf(id, sizeof id, "%d", c);
        snapshot_class_name(snap, c, s->train->class_names ? s->train->class_names[c] : id);
    }
    for (int k = 0; k < MODEL_COUNT; k++) {
        const ts_model *m = &s->model[k];
        ts_model_view *v = &snap->model[k];
        v->kind = m->kind;
        v->enabled = m->enabled;
        v->last = m->track.last;
        v->hist = m->track.hist;
        v->have_eval = m->track.have_eval;
        v->last_eval = m->track.last_eval;
        v->n_proj = m->track.have_eval ? s->n_proj : 0;
        memcpy(v->proj, m->proj, sizeof(float) * 2 * v->n_proj);
        memcpy(v->proj_y, s->proj_y, sizeof(int) * v->n_proj);
        v->proj_var[0] = m->pca.var[0];
        v->proj_var[1] = m->pca.var[1];
        v->proj_total_var = m->pca.total_var;
        v->proj_extent = m->pca.extent;
        v->proj_extent0 = m->pca.extent0;
        v->proj_extent_dist = distance_of_length(s->cfg.set.distance, m->pca.extent);
    }
    snap->n_events = s->events.n;
    memcpy(snap->events, s->events.ev, sizeof snap->events);
    session_info(s, &snap->info);
}

// ---------------------------------------------------------------------------
// The trainer as the driver's source

static ts_source_status src_advance(void *self, ts_advance *a) {
    ts_session *s = self;
    if (session_step(s)) return SOURCE_REFUSED;
    a->step = s->step;
    for (int k = 0; k < MODEL_COUNT; k++)
        if (s->model[k].enabled) a->stepped |= TS_MODEL_BIT(k);
    a->log = s->step % s->cfg.log_every == 0;
    a->evaluate = s->cfg.eval_every > 0 && s->step % s->cfg.eval_every == 0;
    return SOURCE_STEPPED;
}

static void src_evaluate(void *self, unsigned *evaluated) {
    ts_session *s = self;
    session_evaluate(s);
    for (int k = 0; k < MODEL_COUNT; k++)
        if (s->model[k].enabled) *evaluated |= TS_MODEL_BIT(k);
}

static int src_diverged(const void *self) { return ((const ts_session *)self)->diverged; }
static void src_stop(void *self) { ((ts_session *)self)->diverged = 1; }

static const ts_track *src_track(const void *self, ts_model_kind k) {
    return session_track(self, k);
}

static void src_diag_input(const void *self, ts_diag_input *in) {
    const ts_session *s = self;
    in->set = s->cfg.set;
    in->batch = s->cfg.batch;
    in->classes = s->train->C;
    in->eval_y = s->eval_y;
    in->n_eval = s->n_eval;
    in->eval_classes = s->test->C;
    in->last_change = eventlog_last_change(&s->events);
    in->raw_inputs = 1;
    in->raw_p_at_1 = s->raw_p_at_1;
    in->picks = s->model[MODEL_TRIPLET].enabled ? &s->picks : NULL;
}

static int src_command(void *self, ts_command c, ts_event *ev, char *why, size_t n) {
    return session_command(self, c, ev, why, n);
}

static void src_info(const void *self, ts_run_info *info) { session_info(self, info); }
static const ts_config *src_config(const void *self) { return &((const ts_session *)self)->cfg; }

static void src_config_line(const void *self, char *buf, size_t n) {
    const ts_session *s = self;
    ts_run_info info;
    session_info(s, &info);
    report_config(buf, n, &s->cfg, &info);
}

static void src_snapshot(const void *self, ts_snapshot *snap) { session_snapshot(self, snap); }

static void src_set_progress(void *self, ts_eval_progress fn, void *ctx) {
    session_set_progress(self, fn, ctx);
}

// The last step was evaluated already when it fell on the schedule.
static int src_final_eval_due(const void *self) {
    const ts_session *s = self;
    return s->step > 0 && (s->cfg.eval_every == 0 || s->step % s->cfg.eval_every != 0);
}

static void src_free(void *self) { session_free(self); }

static const ts_source_ops trainer_ops = {
    .advance = src_advance,
    .evaluate = src_evaluate,
    .diverged = src_diverged,
    .stop = src_stop,
    .track = src_track,
    .diag_input = src_diag_input,
    .command = src_command,
    .info = src_info,
    .config = src_config,
    .config_line = src_config_line,
    .snapshot = src_snapshot,
    .set_progress = src_set_progress,
    .final_eval_due = src_final_eval_due,
    .take_notice = NULL,
    .free = src_free,
};

int session_source_create(ts_source *src, const ts_config *cfg, const ts_dataset *train,
                          const ts_dataset *test, const char *data_name, ts_error *err) {
    ts_session *s;
    if (session_create(&s, cfg, train, test, data_name, err)) return -1;
    src->ops = &trainer_ops;
    src->self = s;
    return 0;
}
