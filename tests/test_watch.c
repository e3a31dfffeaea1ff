// test_watch.c: a watched run through the driver: the timeline (Left /
// Right, Home / End, f), what stays on screen while new dumps come, and
// what-if keys re-measuring the dump shown.
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "testutil.h"
#include "tripletscope/driver.h"

// --- A run directory written by hand ----------------------------------------------

static char dir[64];

// An NPY 1.0 file: descr, a 1-D (n) or 2-D (n, d) shape, then the bytes.
static void npy(const char *name, const char *descr, int n, int d, const void *data, size_t size) {
    char path[128], shape[32];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    if (d) snprintf(shape, sizeof shape, "(%d, %d)", n, d);
    else snprintf(shape, sizeof shape, "(%d,)", n);
    size_t total;
    unsigned char *b = npy_bytes(descr, 0, shape, data, size, &total);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(b, 1, total, f), total);
    assert_int_equal(fclose(f), 0);
    free(b);
}

// A batch at step s: 4 classes x 4 rows in 3 dimensions, spread s apart.
static void batch(int s) {
    float z[16 * 3];
    int32_t y[16];
    for (int i = 0; i < 16; i++) {
        y[i] = i / 4;
        for (int k = 0; k < 3; k++) z[i * 3 + k] = (float)((y[i] == k) * (1 + s)) + 0.01f * (float)(i % 4);
    }
    char name[40];
    snprintf(name, sizeof name, "batch-%d.npy", s);
    npy(name, "<f4", 16, 3, z, sizeof z);
    snprintf(name, sizeof name, "batch-%d.labels.npy", s);
    npy(name, "<i4", 16, 0, y, sizeof y);
}

static ts_driver *open_watch_at(const char *at, int follow) {
    static ts_config cfg;
    static ts_watch_opts wo;
    config_default(&cfg);
    cfg.eval_size = 0;
    memset(&wo, 0, sizeof wo);
    wo.n_dirs = 1;
    wo.dir[0] = at;
    wo.follow = follow;
    ts_source_spec spec = {&cfg, NULL, NULL, "watch", &wo};
    ts_driver_opts o = {.stop_at = -1, .interactive = 1};
    ts_driver *d;
    ts_error err;
    if (driver_create(&d, &spec, &o, &err)) fail_msg("%s", err.msg);
    driver_begin(d);
    return d;
}

static ts_driver *open_watch(int follow) { return open_watch_at(dir, follow); }

static ts_snapshot snap;

static int setup(void **state) {
    snprintf(dir, sizeof dir, "/tmp/tswatch.XXXXXX");
    assert_non_null(mkdtemp(dir));
    return 0;
}

static int teardown(void **state) {
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd);
}

// --- The timeline ---------------------------------------------------------------------

static void test_timeline(void **state) {
    for (int s = 0; s < 5; s++) batch(s * 10);
    ts_driver *d = open_watch(1);
    for (int i = 0; i < 5; i++) assert_int_equal(driver_step(d), 1);
    driver_snapshot(d, &snap);
    assert_true(snap.info.attached && snap.watch.following);
    assert_int_equal(snap.watch.n_steps, 5);
    assert_int_equal(snap.watch.shown_step, 40);
    assert_int_equal(snap.model[MODEL_TRIPLET].last.step, 40);

    driver_command(d, CMD_DUMP_PREV);
    driver_command(d, CMD_DUMP_PREV);
    driver_snapshot(d, &snap);
    assert_false(snap.watch.following);
    assert_int_equal(snap.watch.shown_step, 20);
    assert_int_equal(snap.watch.shown_index, 3);
    assert_int_equal(snap.model[MODEL_TRIPLET].last.step, 20);
    float d_neg20 = snap.model[MODEL_TRIPLET].last.d_neg;

    // A new dump while paused on step 20: read into the track, the screen stays.
    batch(50);
    driver_step(d);
    driver_snapshot(d, &snap);
    assert_int_equal(snap.watch.n_steps, 6);
    assert_int_equal(snap.watch.shown_step, 20);
    assert_int_equal(snap.model[MODEL_TRIPLET].last.step, 20);

    // A what-if re-measures the dump shown: normalised, its distances shrink.
    driver_command(d, CMD_NORMALIZE);
    driver_snapshot(d, &snap);
    assert_int_equal(snap.model[MODEL_TRIPLET].last.step, 20);
    assert_true(snap.model[MODEL_TRIPLET].last.d_neg < d_neg20);
    assert_true(snap.cfg.set.normalize);
    assert_int_equal(snap.n_events, 1);
    // ... and the dumps read from now on are of a new generation of the
    // distances (the diagnosis' windows restart there), of nothing else.
    assert_int_equal(snap.model[MODEL_TRIPLET].last.gen[READ_SPACE], 1);
    assert_int_equal(snap.model[MODEL_TRIPLET].last.gen[READ_MINING], 0);

    driver_command(d, CMD_DUMP_FIRST);
    driver_snapshot(d, &snap);
    assert_int_equal(snap.watch.shown_step, 0);
    driver_command(d, CMD_DUMP_PREV);   // stays at the first
    driver_snapshot(d, &snap);
    assert_int_equal(snap.watch.shown_step, 0);
    driver_command(d, CMD_DUMP_NEXT);
    driver_snapshot(d, &snap);
    assert_int_equal(snap.watch.shown_step, 10);

    driver_command(d, CMD_FOLLOW);
    driver_snapshot(d, &snap);
    assert_true(snap.watch.following);
    assert_int_equal(snap.watch.shown_step, 50);
    batch(60);
    driver_step(d);
    driver_snapshot(d, &snap);
    assert_int_equal(snap.watch.shown_step, 60);
    assert_int_equal(snap.model[MODEL_TRIPLET].last.step, 60);

    // r: the run's own settings again.
    driver_command(d, CMD_RESET);
    driver_snapshot(d, &snap);
    assert_false(snap.cfg.set.normalize);
    assert_int_equal(snap.n_events, 2);
    // The run's own settings again: every reading is of a new generation.
    assert_int_equal(snap.model[MODEL_TRIPLET].last.gen[READ_SPACE], 2);
    assert_int_equal(snap.model[MODEL_TRIPLET].last.gen[READ_MINING], 1);

    // Nothing new, following: waiting, not ended.
    driver_step(d);
    assert_true(driver_waiting(d));
    assert_true(driver_running(d));
    driver_free(d);
}

// Without following, the run ends after the last dump.
static void test_ends(void **state) {
    ts_driver *d = open_watch(0);
    int n = 0;
    while (driver_running(d) && n < 100) n += driver_step(d);
    assert_false(driver_running(d));
    assert_int_equal(driver_step_count(d), 60);
    driver_free(d);
}

// --- A contrastive run whose pair labels mean the opposite -----------------------

// A contrastive run (run.json) whose batches keep each class's 4 rows far
// apart and the rows of the same position in each class together: what a
// model trained on y = 1 - y tends to (positive pairs farther apart than
// negative ones).
static void inverted_run(const char *at, int steps) {
    char path[128];
    snprintf(path, sizeof path, "%s/run.json", at);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("{\"name\":\"keras\",\"loss\":\"contrastive\",\"pair_margin\":1.0}\n", f);
    assert_int_equal(fclose(f), 0);
    for (int s = 0; s < steps; s++) {
        float z[16 * 3];
        int32_t y[16];
        for (int i = 0; i < 16; i++) {
            y[i] = i / 4;
            for (int k = 0; k < 3; k++) z[i * 3 + k] = (float)((i % 4 == k) * 2) + 0.01f * (float)(y[i] + s % 3);
        }
        char name[80];
        snprintf(name, sizeof name, "%s/batch-%d.npy", at + strlen(dir) + 1, s);
        npy(name, "<f4", 16, 3, z, sizeof z);
        snprintf(name, sizeof name, "%s/batch-%d.labels.npy", at + strlen(dir) + 1, s);
        npy(name, "<i4", 16, 0, y, sizeof y);
    }
}

// inverted_pairs from the distances alone (no raw inputs), its key's
// advice; l there is a what-if of the loss only, and is refused without a
// contrastive run.
static void test_inverted_pairs(void **state) {
    char at[96];
    snprintf(at, sizeof at, "%s/keras", dir);
    assert_int_equal(mkdir(at, 0700), 0);
    inverted_run(at, 60);
    ts_driver *d = open_watch_at(at, 0);
    for (int i = 0; i < 60; i++) driver_step(d);
    driver_snapshot(d, &snap);
    assert_true(snap.model[MODEL_SIAMESE].enabled);
    assert_true(snap.model[MODEL_SIAMESE].last.d_pos > snap.model[MODEL_SIAMESE].last.d_neg);
    int found = 0;
    for (int i = 0; i < snap.n_findings; i++) {
        const ts_finding *f = &snap.findings[i];
        if (f->code != FIND_INVERTED_PAIRS) continue;
        found = 1;
        assert_int_equal(f->model, MODEL_SIAMESE);
        assert_int_equal(f->n_suggest, 1);
        assert_int_equal(f->suggest[0], CMD_PAIR_LABELS);
        assert_null(finding_evidence(f, "raw_p_at_1"));
        assert_non_null(strstr(command_info(f->suggest[0])->advice, "y = 1 - y"));
    }
    assert_true(found);
    // l: the loss of the shown batch as if the labels were inverted (the
    // loss's positives are now the other-label pairs); the distances stay.
    ts_stepstats before = snap.model[MODEL_SIAMESE].last;
    driver_command(d, CMD_PAIR_LABELS);
    driver_snapshot(d, &snap);
    const ts_stepstats *now = &snap.model[MODEL_SIAMESE].last;
    assert_int_equal(snap.cfg.set.pair_labels, PAIR_LABELS_INVERTED);
    assert_true(isfinite(now->loss) && now->loss != before.loss);
    assert_int_equal(now->pairs.pos, before.pairs.neg);
    assert_true(now->d_pos == before.d_pos && now->d_neg == before.d_neg);
    assert_int_equal(snap.n_events, 1);
    driver_command(d, CMD_RESET);   // the run's own settings again
    driver_snapshot(d, &snap);
    assert_int_equal(snap.cfg.set.pair_labels, PAIR_LABELS_NORMAL);
    assert_int_equal(snap.n_events, 2);
    assert_non_null(strstr(snap.notice, "the runs' own settings again"));
    // P is r here: the run's own settings (its event named "settings", key P).
    driver_command(d, CMD_PAIR_LABELS);
    driver_command(d, CMD_RESTORE);
    driver_snapshot(d, &snap);
    assert_int_equal(snap.cfg.set.pair_labels, PAIR_LABELS_NORMAL);
    assert_int_equal(snap.n_events, 4);
    assert_int_equal(snap.events[3].command, CMD_RESTORE);
    assert_string_equal(snap.events[3].setting, "settings");
    assert_false(snap.settings_changed);   // watching: the header has no preset to mark
    driver_command(d, CMD_RESET);
    driver_snapshot(d, &snap);
    assert_int_equal(snap.n_events, 5);
    // Nor has a contrastive run a triplet setting: o is refused.
    driver_command(d, CMD_SOFT);
    driver_snapshot(d, &snap);
    assert_int_equal(snap.n_events, 5);
    assert_non_null(strstr(snap.notice, "no triplet run is watched"));
    driver_free(d);
    // A triplet run has no pair labels: refused, no event.
    d = open_watch(0);
    driver_step(d);
    driver_command(d, CMD_PAIR_LABELS);
    driver_snapshot(d, &snap);
    assert_int_equal(snap.n_events, 0);
    assert_non_null(strstr(snap.notice, "contrastive"));
    driver_free(d);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_timeline),
        cmocka_unit_test(test_ends),
        cmocka_unit_test(test_inverted_pairs),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
