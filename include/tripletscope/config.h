// config.h: a run's configuration: the settings it starts from, the
// network, the batches, the schedule. Presets and range checks.
#ifndef TRIPLETSCOPE_CONFIG_H
#define TRIPLETSCOPE_CONFIG_H
#include <stddef.h>
#include <stdint.h>
#include "tripletscope/error.h"
#include "tripletscope/nn.h"
#include "tripletscope/settings.h"
#include "tripletscope/track.h"

typedef struct {
    ts_settings set;
    int batch, k;                      // B, and K per class with pk (P = B / K)
    int batch_given;                   // 1: --batch was given; else a batch larger than
                                       // the data allows is fitted to it (session_create)
    int n_hidden;
    int hidden[TS_MAX_LAYERS - 1];
    int embed_dim;
    ts_optim optimizer;
    float momentum;                    // SGD only
    uint64_t seed;
    long steps;                        // headless: stop after this step
    int log_every, eval_every, eval_size, proj_points;
    unsigned models;                   // the models run (TS_MODEL_BIT): --models
    int threads;                       // --threads, 0: by default (config_threads)
    char preset[24];                   // the preset applied ("seed" by default)
    char scenario[24];                 // --scenario NAME, or "" (the header and config line)
    char export_dir[256];              // where `e` writes snapshots
    char dump_dir[256];                // --dump: the run directory written, "" for none
    int dump_every;                    // --dump-every, 0: --log-every
    float label_noise;                 // --label-noise: share of training labels flipped, [0, 1)
} ts_config;

#define TS_MAX_PROJ 2000
// Held-out queries evaluated unless --eval-size says otherwise (0: all): the
// cost grows as the square, and 10 000 (Fashion-MNIST's test set) takes
// about a second.
#define TS_EVAL_SIZE_DEFAULT 10000
// What a run is measured on, for the config line and the snapshot.
typedef struct {
    char data_name[64];
    int n_train, n_test, D, C;
    int n_eval, n_proj;          // held-out queries evaluated, points projected
    size_t n_params;             // of one model
    char source[512];            // how the data was made: a JSON object, or ""
    // Each model's name in the JSON lines and the columns: "siamese" and
    // "triplet" for the trainer, a watched run's own name (run.json's, or
    // its directory's) when attached.
    char model_name[MODEL_COUNT][48];
    int attached;                // 1: the models are watched runs, not trained here
    int offline_triplets;        // --miner offline: the triplets listed (0: not offline)
    int batch_asked;             // --miner offline: --batch as given, before 3 * (B / 3)
    int batch_fitted_from;       // the default batch fitted to a small training set, or 0
} ts_run_info;

// Fills info's model names with the trainer's ("siamese", "triplet").
void run_info_default_names(ts_run_info *info);
// The name of model k (or "both" for MODEL_BOTH) in info.
const char *run_info_model_name(const ts_run_info *info, int k);

// Fills c with the defaults (= --preset seed at the default scale).
void config_default(ts_config *c);
// Applies a preset by name ("seed", "seed-small", "facenet", "batch-hard");
// returns -1 if unknown.
int config_preset(ts_config *c, const char *name);
// Checks ranges; -1 with a message naming the flag.
int config_validate(const ts_config *c, ts_error *err);
// The threads a run trains on: --threads, or by default 2 when both models
// run on a machine of 2 cores or more (one each), else 1.
int config_threads(const ts_config *c);
// 1 when the two models step and evaluate concurrently, one thread each:
// both run and there are 2 threads or more. The results are the same to the
// bit as when they take turns: each model's operations are its own.
int config_concurrent(const ts_config *c);
// OpenBLAS threads for each model's products: 1 when the models are
// concurrent (each has its core: more would oversubscribe them), else the
// run's threads.
int config_blas_threads(const ts_config *c);

#endif
