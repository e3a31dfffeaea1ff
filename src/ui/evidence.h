// evidence.h: a finding's evidence (the JSON text the core attaches to it)
// as the diagnosis panel shows it. On its own so that structured evidence
// can replace it in one place.
#ifndef TS_UI_EVIDENCE_H
#define TS_UI_EVIDENCE_H
#include <stddef.h>

// A flat JSON object (a finding's evidence) as "name=value" pairs two
// spaces apart, numbers by format_sig3 (at most 8 characters), strings bare
// with their spaces turned to commas: {"loss":0.6854,"findings":"a b"} ->
// "loss=0.685  findings=a,b".
void fmt_evidence(char *out, size_t n, const char *json);

#endif
