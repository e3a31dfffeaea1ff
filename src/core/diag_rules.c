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
#include "tripletscope/measure.h"

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
// ... and its severity weighs held-out quality: all-easy on a model that
// already retrieves well is convergence at that margin, not a stall. Its
// latest held-out MAP@R within ALL_EASY_LEVEL_GAP of the Siamese model's at
// the same evaluation (siamese_ahead's line: below it the two are level), or
// at ALL_EASY_CONVERGED_MAP or more, makes it an info that says so (+ asks
// more of the model). The all-easy scenario: 0.93 against 0.93-0.96 at
// steps 100-200 (digits, where healthy runs reach 0.94-0.98); Fashion-MNIST
// never reaches 0.9 (the Siamese model ends at 0.73-0.74): there only the
// gap counts. Before the first evaluation nothing is known: an error.
#define ALL_EASY_CONVERGED_MAP 0.9f
#define ALL_EASY_LEVEL_GAP AHEAD_GAP

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

// zero_distance (Euclidean only): a pair the model's loss differentiates at
// a numerically zero distance (within the rounding slack of |a|^2 + |b|^2 -
// 2 a.b, where matrix-product code can see exactly 0, measure.c) at 40 of 50
// steps: for the Siamese model any pair of the batch, for the triplet model
// a pair of a mined triplet (an anchor drawn as its own positive is
// self_positive's, not this). One such pair is enough: d sqrt(x)/dx = 1 / (2 sqrt(x)) is infinite at 0, and
// code without an epsilon turns that into NaN at the next step. Healthy runs
// have none (digits, facenet: the closest two entries of a batch are 0.02 and
// 0.07 apart over 300 steps); P x K batches drawing more of a class than it
// has (digits, k 200 of about 144: duplicates) have 270 at every step; iris
// has two identical rows (74 % of batches of 100 hold them). Not read while
// the collapse condition holds: there every distance is near 0 (batch-hard on
// Fashion-MNIST: 1800 pairs a step), and collapse names the cause.
#define ZERO_PAIRS_MIN 1

// nothing_mined: the miner selected no triplet at the step, at 40 of 50
// steps: the loss is 0 and nothing learns. Uniform batches of 16 over 1000
// classes (blobs, 20 samples each): 90 % of the batches hold no positive
// pair, so batch-hard, semi-hard, batch-all and random mining all return
// nothing. (hardest-neg never returns nothing: it may take the anchor as
// its positive.) P x K batches always hold K - 1 positives an anchor.

// semihard_fallback: half the positive pairs or more found no negative beyond
// d_ap and took the anchor's farthest negative (TF Addons'
// triplet_semihard_loss), at 40 of 50 steps. Healthy semi-hard runs fall
// back for under 0.1 % of their pairs (digits and Fashion-MNIST, facenet and
// uniform, steps 1-500); random labels (noise) 1.5 %; a ring around a blob
// with a linear model (rings, --hidden none) 52-63 % at every step, 29 % in
// P x K batches.
#define FALLBACK_FRAC 0.5f

// static_triplets (--miner offline, the question's Example 2): the listed
// triplets' mean active share over the last 50 steps at 0.02 or less ...
// Digits at the question's settings (batch 126: T = 42 listed a step, an
// epoch of 34 steps), seeds 0-4, 50-step means: 0.028-0.040 at step 250,
// 0.003-0.010 at 500, 0.001-0.006 at 1000, 0 from step 1300-1800 on (the
// weights no longer move), while held-out MAP@R stays at 0.69-0.80 against
// the Siamese model's 0.95-0.98 on the same batches. The sweep (first raise,
// seeds 0-4): at 0.01 steps 391-512, at 0.02 347-425, at 0.05 244-256. An
// online random miner, whose triplets are an unbiased draw of the batch,
// would pass 0.05 too (steps 243-254, seeds 0-2, were the miner not checked)
// but never 0.02: at 0.02 only a list easier than the batch it sits in
// qualifies. Fashion-MNIST does not learn its 60 000 listed triplets within
// the question's 10 epochs (15 000 steps): 0.18 -> 0.063, a random draw's
// share (0.078 of the batch's triplets not easy): quiet there.
// A window mean, not a per-step share: at T = 42 one active triplet is 0.024.
#define STATIC_ACTIVE_MAX 0.02f
// ... while the batch's triplets are not all easy: under all_easy's 98 %
// (ALL_EASY_FRAC) the model is not done. Offline on digits the batch's easy
// share stays at 0.94-0.97 to the end (frozen with the weights); online
// mining of the same data drives it to 0.997-1.0 (hardest-neg, semi-hard,
// random; seeds 0-2, steps 1000-2000). At 98 % or more it is all_easy's to
// say (a tiny margin gives online mining no gradient either), so the two
// are decided on either side of one line.
#define STATIC_EASY_MAX ALL_EASY_FRAC

// overfit (each model): held-out MAP@R OVERFIT_MAP_FALL or more below its
// best since the reset at each of the last OVERFIT_EVALS evaluations (all
// after the best one), a fall three evaluations long. 0.03 is above the noise
// of one evaluation: 1000 queries of Fashion-MNIST (facenet, every 50 steps)
// move by 0.0095 (sd of successive differences; at most 0.023), and the
// largest fall below the best that lasted three evaluations on healthy runs is
// 0.011 (digits, facenet, seeds 0-4, to 4000 steps, every 50 or 250), 0.0095
// (Fashion-MNIST) and 0.007 (the scenario's blobs on 1000 or all 4000
// training samples). On 100 or 200 samples it reaches 0.06-0.075 by step
// 2000. Sweep on those runs (seeds 0-2, both models): 0.02 and 0.025 raise
// all 12 (at 350-1000 and 350-1300), 0.03 11 of 12 (350-1850), 0.04 8; none
// of the 76 other model runs (healthy digits and Fashion-MNIST, every other
// scenario, the blobs on 1000 and 4000) raises at any. 0.03: 2.7x the
// healthy worst, and above the 0.01-0.02 of noise.
#define OVERFIT_EVALS 3
#define OVERFIT_MAP_FALL 0.03f
// ... while the training loss keeps falling: the mean of the 50 steps up to
// the newest evaluation OVERFIT_LOSS_FALL or more below the mean up to the
// best one (as no_signal's fall), and below the mean up to the first of the
// three. Over those runs 0.05, 0.1 and 0.2 raise the same ones at the same
// steps but one (350 -> 450 at 0.2): the loss has fallen 15-87 % by then. The
// "below the first" stops a run whose loss has stopped falling, and a loss of
// 0 (all easy: nothing is fitted any more), from counting.
#define OVERFIT_LOSS_FALL 0.10f
// Once raised, it holds while MAP@R stays half that below the best and the
// loss below the loss at the best (the noise of one 50-step loss mean, 10-15 %
// in the scenario, made the strict rule clear and raise again up to 3 times
// in 2000 steps, in 8 of those 11 raised runs; with this none does).
#define OVERFIT_HOLD_FALL (0.5f * OVERFIT_MAP_FALL)

// inverted_pairs: the Siamese model's mean positive distance at least
// INVERTED_RATIO times its mean negative distance at a step (40 of 50).
// Per step after step 50 (seed 0, 1000 steps; digits and Fashion-MNIST
// under seed, facenet and seed-small, blobs): with the labels as they are
// d_pos / d_neg stays at 0.03-0.66; fed y = 1 - y, over all pairs of a
// batch (nine in ten negative) the loss cannot push positives beyond
// negatives and settles with every distance near 0.1: 0.93-1.01 (batches of
// 32: 0.73-1.10, still 40 of 50 steps above 0.9). "Farther" (1.0) would
// miss most of them; 0.9 is where neither comes.
#define INVERTED_RATIO 0.9f
// ... and, in the trainer (which knows the raw inputs' held-out P@1), its
// latest held-out P@1 below the raw inputs' by more than max(0.05, 3
// standard errors of a P@1 at the raw level over the queries). Labels
// without signal (--data noise) also keep d_pos / d_neg at 1.00 for 200
// steps, but there the raw inputs' P@1 is at chance (0.54) and no model
// falls 0.106 below it; inverted on real data P@1 falls 0.19-0.64 below,
// while a learning model is within 0.04 of it or above from its first
// evaluation (digits 0.939-0.981 against 0.972).
#define INVERTED_P1_MIN_TOL 0.05f
#define INVERTED_P1_SIGMAS 3.0f

// label_noise: the suspects (measure.h: samples drawn 3 times or more that,
// at 3/4 of their draws or more, were picked as the hardest at least twice
// as often as a row of their batch and had a nearest batch neighbour of
// another label) hold 20 % or more of the active picks batch-hard or
// hardest-neg made since the reset. Measured on digits, seeds 0-4, 1000
// steps (docs/failure-modes.md has the table): noise 0 stays at 0.094 or
// less after step 100, the question's mining (hardest-neg, raw, m = 1) and
// batch-hard alike, also at lr 1e-4 and under the soft margin (0.08);
// noise 0.05 and 0.1 under the question's mining, 0.41-0.53 once not
// collapsed, the suspects 94-100 % flipped rows.
#define LABEL_NOISE_SHARE 0.2f
// ... after the first 100 steps: a fresh network's hardest picks are the
// hard samples it has not learned yet, whatever the labels (noise 0: up to
// 0.15 at step 40) ...
#define LABEL_NOISE_WARMUP 100
// ... and no collapse: d_an at COLLAPSE_DIST_FRAC of the margin or more.
// Among near-ties what the miner picks is weak evidence, and the distances
// are small (batch-hard under noise collapses on digits at every noise
// measured, 0.05-0.3, with shares of 0.25-0.31: the collapse finding names
// it; the export still lists the suspects).

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

// The window every step finding's evidence names last: its steps, as many
// of `steps` as are of the current settings (diag_at). A raised or cleared
// line always has them all: a slot decides only on a whole window of them.
static void evidence_window(const diag_ctx *c, ts_finding *f, int steps) {
    evidence_num(f, "window", diag_window_len(c, c->model, c->off, steps));
}

static int nonfinite(const ts_stepstats *st) { return !stepstats_finite(st); }

// --- collapse --------------------------------------------------------------------------

static int pairs_unlabelled(const ts_stepstats *st);

// A Siamese model whose positive pairs are as far apart as its negative ones
// has not shrunk its distances while learning its labels: it learns their
// opposite (inverted_pairs) or nothing. Its small distances are the inverted
// loss's equilibrium, not a collapse to fix with [.
static int cond_collapse(const diag_ctx *c) {
    const ts_stepstats *st = c->st;
    float m = model_margin(c, c->model);
    float easy = track_frac(st->all.easy, st->all.valid);
    if (c->model == MODEL_SIAMESE && pairs_unlabelled(st)) return 0;
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
    evidence_window(c, f, DIAG_WINDOW);
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

// The held-out MAP@R of model k's latest evaluation and the Siamese
// model's at the same step (NaN when there is none).
static void latest_maps(const diag_ctx *c, int k, double *mine, double *siamese) {
    const ts_diag *d = c->d;
    *mine = d->n_ev[k] ? d->ev[k][0].map_at_r : NAN;
    *siamese = NAN;
    if (k != MODEL_SIAMESE && c->in->track[MODEL_SIAMESE] && d->n_ev[MODEL_SIAMESE] &&
        d->n_ev[k] && d->ev[MODEL_SIAMESE][0].step == d->ev[k][0].step)
        *siamese = d->ev[MODEL_SIAMESE][0].map_at_r;
}

// Model k retrieves well: at ALL_EASY_CONVERGED_MAP or more, or level with
// the Siamese model (NaN: unknown, no).
static int retrieves_well(double mine, double siamese) {
    return mine >= ALL_EASY_CONVERGED_MAP || siamese - mine < ALL_EASY_LEVEL_GAP;
}

static void describe_all_easy(const diag_ctx *c, ts_finding *f) {
    diag_wstats w;
    diag_window_stats(c, c->model, c->off, DIAG_WINDOW, &w);
    float m = model_margin(c, c->model);
    double map, siam;
    latest_maps(c, c->model, &map, &siam);
    int converged = retrieves_well(map, siam);
    if (converged) {
        f->severity = SEV_INFO;
        finding_message(f, map >= ALL_EASY_CONVERGED_MAP
                               ? "nearly every triplet is easy, held-out MAP@R high: converged at this margin; + asks more"
                               : "nearly every triplet is easy, MAP@R level with the Siamese: converged at this margin; + asks more");
    } else {
        finding_message(f, "nearly every triplet is easy, almost none active: no gradient; margin tiny for the distances");
    }
    suggest1(f, CMD_MARGIN_UP);
    evidence_num(f, "easy", w.easy);
    evidence_num(f, "active", w.active);
    evidence_num(f, "active_max", ALL_EASY_ACTIVE_MAX);   // cleared only when active stays above it
    evidence_num(f, "margin", m);
    evidence_num(f, "d_neg", w.d_neg);
    evidence_num(f, "margin_over_d_neg", m / w.d_neg);
    evidence_window(c, f, DIAG_WINDOW);
    // What the severity weighed (NaN: no evaluation yet, or no Siamese model).
    evidence_num(f, "map_at_r", map);
    evidence_num(f, "siamese_map_at_r", siam);
    evidence_num(f, "converged_map", ALL_EASY_CONVERGED_MAP);
    evidence_num(f, "level_gap", ALL_EASY_LEVEL_GAP);
    evidence_flag(f, "converged", converged);
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
    evidence_window(c, f, DIAG_WINDOW);
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
    evidence_window(c, f, DIAG_WINDOW);
}

// --- margin_scale ------------------------------------------------------------------------

static int cond_margin_scale(const diag_ctx *c) {
    const ts_settings *set = &c->in->set;
    if (!(unit_space(set) && !set->soft && c->st->step > MARGIN_WARMUP &&
          set->margin >= margin_limit(set)))
        return 0;
    // The active share is a 50-step mean: of the current settings only.
    if (!diag_at(c, c->model, c->off + DIAG_WINDOW - 1)) return DIAG_UNDECIDED;
    return diag_window_active(c, c->model, c->off, DIAG_WINDOW) >= MARGIN_SCALE_ACTIVE;
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
    evidence_window(c, f, DIAG_WINDOW);
}

// --- norm_drift --------------------------------------------------------------------------

static int cond_norm_drift(const diag_ctx *c) {
    double b[NORM_BLOCKS];
    if (unit_space(&c->in->set)) return 0;
    if (!diag_norm_blocks(c, c->model, c->off, NORM_BLOCKS, NORM_BLOCK, NORM_WARMUP, b))
        return DIAG_UNDECIDED;   // 200 steps on raw embeddings are not there yet
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
    evidence_window(c, f, NORM_BLOCKS * NORM_BLOCK);
}

// --- too_hard ----------------------------------------------------------------------------

static int cond_too_hard(const diag_ctx *c) {
    const ts_stepstats *st = c->st;
    int k = c->model, off = c->off;
    if (!(track_frac(st->mined.hard, st->mined.valid) >= TOO_HARD_FRAC) || cond_collapse(c))
        return 0;
    if (!diag_at(c, k, off + DIAG_WINDOW - 1)) return DIAG_UNDECIDED;   // no trend yet
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
    evidence_window(c, f, DIAG_WINDOW);
}

// --- averaging ---------------------------------------------------------------------------

static int cond_averaging(const diag_ctx *c) {
    int k = c->model, off = c->off;
    if (c->in->set.reduce != REDUCE_NONZERO) return 0;
    if (!diag_at(c, k, off + AVG_GAP + AVG_SPAN - 1)) return DIAG_UNDECIDED;
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
    evidence_window(c, f, AVG_GAP + AVG_SPAN);
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
    // P (the starting settings, the lr at most the preset's, and a reset)
    // is one key for the same; the suggestion stays [r, right in any run.
    finding_message(f, st && !nonfinite(st)
                           ? "loss exploded (still finite); paused: P (starting settings, reset), or [ (repeated) then r"
                           : "loss or embeddings became NaN or Inf; paused: P (starting settings, reset), or [ (repeated) then r");
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

// --- zero_distance ---------------------------------------------------------------------

static int cond_zero_distance(const diag_ctx *c) {
    const ts_stepstats *st = c->st;
    long used = c->model == MODEL_TRIPLET ? st->mined_zero : st->zero_pairs;
    return c->in->set.distance == DIST_EUCLIDEAN && used >= ZERO_PAIRS_MIN && !cond_collapse(c);
}

static void describe_zero_distance(const diag_ctx *c, ts_finding *f) {
    const ts_settings *set = &c->in->set;
    diag_wstats w;
    diag_window_stats(c, c->model, c->off, DIAG_WINDOW, &w);
    // Ours is guarded; a watched run's training code may not be.
    finding_message(f, c->in->attached
                           ? "batch entries at distance 0, where sqrt's gradient is infinite: add an epsilon, sqrt(d2 + 1e-12)"
                           : "batch entries at distance 0, where sqrt's gradient is infinite: NaN unless guarded (ours is)");
    // The squared distance has no square root: its gradient is 0 at 0.
    if (set->distance == DIST_EUCLIDEAN) suggest1(f, CMD_DISTANCE);
    evidence_num(f, "zero_pairs", w.zero_pairs);   // the batch's
    // The triplet model's loss reads only its mined triplets' pairs.
    if (c->model == MODEL_TRIPLET) evidence_num(f, "mined_zero", w.mined_zero);
    evidence_num(f, "min_dist", w.min_dist);
    evidence_num(f, "batch", c->in->batch);
    evidence_text(f, "distance", distance_name(set->distance));
    evidence_window(c, f, DIAG_WINDOW);
}

// --- nothing_mined -----------------------------------------------------------------------

static int cond_nothing_mined(const diag_ctx *c) { return c->st->mined.valid == 0; }

static void describe_nothing_mined(const diag_ctx *c, ts_finding *f) {
    const ts_settings *set = &c->in->set;
    diag_wstats w;
    diag_window_stats(c, c->model, c->off, DIAG_WINDOW, &w);
    finding_message(f, "the miner selected no triplet in most batches: the loss is 0 and nothing learns");
    if (set->sampler != SAMPLER_PK) suggest1(f, CMD_SAMPLER);
    evidence_num(f, "nothing_mined", w.nothing);   // the share of the window's batches
    evidence_num(f, "valid", w.valid);             // valid triplets a batch, mean
    evidence_num(f, "no_positive", w.no_pos);
    evidence_num(f, "batch", c->in->batch);
    evidence_num(f, "classes", c->in->classes > 0 ? c->in->classes : NAN);
    evidence_text(f, "miner", miner_name(set->miner));
    evidence_window(c, f, DIAG_WINDOW);
}

// --- semihard_fallback -------------------------------------------------------------------

static int cond_semihard_fallback(const diag_ctx *c) {
    const ts_stepstats *st = c->st;
    return c->in->set.miner == MINER_SEMIHARD &&
           track_frac(st->fallback, st->mined.valid) >= FALLBACK_FRAC && !cond_collapse(c);
}

static void describe_semihard_fallback(const diag_ctx *c, ts_finding *f) {
    diag_wstats w;
    diag_window_stats(c, c->model, c->off, DIAG_WINDOW, &w);
    finding_message(f, "semihard found no negative beyond d_ap for most pairs: it mines the farthest negative instead");
    // No command makes the classes separable: a model that can (or more
    // training) does; docs/failure-modes.md.
    finding_suggest(f, 0, NULL);
    evidence_num(f, "fallback", w.fallback);
    evidence_num(f, "fallback_min", FALLBACK_FRAC);
    evidence_num(f, "mined_hard", w.mined_hard);
    evidence_num(f, "d_pos", w.d_pos);
    evidence_num(f, "d_neg", w.d_neg);
    evidence_text(f, "miner", miner_name(c->in->set.miner));
    evidence_window(c, f, DIAG_WINDOW);
}

// --- static_triplets ---------------------------------------------------------------------

// The mean share of the listed (mined) triplets that are easy over len steps from off.
static double window_mined_easy(const diag_ctx *c, int k, int off, int len) {
    double sum = 0;
    int n = 0;
    for (int i = off; i < off + len; i++) {
        const ts_stepstats *st = diag_at(c, k, i);
        if (!st) break;
        float v = track_frac(st->mined.easy, st->mined.valid);
        if (isfinite(v)) {
            sum += v;
            n++;
        }
    }
    return n ? sum / n : NAN;
}

static int cond_static_triplets(const diag_ctx *c) {
    const ts_settings *set = &c->in->set;
    // Softplus is never 0: the listed triplets keep a gradient however easy.
    if (set->miner != MINER_OFFLINE || set->soft) return 0;
    if (!diag_at(c, c->model, c->off + DIAG_WINDOW - 1)) return DIAG_UNDECIDED;
    diag_wstats w;
    diag_window_stats(c, c->model, c->off, DIAG_WINDOW, &w);
    return w.active <= STATIC_ACTIVE_MAX && w.easy < STATIC_EASY_MAX;
}

static void describe_static_triplets(const diag_ctx *c, ts_finding *f) {
    diag_wstats w;
    diag_window_stats(c, c->model, c->off, DIAG_WINDOW, &w);
    ts_miner miner = c->in->set.miner;
    finding_message(f, "static triplets (pre-selected, never re-mined) all learned: no gradient, yet the batch is not easy");
    // m: the same code mined online (hardest-neg, the question's Example 3).
    if (miner == MINER_OFFLINE) suggest1(f, CMD_MINER_NEXT);
    evidence_num(f, "active", w.active);   // of the listed triplets
    evidence_num(f, "active_max", STATIC_ACTIVE_MAX);
    evidence_num(f, "listed_easy", window_mined_easy(c, c->model, c->off, DIAG_WINDOW));
    evidence_num(f, "easy", w.easy);       // of every valid triplet of the batch
    evidence_num(f, "easy_max", STATIC_EASY_MAX);
    evidence_num(f, "loss", w.loss);
    // Online mining re-mines every batch: a cleared line after m says so.
    evidence_text(f, "miner", miner_name(miner));
    evidence_window(c, f, DIAG_WINDOW);
}

// --- label_noise -------------------------------------------------------------------------

static int cond_label_noise(const diag_ctx *c) {
    const ts_stepstats *st = c->st;
    float m = model_margin(c, c->model);
    return st->picks.counted && st->step > LABEL_NOISE_WARMUP && m > MIN_MARGIN &&
           isfinite(st->d_neg) && st->d_neg >= COLLAPSE_DIST_FRAC * m &&
           st->picks.share >= LABEL_NOISE_SHARE;
}

// The most suspect samples' ids, space-separated, as many as fit the
// evidence's text (the export lists them all).
#define LABEL_NOISE_NAMED 8
static void suspects_text(const ts_picks *p, char *buf, size_t n) {
    int top[LABEL_NOISE_NAMED], k = p ? picks_top(p, top, LABEL_NOISE_NAMED) : 0;
    size_t len = 0;
    buf[0] = 0;
    for (int i = 0; i < k; i++) {
        char id[32];
        snprintf(id, sizeof id, "%s%lld", i ? " " : "", (long long)picks_id(p, top[i]));
        if (len + strlen(id) >= n) break;
        memcpy(buf + len, id, strlen(id) + 1);
        len += strlen(id);
    }
}

static void describe_label_noise(const diag_ctx *c, ts_finding *f) {
    const ts_stepstats *st = c->st;
    const ts_picks *p = c->in->picks;
    diag_wstats w;
    diag_window_stats(c, c->model, c->off, DIAG_WINDOW, &w);
    ts_miner miner = c->in->set.miner;
    finding_message(f, "hardest picks go to a few likely mislabelled samples: collapse-like loss, yet distances not small");
    suggest_semihard(f, miner);   // semi-hard skips the negatives closer than the positive
    char ids[sizeof f->evidence[0].text];
    suspects_text(p, ids, sizeof ids);
    evidence_text(f, "suspects", ids);   // the most suspect first; the export (e) lists them all
    evidence_num(f, "n_suspects", st->picks.suspects);
    evidence_num(f, "share", st->picks.share);
    evidence_num(f, "share_min", LABEL_NOISE_SHARE);
    int top;
    evidence_num(f, "top_ratio", p && picks_top(p, &top, 1) ? picks_ratio(p, top) : NAN);
    evidence_num(f, "loss", w.loss);
    evidence_num(f, "d_neg", w.d_neg);
    evidence_num(f, "margin", model_margin(c, c->model));
    // Only batch-hard and hardest-neg are counted: under another miner the
    // picks stand still (a cleared line says which).
    evidence_text(f, "miner", miner_name(miner));
    evidence_window(c, f, DIAG_WINDOW);
}

// --- overfit (per evaluation, each model) -----------------------------------------------

// The evaluations in a row, newest first, after model k's best and
// OVERFIT_MAP_FALL or more below it.
static int overfit_below(const ts_diag *d, int k) {
    const diag_evalrec *best = &d->best[k];
    int n = 0;
    while (n < d->n_ev[k] && d->ev[k][n].step > best->step &&
           d->ev[k][n].map_at_r <= best->map_at_r - OVERFIT_MAP_FALL)
        n++;
    return n;
}

static int overfit_loss_falls(const ts_diag *d, int k) {
    float then = d->best[k].loss, first = d->ev[k][OVERFIT_EVALS - 1].loss;
    float now = d->ev[k][0].loss;
    return then > 0 && now <= (1.0f - OVERFIT_LOSS_FALL) * then && now < first;
}

static int cond_overfit(const diag_ctx *c) {
    const ts_diag *d = c->d;
    int k = c->model;
    const diag_evalrec *best = &d->best[k], *now = &d->ev[k][0];
    if (!d->slot[k][FIND_OVERFIT].raised)
        return overfit_below(d, k) >= OVERFIT_EVALS && overfit_loss_falls(d, k);
    // Raised: it holds while MAP@R stays OVERFIT_HOLD_FALL below the best
    // and the training loss below the loss at the best: the model still fits
    // its batches better than when it generalised best.
    return now->step > best->step && now->map_at_r <= best->map_at_r - OVERFIT_HOLD_FALL &&
           now->loss < best->loss;
}

static void describe_overfit(const diag_ctx *c, ts_finding *f) {
    const ts_diag *d = c->d;
    int k = c->model, below = overfit_below(d, k);
    const diag_evalrec *best = &d->best[k], *now = &d->ev[k][0];
    float wd = c->in->set.weight_decay;
    finding_message(f, "training loss still falls while held-out MAP@R fell 3 evaluations in a row: overfitting");
    // w steps the decay up; from the top rung it would go back to 0.
    if (wd < ts_weight_decay_rungs[TS_WEIGHT_DECAY_RUNGS - 1]) suggest1(f, CMD_WEIGHT_DECAY);
    evidence_num(f, "map_peak", best->map_at_r);
    evidence_num(f, "peak_step", (double)best->step);
    evidence_num(f, "map_now", now->map_at_r);
    evidence_num(f, "fall", best->map_at_r - now->map_at_r);
    evidence_num(f, "fall_min", OVERFIT_MAP_FALL);
    // The evaluations it fell over: how many in a row, from which step.
    evidence_num(f, "evals_below", below);
    evidence_num(f, "below_since", below ? (double)d->ev[k][below - 1].step : NAN);
    evidence_num(f, "loss_then", best->loss);
    evidence_num(f, "loss_now", now->loss);
    evidence_num(f, "loss_fall", best->loss > 0 ? (best->loss - now->loss) / best->loss : NAN);
    evidence_num(f, "weight_decay", wd);
}

// --- inverted_pairs ----------------------------------------------------------------------

// The latest held-out P@1 of model k, or NaN before its first evaluation.
static double latest_p_at_1(const diag_ctx *c, int k) {
    return c->d->n_ev[k] ? c->d->ev[k][0].p_at_1 : NAN;
}

// Positive pairs as far apart as negative ones (or farther): the
// embedding keeps nothing of the labels' grouping, or its opposite.
static int pairs_unlabelled(const ts_stepstats *st) {
    return st->d_pos >= INVERTED_RATIO * st->d_neg && st->d_neg > 0;   // NaN: no
}

// How far below the raw inputs' P@1 a model's must be to count as below it.
static double raw_p1_tolerance(const ts_diag_input *in) {
    double p = in->raw_p_at_1, n = in->n_eval > 0 ? in->n_eval : 1;
    return fmax(INVERTED_P1_MIN_TOL, INVERTED_P1_SIGMAS * sqrt(p * (1.0 - p) / n));
}

static double chance_tolerance(const ts_diag *d);

// The positive pairs as far as the negative ones and, where the raw inputs
// are known (the trainer), the model's latest held-out P@1 below theirs:
// the model ranks worse than the pixels it was given, so it has learnt
// against its labels (on data without signal, as --data noise, the raw
// P@1 is at chance and no model falls below it). The trainer waits for its
// first evaluation. A watched run has no raw inputs: the distances alone,
// but not once its held-out P@1 is at chance (no_signal's: labels that say
// nothing leave positives as far as negatives too).
static int cond_inverted_pairs(const diag_ctx *c) {
    if (!pairs_unlabelled(c->st)) return 0;
    double p1 = latest_p_at_1(c, c->model);
    if (c->in->raw_inputs) return p1 < c->in->raw_p_at_1 - raw_p1_tolerance(c->in);   // NaN: no
    const ts_diag *d = c->d;
    int at_chance = isfinite(p1) && d->chance >= 0 && p1 <= d->chance + chance_tolerance(d);
    return !at_chance;
}

static void describe_inverted_pairs(const diag_ctx *c, ts_finding *f) {
    const ts_settings *set = &c->in->set;
    diag_wstats w;
    diag_window_stats(c, c->model, c->off, DIAG_WINDOW, &w);
    finding_message(f, "positive pairs are no closer than negative ones: the pair labels look inverted (y = 1 - y)");
    // The key flips the trainer's labels back; watching, its advice says
    // what to change in the run's code (there l is a what-if of the loss).
    // Once flipped back, no suggestion: l again would invert them again.
    if (set->pair_labels == PAIR_LABELS_INVERTED || c->in->attached) suggest1(f, CMD_PAIR_LABELS);
    evidence_num(f, "d_pos", w.d_pos);
    evidence_num(f, "d_neg", w.d_neg);
    evidence_num(f, "ratio", w.d_pos / w.d_neg);
    evidence_num(f, "ratio_min", INVERTED_RATIO);
    double p1 = latest_p_at_1(c, c->model);
    if (isfinite(p1)) evidence_num(f, "p_at_1", p1);
    if (c->in->raw_inputs && isfinite(c->in->raw_p_at_1)) {   // p_at_1 < raw_p_at_1 - tolerance: below
        evidence_num(f, "raw_p_at_1", c->in->raw_p_at_1);
        evidence_num(f, "tolerance", raw_p1_tolerance(c->in));
    }
    evidence_text(f, "pair_labels", pair_labels_name(set->pair_labels));
    evidence_window(c, f, DIAG_WINDOW);
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

// --- The table -------------------------------------------------------------------------

#define STEP_PERSIST DIAG_WINDOW, DIAG_RAISE_MIN, DIAG_CLEAR_MAX
#define EVAL_PERSISTS EVAL_PERSIST, EVAL_PERSIST, 0
#define JOINT EVAL_JOINT
#define EACH EVAL_EACH
#define TRIPLET TS_MODEL_BIT(MODEL_TRIPLET)
#define SIAMESE TS_MODEL_BIT(MODEL_SIAMESE)
#define EVERY TS_MODELS_ALL
// What each rule reads (the last column): a change of setting that changes
// one of them restarts its windows and, for a step rule, its bits. Every
// batch statistic reads the batches' composition; the mined counts, the
// active share and the loss read the miner and the margin; the distances
// the space. Not read: collapse and inverted_pairs the miner (d_an, d_ap
// and the easy share are of every valid triplet), no_positives anything but
// the batches, norm_drift anything but the space (the raw norms are measured
// before normalisation; normalised, the drift no longer reaches the
// distances), diverged nothing (an explosion after ] must stop the run at
// once), and the evaluation rules nothing (held-out retrieval, not steps).
#define R_SPACE TS_READ_BIT(READ_SPACE)
#define R_LOSS TS_READ_BIT(READ_LOSS)
#define R_MINING TS_READ_BIT(READ_MINING)
#define R_BATCH TS_READ_BIT(READ_BATCH)
#define R_ALL TS_READ_ALL

const diag_rule diag_rules[FIND_COUNT] = {
    //                     name             severity  eval  persistence   models  stops  cond  describe  reads
    [FIND_COLLAPSE] = {"collapse", SEV_ERROR, 0, STEP_PERSIST, EVERY, 0, cond_collapse, describe_collapse, R_SPACE | R_LOSS | R_BATCH},
    [FIND_ALL_EASY] = {"all_easy", SEV_ERROR, 0, STEP_PERSIST, TRIPLET, 0, cond_all_easy, describe_all_easy, R_ALL},
    [FIND_NO_POSITIVES] = {"no_positives", SEV_WARN, 0, STEP_PERSIST, TRIPLET, 0, cond_no_positives, describe_no_positives, R_BATCH},
    [FIND_SELF_POSITIVE] = {"self_positive", SEV_WARN, 0, STEP_PERSIST, TRIPLET, 0, cond_self_positive, describe_self_positive, R_MINING | R_BATCH},
    [FIND_MARGIN_SCALE] = {"margin_scale", SEV_WARN, 0, STEP_PERSIST, TRIPLET, 0, cond_margin_scale, describe_margin_scale, R_ALL},
    [FIND_NORM_DRIFT] = {"norm_drift", SEV_WARN, 0, STEP_PERSIST, TRIPLET, 0, cond_norm_drift, describe_norm_drift, R_SPACE},
    [FIND_TOO_HARD] = {"too_hard", SEV_WARN, 0, STEP_PERSIST, TRIPLET, 0, cond_too_hard, describe_too_hard, R_ALL},
    // Raised at once, cleared only by a reset.
    [FIND_DIVERGED] = {"diverged", SEV_ERROR, 0, 1, 1, -1, EVERY, 1, cond_diverged, describe_diverged, 0},
    // Decided once both models (or the one run) have an evaluation at the same step.
    [FIND_NO_SIGNAL] = {"no_signal", SEV_ERROR, JOINT, EVAL_PERSISTS, 0, 0, cond_no_signal, describe_no_signal, 0},
    [FIND_AVERAGING] = {"averaging", SEV_INFO, 0, STEP_PERSIST, TRIPLET, 0, cond_averaging, describe_averaging, R_ALL},
    // Needs both models (an evaluation rule's models: EVERY, both must run;
    // 0, decided for whichever run, as one finding about them all).
    [FIND_SIAMESE_AHEAD] = {"siamese_ahead", SEV_INFO, JOINT, EVAL_PERSISTS, EVERY, 0, cond_siamese_ahead, describe_siamese_ahead, 0},
    [FIND_INVERTED_PAIRS] = {"inverted_pairs", SEV_ERROR, 0, STEP_PERSIST, SIAMESE, 0, cond_inverted_pairs, describe_inverted_pairs, R_SPACE | R_LOSS | R_BATCH},
    [FIND_ZERO_DISTANCE] = {"zero_distance", SEV_WARN, 0, STEP_PERSIST, EVERY, 0, cond_zero_distance, describe_zero_distance, R_ALL},
    [FIND_NOTHING_MINED] = {"nothing_mined", SEV_ERROR, 0, STEP_PERSIST, TRIPLET, 0, cond_nothing_mined, describe_nothing_mined, R_ALL},
    [FIND_SEMIHARD_FALLBACK] = {"semihard_fallback", SEV_INFO, 0, STEP_PERSIST, TRIPLET, 0, cond_semihard_fallback, describe_semihard_fallback, R_ALL},
    [FIND_LABEL_NOISE] = {"label_noise", SEV_WARN, 0, STEP_PERSIST, TRIPLET, 0, cond_label_noise, describe_label_noise, R_ALL},
    [FIND_STATIC_TRIPLETS] = {"static_triplets", SEV_ERROR, 0, STEP_PERSIST, TRIPLET, 0, cond_static_triplets, describe_static_triplets, R_ALL},
    [FIND_DIM_COLLAPSE] = {"dim_collapse", SEV_WARN, EACH, EVAL_PERSISTS, EVERY, 0, cond_dim_collapse, describe_dim_collapse, R_SPACE | R_LOSS},
    // Its condition spans OVERFIT_EVALS evaluations already: raised at the
    // first that holds, cleared after two in a row that do not.
    [FIND_OVERFIT] = {"overfit", SEV_WARN, EACH, 2, 1, 0, EVERY, 0, cond_overfit, describe_overfit, 0},
};
