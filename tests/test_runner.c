// test_runner.c: the training thread on a tiny data set, no terminal. Every
// wait polls the published view with a generous timeout and asserts on
// state, never on speed.
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "tripletscope/runner.h"

// Gives the command of a letter, as a script or the interface's key would.
static int give(ts_runner *r, char letter) { return runner_command(r, command_by_letter(letter)); }

#define TIMEOUT_S 20.0

// --- Fixtures ------------------------------------------------------------------------

static ts_dataset data;          // blobs: train and held-out alike (tests only)
static ts_runner_view *view;     // ~1 MB: on the heap

static int setup(void **state) {
    (void)state;
    view = calloc(1, sizeof *view);
    return view && data_make_blobs(240, 4, 8, 0.5f, 7, &data) == 0 ? 0 : -1;
}

static int teardown(void **state) {
    (void)state;
    data_free(&data);
    free(view);
    return 0;
}

static void small_config(ts_config *c) {
    config_default(c);
    c->batch = 32;
    c->k = 4;
    c->n_hidden = 1;
    c->hidden[0] = 16;
    c->embed_dim = 4;
    c->eval_every = 20;
    c->proj_points = 100;
}

static ts_runner *make(const ts_config *cfg, const char *script, const char *log, int paused) {
    ts_runner_opts o = {.script = script, .log_path = log, .start_paused = paused};
    ts_runner *r = NULL;
    ts_error err;
    if (runner_create(&r, cfg, &data, &data, "blobs", &o, &err)) fail_msg("%s", err.msg);
    if (runner_start(r, &err)) fail_msg("%s", err.msg);
    return r;
}

static double now_s(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static void nap(void) { usleep(2000); }

// The latest view, whatever its version.
static void latest(ts_runner *r) {
    long none = -1;
    runner_view(r, view, &none);
}

// Polls the view until pred holds; fails the test after TIMEOUT_S.
static void wait_until(ts_runner *r, int (*pred)(const ts_runner_view *, long), long arg,
                       const char *what) {
    double t0 = now_s();
    for (;;) {
        latest(r);
        if (view->version > 0 && pred(view, arg)) return;
        if (now_s() - t0 > TIMEOUT_S) fail_msg("timed out waiting for %s", what);
        nap();
    }
}

static int step_is(const ts_runner_view *v, long s) { return v->snap.step == s; }
static int step_beyond(const ts_runner_view *v, long s) { return v->snap.step > s; }
static int is_paused(const ts_runner_view *v, long unused) { (void)unused; return !v->running; }
static int is_running(const ts_runner_view *v, long unused) { (void)unused; return v->running; }
static int has_events(const ts_runner_view *v, long n) { return v->snap.n_events >= n; }
static int has_quit(const ts_runner_view *v, long unused) { (void)unused; return v->quit; }

// --- Tests -------------------------------------------------------------------------

static void test_start_paused_stays_put(void **state) {
    (void)state;
    ts_config c;
    small_config(&c);
    ts_runner *r = make(&c, NULL, NULL, 1);
    wait_until(r, is_paused, 0, "a paused view");
    usleep(100000);
    latest(r);
    assert_int_equal(view->snap.step, 0);
    assert_int_equal(view->running, 0);
    assert_int_equal(runner_free(r, NULL), 0);
}

static void test_space_pauses_and_resumes(void **state) {
    (void)state;
    ts_config c;
    small_config(&c);
    ts_runner *r = make(&c, NULL, NULL, 0);
    wait_until(r, step_beyond, 3, "steps");
    give(r, ' ');
    wait_until(r, is_paused, 0, "the pause");
    long s = view->snap.step;
    usleep(200000);
    latest(r);
    assert_int_equal(view->snap.step, s);        // the counter stopped
    assert_int_equal(view->running, 0);
    assert_true(view->steps_per_s == 0);
    give(r, ' ');
    wait_until(r, is_running, 0, "the resume");
    wait_until(r, step_beyond, s + 2, "steps after the resume");
    assert_int_equal(runner_free(r, NULL), 0);
}

static void test_dot_steps_exactly_one(void **state) {
    (void)state;
    ts_config c;
    small_config(&c);
    ts_runner *r = make(&c, NULL, NULL, 1);
    wait_until(r, is_paused, 0, "a paused view");
    give(r, '.');
    wait_until(r, step_is, 1, "step 1");
    usleep(100000);
    latest(r);
    assert_int_equal(view->snap.step, 1);
    for (int i = 0; i < 3; i++) give(r, '.');
    wait_until(r, step_is, 4, "step 4");
    usleep(100000);
    latest(r);
    assert_int_equal(view->snap.step, 4);
    assert_int_equal(view->running, 0);
    assert_int_equal(runner_free(r, NULL), 0);
}

static void test_key_shows_in_next_view(void **state) {
    (void)state;
    ts_config c;
    small_config(&c);
    c.set.margin = 0.2f;
    ts_runner *r = make(&c, NULL, NULL, 1);
    wait_until(r, is_paused, 0, "a paused view");
    give(r, 'm');
    give(r, '+');
    wait_until(r, has_events, 2, "two events");
    assert_int_equal(view->snap.cfg.set.miner, MINER_RANDOM);   // after hardest-neg
    assert_float_equal(view->snap.cfg.set.margin, 0.25f, 1e-6);
    const ts_event *ev = &view->snap.events[0];
    assert_int_equal(ev->command, CMD_MINER_NEXT);
    assert_string_equal(ev->setting, "miner");
    assert_string_equal(ev->from, "hardest-neg");
    assert_string_equal(ev->to, "random");
    assert_string_equal(view->snap.events[1].setting, "margin");
    assert_int_equal(view->snap.step, 0);                       // keys do not step
    assert_int_equal(runner_free(r, NULL), 0);
}

static void test_script_reproducible(void **state) {
    (void)state;
    ts_config c;
    small_config(&c);
    float loss[2];
    for (int run = 0; run < 2; run++) {
        ts_runner *r = make(&c, "3:m,5:q", NULL, 0);
        wait_until(r, has_quit, 0, "the script's q");
        usleep(50000);
        latest(r);
        assert_int_equal(view->snap.step, 5);     // q stops training at its step
        assert_int_equal(view->snap.n_events, 1);
        assert_int_equal(view->snap.events[0].step, 3);
        assert_int_equal(view->snap.cfg.set.miner, MINER_RANDOM);
        loss[run] = view->snap.model[MODEL_TRIPLET].last.loss;
        assert_int_equal(runner_free(r, NULL), 0);
    }
    assert_memory_equal(&loss[0], &loss[1], sizeof loss[0]);   // bit for bit
}

static void test_log_lines(void **state) {
    (void)state;
    char path[] = "/tmp/ts_test_runner_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    ts_config c;
    small_config(&c);
    c.log_every = 1;
    ts_runner *r = make(&c, NULL, path, 1);
    wait_until(r, is_paused, 0, "a paused view");
    give(r, 'm');
    give(r, '.');
    wait_until(r, step_is, 1, "step 1");
    assert_int_equal(runner_free(r, NULL), 0);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char line[8192], last[8192] = "";
    int n = 0, event = 0, steps = 0;
    while (fgets(line, sizeof line, f)) {
        if (n++ == 0) assert_non_null(strstr(line, "\"type\":\"config\""));
        if (strstr(line, "{\"type\":\"event\",\"step\":0,\"key\":\"m\",\"setting\":\"miner\","
                         "\"from\":\"hardest-neg\",\"to\":\"random\"}"))
            event = 1;
        if (strstr(line, "\"type\":\"step\"")) steps++;
        snprintf(last, sizeof last, "%s", line);
    }
    fclose(f);
    unlink(path);
    assert_true(event);
    assert_int_equal(steps, 2);                     // one step, both models
    assert_non_null(strstr(last, "\"type\":\"summary\""));
}

static int has_log_error(const ts_runner_view *v, long unused) {
    (void)unused;
    return v->log_error[0] != 0;
}

// A log on a full device: the view says so (the interface shows it) with the
// reason, training goes on, and runner_free reports it for the exit status.
static void test_log_write_error(void **state) {
    (void)state;
    ts_config c;
    small_config(&c);
    ts_runner *r = make(&c, NULL, "/dev/full", 0);
    wait_until(r, has_log_error, 0, "the log error");
    assert_string_equal(view->log_error, "/dev/full: write failed: No space left on device");
    long s = view->snap.step;
    wait_until(r, step_beyond, s + 2, "steps after the error");
    ts_error err;
    assert_int_equal(runner_free(r, &err), -1);
    assert_string_equal(err.msg, "--log /dev/full: write failed: No space left on device");
}

static void test_bad_script_and_log(void **state) {
    (void)state;
    ts_config c;
    small_config(&c);
    ts_runner *r = NULL;
    ts_error err;
    ts_runner_opts bad_script = {.script = "x:m"};
    assert_int_equal(runner_create(&r, &c, &data, &data, "blobs", &bad_script, &err), -1);
    assert_non_null(strstr(err.msg, "--script"));
    ts_runner_opts bad_log = {.log_path = "/nonexistent/dir/log.jsonl"};
    assert_int_equal(runner_create(&r, &c, &data, &data, "blobs", &bad_log, &err), -1);
    assert_non_null(strstr(err.msg, "--log /nonexistent/dir/log.jsonl"));
    assert_null(r);
    ts_runner_opts unknown_key = {.script = "5:m,6:Y"};
    assert_int_equal(runner_create(&r, &c, &data, &data, "blobs", &unknown_key, &err), -1);
    assert_non_null(strstr(err.msg, "\"6:Y\""));
    assert_null(r);
}

static int is_diverged(const ts_runner_view *v, long unused) {
    (void)unused;
    return v->snap.diverged && v->auto_paused && !v->running;
}
// Reset, running again, and past the step that diverged before.
static int is_reset(const ts_runner_view *v, long unused) {
    (void)unused;
    return !v->snap.diverged && v->running && v->snap.n_events == 1 &&
           v->snap.events[0].command == CMD_RESET && v->snap.step > 5;
}

static void test_divergence_pauses_until_reset(void **state) {
    (void)state;
    ts_config c;
    small_config(&c);
    c.n_hidden = 0;          // linear: nothing dies, the distances overflow
    c.set.distance = DIST_SQUARED;
    c.set.lr = 1e30f;
    ts_runner *r = make(&c, NULL, NULL, 0);
    wait_until(r, is_diverged, 0, "the divergence");
    assert_non_null(strstr(view->snap.notice, "NaN or Inf"));   // what happened, and the keys
    assert_non_null(strstr(view->snap.notice, "press ["));
    long s = view->snap.step;
    give(r, ' ');      // refused: nothing to resume
    usleep(100000);
    latest(r);
    assert_int_equal(view->snap.step, s);
    assert_int_equal(view->running, 0);
    // lr / 2^110 (about 1e-3), then a reset clears the divergence and resumes.
    for (int i = 0; i < 110; i++)
        while (give(r, '[')) nap();
    while (give(r, 'r')) nap();
    wait_until(r, is_reset, 0, "the reset");
    assert_int_equal(runner_free(r, NULL), 0);
}

// Adam at lr 10: the loss explodes but stays finite; the engine stops the
// run, and the notice does not claim NaN or Inf.
static void test_finite_explosion_notice(void **state) {
    (void)state;
    ts_config c;
    small_config(&c);
    c.set.lr = 10.0f;
    ts_runner *r = make(&c, NULL, NULL, 0);
    wait_until(r, is_diverged, 0, "the explosion");
    assert_non_null(strstr(view->snap.notice, "exploded"));
    assert_null(strstr(view->snap.notice, "NaN"));
    assert_int_equal(runner_free(r, NULL), 0);
}

static void test_quit_joins_while_running(void **state) {
    (void)state;
    ts_config c;
    small_config(&c);
    ts_runner *r = make(&c, NULL, NULL, 0);
    wait_until(r, step_beyond, 1, "steps");
    runner_stop(r);
    latest(r);
    long s = view->snap.step;
    usleep(50000);
    latest(r);
    assert_int_equal(view->snap.step, s);    // nothing runs after the join
    runner_stop(r);                          // idempotent
    assert_int_equal(runner_free(r, NULL), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_start_paused_stays_put),
        cmocka_unit_test(test_space_pauses_and_resumes),
        cmocka_unit_test(test_dot_steps_exactly_one),
        cmocka_unit_test(test_key_shows_in_next_view),
        cmocka_unit_test(test_script_reproducible),
        cmocka_unit_test(test_log_lines),
        cmocka_unit_test(test_log_write_error),
        cmocka_unit_test(test_bad_script_and_log),
        cmocka_unit_test(test_divergence_pauses_until_reset),
        cmocka_unit_test(test_finite_explosion_notice),
        cmocka_unit_test(test_quit_joins_while_running),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
