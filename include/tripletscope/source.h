// source.h: what the driver runs, whatever produces the measurements: the
// built-in trainer (session.c) or an attached run's dumps (watch.c). A
// source fills tracks; the driver schedules it, diagnoses its tracks and
// writes its lines, the same for both.
//
//   source --advance--> tracks --> driver: diagnosis, JSON lines, snapshot
#ifndef TRIPLETSCOPE_SOURCE_H
#define TRIPLETSCOPE_SOURCE_H
#include <stddef.h>
#include "tripletscope/command.h"
#include "tripletscope/config.h"
#include "tripletscope/diagnose.h"
#include "tripletscope/eval.h"
#include "tripletscope/snapshot.h"
#include "tripletscope/track.h"

typedef enum {
    SOURCE_STEPPED,   // a step was measured into the tracks
    SOURCE_REFUSED,   // it will not step: the run diverged (a reset clears it)
    SOURCE_WAITING,   // nothing new yet: an attached run that is followed
    SOURCE_END,       // nothing more will come: the last dump was read
} ts_source_status;

// What one advance did, beyond its status.
typedef struct {
    long step;                  // the step reached
    unsigned stepped;           // the models whose track gained this step (TS_MODEL_BIT)
    int log;                    // the step is due for its step lines
    int evaluate;               // an evaluation is due now (evaluate() does it)
} ts_advance;

typedef struct ts_source_ops {
    // Measures the next step into the tracks.
    ts_source_status (*advance)(void *self, ts_advance *a);
    // Evaluates now (the held-out set), into the tracks; fills which models
    // gained an evaluation.
    void (*evaluate)(void *self, unsigned *evaluated);
    // 1 once the run diverged (a NaN or Inf, or the diagnosis said stop).
    int (*diverged)(const void *self);
    // The diagnosis found an explosion: stop stepping until a reset.
    void (*stop)(void *self);
    // The track of model k, or NULL when it is not run.
    const ts_track *(*track)(const void *self, ts_model_kind k);
    // What the diagnosis reads beside the tracks (settings, batch, held-out labels).
    void (*diag_input)(const void *self, ts_diag_input *in);
    // Carries out a command of the source's scope: 1 changed something (*ev
    // its event), 0 not the source's, -1 refused (why, n bytes).
    int (*command)(void *self, ts_command c, ts_event *ev, char *why, size_t n);
    // What the run is measured on (the config line, the snapshot).
    void (*info)(const void *self, ts_run_info *info);
    // The configuration (cfg.set: the current settings; cfg.seed and
    // cfg.export_dir name the export).
    const ts_config *(*config)(const void *self);
    // Writes the config line into buf (n bytes).
    void (*config_line)(const void *self, char *buf, size_t n);
    // Copies the source's state into snap: everything but the findings and
    // the notice, which the driver adds.
    void (*snapshot)(const void *self, ts_snapshot *snap);
    // What hears of a long evaluation's progress (NULL: nothing).
    void (*set_progress)(void *self, ts_eval_progress fn, void *ctx);
    // 1 when driver_finish should evaluate once more (the trainer's last
    // step fell off the schedule), 0 otherwise.
    int (*final_eval_due)(const void *self);
    // A short notice the source has for the front end (a skipped dump), or
    // NULL; each returned once.
    const char *(*take_notice)(void *self);
    void (*free)(void *self);
} ts_source_ops;

// A source: its operations and its state.
typedef struct ts_source {
    const ts_source_ops *ops;
    void *self;
} ts_source;

#endif
