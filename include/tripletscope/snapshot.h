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
    int proj_y[TS_MAX_PROJ];     // (n_proj) their labels (watched runs may hold different sets)
    float proj_var[2];           // variance along each axis
    float proj_total_var;        // total variance (for "explains x %")
    float proj_extent;           // the cloud's extent on those axes (the larger span), in
                                 // the embedding's length units (after any normalisation)
    float proj_extent0;          // the extent at the first evaluation since the last reset
                                 // (a scale that does not follow each evaluation's)
    float proj_extent_dist;      // proj_extent as a distance in use (distance_of_length):
                                 // in the margin's units
} ts_model_view;

// An attached run's timeline and files, for the header and the columns.
typedef struct {
    int following;                // the newest dump is shown, and followed as it comes
    int live;                     // new dumps are looked for (--follow; the interface)
    long shown_step;              // the step on screen
    long shown_index;             // its place among the steps read (1-based)
    long n_steps;                 // the steps read so far (both runs')
    long n_listed, n_read;        // dumps listed, and read of them: n_read < n_listed
                                  // while catching up on a directory's existing dumps
    char dir[MODEL_COUNT][160];   // each run's directory
    int tensorboard[MODEL_COUNT]; // 1: a TensorBoard log directory (eval dumps only)
    int other_ranks[MODEL_COUNT]; // ranks other than 0 seen (rank 0 is read)
    int eval_used[MODEL_COUNT];   // held-out rows evaluated ...
    int eval_rows[MODEL_COUNT];   // ... of those in the eval dump (fewer: --eval-size subsampled)
    int n_scalars[MODEL_COUNT];   // the run's own scalars at the shown step
    char scalar_name[MODEL_COUNT][4][24];
    float scalar[MODEL_COUNT][4];
} ts_watch_view;

typedef struct {
    long step;
    int diverged;
    ts_config cfg;               // cfg.set: the current settings
    char class_names[TS_MAX_LEGEND][24];  // the first TS_MAX_LEGEND classes
    ts_model_view model[MODEL_COUNT];
    long n_events;               // events since the last reset
    ts_event events[TS_MAX_EVENTS];  // ring, as in the session
    int n_findings;
    ts_finding findings[TS_MAX_FINDINGS];  // raised, most severe first
    ts_run_info info;            // what the run is measured on (the config line's data)
    ts_watch_view watch;         // attached runs only (info.attached)
    int settings_changed;        // a setting differs from the starting ones (the header's
                                 // "preset seed*"; P sets them back); 0 watching a run
    char notice[640];            // the driver's last notice
    long notice_seq;             // changes with every notice, repeated texts too
} ts_snapshot;

// Sets class c's name in snap's legend, cut to what the legend holds at a
// UTF-8 character's boundary.
void snapshot_class_name(ts_snapshot *snap, int c, const char *name);

#endif
