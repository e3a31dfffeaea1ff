// diagnose.h: findings that say why a model stalls, raised and cleared from
// windows of the per-step and evaluation series (see docs/failure-modes.md).
#ifndef TRIPLETSCOPE_DIAGNOSE_H
#define TRIPLETSCOPE_DIAGNOSE_H

typedef enum { SEV_INFO, SEV_WARN, SEV_ERROR } ts_severity;

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
    FIND_COUNT
} ts_finding_code;

#define TS_MAX_FINDINGS 32

// Persistence of the step findings. Each is raised when its condition held at
// DIAG_RAISE_MIN of the last DIAG_WINDOW steps (and a whole window was seen
// since the reset), and cleared when it held at DIAG_CLEAR_MAX or fewer.
// 50 steps are 6400 anchors at batch 128: one odd batch cannot raise
// anything, yet a finding follows a key within a few seconds of training.
// 80 % to raise, 20 % to clear: a condition wavering near its threshold sits
// in the gap and keeps the state it has, so the panel does not flicker.
#define DIAG_WINDOW 50
#define DIAG_RAISE_MIN 40
#define DIAG_CLEAR_MAX 10

// A finding about both models at once (siamese_ahead, no_signal): the JSON
// line says "both". Equals MODEL_COUNT (session.h), which is not a model.
#define DIAG_MODEL_BOTH 2

// What the diagnosis panel says when nothing is raised, so that users learn
// what a healthy run looks like.
#define DIAG_NONE_MESSAGE "no problem found"

// A raised finding: what the panel shows and the log prints.
typedef struct {
    ts_finding_code code;
    int model;             // MODEL_SIAMESE, MODEL_TRIPLET (ts_model_kind) or DIAG_MODEL_BOTH
    ts_severity severity;
    long step;             // the step it was raised at
    char message[200];     // one sentence: what is wrong and why
    char evidence[256];    // a JSON object with the numbers that raised it (kept
                           // current while raised; in a "cleared" line, the
                           // numbers that cleared it)
    char suggest[8];       // the key(s) to try ("m", "p", "+", "MM", ...; "" when
                           // no key can help, as with no_signal)
} ts_finding;

struct ts_session;
typedef struct ts_diag ts_diag;

ts_diag *diag_create(void);
void diag_free(ts_diag *d);
// Forgets everything (after a reset). Findings raised before it are closed
// with a "cleared" line (evidence {"reset":true}) at the last step seen, so
// that a log reader's view matches the panel; nothing from before the reset
// is raised again.
void diag_reset(ts_diag *d);
// Reads the session's recent steps and evaluations; raises and clears
// findings. Each change is emitted through the session's output as a
// "diagnosis" line. Called after every step and every evaluation (a step is
// read once however often it is called). When a finite loss explodes it sets
// s->diverged, as the session does for NaN or Inf: steps refuse until a
// reset, so the headless loop stops and the interface pauses.
void diag_update(ts_diag *d, struct ts_session *s);
// The raised findings, most severe first; returns how many (<= max).
int diag_findings(const ts_diag *d, ts_finding *out, int max);
// 1 if the finding `code` is raised for `model` (or DIAG_MODEL_BOTH).
int diag_is_raised(const ts_diag *d, ts_finding_code code, int model);
// "collapse", "all_easy", ... (the JSON codes).
const char *diag_code_name(ts_finding_code c);
const char *diag_severity_name(ts_severity s);

#endif
