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

// A raised finding: what the panel shows and the log prints.
typedef struct {
    ts_finding_code code;
    int model;             // MODEL_SIAMESE, MODEL_TRIPLET (ts_model_kind)
    ts_severity severity;
    long step;             // the step it was raised at
    char message[200];     // one sentence: what is wrong and why
    char evidence[256];    // a JSON object with the numbers that raised it
    char suggest[8];       // the key to try ("m", "p", "+", ...)
} ts_finding;

struct ts_session;
typedef struct ts_diag ts_diag;

ts_diag *diag_create(void);
void diag_free(ts_diag *d);
// Forgets everything (after a reset).
void diag_reset(ts_diag *d);
// Reads the session's recent steps and evaluations; raises and clears
// findings. Each change is emitted through the session's output as a
// "diagnosis" line. Called after every step and every evaluation.
void diag_update(ts_diag *d, struct ts_session *s);
// The raised findings, most severe first; returns how many (<= max).
int diag_findings(const ts_diag *d, ts_finding *out, int max);
// "collapse", "all_easy", ... (the JSON codes).
const char *diag_code_name(ts_finding_code c);
const char *diag_severity_name(ts_severity s);

#endif
