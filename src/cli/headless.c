// headless.c: training without the interface; every figure as a JSON line.
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "cli.h"
#include "tripletscope/clock.h"
#include "tripletscope/file.h"
#include "tripletscope/blas.h"
#include "tripletscope/driver.h"

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

// The driver's output. After the first failure nothing more is written
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
    const ts_driver *d;
    int both;               // the models evaluate at once: one progress for both
    int tag, done;          // the evaluation in progress: model and queries so far
    double start, shown;    // when it began, when it last printed (0: not yet)
} progress;

static void on_progress(void *ctx, int tag, int done, int total) {
    progress *p = ctx;
    double now = clock_now();
    // Both at once: the Siamese model's count starts each evaluation, the
    // triplet model's only goes on with it.
    int starts = p->tag < 0 ||
                 (p->both ? tag == MODEL_SIAMESE && done < p->done : tag != p->tag || done < p->done);
    if (starts) {   // a new evaluation
        p->tag = tag;
        p->start = now;
        p->shown = 0;
    }
    if (!p->both || tag == MODEL_SIAMESE) p->done = done;
    if (now - p->start < PROGRESS_AFTER || (p->shown > 0 && now - p->shown < PROGRESS_EVERY))
        return;
    p->shown = now;
    char what[32];
    if (p->both) snprintf(what, sizeof what, "both models");
    else snprintf(what, sizeof what, "the %s model", model_name((ts_model_kind)tag));
    fprintf(stderr, "tripletscope: step %ld: evaluating %s: %d of %d held-out queries "
            "(%.0f s; --eval-size sets how many)\n", driver_step_count(p->d), what, done, total,
            now - p->start);
}

// A refused command is a warning (the run goes on, as the interface shows a
// notice); a failed export is an error: the snapshot asked for is lost.
static int refused(void *ctx, ts_command c, long step, const char *why) {
    (void)ctx;
    if (c == CMD_EXPORT) {
        fprintf(stderr, "tripletscope: %s\n", why);
        return 1;
    }
    fprintf(stderr, "tripletscope: warning: --script at step %ld: %s\n", step, why);
    return 0;
}

// The last projection of every model, as CSV (x,y,label,model).
static int dump_projection(const ts_snapshot *sn, const char *path, ts_error *err) {
    FILE *f = file_create(path);
    if (!f)
        return ts_fail(err, "--dump-projection %s: cannot open for writing: %s", path,
                       file_error(errno));
    int e = 0;
    errno = 0;
    if (fprintf(f, "x,y,label,model\n") < 0) e = failure();
    for (int k = 0; k < MODEL_COUNT && !e; k++) {
        const ts_model_view *m = &sn->model[k];
        if (!m->enabled || !m->have_eval) continue;
        for (int i = 0; i < m->n_proj && !e; i++)
            if (fprintf(f, "%.6g,%.6g,%d,%s\n", m->proj[2 * i], m->proj[2 * i + 1],
                        m->proj_y[i], model_name(m->kind)) < 0)
                e = failure();
    }
    errno = 0;
    if (fclose(f) != 0 && !e) e = failure();
    if (e) return ts_fail(err, "--dump-projection %s: write failed: %s", path, strerror(e));
    return 0;
}

// After the run: the last evaluation and the summary, then the projection.
static int finish(ts_cli *cli, ts_driver *d, sinks *k, double seconds) {
    int status = 0;
    driver_finish(d, seconds);
    ts_error err;
    if (!k->failed && cli->dump_projection) {
        ts_snapshot *sn = malloc(sizeof *sn);
        if (!sn) {
            fprintf(stderr, "tripletscope: --dump-projection %s: out of memory\n", cli->dump_projection);
            return 2;
        }
        driver_snapshot(d, sn);
        if (dump_projection(sn, cli->dump_projection, &err)) {
            fprintf(stderr, "tripletscope: %s\n", err.msg);
            status = 2;
        }
        free(sn);
    }
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

// Following a watched run, Ctrl-C (or SIGTERM) ends it as the last dump
// would: the summary still comes.
static volatile sig_atomic_t stop_signal;
static void on_stop(int sig) { stop_signal = sig; }

static void wait_for_dumps(const ts_cli *cli) {
    int ms = cli->watch.poll_ms > 0 ? cli->watch.poll_ms : 200;
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

int run_headless(ts_cli *cli, const ts_dataset *train_set, const ts_dataset *test,
                 const char *name) {
    ts_error err;
    // A file size limit makes writes fail with EFBIG, reported like any
    // failed write, instead of killing the run silently. SIGPIPE keeps its
    // default: piped into head, the run ends quietly as any filter does.
    signal(SIGXFSZ, SIG_IGN);
    if (cli->watch.n_dirs && cli->watch.follow) {
        signal(SIGINT, on_stop);
        signal(SIGTERM, on_stop);
    }
    sinks k = {.out = {stdout, NULL, "stdout"}, .log = {NULL, "--log", cli->log_path}};
    ts_driver_opts opts = {.script = cli->script, .stop_at = cli->cfg.steps, .final_eval = 1,
                           .lesson = cli->lesson};
    ts_driver *d;
    // The script is checked before the log is opened: a bad one leaves no file.
    ts_source_spec spec = {&cli->cfg, train_set, test, name, cli->watch.n_dirs ? &cli->watch : NULL};
    if (driver_create(&d, &spec, &opts, &err)) {
        fprintf(stderr, "tripletscope: %s\n", err.msg);
        return 2;
    }
    if (cli->log_path && !(k.log.f = file_create(cli->log_path))) {
        fprintf(stderr, "tripletscope: --log %s: cannot open for writing: %s\n", cli->log_path,
                file_error(errno));
        driver_free(d);
        return 2;
    }
    blas_set_threads(config_blas_threads(&cli->cfg));
    ts_driver_output out = {emit_line, refused, &k};
    driver_set_output(d, &out);
    progress prog = {d, config_concurrent(&cli->cfg), -1, 0, 0, 0};
    driver_set_progress(d, on_progress, &prog);

    driver_begin(d);
    double t0 = clock_now();
    while (driver_running(d) && !k.failed && !stop_signal) {
        driver_step(d);
        if (driver_waiting(d)) wait_for_dumps(cli);
    }
    int status = 0;
    // A failed write ends the run at once: no evaluation, projection or
    // summary after it.
    if (!k.failed && finish(cli, d, &k, clock_now() - t0)) status = 2;
    if (driver_failed(d)) status = 2;   // after finish: its evaluation's --dump may fail
    driver_free(d);
    if (close_log(&k) || k.failed) status = 2;
    return status;
}

int cli_load_data(ts_cli *cli, ts_dataset *train, ts_dataset *test, char *name,
                  size_t name_len, ts_error *err) {
    return data_load(&cli->data, train, test, name, name_len, err);
}
