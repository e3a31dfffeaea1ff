// config.c: defaults, presets and range checks of a session's configuration.
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "tripletscope/config.h"

void config_default(ts_config *c) {
    memset(c, 0, sizeof *c);
    // The question's mining and loss at the default scale (--preset seed).
    c->set.miner = MINER_HARDEST_NEG;
    c->set.margin = 1.0f;
    c->set.soft = 0;
    c->set.reduce = REDUCE_MEAN;
    c->set.pair_margin = 1.0f;
    c->set.pair_labels = PAIR_LABELS_NORMAL;
    c->set.pair_distance = PAIR_DIST_EUCLIDEAN;
    c->set.sampler = SAMPLER_UNIFORM;
    c->set.normalize = 0;
    c->set.distance = DIST_EUCLIDEAN;
    c->set.lr = 1e-3f;
    c->batch = 128;
    c->k = 16;
    c->n_hidden = 2;
    c->hidden[0] = 256;
    c->hidden[1] = 128;
    c->embed_dim = 32;
    c->optimizer = OPT_ADAM;
    c->momentum = 0.9f;
    c->seed = 0;
    c->steps = 1000;
    c->log_every = 10;
    c->eval_every = 250;
    c->eval_size = TS_EVAL_SIZE_DEFAULT;
    c->proj_points = TS_MAX_PROJ;
    c->models = TS_MODELS_ALL;
    c->threads = 0;   // config_threads decides
    snprintf(c->preset, sizeof c->preset, "seed");
    c->export_dir[0] = 0;   // the XDG data directory (report_export_dir)
}

int config_preset(ts_config *c, const char *name) {
    if (strcmp(name, "seed") == 0) {
        c->set.sampler = SAMPLER_UNIFORM;
        c->set.miner = MINER_HARDEST_NEG;
        c->set.margin = 1.0f;
        c->set.normalize = 0;
        c->set.reduce = REDUCE_MEAN;
        c->set.lr = 1e-3f;
        c->set.pair_margin = 1.0f;
        c->optimizer = OPT_ADAM;
    } else if (strcmp(name, "seed-small") == 0) {
        // The question's own network (128-64-16) and batches of 32; K = 4 so
        // that `p` gives the 8 x 4 batches of the reference runs.
        config_preset(c, "seed");
        c->n_hidden = 2;
        c->hidden[0] = 128;
        c->hidden[1] = 64;
        c->embed_dim = 16;
        c->batch = 32;
        c->k = 4;
    } else if (strcmp(name, "facenet") == 0) {
        c->set.sampler = SAMPLER_PK;
        c->set.miner = MINER_SEMIHARD;
        c->set.normalize = 1;
        c->set.margin = 0.2f;
    } else if (strcmp(name, "batch-hard") == 0) {
        c->set.sampler = SAMPLER_PK;
        c->set.miner = MINER_HARD;
        c->set.normalize = 1;
        c->set.margin = 0.2f;
    } else {
        return -1;
    }
    snprintf(c->preset, sizeof c->preset, "%s", name);
    return 0;
}

int config_validate(const ts_config *c, ts_error *err) {
    const ts_settings *s = &c->set;
    if (!isfinite(s->margin) || s->margin < 0)
        return ts_fail(err, "--margin: must be a finite number >= 0 (got %g)", s->margin);
    if (!isfinite(s->pair_margin) || s->pair_margin < 0)
        return ts_fail(err, "--pair-margin: must be a finite number >= 0 (got %g)", s->pair_margin);
    if (!isfinite(s->lr) || s->lr <= 0)
        return ts_fail(err, "--lr: must be a finite number > 0 (got %g)", s->lr);
    if (c->batch < 3) return ts_fail(err, "--batch: must be at least 3 (got %d): a triplet needs three samples", c->batch);
    if (s->miner == MINER_OFFLINE && s->sampler == SAMPLER_PK)
        return ts_fail(err, "--miner offline: its batches are its listed triplets, not the "
                       "sampler's: use --sampler uniform");
    if (s->sampler == SAMPLER_PK) {
        if (c->k < 2) return ts_fail(err, "--k: must be at least 2 with the pk sampler (got %d)", c->k);
        if (c->batch % c->k)
            return ts_fail(err, "--batch: %d is not a multiple of --k %d", c->batch, c->k);
    }
    if (c->k < 1) return ts_fail(err, "--k: must be at least 1 (got %d)", c->k);
    if (c->steps < 0) return ts_fail(err, "--steps: must be >= 0 (got %ld)", c->steps);
    for (int i = 0; i < c->n_hidden; i++)
        if (c->hidden[i] < 1)
            return ts_fail(err, "--hidden: layer sizes must be at least 1 (got %d)", c->hidden[i]);
    if (c->embed_dim < 1) return ts_fail(err, "--embed-dim: must be at least 1 (got %d)", c->embed_dim);
    if (c->log_every < 1) return ts_fail(err, "--log-every: must be at least 1 (got %d)", c->log_every);
    if (c->eval_every < 0) return ts_fail(err, "--eval-every: must be >= 0 (got %d)", c->eval_every);
    if (c->eval_size < 0) return ts_fail(err, "--eval-size: must be >= 0 (got %d)", c->eval_size);
    if (c->threads < 0 || c->threads > 64)
        return ts_fail(err, "--threads: must be between 1 and 64 (got %d)", c->threads);
    if (!isfinite(s->weight_decay) || s->weight_decay < 0 || s->weight_decay > 100)
        return ts_fail(err, "--weight-decay: must be between 0 and 100 (got %g)", s->weight_decay);
    if (!isfinite(c->momentum) || c->momentum < 0 || c->momentum >= 1)
        return ts_fail(err, "--momentum: must be in [0, 1) (got %g)", c->momentum);
    if (!isfinite(c->label_noise) || c->label_noise < 0 || c->label_noise >= 1)
        return ts_fail(err, "--label-noise: must be in [0, 1) (got %g)", c->label_noise);
    if (c->dump_every < 0) return ts_fail(err, "--dump-every: must be at least 1 (got %d)", c->dump_every);
    if (c->dump_every > 0 && !c->dump_dir[0])
        return ts_fail(err, "--dump-every: needs --dump DIR (the directory the dumps go to)");
    return 0;
}

int config_threads(const ts_config *c) {
    if (c->threads > 0) return c->threads;
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    return c->models == TS_MODELS_ALL && cpus >= 2 ? 2 : 1;
}

int config_concurrent(const ts_config *c) {
    return c->models == TS_MODELS_ALL && config_threads(c) >= 2;
}

int config_blas_threads(const ts_config *c) {
    return config_concurrent(c) ? 1 : config_threads(c);
}

// --- Run info --------------------------------------------------------------------

void run_info_default_names(ts_run_info *info) {
    for (int k = 0; k < MODEL_COUNT; k++)
        snprintf(info->model_name[k], sizeof info->model_name[k], "%s", model_name((ts_model_kind)k));
}

const char *run_info_model_name(const ts_run_info *info, int k) {
    if (k < 0 || k >= MODEL_COUNT || !info->model_name[k][0]) return model_name((ts_model_kind)k);
    return info->model_name[k];
}
