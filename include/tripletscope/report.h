// report.h: the JSON lines (headless output and --log) and the snapshot
// export. Field names are a public interface: see docs/metrics.md.
#ifndef TRIPLETSCOPE_REPORT_H
#define TRIPLETSCOPE_REPORT_H
#include <stddef.h>
#include "tripletscope/json.h"
#include "tripletscope/session.h"

// Each writes one JSON object (no newline) into buf (n bytes).
void report_config(char *buf, size_t n, const ts_session *s);
void report_step(char *buf, size_t n, const ts_track *t);
void report_eval(char *buf, size_t n, const ts_track *t);
void report_event(char *buf, size_t n, const ts_event *ev);
void report_diagnosis(char *buf, size_t n, long step, const ts_finding *f, int raised);
void report_summary(char *buf, size_t n, long steps, double seconds);

#endif
