// snapshot.h: a self-contained copy of everything the interface draws.
//
// The driver fills one (the trainer's part by session_snapshot, the
// findings and the notice its own) and the runner publishes it; the
// interface draws from its own copy, so it never reads the session while the
// session changes, and never holds a lock while drawing. Fixed size, no
// pointers: copying it is one memcpy.
#ifndef TRIPLETSCOPE_SNAPSHOT_H
#define TRIPLETSCOPE_SNAPSHOT_H
#include "tripletscope/config.h"
#include "tripletscope/diagnose.h"
#include "tripletscope/track.h"

// Class names the legend shows at most.
#define TS_MAX_LEGEND 32

typedef struct {
    ts_model_kind kind;
    int enabled;
    ts_stepstats last;           // the last step's measurements
    ts_history hist;             // the whole run, binned
    int have_eval;
    ts_evalrec last_eval;
    int n_proj;
    float proj[2 * TS_MAX_PROJ]; // (n_proj, 2) held-out points on the first two principal axes
    float proj_var[2];           // variance along each axis
    float proj_total_var;        // total variance (for "explains x %")
} ts_model_view;

typedef struct {
    long step;
    int diverged;
    ts_config cfg;               // cfg.set: the current settings
    char class_names[TS_MAX_LEGEND][24];  // the first TS_MAX_LEGEND classes
    int proj_y[TS_MAX_PROJ];     // labels of the projected points
    ts_model_view model[MODEL_COUNT];
    long n_events;               // events since the last reset
    ts_event events[TS_MAX_EVENTS];  // ring, as in the session
    int n_findings;
    ts_finding findings[TS_MAX_FINDINGS];  // raised, most severe first
    ts_run_info info;            // what the run is measured on (the config line's data)
    char notice[640];            // the driver's last notice
    long notice_seq;             // changes with every notice, repeated texts too
} ts_snapshot;

#endif
