// driver.h: the one schedule of a run, for headless mode and the interface
// alike: train a step, log it when due, evaluate when due, diagnose, give the
// script's commands due, stop at --steps or q. The front ends only choose
// where the lines go and when to step (headless: as fast as it can; the
// interface: from its worker thread, between keys).
//
//   source (the trainer | a watched run) -> tracks -> diagnosis -> JSON lines, snapshot
#ifndef TRIPLETSCOPE_DRIVER_H
#define TRIPLETSCOPE_DRIVER_H
#include "tripletscope/command.h"
#include "tripletscope/config.h"
#include "tripletscope/data.h"
#include "tripletscope/error.h"
#include "tripletscope/eval.h"
#include "tripletscope/lesson.h"
#include "tripletscope/snapshot.h"
#include "tripletscope/watch.h"

// What a run measures: the built-in trainer on cfg over train/test (which
// must outlive the driver), or, when watch is set, the dumps of the runs it
// names (cfg then gives the settings the flags set: see watch.h).
typedef struct {
    const ts_config *cfg;
    const ts_dataset *train, *test;
    const char *data_name;
    const ts_watch_opts *watch;   // NULL: train
} ts_source_spec;

typedef struct {
    const char *script;      // --script "STEP:KEYS,...", or NULL
    long stop_at;            // no step after this one (headless --steps); < 0: never
    int interactive;         // pause and step act, a divergence pauses (the interface);
                             // otherwise they do nothing and a divergence ends the run
    int final_eval;          // driver_finish evaluates a last step the schedule did not
    int start_paused;        // interactive: begin paused
    // Interactive only (headless ignores them):
    long pause_at;           // pause once this step is reached (the interface's --steps),
                             // once: Space runs on; <= 0: never
    int speed;               // the pace in steps/s (pace.h; TS_PACE_FULL: as fast as it can)
    unsigned pause_on;       // --pause-on: TS_PAUSE_ON_* bits, auto-pause on at the start
    // --lesson (lesson.h; NULL: none), which must outlive the driver: its
    // narration, and its keys at their steps. Headless, a wait's keys are
    // pressed at its step, as --script would; interactive, a wait or pause
    // holds the run (paused) until the viewer presses the keys (Space for a
    // pause), or, with lesson_auto, until driver_lesson_go.
    const ts_lesson *lesson;
    int lesson_auto;         // --auto
} ts_driver_opts;

#define TS_PAUSE_ON_RAISED 1u    // auto-pause when a finding is raised
#define TS_PAUSE_ON_CLEARED 2u   // ... or cleared

typedef struct {
    // Every JSON line (config, step, eval, event, diagnosis, export,
    // summary), in order, without a newline. NULL: nowhere.
    void (*line)(void *ctx, const char *line);
    // A command was refused (why: the notice); returns 1 to end the run with
    // an error (headless: a failed export), 0 to go on. NULL: go on. --dump
    // tells its failed writes as CMD_EXPORT (a failed export of the run), and
    // a reset that stops dumping as that reset.
    int (*refused)(void *ctx, ts_command c, long step, const char *why);
    void *ctx;
} ts_driver_output;

typedef struct ts_driver ts_driver;

// Builds the source spec asks for and parses the script. Returns 0, or -1
// with a one-line message in err.
int driver_create(ts_driver **out, const ts_source_spec *spec, const ts_driver_opts *opts,
                  ts_error *err);
void driver_free(ts_driver *d);
void driver_set_output(ts_driver *d, const ts_driver_output *out);
// What hears of a long evaluation's progress (see session_set_progress).
void driver_set_progress(ts_driver *d, ts_eval_progress fn, void *ctx);
// Writes the config line and gives the script's commands due at step 0.
void driver_begin(ts_driver *d);
// One step of the schedule, then the script's commands due after it.
// Returns 1 if a step ran, 0 if the run is paused or over.
int driver_step(ts_driver *d);
// Gives a command now, between two steps (the interface's keys).
void driver_command(ts_driver *d, ts_command c);
// 1 while steps may run: not over (stop_at, q, an ending refusal, a
// divergence when not interactive).
int driver_running(const ts_driver *d);
// 1 when the last step found nothing new (a followed run): the front end
// waits a little before it steps again.
int driver_waiting(const ts_driver *d);
// 1 while paused (interactive only).
int driver_paused(const ts_driver *d);
// The pace the worker keeps (steps/s; TS_PACE_FULL: none), set by opts and
// the < > commands.
int driver_speed(const ts_driver *d);
// The auto-pause bits in force (TS_PAUSE_ON_*; 0: off), toggled by a.
unsigned driver_pause_on(const ts_driver *d);
// Why the run paused itself, while it is paused: "no_positives raised"
// (auto-pause), "--steps 120"; "" otherwise (a key, a divergence, running).
const char *driver_pause_why(const ts_driver *d);
// 1 while a lesson's wait or pause holds the run and --auto is to end it:
// the front end calls driver_lesson_go when the text has shown long enough.
int driver_lesson_hold(const ts_driver *d);
// Ends the lesson's hold as the viewer would: a wait's keys still wanted
// are given, a pause runs on; then what else is due at the step.
void driver_lesson_go(ts_driver *d);
// 1 once q was given.
int driver_quit(const ts_driver *d);
// 1 when a refusal ended the run (the front end exits with status 2).
int driver_failed(const ts_driver *d);
// The step reached.
long driver_step_count(const ts_driver *d);
// The end of the run: the last evaluation (final_eval, when the last step
// was not evaluated and the run did not diverge) and the summary line.
void driver_finish(ts_driver *d, double seconds);
// Copies everything the interface draws into snap.
void driver_snapshot(const ts_driver *d, ts_snapshot *snap);

#endif
