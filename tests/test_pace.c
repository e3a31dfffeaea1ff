// test_pace.c: the speed control's arithmetic: the ladder of rungs, --speed's
// values, the wait before the next step.
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>
#include "tripletscope/pace.h"

static void test_ladder(void **state) {
    // Up from 1 to full speed, through every rung; full speed stays.
    static const int up[] = {1, 2, 5, 10, 20, 50, 100, 200, 500, TS_PACE_FULL};
    int s = 1;
    for (size_t i = 1; i < sizeof up / sizeof up[0]; i++) {
        s = pace_faster(s);
        assert_int_equal(s, up[i]);
    }
    assert_int_equal(pace_faster(TS_PACE_FULL), TS_PACE_FULL);
    // And down again; 1 stays.
    for (int i = (int)(sizeof up / sizeof up[0]) - 2; i >= 0; i--) {
        s = pace_slower(s);
        assert_int_equal(s, up[i]);
    }
    assert_int_equal(pace_slower(1), 1);
}

static void test_between_rungs(void **state) {
    assert_int_equal(pace_faster(12), 20);
    assert_int_equal(pace_slower(12), 10);
    assert_int_equal(pace_faster(3), 5);
    assert_int_equal(pace_slower(3), 2);
    assert_int_equal(pace_faster(900), TS_PACE_FULL);
    assert_int_equal(pace_slower(900), 500);
}

static void test_parse(void **state) {
    int s = 7;
    assert_int_equal(pace_parse("full", &s), 0);
    assert_int_equal(s, TS_PACE_FULL);
    assert_int_equal(pace_parse("12", &s), 0);
    assert_int_equal(s, 12);
    assert_int_equal(pace_parse("100000", &s), 0);
    assert_int_equal(s, 100000);
    static const char *bad[] = {"", "0", "-1", "100001", "5x", "fast", "1.5", " 5"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        s = 7;
        assert_int_equal(pace_parse(bad[i], &s), -1);
        assert_int_equal(s, 7);
    }
    assert_int_equal(pace_parse(NULL, &s), -1);
}

static void test_wait(void **state) {
    // Full speed never waits, nor the first step.
    assert_true(pace_wait(TS_PACE_FULL, 10.0, 10.0) == 0);
    assert_true(pace_wait(5, -1, 10.0) == 0);
    // 5 steps/s: 0.2 s from the last step's start.
    assert_true(pace_wait(5, 10.0, 10.0) > 0.199 && pace_wait(5, 10.0, 10.0) < 0.201);
    assert_true(pace_wait(5, 10.0, 10.15) > 0.049 && pace_wait(5, 10.0, 10.15) < 0.051);
    // Due, or late (a step slower than the pace): no wait, no burst to catch up.
    assert_true(pace_wait(5, 10.0, 10.2) == 0);
    assert_true(pace_wait(5, 10.0, 12.0) == 0);
}

static void test_text(void **state) {
    char buf[32];
    pace_text(TS_PACE_FULL, buf, sizeof buf);
    assert_string_equal(buf, "full speed");
    pace_text(12, buf, sizeof buf);
    assert_string_equal(buf, "12 steps/s");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ladder),
        cmocka_unit_test(test_between_rungs),
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_wait),
        cmocka_unit_test(test_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
