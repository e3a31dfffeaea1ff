// test_about.c: the finding view's table (diag_about.h): every finding code
// has a row, once, with a meaning of one or two sentences and a section of
// docs/failure-modes.md (that each section is a heading there is
// tests/cli/about_docs.sh's); the evidence units; the preview of a command's
// change (settings_preview) leaves the settings as they were.
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include "tripletscope/diag_about.h"
#include "tripletscope/settings.h"

static void test_every_code_has_a_row(void **state) {
    for (int c = 0; c < FIND_COUNT; c++) {
        const ts_diag_about *a = diag_about((ts_finding_code)c);
        if (!a) fail_msg("finding %s has no row in src/core/diag_about.c", diag_code_name(c));
        assert_int_equal(a->code, c);
        // One or two sentences, each ending in a full stop, short enough to read.
        size_t len = strlen(a->meaning);
        assert_true(len >= 40 && len <= 320);
        assert_int_equal(a->meaning[len - 1], '.');
        int stops = 0;
        for (const char *p = a->meaning; *p; p++) stops += p[0] == '.' && (p[1] == ' ' || !p[1]);
        if (stops < 1 || stops > 3) fail_msg("%s: %d sentences", diag_code_name(c), stops);
        // The section names the finding's own code.
        char want[40];
        snprintf(want, sizeof want, "`%s`", diag_code_name(c));
        assert_string_equal(a->section, want);
    }
    assert_null(diag_about(FIND_COUNT));
}

static void test_units(void **state) {
    assert_string_equal(diag_evidence_unit("window"), "steps");
    assert_string_equal(diag_evidence_unit("d_neg"), "distance units");
    assert_string_equal(diag_evidence_unit("miner"), "");
    assert_null(diag_evidence_unit("no_such_evidence"));
}

static void test_preview(void **state) {
    ts_settings s;
    memset(&s, 0, sizeof s);
    s.miner = MINER_HARDEST_NEG;
    s.margin = 1.0f;
    ts_settings before = s;
    char from[40], to[40];
    assert_int_equal(settings_preview(&s, CMD_MINER_PREV, 1, from, to), 1);
    assert_string_equal(from, "hardest-neg");
    assert_string_equal(to, "semihard");
    assert_memory_equal(&s, &before, sizeof s);
    assert_int_equal(settings_preview(&s, CMD_MARGIN_DOWN, 3, from, to), 1);
    assert_string_equal(from, "1");
    assert_string_equal(to, "0.512");
    assert_true(s.margin == 1.0f);
    assert_int_equal(settings_preview(&s, CMD_RESET, 1, from, to), 0);
    assert_int_equal(settings_preview(&s, CMD_PAUSE, 1, from, to), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_code_has_a_row),
        cmocka_unit_test(test_units),
        cmocka_unit_test(test_preview),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
