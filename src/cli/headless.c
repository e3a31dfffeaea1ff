// headless.c: training without the interface; every figure as a JSON line.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "tripletscope/clock.h"
#include "tripletscope/blas.h"
#include "tripletscope/report.h"
#include "tripletscope/script.h"

typedef struct {
    FILE *out;   // stdout
    FILE *log;   // --log, or NULL
} sinks;

static void emit_line(void *ctx, const char *line) {
    sinks *k = ctx;
    fputs(line, k->out);
    fputc('\n', k->out);
    fflush(k->out);
    if (k->log) {
        fputs(line, k->log);
        fputc('\n', k->log);
        fflush(k->log);
    }
}

// Presses the script's keys due at this step; returns 1 if one of them quits.
static int press_due(ts_session *s, ts_script *sc) {
    const char *keys;
    while ((keys = script_due(sc, s->step)))
        for (const char *k = keys; *k; k++) {
            if (*k == 'q') return 1;
            session_key(s, (unsigned char)*k);   // interface-only keys do nothing here
        }
    return 0;
}

static int dump_projection(const ts_session *s, const char *path, ts_error *err) {
    FILE *f = fopen(path, "w");
    if (!f) return ts_fail(err, "%s: cannot write the projection", path);
    fprintf(f, "x,y,label,model\n");
    for (int k = 0; k < MODEL_COUNT; k++) {
        const ts_model *m = &s->model[k];
        if (!m->enabled || !m->have_eval) continue;
        for (int i = 0; i < s->n_proj; i++)
            fprintf(f, "%.6g,%.6g,%d,%s\n", m->proj[2 * i], m->proj[2 * i + 1], s->proj_y[i],
                    model_name(m->kind));
    }
    if (fclose(f) != 0) return ts_fail(err, "%s: cannot write the projection", path);
    return 0;
}

int run_headless(ts_cli *cli, const ts_dataset *train, const ts_dataset *test,
                 const char *name) {
    ts_error err;
    ts_script script;
    if (script_parse(cli->script, &script, &err)) {
        fprintf(stderr, "tripletscope: %s\n", err.msg);
        return 2;
    }
    sinks k = {stdout, NULL};
    if (cli->log_path && !(k.log = fopen(cli->log_path, "w"))) {
        fprintf(stderr, "tripletscope: %s: cannot open the log for writing\n", cli->log_path);
        script_free(&script);
        return 2;
    }
    ts_session *s;
    if (session_create(&s, &cli->cfg, train, test, name, &err)) {
        fprintf(stderr, "tripletscope: %s\n", err.msg);
        if (k.log) fclose(k.log);
        script_free(&script);
        return 2;
    }
    blas_set_threads(cli->cfg.threads);
    session_set_output(s, emit_line, &k);
    session_emit_config(s);

    double t0 = clock_now();
    long run = 0;
    int quit = press_due(s, &script);
    while (!quit && s->step < cli->cfg.steps) {
        if (session_step(s)) break;
        run++;
        if (s->diverged) break;   // the finding is out; the summary follows
        quit = press_due(s, &script);
    }
    double seconds = clock_now() - t0;
    // The last step was evaluated already when it fell on the schedule.
    int due = s->cfg.eval_every == 0 || s->step % s->cfg.eval_every != 0;
    if (!s->diverged && due && s->step > 0) session_evaluate(s);

    int status = 0;
    if (cli->dump_projection && dump_projection(s, cli->dump_projection, &err)) {
        fprintf(stderr, "tripletscope: %s\n", err.msg);
        status = 2;
    }
    report_summary(s->line, TS_LINE_MAX, run, seconds);
    emit_line(&k, s->line);
    session_free(s);
    script_free(&script);
    if (k.log && fclose(k.log) != 0) {
        fprintf(stderr, "tripletscope: %s: write failed\n", cli->log_path);
        status = 2;
    }
    return status;
}

int cli_load_data(ts_cli *cli, ts_dataset *train, ts_dataset *test, char *name,
                  size_t name_len, ts_error *err) {
    return data_load(&cli->data, train, test, name, name_len, err);
}
