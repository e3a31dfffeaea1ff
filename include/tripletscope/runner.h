// runner.h: a driver run in a worker thread, steered by commands, read
// through published snapshots. No terminal code: the tests drive it directly.
//
//   UI thread    runner_command() --> command queue (mutex) ------+
//   worker       [give queued commands] driver_step ... publish
//   publish      driver_snapshot -> back buffer, swapped with the front
//                buffer under the mutex (no tearing)
//   UI thread    runner_view() memcpy's the front buffer out under the
//                mutex, then draws from its own copy with no lock held
//
// Commands apply between two steps, in the order they were given. --script
// commands are given after the step they name by the driver, exactly as in
// headless mode, so a scripted run with a seed is reproducible.
#ifndef TRIPLETSCOPE_RUNNER_H
#define TRIPLETSCOPE_RUNNER_H
#include "tripletscope/command.h"
#include "tripletscope/config.h"
#include "tripletscope/data.h"
#include "tripletscope/error.h"
#include "tripletscope/lesson.h"
#include "tripletscope/snapshot.h"
#include "tripletscope/watch.h"

// What the front end reads: the snapshot plus the runner's own state.
typedef struct {
    ts_snapshot snap;
    long version;           // increases with every publication
    int running;            // 0 while paused (by a key, or because the run diverged)
    int auto_paused;        // paused because the run diverged (r resets)
    int quit;               // a --script pressed q: the front end should quit
    double steps_per_s;     // steps over the last ~1 s while running; 0 when paused
    int speed;              // the pace kept (steps/s, pace.h; TS_PACE_FULL: none)
    unsigned pause_on;      // the auto-pause in force (TS_PAUSE_ON_* bits; 0: off)
    char pause_why[64];     // why it paused itself (driver_pause_why), or ""
    // An evaluation in progress (eval_total > 0, from its first block until
    // the step that ran it returns, so also between the two models'): the
    // worker is evaluating model eval_model and has done eval_done of
    // eval_total queries; the rest of the view is from before it. Published as it goes, so that the
    // interface keeps drawing through a long evaluation.
    int eval_model, eval_done, eval_total;
    char log_error[320];    // set once writing --log failed: "FILE: write failed: REASON"
} ts_runner_view;

typedef struct {
    const char *script;     // --script "STEP:KEYS,...", or NULL
    const char *log_path;   // --log FILE (JSON lines, as headless), or NULL
    int start_paused;       // begin paused (tests)
    const ts_watch_opts *watch;  // attach to these runs' dumps instead of training (or NULL)
    int publish_ms;         // at most one publication per this many ms while
                            // running (0: the default, 20 ms); a key always
                            // publishes at once
    long pause_at;          // --steps given: pause there once (the last frame kept); 0: never
    int speed;              // --speed: steps/s (TS_PACE_FULL, 0: as fast as it can); the
                            // worker sleeps between steps, woken at once by a command
    unsigned pause_on;      // --pause-on: TS_PAUSE_ON_* (driver.h)
    const ts_lesson *lesson;  // --lesson (must outlive the runner), or NULL
    int lesson_auto;        // --auto: a lesson's wait or pause holds TS_LESSON_HOLD_S
                            // seconds, then goes on by itself
} ts_runner_opts;

typedef struct ts_runner ts_runner;

// Builds the session (owned by the runner from here on), parses the script
// and opens the log (writing the config line). Nothing runs yet. Returns 0,
// or -1 with a one-line message in err (bad script, unwritable log, a
// configuration the data cannot batch).
int runner_create(ts_runner **out, const ts_config *cfg, const ts_dataset *train,
                  const ts_dataset *test, const char *data_name,
                  const ts_runner_opts *opts, ts_error *err);
// Starts the worker thread (with every signal blocked in it but the faults
// SIGSEGV, SIGBUS, SIGFPE and SIGILL, so signals reach the interface thread
// while a fault in the worker still runs the process's handler). Returns 0,
// or -1 with err filled.
int runner_start(ts_runner *r, ts_error *err);
// Queues a command for the worker (any thread). Returns 0, or -1 when the
// queue is full (the command is dropped).
int runner_command(ts_runner *r, ts_command c);
// Copies the latest publication into out if it is newer than *seen (then
// updates *seen) and returns 1; returns 0 and leaves out alone otherwise.
int runner_view(ts_runner *r, ts_runner_view *out, long *seen);
// Stops the worker (after the step it is in) and joins it. Idempotent.
void runner_stop(ts_runner *r);
// Stops, writes the summary line to the log and closes it, frees the session.
// Returns 0, or -1 if the log could not be written (err: "--log FILE: write
// failed: REASON", the first failed write's errno).
int runner_free(ts_runner *r, ts_error *err);

#endif
