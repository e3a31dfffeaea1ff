// diagnose.c: placeholder engine (no findings yet); replaced by the full
// catalogue.
#include <stdlib.h>
#include "tripletscope/diagnose.h"
#include "tripletscope/session.h"

struct ts_diag { int n; };

static const char *const code_names[FIND_COUNT] = {
    "collapse", "all_easy", "no_positives", "self_positive", "margin_scale", "norm_drift",
    "too_hard", "diverged", "no_signal", "averaging", "siamese_ahead"};

ts_diag *diag_create(void) { return calloc(1, sizeof(ts_diag)); }
void diag_free(ts_diag *d) { free(d); }
void diag_reset(ts_diag *d) { d->n = 0; }
void diag_update(ts_diag *d, struct ts_session *s) { (void)d; (void)s; }
int diag_findings(const ts_diag *d, ts_finding *out, int max) { (void)d; (void)out; (void)max; return 0; }
const char *diag_code_name(ts_finding_code c) { return (unsigned)c < FIND_COUNT ? code_names[c] : "?"; }
const char *diag_severity_name(ts_severity s) {
    return s == SEV_ERROR ? "error" : s == SEV_WARN ? "warn" : "info";
}
