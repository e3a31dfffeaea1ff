// runner.c: the worker thread that owns a session, its key queue, the
// double-buffered snapshot, --script and --log.
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tripletscope/clock.h"
#include "tripletscope/file.h"
#include "tripletscope/report.h"
#include "tripletscope/runner.h"
#include "tripletscope/script.h"

#define KEY_QUEUE 64        // keys pressed faster than steps run wait here
#define SCRIPT_QUEUE 256    // script keys due after a step, before the next
#define RATE_SAMPLES 128    // publications remembered for steps/s (>= 1 s of them)
#define RATE_WINDOW 1.0     // seconds

struct ts_runner {
    ts_session *s;                  // touched only by the worker once started
    ts_script script;
    FILE *log;
    char *log_path;                 // a copy: the caller's string may go
    int log_errno;                  // the first failed write's errno, or 0
    int publish_ms;

    pthread_t thread;
    int started;
    pthread_mutex_t mu;             // guards everything below
    pthread_cond_t cv;              // signalled on a key and on quit
    int quit;
    int paused;                     // written by the worker only (under mu)
    int keys[KEY_QUEUE];
    int nkeys;
    ts_runner_view *front, *back;   // front: the latest publication
    ts_runner_view buf[2];

    // Worker-only state.
    int pending[SCRIPT_QUEUE];      // script keys waiting to be applied
    int npending;
    int auto_paused, script_quit;
    long steps_run;
    long version;
    double last_publish;
    double rate;
    struct { double t; long steps; } samples[RATE_SAMPLES];
    int nsamples, sample_head;
    double t_start;
};

// --- Log output ---------------------------------------------------------------

// The session's JSON lines go to the log, as headless writes them (no stdout).
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
    if (r->paused) {
        r->nsamples = 0;
        r->rate = 0;
        return;
    }
    r->samples[r->sample_head].t = t;
    r->samples[r->sample_head].steps = r->steps_run;
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
    if (dt > 0.05) r->rate = (r->steps_run - r->samples[oldest].steps) / dt;
}

// Fills the back buffer without the lock (the interface only reads the
// front one), then swaps the two under it.
static void publish(ts_runner *r) {
    double t = clock_now();
    rate_sample(r, t);
    ts_runner_view *v = r->back;
    session_snapshot(r->s, &v->snap);
    v->version = ++r->version;
    v->running = !r->paused;
    v->auto_paused = r->auto_paused;
    v->quit = r->script_quit;
    v->steps_per_s = r->rate;
    if (r->log_errno && !v->log_error[0])
        snprintf(v->log_error, sizeof v->log_error, "%s: write failed: %s", r->log_path,
                 strerror(r->log_errno));
    pthread_mutex_lock(&r->mu);
    r->back = r->front;
    r->front = v;
    pthread_mutex_unlock(&r->mu);
    // The new back buffer keeps an older log_error: carry it forward.
    memcpy(r->back->log_error, v->log_error, sizeof v->log_error);
    r->last_publish = t;
}

// --- Stepping and keys --------------------------------------------------------

static void set_paused(ts_runner *r, int paused) {
    pthread_mutex_lock(&r->mu);
    r->paused = paused;
    pthread_mutex_unlock(&r->mu);
}

// Queues the script's keys due at the current step (headless's press_due).
static void queue_script(ts_runner *r) {
    const char *keys;
    while ((keys = script_due(&r->script, r->s->step)))
        for (const char *k = keys; *k && r->npending < SCRIPT_QUEUE; k++)
            r->pending[r->npending++] = (unsigned char)*k;
}

// 1 if a model's last step had a NaN or Inf loss or mean norm (the session's
// divergence); 0 if the run stopped on a finite loss that exploded (the
// diagnosis engine's).
static int step_nonfinite(const ts_session *s) {
    for (int k = 0; k < MODEL_COUNT; k++) {
        const ts_stepstats *st = s->model[k].enabled ? session_recent(s, (ts_model_kind)k, 0) : NULL;
        if (st && (!isfinite(st->loss) || !isfinite(st->norm.mean))) return 1;
    }
    return 0;
}

static void step_once(ts_runner *r) {
    ts_session *s = r->s;
    if (session_step(s)) {          // refused: the run diverged before
        r->auto_paused = 1;
        set_paused(r, 1);
        return;
    }
    r->steps_run++;
    if (s->diverged) {
        r->auto_paused = 1;
        set_paused(r, 1);
        session_notice(s, "%s: paused; press [ (lr /2) until the lr is sane, then r (reset)",
                       step_nonfinite(s) ? "the loss or embeddings became NaN or Inf"
                                         : "the loss exploded (still finite)");
    }
    queue_script(r);
}

// Applies one key between two steps.
static void apply_key(ts_runner *r, int key) {
    ts_session *s = r->s;
    switch (key) {
    case ' ':
        if (r->script_quit) return;   // the front end is on its way out
        if (r->paused && s->diverged) {
            session_notice(s, "the run diverged: press r (or R) to reset before resuming");
            return;
        }
        set_paused(r, !r->paused);
        return;
    case '.':
        if (r->paused && !s->diverged) step_once(r);
        return;
    case 'q':                         // only a script sends q: the front end quits
        r->script_quit = 1;
        set_paused(r, 1);
        return;
    default:
        session_key(s, key);
        // A reset clears a divergence: carry on if that was the only reason
        // for the pause.
        if ((key == 'r' || key == 'R') && r->auto_paused) {
            r->auto_paused = 0;
            set_paused(r, 0);
        }
        return;
    }
}

// Applies the script keys queued so far (applying one may step and queue more).
static int drain_script(ts_runner *r) {
    int applied = 0;
    while (r->npending > 0) {
        int key = r->pending[0];
        memmove(r->pending, r->pending + 1, sizeof(int) * (size_t)--r->npending);
        apply_key(r, key);
        applied = 1;
    }
    return applied;
}

static void *worker(void *arg) {
    ts_runner *r = arg;
    int keys[KEY_QUEUE];
    queue_script(r);                  // keys due at step 0, as headless presses them
    drain_script(r);
    publish(r);
    for (;;) {
        pthread_mutex_lock(&r->mu);
        while (!r->quit && r->paused && r->nkeys == 0 && r->npending == 0)
            pthread_cond_wait(&r->cv, &r->mu);
        if (r->quit) {
            pthread_mutex_unlock(&r->mu);
            break;
        }
        int n = r->nkeys;
        memcpy(keys, r->keys, sizeof(int) * (size_t)n);
        r->nkeys = 0;
        pthread_mutex_unlock(&r->mu);

        // Script keys were due after the last step: they go first.
        int changed = drain_script(r);
        for (int i = 0; i < n; i++) {
            apply_key(r, keys[i]);
            drain_script(r);
            changed = 1;
        }
        if (!r->paused && !r->script_quit) {
            step_once(r);
            changed |= drain_script(r);
        }
        if (changed || r->paused || (clock_now() - r->last_publish) * 1000.0 >= r->publish_ms)
            publish(r);
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
    if (script_parse(opts ? opts->script : NULL, &r->script, err)) {
        free(r);
        return -1;
    }
    if (session_create(&r->s, cfg, train, test, data_name, err)) {
        script_free(&r->script);
        free(r);
        return -1;
    }
    if (opts && opts->log_path) {
        if (!(r->log = file_create(opts->log_path)) || !(r->log_path = strdup(opts->log_path))) {
            ts_fail(err, "--log %s: cannot open for writing: %s", opts->log_path,
                    file_error(errno));
            if (r->log) fclose(r->log);
            session_free(r->s);
            script_free(&r->script);
            free(r);
            return -1;
        }
    }
    r->publish_ms = opts && opts->publish_ms > 0 ? opts->publish_ms : 20;
    r->paused = opts && opts->start_paused;
    r->front = &r->buf[0];
    r->back = &r->buf[1];
    pthread_mutex_init(&r->mu, NULL);
    pthread_cond_init(&r->cv, NULL);
    session_set_output(r->s, r->log ? emit_to_log : NULL, r);
    session_emit_config(r->s);
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

int runner_key(ts_runner *r, int key) {
    int ok = -1;
    pthread_mutex_lock(&r->mu);
    if (r->nkeys < KEY_QUEUE) {
        r->keys[r->nkeys++] = key;
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
        double seconds = r->t_start > 0 ? clock_now() - r->t_start : 0;
        report_summary(r->s->line, TS_LINE_MAX, r->steps_run, seconds);
        emit_to_log(r, r->s->line);
        errno = 0;
        if (fclose(r->log) != 0 && !r->log_errno) r->log_errno = errno ? errno : EIO;
        if (r->log_errno)
            status = ts_fail(err, "--log %s: write failed: %s", r->log_path,
                             strerror(r->log_errno));
        free(r->log_path);
    }
    session_free(r->s);
    script_free(&r->script);
    pthread_mutex_destroy(&r->mu);
    pthread_cond_destroy(&r->cv);
    free(r);
    return status;
}
