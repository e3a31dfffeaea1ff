// driver.c: the schedule of a run: steps, logging, evaluations, the
// diagnosis, commands (the interface's and the script's), the lines.
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tripletscope/diagnose.h"
#include "tripletscope/driver.h"
#include "tripletscope/dump.h"
#include "tripletscope/pace.h"
#include "tripletscope/report.h"
#include "tripletscope/script.h"
#include "tripletscope/session.h"
#include "tripletscope/source.h"
#include "tripletscope/watch.h"

#define PENDING_MAX 256      // script commands due after a step, before the next
#define FINDING_HISTORY 1024 // raise / clear changes the export keeps (the newest)

struct ts_driver {
    ts_source src;               // what produces the measurements
    ts_session *s;               // the trainer, when it is the source (--dump reads it); else NULL
    ts_run_info info;            // what it runs on (the model names of the lines)
    ts_diag *diag;
    ts_script script;
    ts_driver_opts opts;
    ts_driver_output out;
    char *line;                  // (REPORT_LINE_MAX) the line being written
    ts_diag_output *changes;     // the diagnosis' last output
    ts_snapshot *export_snap;    // the export's copy of the run
    ts_diag_change *history;     // (FINDING_HISTORY) ring: change i at history[i % FINDING_HISTORY]
    long n_history;              // changes since the start or the last reset
    ts_command pending[PENDING_MAX];
    int npending;
    int paused, auto_paused;     // auto: paused because the run diverged
    int quit, failed, ended;
    long steps_run;
    long step;                   // the step the source reached
    int waiting;                 // the source has nothing new yet (a followed run)
    char notice[640];            // the last thing a command said (refusal, export path)
    long notice_seq;             // notices so far: a repeated text is still a new notice
    ts_dump *dump;               // --dump, or NULL (none, or stopped)
    float *dump_x;               // (maxB, D) held-out features embedded again for --dump
    int speed;                   // the pace (steps/s; TS_PACE_FULL: none)
    unsigned pause_on;           // the auto-pause bits in force (0: off)
    unsigned pause_on_list;      // what a turns on: --pause-on's list, or both
    int pause_at_done;           // the stop at opts.pause_at happened
    char pause_why[64];          // why it paused itself ("no_positives raised", "--steps 120"),
                                 // "" when a key paused it or it runs
    ts_lesson_run lesson;        // --lesson's runtime (an empty one without a lesson)
    ts_lesson_view lview;        // what the interface shows of it
    int hold_was_paused;         // the run was paused before the lesson's hold ...
    char hold_was_why[64];       // ... and why: a hold's end leaves it so
};

static void notice(ts_driver *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void notice(ts_driver *d, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d->notice, sizeof d->notice, fmt, ap);
    va_end(ap);
    d->notice_seq++;
}

// --- Lines -------------------------------------------------------------------------

static void emit(ts_driver *d) {
    if (d->out.line) d->out.line(d->out.ctx, d->line);
}

static void emit_changes(ts_driver *d) {
    for (int i = 0; i < d->changes->n; i++) {
        const ts_diag_change *c = &d->changes->change[i];
        report_diagnosis(d->line, REPORT_LINE_MAX, &d->info, c->step, &c->f, c->raised);
        emit(d);
        d->history[d->n_history++ % FINDING_HISTORY] = *c;
    }
}

// --- The source ----------------------------------------------------------------------

static const ts_track *track_of(const ts_driver *d, int k) {
    return d->src.ops->track(d->src.self, (ts_model_kind)k);
}

static const ts_config *config_of(const ts_driver *d) {
    return d->src.ops->config(d->src.self);
}

static int src_diverged(const ts_driver *d) { return d->src.ops->diverged(d->src.self); }

// The source's notices: a line each, and the last one on screen.
static void take_notices(ts_driver *d) {
    if (!d->src.ops->take_notice) return;
    const char *m;
    while ((m = d->src.ops->take_notice(d->src.self))) {
        notice(d, "%s", m);
        report_notice(d->line, REPORT_LINE_MAX, d->step, m);
        emit(d);
    }
}

// --- Dumps (--dump DIR: dump.h) -------------------------------------------------------
//
// The raw embeddings, as docs/dump-format.md wants them: a batch's are each
// model's network output (act[L]: the step's backward leaves it as the
// forward wrote it, and nothing embeds again before dump_step); the
// held-out set's are eval_emb when the run does not normalise, else the
// set embedded again (eval_emb holds them normalised). A failed write is a
// notice and dumping stops (the interface goes on); headless it is a failed
// export: the run ends with status 2. A reset stops dumping too: DIR holds
// one run.

static int dump_open(ts_driver *d, ts_error *err) {
    ts_session *s = d->s;
    ts_run_info info;
    session_info(s, &info);
    d->dump_x = malloc(sizeof(float) * (size_t)s->model[0].net.maxB * s->train->D);
    if (!d->dump_x) return ts_fail(err, "--dump: out of memory");
    return dump_create(&d->dump, &s->cfg, &info, err);
}

// Dumping stops; the notice says why, and refused whether the run ends.
static void dump_stop(ts_driver *d, ts_command c, long step) {
    dump_free(d->dump);
    d->dump = NULL;
    if (d->out.refused && d->out.refused(d->out.ctx, c, step, d->notice))
        d->failed = d->ended = 1;
}

static void dump_failed(ts_driver *d, const ts_error *err) {
    notice(d, "%s%s", err->msg, d->opts.interactive ? "; dumping stopped" : "");
    dump_stop(d, CMD_EXPORT, d->s->step);
}

static void dump_reset(ts_driver *d, ts_command c, long step) {
    if (!d->dump) return;
    notice(d, "--dump: dumping stopped at the reset (step %ld): %s holds the run before it",
           step, d->s->cfg.dump_dir);
    dump_stop(d, c, step);
}

static void dump_step(ts_driver *d) {
    ts_session *s = d->s;
    if (!d->dump || !dump_due(d->dump, s->step)) return;
    ts_error err;
    for (int k = 0; k < MODEL_COUNT; k++) {
        const ts_model *m = &s->model[k];
        if (m->enabled && dump_batch(d->dump, m->kind, s->step, m->net.act[m->net.L],
                                     s->batch_idx, s->y, s->cfg.batch, m->track.last.loss,
                                     s->cfg.set.lr, &err)) {
            dump_failed(d, &err);
            return;
        }
    }
}

static int dump_model_eval(ts_driver *d, ts_model *m, ts_error *err) {
    ts_session *s = d->s;
    if (!s->cfg.set.normalize)
        return dump_eval(d->dump, m->kind, s->step, m->eval_emb, s->eval_y, s->n_eval, err);
    if (dump_eval_begin(d->dump, m->kind, s->step, s->n_eval, err)) return -1;
    for (int i0 = 0, ch = m->net.maxB; i0 < s->n_eval; i0 += ch) {
        int c = s->n_eval - i0 < ch ? s->n_eval - i0 : ch;
        data_gather(s->test, s->eval_idx + i0, c, d->dump_x);
        if (dump_eval_rows(d->dump, mlp_forward(&m->net, d->dump_x, c), c, err)) return -1;
    }
    return dump_eval_end(d->dump, s->eval_y, err);
}

static void dump_evals(ts_driver *d) {
    ts_error err;
    for (int k = 0; k < MODEL_COUNT && d->dump; k++)
        if (d->s->model[k].enabled && dump_model_eval(d, &d->s->model[k], &err))
            dump_failed(d, &err);
}

// --- Measuring -----------------------------------------------------------------------

// --pause-on: the first change auto-pause watches for pauses the run and
// names the finding (the notice); the others of the same step are in the
// panel and the log.
static void auto_pause(ts_driver *d) {
    if (!d->opts.interactive || !d->pause_on || d->paused) return;
    for (int i = 0; i < d->changes->n; i++) {
        const ts_diag_change *c = &d->changes->change[i];
        if (c->raised == DIAG_REGRADED) continue;   // neither raised nor cleared
        if (!(d->pause_on & (c->raised ? TS_PAUSE_ON_RAISED : TS_PAUSE_ON_CLEARED))) continue;
        d->paused = 1;
        snprintf(d->pause_why, sizeof d->pause_why, "%s %s", diag_code_name(c->f.code),
                 c->raised ? "raised" : "cleared");
        notice(d, "auto-pause: %s %s at step %ld%s%s (space runs on, a: auto-pause off)",
               diag_code_name(c->f.code), c->raised ? "raised" : "cleared", c->step,
               c->f.model == MODEL_BOTH ? "" : ", ",
               c->f.model == MODEL_BOTH ? "" : run_info_model_name(&d->info, c->f.model));
        return;
    }
}

// --- The lesson (--lesson: lesson.h) -------------------------------------------------
//
// Its narration is a line and the panel's text; its keys are queued as the
// script's are, after the step they name. Interactive, a wait or pause holds
// the run (paused, saying why) until the viewer's keys, or Space, end it;
// what else is due at that step waits for the end. Headless nothing holds:
// a wait's keys are pressed at its step.

static void narrate(ts_driver *d, const char *text, long step) {
    d->lview.seq++;
    d->lview.step = step;
    snprintf(d->lview.text, sizeof d->lview.text, "%s", text);
    report_narration(d->line, REPORT_LINE_MAX, step, text);
    emit(d);
}

static void queue_keys(ts_driver *d, const char *keys) {
    for (const char *l = keys; *l && d->npending < PENDING_MAX; l++)
        d->pending[d->npending++] = command_by_letter((unsigned char)*l);
}

static void lesson_hold(ts_driver *d, const ts_lesson_entry *e) {
    d->hold_was_paused = d->paused;
    memcpy(d->hold_was_why, d->pause_why, sizeof d->hold_was_why);
    lesson_run_hold(&d->lesson, e);
    d->paused = 1;
    // The lesson panel's rule says what goes on (the snapshot's lesson view).
    if (e->verb == LESSON_WAIT)
        snprintf(d->pause_why, sizeof d->pause_why, "the lesson waits for %s", e->keys);
    else if (e->on && e->raised)   // the panel marks it as it marks an auto-pause's finding
        snprintf(d->pause_why, sizeof d->pause_why, "%s raised",
                 diag_code_name((ts_finding_code)e->code));
    else snprintf(d->pause_why, sizeof d->pause_why, "lesson");
}

static void lesson_due(ts_driver *d);

// The hold is over (lesson_run_release done): paused as it was before it,
// then what else is due at this step.
static void lesson_released(ts_driver *d) {
    d->paused = d->hold_was_paused || d->auto_paused;
    if (d->hold_was_paused) {
        memcpy(d->pause_why, d->hold_was_why, sizeof d->pause_why);
        notice(d, "lesson: still paused%s%s: space runs on", d->pause_why[0] ? " at " : "",
               d->pause_why);
    } else {
        d->pause_why[0] = 0;
    }
    lesson_due(d);
}

static void lesson_due(ts_driver *d) {
    const ts_lesson_entry *e;
    while ((e = lesson_run_due(&d->lesson, d->step))) {
        if (e->text[0]) narrate(d, e->text, d->step);
        if (e->verb == LESSON_PRESS || (e->verb == LESSON_WAIT && !d->opts.interactive))
            queue_keys(d, e->keys);
        else if ((e->verb == LESSON_WAIT || e->verb == LESSON_PAUSE) && d->opts.interactive)
            lesson_hold(d, e);
    }
}

// A step's raised and cleared findings: the narration they make due.
static void lesson_changes(ts_driver *d) {
    for (int i = 0; i < d->changes->n; i++) {
        const ts_diag_change *c = &d->changes->change[i];
        const ts_lesson_entry *on[8];
        int n = lesson_run_change(&d->lesson, c->f.code, c->raised, on, 8);
        for (int k = 0; k < n; k++) {
            narrate(d, on[k]->text, c->step);
            if (on[k]->verb == LESSON_PAUSE && d->opts.interactive &&
                lesson_run_holding(&d->lesson) == LESSON_HOLD_NONE)
                lesson_hold(d, on[k]);
        }
    }
}

// The diagnosis reads every step and evaluation the tracks gained; an
// explosion it finds stops the trainer as a NaN does.
static void diagnose(ts_driver *d) {
    ts_diag_input in;
    memset(&in, 0, sizeof in);
    d->src.ops->diag_input(d->src.self, &in);
    for (int k = 0; k < MODEL_COUNT; k++) in.track[k] = track_of(d, k);
    do {
        in.stopped = src_diverged(d);
        diag_update(d->diag, &in, d->changes);
        emit_changes(d);
        lesson_changes(d);
        auto_pause(d);
        if (d->changes->stop) d->src.ops->stop(d->src.self);
    } while (d->changes->more);
}

static void evaluate(ts_driver *d) {
    unsigned evaluated = 0;
    d->src.ops->evaluate(d->src.self, &evaluated);
    dump_evals(d);
    for (int k = 0; k < MODEL_COUNT; k++) {
        const ts_track *t = track_of(d, k);
        if (!t || !(evaluated & TS_MODEL_BIT(k))) continue;
        report_eval(d->line, REPORT_LINE_MAX, &d->info, t->kind, &t->last_eval);
        emit(d);
    }
}

// Why a run diverged and what to press: P when the lr it sets is below
// the one in force, else [ then r. The lr it diverged at and the case are
// the finding's (exploded, or NaN or Inf).
static void diverged_notice(ts_driver *d) {
    ts_finding f[TS_MAX_FINDINGS];
    const char *why = "";
    float lr = config_of(d)->set.lr, at = lr, to = d->s ? session_restore_lr(d->s) : lr;
    int n = diag_findings(d->diag, f, TS_MAX_FINDINGS);
    for (int i = 0; i < n && !why[0]; i++)
        if (f[i].code == FIND_DIVERGED) {
            const ts_evidence *e = finding_evidence(&f[i], "lr");
            if (e && e->kind == EVIDENCE_NUM) at = e->num;
            why = strstr(f[i].message, "exploded") ? " (loss exploded)" : " (NaN or Inf)";
        }
    int preset = d->s && to != d->s->start.lr;   // the preset's, below the starting one
    if (to < lr)
        notice(d, "diverged at lr %.4g%s: press P to go back to lr %.4g (%s) and reset, or "
               "press [ then r", at, why, to, preset ? "the preset's" : "the starting settings");
    else
        notice(d, "diverged at lr %.4g%s: press [ to halve the lr (%.4g), then r to reset (P "
               "keeps it: it is the starting one)", at, why, lr);
}

// --- The script ----------------------------------------------------------------------

static void queue_due(ts_driver *d) {
    const char *letters;
    while ((letters = script_due(&d->script, d->step)))
        for (const char *l = letters; *l && d->npending < PENDING_MAX; l++)
            d->pending[d->npending++] = command_by_letter((unsigned char)*l);
}

static void apply(ts_driver *d, ts_command c);

// Gives the queued commands in order (one may step, and queue more).
static void drain(ts_driver *d) {
    while (d->npending > 0) {
        ts_command c = d->pending[0];
        memmove(d->pending, d->pending + 1, sizeof(ts_command) * (size_t)--d->npending);
        apply(d, c);
    }
}

// --- One step ------------------------------------------------------------------------

static void step_once(ts_driver *d) {
    ts_advance a = {0};
    ts_source_status st = d->src.ops->advance(d->src.self, &a);
    d->waiting = st == SOURCE_WAITING;
    take_notices(d);
    if (st == SOURCE_WAITING) return;
    if (st == SOURCE_END) {
        d->ended = 1;
        return;
    }
    if (st == SOURCE_REFUSED) {   // the run diverged before
        if (d->opts.interactive) d->paused = d->auto_paused = 1;
        else d->ended = 1;
        return;
    }
    d->steps_run++;
    d->step = a.step;
    dump_step(d);   // first: the batch's embeddings are the last thing embedded
    if (a.log)
        for (int k = 0; k < MODEL_COUNT; k++) {
            const ts_track *t = track_of(d, k);
            if (!t || !(a.stepped & TS_MODEL_BIT(k))) continue;
            report_step(d->line, REPORT_LINE_MAX, &d->info, t->kind, &t->last);
            emit(d);
        }
    if (!src_diverged(d) && a.evaluate) evaluate(d);
    take_notices(d);
    diagnose(d);
    if (src_diverged(d)) {
        if (!d->opts.interactive) {   // the finding is out; the summary follows
            d->ended = 1;
            return;
        }
        d->paused = d->auto_paused = 1;
        diverged_notice(d);
    }
    if (d->opts.interactive && d->opts.pause_at > 0 && !d->pause_at_done &&
        d->step >= d->opts.pause_at) {
        d->pause_at_done = 1;
        if (lesson_run_holding(&d->lesson) != LESSON_HOLD_NONE && !d->hold_was_paused) {
            // A lesson holds at this step too: its end leaves the stop here.
            d->hold_was_paused = 1;
            snprintf(d->hold_was_why, sizeof d->hold_was_why, "--steps %ld", d->opts.pause_at);
        } else if (!d->paused) {
            d->paused = 1;
            snprintf(d->pause_why, sizeof d->pause_why, "--steps %ld", d->opts.pause_at);
            notice(d, "stopped at --steps %ld: q quits, space runs on", d->opts.pause_at);
        }
    }
    queue_due(d);
    lesson_due(d);
}

int driver_step(ts_driver *d) {
    if (!driver_running(d) || d->paused) return 0;
    step_once(d);
    drain(d);
    return 1;
}

// --- Commands ------------------------------------------------------------------------

static int export_run(ts_driver *d) {
    const ts_config *cfg = config_of(d);
    char dir[400], path[600];
    ts_error err;
    if (report_export_dir(cfg->export_dir, dir, sizeof dir, &err)) {
        notice(d, "export failed: %s", err.msg);
        return -1;
    }
    if (d->info.attached)
        snprintf(path, sizeof path, "%s/tripletscope-watch-%s-step%ld.json", dir,
                 d->info.model_name[d->info.model_name[MODEL_TRIPLET][0] ? MODEL_TRIPLET
                                                                            : MODEL_SIAMESE],
                 d->step);
    else
        snprintf(path, sizeof path, "%s/tripletscope-seed%llu-step%ld.json", dir,
                 (unsigned long long)cfg->seed, d->step);
    driver_snapshot(d, d->export_snap);
    ts_diag_input in;   // the source's per-sample picks, beside the snapshot
    memset(&in, 0, sizeof in);
    d->src.ops->diag_input(d->src.self, &in);
    ts_export_extra extra = {.picks = in.picks, .history = d->history,
                             .n_history = d->n_history, .history_max = FINDING_HISTORY};
    if (d->s) {
        extra.label_noise = d->s->cfg.label_noise;
        extra.flipped = session_flipped(d->s, &extra.n_flipped);
    }
    if (report_export(d->export_snap, &extra, path, &err)) {
        notice(d, "export failed: %s", err.msg);
        return -1;
    }
    notice(d, "exported %s", path);
    report_export_line(d->line, REPORT_LINE_MAX, d->step, path);
    emit(d);
    return 1;
}

// The driver's own commands: pause, one step, quit.
static void drive(ts_driver *d, ts_command c) {
    if (c == CMD_QUIT) {
        d->quit = 1;
        if (d->opts.interactive) d->paused = 1;
        else d->ended = 1;
        return;
    }
    if (!d->opts.interactive) return;   // headless has nothing to pause
    ts_lesson_hold hold = lesson_run_holding(&d->lesson);
    if ((c == CMD_PAUSE || c == CMD_STEP) && hold == LESSON_HOLD_WAIT) {
        notice(d, "press %s to go on (the lesson waits for it)", lesson_run_wanted(&d->lesson));
        return;
    }
    if (c == CMD_STEP && hold == LESSON_HOLD_PAUSE) {
        notice(d, "space goes on (the lesson paused here)");
        return;
    }
    if (c == CMD_PAUSE && hold == LESSON_HOLD_PAUSE) {
        lesson_run_release(&d->lesson);
        lesson_released(d);
        return;
    }
    if (c == CMD_PAUSE) {
        if (d->paused && src_diverged(d)) diverged_notice(d);
        else d->paused = !d->paused;
        d->pause_why[0] = 0;
    } else if (c == CMD_STEP && d->paused && !src_diverged(d) && driver_running(d)) {
        step_once(d);
    } else if (c == CMD_SLOWER || c == CMD_FASTER) {
        d->speed = c == CMD_SLOWER ? pace_slower(d->speed) : pace_faster(d->speed);
        char text[32];
        pace_text(d->speed, text, sizeof text);
        notice(d, "pace %s", text);
    } else if (c == CMD_AUTO_PAUSE) {
        d->pause_on = d->pause_on ? 0 : d->pause_on_list;
        if (!d->pause_on) notice(d, "auto-pause off");
        else notice(d, "auto-pause on: pause when a finding is %s",
                    d->pause_on == (TS_PAUSE_ON_RAISED | TS_PAUSE_ON_CLEARED) ? "raised or cleared"
                    : d->pause_on == TS_PAUSE_ON_RAISED ? "raised" : "cleared");
    }
}

// The notice of a command's event: what changed ("miner hardest-neg ->
// semihard"), and for a reset whether the settings are the starting ones.
static void event_notice(ts_driver *d, ts_command c, const ts_event *ev) {
    if (d->info.attached && (c == CMD_RESET || c == CMD_RESTORE)) {
        notice(d, "%c: the runs' own settings again (the what-if keys undone)", command_letter(c));
        return;
    }
    if (!command_info(c)->resets) {
        notice(d, "%s %s -> %s", ev->setting, ev->from, ev->to);
        return;
    }
    const char *kept = d->s && session_settings_changed(d->s)
                           ? "the settings kept (P restores the starting settings)"
                           : "the starting settings";
    if (c == CMD_RESEED) notice(d, "reseed: seed %s -> %s, new weights, %s", ev->from, ev->to, kept);
    else notice(d, "reset: new weights, %s", kept);
}

// A source's command: its event line, and after a reset the diagnosis'.
static int source_command(ts_driver *d, ts_command c) {
    ts_event ev;
    char why[400];
    int r = d->src.ops->command(d->src.self, c, &ev, why, sizeof why);
    if (r < 0) {
        notice(d, "%c refused: %s", command_letter(c), why);
        return -1;
    }
    take_notices(d);
    if (r == 0) return 0;
    if (r == 2) return 1;   // the view moved (a watched run's timeline): no event
    int resets = command_info(c)->resets && !d->info.attached;   // watching, r restores settings
    if (resets) d->step = 0;
    report_event(d->line, REPORT_LINE_MAX, &ev);
    emit(d);
    event_notice(d, c, &ev);
    if (resets) {
        d->n_history = 0;   // the history restarts with the reset's clears
        diag_reset(d->diag, d->changes);
        emit_changes(d);
        // A reset clears a divergence: go on if that was the only reason to pause.
        if (d->auto_paused) d->auto_paused = d->paused = 0;
        d->pause_at_done = 0;   // the run starts again: it stops at --steps again
        d->pause_why[0] = 0;
        dump_reset(d, c, ev.step);
    }
    return 1;
}

// P: the starting settings again (session_restore), an event line per
// setting set back (key P); after a divergence, then a reset as r's (its
// own line, key r). Watching a run: the runs' own settings, as r.
static int restore_command(ts_driver *d) {
    if (!d->s) return source_command(d, CMD_RESTORE);
    int diverged = src_diverged(d);
    float diverged_lr = d->s->cfg.set.lr;
    ts_event ev[TS_SETTING_COUNT];
    int n = session_restore(d->s, ev, TS_SETTING_COUNT);
    char what[480] = "";
    for (int i = 0; i < n; i++) {
        report_event(d->line, REPORT_LINE_MAX, &ev[i]);
        emit(d);
        size_t len = strlen(what);
        snprintf(what + len, sizeof what - len, "%s%s %s -> %s", i ? ", " : "", ev[i].setting,
                 ev[i].from, ev[i].to);
    }
    if (diverged) {
        long seq = d->notice_seq;
        if (source_command(d, CMD_RESET) < 0) return -1;
        float lr = d->s->cfg.set.lr;
        if (d->notice_seq > seq + 1) return 1;   // the reset said more than its event (--dump stopped)
        if (lr < diverged_lr)
            notice(d, "P: %s%sreset: new weights at the starting settings%s", what, n ? "; " : "",
                   lr != d->s->start.lr ? " (lr: the preset's)" : "");
        else
            notice(d, "P: %s%sreset, but at lr %.4g, the lr it diverged at: [ halves it", what,
                   n ? "; " : "", lr);
    } else if (n) {
        notice(d, "P: the starting settings again: %s", what);
    } else {
        notice(d, "P: the settings are the starting ones already");
    }
    return 1;
}

static void apply(ts_driver *d, ts_command c) {
    if (d->quit || d->failed) return;   // the run is ending: nothing more is given
    const ts_command_info *info = command_info(c);
    int r = 0;
    if (c == CMD_EXPORT) r = export_run(d);
    else if (c == CMD_RESTORE) r = restore_command(d);
    else if (info->scope == SCOPE_DRIVER) drive(d, c);
    else if (info->scope == SCOPE_TRAINER || info->scope == SCOPE_SOURCE) r = source_command(d, c);
    if (r < 0 && d->out.refused && d->out.refused(d->out.ctx, c, d->step, d->notice))
        d->failed = d->ended = 1;
    // The keys a lesson waits for, each given (or refused) as it comes.
    if (lesson_run_holding(&d->lesson) == LESSON_HOLD_WAIT &&
        lesson_run_key(&d->lesson, command_letter(c)))
        lesson_released(d);   // the key's own notice says what it changed
}

void driver_command(ts_driver *d, ts_command c) {
    apply(d, c);
    drain(d);
}

// --- Lifetime ------------------------------------------------------------------------

// The source the spec asks for: an attached run's dumps, or the trainer.
static int source_create(ts_source *src, const ts_source_spec *spec, ts_error *err) {
    if (spec->watch) return watch_source_create(src, spec->watch, spec->cfg, err);
    return session_source_create(src, spec->cfg, spec->train, spec->test, spec->data_name, err);
}

int driver_create(ts_driver **out, const ts_source_spec *spec, const ts_driver_opts *opts,
                  ts_error *err) {
    *out = NULL;
    ts_driver *d = calloc(1, sizeof *d);
    if (!d) return ts_fail(err, "out of memory");
    if (opts) d->opts = *opts;
    else d->opts.stop_at = -1;
    if (script_parse(d->opts.script, &d->script, err)) {
        free(d);
        return -1;
    }
    d->opts.script = NULL;   // the caller's string may go
    if (lesson_run_init(&d->lesson, d->opts.lesson)) {
        script_free(&d->script);
        free(d);
        return ts_fail(err, "out of memory");
    }
    if (d->opts.lesson) {
        const ts_lesson *l = d->opts.lesson;
        d->lview.active = 1;
        d->lview.number = l->number;
        d->lview.step = -1;
        d->lview.auto_go = d->opts.lesson_auto;
        snprintf(d->lview.name, sizeof d->lview.name, "%s", l->name);
        snprintf(d->lview.title, sizeof d->lview.title, "%s", l->title);
    }
    if (source_create(&d->src, spec, err)) {
        script_free(&d->script);
        lesson_run_free(&d->lesson);
        free(d);
        return -1;
    }
    d->src.ops->info(d->src.self, &d->info);
    if (!spec->watch) d->s = d->src.self;
    d->diag = diag_create();
    d->line = malloc(REPORT_LINE_MAX);
    d->changes = malloc(sizeof *d->changes);
    d->export_snap = malloc(sizeof *d->export_snap);
    d->history = malloc(sizeof *d->history * FINDING_HISTORY);
    if (!d->diag || !d->line || !d->changes || !d->export_snap || !d->history) {
        driver_free(d);
        return ts_fail(err, "out of memory");
    }
    if (d->s && spec->cfg->dump_dir[0] && dump_open(d, err)) {
        driver_free(d);
        return -1;
    }
    d->paused = d->opts.interactive && d->opts.start_paused;
    d->speed = d->opts.speed > 0 ? d->opts.speed : TS_PACE_FULL;
    d->pause_on = d->opts.pause_on;
    d->pause_on_list = d->opts.pause_on ? d->opts.pause_on : TS_PAUSE_ON_RAISED | TS_PAUSE_ON_CLEARED;
    *out = d;
    return 0;
}

void driver_free(ts_driver *d) {
    if (!d) return;
    if (d->src.ops) d->src.ops->free(d->src.self);
    diag_free(d->diag);
    script_free(&d->script);
    lesson_run_free(&d->lesson);
    free(d->line);
    free(d->changes);
    free(d->export_snap);
    free(d->history);
    dump_free(d->dump);
    free(d->dump_x);
    free(d);
}

void driver_set_output(ts_driver *d, const ts_driver_output *out) {
    if (out) d->out = *out;
    else memset(&d->out, 0, sizeof d->out);
}

void driver_set_progress(ts_driver *d, ts_eval_progress fn, void *ctx) {
    d->src.ops->set_progress(d->src.self, fn, ctx);
}

void driver_begin(ts_driver *d) {
    d->src.ops->config_line(d->src.self, d->line, REPORT_LINE_MAX);
    emit(d);
    take_notices(d);
    queue_due(d);
    lesson_due(d);
    drain(d);
}

void driver_finish(ts_driver *d, double seconds) {
    if (d->opts.final_eval && !src_diverged(d) && d->src.ops->final_eval_due(d->src.self)) {
        evaluate(d);
        diagnose(d);
    }
    report_summary(d->line, REPORT_LINE_MAX, d->steps_run, seconds);
    emit(d);
}

// --- State ---------------------------------------------------------------------------

int driver_running(const ts_driver *d) {
    return !d->ended && !d->quit && (d->opts.stop_at < 0 || d->step < d->opts.stop_at);
}

int driver_waiting(const ts_driver *d) { return d->waiting; }

int driver_paused(const ts_driver *d) { return d->paused; }
int driver_quit(const ts_driver *d) { return d->quit; }
int driver_speed(const ts_driver *d) { return d->speed; }
unsigned driver_pause_on(const ts_driver *d) { return d->pause_on; }
const char *driver_pause_why(const ts_driver *d) { return d->paused ? d->pause_why : ""; }
int driver_failed(const ts_driver *d) { return d->failed; }

int driver_lesson_hold(const ts_driver *d) {
    return d->opts.lesson_auto && lesson_run_holding(&d->lesson) != LESSON_HOLD_NONE;
}

void driver_lesson_go(ts_driver *d) {
    ts_lesson_hold hold = lesson_run_holding(&d->lesson);
    if (hold == LESSON_HOLD_NONE) return;
    if (hold == LESSON_HOLD_WAIT) queue_keys(d, lesson_run_wanted(&d->lesson));
    lesson_run_release(&d->lesson);
    lesson_released(d);
    drain(d);
}
long driver_step_count(const ts_driver *d) { return d->step; }

void driver_snapshot(const ts_driver *d, ts_snapshot *snap) {
    d->src.ops->snapshot(d->src.self, snap);
    snap->n_findings = diag_findings(d->diag, snap->findings, TS_MAX_FINDINGS);
    snap->settings_changed = d->s ? session_settings_changed(d->s) : 0;
    memcpy(snap->notice, d->notice, sizeof snap->notice);
    snap->notice_seq = d->notice_seq;
    snap->lesson = d->lview;
    snap->lesson.hold = lesson_run_holding(&d->lesson);
    snprintf(snap->lesson.keys, sizeof snap->lesson.keys, "%s", lesson_run_wanted(&d->lesson));
}
