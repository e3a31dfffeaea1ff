// test_driver.c: the one schedule of a run, as headless mode and the
// interface both use it: steps, logging, evaluations, script commands, q,
// refusals, and a real divergence paused by the diagnosis and recovered by
// [ and r.
#include <stdlib.h>
#include <string.h>
#include "testutil.h"
#include "tripletscope/data.h"
#include "tripletscope/driver.h"

// --- Capturing the lines -------------------------------------------------------------

#define MAX_LINES 2048

typedef struct {
    char (*line)[1024];
    int n;
    int refusals;           // refused() calls
    ts_command refused_cmd;
    int end_on_refusal;     // what refused() answers
} sink;

static void capture(void *ctx, const char *line) {
    sink *k = ctx;
    if (k->n < MAX_LINES) snprintf(k->line[k->n++], sizeof k->line[0], "%s", line);
}

static int on_refused(void *ctx, ts_command c, long step, const char *why) {
    sink *k = ctx;
    (void)step;
    assert_true(why[0] != 0);
    k->refusals++;
    k->refused_cmd = c;
    return k->end_on_refusal;
}

static sink *sink_new(void) {
    sink *k = calloc(1, sizeof *k);
    assert_non_null(k);
    k->line = calloc(MAX_LINES, sizeof *k->line);
    assert_non_null(k->line);
    return k;
}

static void sink_free(sink *k) {
    free(k->line);
    free(k);
}

// Lines of a type ("step", "eval", ...), or of a diagnosis code and state.
static int count_type(const sink *k, const char *type) {
    char t[64];
    snprintf(t, sizeof t, "{\"type\":\"%s\"", type);
    int n = 0;
    for (int i = 0; i < k->n; i++) n += strncmp(k->line[i], t, strlen(t)) == 0;
    return n;
}

static int count_diag(const sink *k, const char *code, const char *state) {
    char c[64], st[64];
    snprintf(c, sizeof c, "\"code\":\"%s\"", code);
    snprintf(st, sizeof st, "\"state\":\"%s\"", state);
    int n = 0;
    for (int i = 0; i < k->n; i++) n += strstr(k->line[i], c) && strstr(k->line[i], st);
    return n;
}

// --- The data ------------------------------------------------------------------------

static ts_dataset train, test;

static int setup(void **state) {
    (void)state;
    return load_digits(&train, &test);
}

static int teardown(void **state) {
    (void)state;
    data_free(&train);
    data_free(&test);
    return 0;
}

static void small_config(ts_config *c) {
    config_default(c);
    c->n_hidden = 1;
    c->hidden[0] = 32;
    c->embed_dim = 8;
    c->batch = 32;
    c->k = 4;
    c->log_every = 5;
    c->eval_every = 20;
    c->eval_size = 100;
}

static ts_driver *make(const ts_config *c, const ts_driver_opts *o, sink *k) {
    ts_driver *d;
    ts_error err;
    ts_source_spec spec = {c, &train, &test, "digits", NULL};
    assert_int_equal(driver_create(&d, &spec, o, &err), 0);
    ts_driver_output out = {capture, on_refused, k};
    driver_set_output(d, &out);
    return d;
}

// --- The schedule --------------------------------------------------------------------

// Headless: --steps, the log and evaluation schedule, the final evaluation
// only when the last step was off the schedule, one summary.
static void test_headless_schedule(void **state) {
    (void)state;
    ts_config c;
    small_config(&c);
    ts_driver_opts o = {.stop_at = 50, .final_eval = 1};
    sink *k = sink_new();
    ts_driver *d = make(&c, &o, k);
    driver_begin(d);
    assert_int_equal(count_type(k, "config"), 1);
    int steps = 0;
    while (driver_running(d)) steps += driver_step(d);
    assert_int_equal(steps, 50);
    assert_int_equal(driver_step(d), 0);   // --steps reached
    assert_int_equal(count_type(k, "step"), 2 * 10);
    assert_int_equal(count_type(k, "eval"), 2 * 2);   // steps 20 and 40
    driver_finish(d, 1.0);
    assert_int_equal(count_type(k, "eval"), 2 * 3);   // and the last, step 50
    assert_int_equal(count_type(k, "summary"), 1);
    assert_non_null(strstr(k->line[k->n - 1], "\"steps\":50,"));
    driver_free(d);
    sink_free(k);
}

// A script's commands come after the step they name; q ends the run and
// nothing after it is given; space and '.' do nothing headless.
static void test_script_and_quit(void **state) {
    (void)state;
    ts_config c;
    small_config(&c);
    ts_driver_opts o = {.script = "0:p,3: .,7:m,9:qm,12:+", .stop_at = 100};
    sink *k = sink_new();
    ts_driver *d = make(&c, &o, k);
    driver_begin(d);
    assert_int_equal(count_type(k, "event"), 1);   // p at step 0
    while (driver_running(d)) driver_step(d);
    assert_true(driver_quit(d));
    assert_int_equal(driver_step_count(d), 9);
    assert_int_equal(count_type(k, "event"), 2);   // p, then m at 7; not the m after q
    assert_non_null(strstr(k->line[k->n - 1], "\"type\":\"event\",\"step\":7,\"key\":\"m\""));
    driver_free(d);
    sink_free(k);
}

// A refused command is reported to the front end, which may end the run
// (headless: a failed export); each refusal is a new notice.
static void test_refusals(void **state) {
    (void)state;
    ts_config c;
    small_config(&c);
    snprintf(c.export_dir, sizeof c.export_dir, "/nonexistent/dir");
    ts_driver_opts o = {.script = "2:e,4:m", .stop_at = 10};
    sink *k = sink_new();
    ts_driver *d = make(&c, &o, k);
    driver_begin(d);
    static ts_snapshot snap;
    driver_snapshot(d, &snap);
    long seq = snap.notice_seq;
    k->end_on_refusal = 1;
    while (driver_running(d)) driver_step(d);
    assert_int_equal(k->refusals, 1);
    assert_int_equal(k->refused_cmd, CMD_EXPORT);
    assert_true(driver_failed(d));
    assert_int_equal(driver_step_count(d), 2);
    assert_int_equal(count_type(k, "event"), 0);   // m was never given
    driver_snapshot(d, &snap);
    assert_non_null(strstr(snap.notice, "export failed: /nonexistent/dir/"));
    assert_int_equal(snap.notice_seq, seq + 1);
    driver_free(d);

    // Going on after a refusal: the same text again is still a new notice.
    c.set.sampler = SAMPLER_UNIFORM;
    c.k = 2;   // P = 16 > 10 classes: p is refused
    ts_driver_opts o2 = {.script = "1:pp", .stop_at = 3};
    k->refusals = 0;
    k->end_on_refusal = 0;
    d = make(&c, &o2, k);
    driver_begin(d);
    while (driver_running(d)) driver_step(d);
    assert_int_equal(k->refusals, 2);
    assert_false(driver_failed(d));
    assert_int_equal(driver_step_count(d), 3);
    driver_snapshot(d, &snap);
    assert_non_null(strstr(snap.notice, "p refused: "));
    assert_int_equal(snap.notice_seq, 2);
    driver_free(d);
    sink_free(k);
}

// Interactive: pause, one step, and a script's space pausing at its step.
static void test_pause_and_step(void **state) {
    (void)state;
    ts_config c;
    small_config(&c);
    ts_driver_opts o = {.script = "5: ", .stop_at = -1, .interactive = 1};
    sink *k = sink_new();
    ts_driver *d = make(&c, &o, k);
    driver_begin(d);
    for (int i = 0; i < 20 && driver_step(d); i++) {}
    assert_true(driver_paused(d));
    assert_int_equal(driver_step_count(d), 5);
    driver_command(d, CMD_STEP);
    assert_int_equal(driver_step_count(d), 6);
    driver_command(d, CMD_PAUSE);
    assert_false(driver_paused(d));
    assert_int_equal(driver_step(d), 1);
    assert_int_equal(driver_step_count(d), 7);
    driver_free(d);
    sink_free(k);
}

// --- The interface's pace and its stops ----------------------------------------------

// --steps in the interface: paused once at the step, with the notice; Space
// runs on; a reset stops there again. Headless, pause_at does nothing.
static void test_pause_at(void **state) {
    (void)state;
    ts_config c;
    small_config(&c);
    ts_driver_opts o = {.stop_at = -1, .interactive = 1, .pause_at = 12};
    sink *k = sink_new();
    ts_driver *d = make(&c, &o, k);
    driver_begin(d);
    for (int i = 0; i < 40 && driver_step(d); i++) {}
    assert_true(driver_paused(d));
    assert_true(driver_running(d));
    assert_int_equal(driver_step_count(d), 12);
    static ts_snapshot snap;
    driver_snapshot(d, &snap);
    assert_string_equal(snap.notice, "stopped at --steps 12: q quits, space runs on");
    assert_string_equal(driver_pause_why(d), "--steps 12");
    driver_command(d, CMD_PAUSE);
    assert_string_equal(driver_pause_why(d), "");
    for (int i = 0; i < 10; i++) assert_int_equal(driver_step(d), 1);
    assert_int_equal(driver_step_count(d), 22);
    assert_false(driver_paused(d));
    driver_command(d, CMD_RESET);
    for (int i = 0; i < 40 && driver_step(d); i++) {}
    assert_int_equal(driver_step_count(d), 12);
    driver_free(d);
    sink_free(k);

    o.interactive = 0;
    o.stop_at = 20;
    k = sink_new();
    d = make(&c, &o, k);
    driver_begin(d);
    while (driver_step(d)) {}
    assert_int_equal(driver_step_count(d), 20);
    driver_free(d);
    sink_free(k);
}

// The no-positives scenario's settings: uniform batches of 16 over 10
// classes raise no_positives within a few dozen steps.
static void no_positives_config(ts_config *c) {
    config_default(c);
    assert_int_equal(config_preset(c, "facenet"), 0);
    c->set.sampler = SAMPLER_UNIFORM;
    c->batch = 16;
    c->k = 4;
    c->eval_every = 0;
}

// --pause-on raised: paused at the step of the first raise, the notice
// naming it; a turns it off, and the run goes on through later raises.
static void test_auto_pause(void **state) {
    (void)state;
    ts_config c;
    no_positives_config(&c);
    ts_driver_opts o = {.stop_at = -1, .interactive = 1, .pause_on = TS_PAUSE_ON_RAISED};
    sink *k = sink_new();
    ts_driver *d = make(&c, &o, k);
    driver_begin(d);
    for (int i = 0; i < 300 && driver_step(d); i++) {}
    assert_true(driver_paused(d));
    long at = driver_step_count(d);
    assert_true(at < 300);
    assert_int_equal(count_diag(k, "no_positives", "raised"), 1);
    // The last diagnosis line is a raise at this step.
    int last = -1;
    for (int i = 0; i < k->n; i++)
        if (strstr(k->line[i], "\"type\":\"diagnosis\"")) last = i;
    assert_true(last >= 0);
    assert_non_null(strstr(k->line[last], "\"state\":\"raised\""));
    char want[64];
    snprintf(want, sizeof want, "\"step\":%ld,", at);
    assert_non_null(strstr(k->line[last], want));
    static ts_snapshot snap;
    driver_snapshot(d, &snap);
    snprintf(want, sizeof want, " raised at step %ld", at);
    assert_non_null(strstr(snap.notice, "auto-pause: "));
    assert_non_null(strstr(snap.notice, want));
    assert_string_equal(driver_pause_why(d), "no_positives raised");
    // a: off; Space: it runs on, whatever is raised.
    driver_command(d, CMD_AUTO_PAUSE);
    assert_int_equal(driver_pause_on(d), 0);
    driver_command(d, CMD_PAUSE);
    for (int i = 0; i < 200; i++) assert_int_equal(driver_step(d), 1);
    // a again: without a list, both.
    driver_command(d, CMD_AUTO_PAUSE);
    assert_int_equal(driver_pause_on(d), TS_PAUSE_ON_RAISED);
    driver_free(d);
    sink_free(k);

    // Without --pause-on, a turns on both.
    ts_driver_opts o2 = {.stop_at = -1, .interactive = 1};
    k = sink_new();
    d = make(&c, &o2, k);
    assert_int_equal(driver_pause_on(d), 0);
    driver_command(d, CMD_AUTO_PAUSE);
    assert_int_equal(driver_pause_on(d), TS_PAUSE_ON_RAISED | TS_PAUSE_ON_CLEARED);
    driver_free(d);
    sink_free(k);
}

// < and >: the rungs, in the interface; headless they do nothing.
static void test_speed_keys(void **state) {
    (void)state;
    ts_config c;
    small_config(&c);
    ts_driver_opts o = {.stop_at = -1, .interactive = 1, .speed = 5};
    sink *k = sink_new();
    ts_driver *d = make(&c, &o, k);
    assert_int_equal(driver_speed(d), 5);
    driver_command(d, CMD_FASTER);
    assert_int_equal(driver_speed(d), 10);
    driver_command(d, CMD_SLOWER);
    driver_command(d, CMD_SLOWER);
    assert_int_equal(driver_speed(d), 2);
    static ts_snapshot snap;
    driver_snapshot(d, &snap);
    assert_string_equal(snap.notice, "pace 2 steps/s");
    driver_free(d);
    sink_free(k);

    o.interactive = 0;
    o.stop_at = 5;
    k = sink_new();
    d = make(&c, &o, k);
    driver_command(d, CMD_FASTER);
    assert_int_equal(driver_speed(d), 5);
    driver_free(d);
    sink_free(k);
}

// --- A real divergence: paused by the diagnosis, recovered with [ and r -------------

static void test_diverges_and_recovers(void **state) {
    (void)state;
    ts_config c;
    config_default(&c);
    c.set.lr = 10.0f;   // Adam: the loss jumps 1.0 -> 1e6 in one step, finite
    c.eval_every = 0;
    ts_driver_opts o = {.stop_at = -1, .interactive = 1};
    sink *k = sink_new();
    ts_driver *d = make(&c, &o, k);
    driver_begin(d);
    int steps = 0;
    while (driver_step(d) && steps < 50) steps++;
    static ts_snapshot snap;
    driver_snapshot(d, &snap);
    assert_true(snap.diverged);                       // set by the diagnosis: finite losses
    assert_true(driver_paused(d));
    assert_true(steps <= 10);
    assert_int_equal(count_diag(k, "diverged", "raised"), 2);
    // Why it paused, and what to press: P (lr 10 -> the preset's 0.001).
    assert_non_null(strstr(snap.notice, "diverged at lr 10 (loss exploded): press P to go back to lr 0.001"));
    assert_int_equal(driver_step(d), 0);              // paused
    driver_command(d, CMD_PAUSE);                     // refused: it diverged
    assert_true(driver_paused(d));
    driver_snapshot(d, &snap);
    assert_non_null(strstr(snap.notice, "diverged at lr 10 (loss exploded): press P"));
    // [ 13 times (lr 10 -> 0.0012), then r: cleared, and it trains again.
    for (int i = 0; i < 13; i++) driver_command(d, CMD_LR_DOWN);
    driver_command(d, CMD_RESET);
    assert_false(driver_paused(d));
    driver_snapshot(d, &snap);
    assert_false(snap.diverged);
    assert_int_equal(snap.n_findings, 0);
    assert_int_equal(count_diag(k, "diverged", "cleared"), 2);
    int n_before = k->n;
    for (int i = 0; i < 200; i++) assert_int_equal(driver_step(d), 1);
    driver_snapshot(d, &snap);
    assert_false(snap.diverged);
    // Nothing stale: no divergence again, and nothing raised before a whole
    // window of the new run was seen.
    for (int i = n_before; i < k->n; i++) {
        const char *l = strstr(k->line[i], "\"type\":\"diagnosis\",\"step\":");
        if (!l) continue;
        assert_null(strstr(k->line[i], "\"code\":\"diverged\""));
        assert_true(atol(l + strlen("\"type\":\"diagnosis\",\"step\":")) >= DIAG_WINDOW);
    }
    driver_free(d);
    sink_free(k);
}

// Lines containing every one of the given texts.
static int count_with(const sink *k, const char *a, const char *b, const char *c) {
    int n = 0;
    for (int i = 0; i < k->n; i++)
        n += strstr(k->line[i], a) && (!b || strstr(k->line[i], b)) && (!c || strstr(k->line[i], c));
    return n;
}

// --- P: the starting settings again -------------------------------------------------

// Each key's notice names its change; P sets every changed setting back,
// one event a setting (key P), and the snapshot's settings_changed follows.
static void test_restore(void **state) {
    (void)state;
    ts_config c;
    config_default(&c);
    c.eval_every = 0;
    ts_driver_opts o = {.stop_at = -1, .interactive = 1};
    sink *k = sink_new();
    ts_driver *d = make(&c, &o, k);
    driver_begin(d);
    for (int i = 0; i < 5; i++) driver_step(d);
    static ts_snapshot snap;
    driver_snapshot(d, &snap);
    assert_false(snap.settings_changed);
    driver_command(d, CMD_MINER_PREV);
    driver_snapshot(d, &snap);
    assert_string_equal(snap.notice, "miner hardest-neg -> semihard");
    assert_true(snap.settings_changed);
    driver_command(d, CMD_MARGIN_UP);
    driver_command(d, CMD_MARGIN_DOWN);   // the margin back (to the events' precision)
    driver_command(d, CMD_NORMALIZE);
    driver_command(d, CMD_RESET);         // r keeps the settings, and says so
    driver_snapshot(d, &snap);
    assert_non_null(strstr(snap.notice, "the settings kept (P restores the starting settings)"));
    assert_true(snap.settings_changed);
    for (int i = 0; i < 3; i++) driver_step(d);
    int n0 = k->n;
    driver_command(d, CMD_RESTORE);
    assert_int_equal(k->n - n0, 2);   // miner and normalize; not the margin
    assert_int_equal(count_with(k, "\"key\":\"P\",\"setting\":\"miner\"",
                                "\"from\":\"semihard\",\"to\":\"hardest-neg\"", NULL), 1);
    assert_int_equal(count_with(k, "\"key\":\"P\",\"setting\":\"normalize\"",
                                "\"from\":\"on\",\"to\":\"off\"", NULL), 1);
    assert_int_equal(count_with(k, "\"step\":3,\"key\":\"P\"", NULL, NULL), 2);
    driver_snapshot(d, &snap);
    assert_false(snap.settings_changed);
    assert_int_equal(snap.cfg.set.miner, c.set.miner);
    assert_int_equal(snap.cfg.set.normalize, c.set.normalize);
    assert_int_equal(snap.step, 3);   // no reset: the run goes on
    assert_non_null(strstr(snap.notice, "P: the starting settings again: miner semihard -> hardest-neg"));
    // The steps after P are of a new generation of what it changed, on the
    // models each change acts on (the diagnosis' windows restart there).
    driver_step(d);
    driver_snapshot(d, &snap);
    assert_int_equal(snap.model[MODEL_TRIPLET].last.gen[READ_MINING], 1);
    assert_int_equal(snap.model[MODEL_TRIPLET].last.gen[READ_SPACE], 1);
    assert_int_equal(snap.model[MODEL_TRIPLET].last.gen[READ_LOSS], 0);
    assert_int_equal(snap.model[MODEL_SIAMESE].last.gen[READ_MINING], 0);
    assert_int_equal(snap.model[MODEL_SIAMESE].last.gen[READ_SPACE], 1);
    n0 = k->n;
    driver_command(d, CMD_RESTORE);   // nothing to restore: no line, a notice
    assert_int_equal(k->n, n0);
    driver_snapshot(d, &snap);
    assert_non_null(strstr(snap.notice, "already"));
    driver_free(d);
    sink_free(k);
}

// After a divergence P is the one key: lr 10 (a flag) -> the preset's
// 0.001, and a reset (r's line); the run trains again.
static void test_restore_after_divergence(void **state) {
    (void)state;
    ts_config c;
    config_default(&c);
    c.set.lr = 10.0f;
    c.eval_every = 0;
    ts_driver_opts o = {.stop_at = -1, .interactive = 1};
    sink *k = sink_new();
    ts_driver *d = make(&c, &o, k);
    driver_begin(d);
    for (int steps = 0; driver_step(d) && steps < 50; steps++) continue;
    static ts_snapshot snap;
    driver_snapshot(d, &snap);
    assert_true(snap.diverged);
    assert_true(driver_paused(d));
    driver_command(d, CMD_RESTORE);
    assert_false(driver_paused(d));
    driver_snapshot(d, &snap);
    assert_false(snap.diverged);
    assert_int_equal(snap.step, 0);
    assert_true(snap.cfg.set.lr < 0.0011f && snap.cfg.set.lr > 0.0009f);
    assert_true(snap.settings_changed);   // the lr is the preset's, not the starting 10
    assert_int_equal(count_with(k, "\"key\":\"P\",\"setting\":\"lr\"",
                                "\"from\":\"10\",\"to\":\"0.001\"", NULL), 1);
    assert_int_equal(count_with(k, "\"key\":\"r\",\"setting\":\"reset\"", NULL, NULL), 1);
    assert_int_equal(count_diag(k, "diverged", "cleared"), 2);
    assert_non_null(strstr(snap.notice, "P: lr 10 -> 0.001; reset"));
    for (int i = 0; i < 100; i++) assert_int_equal(driver_step(d), 1);
    driver_snapshot(d, &snap);
    assert_false(snap.diverged);
    assert_int_equal(snap.step, 100);
    driver_free(d);
    sink_free(k);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_headless_schedule),
        cmocka_unit_test(test_script_and_quit),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_pause_and_step),
        cmocka_unit_test(test_diverges_and_recovers),
        cmocka_unit_test(test_pause_at),
        cmocka_unit_test(test_auto_pause),
        cmocka_unit_test(test_speed_keys),
        cmocka_unit_test(test_restore),
        cmocka_unit_test(test_restore_after_divergence),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
