// diag_rules.c: the findings, one table row each (at the end): severity,
// persistence, the models it is decided for, its condition and its
// description (message, evidence, suggested commands). The catalogue, with
// the measurements behind every threshold, is docs/failure-modes.md.
//
// A condition reads the step at offset `off` of model k's track (0 = the
// newest) and the current settings: a step is read right after it ran,
// under them. An evaluation rule reads the evaluations the engine kept.
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "diag.h"

// --- Thresholds, each beside its reason -----------------------------------------
// Distances and margins are in the units of the distance in use (Euclidean or
// squared, on normalised or raw embeddings, or cosine, 1 - cos, always of
// unit vectors), as the difficulty counts are.

// DIAG_WINDOW, DIAG_RAISE_MIN and DIAG_CLEAR_MAX (diagnose.h): step findings
// look at the last 50 steps, raised at 40 of them, cleared at 10 or fewer.
// Evaluation findings need two evaluations in a row either way: a single
// evaluation of 1000 queries moves by about 0.01-0.02 from noise alone.
#define EVAL_PERSIST 2

// collapse: the mean negative distance below a quarter of the margin. Healthy
// runs keep d_an several margins wide (digits, facenet: 1.45 at m = 0.2, 7x);
// batch-hard on normalised Fashion-MNIST falls to 0.09 m by step 40 and 0.005 m
// by step 600. A quarter leaves room both ways.
#define COLLAPSE_DIST_FRAC 0.25f
// ... and (almost) no triplet easy: in a collapse d_an - d_ap ~ 0 < m for all.
// Not "all hard": a PyTorch run counts most as semi-hard (d_an a hair above
// d_ap), and so does ours (84-92 % semi-hard in the batch-hard collapse).
#define COLLAPSE_EASY_MAX 0.02f
// A margin below this is treated as 0: no scale to compare distances with.
#define MIN_MARGIN 1e-6f

// all_easy: 98 % of the valid triplets easy and 2 % or fewer of the mined ones
// active: the loss has (almost) no gradient left. Once raised, only the
// gradient coming back clears it: more than 2 % active at 40 of 50 steps.
// A margin that is merely no longer tiny does not (digits, m 0.04 -> 0.078 by
// +++: active stays at 0.003 and MAP@R at 0.94; +++++++ to 0.19: active 0.04
// over the next 50 steps, then MAP@R 0.96).
#define ALL_EASY_FRAC 0.98f
#define ALL_EASY_ACTIVE_MAX 0.02f
// ... and it is the margin's fault: m under 5 % of the mean negative distance,
// so separating the classes by m costs nothing. A converged healthy run is
// all-easy too (digits, facenet: m / d_an = 0.14; digits, seed: 0.22), and
// must stay quiet; margin 0.04 on the unit sphere gives 0.03.
#define ALL_EASY_MARGIN_FRAC 0.05f

// no_positives: a tenth of the anchors without a positive in the batch give
// no triplet at all. Uniform batches of B over C balanced classes leave about
// (1 - 1/C)^(B-1) of them: 0 % at B = 128, 4 % at B = 32, 21 % at B = 16 (C = 10).
#define NO_POS_FRAC 0.10f

// self_positive: hardest-neg draws the anchor as its own positive (d_ap = 0)
// in about C / B of the triplets of uniform batches: 8 % at B = 128, 31 % at
// B = 32 (C = 10; 16-59 % in the reference PyTorch runs). From 15 %, one
// triplet in seven only pushes its negative away.
#define SELF_POS_FRAC 0.15f

// margin_scale: on normalised embeddings two unrelated directions are
// sqrt(2) apart (squared: 2; cosine: 1 - cos = 1, orthogonal), and the mean
// negative distance sits near it (1.42-1.48 in every normalised run
// measured). A margin of half that or more (m >= 0.71; squared and cosine,
// by the same rule, m >= 1.0 and m >= 0.5) asks each negative to be further
// than its positive by half the distance between unrelated points.
// Whether that costs anything depends on the data, so the margin alone raises
// nothing: on digits margins 1.0 and 1.2 are met (almost no mined triplet
// active from step ~300) and score higher than 0.2 (MAP@R 0.976, 0.973, 0.945). On Fashion-MNIST they are not: after
// M and n on the question's setup, margin 1.0 ends at MAP@R 0.699 (mean of
// steps 1000-1500, seed 0) and 0.8 at 0.708, against 0.712-0.718 for 0.64
// down to 0.17, which are level within the noise of one evaluation
// (docs/failure-modes.md has the table).
// The distance of unrelated unit vectors is the distance's own
// (ts_distance_info.unrelated, dist.c).
#define MARGIN_SCALE_FRAC 0.5f
// ... and it binds: the mean active share of the mined triplets over the last
// 50 steps is 0.6 or more. Measured on Fashion-MNIST (semi-hard, 50-step
// means, steps 650-1500): margin 1.0 0.70-0.82, 0.8 0.65-0.78, 0.64
// 0.62-0.73, 0.21 0.43-0.54; P x K batches at 1.0: 0.70-0.87. Where the wide
// margin is met (digits, 1.0 and 1.2) it is under 0.05 from step 256 and 312.
#define MARGIN_SCALE_ACTIVE 0.6f
// ... after the first 200 steps: a fresh network keeps most mined triplets
// active whatever the margin while it finds its scale (digits, margins 1.0
// and 1.2, which it then meets: the 50-step mean stays above 0.6 until steps
// 127 and 182; a raise needs it 40 steps past the warm-up).
#define MARGIN_WARMUP 200

// norm_drift (raw embeddings): the mean raw norm over four blocks of 50 steps
// rises (or falls) block after block, by 2x or more from the first block to
// the last: the distance scale doubles within 200 steps. The first 100 steps
// are ignored: every network finds its output scale then (digits, seed:
// 0.4 -> 3.4 by step 170, then flat).
#define NORM_WARMUP 100
#define NORM_BLOCK 50
#define NORM_BLOCKS 4
#define NORM_DRIFT_RATIO 2.0f

// too_hard: half or more of the mined triplets hard (d_an <= d_ap) ...
#define TOO_HARD_FRAC 0.5f
// ... and the loss not falling: the mean of the last 25 steps is at least 90 %
// of the mean of the 25 before (a loss that learns falls faster than that).
#define TOO_HARD_TREND 0.9f

// diverged, finite case: the last 3 losses all above 100x the median of the
// 50 losses before them, and above 1000. Triplet and contrastive losses are
// distances; raw distances in the thousands mean the weights have blown up
// (lr 10 with Adam: 1.0 -> 1.3e6 in one step).
#define EXPLODE_RATIO 100.0f
#define EXPLODE_FLOOR 1000.0f
#define EXPLODE_PERSIST 3
#define EXPLODE_BASE 50

// no_signal: every model's held-out P@1 within the chance level plus
// max(0.05, 3 standard errors of a P@1 at chance over the queries) ...
#define NO_SIGNAL_MIN_TOL 0.05f
#define NO_SIGNAL_SIGMAS 3.0f
// ... while some model's training loss fell by 10 % or more from its first
// 50 steps (it fits its batches; what it learns does not carry over).
#define NO_SIGNAL_LOSS_FALL 0.10f

// averaging (nonzero reducer only: the mean over active triplets): the loss
// of the last 100 steps within 10 % of the loss of 100 steps 300 steps
// earlier, while the active fraction fell by 20 % or more (from at least 5 %)
// and MAP@R rose by 0.01 or more over the evaluations of those 400 steps.
// Batch-all, nonzero, Fashion-MNIST: loss 0.18-0.22 throughout, active
// 0.14 -> 0.05, MAP@R 0.59 -> 0.70 (omoindrot/tensorflow-triplet-loss#59).
#define AVG_SPAN 100
#define AVG_GAP 300
#define AVG_FLAT 0.10f
#define AVG_ACTIVE_FALL 0.20f
#define AVG_ACTIVE_MIN 0.05f
#define AVG_MAP_RISE 0.01f

// siamese_ahead: the Siamese model's MAP@R ahead by 0.05 or more (healthy
// digits: 0.02-0.03); once raised it stays until the gap is under 0.03.
#define AHEAD_GAP 0.05f
#define AHEAD_CLEAR_GAP 0.03f

// dim_collapse (each model, per evaluation): the held-out embeddings spread
// along few directions while their distances are not small. The reference is
// what the labels need: C well-separated classes span C - 1 directions (a
// simplex), so min(E, C - 1), not E (healthy digits, facenet: the Siamese
// model 9.1-10.1 of E = 32, the triplet model 14-19). Raised when the
// effective rank falls under 0.4 of it. The lowest shares measured after the
// warm-up, over the six kernels: facenet 0.81 (digits seeds 0-4, up to 4000
// steps; the Siamese model) and 1.57 (Fashion-MNIST, 3000 steps); the
// question's triplet model on Fashion-MNIST 0.71; every scenario and lesson
// 0.71 or more; and outside the tests the raw Siamese model of --preset seed
// on digits slides to 0.53-0.57 by step 4000 (seeds 0, 1; MAP@R 0.96-0.98).
// Adam at lr 0.15 on raw digits (the dim-collapse scenario: most ReLUs die)
// gives 0.11-0.22 (Siamese) and 0.32-0.40 (triplet); lr 0.1, seed 0: 0.32.
#define DIM_RANK_FRAC 0.4f
// ... or the first principal component holding over 0.75 of the variance,
// when the classes need 3 directions or more (two may well be unequal: iris,
// facenet, Siamese: 0.74 healthy). The highest share measured after the
// warm-up in the tests' runs is 0.64 (the question's triplet model; the
// batch-hard collapse); lr 0.1 on raw digits reaches 0.76-0.87 (triplet,
// steps 1000-1500), lr 0.15 0.70-1.0 (Siamese, step 300).
#define DIM_PC1_MAX 0.75f
#define DIM_PC1_MIN_NEED 3
// ... from step 100 on: a fresh network's outputs share one direction at
// first (the question's triplet model: first PC 0.91 at step 100, 0.54 at 200).
#define DIM_WARMUP 100
// "Not small" is the collapse rule's measure turned round: the mean negative
// distance of the last DIAG_WINDOW steps at least COLLAPSE_DIST_FRAC of the
// margin, and collapse not raised for the model. A collapse to a point
// leaves the centred embeddings isotropic noise (Fashion-MNIST, batch-hard:
// effective rank 25 of 32) whose std of the normalised vectors is ~0 (0.0002
// against 0.17): that is collapse's finding, not this one.

// A message is one sentence of at most this many characters: it fits one
// line of a panel, and a log reader's column.
#define DIAG_MESSAGE_MAX 100

// --- Small helpers -------------------------------------------------------------------

// The margin a model's distances are judged against: the triplet margin, or
// the Siamese model's pair margin.
static float model_margin(const diag_ctx *c, int k) {
    return k == MODEL_TRIPLET ? c->in->set.margin : c->in->set.pair_margin;
}

// The margin from which margin_scale calls a margin wide on normalised
// embeddings (half the distance between two unrelated unit vectors).
static float margin_limit(const ts_settings *set) {
    return MARGIN_SCALE_FRAC * distance_info(set->distance)->unrelated;
}

// Whether the distances are of unit vectors: --normalize, or cosine, which
// normalises whatever it says (n changes nothing there). The rules that
// judge against the unit sphere's scale, or blame the raw norms, ask this,
// not the switch.
static int unit_space(const ts_settings *set) {
    return distance_normalizes(set->distance, set->normalize);
}

static void suggest1(ts_finding *f, ts_command a) { finding_suggest(f, 1, &a); }

// The commands that step the miner to semi-hard the short way round
// (m: random -> all -> hard -> semihard -> hardest-neg -> random; M: back).
static void suggest_semihard(ts_finding *f, ts_miner m) {
    static const ts_command next2[] = {CMD_MINER_NEXT, CMD_MINER_NEXT};
    static const ts_command prev2[] = {CMD_MINER_PREV, CMD_MINER_PREV};
    switch (m) {
    case MINER_HARD: suggest1(f, CMD_MINER_NEXT); break;
    case MINER_HARDEST_NEG: suggest1(f, CMD_MINER_PREV); break;
    case MINER_ALL: finding_suggest(f, 2, next2); break;
    case MINER_RANDOM: finding_suggest(f, 2, prev2); break;
    default: finding_suggest(f, 0, NULL); break;
    }
}

// The window every step finding's evidence names last.
static void evidence_window(ts_finding *f, int steps) { evidence_num(f, "window", steps); }

static int nonfinite(const ts_stepstats *st) { return !stepstats_finite(st); }

// --- collapse --------------------------------------------------------------------------

static int cond_collapse(const diag_ctx *c) {
    const ts_stepstats *st = c->st;
    float m = model_margin(c, c->model);
    float easy = track_frac(st->all.easy, st->all.valid);
    return m > MIN_MARGIN && isfinite(st->d_neg) && st->d_neg < COLLAPSE_DIST_FRAC * m &&
           easy <= COLLAPSE_EASY_MAX;
}

// The triplet model: hardest mining first (FaceNet: hardest negatives
// collapse early training), then L2 normalisation (omoindrot#37: shrinking
// every raw distance is a minimum the triplet loss cannot tell from
// progress), then a lower learning rate. The Siamese model: a lower learning
// rate. Its contrastive loss has an absolute margin (every negative pair
// closer than it pays (m - d)^2), so a collapse there is not the scale-free
// minimum that normalising removes; and n would change both models' distances.
static void collapse_suggest(ts_finding *f, const ts_settings *set, int k) {
    if (k != MODEL_TRIPLET) suggest1(f, CMD_LR_DOWN);
    else if (set->miner == MINER_HARD || set->miner == MINER_HARDEST_NEG)
        suggest_semihard(f, set->miner);
    else suggest1(f, unit_space(set) ? CMD_LR_DOWN : CMD_NORMALIZE);
}

static void describe_collapse(const diag_ctx *c, ts_finding *f) {
    diag_wstats w;
    diag_window_stats(c, c->model, c->off, DIAG_WINDOW, &w);
    finding_message(f, "embeddings collapsed to a point: d_an and d_ap near 0 against the margin, loss at the margin");
    collapse_suggest(f, &c->in->set, c->model);
    evidence_num(f, "d_pos", w.d_pos);
    evidence_num(f, "d_neg", w.d_neg);
    evidence_num(f, "margin", model_margin(c, c->model));
    evidence_num(f, "loss", w.loss);
    evidence_num(f, "easy", w.easy);
    evidence_num(f, "semihard", w.semihard);
    evidence_num(f, "hard", w.hard);
    evidence_num(f, "raw_norm", w.norm);
    evidence_window(f, DIAG_WINDOW);
}

// --- all_easy ----------------------------------------------------------------------------

static int cond_all_easy(const diag_ctx *c) {
    const ts_settings *set = &c->in->set;
    const ts_stepstats *st = c->st;
    if (set->soft) return 0;   // softplus is never 0: there is always a gradient
    int no_gradient = track_frac(st->active, st->mined.valid) <= ALL_EASY_ACTIVE_MAX;
    // Raised: it holds while there is no gradient, whatever the margin now.
    if (c->d->slot[MODEL_TRIPLET][FIND_ALL_EASY].raised) return no_gradient;
    return track_frac(st->all.easy, st->all.valid) >= ALL_EASY_FRAC && no_gradient &&
           set->margin < ALL_EASY_MARGIN_FRAC * st->d_neg;
}

static void describe_all_easy(const diag_ctx *c, ts_finding *f) {
    diag_wstats w;
    diag_window_stats(c, c->model, c->off, DIAG_WINDOW, &w);
    float m = model_margin(c, c->model);
    finding_message(f, "nearly every triplet is easy, almost none active: no gradient; margin tiny for the distances");
    suggest1(f, CMD_MARGIN_UP);
    evidence_num(f, "easy", w.easy);
    evidence_num(f, "active", w.active);
    evidence_num(f, "active_max", ALL_EASY_ACTIVE_MAX);   // cleared only when active stays above it
    evidence_num(f, "margin", m);
    evidence_num(f, "d_neg", w.d_neg);
    evidence_num(f, "margin_over_d_neg", m / w.d_neg);
    evidence_window(f, DIAG_WINDOW);
}

// --- no_positives ------------------------------------------------------------------------

static int cond_no_positives(const diag_ctx *c) {
    return track_frac(c->st->no_positive, c->in->batch) >= NO_POS_FRAC;
}

static void describe_no_positives(const diag_ctx *c, ts_finding *f) {
    diag_wstats w;
    diag_window_stats(c, c->model, c->off, DIAG_WINDOW, &w);
    finding_message(f, "many anchors have no positive in their batch, so they give no triplet: use P x K batches");
    if (c->in->set.sampler != SAMPLER_PK) suggest1(f, CMD_SAMPLER);
    evidence_num(f, "no_positive", w.no_pos);
    evidence_num(f, "batch", c->in->batch);
    evidence_num(f, "classes", c->in->classes > 0 ? c->in->classes : NAN);
    evidence_window(f, DIAG_WINDOW);
}

// --- self_positive -----------------------------------------------------------------------

static int cond_self_positive(const diag_ctx *c) {
    return c->in->set.miner == MINER_HARDEST_NEG &&
           track_frac(c->st->self_positive, c->st->mined.valid) >= SELF_POS_FRAC;
}

static void describe_self_positive(const diag_ctx *c, ts_finding *f) {
    diag_wstats w;
    diag_window_stats(c, c->model, c->off, DIAG_WINDOW, &w);
    ts_miner miner = c->in->set.miner;
    finding_message(f, "hardest-neg picks the anchor as its own positive (d_ap = 0): those triplets only push");
    if (miner == MINER_HARDEST_NEG) suggest1(f, CMD_MINER_PREV);
    evidence_num(f, "self_positive", w.self_pos);
    evidence_num(f, "batch", c->in->batch);
    // Only hardest-neg draws the anchor as its positive: under any other
    // miner the count is 0 by construction (a cleared line says which).
    evidence_text(f, "miner", miner_name(miner));
    evidence_window(f, DIAG_WINDOW);
}

// --- margin_scale ------------------------------------------------------------------------

static int cond_margin_scale(const diag_ctx *c) {
    const ts_settings *set = &c->in->set;
    return unit_space(set) && !set->soft && c->st->step > MARGIN_WARMUP &&
           set->margin >= margin_limit(set) &&
           diag_window_active(c, c->model, c->off, DIAG_WINDOW) >= MARGIN_SCALE_ACTIVE;
}

static void describe_margin_scale(const diag_ctx *c, ts_finding *f) {
    const ts_settings *set = &c->in->set;
    diag_wstats w;
    diag_window_stats(c, c->model, c->off, DIAG_WINDOW, &w);
    finding_message(f, "margin is over half the distance between unrelated embeddings: most mined triplets stay active");
    suggest1(f, CMD_MARGIN_DOWN);
    // Both halves of the rule, so that a cleared line shows which one
    // no longer holds (margin under limit, or active under active_min).
    evidence_num(f, "margin", set->margin);
    evidence_num(f, "limit", margin_limit(set));
    evidence_num(f, "active", w.active);
    evidence_num(f, "active_min", MARGIN_SCALE_ACTIVE);
    evidence_num(f, "easy", w.easy);
    evidence_num(f, "d_neg", w.d_neg);
    // On unit vectors, whichever made them so (cosine normalises itself).
    evidence_flag(f, "normalize", unit_space(set));
    evidence_window(f, DIAG_WINDOW);
}

// --- norm_drift --------------------------------------------------------------------------

static int cond_norm_drift(const diag_ctx *c) {
    double b[NORM_BLOCKS];
    if (unit_space(&c->in->set) ||
        !diag_norm_blocks(c, c->model, c->off, NORM_BLOCKS, NORM_BLOCK, NORM_WARMUP, b))
        return 0;
    int up = 1, down = 1;
    for (int i = 1; i < NORM_BLOCKS; i++) {
        up &= b[i] > b[i - 1];
        down &= b[i] < b[i - 1];
    }
    double r = b[NORM_BLOCKS - 1] / b[0];
    return (up && r >= NORM_DRIFT_RATIO) || (down && r <= 1.0 / NORM_DRIFT_RATIO);
}

static void describe_norm_drift(const diag_ctx *c, ts_finding *f) {
    int normalize = unit_space(&c->in->set);   // n, or cosine: either ends it
    finding_message(f, "raw embedding norms keep drifting and drag the distance scale (and the margin's meaning)");
    if (!normalize) suggest1(f, CMD_NORMALIZE);
    double b[NORM_BLOCKS] = {NAN, NAN, NAN, NAN};
    diag_norm_blocks(c, c->model, c->off, NORM_BLOCKS, NORM_BLOCK, NORM_WARMUP, b);
    evidence_num(f, "norm_before", b[0]);
    evidence_num(f, "norm_now", b[NORM_BLOCKS - 1]);
    evidence_num(f, "ratio", b[NORM_BLOCKS - 1] / b[0]);
    evidence_num(f, "over_steps", NORM_BLOCKS * NORM_BLOCK);
    // Normalised, the distances no longer follow the raw norms, however
    // they drift: that, not the ratio, is what a cleared line after n shows.
    evidence_flag(f, "normalize", normalize);
    evidence_window(f, NORM_BLOCKS * NORM_BLOCK);
}

// --- too_hard ----------------------------------------------------------------------------

static int cond_too_hard(const diag_ctx *c) {
    const ts_stepstats *st = c->st;
    int k = c->model, off = c->off;
    if (!(track_frac(st->mined.hard, st->mined.valid) >= TOO_HARD_FRAC) || cond_collapse(c))
        return 0;
    if (!diag_at(c, k, off + DIAG_WINDOW - 1)) return 0;
    double now = diag_mean_loss(c, k, off, DIAG_WINDOW / 2);
    double before = diag_mean_loss(c, k, off + DIAG_WINDOW / 2, DIAG_WINDOW / 2);
    return now >= TOO_HARD_TREND * before;
}

static void describe_too_hard(const diag_ctx *c, ts_finding *f) {
    const ts_settings *set = &c->in->set;
    int k = c->model, off = c->off;
    diag_wstats w;
    diag_window_stats(c, k, off, DIAG_WINDOW, &w);
    finding_message(f, "hard triplets dominate and the loss is not falling: the mining is too hard (or labels noisy)");
    if (set->miner == MINER_SEMIHARD) suggest1(f, CMD_LR_DOWN);
    else suggest_semihard(f, set->miner);
    evidence_num(f, "mined_hard", w.mined_hard);
    evidence_num(f, "loss_now", diag_mean_loss(c, k, off, DIAG_WINDOW / 2));
    evidence_num(f, "loss_before", diag_mean_loss(c, k, off + DIAG_WINDOW / 2, DIAG_WINDOW / 2));
    evidence_num(f, "margin", model_margin(c, k));
    evidence_window(f, DIAG_WINDOW);
}

// --- averaging ---------------------------------------------------------------------------

static int cond_averaging(const diag_ctx *c) {
    int k = c->model, off = c->off;
    if (c->in->set.reduce != REDUCE_NONZERO || !diag_at(c, k, off + AVG_GAP + AVG_SPAN - 1))
        return 0;
    diag_wstats now, before;
    diag_window_stats(c, k, off, AVG_SPAN, &now);
    diag_window_stats(c, k, off + AVG_GAP, AVG_SPAN, &before);
    return before.loss > 0 && fabs(now.loss - before.loss) <= AVG_FLAT * before.loss &&
           before.active >= AVG_ACTIVE_MIN &&
           now.active <= (1.0 - AVG_ACTIVE_FALL) * before.active &&
           diag_map_rise(c->d, k, c->st->step - AVG_GAP - AVG_SPAN) >= AVG_MAP_RISE;
}

static void describe_averaging(const diag_ctx *c, ts_finding *f) {
    int k = c->model, off = c->off;
    ts_reduce reduce = c->in->set.reduce;
    const ts_stepstats *st = diag_at(c, k, off);
    long step = st ? st->step : 0;
    diag_wstats now, before;
    diag_window_stats(c, k, off + AVG_GAP, AVG_SPAN, &before);
    diag_window_stats(c, k, off, AVG_SPAN, &now);
    finding_message(f, "the loss is flat only because it averages active triplets: fewer are active, MAP@R rises");
    if (reduce == REDUCE_NONZERO) suggest1(f, CMD_REDUCE);
    evidence_num(f, "loss_before", before.loss);
    evidence_num(f, "loss_now", now.loss);
    evidence_num(f, "active_before", before.active);
    evidence_num(f, "active_now", now.active);
    evidence_num(f, "map_rise", diag_map_rise(c->d, k, step - AVG_GAP - AVG_SPAN));
    // The plain mean falls with the active count: no artefact to explain.
    evidence_text(f, "reduce", reduce_name(reduce));
    evidence_window(f, AVG_GAP + AVG_SPAN);
}

// --- diverged ----------------------------------------------------------------------------

// The last EXPLODE_PERSIST losses all above the threshold.
static int cond_exploding(const diag_ctx *c) {
    int k = c->model, off = c->off;
    const ts_stepstats *st = diag_at(c, k, off);
    if (!st || !(st->loss > EXPLODE_FLOOR)) return 0;   // the usual case, without a median
    float base = diag_loss_median(c, k, off, EXPLODE_PERSIST, EXPLODE_BASE);
    if (!isfinite(base)) return 0;
    float thr = fmaxf(EXPLODE_FLOOR, EXPLODE_RATIO * fabsf(base));
    for (int i = off; i < off + EXPLODE_PERSIST; i++) {
        st = diag_at(c, k, i);
        if (!st || !(st->loss > thr)) return 0;
    }
    return 1;
}

static int cond_diverged(const diag_ctx *c) { return nonfinite(c->st) || cond_exploding(c); }

// NaN and Inf as the strings "nan" and "inf": JSON has no such numbers.
static void evidence_maybe_finite(ts_finding *f, const char *name, float v) {
    if (isfinite(v)) evidence_num(f, name, v);
    else evidence_text(f, name, isnan(v) ? "nan" : "inf");
}

static void describe_diverged(const diag_ctx *c, ts_finding *f) {
    static const ts_command lr_then_reset[] = {CMD_LR_DOWN, CMD_RESET};
    const ts_stepstats *st = diag_at(c, c->model, c->off);
    // Reset alone replays the same seed at the same lr and diverges again:
    // halve the lr first (from lr 10 it takes 13 halvings), then reset.
    finding_message(f, st && !nonfinite(st)
                           ? "loss exploded (still finite); paused: press [ until the lr is sane (repeat it), then r"
                           : "loss or embeddings became NaN or Inf; paused: press [ until the lr is sane (repeat it), then r");
    finding_suggest(f, 2, lr_then_reset);
    evidence_maybe_finite(f, "loss", st ? st->loss : NAN);
    evidence_maybe_finite(f, "norm_mean", st ? st->norm.mean : NAN);
    evidence_num(f, "baseline_median", diag_loss_median(c, c->model, c->off, EXPLODE_PERSIST, EXPLODE_BASE));
    evidence_num(f, "lr", c->in->set.lr);
}

// --- no_signal (per evaluation) ----------------------------------------------------------

// How far above chance a P@1 may sit and still count as chance:
// max(NO_SIGNAL_MIN_TOL, NO_SIGNAL_SIGMAS standard errors over the queries).
static double chance_tolerance(const ts_diag *d) {
    double se = sqrt(d->chance * (1.0 - d->chance) / (d->chance_queries ? d->chance_queries : 1));
    return fmax(NO_SIGNAL_MIN_TOL, NO_SIGNAL_SIGMAS * se);
}

static int cond_no_signal(const diag_ctx *c) {
    const ts_diag *d = c->d;
    if (!isfinite(d->chance)) return 0;
    double tol = chance_tolerance(d);
    int fell = 0;
    for (int k = 0; k < MODEL_COUNT; k++) {
        if (!c->in->track[k]) continue;
        if (!(d->ev[k][0].p_at_1 <= d->chance + tol)) return 0;
        fell |= diag_loss_fall(c, k) >= NO_SIGNAL_LOSS_FALL;
    }
    return fell;
}

static void describe_no_signal(const diag_ctx *c, ts_finding *f) {
    const ts_diag *d = c->d;
    finding_message(f, "training loss falls but held-out P@1 stays at chance: nothing in this data to learn");
    // No command adds signal to the data: no suggestion.
    for (int k = 0; k < MODEL_COUNT; k++)
        if (c->in->track[k] && d->n_ev[k])
            evidence_num(f, k == MODEL_SIAMESE ? "p_at_1_siamese" : "p_at_1_triplet", d->ev[k][0].p_at_1);
    evidence_num(f, "chance", d->chance);
    evidence_num(f, "tolerance", chance_tolerance(d));   // P@1 <= chance + tolerance counts as chance
    // The training loss's fall from its first window to its last: the
    // models fit their batches (one fall >= loss_fall_min is needed).
    for (int k = 0; k < MODEL_COUNT; k++)
        if (c->in->track[k])
            evidence_num(f, k == MODEL_SIAMESE ? "loss_fall_siamese" : "loss_fall_triplet",
                         diag_loss_fall(c, k));
    evidence_num(f, "loss_fall_min", NO_SIGNAL_LOSS_FALL);
    evidence_num(f, "evals", EVAL_PERSIST);
}

// --- siamese_ahead (per evaluation) ------------------------------------------------------

static double map_gap(const ts_diag *d) {
    return d->ev[MODEL_SIAMESE][0].map_at_r - d->ev[MODEL_TRIPLET][0].map_at_r;
}

static int cond_siamese_ahead(const diag_ctx *c) {
    double gap = map_gap(c->d);
    int raised = c->d->slot[MODEL_BOTH][FIND_SIAMESE_AHEAD].raised;
    return gap >= AHEAD_GAP || (raised && gap >= AHEAD_CLEAR_GAP);
}

// Codes of the raised triplet findings, space-separated, into buf (n); the
// suggestion of the most severe one that has one goes to f.
static void triplet_codes(const ts_diag *d, char *buf, size_t n, ts_finding *f) {
    size_t len = 0;
    buf[0] = 0;
    const ts_finding *best = NULL;
    for (int c = 0; c < FIND_COUNT; c++) {
        const diag_slot *sl = &d->slot[MODEL_TRIPLET][c];
        if (!sl->raised) continue;
        int w = snprintf(buf + len, n - len, "%s%s", len ? " " : "", diag_rules[c].name);
        if (w < 0 || (size_t)w >= n - len) break;
        len += (size_t)w;
        if (sl->f.n_suggest && (!best || sl->f.severity > best->severity)) best = &sl->f;
    }
    if (best) finding_suggest(f, best->n_suggest, best->suggest);
}

static void describe_siamese_ahead(const diag_ctx *c, ts_finding *f) {
    const ts_diag *d = c->d;
    char codes[96];
    triplet_codes(d, codes, sizeof codes, f);
    double gap = map_gap(d);
    // The codes when they fit a message; the evidence always lists them.
    char msg[200];
    int w = snprintf(msg, sizeof msg,
                     "the Siamese model's MAP@R is %.2f ahead on the same batches; see %s", gap,
                     codes[0] ? codes : "the triplet model's numbers");
    if (w > DIAG_MESSAGE_MAX)
        snprintf(msg, sizeof msg,
                 "the Siamese model's MAP@R is %.2f ahead on the same batches; see the triplet findings", gap);
    finding_message(f, msg);
    evidence_num(f, "siamese_map_at_r", d->ev[MODEL_SIAMESE][0].map_at_r);
    evidence_num(f, "triplet_map_at_r", d->ev[MODEL_TRIPLET][0].map_at_r);
    evidence_num(f, "gap", gap);
    evidence_text(f, "triplet_findings", codes);
}

// --- dim_collapse (per evaluation, each model) -------------------------------------------

// The directions the held-out labels need: min(E, C - 1).
static int dim_need(const diag_ctx *c, const ts_spread *sp) {
    int C = c->in->eval_classes > 0 ? c->in->eval_classes : c->in->classes;
    return C - 1 < sp->dims ? C - 1 : sp->dims;
}

static const ts_spread *model_spread(const diag_ctx *c) {
    const ts_track *t = c->in->track[c->model];
    return t && t->have_eval ? &t->last_eval.r.spread : NULL;
}

// The distances not small: the collapse rule's measure turned round.
static int dim_wide(const diag_ctx *c, const diag_wstats *w) {
    float m = model_margin(c, c->model);
    if (c->d->slot[c->model][FIND_COLLAPSE].raised || !isfinite(w->d_neg)) return 0;
    return m > MIN_MARGIN ? w->d_neg >= COLLAPSE_DIST_FRAC * m : w->d_neg > 0;
}

static int cond_dim_collapse(const diag_ctx *c) {
    const ts_spread *sp = model_spread(c);
    const ts_track *t = c->in->track[c->model];
    if (!sp || t->last_eval.step <= DIM_WARMUP || !isfinite(sp->effective_rank)) return 0;
    int need = dim_need(c, sp);
    if (need < 2) return 0;   // one direction is all the labels need
    int few = sp->effective_rank < DIM_RANK_FRAC * need ||
              (need >= DIM_PC1_MIN_NEED && sp->pc1_share > DIM_PC1_MAX);
    if (!few) return 0;
    diag_wstats w;
    diag_window_stats(c, c->model, 0, DIAG_WINDOW, &w);
    return dim_wide(c, &w);
}

// Dead ReLUs after a too high learning rate are what narrows the embedding
// in the trainer (lr 0.15: 236-243 of 256 first-layer units dead by step 100):
// they do not come back at a lower lr (the rank stays at 3.0 after [[[[[
// at lr 0.1), so fresh weights are needed, at a lower lr: [ then r.
static void describe_dim_collapse(const diag_ctx *c, ts_finding *f) {
    static const ts_command lr_then_reset[] = {CMD_LR_DOWN, CMD_RESET};
    const ts_spread *sp = model_spread(c);
    ts_spread none = {NAN, NAN, NAN, 0};
    if (!sp) sp = &none;
    int need = dim_need(c, sp);
    diag_wstats w;
    diag_window_stats(c, c->model, 0, DIAG_WINDOW, &w);
    char msg[200];
    snprintf(msg, sizeof msg,
             "embeddings span few directions: effective rank %.1f of the %d the classes need, first PC %.0f %%",
             sp->effective_rank, need, 100.0 * sp->pc1_share);
    finding_message(f, msg);
    finding_suggest(f, 2, lr_then_reset);
    evidence_num(f, "effective_rank", sp->effective_rank);
    evidence_num(f, "needed", need);                       // min(E, C - 1)
    evidence_num(f, "rank_min", DIM_RANK_FRAC * need);     // raised under it ...
    evidence_num(f, "pc1_share", sp->pc1_share);
    evidence_num(f, "pc1_max", need >= DIM_PC1_MIN_NEED ? DIM_PC1_MAX : NAN);   // ... or over it
    evidence_num(f, "std_l2", sp->std_l2);
    evidence_num(f, "std_l2_spread", sp->dims > 0 ? 1.0 / sqrt(sp->dims) : NAN);   // ~healthy
    evidence_num(f, "dims", sp->dims);
    evidence_num(f, "d_neg", w.d_neg);
    evidence_num(f, "margin", model_margin(c, c->model));
    evidence_num(f, "lr", c->in->set.lr);
    evidence_num(f, "evals", EVAL_PERSIST);
}

// --- Not yet decided -----------------------------------------------------------------

// A finding whose rule is still to come: never raised.
static int cond_never(const diag_ctx *c) {
    (void)c;
    return 0;
}

static void describe_never(const diag_ctx *c, ts_finding *f) {
    (void)c, (void)f;
}

// --- The table -------------------------------------------------------------------------

#define STEP_PERSIST DIAG_WINDOW, DIAG_RAISE_MIN, DIAG_CLEAR_MAX
#define EVAL_PERSISTS EVAL_PERSIST, EVAL_PERSIST, 0
#define JOINT EVAL_JOINT
#define EACH EVAL_EACH
#define TRIPLET TS_MODEL_BIT(MODEL_TRIPLET)
#define SIAMESE TS_MODEL_BIT(MODEL_SIAMESE)
#define EVERY TS_MODELS_ALL

const diag_rule diag_rules[FIND_COUNT] = {
    //                     name             severity  eval  persistence   models  stops
    [FIND_COLLAPSE] = {"collapse", SEV_ERROR, 0, STEP_PERSIST, EVERY, 0, cond_collapse, describe_collapse},
    [FIND_ALL_EASY] = {"all_easy", SEV_ERROR, 0, STEP_PERSIST, TRIPLET, 0, cond_all_easy, describe_all_easy},
    [FIND_NO_POSITIVES] = {"no_positives", SEV_WARN, 0, STEP_PERSIST, TRIPLET, 0, cond_no_positives, describe_no_positives},
    [FIND_SELF_POSITIVE] = {"self_positive", SEV_WARN, 0, STEP_PERSIST, TRIPLET, 0, cond_self_positive, describe_self_positive},
    [FIND_MARGIN_SCALE] = {"margin_scale", SEV_WARN, 0, STEP_PERSIST, TRIPLET, 0, cond_margin_scale, describe_margin_scale},
    [FIND_NORM_DRIFT] = {"norm_drift", SEV_WARN, 0, STEP_PERSIST, TRIPLET, 0, cond_norm_drift, describe_norm_drift},
    [FIND_TOO_HARD] = {"too_hard", SEV_WARN, 0, STEP_PERSIST, TRIPLET, 0, cond_too_hard, describe_too_hard},
    // Raised at once, cleared only by a reset.
    [FIND_DIVERGED] = {"diverged", SEV_ERROR, 0, 1, 1, -1, EVERY, 1, cond_diverged, describe_diverged},
    // Decided once both models (or the one run) have an evaluation at the same step.
    [FIND_NO_SIGNAL] = {"no_signal", SEV_ERROR, JOINT, EVAL_PERSISTS, 0, 0, cond_no_signal, describe_no_signal},
    [FIND_AVERAGING] = {"averaging", SEV_INFO, 0, STEP_PERSIST, TRIPLET, 0, cond_averaging, describe_averaging},
    // Needs both models (an evaluation rule's models: EVERY, both must run;
    // 0, decided for whichever run, as one finding about them all).
    [FIND_SIAMESE_AHEAD] = {"siamese_ahead", SEV_INFO, JOINT, EVAL_PERSISTS, EVERY, 0, cond_siamese_ahead, describe_siamese_ahead},
    [FIND_INVERTED_PAIRS] = {"inverted_pairs", SEV_ERROR, 0, STEP_PERSIST, SIAMESE, 0, cond_never, describe_never},
    [FIND_ZERO_DISTANCE] = {"zero_distance", SEV_WARN, 0, STEP_PERSIST, EVERY, 0, cond_never, describe_never},
    [FIND_NOTHING_MINED] = {"nothing_mined", SEV_ERROR, 0, STEP_PERSIST, TRIPLET, 0, cond_never, describe_never},
    [FIND_SEMIHARD_FALLBACK] = {"semihard_fallback", SEV_INFO, 0, STEP_PERSIST, TRIPLET, 0, cond_never, describe_never},
    [FIND_LABEL_NOISE] = {"label_noise", SEV_WARN, 0, STEP_PERSIST, TRIPLET, 0, cond_never, describe_never},
    [FIND_STATIC_TRIPLETS] = {"static_triplets", SEV_ERROR, 0, STEP_PERSIST, TRIPLET, 0, cond_never, describe_never},
    [FIND_DIM_COLLAPSE] = {"dim_collapse", SEV_WARN, EACH, EVAL_PERSISTS, EVERY, 0, cond_dim_collapse, describe_dim_collapse},
    [FIND_OVERFIT] = {"overfit", SEV_WARN, EACH, EVAL_PERSISTS, EVERY, 0, cond_never, describe_never},
};
