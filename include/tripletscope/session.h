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
#include "tripletscope/data.h"
#include "tripletscope/diagnose.h"
#include "tripletscope/error.h"
#include "tripletscope/eval.h"
#include "tripletscope/measure.h"
#include "tripletscope/nn.h"
#include "tripletscope/pca.h"
#include "tripletscope/sampler.h"
#include "tripletscope/settings.h"
#include "tripletscope/track.h"

typedef enum { MODELS_BOTH, MODELS_SIAMESE, MODELS_TRIPLET } ts_models;

typedef struct {
    ts_settings set;
    int batch, k;                      // B, and K per class with pk (P = B / K)
    int n_hidden;
    int hidden[TS_MAX_LAYERS - 1];
    int embed_dim;
    ts_optim optimizer;
    float momentum;                    // SGD only
    uint64_t seed;
    long steps;                        // headless: stop after this step
    int log_every, eval_every, eval_size, proj_points;
    ts_models models;
    int threads;                       // OpenBLAS threads
    char preset[24];                   // the preset applied ("seed" by default)
    char export_dir[256];              // where `e` writes snapshots
} ts_config;

#define TS_MAX_PROJ 2000
// Held-out queries evaluated unless --eval-size says otherwise (0: all): the
// cost grows as the square, and 10 000 (Fashion-MNIST's test set) takes
// about a second.
#define TS_EVAL_SIZE_DEFAULT 10000
#define TS_MAX_LEGEND 32

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
    float *proj;                 // (n_proj, 2)
} ts_model;

typedef struct ts_session {
    ts_config cfg;               // cfg.set holds the current settings
    const ts_dataset *train, *test;
    char data_name[64];
    ts_sampler sampler;
    int *batch_idx;              // (B)
    int *y;                      // (B) the batch's labels
    float *x;                    // (maxB, D) the batch's features (or an eval chunk)
    ts_model model[MODEL_COUNT];
    long step;
    int diverged;                // a loss went NaN or Inf: steps refuse until a reset
    int n_eval;                  // held-out points evaluated
    int *eval_idx;               // (n_eval) into test
    int *eval_y;                 // (n_eval)
    float *eval_emb;             // (n_eval, E)
    ts_eval_ws ews;
    int n_proj;                  // projected points, a stratified subset of the eval set
    int *proj_idx;               // (n_proj) into the eval set
    int *proj_y;                 // (n_proj)
    float *proj_emb;             // (n_proj, E)
    ts_eventlog events;          // the last changes, for markers
    ts_diag *diag;
    char notice[640];            // the last thing a key said (refusal, export path)
    long notice_seq;             // notices so far: a repeated text is still a new notice
    // Output: every JSON line (step, eval, event, diagnosis) goes here.
    void (*emit)(void *ctx, const char *line);
    void *emit_ctx;
    char *line;                  // (TS_LINE_MAX) formatting buffer
} ts_session;

#define TS_LINE_MAX 8192

// Fills c with the defaults (= --preset seed at the default scale).
void config_default(ts_config *c);
// Applies a preset by name ("seed", "seed-small", "facenet", "batch-hard");
// returns -1 if unknown.
int config_preset(ts_config *c, const char *name);
// Checks ranges; -1 with a message naming the flag.
int config_validate(const ts_config *c, ts_error *err);

// Builds a session over train/test (which must outlive it). Returns 0, or -1
// with err filled (impossible batching for this data, out of memory).
int session_create(ts_session **out, const ts_config *cfg, const ts_dataset *train,
                   const ts_dataset *test, const char *data_name, ts_error *err);
void session_free(ts_session *s);
// Sets where JSON lines go (NULL: nowhere).
void session_set_output(ts_session *s, void (*emit)(void *, const char *), void *ctx);
// Sets what hears of an evaluation's progress: fn(ctx, model, done, total)
// after every block of queries (NULL: nothing). For a front end to show a
// long evaluation; it must not touch the session.
void session_set_progress(ts_session *s, ts_eval_progress fn, void *ctx);
// Emits the config line.
void session_emit_config(ts_session *s);
// One training step of every enabled model on the same batch; logs, and
// evaluates when due. Returns 0, or 1 when it refused because the run diverged.
int session_step(ts_session *s);
// Evaluates every enabled model on the held-out set now (and projects).
void session_evaluate(ts_session *s);
// Applies a setting key (m M p + - n d ] [ o z r R e). Returns 1 if it
// changed something (an event was logged), 0 if the key is not a setting
// key, -1 if it was refused (s->notice says why).
int session_key(ts_session *s, int key);
// Sets the notice (printf-style) and counts it in notice_seq, so a front end
// shows it even when its text equals the last one's.
void session_notice(ts_session *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
// Resets both models to fresh identical weights from seed; history cleared.
void session_reset(ts_session *s, uint64_t seed);
// Writes the current metrics and whole history as JSON to path atomically.
int session_export(const ts_session *s, const char *path, ts_error *err);
// The i-th most recent step's measurements (0 = the last), or NULL.
const ts_stepstats *session_recent(const ts_session *s, ts_model_kind m, int i);
// "siamese" or "triplet".
const char *model_name(ts_model_kind k);

#endif
