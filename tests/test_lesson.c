// test_lesson.c: lessons as files (lesson.h): the parser's good and bad
// lines, the embedded lessons, the runtime (what is due, a wait's keys),
// and the driver with a lesson: headless presses a wait's keys at its step
// as --script does; the interface holds there until the keys come, Space
// does not pass a wait, a pause passes on Space, --auto goes on by itself.
#include <stdlib.h>
#include <string.h>
#include "testutil.h"
#include "tripletscope/data.h"
#include "tripletscope/diagnose.h"
#include "tripletscope/driver.h"
#include "tripletscope/lesson.h"

static int parse(const char *text, ts_lesson *l, ts_error *err) {
    return lesson_parse(text, strlen(text), "t.lesson", l, err);
}

// --- The parser ------------------------------------------------------------------------

static void test_parse_good(void **state) {
    (void)state;
    ts_lesson l;
    ts_error err;
    const char *text =
        "# a comment\n"
        "\n"
        "title  A small lesson  \n"
        "flags --data digits --script \"5:p\" --steps 40\r\n"
        "flags --eval-every 20\n"
        "at 30 press n\n"
        "at 10 wait -- Press - twice.\n"
        "on raised too_hard say Too hard!\n"
        "at 10 say After the wait.\n"
        "  at 0 say\tHello   # not a comment here\n"
        "on cleared collapse pause Cleared.\n"
        "at 20 pause Look.";   // no newline at the end
    assert_int_equal(parse(text, &l, &err), 0);
    assert_string_equal(l.title, "A small lesson");
    assert_string_equal(l.name, "t");
    assert_int_equal(l.number, 0);
    assert_int_equal(l.flags_line, 4);
    assert_int_equal(l.argc, 8);
    assert_string_equal(l.argv[0], "--data");
    assert_string_equal(l.argv[3], "5:p");
    assert_string_equal(l.argv[5], "40");   // the \r is gone
    assert_string_equal(l.argv[6], "--eval-every");
    assert_string_equal(l.argv[7], "20");
    assert_int_equal(l.n, 7);
    // The at entries by step (stable), then the on ones in order.
    assert_int_equal(l.e[0].step, 0);
    assert_string_equal(l.e[0].text, "Hello   # not a comment here");
    assert_int_equal(l.e[1].step, 10);
    assert_int_equal(l.e[1].verb, LESSON_WAIT);
    assert_string_equal(l.e[1].keys, "--");
    assert_string_equal(l.e[1].text, "Press - twice.");
    assert_int_equal(l.e[2].step, 10);
    assert_int_equal(l.e[2].verb, LESSON_SAY);
    assert_int_equal(l.e[3].verb, LESSON_PAUSE);
    assert_int_equal(l.e[4].step, 30);
    assert_int_equal(l.e[4].verb, LESSON_PRESS);
    assert_string_equal(l.e[4].text, "");
    assert_true(l.e[5].on);
    assert_int_equal(l.e[5].code, FIND_TOO_HARD);
    assert_int_equal(l.e[5].raised, 1);
    assert_int_equal(l.e[5].line, 8);
    assert_int_equal(l.e[6].code, FIND_COLLAPSE);
    assert_int_equal(l.e[6].raised, 0);
    assert_int_equal(l.e[6].verb, LESSON_PAUSE);
    lesson_free(&l);
    assert_int_equal(l.n, 0);
}

static void test_parse_bad(void **state) {
    (void)state;
    static const struct {
        const char *text, *msg;
    } bad[] = {
        {"title x\nsay hi\n", "t.lesson:2: unknown directive \"say\""},
        {"at x say hi\n", "t.lesson:1: at: expected a step"},
        {"at -1 say hi\n", "t.lesson:1: at: expected a step"},
        {"at 99999999999999999999 say hi\n", "t.lesson:1: at: expected a step"},
        {"\n\nat 5 shout hi\n", "t.lesson:3: unknown verb \"shout\""},
        {"at 5\n", "t.lesson:1: expected say, pause, wait or press"},
        {"at 5 say\n", "t.lesson:1: say needs a text"},
        {"at 5 pause   \n", "t.lesson:1: pause needs a text"},
        {"at 5 press\n", "t.lesson:1: expected the keys"},
        {"at 5 wait MX go\n", "t.lesson:1: unknown key 'X' in \"MX\""},
        {"at 5 press mmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmm\n", "t.lesson:1: \"mmmmm"},
        {"at 5 wait mv x\n", "t.lesson:1: wait mv: 'v' cannot end a wait"},
        {"at 5 wait . x\n", "t.lesson:1: wait .: '.' cannot end a wait"},
        {"on raised no_such say x\n", "t.lesson:1: on raised: unknown finding \"no_such\""},
        {"on lowered collapse say x\n", "t.lesson:1: on: expected raised or cleared"},
        {"on raised collapse wait m x\n", "t.lesson:1: on ... wait: keys come at steps"},
        {"on raised collapse press m\n", "t.lesson:1: on ... press"},
        {"flags --data \"digits\n", "t.lesson:1: flags: a quote is not closed"},
        {"title a\ntitle b\n", "t.lesson:2: a second title"},
        {"title\n", "t.lesson:1: title needs a text"},
        {"at 1 say a\001b\n", "t.lesson:1: control character \\x01"},
        {"at 1 say a\rb\n", "t.lesson:1: control character \\x0d"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ts_lesson l;
        ts_error err;
        memset(&err, 0, sizeof err);
        assert_int_equal(parse(bad[i].text, &l, &err), -1);
        if (!strstr(err.msg, bad[i].msg)) {
            print_error("case %zu: \"%s\" does not hold \"%s\"\n", i, err.msg, bad[i].msg);
            fail();
        }
        assert_int_equal(l.n, 0);
        assert_null(l.argv);
    }
    // A NUL byte, a long line, a long text: each named, at its line.
    ts_lesson l;
    ts_error err;
    assert_int_equal(lesson_parse("at 1 say a\0b\n", 13, "t.lesson", &l, &err), -1);
    assert_non_null(strstr(err.msg, "t.lesson:1: a NUL byte"));
    char big[1200];
    memset(big, 'a', sizeof big);
    memcpy(big, "at 1 say ", 9);
    big[sizeof big - 1] = 0;
    assert_int_equal(parse(big, &l, &err), -1);
    assert_non_null(strstr(err.msg, "t.lesson:1: a line of more than 1000 bytes"));
    big[9 + 301] = 0;
    assert_int_equal(parse(big, &l, &err), -1);
    assert_non_null(strstr(err.msg, "t.lesson:1: the text is 301 bytes, at most 300"));
    big[9 + 300] = 0;
    assert_int_equal(parse(big, &l, &err), 0);
    lesson_free(&l);
}

// Every embedded lesson parses, has a title and flags; names and numbers
// load the same lesson; an unknown name is refused.
static void test_embedded(void **state) {
    (void)state;
    assert_int_equal(lesson_embedded_count(), 8);
    for (int i = 0; i < lesson_embedded_count(); i++) {
        ts_lesson l, m;
        ts_error err;
        assert_int_equal(lesson_embedded(i, &l, &err), 0);
        assert_int_equal(l.number, i + 1);
        assert_true(l.title[0] != 0);
        assert_true(l.argc > 0);
        char num[16];
        snprintf(num, sizeof num, "%d", i + 1);
        assert_int_equal(lesson_load(num, &m, &err), 0);
        assert_string_equal(m.name, l.name);
        lesson_free(&m);
        assert_int_equal(lesson_load(l.name, &m, &err), 0);
        assert_int_equal(m.number, i + 1);
        lesson_free(&m);
        lesson_free(&l);
    }
    ts_lesson l;
    ts_error err;
    assert_int_equal(lesson_load("nine", &l, &err), -1);
    assert_non_null(strstr(err.msg, "--lesson: no lesson \"nine\""));
    assert_int_equal(lesson_load("/no/such.lesson", &l, &err), -1);
    assert_non_null(strstr(err.msg, "/no/such.lesson: cannot open: "));
}

// --- The runtime -----------------------------------------------------------------------

static void test_runtime(void **state) {
    (void)state;
    ts_lesson l;
    ts_error err;
    assert_int_equal(parse("at 10 wait -m go\nat 10 say after\nat 20 press n\n"
                           "on raised collapse say c1\non raised collapse pause c2\n"
                           "on cleared collapse say c3\n", &l, &err), 0);
    ts_lesson_run r;
    assert_int_equal(lesson_run_init(&r, &l), 0);
    assert_null(lesson_run_due(&r, 9));
    const ts_lesson_entry *e = lesson_run_due(&r, 10);
    assert_non_null(e);
    assert_int_equal(e->verb, LESSON_WAIT);
    lesson_run_hold(&r, e);
    assert_int_equal(lesson_run_holding(&r), LESSON_HOLD_WAIT);
    assert_string_equal(lesson_run_wanted(&r), "-m");
    assert_null(lesson_run_due(&r, 10));              // held: the rest waits
    assert_int_equal(lesson_run_key(&r, 'm'), 0);     // not the next one wanted
    assert_string_equal(lesson_run_wanted(&r), "-m");
    assert_int_equal(lesson_run_key(&r, '-'), 0);
    assert_string_equal(lesson_run_wanted(&r), "m");
    assert_int_equal(lesson_run_key(&r, 'm'), 1);     // the last: over
    assert_int_equal(lesson_run_holding(&r), LESSON_HOLD_NONE);
    assert_string_equal(lesson_run_wanted(&r), "");
    e = lesson_run_due(&r, 10);
    assert_string_equal(e->text, "after");
    assert_null(lesson_run_due(&r, 15));
    e = lesson_run_due(&r, 25);                        // late is still due
    assert_int_equal(e->verb, LESSON_PRESS);
    assert_null(lesson_run_due(&r, 1000));             // on entries never come by step
    // Changes: each on entry once a run, in order.
    const ts_lesson_entry *on[4];
    assert_int_equal(lesson_run_change(&r, FIND_COLLAPSE, 0, on, 4), 1);
    assert_string_equal(on[0]->text, "c3");
    assert_int_equal(lesson_run_change(&r, FIND_COLLAPSE, 1, on, 4), 2);
    assert_string_equal(on[0]->text, "c1");
    assert_string_equal(on[1]->text, "c2");
    assert_int_equal(lesson_run_change(&r, FIND_COLLAPSE, 1, on, 4), 0);
    assert_int_equal(lesson_run_change(&r, FIND_TOO_HARD, 1, on, 4), 0);
    // A pause holds until released.
    lesson_run_hold(&r, on[1]);
    assert_int_equal(lesson_run_holding(&r), LESSON_HOLD_PAUSE);
    assert_int_equal(lesson_run_key(&r, 'm'), 0);
    lesson_run_release(&r);
    assert_int_equal(lesson_run_holding(&r), LESSON_HOLD_NONE);
    lesson_run_free(&r);
    // No lesson: nothing is ever due.
    assert_int_equal(lesson_run_init(&r, NULL), 0);
    assert_null(lesson_run_due(&r, 100));
    assert_int_equal(lesson_run_change(&r, FIND_COLLAPSE, 1, on, 4), 0);
    lesson_run_free(&r);
    lesson_free(&l);
}

// --- The driver with a lesson ----------------------------------------------------------

#define MAX_LINES 4096

typedef struct {
    char (*line)[512];
    int n;
} sink;

static void capture(void *ctx, const char *line) {
    sink *k = ctx;
    if (k->n < MAX_LINES) snprintf(k->line[k->n++], sizeof k->line[0], "%s", line);
}

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
    c->log_every = 5;
    c->eval_every = 0;
}

static ts_driver *make(const ts_config *c, const ts_driver_opts *o, sink *k) {
    ts_driver *d;
    ts_error err;
    ts_source_spec spec = {c, &train, &test, "digits", NULL};
    assert_int_equal(driver_create(&d, &spec, o, &err), 0);
    ts_driver_output out = {capture, NULL, k};
    driver_set_output(d, &out);
    return d;
}

// The lines of one type, in order, joined by newlines.
static void lines_of(const sink *k, const char *type, char *out, size_t n) {
    char t[64];
    snprintf(t, sizeof t, "{\"type\":\"%s\"", type);
    out[0] = 0;
    for (int i = 0; i < k->n; i++)
        if (!strncmp(k->line[i], t, strlen(t)))
            snprintf(out + strlen(out), n - strlen(out), "%s\n", k->line[i]);
}

static const char *const LESSON =
    "at 0 say start\n"
    "at 10 wait M Press M.\n"
    "at 10 say then this\n"
    "at 20 press n\n"
    "at 30 pause Look.\n";

static void test_driver_headless(void **state) {
    (void)state;
    ts_config c;
    small_config(&c);
    ts_lesson l;
    ts_error err;
    assert_int_equal(parse(LESSON, &l, &err), 0);
    static char a[65536], b[65536];
    // The lesson, and the same keys as a script: the same events and steps.
    sink *k1 = calloc(1, sizeof *k1), *k2 = calloc(1, sizeof *k2);
    k1->line = calloc(MAX_LINES, sizeof *k1->line);
    k2->line = calloc(MAX_LINES, sizeof *k2->line);
    ts_driver_opts o1 = {.stop_at = 40, .lesson = &l};
    ts_driver_opts o2 = {.stop_at = 40, .script = "10:M,20:n"};
    ts_driver *d = make(&c, &o1, k1);
    driver_begin(d);
    while (driver_step(d)) {}
    assert_int_equal(driver_step_count(d), 40);
    driver_free(d);
    d = make(&c, &o2, k2);
    driver_begin(d);
    while (driver_step(d)) {}
    driver_free(d);
    lines_of(k1, "event", a, sizeof a);
    lines_of(k2, "event", b, sizeof b);
    assert_string_equal(a, b);
    assert_non_null(strstr(a, "{\"type\":\"event\",\"step\":10,\"key\":\"M\""));
    assert_non_null(strstr(a, "{\"type\":\"event\",\"step\":20,\"key\":\"n\""));
    lines_of(k1, "step", a, sizeof a);
    lines_of(k2, "step", b, sizeof b);
    assert_string_equal(a, b);   // the same numbers, to the bit
    lines_of(k1, "narration", a, sizeof a);
    assert_string_equal(a, "{\"type\":\"narration\",\"step\":0,\"text\":\"start\"}\n"
                           "{\"type\":\"narration\",\"step\":10,\"text\":\"Press M.\"}\n"
                           "{\"type\":\"narration\",\"step\":10,\"text\":\"then this\"}\n"
                           "{\"type\":\"narration\",\"step\":30,\"text\":\"Look.\"}\n");
    free(k1->line);
    free(k2->line);
    free(k1);
    free(k2);
    lesson_free(&l);
}

static void test_driver_interactive(void **state) {
    (void)state;
    ts_config c;
    small_config(&c);
    ts_lesson l;
    ts_error err;
    assert_int_equal(parse(LESSON, &l, &err), 0);
    sink *k = calloc(1, sizeof *k);
    k->line = calloc(MAX_LINES, sizeof *k->line);
    ts_driver_opts o = {.stop_at = -1, .interactive = 1, .lesson = &l};
    ts_driver *d = make(&c, &o, k);
    static ts_snapshot snap;
    driver_begin(d);
    for (int i = 0; i < 100 && driver_step(d); i++) {}
    // Held at the wait: paused at step 10, saying why.
    assert_int_equal(driver_step_count(d), 10);
    assert_true(driver_paused(d));
    assert_string_equal(driver_pause_why(d), "the lesson waits for M");
    assert_false(driver_lesson_hold(d));   // no --auto: only the keys end it
    driver_snapshot(d, &snap);
    assert_true(snap.lesson.active);
    assert_string_equal(snap.lesson.text, "Press M.");
    assert_int_equal(snap.lesson.step, 10);
    assert_int_equal(snap.lesson.hold, LESSON_HOLD_WAIT);
    assert_string_equal(snap.lesson.keys, "M");
    // Space and . do not pass it, and say what to press.
    driver_command(d, CMD_PAUSE);
    assert_true(driver_paused(d));
    driver_snapshot(d, &snap);
    assert_string_equal(snap.notice, "press M to go on (the lesson waits for it)");
    driver_command(d, CMD_STEP);
    assert_int_equal(driver_step_count(d), 10);
    assert_int_equal(driver_step(d), 0);
    // Another key acts, and the wait goes on.
    driver_command(d, CMD_MINER_NEXT);
    assert_true(driver_paused(d));
    // M: applied, the wait is over, the rest of step 10 is told.
    driver_command(d, CMD_MINER_PREV);
    assert_false(driver_paused(d));
    driver_snapshot(d, &snap);
    assert_string_equal(snap.lesson.text, "then this");
    assert_int_equal(snap.lesson.hold, LESSON_HOLD_NONE);
    for (int i = 0; i < 100 && driver_step(d); i++) {}
    // Held at the pause (n pressed at 20 on the way); Space passes it.
    assert_int_equal(driver_step_count(d), 30);
    assert_string_equal(driver_pause_why(d), "lesson");
    driver_command(d, CMD_STEP);
    assert_int_equal(driver_step_count(d), 30);
    driver_command(d, CMD_PAUSE);
    assert_false(driver_paused(d));
    assert_int_equal(driver_step(d), 1);
    static char ev[65536];
    lines_of(k, "event", ev, sizeof ev);
    assert_non_null(strstr(ev, "{\"type\":\"event\",\"step\":10,\"key\":\"m\""));
    assert_non_null(strstr(ev, "{\"type\":\"event\",\"step\":10,\"key\":\"M\""));
    assert_non_null(strstr(ev, "{\"type\":\"event\",\"step\":20,\"key\":\"n\""));
    driver_free(d);

    // --auto: the hold is the front end's to end; driver_lesson_go presses M.
    k->n = 0;
    o.lesson_auto = 1;
    d = make(&c, &o, k);
    driver_begin(d);
    for (int i = 0; i < 100 && driver_step(d); i++) {}
    assert_int_equal(driver_step_count(d), 10);
    assert_true(driver_lesson_hold(d));
    driver_lesson_go(d);
    assert_false(driver_paused(d));
    assert_false(driver_lesson_hold(d));
    lines_of(k, "event", ev, sizeof ev);
    assert_string_equal(ev, "{\"type\":\"event\",\"step\":10,\"key\":\"M\",\"setting\":\"miner\","
                            "\"from\":\"hardest-neg\",\"to\":\"semihard\"}\n");
    for (int i = 0; i < 100 && driver_step(d); i++) {}
    assert_int_equal(driver_step_count(d), 30);
    assert_true(driver_lesson_hold(d));
    driver_lesson_go(d);
    assert_false(driver_paused(d));
    driver_free(d);

    // A pause at the step --steps stops at: its Space leaves the stop there,
    // a second Space runs on.
    k->n = 0;
    o.lesson_auto = 0;
    o.pause_at = 30;
    d = make(&c, &o, k);
    driver_begin(d);
    driver_command(d, CMD_MINER_PREV);   // M before the wait: not the wait's yet
    for (int i = 0; i < 100 && driver_step(d); i++) {}
    assert_int_equal(driver_step_count(d), 10);
    driver_command(d, CMD_MINER_PREV);
    for (int i = 0; i < 100 && driver_step(d); i++) {}
    assert_int_equal(driver_step_count(d), 30);
    assert_string_equal(driver_pause_why(d), "lesson");
    driver_command(d, CMD_PAUSE);
    assert_true(driver_paused(d));
    assert_string_equal(driver_pause_why(d), "--steps 30");
    driver_snapshot(d, &snap);
    assert_string_equal(snap.notice, "lesson: still paused at --steps 30: space runs on");
    driver_command(d, CMD_PAUSE);
    assert_false(driver_paused(d));
    assert_int_equal(driver_step(d), 1);
    driver_free(d);
    free(k->line);
    free(k);
    lesson_free(&l);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_good),
        cmocka_unit_test(test_parse_bad),
        cmocka_unit_test(test_embedded),
        cmocka_unit_test(test_runtime),
        cmocka_unit_test(test_driver_headless),
        cmocka_unit_test(test_driver_interactive),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
