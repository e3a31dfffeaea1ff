// test_dump.c: the trainer's run directory (--dump, dump.h): the NPY files
// byte for byte, run.json and scalars.jsonl, the refusal of a directory that
// holds a run, writes that fail mid-run (a model's directory replaced by a
// file: it fails as root too), and the driver's side: raw embeddings, a
// failure that is a notice in the interface and ends a headless run, a
// reset that stops dumping. The Python side (numpy.load) is tested apart.
#include <dirent.h>
#include <ftw.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "testutil.h"
#include "tripletscope/data.h"
#include "tripletscope/driver.h"
#include "tripletscope/dump.h"

// --- Files ----------------------------------------------------------------------------

static char tmp[64];   // this test's directory

static int rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw) {
    (void)sb, (void)flag, (void)ftw;
    return remove(p);
}

static void rm_rf(const char *p) { nftw(p, rm_one, 16, FTW_DEPTH | FTW_PHYS); }

static void path_of(char *out, size_t n, const char *rel) {
    snprintf(out, n, "%.63s/%.160s", tmp, rel);
}

static int exists(const char *rel) {
    char p[512];
    path_of(p, sizeof p, rel);
    struct stat st;
    return stat(p, &st) == 0;
}

// The whole of file rel (NUL-terminated; *n its length), or NULL.
static char *slurp(const char *rel, size_t *n) {
    char p[512];
    path_of(p, sizeof p, rel);
    FILE *f = fopen(p, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)len + 1);
    assert_non_null(b);
    assert_int_equal(fread(b, 1, (size_t)len, f), (size_t)len);
    fclose(f);
    b[len] = 0;
    if (n) *n = (size_t)len;
    return b;
}

// Files in dir rel whose names start with '.' (temporary files left behind).
static int dot_files(const char *rel) {
    char p[512];
    path_of(p, sizeof p, rel);
    DIR *d = opendir(p);
    if (!d) return 0;
    int n = 0;
    const struct dirent *e;
    while ((e = readdir(d)))
        n += e->d_name[0] == '.' && strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
    closedir(d);
    return n;
}

// Checks that rel is an NPY 1.0 file of descr and shape, a header padded
// to 64 bytes; returns its data (free the file: *file).
static const void *npy_data(const char *rel, const char *descr, const char *shape, size_t bytes,
                            char **file) {
    size_t n;
    char *b = slurp(rel, &n);
    assert_non_null(b);
    assert_memory_equal(b, "\x93NUMPY\x01\x00", 8);
    size_t hl = (unsigned char)b[8] | (size_t)(unsigned char)b[9] << 8;
    assert_int_equal((10 + hl) % 64, 0);
    assert_int_equal(b[10 + hl - 1], '\n');
    char want[160];
    snprintf(want, sizeof want, "{'descr': '%s', 'fortran_order': False, 'shape': %s, }", descr,
             shape);
    assert_memory_equal(b + 10, want, strlen(want));
    for (size_t i = 10 + strlen(want); i < 10 + hl - 1; i++) assert_int_equal(b[i], ' ');
    assert_int_equal(n, 10 + hl + bytes);
    *file = b;
    return b + 10 + hl;
}

static void small_config(ts_config *c) {
    config_default(c);
    c->n_hidden = 1;
    c->hidden[0] = 32;
    c->embed_dim = 3;
    c->batch = 32;
    c->k = 4;
    c->log_every = 5;
    c->eval_every = 5;
    c->eval_size = 100;
    path_of(c->dump_dir, sizeof c->dump_dir, "d");
}

static ts_run_info info_of(void) {
    ts_run_info info;
    memset(&info, 0, sizeof info);
    snprintf(info.data_name, sizeof info.data_name, "digits");
    info.n_eval = 4;
    return info;
}

static int setup_dir(void **state) {
    (void)state;
    snprintf(tmp, sizeof tmp, "/tmp/test_dump.XXXXXX");
    return mkdtemp(tmp) ? 0 : -1;
}

static int teardown_dir(void **state) {
    (void)state;
    rm_rf(tmp);
    return 0;
}

// --- The writer -----------------------------------------------------------------------

static void test_files(void **state) {
    (void)state;
    ts_config c;
    small_config(&c);
    c.dump_every = 5;
    c.set.distance = DIST_SQUARED;
    c.set.normalize = 1;
    ts_run_info info = info_of();
    ts_dump *d;
    ts_error err;
    assert_int_equal(dump_create(&d, &c, &info, &err), 0);
    char *run = slurp("d/triplet/run.json", NULL);
    assert_non_null(run);
    assert_non_null(strstr(run, "{\"name\":\"triplet\",\"loss\":\"triplet\",\"miner\":\"hardest-neg\","
                                "\"margin\":1,\"pair_margin\":1,\"distance\":\"squared\","
                                "\"normalize\":true,\"batch_sampler\":\"uniform\",\"seed\":0,"));
    assert_non_null(strstr(run, "\"dump_every\":5,"));
    free(run);
    run = slurp("d/siamese/run.json", NULL);
    assert_non_null(strstr(run, "\"name\":\"siamese\",\"loss\":\"contrastive\""));
    free(run);
    assert_true(dump_due(d, 10) && !dump_due(d, 7));

    const float z[2 * 3] = {1, 2, 3, -4, 5.5f, 1e-3f};
    const int y[2] = {7, 70000};
    assert_int_equal(dump_batch(d, MODEL_TRIPLET, 5, z, NULL, y, 2, 0.5f, 1e-3f, &err), 0);
    assert_int_equal(dump_batch(d, MODEL_TRIPLET, 10, z, NULL, y, 2, NAN, 2e-3f, &err), 0);
    char *f;
    assert_memory_equal(npy_data("d/triplet/batch-5.npy", "<f4", "(2, 3)", sizeof z, &f), z, sizeof z);
    free(f);
    assert_memory_equal(npy_data("d/triplet/batch-5.labels.npy", "<i4", "(2,)", sizeof y, &f), y,
                        sizeof y);
    free(f);
    char *sc = slurp("d/triplet/scalars.jsonl", NULL);
    assert_string_equal(sc, "{\"step\":5,\"loss\":0.5,\"lr\":0.001}\n"
                            "{\"step\":10,\"loss\":null,\"lr\":0.002}\n");
    free(sc);

    // An eval dump in pieces: 4 rows as 3 + 1.
    const float e[4 * 3] = {1, 0, 0, 0, 1, 0, 0, 0, 1, 2, 2, 2};
    const int ey[4] = {0, 1, 2, 3};
    assert_int_equal(dump_eval_begin(d, MODEL_SIAMESE, 10, 4, &err), 0);
    assert_int_equal(dump_eval_rows(d, e, 3, &err), 0);
    assert_false(exists("d/siamese/eval-10.npy"));   // not before it is whole
    assert_int_equal(dump_eval_rows(d, e + 9, 1, &err), 0);
    assert_int_equal(dump_eval_end(d, ey, &err), 0);
    assert_memory_equal(npy_data("d/siamese/eval-10.npy", "<f4", "(4, 3)", sizeof e, &f), e, sizeof e);
    free(f);
    assert_memory_equal(npy_data("d/siamese/eval-10.labels.npy", "<i4", "(4,)", sizeof ey, &f),
                        ey, sizeof ey);
    free(f);
    // Too few rows: refused, and nothing left behind.
    assert_int_equal(dump_eval_begin(d, MODEL_SIAMESE, 15, 4, &err), 0);
    assert_int_equal(dump_eval_rows(d, e, 2, &err), 0);
    assert_int_equal(dump_eval_end(d, ey, &err), -1);
    assert_false(exists("d/siamese/eval-15.npy"));
    assert_int_equal(dot_files("d/siamese") + dot_files("d/triplet"), 0);
    dump_free(d);
    assert_true(exists("d/triplet/run.json"));   // a run that dumped stays

    // The directory holds a run now: refused, one line naming it.
    assert_int_equal(dump_create(&d, &c, &info, &err), -1);
    assert_non_null(strstr(err.msg, "--dump "));
    assert_non_null(strstr(err.msg, "already holds a run"));
    assert_null(strchr(err.msg, '\n'));
    rm_rf(c.dump_dir);
}

// A run that dumps nothing leaves nothing; an existing empty directory is
// fine, and stays; --models siamese writes only its directory.
static void test_nothing_dumped(void **state) {
    (void)state;
    ts_config c;
    small_config(&c);
    ts_run_info info = info_of();
    ts_dump *d;
    ts_error err;
    assert_int_equal(dump_create(&d, &c, &info, &err), 0);
    assert_true(exists("d/siamese/run.json") && exists("d/triplet/scalars.jsonl"));
    dump_free(d);
    assert_false(exists("d"));

    char p[512];
    path_of(p, sizeof p, "d");
    assert_int_equal(mkdir(p, 0777), 0);
    c.models = TS_MODEL_BIT(MODEL_SIAMESE);
    assert_int_equal(dump_create(&d, &c, &info, &err), 0);
    assert_false(exists("d/triplet"));
    dump_free(d);
    assert_true(exists("d") && !exists("d/siamese"));
    rm_rf(p);

    // Not a directory; no parent.
    path_of(p, sizeof p, "file");
    fclose(fopen(p, "w"));
    path_of(c.dump_dir, sizeof c.dump_dir, "file");
    assert_int_equal(dump_create(&d, &c, &info, &err), -1);
    assert_non_null(strstr(err.msg, "not a directory"));
    path_of(c.dump_dir, sizeof c.dump_dir, "no/such");
    assert_int_equal(dump_create(&d, &c, &info, &err), -1);
    assert_non_null(strstr(err.msg, "--dump "));
    assert_non_null(strstr(err.msg, "no/such"));
    unlink(p);
}

// A model's directory replaced by a file mid-run: that model's writes fail
// with a line naming --dump and the file; the other's go on.
static void test_write_fails(void **state) {
    (void)state;
    ts_config c;
    small_config(&c);
    ts_run_info info = info_of();
    ts_dump *d;
    ts_error err;
    assert_int_equal(dump_create(&d, &c, &info, &err), 0);
    const float z[2 * 3] = {0};
    const int y[2] = {0, 1};
    assert_int_equal(dump_batch(d, MODEL_TRIPLET, 5, z, NULL, y, 2, 1, 1, &err), 0);
    char p[512];
    path_of(p, sizeof p, "d/triplet");
    rm_rf(p);
    fclose(fopen(p, "w"));
    assert_int_equal(dump_batch(d, MODEL_TRIPLET, 10, z, NULL, y, 2, 1, 1, &err), -1);
    assert_non_null(strstr(err.msg, "--dump "));
    assert_non_null(strstr(err.msg, "d/triplet/batch-10.npy"));
    assert_non_null(strstr(err.msg, "Not a directory"));
    assert_int_equal(dump_eval(d, MODEL_TRIPLET, 10, z, y, 2, &err), -1);
    assert_int_equal(dump_batch(d, MODEL_SIAMESE, 10, z, NULL, y, 2, 1, 1, &err), 0);
    dump_free(d);
    rm_rf(c.dump_dir);
}

// --- The driver -----------------------------------------------------------------------

static ts_dataset train, test;

static int setup_data(void **state) {
    if (setup_dir(state)) return -1;
    return load_digits(&train, &test);
}

static int teardown_data(void **state) {
    data_free(&train);
    data_free(&test);
    return teardown_dir(state);
}

typedef struct {
    int refusals;
    ts_command cmd;
    int end;   // what refused() answers
} refusals;

static int on_refused(void *ctx, ts_command c, long step, const char *why) {
    refusals *r = ctx;
    (void)step, (void)why;
    r->refusals++;
    r->cmd = c;
    return r->end;
}

static ts_driver *make(const ts_config *c, int interactive, refusals *r) {
    ts_driver *d;
    ts_error err;
    ts_driver_opts o = {.stop_at = -1, .interactive = interactive};
    ts_source_spec spec = {c, &train, &test, "digits", NULL};
    assert_int_equal(driver_create(&d, &spec, &o, &err), 0);
    ts_driver_output out = {NULL, r ? on_refused : NULL, r};
    driver_set_output(d, &out);
    driver_begin(d);
    return d;
}

static void steps(ts_driver *d, int n) {
    for (int i = 0; i < n; i++) assert_int_equal(driver_step(d), 1);
}

// The mean raw norm of the rows of an (n, E) dump.
static double mean_norm(const float *z, int n, int E) {
    double s = 0;
    for (int i = 0; i < n; i++) {
        double q = 0;
        for (int k = 0; k < E; k++) q += (double)z[i * E + k] * z[i * E + k];
        s += sqrt(q);
    }
    return s / n;
}

// The raw embeddings, normalising run or not: the batch's norms are the
// step's, and the held-out set's are not all 1.
static void test_driver_raw(void **state) {
    (void)state;
    for (int normalize = 0; normalize < 2; normalize++) {
        ts_config c;
        small_config(&c);
        c.set.normalize = normalize;
        c.dump_every = 5;
        ts_driver *d = make(&c, 0, NULL);
        steps(d, 10);
        ts_snapshot *sn = malloc(sizeof *sn);
        assert_non_null(sn);
        driver_snapshot(d, sn);
        char *f, shape[32];
        int n = sn->info.n_eval;
        for (int k = 0; k < MODEL_COUNT; k++) {
            char rel[64];
            snprintf(rel, sizeof rel, "d/%s/batch-10.npy", model_name((ts_model_kind)k));
            const float *z = npy_data(rel, "<f4", "(32, 3)", sizeof(float) * 32 * 3, &f);
            assert_close(mean_norm(z, 32, 3), sn->model[k].last.norm.mean, 1e-5, 0);
            free(f);
            snprintf(rel, sizeof rel, "d/%s/eval-10.npy", model_name((ts_model_kind)k));
            snprintf(shape, sizeof shape, "(%d, 3)", n);
            z = npy_data(rel, "<f4", shape, sizeof(float) * (size_t)n * 3, &f);
            assert_true(fabs(mean_norm(z, n, 3) - 1) > 1e-3);
            free(f);
        }
        assert_true(exists("d/triplet/batch-5.labels.npy") && !exists("d/triplet/batch-6.npy"));
        free(sn);
        driver_free(d);
        rm_rf(c.dump_dir);
    }
}

// Interface: a failed write is a notice, the run goes on, dumping stops.
// Headless (refused answers 1): it is a failed export, the run ends.
static void test_driver_failure(void **state) {
    (void)state;
    for (int interactive = 1; interactive >= 0; interactive--) {
        ts_config c;
        small_config(&c);
        refusals r = {.end = !interactive};
        ts_driver *d = make(&c, interactive, &r);
        steps(d, 4);
        char p[512];
        path_of(p, sizeof p, "d/triplet");
        rm_rf(p);
        fclose(fopen(p, "w"));
        steps(d, 1);   // step 5 dumps, and fails
        assert_int_equal(r.refusals, 1);
        assert_int_equal(r.cmd, CMD_EXPORT);
        ts_snapshot *sn = malloc(sizeof *sn);
        assert_non_null(sn);
        driver_snapshot(d, sn);
        assert_non_null(strstr(sn->notice, "--dump "));
        assert_non_null(strstr(sn->notice, "triplet/batch-5.npy"));
        free(sn);
        assert_int_equal(driver_failed(d), !interactive);
        assert_int_equal(driver_running(d), interactive);
        if (interactive) {
            unlink(p);
            mkdir(p, 0777);
            steps(d, 10);
            assert_true(exists("d/siamese/batch-5.npy") && !exists("d/siamese/batch-10.npy"));
            assert_int_equal(r.refusals, 1);
        }
        driver_free(d);
        rm_rf(c.dump_dir);
    }
}

// A reset stops dumping (DIR holds one run), with a notice.
static void test_driver_reset(void **state) {
    (void)state;
    ts_config c;
    small_config(&c);
    refusals r = {0};
    ts_driver *d = make(&c, 1, &r);
    steps(d, 7);
    driver_command(d, CMD_RESET);
    assert_int_equal(r.refusals, 1);
    assert_int_equal(r.cmd, CMD_RESET);
    steps(d, 10);
    assert_true(exists("d/triplet/batch-5.npy") && !exists("d/triplet/batch-10.npy"));
    assert_false(driver_failed(d));
    ts_snapshot *sn = malloc(sizeof *sn);
    assert_non_null(sn);
    driver_snapshot(d, sn);
    assert_non_null(strstr(sn->notice, "dumping stopped at the reset (step 7)"));
    free(sn);
    driver_free(d);
    rm_rf(c.dump_dir);
}

int main(void) {
    const struct CMUnitTest writer[] = {
        cmocka_unit_test(test_files),
        cmocka_unit_test(test_nothing_dumped),
        cmocka_unit_test(test_write_fails),
    };
    const struct CMUnitTest driver[] = {
        cmocka_unit_test(test_driver_raw),
        cmocka_unit_test(test_driver_failure),
        cmocka_unit_test(test_driver_reset),
    };
    int failed = cmocka_run_group_tests(writer, setup_dir, teardown_dir);
    return failed | cmocka_run_group_tests(driver, setup_data, teardown_data);
}
