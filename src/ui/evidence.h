// evidence.h: a finding's evidence and suggestion as the diagnosis panel
// shows them.
#ifndef TS_UI_EVIDENCE_H
#define TS_UI_EVIDENCE_H
#include <stddef.h>
#include "tripletscope/diagnose.h"

// f's evidence as "name=value" pairs two spaces apart, numbers by
// format_sig3 (at most 8 characters), texts bare with their spaces turned
// to commas: loss 0.6854, findings "a b" -> "loss=0.685  findings=a,b".
void evidence_format(char *out, size_t n, const ts_finding *f);
// The keys that give f's suggested commands, in order ("[r", "MM"); "" for none.
void evidence_keys(char *out, size_t n, const ts_finding *f);
// For an attached run, where no key acts on the model: what to change in
// its training, from the suggested commands' advice (command.h), each said
// once: "in your training: change the miner (...)"; "" when none has any.
void evidence_advice(char *out, size_t n, const ts_finding *f);
// The what-if keys among f's suggestions (keys_whatif), in order: those
// that re-measure an attached run's dumps under another setting; "" for none.
void evidence_whatif_keys(char *out, size_t n, const ts_finding *f);

#endif
