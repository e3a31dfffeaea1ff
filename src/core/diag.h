// diag.h (internal to the diagnosis): the engine's state, the rule table the
// engine runs, and the window statistics the rules read. diagnose.c is the
// engine, diag_rules.c the rules (one table row each), diag_window.c the
// statistics over a track's recent steps.
#ifndef TS_CORE_DIAG_H
#define TS_CORE_DIAG_H
#include <stdint.h>
#include "tripletscope/data.h"
#include "tripletscope/diagnose.h"

// Evaluations kept per model (averaging's MAP@R rise spans 400 steps).
#define DIAG_EVALS 8
#define N_SLOT_MODELS (MODEL_COUNT + 1)   // siamese, triplet, both

// --- The engine's state --------------------------------------------------------------

typedef struct {
    int raised;
    uint64_t bits;         // the condition at the last 64 updates, bit 0 the newest
                           // (an undecided update counts as not held)
    int n;                 // updates since the reset or the restart (saturates at 64)
    int nd;                // of them, decided ones (saturates at 64)
    unsigned short gen[TS_READINGS];   // step rules: the generation of the rule's
                                       // readings its bits are of
    int n_raised_suggest;  // the commands suggested when it was raised
    ts_command raised_suggest[TS_MAX_SUGGEST];
    ts_finding f;
} diag_slot;

typedef struct {
    long step;
    float p_at_1, map_at_r;
    float loss;            // the mean training loss of the DIAG_WINDOW steps up to it (NaN: none)
} diag_evalrec;

struct ts_diag {
    diag_slot slot[N_SLOT_MODELS][FIND_COUNT];
    long seen[MODEL_COUNT];        // steps of each track read (its n_recent then)
    long last_step;                // the newest step read
    long evals_seen[MODEL_COUNT];  // evaluations of each track read
    diag_evalrec ev[MODEL_COUNT][DIAG_EVALS];   // [0] the latest evaluation, [1] the one before, ...
    int n_ev[MODEL_COUNT];
    diag_evalrec best[MODEL_COUNT];   // the evaluation of the highest MAP@R since the reset
                                      // (the first of equals; MAP@R NaN: none yet), kept
                                      // past the last DIAG_EVALS
    long eval_step_done;           // the evaluation step whose conditions were updated
    double first_loss[MODEL_COUNT];   // sum of the losses of steps 1..DIAG_WINDOW
    int first_n[MODEL_COUNT];
    float chance;                  // P@1 of a random ranking on the eval set (< 0: unknown)
    int chance_queries;
    int stopped;                   // the run diverged: later numbers are not to be read
    int class_count[TS_MAX_CLASSES];  // scratch for the chance level
};

// --- What a rule reads ----------------------------------------------------------------

typedef struct {
    const ts_diag *d;
    const ts_diag_input *in;
    int model;                 // the model decided for (or MODEL_BOTH)
    int off;                   // step rules: the step's offset in its track (0 = newest)
    const ts_stepstats *st;    // step rules: that step
    unsigned reads;            // the readings of the rule decided (TS_READ_BIT): its
                               // windows span only steps of the generation of them
                               // that the step at `off` was measured under
} diag_ctx;

// A condition that cannot be decided yet: its window does not hold enough
// steps of the current settings. Not held for raising (as the steps before
// a whole window at a run's start); a raised finding is cleared only by a
// whole window of decided updates.
#define DIAG_UNDECIDED (-1)

// An evaluation rule reads the runs' evaluations together (one finding about
// them, as no_signal) or each model's on its own (a finding per model).
#define EVAL_JOINT 1
#define EVAL_EACH 2

typedef struct {
    const char *name;          // the JSON code
    ts_severity sev;
    int per_eval;              // EVAL_JOINT or EVAL_EACH: decided per evaluation; 0: per step
    int window, raise_min, clear_max;   // clear_max < 0: only a reset clears
    unsigned models;           // step rules and EVAL_EACH: the models it is decided for;
                               // EVAL_JOINT: TS_MODELS_ALL when both must run, 0 when
                               // it is one finding about whichever run
    int stops;                 // decided first; raised on a finite step, the run stops
                               // (and no other rule reads that step)
    // The condition at this update: 1 held, 0 not, DIAG_UNDECIDED.
    int (*cond)(const diag_ctx *c);
    // The message, evidence and suggestion from the current numbers.
    void (*describe)(const diag_ctx *c, ts_finding *f);
    // What the rule's numbers read (TS_READ_BIT): a change of one of them
    // restarts its windows (step rules: its bits too); 0: none restarts.
    unsigned reads;
} diag_rule;

// Indexed by ts_finding_code.
extern const diag_rule diag_rules[FIND_COUNT];

// --- Window statistics (diag_window.c) ------------------------------------------------

// The means of one model's steps at offsets [off, off + len), finite values only.
typedef struct {
    double loss, easy, semihard, hard;         // fractions of the valid triplets
    double mined_hard, active, self_pos;       // fractions of the mined triplets
    double no_pos;                             // fraction of the anchors
    double d_pos, d_neg, norm;
    double zero_pairs;                         // mean pairs at a numerically zero distance
    double mined_zero;                         // mean mined triplets with such a pair
    double min_dist;                           // the smallest distance of two entries (min)
    double fallback;                           // semihard: fraction of the mined pairs that fell back
    double nothing;                            // fraction of the steps that mined no triplet
    double valid;                              // mean valid triplets of a batch
} diag_wstats;

// Model k's step at offset off (0 = newest), or NULL: past what is kept,
// or of another generation of c->reads than model k's step at c->off
// (windows never mix steps measured under different settings of what they
// read).
const ts_stepstats *diag_at(const diag_ctx *c, int k, int off);
// How many of the steps at offsets [off, off + len) diag_at gives (the
// window a finding's evidence names).
int diag_window_len(const diag_ctx *c, int k, int off, int len);
void diag_window_stats(const diag_ctx *c, int k, int off, int len, diag_wstats *w);
// Mean loss of the steps at offsets [off, off + len) (NaN if none).
double diag_mean_loss(const diag_ctx *c, int k, int off, int len);
// The mean active share of model k's mined triplets over len steps from off.
double diag_window_active(const diag_ctx *c, int k, int off, int len);
// Mean raw norms of `blocks` blocks of `len` steps ending at offset off,
// oldest first, into out; 0 if the history is too short or, counting back
// from the newest, reaches into the first `warmup` steps.
int diag_norm_blocks(const diag_ctx *c, int k, int off, int blocks, int len, long warmup,
                     double *out);
// The median of the finite losses of the `len` steps before the `skip`
// newest from off (NaN if none); len <= 64.
float diag_loss_median(const diag_ctx *c, int k, int off, int skip, int len);
// Relative fall of model k's loss from its first DIAG_WINDOW steps to its
// last DIAG_WINDOW (NaN until both exist).
double diag_loss_fall(const diag_ctx *c, int k);
// Mean finite loss of the `len` newest steps of track t at or before `step`
// (NaN if none).
double diag_loss_upto(const ts_track *t, long step, int len);
// MAP@R of model k's latest evaluation minus that of its oldest evaluation
// at or after step `since` (NaN unless there are two).
double diag_map_rise(const ts_diag *d, int k, long since);
// The chance level of P@1 on the held-out labels (NaN when unknown).
void diag_compute_chance(ts_diag *d, const ts_diag_input *in);

// --- Building a finding ----------------------------------------------------------------

void evidence_num(ts_finding *f, const char *name, double v);
void evidence_text(ts_finding *f, const char *name, const char *text);
void evidence_flag(ts_finding *f, const char *name, int v);
// Replaces f's suggestion by the n commands of cmds.
void finding_suggest(ts_finding *f, int n, const ts_command *cmds);
void finding_message(ts_finding *f, const char *text);

#endif
