// report.h: the JSON lines (headless output and --log) and the snapshot
// export, from the configuration, the tracks' records, the events and the
// findings. Field names are a public interface: see docs/metrics.md.
#ifndef TRIPLETSCOPE_REPORT_H
#define TRIPLETSCOPE_REPORT_H
#include <stddef.h>
#include "tripletscope/config.h"
#include "tripletscope/diagnose.h"
#include "tripletscope/error.h"
#include "tripletscope/json.h"
#include "tripletscope/snapshot.h"
#include "tripletscope/track.h"

// The longest JSON line, and the buffer every line is written into.
#define REPORT_LINE_MAX 8192

// Each writes one JSON object (no newline) into buf (n bytes).
void report_config(char *buf, size_t n, const ts_config *c, const ts_run_info *info);
// A model's "model" is its name in info (run_info_model_name).
void report_step(char *buf, size_t n, const ts_run_info *info, ts_model_kind kind,
                 const ts_stepstats *st);
void report_eval(char *buf, size_t n, const ts_run_info *info, ts_model_kind kind,
                 const ts_evalrec *ev);
void report_event(char *buf, size_t n, const ts_event *ev);
// raised: DIAG_RAISED, DIAG_CLEARED or DIAG_REGRADED (diagnose.h), the "state".
void report_diagnosis(char *buf, size_t n, const ts_run_info *info, long step,
                      const ts_finding *f, int raised);
void report_export_line(char *buf, size_t n, long step, const char *path);
// A watched run, as the config line of an attached source describes it.
typedef struct {
    const char *name, *dir, *loss;
    ts_model_kind kind;
    int tensorboard;
    const ts_settings *own;       // the settings it is measured under at the start
    long listed;                  // dumps listed when it opened
} ts_watched;
// The config line of watched runs: {"type":"config","source":"watch","runs":[...],...}.
void report_watch_config(char *buf, size_t n, const ts_config *c, const ts_watched *runs,
                         int n_runs, int follow);
// A notice the run gave (a watched dump skipped, a dump failed): {"type":"notice",...}.
void report_notice(char *buf, size_t n, long step, const char *message);
// A lesson's narration at step (--lesson): {"type":"narration","step":N,"text":"..."}.
void report_narration(char *buf, size_t n, long step, const char *text);
void report_summary(char *buf, size_t n, long steps, double seconds);
// What an export adds beside the snapshot, from the source (NULL, or a
// field left NULL: none).
typedef struct {
    const struct ts_picks *picks;   // the triplet model's per-sample picks (measure.h)
    float label_noise;              // --label-noise, and the rows it flipped (ascending)
    const int *flipped;
    int n_flipped;
    const ts_diag_change *history;  // every raise and clear since the start or the last
    long n_history;                 // reset: a ring, change i at history[i % history_max]
    int history_max;                // (the newest history_max are kept)
} ts_export_extra;
// The directory an export goes to: dir (--export-dir) when not empty, else
// $XDG_DATA_HOME/tripletscope (an absolute XDG_DATA_HOME) or
// $HOME/.local/share/tripletscope, created (mode 0700, parents too) if
// missing. Returns 0 with it in out, or -1 with err "REASON".
int report_export_dir(const char *dir, char *out, size_t n, ts_error *err);
// Writes the snapshot (the step, the current metrics, the whole history,
// each model's projection with its labels, the events and the raised
// findings) and extra (the raise / clear history of the findings; every
// suspect of label_noise with its counts; the flipped rows) as JSON to path
// atomically: written beside it,
// then renamed. Returns 0, or -1 with err "PATH: REASON".
int report_export(const ts_snapshot *sn, const ts_export_extra *extra, const char *path,
                  ts_error *err);

#endif
