// diag_about.h: what each finding means, in a sentence or two, and where
// docs/failure-modes.md explains it; the unit each evidence name is in.
// The finding view of the interface (Tab / i) shows them beside a finding's
// message and numbers. One table row per finding (tests/test_about.c checks
// every code has one; tests/cli/about_docs.sh that each section is a heading
// of docs/failure-modes.md and each evidence name the rules write has a unit).
#ifndef TRIPLETSCOPE_DIAG_ABOUT_H
#define TRIPLETSCOPE_DIAG_ABOUT_H
#include "tripletscope/diagnose.h"

typedef struct {
    ts_finding_code code;
    const char *meaning;   // one or two sentences: what the finding means and what fixes it
    const char *section;   // how its heading in docs/failure-modes.md starts ("`too_hard`"):
                           // the heading is "### " followed by it
} ts_diag_about;

// The row of finding c, or NULL when it has none.
const ts_diag_about *diag_about(ts_finding_code c);
// The unit of evidence `name` as the finding view writes it after the value
// ("steps", "distance units", "share of mined triplets"); "" for a text, a
// flag or a bare number, NULL for a name the table lacks.
const char *diag_evidence_unit(const char *name);

#endif
