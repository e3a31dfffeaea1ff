// diagnose.h: findings that say why a model stalls, raised and cleared from
// windows of the tracks' per-step records and evaluations (the catalogue,
// each threshold with its reason: docs/failure-modes.md).
//
//   ts_diag_input (tracks, settings, the batch's shape, held-out labels)
//       -> diag_update -> ts_diag_output (raised / cleared findings, in order)
//
// The diagnosis reads its input and writes its output, nothing else: the
// caller (the driver) turns the output into JSON lines, the snapshot and a
// stop. Nothing here allocates after diag_create.
#ifndef TRIPLETSCOPE_DIAGNOSE_H
#define TRIPLETSCOPE_DIAGNOSE_H
#include "tripletscope/command.h"
#include "tripletscope/settings.h"
#include "tripletscope/track.h"

typedef enum { SEV_INFO, SEV_WARN, SEV_ERROR } ts_severity;

// In the order a step's (and an evaluation's) findings are decided.
typedef enum {
    FIND_COLLAPSE,
    FIND_ALL_EASY,
    FIND_NO_POSITIVES,
    FIND_SELF_POSITIVE,
    FIND_MARGIN_SCALE,
    FIND_NORM_DRIFT,
    FIND_TOO_HARD,
    FIND_DIVERGED,
    FIND_NO_SIGNAL,
    FIND_AVERAGING,
    FIND_SIAMESE_AHEAD,
    FIND_INVERTED_PAIRS,
    FIND_ZERO_DISTANCE,
    FIND_NOTHING_MINED,
    FIND_SEMIHARD_FALLBACK,
    FIND_LABEL_NOISE,
    FIND_STATIC_TRIPLETS,
    FIND_DIM_COLLAPSE,
    FIND_OVERFIT,
    FIND_COUNT
} ts_finding_code;

#define TS_MAX_FINDINGS 32

// Persistence of the step findings. Each is raised when its condition held at
// DIAG_RAISE_MIN of the last DIAG_WINDOW steps (and a whole window was seen
// since the reset, or since the last change of a setting that changes what
// it reads: track.h, ts_reading), and cleared when it held at DIAG_CLEAR_MAX
// or fewer of a whole window of steps at which it could be decided.
// 50 steps are 6400 anchors at batch 128: one odd batch cannot raise
// anything, yet a finding follows a key within a few seconds of training.
// 80 % to raise, 20 % to clear: a condition wavering near its threshold sits
// in the gap and keeps the state it has, so the panel does not flicker.
#define DIAG_WINDOW 50
#define DIAG_RAISE_MIN 40
#define DIAG_CLEAR_MAX 10

// What the diagnosis panel says when nothing is raised, so that users learn
// what a healthy run looks like.
#define DIAG_NONE_MESSAGE "no problem found"

// --- Evidence: the numbers behind a finding ----------------------------------------

typedef enum { EVIDENCE_NUM, EVIDENCE_TEXT, EVIDENCE_FLAG } ts_evidence_kind;

typedef struct {
    char name[24];           // "d_neg", "margin", "triplet_findings"
    ts_evidence_kind kind;
    double num;              // NUM (NaN when unknown); FLAG: 0 or 1
    char text[96];           // TEXT: a name or codes ("semihard", "too_hard averaging", "nan")
} ts_evidence;

#define TS_MAX_EVIDENCE 12
#define TS_MAX_SUGGEST 4

// A raised finding: what the panel shows and the log prints.
typedef struct {
    ts_finding_code code;
    int model;             // MODEL_SIAMESE, MODEL_TRIPLET or MODEL_BOTH
    ts_severity severity;
    long step;             // the step it was raised at
    char message[200];     // one sentence of at most 100 characters: what is wrong and why
    int n_evidence;
    ts_evidence evidence[TS_MAX_EVIDENCE];   // the numbers that raised it (kept current
                                             // while raised; when cleared, those that cleared it)
    int n_suggest;
    ts_command suggest[TS_MAX_SUGGEST];      // the commands to try, in order (none when no
                                             // command can help, as with no_signal)
} ts_finding;

// --- Input and output ----------------------------------------------------------------

typedef struct {
    const ts_track *track[MODEL_COUNT];   // NULL: the model is not run
    ts_settings set;                      // the settings the newest steps ran under
    int batch;                            // B
    int classes;                          // classes of the training data (evidence; 0: unknown)
    const int *eval_y;                    // (n_eval) held-out labels, for the chance level
    int n_eval, eval_classes;
    long last_change;                     // step of the last change of setting, -1: none
                                          // since the reset (eventlog_last_change)
    int stopped;                          // the source stopped: the run diverged
    int attached;                         // 1: the tracks are watched runs (a finding's
                                          // suggestion is advice for their own code)
    int raw_inputs;                       // 1: the source has the raw inputs (the trainer)
    float raw_p_at_1;                     // their held-out P@1 (NaN until measured, at the
                                          // first evaluation)
    const struct ts_picks *picks;         // the triplet model's per-sample picks (measure.h),
                                          // or NULL: sample ids unknown
} ts_diag_input;

// What a change did to a finding (ts_diag_change.raised; the JSON lines'
// "state": "cleared", "raised", "regraded").
#define DIAG_CLEARED 0
#define DIAG_RAISED 1
#define DIAG_REGRADED 2   // still raised, with a new severity (f.severity)

typedef struct {
    ts_finding f;
    long step;             // the step of the change
    int raised;            // DIAG_RAISED, DIAG_CLEARED or DIAG_REGRADED
} ts_diag_change;

// Each slot changes at most once per step read; diag_update reads no more
// steps at once than this can hold.
#define TS_DIAG_CHANGES 96

typedef struct {
    int n;
    ts_diag_change change[TS_DIAG_CHANGES];   // in the order they happened
    int stop;              // a finite loss exploded: the source must stop stepping
    int more;              // steps are left unread: call diag_update again
} ts_diag_output;

typedef struct ts_diag ts_diag;

ts_diag *diag_create(void);
void diag_free(ts_diag *d);
// Forgets everything (a reset). Findings raised before it are reported
// cleared in out (evidence {"reset":true}) at the last step read, so that a
// log reader's view matches the panel; nothing from before is raised again.
void diag_reset(ts_diag *d, ts_diag_output *out);
// Reads the steps and evaluations the tracks gained since the last call
// (a step is read once however often it is called); raises and clears
// findings into out (emptied first). Called after every step and every
// evaluation.
void diag_update(ts_diag *d, const ts_diag_input *in, ts_diag_output *out);
// The raised findings, most severe first; returns how many (<= max).
int diag_findings(const ts_diag *d, ts_finding *out, int max);
// 1 if the finding `code` is raised for `model` (or MODEL_BOTH).
int diag_is_raised(const ts_diag *d, ts_finding_code code, int model);
// "collapse", "all_easy", ... (the JSON codes).
const char *diag_code_name(ts_finding_code c);
const char *diag_severity_name(ts_severity s);
// The evidence entry `name` of f, or NULL.
const ts_evidence *finding_evidence(const ts_finding *f, const char *name);

#endif
