// track.h: one model's measurements over a run: the recent per-step records,
// the binned history, the evaluations. Whoever measures feeds a track (the
// trainer feeds one per model); the diagnosis, the snapshot and the JSON
// lines read tracks, never the source that filled them.
//
//   source --track_push_step / track_push_eval--> ts_track --> diagnosis, snapshot, report
#ifndef TRIPLETSCOPE_TRACK_H
#define TRIPLETSCOPE_TRACK_H
#include "tripletscope/command.h"
#include "tripletscope/dist.h"
#include "tripletscope/eval.h"
#include "tripletscope/loss.h"
#include "tripletscope/mine.h"
#include "tripletscope/series.h"

// Which model: the Siamese one (contrastive loss on pairs) or the triplet
// one; MODEL_BOTH names a finding about both at once. The one spelling of
// "which model" everywhere: a kind, or a set of them as bits.
typedef enum { MODEL_SIAMESE, MODEL_TRIPLET, MODEL_COUNT } ts_model_kind;
#define MODEL_BOTH MODEL_COUNT
#define TS_MODEL_BIT(k) (1u << (k))
#define TS_MODELS_ALL (TS_MODEL_BIT(MODEL_SIAMESE) | TS_MODEL_BIT(MODEL_TRIPLET))
// "siamese", "triplet", or "both" for MODEL_BOTH (the JSON lines' "model").
const char *model_name(ts_model_kind k);
// A set of models as --models and the config line write it: "both",
// "siamese" or "triplet".
const char *models_name(unsigned models);

// Steps a track keeps whole (the diagnosis' longest window is 400).
#define TS_RECENT 512

// The triplet model's per-sample picks (measure.h, ts_picks) as of a step:
// whom batch-hard and hardest-neg keep choosing (label_noise).
typedef struct {
    int counted;          // this step's picks were counted (a hardest miner, sample ids known)
    int suspects;         // samples picked TS_PICKS_RATIO x as often as their draws explain
    int eligible;         // samples drawn TS_PICKS_MIN_DRAWS times or more
    float share;          // the suspects' share of every pick counted since the reset
} ts_pickstats;

// Measurements of one model on one batch.
typedef struct {
    long step;
    float loss;
    ts_counts all;        // difficulty of every valid triplet, this model's embeddings
    ts_counts mined;      // triplet model: difficulty of the mined triplets (valid = count)
    long active;          // triplet model: mined triplets with loss > 0
    int no_positive;      // anchors without a positive in the batch
    int self_positive;    // hardest-neg: anchors that drew themselves as positive
    ts_normstats norm;    // norms of the raw embeddings (before normalisation)
    float d_pos, d_neg;   // mean distance over positive / negative pairs (a != p)
    ts_pairs pairs;       // Siamese model: pair counts
    int zero_pairs;       // pairs of batch entries (i < j) at a numerically zero distance
    long mined_zero;      // triplet model: mined triplets with such a pair (a, p), a != p, or
                          // (a, n); batch-all uses every pair: zero_pairs
    float min_dist;       // the smallest Euclidean distance between two batch entries
    long fallback;        // semihard: positive pairs with no negative beyond d_ap (mined
                          // the farthest negative instead, TF Addons' rule)
    ts_pickstats picks;   // triplet model: the per-sample picks so far (counted 0: not this step)
    int has_run_loss;     // an attached run logged its own loss at this step
    float run_loss;       // that loss (scalars.jsonl), beside ours recomputed in `loss`
    unsigned short gen[TS_READINGS];   // the settings' generation it was measured under
                                       // (set by track_push_step from the track's)
} ts_stepstats;

typedef struct {
    long step;
    ts_retrieval r;
} ts_evalrec;

// A whole run's history of one model, each a per-step (or per-evaluation) series.
typedef struct {
    ts_series loss;
    ts_series easy, semihard, hard;   // fractions of valid triplets
    ts_series active;                 // triplet model: active / mined; Siamese: active / negative pairs
    ts_series norm_mean;
    ts_series d_pos, d_neg;
    ts_series p_at_1, r_precision, map_at_r;
    ts_series effective_rank, pc1_share, std_l2;   // the held-out spread (ts_spread)
    ts_series run_loss;               // an attached run's own logged loss (empty when trained here)
} ts_history;

typedef struct {
    ts_model_kind kind;
    ts_stepstats last;                // the newest step (zero before the first)
    ts_stepstats recent[TS_RECENT];   // ring: push i at recent[i % TS_RECENT]
    long n_recent;                    // steps pushed since the clear
    ts_history hist;
    int have_eval;
    ts_evalrec last_eval;
    long n_evals;                     // evaluations pushed since the clear
    unsigned short gen[TS_READINGS];  // changes of each reading since the clear
} ts_track;

// Empties t: no steps, no evaluations, an empty history.
void track_clear(ts_track *t, ts_model_kind kind);
// Appends one step's measurements (st->step set by the source; its gen is
// the track's).
void track_push_step(ts_track *t, const ts_stepstats *st);
// The settings changed what the readings `readings` (TS_READ_BIT) mean:
// the steps pushed from now on are of a new generation of each.
void track_settings_changed(ts_track *t, unsigned readings);
// 1 if steps a and b were measured under the same generation of every
// reading in `readings`.
int stepstats_same_gen(const ts_stepstats *a, const ts_stepstats *b, unsigned readings);
// Appends an evaluation at `step`.
void track_push_eval(ts_track *t, long step, const ts_retrieval *r);
// The i-th most recent step (0 = the newest), or NULL past what is kept.
const ts_stepstats *track_recent(const ts_track *t, int i);
// part / whole, NaN when whole is 0: every fraction shown and diagnosed.
float track_frac(long part, long whole);
// 0 when a step's loss or mean norm is NaN or Inf (a NaN embedding can
// leave the hinge finite: every comparison with NaN is false). The one rule
// of divergence by non-finite numbers.
int stepstats_finite(const ts_stepstats *st);

// --- Events: the changes of setting that acted on the models ----------------

#define TS_MAX_EVENTS 256

// A change of setting made by a command (a key, a script, a reset).
typedef struct {
    long step;
    ts_command command;
    char setting[16];
    char from[40], to[40];
    unsigned models;   // the models it acts on: TS_MODEL_BIT(k) for model k
} ts_event;

// The last TS_MAX_EVENTS changes, in order.
typedef struct {
    ts_event ev[TS_MAX_EVENTS];   // ring: event i at ev[i % TS_MAX_EVENTS]
    long n;                       // events since the clear
} ts_eventlog;

// The newest event, or NULL if none.
const ts_event *eventlog_last(const ts_eventlog *l);
// The step of the newest change of setting, or -1 when the newest event is
// a reset (or there is none): what the diagnosis calls the last change.
long eventlog_last_change(const ts_eventlog *l);

#endif
