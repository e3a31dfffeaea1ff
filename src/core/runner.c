// runner.c: the worker thread that owns a driver, its command queue, the
// double-buffered snapshot and --log.
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "tripletscope/clock.h"
#include "tripletscope/file.h"
#include "tripletscope/driver.h"
#include "tripletscope/pace.h"
#include "tripletscope/runner.h"

#define COMMAND_QUEUE 64        // commands given faster than steps run wait here
#define RATE_SAMPLES 128    // publications remembered for steps/s (>= 1 s of them)
#define RATE_WINDOW 1.0     // seconds
#define WATCH_POLL_MS 100   // a followed run is listed again this often while nothing is new

struct ts_runner {
    ts_driver *d;                   // touched only by the worker once started
    FILE *log;
    char *log_path;                 // a copy: the caller's string may go
    int log_errno;                  // the first failed write's errno, or 0
    int publish_ms;

    pthread_t thread;
    int started;
    pthread_mutex_t mu;             // guards everything below
    pthread_cond_t cv;              // signalled on a command and on quit
    int quit;
    ts_command queue[COMMAND_QUEUE]; // commands given, not yet carried out
    int nqueued;
    ts_runner_view *front, *back;   // front: the latest publication
    ts_runner_view buf[2];

    // Worker-only state.
    long version;
    double last_publish;
    double rate;
    struct { double t; long steps; } samples[RATE_SAMPLES];
    int nsamples, sample_head;
    double t_start;
    double last_step;      // when the last step started (< 0: none yet), for the pace
    double hold_until;     // --auto: when the lesson's hold ends (0: no hold seen)
    int eval_model, eval_done, eval_total;   // the evaluation in progress (total 0: none)
};

// --- Log output ---------------------------------------------------------------

// The driver's JSON lines go to the log, as headless writes them (no stdout).
// The interface goes on after a failed write (it shows it, and the exit
// status says it), so only the first failure's errno is kept.
static void emit_to_log(void *ctx, const char *line) {
    ts_runner *r = ctx;
    if (!r->log) return;
    errno = 0;
    if ((fputs(line, r->log) == EOF || fputc('\n', r->log) == EOF || fflush(r->log) == EOF) &&
        !r->log_errno)
        r->log_errno = errno ? errno : EIO;
}

// --- Publishing ---------------------------------------------------------------

// Steps per second over the last RATE_WINDOW seconds of publications.
static void rate_sample(ts_runner *r, double t) {
    if (driver_paused(r->d)) {
        r->nsamples = 0;
        r->rate = 0;
        return;
    }
    long steps = driver_step_count(r->d);
    r->samples[r->sample_head].t = t;
    r->samples[r->sample_head].steps = steps;
    r->sample_head = (r->sample_head + 1) % RATE_SAMPLES;
    if (r->nsamples < RATE_SAMPLES) r->nsamples++;
    // The oldest sample still inside the window (or the oldest there is).
    int newest = (r->sample_head + RATE_SAMPLES - 1) % RATE_SAMPLES, oldest = newest;
    for (int i = 1; i < r->nsamples; i++) {
        int j = (newest + RATE_SAMPLES - i) % RATE_SAMPLES;
        oldest = j;
        if (t - r->samples[j].t >= RATE_WINDOW) break;
    }
    double dt = t - r->samples[oldest].t;
    if (dt > 0.05) r->rate = (steps - r->samples[oldest].steps) / dt;
}

// Swaps the back buffer, filled without the lock (the interface only reads
// the front one), with the front one under it.
static void swap(ts_runner *r, ts_runner_view *v, double t) {
    pthread_mutex_lock(&r->mu);
    r->back = r->front;
    r->front = v;
    pthread_mutex_unlock(&r->mu);
    // The new back buffer keeps an older log_error: carry it forward.
    memcpy(r->back->log_error, v->log_error, sizeof v->log_error);
    r->last_publish = t;
}

// The evaluation's progress, told after every block of queries by the
// worker itself: the last view again with the progress, at most once per
// publish_ms, so frames keep coming while the numbers cannot change.
static void on_progress(void *ctx, int model, int done, int total) {
    ts_runner *r = ctx;
    r->eval_model = model;
    r->eval_done = done;
    r->eval_total = total;   // until the step returns: between two models' too
    double t = clock_now();
    if ((t - r->last_publish) * 1000.0 < r->publish_ms) return;
    ts_runner_view *v = r->back;
    memcpy(v, r->front, sizeof *v);   // only this thread writes the buffers
    v->version = ++r->version;
    v->eval_model = r->eval_model;
    v->eval_done = r->eval_done;
    v->eval_total = r->eval_total;
    swap(r, v, t);
}

// Fills the back buffer without the lock, then swaps it in.
static void publish(ts_runner *r) {
    double t = clock_now();
    rate_sample(r, t);
    ts_runner_view *v = r->back;
    driver_snapshot(r->d, &v->snap);
    r->eval_total = 0;   // a step's evaluation is over when the step returns
    v->eval_model = v->eval_done = v->eval_total = 0;
    v->version = ++r->version;
    v->running = !driver_paused(r->d);
    v->auto_paused = driver_paused(r->d) && v->snap.diverged;
    v->quit = driver_quit(r->d);
    v->steps_per_s = r->rate;
    v->speed = driver_speed(r->d);
    v->pause_on = driver_pause_on(r->d);
    snprintf(v->pause_why, sizeof v->pause_why, "%s", driver_pause_why(r->d));
    if (r->log_errno && !v->log_error[0])
        snprintf(v->log_error, sizeof v->log_error, "%s: write failed: %s", r->log_path,
                 strerror(r->log_errno));
    swap(r, v, t);
}

// --- The worker ---------------------------------------------------------------

// A followed run has nothing new: wait a while for its next dump, or less
// if a key comes first.
static void wait_for_news(ts_runner *r) {
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_nsec += (long)WATCH_POLL_MS * 1000000L;
    until.tv_sec += until.tv_nsec / 1000000000L;
    until.tv_nsec %= 1000000000L;
    pthread_mutex_lock(&r->mu);
    if (!r->quit && r->nqueued == 0) pthread_cond_timedwait(&r->cv, &r->mu, &until);
    pthread_mutex_unlock(&r->mu);
}

// The time now plus s seconds, for pthread_cond_timedwait.
static struct timespec realtime_in(double s) {
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    long ns = (long)(s * 1e9);
    t.tv_sec += ns / 1000000000L;
    t.tv_nsec += ns % 1000000000L;
    t.tv_sec += t.tv_nsec / 1000000000L;
    t.tv_nsec %= 1000000000L;
    return t;
}

static void *worker(void *arg) {
    ts_runner *r = arg;
    ts_command given[COMMAND_QUEUE];
    for (;;) {
        pthread_mutex_lock(&r->mu);
        // --auto: a lesson's wait or pause shows a while, then goes on by
        // itself (a key still acts at once, and may end the hold first).
        if (!driver_lesson_hold(r->d)) r->hold_until = 0;
        else if (!r->quit && r->nqueued == 0) {
            double now = clock_now();
            if (r->hold_until <= 0) r->hold_until = now + TS_LESSON_HOLD_S;
            if (now < r->hold_until) {
                struct timespec until = realtime_in(r->hold_until - now);
                pthread_cond_timedwait(&r->cv, &r->mu, &until);
                pthread_mutex_unlock(&r->mu);
                continue;
            }
            pthread_mutex_unlock(&r->mu);
            r->hold_until = 0;
            driver_lesson_go(r->d);
            publish(r);
            continue;
        }
        while (!r->quit && r->nqueued == 0 && (driver_paused(r->d) || !driver_running(r->d)))
            pthread_cond_wait(&r->cv, &r->mu);
        if (r->quit) {
            pthread_mutex_unlock(&r->mu);
            break;
        }
        // The pace: sleep until the next step is due, unless a command
        // comes first (it is carried out at once, and the wait goes on).
        double wait = pace_wait(driver_speed(r->d), r->last_step, clock_now());
        if (wait > 0 && r->nqueued == 0) {
            struct timespec until = realtime_in(wait);
            pthread_cond_timedwait(&r->cv, &r->mu, &until);
            pthread_mutex_unlock(&r->mu);
            continue;
        }
        int n = r->nqueued;
        memcpy(given, r->queue, sizeof(ts_command) * (size_t)n);
        r->nqueued = 0;
        pthread_mutex_unlock(&r->mu);

        for (int i = 0; i < n; i++) driver_command(r->d, given[i]);
        if (n) r->hold_until = 0;   // a key given: a lesson's hold (--auto) shows its time again
        int stepped = 0;
        double t = clock_now();
        if (pace_wait(driver_speed(r->d), r->last_step, t) <= 0) {
            stepped = driver_step(r->d);
            if (stepped) r->last_step = t;
        }
        if (n || !stepped || driver_paused(r->d) || !driver_running(r->d) ||
            (clock_now() - r->last_publish) * 1000.0 >= r->publish_ms)
            publish(r);
        if (driver_waiting(r->d)) wait_for_news(r);
    }
    publish(r);
    return NULL;
}

// --- Lifetime -----------------------------------------------------------------

int runner_create(ts_runner **out, const ts_config *cfg, const ts_dataset *train,
                  const ts_dataset *test, const char *data_name,
                  const ts_runner_opts *opts, ts_error *err) {
    *out = NULL;
    ts_runner *r = calloc(1, sizeof *r);
    if (!r) return ts_fail(err, "out of memory");
    // The interface trains until it quits: --steps (pause_at) pauses it there once.
    ts_driver_opts dopts = {.script = opts ? opts->script : NULL, .stop_at = -1,
                            .interactive = 1, .start_paused = opts && opts->start_paused};
    if (opts) {
        dopts.pause_at = opts->pause_at;
        dopts.speed = opts->speed;
        dopts.pause_on = opts->pause_on;
        dopts.lesson = opts->lesson;
        dopts.lesson_auto = opts->lesson_auto;
    }
    ts_source_spec spec = {cfg, train, test, data_name, opts ? opts->watch : NULL};
    if (driver_create(&r->d, &spec, &dopts, err)) {
        free(r);
        return -1;
    }
    if (opts && opts->log_path) {
        if (!(r->log = file_create(opts->log_path)) || !(r->log_path = strdup(opts->log_path))) {
            ts_fail(err, "--log %s: cannot open for writing: %s", opts->log_path,
                    file_error(errno));
            if (r->log) fclose(r->log);
            driver_free(r->d);
            free(r);
            return -1;
        }
    }
    r->publish_ms = opts && opts->publish_ms > 0 ? opts->publish_ms : 20;
    r->last_step = -1;
    r->front = &r->buf[0];
    r->back = &r->buf[1];
    pthread_mutex_init(&r->mu, NULL);
    pthread_cond_init(&r->cv, NULL);
    ts_driver_output lines = {r->log ? emit_to_log : NULL, NULL, r};
    driver_set_output(r->d, &lines);
    driver_set_progress(r->d, on_progress, r);
    driver_begin(r->d);               // the config line, the script's step-0 commands
    publish(r);                       // a first view before the worker runs
    *out = r;
    return 0;
}

int runner_start(ts_runner *r, ts_error *err) {
    // Every signal a process receives goes to the interface thread, which
    // only notes it. The faults are the exception: raised by the worker's own
    // instruction, they must reach it (blocked, Linux kills the process
    // without running the handler that restores the terminal).
    static const int faults[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL};
    sigset_t all, old;
    sigfillset(&all);
    for (size_t i = 0; i < sizeof faults / sizeof faults[0]; i++) sigdelset(&all, faults[i]);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    r->t_start = clock_now();
    int rc = pthread_create(&r->thread, NULL, worker, r);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc) return ts_fail(err, "cannot start the training thread");
    r->started = 1;
    return 0;
}

int runner_command(ts_runner *r, ts_command c) {
    int ok = -1;
    pthread_mutex_lock(&r->mu);
    if (r->nqueued < COMMAND_QUEUE) {
        r->queue[r->nqueued++] = c;
        ok = 0;
    }
    pthread_cond_signal(&r->cv);
    pthread_mutex_unlock(&r->mu);
    return ok;
}

int runner_view(ts_runner *r, ts_runner_view *out, long *seen) {
    int fresh = 0;
    pthread_mutex_lock(&r->mu);
    if (r->front->version != *seen) {
        memcpy(out, r->front, sizeof *out);
        *seen = out->version;
        fresh = 1;
    }
    pthread_mutex_unlock(&r->mu);
    return fresh;
}

void runner_stop(ts_runner *r) {
    if (!r || !r->started) return;
    pthread_mutex_lock(&r->mu);
    r->quit = 1;
    pthread_cond_signal(&r->cv);
    pthread_mutex_unlock(&r->mu);
    pthread_join(r->thread, NULL);
    r->started = 0;
}

int runner_free(ts_runner *r, ts_error *err) {
    if (!r) return 0;
    runner_stop(r);
    int status = 0;
    if (r->log) {
        driver_finish(r->d, r->t_start > 0 ? clock_now() - r->t_start : 0);
        errno = 0;
        if (fclose(r->log) != 0 && !r->log_errno) r->log_errno = errno ? errno : EIO;
        if (r->log_errno)
            status = ts_fail(err, "--log %s: write failed: %s", r->log_path,
                             strerror(r->log_errno));
        free(r->log_path);
    }
    driver_free(r->d);
    pthread_mutex_destroy(&r->mu);
    pthread_cond_destroy(&r->cv);
    free(r);
    return status;
}
