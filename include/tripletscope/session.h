// session.h: a Siamese and a triplet model trained in lockstep.
//
// Both models have the same shape, start from the same weights and see the
// same batches; they differ only in their loss (contrastive vs triplet with
// mining). Each step measures both on the batch; evaluations measure both on
// the held-out set. Front ends (headless, the interface, tests) drive a
// session and read it; they never compute what it measures.
//
//   data -> sampler -> both models -> measurements -> snapshot -> UI / JSONL
#ifndef TRIPLETSCOPE_SESSION_H
#define TRIPLETSCOPE_SESSION_H
#include <stdint.h>
#include "tripletscope/command.h"
#include "tripletscope/config.h"
#include "tripletscope/data.h"
#include "tripletscope/error.h"
#include "tripletscope/eval.h"
#include "tripletscope/measure.h"
#include "tripletscope/nn.h"
#include "tripletscope/pca.h"
#include "tripletscope/sampler.h"
#include "tripletscope/settings.h"
#include "tripletscope/snapshot.h"
#include "tripletscope/source.h"
#include "tripletscope/track.h"


typedef struct {
    ts_model_kind kind;
    int enabled;                 // --models may leave one out
    ts_mlp net;
    ts_measure meas;             // the batch's distances, counts, mining, loss gradient W
    float *de, *dz;              // (B, E) gradients
    ts_rng miner_rng;
    ts_stepstats cur;            // the step being measured
    ts_track track;              // what it measured, step by step and per evaluation
    ts_pca pca;
    int pca_unit;                // the distance space pca.extent0 was taken in (1: unit
                                 // vectors): a change of it starts a new fixed scale
    float *xe;                   // (EVAL_CHUNK, D) a chunk of held-out features
    float *eval_emb;             // (n_eval, E) its held-out embeddings
    ts_eval_ws ews;
    float *proj_emb;             // (n_proj, E) the projected points' embeddings
    float *proj;                 // (n_proj, 2)
} ts_model;

typedef struct ts_session {
    ts_config cfg;               // cfg.set holds the current settings
    const ts_dataset *train, *test;
    const int *train_y;          // (train->N) the labels trained on: train->y, or noisy_y
    int *noisy_y;                // (train->N) --label-noise: train->y with some flipped, or NULL
    int *flipped;                // (n_flipped) the rows whose label was flipped, ascending
    int n_flipped;
    ts_picks picks;              // the triplet model's per-sample picks (label_noise)
    char data_name[64];
    ts_sampler sampler;
    ts_offline offline;          // --miner offline: the pre-selected triplets (empty otherwise)
    int batch_asked;             // --batch as given (offline trains on 3 * (B / 3))
    int batch_fitted_from;       // the batch before it was fitted to the data, or 0
    int *batch_idx;              // (B)
    int *y;                      // (B) the batch's labels
    float *x;                    // (B, D) the batch's features (each model embeds its eval chunks in its own xe)
    ts_model model[MODEL_COUNT];
    long step;
    int diverged;                // a loss went NaN or Inf: steps refuse until a reset
    int n_eval;                  // held-out points evaluated
    int *eval_idx;               // (n_eval) into test
    int *eval_y;                 // (n_eval)
    int n_proj;                  // projected points, a stratified subset of the eval set
    int *proj_idx;               // (n_proj) into the eval set
    int *proj_y;                 // (n_proj)
    int have_raw_p_at_1;         // 1 once raw_p_at_1 was measured (the first evaluation
                                 // with the Siamese model run; a reset keeps it)
    float raw_p_at_1;            // held-out P@1 of the raw input features (inverted_pairs;
                                 // NaN until measured)
    ts_eventlog events;          // the last changes, for markers
    ts_settings start;           // the settings the run started with (cfg->set at creation:
                                 // the preset's or scenario's, with the flags): P's
    float preset_lr;             // the lr of cfg->preset alone (P's ceiling after a divergence)
    ts_eval_progress progress;   // what hears of an evaluation's progress
    void *progress_ctx;
    struct ts_peer *peer;        // the triplet model's own thread, or NULL: the
                                 // models take turns on the caller's
} ts_session;

// Builds a session over train/test (which must outlive it). Returns 0, or -1
// with err filled (impossible batching for this data, out of memory).
int session_create(ts_session **out, const ts_config *cfg, const ts_dataset *train,
                   const ts_dataset *test, const char *data_name, ts_error *err);
void session_free(ts_session *s);
// Sets what hears of an evaluation's progress: fn(ctx, model, done, total)
// after every block of queries (NULL: nothing), from the calling thread
// only: when the models evaluate at once, the Siamese model's progress
// stands for both. For a front end to show a long evaluation; it must not
// touch the session.
void session_set_progress(ts_session *s, ts_eval_progress fn, void *ctx);
// One training step of every enabled model on the same batch, measured into
// the models' tracks; a NaN or Inf sets s->diverged. Returns 0, or 1 when it
// refused because the run diverged.
int session_step(ts_session *s);
// Evaluates every enabled model on the held-out set now (and projects),
// into the models' tracks.
void session_evaluate(ts_session *s);
// Carries out a trainer command (a change of setting, a reset). Returns 1
// when it changed something (*ev: the event as logged; a reset's with the
// step it was given at), 0 when c is not the trainer's, -1 when it was
// refused (why, n bytes, says why).
int session_command(ts_session *s, ts_command c, ts_event *ev, char *why, size_t n);
// 1 when a setting a key changes differs from the one the run started
// with (as the events write them), else 0: the header's "preset seed*".
int session_settings_changed(const ts_session *s);
// The learning rate P sets: the starting one; after a divergence at most
// the preset's (a run started at --lr 10 that diverged gets the preset's
// 0.001: the starting one would diverge again).
float session_restore_lr(const ts_session *s);
// P: sets the settings back to the starting ones (the lr as
// session_restore_lr), logged as one event per setting that changed, at
// the current step (key P), into ev (max: TS_SETTING_COUNT); returns their
// number, 0 when the settings were the starting ones. Resets nothing: after
// a divergence the caller resets (as r).
int session_restore(ts_session *s, ts_event *ev, int max);
// The training rows whose label --label-noise flipped (drawn once, at
// creation, from the seed then: resets keep them), ascending; *n their
// number (0 and NULL without noise). The caller's data set is not changed:
// both models and the sampler read the session's copy of the labels.
const int *session_flipped(const ts_session *s, int *n);
// Resets both models to fresh identical weights from seed; history cleared.
void session_reset(ts_session *s, uint64_t seed);
// The i-th most recent step's measurements (0 = the last), or NULL.
const ts_stepstats *session_recent(const ts_session *s, ts_model_kind m, int i);
// The track of model k, or NULL when the model is not run.
const ts_track *session_track(const ts_session *s, ts_model_kind k);
// What the run is measured on (for the config line and the snapshot).
void session_info(const ts_session *s, ts_run_info *info);
// Copies the trainer's state into snap: everything but the findings and
// the notice, which the driver adds.
void session_snapshot(const ts_session *s, ts_snapshot *snap);
// Builds a session (as session_create) as the driver's source: its
// operations step, evaluate on the schedule of cfg, and carry out the
// trainer's commands. Returns 0, or -1 with err filled.
int session_source_create(ts_source *src, const ts_config *cfg, const ts_dataset *train,
                          const ts_dataset *test, const char *data_name, ts_error *err);

#endif
