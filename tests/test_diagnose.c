// test_diagnose.c: the diagnosis engine on synthetic tracks. The tracks are
// filled by hand (no model runs, no session): each test pushes per-step
// measurements and evaluations and reads the engine's output, rendered as
// the "diagnosis" lines, and diag_findings(). Persistence both ways (no
// flicker), each code's trigger and non-trigger, most-severe-first order,
// the reset. A real run that diverges and recovers is in test_driver.c.
#include <stdlib.h>
#include <string.h>
#include "testutil.h"
#include "tripletscope/diagnose.h"
#include "tripletscope/measure.h"
#include "tripletscope/config.h"
#include "tripletscope/report.h"

// The trainer's model names, for the lines the tests read.
static const ts_run_info trainer_info = {.model_name = {"siamese", "triplet"}};

// --- Capturing the emitted lines -------------------------------------------------

#define MAX_LINES 256

typedef struct {
    char line[MAX_LINES][2048];
    int n;
} sink;

static void capture(void *ctx, const char *line) {
    sink *k = ctx;
    if (k->n < MAX_LINES) snprintf(k->line[k->n++], sizeof k->line[0], "%s", line);
}

// How many captured diagnosis lines name this code and state.
static int count_lines(const sink *k, const char *code, const char *state) {
    char c[64], st[64];
    snprintf(c, sizeof c, "\"code\":\"%s\"", code);
    snprintf(st, sizeof st, "\"state\":\"%s\"", state);
    int n = 0;
    for (int i = 0; i < k->n; i++)
        if (strstr(k->line[i], "\"type\":\"diagnosis\"") && strstr(k->line[i], c) &&
            strstr(k->line[i], st))
            n++;
    return n;
}

// The captured line of this code and state (NULL if none).
static const char *find_line(const sink *k, const char *code, const char *state) {
    char c[64], st[64];
    snprintf(c, sizeof c, "\"code\":\"%s\"", code);
    snprintf(st, sizeof st, "\"state\":\"%s\"", state);
    for (int i = 0; i < k->n; i++)
        if (strstr(k->line[i], c) && strstr(k->line[i], st)) return k->line[i];
    return NULL;
}

// The letters of f's suggested commands, as the JSON line spells them.
static const char *letters(const ts_finding *f) {
    static char buf[TS_MAX_SUGGEST + 1];
    int n = 0;
    for (int i = 0; i < f->n_suggest && i < TS_MAX_SUGGEST; i++) buf[n++] = command_letter(f->suggest[i]);
    buf[n] = 0;
    return buf;
}

// --- Hand-filled tracks -------------------------------------------------------------

typedef struct {
    ts_track track[MODEL_COUNT];
    ts_diag *diag;
    ts_diag_input in;
    ts_diag_output changes;
    long step;
    int stopped;            // the source's divergence, as the driver keeps it
    sink out;
    int eval_y[200];
    char line[2048];
} fixture;

// Renders the engine's output as the driver does, into the captured lines.
static void collect(fixture *fx) {
    for (int i = 0; i < fx->changes.n; i++) {
        const ts_diag_change *c = &fx->changes.change[i];
        report_diagnosis(fx->line, sizeof fx->line, &trainer_info, c->step, &c->f, c->raised);
        capture(&fx->out, fx->line);
    }
    if (fx->changes.stop) fx->stopped = 1;
}

static void run(fixture *fx) {
    fx->in.stopped = fx->stopped;
    diag_update(fx->diag, &fx->in, &fx->changes);
    collect(fx);
}

static fixture *fixture_new(void) {
    fixture *fx = calloc(1, sizeof *fx);
    assert_non_null(fx);
    ts_config c;
    config_default(&c);
    fx->in.set = c.set;
    fx->in.batch = c.batch;
    fx->in.classes = 10;
    fx->in.last_change = -1;
    // facenet's settings: pk batches of 128, semi-hard, normalised, m = 0.2.
    fx->in.set.sampler = SAMPLER_PK;
    fx->in.set.miner = MINER_SEMIHARD;
    fx->in.set.normalize = 1;
    fx->in.set.margin = 0.2f;
    for (int k = 0; k < MODEL_COUNT; k++) {
        track_clear(&fx->track[k], (ts_model_kind)k);
        fx->in.track[k] = &fx->track[k];
    }
    // Two balanced classes in the evaluation set: chance P@1 = 99/199.
    for (int i = 0; i < 200; i++) fx->eval_y[i] = i % 2;
    fx->in.eval_y = fx->eval_y;
    fx->in.n_eval = 200;
    fx->in.eval_classes = 2;
    fx->diag = diag_create();
    assert_non_null(fx->diag);
    return fx;
}

static void fixture_free(fixture *fx) {
    diag_free(fx->diag);
    free(fx);
}

// Healthy measurements of a batch of 128 (16 classes x 8 is not needed: the
// engine reads only these numbers).
static ts_stepstats healthy(void) {
    ts_stepstats st;
    memset(&st, 0, sizeof st);
    st.loss = 0.05f;
    st.all = (ts_counts){100000, 70000, 20000, 10000};
    st.mined = (ts_counts){1920, 1500, 400, 20};
    st.active = 420;
    st.norm = (ts_normstats){1.0f, 0.1f, 0.8f, 1.2f};
    st.d_pos = 0.4f;
    st.d_neg = 1.3f;
    return st;
}

// Pushes one step of measurements for both models (the Siamese one always
// healthy unless given) and runs the engine, as the driver does.
static void push2(fixture *fx, ts_stepstats siam, ts_stepstats trip) {
    fx->step++;
    ts_stepstats st[MODEL_COUNT] = {siam, trip};
    for (int k = 0; k < MODEL_COUNT; k++) {
        st[k].step = fx->step;
        track_push_step(&fx->track[k], &st[k]);
        if (!stepstats_finite(&st[k])) fx->stopped = 1;   // the trainer's own rule
    }
    run(fx);
}

static void push(fixture *fx, ts_stepstats trip) { push2(fx, healthy(), trip); }

static void push_n(fixture *fx, ts_stepstats trip, int n) {
    for (int i = 0; i < n; i++) push(fx, trip);
}

// An evaluation of both models at the current step.
static void evaluate(fixture *fx, float p1_siam, float map_siam, float p1_trip, float map_trip) {
    float p1[2] = {p1_siam, p1_trip}, map[2] = {map_siam, map_trip};
    for (int k = 0; k < MODEL_COUNT; k++) {
        ts_retrieval r = {.p_at_1 = p1[k], .r_precision = map[k], .map_at_r = map[k], .queries = 200};
        track_push_eval(&fx->track[k], fx->step, &r);
    }
    run(fx);
}

static int raised(const fixture *fx, ts_finding_code c, int model) {
    return diag_is_raised(fx->diag, c, model);
}

// --- Measurements of each failure -----------------------------------------------------

static ts_stepstats collapsed(void) {
    ts_stepstats st = healthy();
    st.loss = 0.2005f;
    st.all = (ts_counts){100000, 0, 86000, 14000};
    st.mined = (ts_counts){128, 0, 10, 118};
    st.active = 128;
    st.d_pos = 0.0016f;
    st.d_neg = 0.0026f;
    st.norm.mean = 21.7f;
    return st;
}

static ts_stepstats all_easy(void) {
    ts_stepstats st = healthy();
    st.loss = 0.0001f;
    st.all = (ts_counts){100000, 99950, 40, 10};
    st.mined = (ts_counts){1920, 1910, 10, 0};
    st.active = 10;
    st.d_neg = 1.3f;
    return st;
}

// --- Persistence ----------------------------------------------------------------------

static void test_raise_needs_persistence(void **state) {
    (void)state;
    fixture *fx = fixture_new();
    push_n(fx, healthy(), 60);
    push_n(fx, collapsed(), DIAG_RAISE_MIN - 1);
    assert_false(raised(fx, FIND_COLLAPSE, MODEL_TRIPLET));
    assert_int_equal(count_lines(&fx->out, "collapse", "raised"), 0);
    push(fx, collapsed());   // the 40th of the last 50
    assert_true(raised(fx, FIND_COLLAPSE, MODEL_TRIPLET));
    const char *l = find_line(&fx->out, "collapse", "raised");
    assert_non_null(l);
    char head[200];
    snprintf(head, sizeof head,
             "{\"type\":\"diagnosis\",\"step\":%d,\"model\":\"triplet\",\"code\":\"collapse\","
             "\"state\":\"raised\",\"severity\":\"error\",\"message\":\"",
             60 + DIAG_RAISE_MIN);
    assert_memory_equal(l, head, strlen(head));
    // The window's means: 40 collapsed steps and 10 healthy ones.
    assert_non_null(strstr(l, "\"evidence\":{\"d_pos\":0.0812"));
    assert_non_null(strstr(l, "\"margin\":0.2,"));
    assert_null(strstr(l, "\"suggest\":\"\""));   // a key is suggested
    // Only the triplet model collapsed; the Siamese one stays quiet.
    assert_false(raised(fx, FIND_COLLAPSE, MODEL_SIAMESE));
    fixture_free(fx);
}

// A fresh run cannot raise before a whole window was seen.
static void test_no_raise_before_a_full_window(void **state) {
    (void)state;
    fixture *fx = fixture_new();
    push_n(fx, collapsed(), 49);
    assert_false(raised(fx, FIND_COLLAPSE, MODEL_TRIPLET));
    push(fx, collapsed());
    assert_true(raised(fx, FIND_COLLAPSE, MODEL_TRIPLET));
    fixture_free(fx);
}

static void test_clear_needs_persistence(void **state) {
    (void)state;
    fixture *fx = fixture_new();
    push_n(fx, collapsed(), 100);
    assert_true(raised(fx, FIND_COLLAPSE, MODEL_TRIPLET));
    push_n(fx, healthy(), 39);   // 11 of the last 50 still collapsed
    assert_true(raised(fx, FIND_COLLAPSE, MODEL_TRIPLET));
    assert_int_equal(count_lines(&fx->out, "collapse", "cleared"), 0);
    push(fx, healthy());         // 10 of 50: cleared
    assert_false(raised(fx, FIND_COLLAPSE, MODEL_TRIPLET));
    const char *l = find_line(&fx->out, "collapse", "cleared");
    assert_non_null(l);
    assert_non_null(strstr(l, "\"step\":140,"));
    assert_non_null(strstr(l, "\"d_neg\":"));   // the numbers that cleared it
    fixture_free(fx);
}

// A condition that holds every other step is never raised; once raised, it
// is never cleared by one: the panel does not flicker.
static void test_no_flicker(void **state) {
    (void)state;
    fixture *fx = fixture_new();
    for (int i = 0; i < 400; i++) push(fx, i % 2 ? collapsed() : healthy());
    assert_int_equal(count_lines(&fx->out, "collapse", "raised"), 0);
    push_n(fx, collapsed(), 60);
    for (int i = 0; i < 400; i++) push(fx, i % 2 ? collapsed() : healthy());
    assert_int_equal(count_lines(&fx->out, "collapse", "raised"), 1);
    assert_int_equal(count_lines(&fx->out, "collapse", "cleared"), 0);
    fixture_free(fx);
}

// --- A change of setting restarts the windows ------------------------------------------

// A key acts, as the trainer's session does it: the setting and the
// generation of what it changes in the readings of the models it acts on.
static void change(fixture *fx, ts_command c) {
    const ts_command_info *info = command_info(c);
    for (int k = 0; k < MODEL_COUNT; k++)
        if (info->models & TS_MODEL_BIT(k)) track_settings_changed(&fx->track[k], command_readings(c));
    fx->in.last_change = fx->step;
}

// The mean d_neg of the margin_scale line's evidence (NaN if none).
static double line_num(const char *l, const char *name) {
    char key[64];
    snprintf(key, sizeof key, "\"%s\":", name);
    const char *p = l ? strstr(l, key) : NULL;
    return p ? strtod(p + strlen(key), NULL) : NAN;
}

// Lesson 1's defect: margin_scale raised 40 steps after n with the raw
// d_neg of the steps before n (3.7) in its window, where normalised
// distances are at most 2. A window spans one generation of the settings
// it reads: the finding waits for a whole window of normalised steps, and
// its evidence is theirs.
static void test_window_restart(void **state) {
    (void)state;
    ts_stepstats raw = healthy(), unit = healthy();
    raw.all = unit.all = (ts_counts){100000, 30000, 60000, 10000};
    raw.active = unit.active = (long)(0.9 * raw.mined.valid);
    raw.d_neg = 3.7f;   // raw distances
    unit.d_neg = 1.4f;  // on the unit sphere
    for (int restart = 0; restart < 2; restart++) {
        fixture *fx = fixture_new();
        fx->in.set.normalize = 0;
        fx->in.set.margin = 1.0f;
        push_n(fx, raw, 450);
        assert_false(raised(fx, FIND_MARGIN_SCALE, MODEL_TRIPLET));   // raw: not its case
        fx->in.set.normalize = 1;
        if (restart) change(fx, CMD_NORMALIZE);
        push_n(fx, unit, 40);
        if (!restart) {
            // Without the restart (as before): raised at once, on a window
            // of 10 raw steps and 40 normalised ones: d_neg 1.86, over 1.4.
            assert_true(raised(fx, FIND_MARGIN_SCALE, MODEL_TRIPLET));
            double dn = line_num(find_line(&fx->out, "margin_scale", "raised"), "d_neg");
            assert_true(dn > 1.8);
            fixture_free(fx);
            continue;
        }
        assert_false(raised(fx, FIND_MARGIN_SCALE, MODEL_TRIPLET));
        // The window holds 50 normalised steps at 500 (undecided before),
        // and 40 of its bits have held at 539.
        push_n(fx, unit, 48);
        assert_false(raised(fx, FIND_MARGIN_SCALE, MODEL_TRIPLET));
        push(fx, unit);
        assert_true(raised(fx, FIND_MARGIN_SCALE, MODEL_TRIPLET));
        const char *l = find_line(&fx->out, "margin_scale", "raised");
        assert_non_null(strstr(l, "\"step\":539,"));
        assert_true(line_num(l, "d_neg") < 1.41 && line_num(l, "d_neg") > 1.39);
        assert_non_null(strstr(l, "\"window\":50"));
        fixture_free(fx);
    }
}

// A raised finding is decided again by a whole window of the new settings
// only: no clear from a window that is not full yet (no flicker), none from
// a mix; a change of what the rule does not read restarts nothing.
static void test_restart_keeps_state(void **state) {
    (void)state;
    ts_stepstats st = healthy();
    st.all = (ts_counts){100000, 30000, 60000, 10000};
    st.active = (long)(0.9 * st.mined.valid);
    fixture *fx = fixture_new();
    fx->in.set.margin = 1.2f;
    push_n(fx, st, 240);
    assert_true(raised(fx, FIND_MARGIN_SCALE, MODEL_TRIPLET));
    // - (to 0.96, still wide) while most triplets stay active: undecided for
    // 49 steps, then held: never cleared.
    fx->in.set.margin = 0.96f;
    change(fx, CMD_MARGIN_DOWN);
    push_n(fx, st, 150);
    assert_true(raised(fx, FIND_MARGIN_SCALE, MODEL_TRIPLET));
    assert_int_equal(count_lines(&fx->out, "margin_scale", "cleared"), 0);
    // The data meets it after another -: active falls at once. Cleared on
    // the new window alone: its first 49 steps are undecided, and the bits
    // of the 50 after them decide (99 steps after the key), not the 40 of a
    // mix with the steps before the key.
    ts_stepstats met = st;
    met.active = (long)(0.05 * st.mined.valid);
    fx->in.set.margin = 0.768f;
    change(fx, CMD_MARGIN_DOWN);
    long key = fx->step;
    push_n(fx, met, 98);
    assert_true(raised(fx, FIND_MARGIN_SCALE, MODEL_TRIPLET));
    push(fx, met);
    assert_false(raised(fx, FIND_MARGIN_SCALE, MODEL_TRIPLET));
    const char *l = find_line(&fx->out, "margin_scale", "cleared");
    char at[32];
    snprintf(at, sizeof at, "\"step\":%ld,", key + 99);
    assert_non_null(strstr(l, at));
    assert_non_null(strstr(l, "\"active\":0.05"));   // of the new settings' steps only
    assert_non_null(strstr(l, "\"window\":50"));
    fixture_free(fx);
    // no_positives reads the batches only: a margin change (or the lr)
    // neither delays its raise nor clears it.
    fx = fixture_new();
    fx->in.batch = 16;
    fx->in.set.sampler = SAMPLER_UNIFORM;
    ts_stepstats np = healthy();
    np.no_positive = 3;
    push_n(fx, np, 30);
    change(fx, CMD_MARGIN_UP);
    push_n(fx, np, 20);
    assert_true(raised(fx, FIND_NO_POSITIVES, MODEL_TRIPLET));
    assert_non_null(strstr(find_line(&fx->out, "no_positives", "raised"), "\"step\":50,"));
    change(fx, CMD_LR_DOWN);
    push_n(fx, healthy(), 39);
    assert_true(raised(fx, FIND_NO_POSITIVES, MODEL_TRIPLET));
    push(fx, healthy());   // 10 of the last 50: cleared, as without a key
    assert_false(raised(fx, FIND_NO_POSITIVES, MODEL_TRIPLET));
    // p changes the batches: it restarts no_positives (cleared 50 steps
    // after it, not 40).
    fx->in.set.sampler = SAMPLER_UNIFORM;
    push_n(fx, np, 60);
    assert_true(raised(fx, FIND_NO_POSITIVES, MODEL_TRIPLET));
    change(fx, CMD_SAMPLER);
    push_n(fx, healthy(), 49);
    assert_true(raised(fx, FIND_NO_POSITIVES, MODEL_TRIPLET));
    push(fx, healthy());
    assert_false(raised(fx, FIND_NO_POSITIVES, MODEL_TRIPLET));
    fixture_free(fx);
}

// all_easy's severity weighs held-out quality: before any evaluation, and
// on a model behind the Siamese one and under 0.9, no gradient is a stall
// (error); level with it, or at 0.9 or more, the run has converged at this
// margin (info, + to ask more), and a line says when the severity changes.
static void test_all_easy_severity(void **state) {
    (void)state;
    fixture *fx = fixture_new();
    fx->in.set.margin = 0.04f;
    push_n(fx, all_easy(), 60);
    ts_finding f[4];
    assert_int_equal(diag_findings(fx->diag, f, 4), 1);
    assert_int_equal(f[0].severity, SEV_ERROR);   // nothing known yet
    evaluate(fx, 0.9f, 0.8f, 0.6f, 0.5f);          // 0.3 behind: a poor model
    push_n(fx, all_easy(), 20);
    diag_findings(fx->diag, f, 4);
    assert_int_equal(f[0].severity, SEV_ERROR);
    assert_int_equal(count_lines(&fx->out, "all_easy", "regraded"), 0);
    evaluate(fx, 0.9f, 0.8f, 0.85f, 0.77f);        // 0.03 behind: level
    push(fx, all_easy());
    diag_findings(fx->diag, f, 4);
    assert_int_equal(f[0].severity, SEV_INFO);
    assert_non_null(strstr(f[0].message, "converged at this margin"));
    assert_string_equal(letters(&f[0]), "+");
    const char *l = find_line(&fx->out, "all_easy", "regraded");
    assert_non_null(l);
    assert_non_null(strstr(l, "\"severity\":\"info\""));
    assert_non_null(strstr(l, "\"converged\":true"));
    assert_int_equal(count_lines(&fx->out, "all_easy", "raised"), 1);   // still the one finding
    push_n(fx, all_easy(), 20);
    assert_int_equal(count_lines(&fx->out, "all_easy", "regraded"), 1); // said once
    // Behind again, under 0.9: error again; at 0.92, behind or not: info.
    evaluate(fx, 0.95f, 0.9f, 0.7f, 0.6f);
    push(fx, all_easy());
    assert_int_equal(count_lines(&fx->out, "all_easy", "regraded"), 2);
    diag_findings(fx->diag, f, 4);
    assert_int_equal(f[0].severity, SEV_ERROR);
    evaluate(fx, 0.99f, 0.99f, 0.95f, 0.92f);
    push(fx, all_easy());
    diag_findings(fx->diag, f, 4);
    assert_int_equal(f[0].severity, SEV_INFO);
    // The cleared line keeps the severity it had.
    ts_stepstats st = all_easy();
    st.active = 96;
    push_n(fx, st, 50);
    l = find_line(&fx->out, "all_easy", "cleared");
    assert_non_null(l);
    assert_non_null(strstr(l, "\"severity\":\"info\""));
    fixture_free(fx);
    // Raised after a good evaluation: an info from the start.
    fx = fixture_new();
    fx->in.set.margin = 0.04f;
    push_n(fx, healthy(), 10);
    evaluate(fx, 0.97f, 0.93f, 0.97f, 0.93f);
    push_n(fx, all_easy(), 60);
    l = find_line(&fx->out, "all_easy", "raised");
    assert_non_null(strstr(l, "\"severity\":\"info\""));
    assert_int_equal(count_lines(&fx->out, "all_easy", "regraded"), 0);
    fixture_free(fx);
}

// --- Each code: trigger and non-trigger ---------------------------------------------------

static void test_collapse(void **state) {
    (void)state;
    fixture *fx = fixture_new();
    fx->in.set.miner = MINER_HARD;
    push_n(fx, collapsed(), 60);
    assert_true(raised(fx, FIND_COLLAPSE, MODEL_TRIPLET));
    ts_finding f[4];
    assert_int_equal(diag_findings(fx->diag, f, 4), 1);
    assert_string_equal(letters(&f[0]), "m");   // hard -> semihard
    assert_int_equal(f[0].severity, SEV_ERROR);
    fixture_free(fx);
    // The triplet model with a miner that is not a hardest one, on raw
    // embeddings: n. The Siamese model, raw or not: [ (its margin is absolute).
    fx = fixture_new();
    fx->in.set.normalize = 0;
    push2(fx, healthy(), healthy());
    for (int i = 0; i < 60; i++) push2(fx, collapsed(), collapsed());
    assert_true(raised(fx, FIND_COLLAPSE, MODEL_TRIPLET));
    assert_true(raised(fx, FIND_COLLAPSE, MODEL_SIAMESE));
    assert_int_equal(diag_findings(fx->diag, f, 4), 2);
    for (int i = 0; i < 2; i++)
        assert_string_equal(letters(&f[i]), f[i].model == MODEL_TRIPLET ? "n" : "[");
    fixture_free(fx);
    // Under cosine n changes nothing (it is of unit vectors already): [.
    fx = fixture_new();
    fx->in.set.normalize = 0;
    fx->in.set.distance = DIST_COSINE;
    push_n(fx, collapsed(), 60);
    assert_int_equal(diag_findings(fx->diag, f, 4), 1);
    assert_string_equal(letters(&f[0]), "[");
    fixture_free(fx);
    // Not a collapse: distances small but 5 % of the triplets easy, or d_an
    // at 40 % of the margin.
    fx = fixture_new();
    ts_stepstats st = collapsed();
    st.all.easy = 5000;
    st.all.semihard = 81000;
    push_n(fx, st, 100);
    st = collapsed();
    st.d_neg = 0.08f;
    push_n(fx, st, 100);
    assert_false(raised(fx, FIND_COLLAPSE, MODEL_TRIPLET));
    fixture_free(fx);
}

static void test_all_easy(void **state) {
    (void)state;
    fixture *fx = fixture_new();
    fx->in.set.margin = 0.04f;   // 3 % of d_an
    push_n(fx, all_easy(), 60);
    assert_true(raised(fx, FIND_ALL_EASY, MODEL_TRIPLET));
    // A margin that is merely no longer tiny (6 % of d_an) does not clear it:
    // there is still no gradient.
    fx->in.set.margin = 0.08f;
    push_n(fx, all_easy(), 100);
    assert_true(raised(fx, FIND_ALL_EASY, MODEL_TRIPLET));
    assert_int_equal(count_lines(&fx->out, "all_easy", "cleared"), 0);
    // The gradient coming back does: 5 % of the mined triplets active.
    ts_stepstats st = all_easy();
    st.active = 96;
    push_n(fx, st, 40);
    assert_false(raised(fx, FIND_ALL_EASY, MODEL_TRIPLET));
    const char *l = find_line(&fx->out, "all_easy", "cleared");
    assert_non_null(l);
    assert_non_null(strstr(l, "\"active\":0.04"));   // the window: 40 steps at 5 %, 10 before
    assert_non_null(strstr(l, "\"active_max\":0.02"));
    fixture_free(fx);
    // The same numbers with margin 0.2 are a converged healthy run (15 % of d_an),
    // and a soft margin always has a gradient.
    fx = fixture_new();
    push_n(fx, all_easy(), 100);
    fx->in.set.margin = 0.04f;
    fx->in.set.soft = 1;
    push_n(fx, all_easy(), 100);
    assert_false(raised(fx, FIND_ALL_EASY, MODEL_TRIPLET));
    assert_int_equal(fx->out.n, 0);
    fixture_free(fx);
}

// --miner offline, the listed triplets learned: 42 listed a step, none
// active, while 5 % of the batch's triplets are not easy (digits' numbers).
static ts_stepstats static_learned(void) {
    ts_stepstats st = healthy();
    st.loss = 0.0f;
    st.all = (ts_counts){170000, 161500, 6000, 2500};
    st.mined = (ts_counts){42, 42, 0, 0};
    st.active = 0;
    st.d_neg = 8.3f;
    return st;
}

static void test_static_triplets(void **state) {
    (void)state;
    fixture *fx = fixture_new();
    fx->in.set.miner = MINER_OFFLINE;
    fx->in.set.sampler = SAMPLER_UNIFORM;
    fx->in.set.normalize = 0;
    fx->in.set.margin = 1.0f;
    // Still learning (a fifth of the listed triplets active): quiet.
    ts_stepstats st = static_learned();
    st.active = 8;
    st.mined = (ts_counts){42, 34, 6, 2};
    push_n(fx, st, 100);
    assert_int_equal(fx->out.n, 0);
    // Learned: raised once the window's mean is under 0.02, with m.
    push_n(fx, static_learned(), 100);
    assert_true(raised(fx, FIND_STATIC_TRIPLETS, MODEL_TRIPLET));
    assert_false(raised(fx, FIND_ALL_EASY, MODEL_TRIPLET));
    ts_finding f[4];
    assert_int_equal(diag_findings(fx->diag, f, 4), 1);
    assert_string_equal(letters(&f[0]), "m");
    assert_int_equal(f[0].severity, SEV_ERROR);
    assert_non_null(strstr(f[0].message, "static triplets"));
    assert_non_null(strstr(f[0].message, "never re-mined"));
    const char *l = find_line(&fx->out, "static_triplets", "raised");
    assert_non_null(strstr(l, "\"miner\":\"offline\""));
    assert_non_null(strstr(l, "\"listed_easy\":1,"));
    // m: hardest-neg, online; its mined triplets are active again. Cleared
    // after the window, and the cleared line names the miner.
    fx->in.set.miner = MINER_HARDEST_NEG;
    st = static_learned();
    st.mined = (ts_counts){126, 90, 20, 16};
    st.active = 40;
    push_n(fx, st, 40);
    assert_false(raised(fx, FIND_STATIC_TRIPLETS, MODEL_TRIPLET));
    assert_non_null(strstr(find_line(&fx->out, "static_triplets", "cleared"), "\"miner\":\"hardest-neg\""));
    fixture_free(fx);
    // The same numbers online are no static list's fault (hardest-neg on
    // digits ends with as few active): quiet.
    fx = fixture_new();
    fx->in.set.miner = MINER_HARDEST_NEG;
    push_n(fx, static_learned(), 100);
    assert_false(raised(fx, FIND_STATIC_TRIPLETS, MODEL_TRIPLET));
    fixture_free(fx);
    // Offline, but the batch is all easy too (98 %): the model is done, or
    // the margin is tiny, which is all_easy's to say; a soft margin always
    // has a gradient.
    fx = fixture_new();
    fx->in.set.miner = MINER_OFFLINE;
    fx->in.set.sampler = SAMPLER_UNIFORM;
    fx->in.set.margin = 0.04f;
    st = static_learned();
    st.all = (ts_counts){170000, 169000, 800, 200};
    st.d_neg = 1.3f;
    push_n(fx, st, 100);
    assert_false(raised(fx, FIND_STATIC_TRIPLETS, MODEL_TRIPLET));
    assert_true(raised(fx, FIND_ALL_EASY, MODEL_TRIPLET));
    fixture_free(fx);
    fx = fixture_new();
    fx->in.set.miner = MINER_OFFLINE;
    fx->in.set.soft = 1;
    push_n(fx, static_learned(), 100);
    assert_int_equal(fx->out.n, 0);
    fixture_free(fx);
}

static void test_no_positives(void **state) {
    (void)state;
    fixture *fx = fixture_new();
    fx->in.batch = 16;
    fx->in.set.sampler = SAMPLER_UNIFORM;
    ts_stepstats st = healthy();
    st.no_positive = 3;   // 19 %
    push_n(fx, st, 60);
    assert_true(raised(fx, FIND_NO_POSITIVES, MODEL_TRIPLET));
    ts_finding f[4];
    diag_findings(fx->diag, f, 4);
    assert_string_equal(letters(&f[0]), "p");
    assert_int_equal(f[0].severity, SEV_WARN);
    fixture_free(fx);
    fx = fixture_new();
    fx->in.batch = 16;
    st.no_positive = 1;   // 6 %
    push_n(fx, st, 100);
    assert_false(raised(fx, FIND_NO_POSITIVES, MODEL_TRIPLET));
    fixture_free(fx);
}

// nothing_mined: no triplet mined at 40 of 50 steps; 35 of 50 is not most.
static void test_nothing_mined(void **state) {
    (void)state;
    fixture *fx = fixture_new();
    fx->in.set.sampler = SAMPLER_UNIFORM;
    fx->in.set.miner = MINER_HARD;
    ts_stepstats none = healthy(), some = healthy();
    none.loss = 0;
    none.all = (ts_counts){0, 0, 0, 0};
    none.mined = (ts_counts){0, 0, 0, 0};
    none.active = 0;
    none.no_positive = 128;
    for (int i = 0; i < 60; i++) push(fx, i % 10 < 7 ? none : some);   // 70 %
    assert_false(raised(fx, FIND_NOTHING_MINED, MODEL_TRIPLET));
    for (int i = 0; i < 60; i++) push(fx, i % 10 < 9 ? none : some);   // 90 %
    assert_true(raised(fx, FIND_NOTHING_MINED, MODEL_TRIPLET));
    assert_false(raised(fx, FIND_ALL_EASY, MODEL_TRIPLET));   // no triplet is not all easy
    ts_finding f[8];
    int n = diag_findings(fx->diag, f, 8);
    assert_true(n >= 1);
    assert_int_equal(f[0].code, FIND_NOTHING_MINED);   // the error, before no_positives' warn
    assert_string_equal(letters(&f[0]), "p");
    push_n(fx, some, 45);
    assert_false(raised(fx, FIND_NOTHING_MINED, MODEL_TRIPLET));
    fixture_free(fx);
}

// semihard_fallback: half the mined pairs or more fell back, under semihard only.
static void test_semihard_fallback(void **state) {
    (void)state;
    fixture *fx = fixture_new();
    ts_stepstats st = healthy();
    st.fallback = 900;   // 47 % of 1920
    push_n(fx, st, 60);
    assert_false(raised(fx, FIND_SEMIHARD_FALLBACK, MODEL_TRIPLET));
    st.fallback = 1000;   // 52 %
    push_n(fx, st, 60);
    assert_true(raised(fx, FIND_SEMIHARD_FALLBACK, MODEL_TRIPLET));
    const char *l = find_line(&fx->out, "semihard_fallback", "raised");
    assert_non_null(l);
    assert_non_null(strstr(l, "\"severity\":\"info\""));
    assert_null(strstr(l, "\"suggest\":\"m"));
    fixture_free(fx);
    fx = fixture_new();
    fx->in.set.miner = MINER_HARD;   // the count is semihard's
    push_n(fx, st, 60);
    assert_false(raised(fx, FIND_SEMIHARD_FALLBACK, MODEL_TRIPLET));
    fixture_free(fx);
}

// zero_distance: a pair at distance 0 that the loss reads at 40 of 50 steps
// (the triplet model: in a mined triplet), Euclidean only, and not during a
// collapse (which names the cause).
static void test_zero_distance(void **state) {
    (void)state;
    fixture *fx = fixture_new();
    ts_stepstats st = healthy();
    st.zero_pairs = 1;   // in the batch, but in no mined triplet
    push_n(fx, st, 60);
    assert_false(raised(fx, FIND_ZERO_DISTANCE, MODEL_TRIPLET));
    st.mined_zero = 1;
    push_n(fx, st, 60);
    assert_true(raised(fx, FIND_ZERO_DISTANCE, MODEL_TRIPLET));
    assert_false(raised(fx, FIND_ZERO_DISTANCE, MODEL_SIAMESE));
    ts_finding f[8];
    int n = diag_findings(fx->diag, f, 8);
    int found = 0;
    for (int i = 0; i < n; i++)
        if (f[i].code == FIND_ZERO_DISTANCE) {
            found = 1;
            assert_string_equal(letters(&f[i]), "d");
            assert_int_equal(f[i].severity, SEV_WARN);
        }
    assert_true(found);
    fx->in.set.distance = DIST_SQUARED;   // d: no square root, no infinite gradient
    push_n(fx, st, 45);
    assert_false(raised(fx, FIND_ZERO_DISTANCE, MODEL_TRIPLET));
    fixture_free(fx);
    fx = fixture_new();
    ts_stepstats c = collapsed();
    c.zero_pairs = 3000;
    c.mined_zero = 128;
    push_n(fx, c, 60);
    assert_true(raised(fx, FIND_COLLAPSE, MODEL_TRIPLET));
    assert_false(raised(fx, FIND_ZERO_DISTANCE, MODEL_TRIPLET));
    fixture_free(fx);
}

static void test_self_positive(void **state) {
    (void)state;
    fixture *fx = fixture_new();
    fx->in.set.miner = MINER_HARDEST_NEG;
    ts_stepstats st = healthy();
    st.mined = (ts_counts){32, 10, 10, 12};
    st.self_positive = 10;   // 31 %
    push_n(fx, st, 60);
    assert_true(raised(fx, FIND_SELF_POSITIVE, MODEL_TRIPLET));
    ts_finding f[4];
    diag_findings(fx->diag, f, 4);
    assert_string_equal(letters(&f[0]), "M");   // hardest-neg -> semihard
    // Once the miner is semi-hard the count is 0: cleared after the window.
    fx->in.set.miner = MINER_SEMIHARD;
    st.self_positive = 0;
    push_n(fx, st, 40);
    assert_false(raised(fx, FIND_SELF_POSITIVE, MODEL_TRIPLET));
    // ... and the cleared line names the miner that made it 0.
    assert_non_null(strstr(find_line(&fx->out, "self_positive", "cleared"), "\"miner\":\"semihard\""));
    fixture_free(fx);
    fx = fixture_new();
    fx->in.set.miner = MINER_HARDEST_NEG;
    st.mined = (ts_counts){128, 60, 30, 38};
    st.self_positive = 10;   // 8 %: batch 128
    push_n(fx, st, 100);
    assert_false(raised(fx, FIND_SELF_POSITIVE, MODEL_TRIPLET));
    fixture_free(fx);
}

static void test_margin_scale(void **state) {
    (void)state;
    ts_stepstats st = healthy();
    st.all = (ts_counts){100000, 30000, 60000, 10000};
    st.active = (long)(0.8 * st.mined.valid);   // most mined triplets active
    fixture *fx = fixture_new();
    fx->in.set.margin = 1.0f;   // half the sphere's diameter: over 0.5 sqrt(2)
    push_n(fx, st, 200);
    assert_false(raised(fx, FIND_MARGIN_SCALE, MODEL_TRIPLET));   // the warm-up
    push_n(fx, st, 40);
    assert_true(raised(fx, FIND_MARGIN_SCALE, MODEL_TRIPLET));
    ts_finding f[4];
    diag_findings(fx->diag, f, 4);
    assert_string_equal(letters(&f[0]), "-");
    assert_true(strlen(f[0].message) <= 100);
    // One '-' (0.8) is still wide: raised. A second (0.64) is under the
    // limit: cleared, and the line says so.
    fx->in.set.margin = 0.8f;
    push_n(fx, st, 60);
    assert_true(raised(fx, FIND_MARGIN_SCALE, MODEL_TRIPLET));
    fx->in.set.margin = 0.64f;
    push_n(fx, st, 40);
    assert_false(raised(fx, FIND_MARGIN_SCALE, MODEL_TRIPLET));
    const char *l = find_line(&fx->out, "margin_scale", "cleared");
    assert_non_null(strstr(l, "\"margin\":0.64"));
    assert_non_null(strstr(l, "\"limit\":0.707"));
    fixture_free(fx);
    // A wide margin that the data meets (digits at 1.2): raised only while
    // most triplets stay active, cleared when they no longer do.
    fx = fixture_new();
    fx->in.set.margin = 1.2f;
    push_n(fx, st, 240);
    assert_true(raised(fx, FIND_MARGIN_SCALE, MODEL_TRIPLET));
    ts_stepstats met = st;
    met.active = (long)(0.05 * st.mined.valid);
    push_n(fx, met, 80);
    assert_false(raised(fx, FIND_MARGIN_SCALE, MODEL_TRIPLET));
    assert_non_null(strstr(find_line(&fx->out, "margin_scale", "cleared"), "\"active\":0.05"));
    fixture_free(fx);
    // Not: a healthy margin however active (0.2), half active at 1.0, raw
    // embeddings, a soft margin, nor 0.8 on squared distances (range [0, 4]).
    fx = fixture_new();
    fx->in.set.margin = 0.2f;
    push_n(fx, st, 300);
    fx->in.set.margin = 1.0f;
    ts_stepstats half = st;
    half.active = (long)(0.5 * st.mined.valid);
    push_n(fx, half, 100);
    fx->in.set.normalize = 0;
    push_n(fx, st, 100);
    fx->in.set.normalize = 1;
    fx->in.set.soft = 1;
    push_n(fx, st, 100);
    fx->in.set.soft = 0;
    fx->in.set.margin = 0.8f;
    fx->in.set.distance = DIST_SQUARED;
    push_n(fx, st, 100);
    // Nor 0.45 under cosine (range [0, 2], unrelated directions at 1: the
    // limit is 0.5), n off or on.
    fx->in.set.margin = 0.45f;
    fx->in.set.distance = DIST_COSINE;
    push_n(fx, st, 100);
    fx->in.set.normalize = 0;
    push_n(fx, st, 100);
    assert_false(raised(fx, FIND_MARGIN_SCALE, MODEL_TRIPLET));
    assert_int_equal(count_lines(&fx->out, "margin_scale", "raised"), 0);
    fixture_free(fx);
    // Cosine at 0.6 is wide, n off or not: cosine is of unit vectors.
    fx = fixture_new();
    fx->in.set.distance = DIST_COSINE;
    fx->in.set.normalize = 0;
    fx->in.set.margin = 0.6f;
    push_n(fx, st, 240);
    assert_true(raised(fx, FIND_MARGIN_SCALE, MODEL_TRIPLET));
    l = find_line(&fx->out, "margin_scale", "raised");
    assert_non_null(strstr(l, "\"limit\":0.5,"));
    assert_non_null(strstr(l, "\"normalize\":true"));
    fixture_free(fx);
}

static void test_norm_drift(void **state) {
    (void)state;
    fixture *fx = fixture_new();
    fx->in.set.normalize = 0;
    ts_stepstats st = healthy();
    for (int i = 0; i < 400; i++) {
        st.norm.mean = 1.0f * powf(1.006f, (float)i);   // x 3.3 per 200 steps
        push(fx, st);
    }
    assert_true(raised(fx, FIND_NORM_DRIFT, MODEL_TRIPLET));
    ts_finding f[4];
    diag_findings(fx->diag, f, 4);
    assert_string_equal(letters(&f[0]), "n");
    assert_non_null(strstr(find_line(&fx->out, "norm_drift", "raised"), "\"normalize\":false"));
    fx->in.set.normalize = 1;   // n: the distances no longer follow the norms
    push_n(fx, st, 40);
    assert_false(raised(fx, FIND_NORM_DRIFT, MODEL_TRIPLET));
    // The cleared line says why the ratio, still high, no longer matters.
    assert_non_null(strstr(find_line(&fx->out, "norm_drift", "cleared"), "\"normalize\":true"));
    fixture_free(fx);
    // d to cosine ends it too, n still off: cosine normalises itself, and
    // the cleared line says so.
    fx = fixture_new();
    fx->in.set.normalize = 0;
    for (int i = 0; i < 400; i++) {
        st.norm.mean = 1.0f * powf(1.006f, (float)i);
        push(fx, st);
    }
    assert_true(raised(fx, FIND_NORM_DRIFT, MODEL_TRIPLET));
    fx->in.set.distance = DIST_COSINE;
    push_n(fx, st, 40);
    assert_false(raised(fx, FIND_NORM_DRIFT, MODEL_TRIPLET));
    const char *cl = find_line(&fx->out, "norm_drift", "cleared");
    assert_non_null(strstr(cl, "\"normalize\":true"));
    fixture_free(fx);
    // Not: growth only during the warm-up, a slow growth, or normalised embeddings.
    fx = fixture_new();
    fx->in.set.normalize = 0;
    for (int i = 0; i < 600; i++) {
        st.norm.mean = i < 100 ? 0.3f + 0.03f * i : i < 300 ? 3.3f : 3.3f * (1 + (i - 300) * 0.001f);
        push(fx, st);
    }
    fx->in.set.normalize = 1;
    for (int i = 0; i < 400; i++) {
        st.norm.mean = 1.0f * powf(1.006f, (float)i);
        push(fx, st);
    }
    // Nor under cosine with n off.
    fx->in.set.normalize = 0;
    fx->in.set.distance = DIST_COSINE;
    for (int i = 0; i < 400; i++) {
        st.norm.mean = 1.0f * powf(1.006f, (float)i);
        push(fx, st);
    }
    assert_false(raised(fx, FIND_NORM_DRIFT, MODEL_TRIPLET));
    fixture_free(fx);
}

static void test_too_hard(void **state) {
    (void)state;
    fixture *fx = fixture_new();
    fx->in.set.miner = MINER_HARDEST_NEG;
    fx->in.set.normalize = 0;
    fx->in.set.margin = 1.0f;
    ts_stepstats st = healthy();
    st.mined = (ts_counts){128, 10, 40, 78};   // 61 % hard
    st.d_pos = 0.4f;
    st.d_neg = 1.6f;
    for (int i = 0; i < 100; i++) {
        st.loss = i % 2 ? 0.7f : 1.0f;   // noisy, not falling
        push(fx, st);
    }
    assert_true(raised(fx, FIND_TOO_HARD, MODEL_TRIPLET));
    ts_finding f[4];
    diag_findings(fx->diag, f, 4);
    assert_string_equal(letters(&f[0]), "M");
    fixture_free(fx);
    // Not while the loss falls, nor in a collapse (that is collapse's finding).
    fx = fixture_new();
    fx->in.set.miner = MINER_HARD;
    for (int i = 0; i < 100; i++) {
        st.loss = 1.0f * powf(0.99f, (float)i);
        push(fx, st);
    }
    assert_false(raised(fx, FIND_TOO_HARD, MODEL_TRIPLET));
    push_n(fx, collapsed(), 100);
    assert_false(raised(fx, FIND_TOO_HARD, MODEL_TRIPLET));
    assert_true(raised(fx, FIND_COLLAPSE, MODEL_TRIPLET));
    fixture_free(fx);
}

static void test_diverged_nan(void **state) {
    (void)state;
    fixture *fx = fixture_new();
    push_n(fx, healthy(), 10);
    ts_stepstats st = healthy();
    st.loss = NAN;
    push(fx, st);
    assert_true(raised(fx, FIND_DIVERGED, MODEL_TRIPLET));   // at once: no window
    const char *l = find_line(&fx->out, "diverged", "raised");
    assert_non_null(l);
    assert_non_null(strstr(l, "\"step\":11,"));
    assert_non_null(strstr(l, "\"loss\":\"nan\""));
    assert_non_null(strstr(l, "\"suggest\":\"[r\""));   // [ first: r alone re-diverges
    assert_non_null(strstr(l, "NaN or Inf"));
    fixture_free(fx);
}

static void test_diverged_exploding(void **state) {
    (void)state;
    fixture *fx = fixture_new();
    push_n(fx, healthy(), 20);
    ts_stepstats st = healthy();
    st.loss = 1e6f;
    push_n(fx, st, 2);
    assert_false(raised(fx, FIND_DIVERGED, MODEL_TRIPLET));
    assert_int_equal(fx->stopped, 0);
    push(fx, st);   // the third in a row: exploded, and the engine pauses training
    assert_true(raised(fx, FIND_DIVERGED, MODEL_TRIPLET));
    assert_int_equal(fx->stopped, 1);
    const char *l = find_line(&fx->out, "diverged", "raised");
    assert_non_null(strstr(l, "\"baseline_median\":0.05"));
    assert_non_null(strstr(l, "exploded"));
    assert_null(strstr(l, "NaN"));   // finite: the message says so
    assert_non_null(strstr(l, "\"suggest\":\"[r\""));
    fixture_free(fx);
    // Not: two spikes, a 50x rise, or losses steadily in the thousands.
    fx = fixture_new();
    push_n(fx, healthy(), 20);
    push_n(fx, st, 2);
    push_n(fx, healthy(), 20);
    st.loss = 2.5f;   // 50x 0.05
    push_n(fx, st, 20);
    assert_false(raised(fx, FIND_DIVERGED, MODEL_TRIPLET));
    assert_int_equal(fx->stopped, 0);
    fixture_free(fx);
    fx = fixture_new();
    st.loss = 5000.0f;   // large from the start: not a rise
    push_n(fx, st, 100);
    assert_false(raised(fx, FIND_DIVERGED, MODEL_TRIPLET));
    fixture_free(fx);
}

// The Siamese loss falls by 30 % while both models' P@1 stay at chance (1/2).
static void no_signal_run(fixture *fx, float p1, float fall) {
    ts_stepstats st = healthy();
    for (int e = 0; e < 4; e++) {
        for (int i = 0; i < 100; i++) {
            ts_stepstats siam = st;
            siam.loss = 0.26f * (1.0f - fall * (float)(e * 100 + i) / 400.0f);
            push2(fx, siam, st);
        }
        evaluate(fx, p1, 0.25f, p1, 0.25f);
    }
}

static void test_no_signal(void **state) {
    (void)state;
    fixture *fx = fixture_new();
    no_signal_run(fx, 0.52f, 0.3f);
    assert_true(raised(fx, FIND_NO_SIGNAL, MODEL_BOTH));
    const char *l = find_line(&fx->out, "no_signal", "raised");
    assert_non_null(strstr(l, "\"model\":\"both\""));
    assert_non_null(strstr(l, "\"suggest\":\"\""));   // no key adds signal
    assert_non_null(strstr(l, "\"chance\":0.497"));
    // What triggered it: the chance tolerance (max(0.05, 3 sigma) = 0.106 over
    // 200 queries) and the loss fall (the Siamese model's: 0.19 by step 300).
    assert_non_null(strstr(l, "\"tolerance\":0.106"));
    assert_non_null(strstr(l, "\"loss_fall_siamese\":0.19"));
    assert_non_null(strstr(l, "\"loss_fall_triplet\":0,"));
    assert_non_null(strstr(l, "\"loss_fall_min\":0.1,"));
    fixture_free(fx);
    // Not when P@1 is well above chance, nor when no loss falls.
    fx = fixture_new();
    no_signal_run(fx, 0.9f, 0.3f);
    assert_false(raised(fx, FIND_NO_SIGNAL, MODEL_BOTH));
    fixture_free(fx);
    fx = fixture_new();
    no_signal_run(fx, 0.5f, 0.0f);
    assert_false(raised(fx, FIND_NO_SIGNAL, MODEL_BOTH));
    fixture_free(fx);
}

static void averaging_run(fixture *fx) {
    ts_stepstats st = healthy();
    st.mined = (ts_counts){100000, 85000, 9000, 6000};
    for (int i = 0; i < 600; i++) {
        st.loss = i % 2 ? 0.19f : 0.21f;                    // flat
        st.active = (long)(15000 - 15 * i);                // 15 % -> 6 %
        push(fx, st);
        if ((i + 1) % 100 == 0) evaluate(fx, 0.8f, 0.7f, 0.8f, 0.55f + 0.02f * (i + 1) / 100);
    }
}

static void test_averaging(void **state) {
    (void)state;
    fixture *fx = fixture_new();
    fx->in.set.miner = MINER_ALL;
    fx->in.set.reduce = REDUCE_NONZERO;
    averaging_run(fx);
    assert_true(raised(fx, FIND_AVERAGING, MODEL_TRIPLET));
    ts_finding f[8];
    int n = diag_findings(fx->diag, f, 8);
    int found = 0;
    for (int i = 0; i < n; i++)
        if (f[i].code == FIND_AVERAGING) {
            found = 1;
            assert_int_equal(f[i].severity, SEV_INFO);
            assert_string_equal(letters(&f[i]), "z");
        }
    assert_true(found);
    // z: the plain mean has no artefact to explain; the cleared line says so.
    fx->in.set.reduce = REDUCE_MEAN;
    push_n(fx, healthy(), 40);
    assert_false(raised(fx, FIND_AVERAGING, MODEL_TRIPLET));
    assert_non_null(strstr(find_line(&fx->out, "averaging", "cleared"), "\"reduce\":\"mean\""));
    fixture_free(fx);
    // With the plain mean the same numbers are not an artefact of averaging.
    fx = fixture_new();
    fx->in.set.miner = MINER_ALL;
    averaging_run(fx);
    assert_false(raised(fx, FIND_AVERAGING, MODEL_TRIPLET));
    fixture_free(fx);
}

// A Siamese model trained on inverted pair labels (digits, the question's
// setup): every distance near 0.1 against the pair margin 1, the positive
// pairs as far apart as the negative ones.
static ts_stepstats inverted(void) {
    ts_stepstats st = healthy();
    st.loss = 0.09f;
    st.all = (ts_counts){100000, 0, 57000, 43000};
    st.d_pos = 0.0975f;
    st.d_neg = 0.0985f;
    return st;
}

static void test_inverted_pairs(void **state) {
    (void)state;
    ts_finding f[4];
    // A watched run (no raw inputs): the distances alone; the key's advice.
    fixture *fx = fixture_new();
    fx->in.attached = 1;
    for (int i = 0; i < DIAG_RAISE_MIN - 1; i++) push2(fx, inverted(), healthy());
    assert_false(raised(fx, FIND_INVERTED_PAIRS, MODEL_SIAMESE));
    for (int i = 0; i < 11; i++) push2(fx, inverted(), healthy());
    assert_true(raised(fx, FIND_INVERTED_PAIRS, MODEL_SIAMESE));
    // Not misnamed a collapse, although d_neg is under a quarter of the pair margin.
    assert_false(raised(fx, FIND_COLLAPSE, MODEL_SIAMESE));
    assert_int_equal(diag_findings(fx->diag, f, 4), 1);
    assert_int_equal(f[0].severity, SEV_ERROR);
    assert_int_equal(f[0].model, MODEL_SIAMESE);
    assert_string_equal(letters(&f[0]), "l");
    const char *l = find_line(&fx->out, "inverted_pairs", "raised");
    assert_non_null(l);
    assert_non_null(strstr(l, "\"ratio_min\":0.9,"));
    assert_null(strstr(l, "raw_p_at_1"));   // unknown when watching
    assert_non_null(strstr(l, "\"pair_labels\":\"normal\""));
    // Positives closer again: cleared within 40 steps.
    push2(fx, healthy(), healthy());
    for (int i = 0; i < 38; i++) push2(fx, healthy(), healthy());
    assert_true(raised(fx, FIND_INVERTED_PAIRS, MODEL_SIAMESE));
    push2(fx, healthy(), healthy());
    assert_false(raised(fx, FIND_INVERTED_PAIRS, MODEL_SIAMESE));
    fixture_free(fx);

    // Watching, a held-out P@1 at chance vetoes it (labels that say nothing
    // leave positives as far as negatives too: no_signal's).
    fx = fixture_new();
    fx->in.attached = 1;
    push2(fx, inverted(), healthy());
    evaluate(fx, 0.52f, 0.05f, 0.52f, 0.05f);   // chance 0.497 + 0.106
    for (int i = 0; i < 100; i++) push2(fx, inverted(), healthy());
    assert_false(raised(fx, FIND_INVERTED_PAIRS, MODEL_SIAMESE));
    evaluate(fx, 0.70f, 0.30f, 0.52f, 0.05f);
    for (int i = 0; i < 50; i++) push2(fx, inverted(), healthy());
    assert_true(raised(fx, FIND_INVERTED_PAIRS, MODEL_SIAMESE));
    fixture_free(fx);

    // Only the Siamese model is judged: the triplet loss has no pair labels.
    fx = fixture_new();
    fx->in.attached = 1;
    for (int i = 0; i < 100; i++) push2(fx, healthy(), inverted());
    assert_false(raised(fx, FIND_INVERTED_PAIRS, MODEL_TRIPLET));
    assert_false(raised(fx, FIND_INVERTED_PAIRS, MODEL_SIAMESE));
    fixture_free(fx);

    // The trainer knows the raw inputs: it waits for the held-out P@1, and
    // raises when it is below the raw inputs' by more than the tolerance.
    fx = fixture_new();
    fx->in.raw_inputs = 1;
    fx->in.raw_p_at_1 = NAN;
    fx->in.set.pair_labels = PAIR_LABELS_INVERTED;
    for (int i = 0; i < 100; i++) push2(fx, inverted(), healthy());
    assert_false(raised(fx, FIND_INVERTED_PAIRS, MODEL_SIAMESE));
    assert_false(raised(fx, FIND_COLLAPSE, MODEL_SIAMESE));
    fx->in.raw_p_at_1 = 0.97f;
    evaluate(fx, 0.90f, 0.60f, 0.98f, 0.95f);   // 0.07 below: below (tolerance 0.05)
    for (int i = 0; i < DIAG_RAISE_MIN - 1; i++) push2(fx, inverted(), healthy());
    assert_false(raised(fx, FIND_INVERTED_PAIRS, MODEL_SIAMESE));
    push2(fx, inverted(), healthy());
    assert_true(raised(fx, FIND_INVERTED_PAIRS, MODEL_SIAMESE));
    l = find_line(&fx->out, "inverted_pairs", "raised");
    assert_non_null(strstr(l, "\"p_at_1\":0.9,\"raw_p_at_1\":0.97,\"tolerance\":0.05,"));
    assert_non_null(strstr(l, "\"suggest\":\"l\""));
    // l pressed: the labels are normal; while it is still raised, l is no
    // longer suggested (pressing it again would invert them again).
    fx->in.set.pair_labels = PAIR_LABELS_NORMAL;
    fx->in.last_change = fx->step;
    push2(fx, inverted(), healthy());
    assert_true(raised(fx, FIND_INVERTED_PAIRS, MODEL_SIAMESE));
    assert_int_equal(diag_findings(fx->diag, f, 4), 1);
    assert_int_equal(f[0].n_suggest, 0);
    fixture_free(fx);

    // P@1 within the tolerance of the raw inputs' (no signal to invert, as
    // on --data noise): nothing. Nor at a healthy ratio.
    fx = fixture_new();
    fx->in.raw_inputs = 1;
    fx->in.raw_p_at_1 = 0.54f;
    push2(fx, inverted(), healthy());
    evaluate(fx, 0.50f, 0.05f, 0.50f, 0.05f);
    for (int i = 0; i < 100; i++) push2(fx, inverted(), healthy());
    assert_false(raised(fx, FIND_INVERTED_PAIRS, MODEL_SIAMESE));
    evaluate(fx, 0.20f, 0.05f, 0.50f, 0.05f);
    ts_stepstats st = inverted();
    st.d_pos = 0.0985f * 0.85f;   // under 0.9 of d_neg
    for (int i = 0; i < 100; i++) push2(fx, st, healthy());
    assert_false(raised(fx, FIND_INVERTED_PAIRS, MODEL_SIAMESE));
    for (int i = 0; i < 100; i++) push2(fx, inverted(), healthy());
    assert_true(raised(fx, FIND_INVERTED_PAIRS, MODEL_SIAMESE));
    fixture_free(fx);
}

static void test_siamese_ahead(void **state) {
    (void)state;
    fixture *fx = fixture_new();
    fx->in.set.miner = MINER_HARD;
    push_n(fx, collapsed(), 100);
    evaluate(fx, 0.82f, 0.63f, 0.73f, 0.43f);
    assert_false(raised(fx, FIND_SIAMESE_AHEAD, MODEL_BOTH));   // one evaluation is not enough
    push_n(fx, collapsed(), 100);
    evaluate(fx, 0.82f, 0.65f, 0.73f, 0.44f);
    assert_true(raised(fx, FIND_SIAMESE_AHEAD, MODEL_BOTH));
    const char *l = find_line(&fx->out, "siamese_ahead", "raised");
    assert_non_null(strstr(l, "\"model\":\"both\""));
    assert_non_null(strstr(l, "\"triplet_findings\":\"collapse\""));
    assert_non_null(strstr(l, "\"suggest\":\"m\""));   // the triplet finding's key
    // A gap of 0.04 keeps it (hysteresis); two evaluations under 0.03 clear it.
    push_n(fx, healthy(), 100);
    evaluate(fx, 0.82f, 0.70f, 0.80f, 0.66f);
    push_n(fx, healthy(), 100);
    evaluate(fx, 0.82f, 0.70f, 0.80f, 0.66f);
    assert_true(raised(fx, FIND_SIAMESE_AHEAD, MODEL_BOTH));
    push_n(fx, healthy(), 100);
    evaluate(fx, 0.82f, 0.70f, 0.80f, 0.68f);
    assert_true(raised(fx, FIND_SIAMESE_AHEAD, MODEL_BOTH));
    push_n(fx, healthy(), 100);
    evaluate(fx, 0.82f, 0.70f, 0.80f, 0.69f);
    assert_false(raised(fx, FIND_SIAMESE_AHEAD, MODEL_BOTH));
    fixture_free(fx);
    // A gap of 0.04 from the start is never raised.
    fx = fixture_new();
    for (int e = 0; e < 5; e++) {
        push_n(fx, healthy(), 100);
        evaluate(fx, 0.9f, 0.97f, 0.9f, 0.93f);
    }
    assert_false(raised(fx, FIND_SIAMESE_AHEAD, MODEL_BOTH));
    fixture_free(fx);
}

// siamese_ahead names the triplet findings and takes their key; when one
// clears between two evaluations, it no longer names it, nor its key.
static void test_siamese_ahead_follows(void **state) {
    (void)state;
    fixture *fx = fixture_new();
    fx->in.set.miner = MINER_HARD;
    push_n(fx, collapsed(), 100);
    evaluate(fx, 0.82f, 0.63f, 0.73f, 0.43f);
    push_n(fx, collapsed(), 100);
    evaluate(fx, 0.82f, 0.65f, 0.73f, 0.44f);
    ts_finding f[TS_MAX_FINDINGS];
    int n = diag_findings(fx->diag, f, TS_MAX_FINDINGS);
    assert_int_equal(n, 2);
    assert_int_equal(f[1].code, FIND_SIAMESE_AHEAD);
    assert_non_null(strstr(f[1].message, "see collapse"));
    assert_string_equal(letters(&f[1]), "m");
    push_n(fx, healthy(), 100);   // collapse clears; no evaluation yet
    assert_false(raised(fx, FIND_COLLAPSE, MODEL_TRIPLET));
    n = diag_findings(fx->diag, f, TS_MAX_FINDINGS);
    assert_int_equal(n, 1);
    assert_int_equal(f[0].code, FIND_SIAMESE_AHEAD);
    assert_null(strstr(f[0].message, "collapse"));
    assert_string_equal(letters(&f[0]), "");
    assert_int_equal(f[0].severity, SEV_INFO);
    fixture_free(fx);
}

// Evaluations of the triplet model every 50 steps, each after 50 steps at
// loss[e] (so the loss up to it is loss[e]) and at MAP@R map[e]; the
// Siamese model's loss and MAP@R stay flat (0.05, 0.5).
static void overfit_run(fixture *fx, const float *map, const float *loss, int n) {
    for (int e = 0; e < n; e++) {
        ts_stepstats st = healthy();
        st.loss = loss[e];
        push_n(fx, st, 50);
        evaluate(fx, 0.8f, 0.5f, 0.8f, map[e]);
    }
}

static void test_overfit(void **state) {
    (void)state;
    // The best MAP@R at step 100, then three evaluations 0.035-0.05 below it
    // while the loss keeps falling: raised at the third (step 300), not before.
    static const float map[] = {0.50f, 0.52f, 0.485f, 0.48f, 0.47f};
    static const float loss[] = {0.10f, 0.09f, 0.08f, 0.07f, 0.06f};
    fixture *fx = fixture_new();
    overfit_run(fx, map, loss, 4);
    assert_false(raised(fx, FIND_OVERFIT, MODEL_TRIPLET));   // two below the best
    overfit_run(fx, map + 4, loss + 4, 1);
    assert_true(raised(fx, FIND_OVERFIT, MODEL_TRIPLET));
    assert_false(raised(fx, FIND_OVERFIT, MODEL_SIAMESE));
    const char *l = find_line(&fx->out, "overfit", "raised");
    assert_non_null(strstr(l, "\"step\":250,\"model\":\"triplet\""));
    assert_non_null(strstr(l, "\"severity\":\"warn\""));
    assert_non_null(strstr(l, "\"map_peak\":0.52,\"peak_step\":100,\"map_now\":0.47,"));
    assert_non_null(strstr(l, "\"fall_min\":0.03,\"evals_below\":3,\"below_since\":150,"));
    assert_non_null(strstr(l, "\"loss_then\":0.09,\"loss_now\":0.06,"));
    assert_non_null(strstr(l, "\"weight_decay\":0}"));
    assert_non_null(strstr(l, "\"suggest\":\"w\""));
    // Raised, it holds while MAP@R stays 0.015 below the best and the loss
    // under the loss then, even with the loss no longer falling.
    static const float hold_map[] = {0.50f, 0.49f}, hold_loss[] = {0.065f, 0.07f};
    overfit_run(fx, hold_map, hold_loss, 2);
    assert_true(raised(fx, FIND_OVERFIT, MODEL_TRIPLET));
    // The fix (w: weight decay): the loss rises past the loss at the best.
    // One evaluation so is not enough, two clear it.
    fx->in.set.weight_decay = 10.0f;
    static const float fix_map[] = {0.49f, 0.495f}, fix_loss[] = {0.095f, 0.10f};
    overfit_run(fx, fix_map, fix_loss, 1);
    assert_true(raised(fx, FIND_OVERFIT, MODEL_TRIPLET));
    overfit_run(fx, fix_map + 1, fix_loss + 1, 1);
    assert_false(raised(fx, FIND_OVERFIT, MODEL_TRIPLET));
    l = find_line(&fx->out, "overfit", "cleared");
    assert_non_null(strstr(l, "\"loss_then\":0.09,\"loss_now\":0.1,"));
    assert_non_null(strstr(l, "\"weight_decay\":10}"));
    assert_non_null(strstr(l, "\"suggest\":\"w\""));   // what was tried
    assert_int_equal(count_lines(&fx->out, "overfit", "raised"), 1);
    fixture_free(fx);

    // At the top rung of w there is no key left to suggest.
    fx = fixture_new();
    fx->in.set.weight_decay = 10.0f;
    overfit_run(fx, map, loss, 5);
    assert_true(raised(fx, FIND_OVERFIT, MODEL_TRIPLET));
    assert_non_null(strstr(find_line(&fx->out, "overfit", "raised"), "\"suggest\":\"\""));
    fixture_free(fx);

    // Not raised: the same MAP@R with a flat loss; a falling loss with MAP@R
    // only 0.02 below the best (noise: one evaluation of 1000 queries moves
    // by 0.01-0.02); a fall whose loss stopped falling over the three
    // evaluations; a loss of 0 (converged: nothing is fitted any more).
    static const float flat[] = {0.05f, 0.05f, 0.05f, 0.05f, 0.05f, 0.05f};
    static const float small[] = {0.50f, 0.52f, 0.50f, 0.50f, 0.50f, 0.50f};
    static const float stopped[] = {0.10f, 0.09f, 0.06f, 0.07f, 0.065f, 0.07f};
    static const float zero[] = {0, 0, 0, 0, 0, 0};
    static const float more_map[] = {0.50f, 0.52f, 0.485f, 0.48f, 0.47f, 0.47f};
    const float *maps[] = {more_map, small, more_map, more_map};
    const float *losses[] = {flat, loss, stopped, zero};
    static const float loss6[] = {0.10f, 0.09f, 0.08f, 0.07f, 0.06f, 0.05f};
    losses[1] = loss6;
    for (int i = 0; i < 4; i++) {
        fx = fixture_new();
        overfit_run(fx, maps[i], losses[i], 6);
        assert_false(raised(fx, FIND_OVERFIT, MODEL_TRIPLET));
        assert_int_equal(count_lines(&fx->out, "overfit", "raised"), 0);
        fixture_free(fx);
    }
}

// --- dim_collapse ---------------------------------------------------------------------

// An evaluation of both models with the given spreads (E dims each), good
// retrieval otherwise.
static void evaluate_spread(fixture *fx, int E, float rank_s, float pc1_s, float rank_t,
                            float pc1_t) {
    float rank[2] = {rank_s, rank_t}, pc1[2] = {pc1_s, pc1_t};
    for (int k = 0; k < MODEL_COUNT; k++) {
        ts_retrieval r = {0.9f, 0.8f, 0.8f, 200, {rank[k], pc1[k], 0.05f, E}};
        track_push_eval(&fx->track[k], fx->step, &r);
    }
    run(fx);
}

static void test_dim_collapse(void **state) {
    (void)state;
    fixture *fx = fixture_new();
    fx->in.eval_classes = 10;   // the labels need min(32, 9) = 9 directions
    push_n(fx, healthy(), 150);
    evaluate_spread(fx, 32, 2.0f, 0.5f, 9.0f, 0.3f);
    assert_false(raised(fx, FIND_DIM_COLLAPSE, MODEL_SIAMESE));   // one evaluation is not enough
    push_n(fx, healthy(), 100);
    evaluate_spread(fx, 32, 2.0f, 0.5f, 9.0f, 0.3f);
    assert_true(raised(fx, FIND_DIM_COLLAPSE, MODEL_SIAMESE));
    assert_false(raised(fx, FIND_DIM_COLLAPSE, MODEL_TRIPLET));
    const char *l = find_line(&fx->out, "dim_collapse", "raised");
    assert_non_null(strstr(l, "\"model\":\"siamese\""));
    assert_non_null(strstr(l, "\"severity\":\"warn\""));
    assert_non_null(strstr(l, "\"effective_rank\":2,\"needed\":9,\"rank_min\":3.6,"));
    assert_non_null(strstr(l, "\"suggest\":\"[r\""));
    assert_non_null(strstr(l, "effective rank 2.0 of the 9 the classes need, first PC 50 %"));
    // 3.5 is still under 0.4 x 9; two evaluations at 3.7 clear it.
    push_n(fx, healthy(), 100);
    evaluate_spread(fx, 32, 3.5f, 0.5f, 9.0f, 0.3f);
    push_n(fx, healthy(), 100);
    evaluate_spread(fx, 32, 3.7f, 0.5f, 9.0f, 0.3f);
    assert_true(raised(fx, FIND_DIM_COLLAPSE, MODEL_SIAMESE));
    push_n(fx, healthy(), 100);
    evaluate_spread(fx, 32, 3.7f, 0.5f, 9.0f, 0.3f);
    assert_false(raised(fx, FIND_DIM_COLLAPSE, MODEL_SIAMESE));
    // The first PC over 0.75 at a rank that would pass: raised too, for
    // the triplet model.
    push_n(fx, healthy(), 100);
    evaluate_spread(fx, 32, 9.0f, 0.3f, 5.0f, 0.8f);
    push_n(fx, healthy(), 100);
    evaluate_spread(fx, 32, 9.0f, 0.3f, 5.0f, 0.8f);
    assert_true(raised(fx, FIND_DIM_COLLAPSE, MODEL_TRIPLET));
    assert_false(raised(fx, FIND_DIM_COLLAPSE, MODEL_SIAMESE));
    fixture_free(fx);

    // Distances small (a collapse to a point): not this finding.
    fx = fixture_new();
    fx->in.eval_classes = 10;
    for (int e = 0; e < 3; e++) {
        push_n(fx, collapsed(), 100);
        evaluate_spread(fx, 32, 9.0f, 0.3f, 1.5f, 0.9f);
    }
    assert_true(raised(fx, FIND_COLLAPSE, MODEL_TRIPLET));
    assert_false(raised(fx, FIND_DIM_COLLAPSE, MODEL_TRIPLET));
    fixture_free(fx);

    // The warm-up: evaluations at steps 50 and 100 do not count.
    fx = fixture_new();
    fx->in.eval_classes = 10;
    push_n(fx, healthy(), 50);
    evaluate_spread(fx, 32, 1.2f, 0.95f, 1.2f, 0.95f);
    push_n(fx, healthy(), 50);
    evaluate_spread(fx, 32, 1.2f, 0.95f, 1.2f, 0.95f);
    assert_false(raised(fx, FIND_DIM_COLLAPSE, MODEL_SIAMESE));
    push_n(fx, healthy(), 50);
    evaluate_spread(fx, 32, 1.2f, 0.95f, 1.2f, 0.95f);
    assert_false(raised(fx, FIND_DIM_COLLAPSE, MODEL_SIAMESE));
    push_n(fx, healthy(), 50);
    evaluate_spread(fx, 32, 1.2f, 0.95f, 1.2f, 0.95f);
    assert_true(raised(fx, FIND_DIM_COLLAPSE, MODEL_SIAMESE));
    fixture_free(fx);

    // What the labels need decides: 3 classes need 2 directions (a first
    // PC of 0.9 and rank 1.2 are fine there); E = 4 under C - 1 = 9 needs 4
    // (rank 1.5 under 1.6 is raised, 2.0 not); unmeasured (NaN, no dims):
    // never.
    static const struct { int C, E; float rank, pc1; int want; } cases[] = {
        {3, 32, 1.2f, 0.9f, 0}, {2, 32, 1.0f, 1.0f, 0}, {10, 4, 1.5f, 0.5f, 1},
        {10, 4, 2.0f, 0.5f, 0}, {10, 32, NAN, NAN, 0}, {10, 0, 0.0f, 0.0f, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        fx = fixture_new();
        fx->in.eval_classes = cases[i].C;
        for (int e = 0; e < 3; e++) {
            push_n(fx, healthy(), 100);
            evaluate_spread(fx, cases[i].E, 9.0f, 0.3f, cases[i].rank, cases[i].pc1);
        }
        if (raised(fx, FIND_DIM_COLLAPSE, MODEL_TRIPLET) != cases[i].want)
            fail_msg("case %zu (C %d, E %d, rank %g, pc1 %g): raised %d", i, cases[i].C,
                     cases[i].E, cases[i].rank, cases[i].pc1, !cases[i].want);
        fixture_free(fx);
    }
}

// --- Order, messages, reset -------------------------------------------------------------

static void test_most_severe_first(void **state) {
    (void)state;
    fixture *fx = fixture_new();
    fx->in.batch = 16;
    fx->in.set.sampler = SAMPLER_UNIFORM;
    fx->in.set.miner = MINER_HARD;
    ts_stepstats st = healthy();
    st.no_positive = 4;
    push_n(fx, st, 100);                          // no_positives (warn) first
    evaluate(fx, 0.8f, 0.7f, 0.7f, 0.5f);
    ts_stepstats c = collapsed();
    c.no_positive = 4;
    push_n(fx, c, 100);                           // then collapse (error)
    evaluate(fx, 0.8f, 0.7f, 0.7f, 0.5f);         // and siamese_ahead (info)
    ts_finding f[TS_MAX_FINDINGS];
    int n = diag_findings(fx->diag, f, TS_MAX_FINDINGS);
    assert_int_equal(n, 3);
    assert_int_equal(f[0].code, FIND_COLLAPSE);
    assert_int_equal(f[1].code, FIND_NO_POSITIVES);
    assert_int_equal(f[2].code, FIND_SIAMESE_AHEAD);
    assert_true(f[0].step > f[1].step);           // severity before age
    // Fewer slots than findings: the most severe ones.
    assert_int_equal(diag_findings(fx->diag, f, 2), 2);
    assert_int_equal(f[0].code, FIND_COLLAPSE);
    assert_int_equal(f[1].code, FIND_NO_POSITIVES);
    assert_int_equal(diag_findings(fx->diag, f, 1), 1);
    assert_int_equal(f[0].code, FIND_COLLAPSE);
    fixture_free(fx);
}

// Every message fits a panel line; every evidence is a JSON object.
// label_noise: the suspects' share of the picks at 0.2 or more, counted
// (batch-hard or hardest-neg), past the 100-step warm-up, and no collapse.
static void test_label_noise(void **state) {
    (void)state;
    ts_picks p;   // three suspects, as the counts would leave them
    assert_int_equal(picks_init(&p, 10, 8), 0);
    static const int sus[3] = {7, 2, 5};
    for (int i = 0; i < 3; i++) {
        int s = sus[i];
        p.drawn[s] = p.hits[s] = p.strays[s] = 10;
        p.neg[s] = 40 - 10 * i;   // ratios 4, 3, 2: the order they are named in
        p.expect[s] = 10;
        p.flag[s] = 3;            // eligible, suspect
    }
    p.suspects = 3;
    for (int variant = 0; variant < 4; variant++) {
        fixture *fx = fixture_new();
        fx->in.set.miner = MINER_HARDEST_NEG;
        fx->in.set.normalize = 0;
        fx->in.set.margin = 1.0f;
        fx->in.picks = &p;
        ts_stepstats st = healthy();
        st.loss = 0.6f;
        st.d_neg = 2.8f;
        st.picks = (ts_pickstats){1, 80, 1438, 0.52f};
        if (variant == 1) st.d_neg = 0.2f;          // a collapse: ties, no evidence
        if (variant == 2) st.picks.counted = 0;     // another miner
        if (variant == 3) st.picks.share = 0.15f;   // no heavy tail
        push_n(fx, st, 139);
        assert_false(raised(fx, FIND_LABEL_NOISE, MODEL_TRIPLET));   // the warm-up, then 40 of 50
        push_n(fx, st, 1);
        assert_int_equal(raised(fx, FIND_LABEL_NOISE, MODEL_TRIPLET), variant == 0);
        if (variant == 0) {
            const char *l = find_line(&fx->out, "label_noise", "raised");
            assert_non_null(strstr(l, "\"step\":140,"));
            assert_non_null(strstr(l, "\"suspects\":\"7 2 5\""));
            assert_non_null(strstr(l, "\"suggest\":\"M\""));
            // M: semi-hard is not counted; cleared after the window.
            fx->in.set.miner = MINER_SEMIHARD;
            st.picks.counted = 0;
            push_n(fx, st, 40);
            assert_false(raised(fx, FIND_LABEL_NOISE, MODEL_TRIPLET));
            assert_non_null(strstr(find_line(&fx->out, "label_noise", "cleared"), "\"miner\":\"semihard\""));
        }
        fixture_free(fx);
    }
    picks_free(&p);
}

static void test_messages_fit(void **state) {
    (void)state;
    for (int c = 0; c < FIND_COUNT; c++) {
        assert_string_not_equal(diag_code_name((ts_finding_code)c), "?");
    }
    fixture *fx = fixture_new();
    fx->in.batch = 16;
    fx->in.set.miner = MINER_HARDEST_NEG;
    fx->in.set.margin = 1.5f;
    ts_stepstats st = collapsed();
    st.no_positive = 4;
    st.self_positive = 60;
    push_n(fx, st, 130);
    evaluate(fx, 0.8f, 0.7f, 0.7f, 0.5f);
    push_n(fx, st, 130);   // past margin_scale's warm-up
    evaluate(fx, 0.8f, 0.7f, 0.7f, 0.5f);
    ts_finding f[TS_MAX_FINDINGS];
    int n = diag_findings(fx->diag, f, TS_MAX_FINDINGS);
    assert_true(n >= 5);
    assert_true(diag_is_raised(fx->diag, FIND_MARGIN_SCALE, MODEL_TRIPLET));
    for (int i = 0; i < n; i++) {
        assert_true(strlen(f[i].message) <= 100);
        assert_true(f[i].n_evidence >= 1 && f[i].n_evidence <= TS_MAX_EVIDENCE);
        // The JSON line is whole: the evidence an object, the line closed.
        char line[4096];
        report_diagnosis(line, sizeof line, &trainer_info, f[i].step, &f[i], 1);
        assert_non_null(strstr(line, "\"evidence\":{\""));
        assert_int_equal(line[strlen(line) - 1], '}');
    }
    fixture_free(fx);
}

static void test_reset_forgets(void **state) {
    (void)state;
    fixture *fx = fixture_new();
    push_n(fx, collapsed(), 100);
    assert_true(raised(fx, FIND_COLLAPSE, MODEL_TRIPLET));
    int before = fx->out.n;
    diag_reset(fx->diag, &fx->changes);
    collect(fx);
    // The raised finding is closed in the log at the step of the reset.
    assert_int_equal(fx->out.n, before + 1);
    assert_non_null(strstr(fx->out.line[before], "\"state\":\"cleared\""));
    assert_non_null(strstr(fx->out.line[before], "\"step\":100,"));
    assert_non_null(strstr(fx->out.line[before], "{\"reset\":true}"));
    ts_finding f[4];
    assert_int_equal(diag_findings(fx->diag, f, 4), 0);
    // A new run from step 0: nothing stale comes back.
    fx->step = 0;
    for (int k = 0; k < MODEL_COUNT; k++) track_clear(&fx->track[k], (ts_model_kind)k);
    push_n(fx, healthy(), 200);
    assert_int_equal(fx->out.n, before + 1);
    fixture_free(fx);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_raise_needs_persistence),
        cmocka_unit_test(test_no_raise_before_a_full_window),
        cmocka_unit_test(test_clear_needs_persistence),
        cmocka_unit_test(test_no_flicker),
        cmocka_unit_test(test_collapse),
        cmocka_unit_test(test_all_easy),
        cmocka_unit_test(test_window_restart),
        cmocka_unit_test(test_restart_keeps_state),
        cmocka_unit_test(test_all_easy_severity),
        cmocka_unit_test(test_static_triplets),
        cmocka_unit_test(test_no_positives),
        cmocka_unit_test(test_self_positive),
        cmocka_unit_test(test_margin_scale),
        cmocka_unit_test(test_norm_drift),
        cmocka_unit_test(test_too_hard),
        cmocka_unit_test(test_diverged_nan),
        cmocka_unit_test(test_diverged_exploding),
        cmocka_unit_test(test_no_signal),
        cmocka_unit_test(test_averaging),
        cmocka_unit_test(test_inverted_pairs),
        cmocka_unit_test(test_siamese_ahead_follows),
        cmocka_unit_test(test_siamese_ahead),
        cmocka_unit_test(test_nothing_mined),
        cmocka_unit_test(test_semihard_fallback),
        cmocka_unit_test(test_zero_distance),
        cmocka_unit_test(test_overfit),
        cmocka_unit_test(test_dim_collapse),
        cmocka_unit_test(test_most_severe_first),
        cmocka_unit_test(test_label_noise),
        cmocka_unit_test(test_messages_fit),
        cmocka_unit_test(test_reset_forgets),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
