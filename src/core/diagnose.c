// diagnose.c: the diagnosis engine. It reads the tracks' per-step records
// and evaluations and runs the rules of diag_rules.c over them, raising and
// clearing findings.
//
// Each finding is a slot (model x code) that keeps the truth of its
// condition at its last 64 updates as bits (bit 0 the newest). A step rule
// updates once per training step, an evaluation rule once per evaluation. A
// slot is raised when its condition held at >= raise_min of its last
// `window` updates (and at least `window` updates were seen since the
// reset), and cleared when it held at <= clear_max of them; in between it
// keeps its state, so the panel does not flicker.
//
// A step rule's windows and bits are of one generation of the settings it
// reads (diag_rule.reads; the generations are the step records', set by the
// source at each change of setting): a step of a new one restarts its bits.
// Until its window holds enough steps of the new settings a condition is
// undecided: not held, and it cannot clear; a raised finding is cleared only
// by `window` decided updates, so it stays raised until a whole window of
// the new settings decides it. A finding's severity may change while it is
// raised (all_easy weighs held-out quality): a regraded change says so.
//
//   track steps ------> step rules -------+--> bits --> raise / clear --> ts_diag_output
//   track evaluations -> evaluation rules +
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "diag.h"

// When a command given while a finding is raised changed the remedy the
// engine would suggest (m given: the miner is semi-hard now), nothing is
// suggested for 200 steps: a fix takes time to show (batch-hard collapse on
// Fashion-MNIST cleared 144-163 steps after m), and the next remedy would
// only disturb it. A remedy that is still the same (+ while the margin is
// still too small) stays on show.
#define FIX_GRACE (4 * DIAG_WINDOW)

// Steps read per call at most: every slot of every model may change at each.
#define CHANGES_PER_STEP (MODEL_COUNT * FIND_COUNT)

_Static_assert(TS_DIAG_CHANGES >= 2 * CHANGES_PER_STEP + N_SLOT_MODELS,
               "an update reads at least one step and its evaluation");

// --- Building a finding ------------------------------------------------------------

static ts_evidence *evidence_add(ts_finding *f, const char *name, ts_evidence_kind kind) {
    if (f->n_evidence >= TS_MAX_EVIDENCE) return NULL;
    ts_evidence *e = &f->evidence[f->n_evidence++];
    memset(e, 0, sizeof *e);
    snprintf(e->name, sizeof e->name, "%s", name);
    e->kind = kind;
    return e;
}

void evidence_num(ts_finding *f, const char *name, double v) {
    ts_evidence *e = evidence_add(f, name, EVIDENCE_NUM);
    if (e) e->num = v;
}

void evidence_text(ts_finding *f, const char *name, const char *text) {
    ts_evidence *e = evidence_add(f, name, EVIDENCE_TEXT);
    if (e) snprintf(e->text, sizeof e->text, "%s", text);
}

void evidence_flag(ts_finding *f, const char *name, int v) {
    ts_evidence *e = evidence_add(f, name, EVIDENCE_FLAG);
    if (e) e->num = v != 0;
}

void finding_suggest(ts_finding *f, int n, const ts_command *cmds) {
    f->n_suggest = n < TS_MAX_SUGGEST ? n : TS_MAX_SUGGEST;
    for (int i = 0; i < f->n_suggest; i++) f->suggest[i] = cmds[i];
}

void finding_message(ts_finding *f, const char *text) {
    snprintf(f->message, sizeof f->message, "%s", text);
}

const ts_evidence *finding_evidence(const ts_finding *f, const char *name) {
    for (int i = 0; i < f->n_evidence; i++)
        if (strcmp(f->evidence[i].name, name) == 0) return &f->evidence[i];
    return NULL;
}

// Fills f's message, evidence and suggestion from the current numbers.
// The rule's severity unless its description lowers it (all_easy on a
// model that retrieves well: converged, an info).
static void describe(const diag_ctx *c, ts_finding_code code, ts_finding *f) {
    f->message[0] = 0;
    f->n_evidence = 0;
    f->n_suggest = 0;
    f->severity = diag_rules[code].sev;
    diag_rules[code].describe(c, f);
}

// --- Raising and clearing ------------------------------------------------------------

static int popcount64(uint64_t x) {
    int n = 0;
    for (; x; x &= x - 1) n++;
    return n;
}

static uint64_t window_mask(int w) { return w >= 64 ? ~0ULL : (1ULL << w) - 1; }

static void report(ts_diag_output *out, const ts_finding *f, long step, int raised) {
    if (out->n >= TS_DIAG_CHANGES) return;   // cannot happen: see CHANGES_PER_STEP
    ts_diag_change *ch = &out->change[out->n++];
    ch->f = *f;
    ch->step = step;
    ch->raised = raised;
}

static int same_suggestion(const ts_finding *f, const diag_slot *sl) {
    return f->n_suggest == sl->n_raised_suggest &&
           memcmp(f->suggest, sl->raised_suggest, sizeof(ts_command) * (size_t)f->n_suggest) == 0;
}

// A remedy applied since the finding was raised gets time to work: no new
// key is suggested for FIX_GRACE steps after the change.
static void withhold_fix(const diag_ctx *c, diag_slot *sl, long step) {
    long changed = c->in->last_change;
    if (changed >= sl->f.step && step - changed < FIX_GRACE && !same_suggestion(&sl->f, sl))
        sl->f.n_suggest = 0;
}

// A step rule's bits are of one generation of its readings: a step measured
// under another starts them again (a raised finding stays raised until a
// whole window of the new settings decides it).
static void slot_restart(diag_slot *sl, const diag_rule *r, const ts_stepstats *st) {
    if (r->per_eval || !r->reads || !st) return;
    int same = 1;
    for (int i = 0; i < TS_READINGS; i++)
        if ((r->reads & TS_READ_BIT(i)) && sl->gen[i] != st->gen[i]) same = 0;
    if (same) return;
    for (int i = 0; i < TS_READINGS; i++) sl->gen[i] = st->gen[i];
    sl->bits = 0;
    sl->n = 0;
    sl->nd = 0;
}

// Records one update of a slot's condition (1, 0 or DIAG_UNDECIDED); raises,
// clears or refreshes it.
static void slot_update(ts_diag *d, const diag_ctx *c, ts_finding_code code, int cond,
                        long step, ts_diag_output *out) {
    diag_slot *sl = &d->slot[c->model][code];
    const diag_rule *r = &diag_rules[code];
    slot_restart(sl, r, c->st);
    sl->bits = (sl->bits << 1) | (cond > 0 ? 1u : 0u);
    if (sl->n < 64) sl->n++;
    if (cond != DIAG_UNDECIDED && sl->nd < 64) sl->nd++;
    int held = popcount64(sl->bits & window_mask(r->window));
    if (!sl->raised) {
        if (sl->n < r->window || held < r->raise_min) return;
        sl->raised = 1;
        sl->f.code = code;
        sl->f.model = c->model;
        sl->f.step = step;
        describe(c, code, &sl->f);
        sl->n_raised_suggest = sl->f.n_suggest;
        memcpy(sl->raised_suggest, sl->f.suggest, sizeof sl->raised_suggest);
        report(out, &sl->f, step, DIAG_RAISED);
    } else if (r->clear_max >= 0 && held <= r->clear_max && sl->nd >= r->window) {
        ts_severity sev = sl->f.severity;   // the one it was raised (or regraded) with
        describe(c, code, &sl->f);   // the numbers that cleared it
        finding_suggest(&sl->f, sl->n_raised_suggest, sl->raised_suggest);   // what was tried
        sl->f.severity = sev;
        sl->raised = 0;
        report(out, &sl->f, step, DIAG_CLEARED);
    } else if (!r->stops) {
        ts_severity sev = sl->f.severity;
        describe(c, code, &sl->f);   // the panel shows the live numbers
        withhold_fix(c, sl, step);
        // A new severity for the same finding (held-out quality came in):
        // a line says so, with the numbers and message of now.
        if (sl->f.severity != sev) report(out, &sl->f, step, DIAG_REGRADED);
    }
}

// --- Updates -------------------------------------------------------------------------

// The rules of model k at the step at offset off of its track.
static void update_step(ts_diag *d, const ts_diag_input *in, int k, int off, ts_diag_output *out) {
    diag_ctx c = {d, in, k, off, track_recent(in->track[k], off), 0};
    const ts_stepstats *st = c.st;
    if (!st) return;
    long step = st->step;
    unsigned bit = TS_MODEL_BIT(k);
    if (step > d->last_step) d->last_step = step;
    if (step <= DIAG_WINDOW) {
        d->first_loss[k] += isfinite(st->loss) ? st->loss : 0;
        d->first_n[k] += isfinite(st->loss) != 0;
    }
    // The rules that stop a run first: once one holds, nothing else is read.
    for (int code = 0; code < FIND_COUNT; code++) {
        const diag_rule *r = &diag_rules[code];
        c.reads = r->reads;
        if (!r->stops || !(r->models & bit) || d->slot[k][code].raised || r->cond(&c) <= 0) continue;
        slot_update(d, &c, (ts_finding_code)code, 1, step, out);
        if (stepstats_finite(st)) {   // a finite loss exploded: the source stops
            d->stopped = 1;
            out->stop = 1;
        }
    }
    if (!stepstats_finite(st) || d->stopped) return;   // later numbers are not to be read
    for (int code = 0; code < FIND_COUNT; code++) {
        const diag_rule *r = &diag_rules[code];
        if (r->per_eval || r->stops || !(r->models & bit)) continue;
        c.reads = r->reads;
        slot_update(d, &c, (ts_finding_code)code, r->cond(&c), step, out);
    }
}

// Reads new evaluations; when every model run has one at the same new step,
// updates the evaluation rules once.
static void update_evals(ts_diag *d, const ts_diag_input *in, ts_diag_output *out) {
    int n_run = 0;
    for (int k = 0; k < MODEL_COUNT; k++) {
        const ts_track *t = in->track[k];
        if (!t) continue;
        n_run++;
        if (t->have_eval && t->n_evals != d->evals_seen[k]) {
            d->evals_seen[k] = t->n_evals;
            memmove(&d->ev[k][1], &d->ev[k][0], sizeof(diag_evalrec) * (DIAG_EVALS - 1));
            const ts_retrieval *r = &t->last_eval.r;
            long at = t->last_eval.step;
            d->ev[k][0] = (diag_evalrec){at, r->p_at_1, r->map_at_r,
                                         (float)diag_loss_upto(t, at, DIAG_WINDOW)};
            if (d->n_ev[k] < DIAG_EVALS) d->n_ev[k]++;
            // The first finite one, then a higher one (NaN: none yet, see forget).
            if (isfinite(r->map_at_r) && !(r->map_at_r <= d->best[k].map_at_r))
                d->best[k] = d->ev[k][0];
        }
    }
    long newest = -1;
    for (int k = 0; k < MODEL_COUNT; k++) {
        if (!in->track[k]) continue;
        if (!d->n_ev[k]) return;
        if (newest >= 0 && d->ev[k][0].step != newest) return;   // the other one is not there yet
        newest = d->ev[k][0].step;
    }
    if (!n_run || newest <= d->eval_step_done) return;
    d->eval_step_done = newest;
    if (d->chance < 0) diag_compute_chance(d, in);
    int who = n_run == 2 ? MODEL_BOTH : in->track[MODEL_SIAMESE] ? MODEL_SIAMESE : MODEL_TRIPLET;
    for (int code = 0; code < FIND_COUNT; code++) {
        const diag_rule *r = &diag_rules[code];
        if (r->per_eval == EVAL_EACH) {
            for (int k = 0; k < MODEL_COUNT; k++) {
                if (!in->track[k] || !(r->models & TS_MODEL_BIT(k))) continue;
                diag_ctx c = {d, in, k, 0, track_recent(in->track[k], 0), r->reads};
                slot_update(d, &c, (ts_finding_code)code, r->cond(&c), newest, out);
            }
            continue;
        }
        if (!r->per_eval || (r->models == TS_MODELS_ALL && n_run != 2)) continue;
        diag_ctx c = {d, in, r->models == TS_MODELS_ALL ? MODEL_BOTH : who, 0, NULL, r->reads};
        slot_update(d, &c, (ts_finding_code)code, r->cond(&c), newest, out);
    }
}

// A joint finding that points at the triplet findings (siamese_ahead: "see
// too_hard", and too_hard's key) is described again when a step finding is
// raised or cleared between evaluations, so that it never names one gone,
// nor suggests the key already pressed. Its severity stays the evaluation's.
static void refresh_joint(ts_diag *d, const ts_diag_input *in) {
    for (int code = 0; code < FIND_COUNT; code++) {
        const diag_rule *r = &diag_rules[code];
        if (r->per_eval != EVAL_JOINT) continue;
        for (int m = 0; m < N_SLOT_MODELS; m++) {
            diag_slot *sl = &d->slot[m][code];
            if (!sl->raised) continue;
            diag_ctx c = {d, in, m, 0, NULL, r->reads};
            ts_severity sev = sl->f.severity;
            describe(&c, (ts_finding_code)code, &sl->f);
            sl->f.severity = sev;
            withhold_fix(&c, sl, d->last_step);
        }
    }
}

// --- Interface ------------------------------------------------------------------------

static void forget(ts_diag *d) {
    memset(d, 0, offsetof(ts_diag, class_count));
    d->chance = -1;
    for (int k = 0; k < MODEL_COUNT; k++) d->best[k].map_at_r = NAN;
}

ts_diag *diag_create(void) {
    ts_diag *d = calloc(1, sizeof *d);
    if (d) forget(d);
    return d;
}

void diag_free(ts_diag *d) { free(d); }

void diag_reset(ts_diag *d, ts_diag_output *out) {
    out->n = 0;
    out->stop = 0;
    out->more = 0;
    for (int m = 0; m < N_SLOT_MODELS; m++)
        for (int c = 0; c < FIND_COUNT; c++) {
            diag_slot *sl = &d->slot[m][c];
            if (!sl->raised) continue;
            sl->f.n_evidence = 0;
            evidence_flag(&sl->f, "reset", 1);
            report(out, &sl->f, d->last_step, DIAG_CLEARED);
        }
    forget(d);
}

void diag_update(ts_diag *d, const ts_diag_input *in, ts_diag_output *out) {
    out->n = 0;
    out->stop = 0;
    out->more = 0;
    d->stopped = in->stopped;
    for (int k = 0; k < MODEL_COUNT; k++)
        if (in->track[k] && in->track[k]->n_recent < d->seen[k]) {
            forget(d);   // a reset that did not come through diag_reset
            d->stopped = in->stopped;
        }
    long unread[MODEL_COUNT] = {0}, most = 0;
    for (int k = 0; k < MODEL_COUNT; k++) {
        const ts_track *t = in->track[k];
        if (!t) continue;
        unread[k] = t->n_recent - d->seen[k];
        if (unread[k] > 64) {   // many were missed: the last 64 are read
            d->seen[k] = t->n_recent - 64;
            unread[k] = 64;
        }
        if (unread[k] > most) most = unread[k];
    }
    // The oldest unread step first, every model at each; no more steps than
    // out has room for the changes of (the rest wait for the next call).
    long room = (TS_DIAG_CHANGES - N_SLOT_MODELS) / CHANGES_PER_STEP;
    long wait = most > room ? most - room : 0;   // offsets below this wait
    for (long i = most - 1; i >= wait; i--)
        for (int k = 0; k < MODEL_COUNT; k++)
            if (in->track[k] && i < unread[k]) update_step(d, in, k, (int)i, out);
    for (int k = 0; k < MODEL_COUNT; k++)
        if (in->track[k] && unread[k] > wait) d->seen[k] += unread[k] - wait;
    if (out->n) refresh_joint(d, in);
    out->more = wait > 0;
    if (!out->more) update_evals(d, in, out);
}

static int rank_before(const ts_finding *a, const ts_finding *b) {
    if (a->severity != b->severity) return a->severity > b->severity;
    if (a->step != b->step) return a->step < b->step;
    if (a->code != b->code) return a->code < b->code;
    return a->model < b->model;
}

int diag_findings(const ts_diag *d, ts_finding *out, int max) {
    int n = 0;
    if (!d || max <= 0) return 0;
    for (int m = 0; m < N_SLOT_MODELS; m++)
        for (int c = 0; c < FIND_COUNT; c++) {
            if (!d->slot[m][c].raised) continue;
            // Insertion into the sorted prefix; past max, only better ones get in.
            const ts_finding *f = &d->slot[m][c].f;
            int i = n < max ? n++ : max;
            if (i == max && !rank_before(f, &out[max - 1])) continue;
            if (i == max) i = max - 1;
            for (; i > 0 && rank_before(f, &out[i - 1]); i--) out[i] = out[i - 1];
            out[i] = *f;
        }
    return n;
}

int diag_is_raised(const ts_diag *d, ts_finding_code code, int model) {
    if (!d || (unsigned)code >= FIND_COUNT || model < 0 || model >= N_SLOT_MODELS) return 0;
    return d->slot[model][code].raised;
}

const char *diag_code_name(ts_finding_code c) {
    return (unsigned)c < FIND_COUNT ? diag_rules[c].name : "?";
}

const char *diag_severity_name(ts_severity s) {
    return s == SEV_ERROR ? "error" : s == SEV_WARN ? "warn" : "info";
}
