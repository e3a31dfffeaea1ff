// headless.c: training without the interface; every figure as a JSON line.
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "tripletscope/clock.h"
#include "tripletscope/file.h"
#include "tripletscope/blas.h"
#include "tripletscope/report.h"
#include "tripletscope/script.h"

// Where the JSON lines go, and how an error names it: "stdout", "--log FILE".
typedef struct {
    FILE *f;
    const char *flag;   // "--log", or NULL for stdout
    const char *path;
} sink;

typedef struct {
    sink out, log;      // log.f is NULL without --log
    int failed;         // a write failed (and was reported): the run ends
} sinks;

// The errno of a call that failed; EIO if it left none.
static int failure(void) { return errno ? errno : EIO; }

static void write_failed(const sink *k, int e) {
    fprintf(stderr, "tripletscope: %s%s%s: write failed: %s\n", k->flag ? k->flag : "",
            k->flag ? " " : "", k->path, strerror(e));
}

// Writes line and a newline, flushed, so a reader sees every line as it is
// made; returns 0, or the errno of the call that failed.
static int write_line(FILE *f, const char *line) {
    errno = 0;
    if (fputs(line, f) == EOF || fputc('\n', f) == EOF || fflush(f) == EOF) return failure();
    return 0;
}

// The session's output. After the first failure nothing more is written
// anywhere: the run is ending, and the one error line is out.
static void emit_line(void *ctx, const char *line) {
    sinks *k = ctx;
    sink *each[] = {&k->out, &k->log};
    for (size_t i = 0; i < sizeof each / sizeof each[0] && !k->failed; i++) {
        int e = each[i]->f ? write_line(each[i]->f, line) : 0;
        if (e) {
            write_failed(each[i], e);
            k->failed = 1;
        }
    }
}

// --- A long evaluation's progress, on stderr ----------------------------------

// An evaluation shows how it goes once it has run this long, then at most
// once per interval (stdout keeps only the JSON lines).
#define PROGRESS_AFTER 2.0
#define PROGRESS_EVERY 5.0

typedef struct {
    const ts_session *s;
    int tag, done;          // the evaluation in progress: model and queries so far
    double start, shown;    // when it began, when it last printed (0: not yet)
} progress;

static void on_progress(void *ctx, int tag, int done, int total) {
    progress *p = ctx;
    double now = clock_now();
    if (tag != p->tag || done < p->done) {   // a new evaluation
        p->tag = tag;
        p->start = now;
        p->shown = 0;
    }
    p->done = done;
    if (now - p->start < PROGRESS_AFTER || (p->shown > 0 && now - p->shown < PROGRESS_EVERY))
        return;
    p->shown = now;
    fprintf(stderr, "tripletscope: step %ld: evaluating the %s model: %d of %d held-out queries "
            "(%.0f s; --eval-size sets how many)\n", p->s->step, model_name((ts_model_kind)tag),
            done, total, now - p->start);
}

// What pressing the script's keys due at a step asks of the run.
typedef enum { PRESS_GO, PRESS_QUIT, PRESS_FAILED } press_result;

// A refused key is a warning (the run goes on, as the interface shows a
// notice); a failed export is an error: the snapshot asked for is lost.
static press_result refused(const ts_session *s, int key) {
    if (key == 'e') {
        fprintf(stderr, "tripletscope: %s\n", s->notice);
        return PRESS_FAILED;
    }
    fprintf(stderr, "tripletscope: warning: --script at step %ld: %s\n", s->step, s->notice);
    return PRESS_GO;
}

// Presses the script's keys due at this step; stops at a q or a failed export.
static press_result press_due(ts_session *s, ts_script *sc) {
    const char *keys;
    while ((keys = script_due(sc, s->step)))
        for (const char *k = keys; *k; k++) {
            if (*k == 'q') return PRESS_QUIT;
            // The interface's own keys (space . ? v) return 0 here: nothing to do.
            if (session_key(s, (unsigned char)*k) < 0 &&
                refused(s, (unsigned char)*k) == PRESS_FAILED)
                return PRESS_FAILED;
        }
    return PRESS_GO;
}

static int dump_projection(const ts_session *s, const char *path, ts_error *err) {
    FILE *f = file_create(path);
    if (!f)
        return ts_fail(err, "--dump-projection %s: cannot open for writing: %s", path,
                       file_error(errno));
    int e = 0;
    errno = 0;
    if (fprintf(f, "x,y,label,model\n") < 0) e = failure();
    for (int k = 0; k < MODEL_COUNT && !e; k++) {
        const ts_model *m = &s->model[k];
        if (!m->enabled || !m->track.have_eval) continue;
        for (int i = 0; i < s->n_proj && !e; i++)
            if (fprintf(f, "%.6g,%.6g,%d,%s\n", m->proj[2 * i], m->proj[2 * i + 1],
                        s->proj_y[i], model_name(m->kind)) < 0)
                e = failure();
    }
    errno = 0;
    if (fclose(f) != 0 && !e) e = failure();
    if (e) return ts_fail(err, "--dump-projection %s: write failed: %s", path, strerror(e));
    return 0;
}

// Trains until --steps, a script's q or failed export, a divergence, or a
// failed write; returns the steps run and sets *status (2 on an error).
static long train(ts_session *s, ts_script *script, const sinks *k, long steps, int *status) {
    long run = 0;
    press_result p = press_due(s, script);
    while (p == PRESS_GO && !k->failed && s->step < steps) {
        if (session_step(s)) break;
        run++;
        if (s->diverged) break;   // the finding is out; the summary follows
        p = press_due(s, script);
    }
    if (p == PRESS_FAILED) *status = 2;
    return run;
}

// After the run: the last evaluation, the projection and the summary.
static int finish(ts_cli *cli, ts_session *s, sinks *k, long run, double seconds) {
    int status = 0;
    // The last step was evaluated already when it fell on the schedule.
    int due = s->cfg.eval_every == 0 || s->step % s->cfg.eval_every != 0;
    if (!s->diverged && due && s->step > 0) session_evaluate(s);
    ts_error err;
    if (!k->failed && cli->dump_projection && dump_projection(s, cli->dump_projection, &err)) {
        fprintf(stderr, "tripletscope: %s\n", err.msg);
        status = 2;
    }
    report_summary(s->line, TS_LINE_MAX, run, seconds);
    emit_line(k, s->line);
    return status;
}

// Closes the log; a failure not yet reported is reported now.
static int close_log(sinks *k) {
    if (!k->log.f) return 0;
    errno = 0;
    int bad = fclose(k->log.f) != 0;
    k->log.f = NULL;
    if (bad && !k->failed) {
        write_failed(&k->log, failure());
        k->failed = 1;
    }
    return k->failed ? 2 : 0;
}

int run_headless(ts_cli *cli, const ts_dataset *train_set, const ts_dataset *test,
                 const char *name) {
    ts_error err;
    ts_script script;
    if (script_parse(cli->script, &script, &err)) {
        fprintf(stderr, "tripletscope: %s\n", err.msg);
        return 2;
    }
    // A file size limit makes writes fail with EFBIG, reported like any
    // failed write, instead of killing the run silently. SIGPIPE keeps its
    // default: piped into head, the run ends quietly as any filter does.
    signal(SIGXFSZ, SIG_IGN);
    sinks k = {.out = {stdout, NULL, "stdout"}, .log = {NULL, "--log", cli->log_path}};
    if (cli->log_path && !(k.log.f = file_create(cli->log_path))) {
        fprintf(stderr, "tripletscope: --log %s: cannot open for writing: %s\n", cli->log_path,
                file_error(errno));
        script_free(&script);
        return 2;
    }
    ts_session *s;
    if (session_create(&s, &cli->cfg, train_set, test, name, &err)) {
        fprintf(stderr, "tripletscope: %s\n", err.msg);
        close_log(&k);
        script_free(&script);
        return 2;
    }
    blas_set_threads(cli->cfg.threads);
    session_set_output(s, emit_line, &k);
    progress prog = {s, -1, 0, 0, 0};
    session_set_progress(s, on_progress, &prog);
    session_emit_config(s);

    double t0 = clock_now();
    int status = 0;
    long run = train(s, &script, &k, cli->cfg.steps, &status);
    // A failed write ends the run at once: no evaluation, projection or
    // summary after it.
    if (!k.failed && finish(cli, s, &k, run, clock_now() - t0)) status = 2;
    session_free(s);
    script_free(&script);
    if (close_log(&k) || k.failed) status = 2;
    return status;
}

int cli_load_data(ts_cli *cli, ts_dataset *train, ts_dataset *test, char *name,
                  size_t name_len, ts_error *err) {
    return data_load(&cli->data, train, test, name, name_len, err);
}
