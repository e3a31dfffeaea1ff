// test_dumpfile.c: reading a user's dumps (dumpfile.h, docs/dump-format.md):
// matrices of every dtype and byte order, float16 bit for bit, TensorBoard's
// tensors.tsv, labels of every integer dtype and metadata.tsv, the label map
// across files, the catalog of a run directory followed while it grows and
// of a TensorBoard log directory, scalars.jsonl's lines, and every malformed
// file failing on one line that names it. Files are written byte by byte
// into a temporary folder.
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <ftw.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "tripletscope/dumpfile.h"

// --- Fixture files -----------------------------------------------------------

static char tmp_dir[64];
static char path_buf[8][1100];   // a ring of paths, enough for one check's names
static int path_next;

static int make_dir(void **state) {
    (void)state;
    snprintf(tmp_dir, sizeof tmp_dir, "/tmp/ts_test_dumpfile.XXXXXX");
    return mkdtemp(tmp_dir) ? 0 : -1;
}

static int remove_one(const char *path, const struct stat *st, int type, struct FTW *ftw) {
    (void)st;
    (void)type;
    (void)ftw;
    return remove(path);
}

static int remove_dir(void **state) {
    (void)state;
    return nftw(tmp_dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

// The path of name (which may hold '/') in the temporary folder.
static const char *tmp_path(const char *name) {
    char *p = path_buf[path_next++ % 8];
    snprintf(p, sizeof path_buf[0], "%s/%s", tmp_dir, name);
    return p;
}

// Makes the folder name (and its parents) in the temporary folder; its path
// stays valid for the test (a ring of its own).
static const char *make_subdir(const char *name) {
    static char dirs[8][1024];
    static int next;
    char part[1024];
    for (const char *s = strchr(name, '/'); ; s = strchr(s + 1, '/')) {
        size_t n = s ? (size_t)(s - name) : strlen(name);
        snprintf(part, sizeof part, "%.*s", (int)n, name);
        mkdir(tmp_path(part), 0700);
        if (!s) break;
    }
    char *d = dirs[next++ % 8];
    snprintf(d, sizeof dirs[0], "%s", tmp_path(name));
    return d;
}

static const char *write_bytes(const char *name, const void *data, size_t n) {
    const char *path = tmp_path(name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    if (n) assert_int_equal(fwrite(data, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
    return path;
}

static const char *write_text(const char *name, const char *text) {
    return write_bytes(name, text, strlen(text));
}

// A .npy (version 1.0) with the given dict fields and raw data.
static const char *write_npy(const char *name, const char *descr, int fortran,
                             const char *shape, const void *data, size_t n) {
    size_t total;
    unsigned char *buf = npy_bytes(descr, fortran, shape, data, n, &total);
    const char *path = write_bytes(name, buf, total);
    free(buf);
    return path;
}

// n values of size bytes each, from v, in the byte order asked for.
static void *pack(const uint64_t *v, size_t n, int size, int big) {
    unsigned char *out = malloc(n * (size_t)size + 1);
    assert_non_null(out);
    for (size_t i = 0; i < n; i++)
        for (int k = 0; k < size; k++) {
            int shift = 8 * (big ? size - 1 - k : k);
            out[i * (size_t)size + (size_t)k] = (unsigned char)(v[i] >> shift);
        }
    return out;
}

static uint64_t f32_bits(float f) {
    uint32_t b;
    memcpy(&b, &f, 4);
    return b;
}

static uint64_t f64_bits(double d) {
    uint64_t b;
    memcpy(&b, &d, 8);
    return b;
}

// --- Checks ------------------------------------------------------------------

// A failure: -1, one line naming `what` and holding `word`.
static void expect_fail_(int rc, const ts_error *err, const char *what, const char *word,
                         const char *file, int line) {
    if (rc != -1 || (what && !strstr(err->msg, what)) || !strstr(err->msg, word) ||
        strchr(err->msg, '\n')) {
        fail_msg("%s:%d: rc %d, message \"%s\": expected -1 naming \"%s\" with \"%s\", one "
                 "line", file, line, rc, err->msg, what ? what : "", word);
    }
}
#define expect_fail(rc, err, what, word) expect_fail_(rc, err, what, word, __FILE__, __LINE__)

static void expect_ok_(int rc, const ts_error *err, const char *file, int line) {
    if (rc < 0) fail_msg("%s:%d: failed: %s", file, line, err->msg);
}
#define expect_ok(rc, err) expect_ok_(rc, err, __FILE__, __LINE__)

// Reads a matrix that must fail naming path and word, leaving nothing.
static void matrix_fails_(const char *path, uint64_t max, const char *word, const char *file,
                          int line) {
    float *x = (float *)&x;
    int N = -1, D = -1;
    dumpfile_dtype t;
    ts_error err = {{0}};
    int rc = dumpfile_read_matrix(path, max, &x, &N, &D, &t, &err);
    expect_fail_(rc, &err, path, word, file, line);
    if (x != NULL) fail_msg("%s:%d: x not NULL after a failure", file, line);
}
#define matrix_fails(path, max, word) matrix_fails_(path, max, word, __FILE__, __LINE__)

static void labels_fail_(const char *path, int n, const char *col, const char *word,
                         const char *file, int line) {
    ts_labelmap m;
    labelmap_init(&m);
    assert_true(labelmap_id_int(&m, 42, NULL) == 0);
    int *y = calloc((size_t)n + 1, sizeof *y);
    ts_error err = {{0}};
    int rc = dumpfile_read_labels(path, "emb.npy", n, col, &m, y, &err);
    expect_fail_(rc, &err, path, word, file, line);
    if (m.count != 1) fail_msg("%s:%d: the map grew on a failure (%d labels)", file, line, m.count);
    free(y);
    labelmap_free(&m);
}
#define labels_fail(path, n, col, word) labels_fail_(path, n, col, word, __FILE__, __LINE__)

static int same_bits(float a, float b) { return memcmp(&a, &b, sizeof a) == 0; }

// --- Matrices: .npy --------------------------------------------------------------

static void test_float16_exact(void **state) {
    (void)state;
    // Each half and the float it is exactly.
    static const uint16_t h[] = {0x3C00, 0x7BFF, 0x0001, 0x7C00, 0x7E00, 0x8000,
                                 0x03FF, 0xFC00, 0xC000, 0x3555, 0x0400, 0x8001};
    float want[12] = {1.0f, 65504.0f, 0x1p-24f, INFINITY, NAN, -0.0f,
                      1023 * 0x1p-24f, -INFINITY, -2.0f, 0x1.554p-2f, 0x1p-14f, -0x1p-24f};
    uint64_t v[12];
    for (int k = 0; k < 12; k++) v[k] = h[k];
    for (int big = 0; big < 2; big++) {
        void *bytes = pack(v, 12, 2, big);
        const char *p = write_npy(big ? "h-be.npy" : "h-le.npy", big ? ">f2" : "<f2", 0,
                                  "(4, 3)", bytes, 24);
        free(bytes);
        float *x;
        int N, D;
        dumpfile_dtype t;
        ts_error err = {{0}};
        expect_ok(dumpfile_read_matrix(p, 0, &x, &N, &D, &t, &err), &err);
        assert_int_equal(N, 4);
        assert_int_equal(D, 3);
        assert_int_equal(t, DUMPFILE_F16);
        assert_string_equal(dumpfile_dtype_name(t), "float16");
        for (int k = 0; k < 12; k++) {
            if (k == 4) {
                assert_true(isnan(x[k]));
                assert_int_equal(f32_bits(x[k]), 0x7FC00000u);   // quiet, payload kept
            } else if (!same_bits(x[k], want[k])) {
                fail_msg("half 0x%04x: got %a, want %a", h[k], (double)x[k], (double)want[k]);
            }
        }
        assert_true(signbit(x[5]));
        free(x);
    }
    // Every one of the 65536 halves: its float, checked by the definition.
    uint64_t all[65536];
    for (int k = 0; k < 65536; k++) all[k] = (uint64_t)k;
    void *bytes = pack(all, 65536, 2, 0);
    const char *p = write_npy("h-all.npy", "<f2", 0, "(1024, 64)", bytes, 65536 * 2);
    free(bytes);
    float *x;
    int N, D;
    dumpfile_dtype t;
    ts_error err = {{0}};
    expect_ok(dumpfile_read_matrix(p, 0, &x, &N, &D, &t, &err), &err);
    for (int k = 0; k < 65536; k++) {
        int e = (k >> 10) & 31, m = k & 1023;
        double s = (k & 0x8000) ? -1.0 : 1.0;
        if (e == 31) {
            assert_true(m ? isnan(x[k]) : isinf(x[k]) && (x[k] < 0) == (s < 0));
            continue;
        }
        double want_d = e ? s * ldexp(1024 + m, e - 25) : s * ldexp(m, -24);
        if ((double)x[k] != want_d || (signbit(x[k]) != 0) != (s < 0))
            fail_msg("half 0x%04x: got %a, want %a", k, (double)x[k], want_d);
    }
    free(x);
}

static void test_float32_float64(void **state) {
    (void)state;
    const float f[6] = {1.5f, -2.25f, 1e-3f, 3.4e38f, 0x1p-149f, 0.0f};
    uint64_t v4[6], v8[6];
    for (int k = 0; k < 6; k++) v4[k] = f32_bits(f[k]);
    const double d[6] = {0.1, -1e300, 1e300, 1e-50, 2.5, NAN};
    for (int k = 0; k < 6; k++) v8[k] = f64_bits(d[k]);
    static const char *const order[3] = {"<", ">", "="};
    for (int o = 0; o < 3; o++) {
        int big = o == 1;
        char descr[8], name[32];
        snprintf(descr, sizeof descr, "%sf4", order[o]);
        snprintf(name, sizeof name, "f4-%d.npy", o);
        void *b4 = pack(v4, 6, 4, big);
        const char *p = write_npy(name, descr, 0, "(2, 3)", b4, 24);
        free(b4);
        float *x;
        int N, D;
        dumpfile_dtype t;
        ts_error err = {{0}};
        expect_ok(dumpfile_read_matrix(p, 0, &x, &N, &D, &t, &err), &err);
        assert_int_equal(t, DUMPFILE_F32);
        assert_int_equal(N * D, 6);
        for (int k = 0; k < 6; k++) assert_true(same_bits(x[k], f[k]));
        free(x);

        snprintf(descr, sizeof descr, "%sf8", order[o]);
        snprintf(name, sizeof name, "f8-%d.npy", o);
        void *b8 = pack(v8, 6, 8, big);
        p = write_npy(name, descr, 0, "(3, 2)", b8, 48);
        free(b8);
        expect_ok(dumpfile_read_matrix(p, 0, &x, &N, &D, &t, &err), &err);
        assert_int_equal(t, DUMPFILE_F64);
        assert_int_equal(N, 3);
        assert_int_equal(D, 2);
        assert_true(x[0] == (float)0.1);
        assert_true(isinf(x[1]) && x[1] < 0);   // past float's range: Inf, evidence
        assert_true(isinf(x[2]) && x[2] > 0);
        assert_true(x[3] == 0.0f);
        assert_true(x[4] == 2.5f);
        assert_true(isnan(x[5]));
        free(x);
    }
}

static void test_matrix_malformed(void **state) {
    (void)state;
    float four[16] = {0};
    matrix_fails(write_npy("fortran.npy", "<f4", 1, "(4, 4)", four, 64), 0,
                 "Fortran-order array");
    matrix_fails(write_npy("int.npy", "<i4", 0, "(4, 4)", four, 64), 0,
                 "unsupported dtype '<i4' for embeddings");
    matrix_fails(write_npy("bool.npy", "|b1", 0, "(4, 4)", four, 16), 0, "unsupported dtype");
    matrix_fails(write_npy("f2pipe.npy", "|f2", 0, "(4, 4)", four, 32), 0, "unsupported dtype");
    matrix_fails(write_npy("onedim.npy", "<f4", 0, "(16,)", four, 64), 0,
                 "1-D array of shape (16,); embeddings must be 2-D");
    matrix_fails(write_npy("threedim.npy", "<f4", 0, "(2, 2, 4)", four, 64), 0, "3-D array");
    matrix_fails(write_npy("norows.npy", "<f4", 0, "(0, 4)", NULL, 0), 0, "empty matrix");
    matrix_fails(write_npy("nocols.npy", "<f4", 0, "(4, 0)", NULL, 0), 0, "empty matrix");
    matrix_fails(write_npy("wide.npy", "<f4", 0, "(1, 65537)", four, 64), 0,
                 "65537 dimensions, more than 65536");
    matrix_fails(write_npy("many.npy", "<f4", 0, "(4000000000, 65536)", four, 64), 0,
                 "is too many");
    matrix_fails(write_npy("short.npy", "<f4", 0, "(4, 4)", four, 60), 0,
                 "truncated: the header's shape (4, 4) of '<f4' needs 64 bytes but only 60");
    matrix_fails(write_npy("long.npy", "<f4", 0, "(3, 4)", four, 64), 0,
                 "16 bytes past the data of the header's shape (3, 4)");
    matrix_fails(write_npy("huge-claim.npy", "<f2", 0, "(10000000, 100)", four, 64), 0,
                 "truncated");
    // Over the budget, the data all there: refused before the floats are allocated.
    float *big = calloc(64 * 1024, sizeof *big);
    assert_non_null(big);
    const char *p = write_npy("budget.npy", "<f4", 0, "(1024, 64)", big, 64 * 1024 * 4);
    matrix_fails(p, 64 * 1024, "more than the 64K budget");
    free(big);
    float *x;
    int N, D;
    dumpfile_dtype t;
    ts_error err = {{0}};
    expect_ok(dumpfile_read_matrix(p, 1 << 20, &x, &N, &D, &t, &err), &err);   // it fits 1M
    free(x);
    // Headers that are no headers.
    matrix_fails(write_bytes("magic.npy", "\x93NUMPX\x01\x00\x10\x00{}", 12), 0, "bad magic");
    matrix_fails(write_bytes("cut.npy", "\x93NUMPY\x01\x00\x40\x00{'descr'", 17), 0,
                 "truncated .npy header");
    matrix_fails(write_bytes("v9.npy", "\x93NUMPY\x09\x00\x10\x00{}", 12), 0, "version 9.0");
    static const char nodescr[] = "{'fortran_order': False, 'shape': (1, 1), }";
    char buf[128];
    memcpy(buf, "\x93NUMPY\x01\x00", 8);
    buf[8] = (char)(sizeof nodescr - 1);
    buf[9] = 0;
    memcpy(buf + 10, nodescr, sizeof nodescr - 1);
    matrix_fails(write_bytes("nodescr.npy", buf, 10 + sizeof nodescr - 1), 0, "no 'descr'");
    // Not files to read.
    matrix_fails(write_bytes("empty.npy", "", 0), 0, "empty file");
    matrix_fails(tmp_path("missing.npy"), 0, "cannot open");
    matrix_fails(make_subdir("adir.npy"), 0, "is a directory");
    const char *fifo = tmp_path("fifo.npy");
    assert_int_equal(mkfifo(fifo, 0600), 0);
    alarm(10);   // a read that blocked would hang here
    matrix_fails(fifo, 0, "not a regular file (a FIFO)");
    const char *fifo2 = tmp_path("fifo.tsv");
    assert_int_equal(mkfifo(fifo2, 0600), 0);
    matrix_fails(fifo2, 0, "not a regular file (a FIFO)");
    alarm(0);
    matrix_fails("/dev/null", 0, "not a regular file (a character device)");
}

// --- Matrices: tensors.tsv ----------------------------------------------------------

static void test_tsv_matrix(void **state) {
    (void)state;
    // As add_embedding writes it: str(x.item()) of each float32, tabs, "\n".
    const char *p = write_text("tensors.tsv",
                               "0.30000001192092896\t-1.0\t0.0010000000474974513\n"
                               "1e-05\tnan\tinf\n"
                               "-inf\t2.5\t3\n");
    float *x;
    int N, D;
    dumpfile_dtype t;
    ts_error err = {{0}};
    expect_ok(dumpfile_read_matrix(p, 0, &x, &N, &D, &t, &err), &err);
    assert_int_equal(N, 3);
    assert_int_equal(D, 3);
    assert_int_equal(t, DUMPFILE_TSV);
    assert_true(x[0] == 0.3f);
    assert_true(x[1] == -1.0f);
    assert_true(x[2] == 0.001f);
    assert_true(x[3] == 1e-5f);
    assert_true(isnan(x[4]));
    assert_true(isinf(x[5]) && x[5] > 0);
    assert_true(isinf(x[6]) && x[6] < 0);
    assert_true(x[8] == 3.0f);
    free(x);
    // CRLF, a byte order mark, blanks around values, blank lines anywhere, no
    // final newline; a name that is not .tsv.
    p = write_text("crlf.txt", "\xEF\xBB\xBF 1\t2 \r\n\r\n3\t4\r\n\n\n5\t6");
    expect_ok(dumpfile_read_matrix(p, 0, &x, &N, &D, &t, &err), &err);
    assert_int_equal(N, 3);
    assert_int_equal(D, 2);
    for (int k = 0; k < 6; k++) assert_true(x[k] == (float)(k + 1));
    free(x);
    // One column.
    p = write_text("col.tsv", "7\n8\n");
    expect_ok(dumpfile_read_matrix(p, 0, &x, &N, &D, &t, &err), &err);
    assert_int_equal(N, 2);
    assert_int_equal(D, 1);
    free(x);

    matrix_fails(write_text("ragged.tsv", "1\t2\n3\t4\n5\n"), 0,
                 "line 3: 1 values, expected 2 as on line 1 (a ragged row)");
    matrix_fails(write_text("ragged2.tsv", "\n1\t2\n3\t4\t5\n"), 0, "line 3: 3 values, expected 2 as on line 2");
    matrix_fails(write_text("word.tsv", "1\t2\n3\tcat\n"), 0, "line 2, column 2: \"cat\" is not a number");
    matrix_fails(write_text("space.tsv", "1 2\t3\n"), 0, "line 1, column 1: \"1 2\" is not a number");
    matrix_fails(write_text("comma.tsv", "1,5\t3\n"), 0, "\"1,5\" is not a number");
    matrix_fails(write_text("emptyval.tsv", "1\t\t2\n"), 0, "line 1, column 2: empty value");
    matrix_fails(write_text("trailtab.tsv", "1\t2\t\n"), 0, "line 1, column 3: empty value");
    matrix_fails(write_text("blank.tsv", "\n \r\n\n"), 0, "no rows");
    char longv[400];
    memset(longv, '1', sizeof longv - 1);
    longv[sizeof longv - 1] = '\0';
    matrix_fails(write_text("longval.tsv", longv), 0, "a value of more than 256 characters");
    // 4 rows x 2 floats = 32 bytes: over a 24-byte budget while it is counted.
    matrix_fails(write_text("budget.tsv", "1\t2\n3\t4\n5\t6\n7\t8\n"), 24,
                 "needs at least 32 bytes of memory, more than the 24 bytes budget");
    // Too wide: 65537 values on a line.
    size_t n = 65537 * 2;
    char *wide = malloc(n + 1);
    assert_non_null(wide);
    for (size_t k = 0; k < n; k += 2) wide[k] = '1', wide[k + 1] = '\t';
    wide[n - 1] = '\n';
    wide[n] = '\0';
    matrix_fails(write_text("wide.tsv", wide), 0, "line 1: more than 65536 values");
    free(wide);
}

// --- Labels -----------------------------------------------------------------------------

static void test_labels_npy_dtypes(void **state) {
    (void)state;
    static const char kinds[] = "iu";
    static const int sizes[] = {1, 2, 4, 8};
    ts_labelmap m;
    labelmap_init(&m);
    for (int ki = 0; ki < 2; ki++)
        for (int si = 0; si < 4; si++)
            for (int o = 0; o < 3; o++) {
                int size = sizes[si], big = o == 1;
                char kind = kinds[ki];
                if (size == 1 && o == 2) continue;
                const char *ord = size == 1 ? (o == 0 ? "|" : ">") : o == 0 ? "<" : o == 1 ? ">" : "=";
                // 5, the type's largest, 5, and (signed) -1; the ids in first-seen order.
                uint64_t top = kind == 'i' ? (1ull << (8 * size - 1)) - 1
                             : size == 8 ? (uint64_t)INT64_MAX : (1ull << (8 * size)) - 1;
                uint64_t mask = size == 8 ? ~0ull : (1ull << (8 * size)) - 1;
                uint64_t v[4] = {5, top, 5, kind == 'i' ? mask : 0};
                void *bytes = pack(v, 4, size, big);
                char descr[8], name[32];
                snprintf(descr, sizeof descr, "%s%c%d", ord, kind, size);
                snprintf(name, sizeof name, "lab-%c%d-%d.npy", kind, size, o);
                const char *p = write_npy(name, descr, 0, "(4,)", bytes, 4 * (size_t)size);
                free(bytes);
                int y[4];
                ts_error err = {{0}};
                labelmap_free(&m);
                expect_ok(dumpfile_read_labels(p, "emb.npy", 4, NULL, &m, y, &err), &err);
                assert_int_equal(y[0], 0);
                assert_int_equal(y[1], 1);
                assert_int_equal(y[2], 0);
                assert_int_equal(y[3], 2);
                assert_int_equal(m.count, 3);
                assert_string_equal(labelmap_name(&m, 0), "5");
                char want[32];
                snprintf(want, sizeof want, "%llu", (unsigned long long)top);
                assert_string_equal(labelmap_name(&m, 1), want);
                assert_string_equal(labelmap_name(&m, 2), kind == 'i' ? "-1" : "0");
            }
    labelmap_free(&m);
    // Sample ids, any integer dtype.
    uint64_t v[3] = {60000, 0, 59999};
    void *bytes = pack(v, 3, 4, 1);
    const char *p = write_npy("ids.npy", ">u4", 0, "(3,)", bytes, 12);
    free(bytes);
    int64_t ids[3];
    ts_error err = {{0}};
    expect_ok(dumpfile_read_ids(p, "emb.npy", 3, ids, &err), &err);
    assert_true(ids[0] == 60000 && ids[1] == 0 && ids[2] == 59999);
    expect_fail(dumpfile_read_ids(p, "emb.npy", 4, ids, &err), &err, p,
                "3 ids for the 4 points of emb.npy");
}

static void test_labels_npy_malformed(void **state) {
    (void)state;
    uint64_t v[4] = {1, 2, 3, 4};
    void *b8 = pack(v, 4, 8, 0);
    const char *p = write_npy("lab4.npy", "<i8", 0, "(4,)", b8, 32);
    labels_fail(p, 5, NULL, "4 labels for the 5 points of emb.npy (count mismatch)");
    labels_fail(write_npy("labf.npy", "<f4", 0, "(4,)", b8, 16), 4, NULL,
                "unsupported dtype '<f4' for labels");
    labels_fail(write_npy("lab2d.npy", "<i8", 0, "(4, 1)", b8, 32), 4, NULL,
                "2-D array of shape (4, 1); labels must be 1-D");
    labels_fail(write_npy("labshort.npy", "<i8", 0, "(4,)", b8, 31), 4, NULL, "truncated");
    labels_fail(write_npy("lablong.npy", "<i4", 0, "(4,)", b8, 32), 4, NULL, "16 bytes past");
    labels_fail(write_npy("labpipe.npy", "|i4", 0, "(4,)", b8, 16), 4, NULL, "unsupported dtype");
    free(b8);
    // A uint64 past int64 (after labels the map took: none of them stays).
    uint64_t u[3] = {7, 8, 1ull << 63};
    void *bu = pack(u, 3, 8, 0);
    labels_fail(write_npy("labu8.npy", "<u8", 0, "(3,)", bu, 24), 3, NULL,
                "labels value 9223372036854775808 at index 2 is past int64");
    free(bu);
    ts_labelmap m;
    labelmap_init(&m);
    int y[2];
    ts_error err = {{0}};
    expect_fail(dumpfile_read_labels(tmp_path("nolabels.npy"), NULL, 2, NULL, &m, y, &err),
                &err, "nolabels.npy", "cannot open");
    const char *p2 = write_npy("lab2.npy", "<i8", 0, "(2,)", v, 16);
    expect_fail(dumpfile_read_labels(p2, NULL, 3, NULL, &m, y, &err), &err, p2,
                "2 labels for 3 points");
    labelmap_free(&m);
}

static void test_labels_tsv(void **state) {
    (void)state;
    ts_labelmap m;
    labelmap_init(&m);
    int y[8];
    ts_error err = {{0}};
    // One column, no header: as make_tsv writes str(x) of each label.
    const char *p = write_text("meta1.tsv", "cat\ndog\ncat\nbird\n");
    expect_ok(dumpfile_read_labels(p, "t.tsv", 4, NULL, &m, y, &err), &err);
    assert_int_equal(m.count, 3);
    assert_int_equal(y[0], 0);
    assert_int_equal(y[1], 1);
    assert_int_equal(y[2], 0);
    assert_int_equal(y[3], 2);
    assert_string_equal(labelmap_name(&m, 2), "bird");
    // Ints as text are the ints: "7" is int 7, "07" is a text.
    labelmap_free(&m);
    p = write_text("meta-int.tsv", "7\n07\n-3\n7\n");
    expect_ok(dumpfile_read_labels(p, NULL, 4, "0", &m, y, &err), &err);
    assert_int_equal(m.count, 3);
    assert_int_equal(y[3], y[0]);
    assert_int_equal(labelmap_id_int(&m, 7, &err), y[0]);
    assert_int_equal(labelmap_id_int(&m, -3, &err), y[2]);
    assert_string_equal(labelmap_name(&m, y[1]), "07");
    labelmap_free(&m);
    // A blank line among one-column rows is an empty label; blank lines at the
    // end are none; CRLF.
    p = write_text("meta-blank.tsv", "a\r\n\r\nb\r\n\r\n\n");
    expect_ok(dumpfile_read_labels(p, NULL, 3, NULL, &m, y, &err), &err);
    assert_int_equal(m.count, 3);
    assert_string_equal(labelmap_name(&m, y[1]), "");
    assert_string_equal(labelmap_name(&m, y[2]), "b");
    labelmap_free(&m);

    // Several columns: a header of names, then rows.
    const char *multi = write_text("meta3.tsv",
                                   "index\tlabel\tcolour\n"
                                   "0\tshirt\tred\n"
                                   "1\tboot\tblue\n"
                                   "2\tshirt\tgreen\n");
    expect_ok(dumpfile_read_labels(multi, NULL, 3, "label", &m, y, &err), &err);
    assert_int_equal(m.count, 2);
    assert_int_equal(y[0], 0);
    assert_int_equal(y[1], 1);
    assert_int_equal(y[2], 0);
    assert_string_equal(labelmap_name(&m, 1), "boot");
    labelmap_free(&m);
    expect_ok(dumpfile_read_labels(multi, NULL, 3, "2", &m, y, &err), &err);
    assert_int_equal(m.count, 3);
    assert_string_equal(labelmap_name(&m, y[2]), "green");
    labelmap_free(&m);
    expect_ok(dumpfile_read_labels(multi, NULL, 3, NULL, &m, y, &err), &err);   // the first
    assert_string_equal(labelmap_name(&m, y[2]), "2");
    labelmap_free(&m);
    // The last column with CRLF: no '\r' in the label.
    p = write_text("meta-crlf.tsv", "a\tb\r\n1\tx\r\n2\ty\r\n");
    expect_ok(dumpfile_read_labels(p, NULL, 2, "b", &m, y, &err), &err);
    assert_string_equal(labelmap_name(&m, y[1]), "y");
    labelmap_free(&m);

    labels_fail(multi, 3, "kind", "no column named 'kind' (the columns: index, label, colour)");
    labels_fail(multi, 3, "3", "no column 3: 3 columns (index, label, colour)");
    labels_fail(multi, 4, "label", "3 labels for the 4 points of emb.npy (count mismatch)");
    labels_fail(multi, 2, "label", "3 labels for the 2 points of emb.npy");
    labels_fail(write_text("meta-rag.tsv", "a\tb\n1\t2\n3\n"), 2, NULL,
                "line 3: 1 columns, expected 2 as the header (a ragged row)");
    labels_fail(write_text("meta-rag1.tsv", "a\nb\tc\n"), 2, NULL,
                "line 2: 2 columns, expected 1 as line 1");
    labels_fail(write_text("meta-blank3.tsv", "a\tb\n1\t2\n\n3\t4\n"), 2, NULL,
                "line 3: a blank line among 2-column rows");
    labels_fail(write_text("meta-one.tsv", "a\nb\n"), 2, "label",
                "no label column 'label': one column, no header line");
    char longl[300];
    memset(longl, 'x', sizeof longl - 2);
    longl[sizeof longl - 2] = '\n';
    longl[sizeof longl - 1] = '\0';
    labels_fail(write_text("meta-long.tsv", longl), 1, NULL, "line 1: a label of more than 256 bytes");
    labels_fail(write_bytes("meta-nul.tsv", "a\nb\0c\n", 6), 2, NULL, "line 2: a label with a NUL byte");
    labels_fail(write_bytes("meta-empty.tsv", "", 0), 2, NULL, "empty file");
}

static void test_labelmap_across_files(void **state) {
    (void)state;
    ts_labelmap m;
    labelmap_init(&m);
    ts_error err = {{0}};
    uint64_t a[3] = {70000, 3, 70000}, b[4] = {3, 9, 70000, 9};
    void *ba = pack(a, 3, 4, 0), *bb = pack(b, 4, 2, 1);
    const char *pa = write_npy("map-a.npy", "<i4", 0, "(3,)", ba, 12);
    b[2] = 0;   // 70000 does not fit an int16: u2 big-endian of 3, 9, 0, 9
    free(bb);
    bb = pack(b, 4, 2, 1);
    const char *pb = write_npy("map-b.npy", ">u2", 0, "(4,)", bb, 8);
    free(ba);
    free(bb);
    int ya[3], yb[4];
    expect_ok(dumpfile_read_labels(pa, NULL, 3, NULL, &m, ya, &err), &err);
    expect_ok(dumpfile_read_labels(pb, NULL, 4, NULL, &m, yb, &err), &err);
    // 70000 -> 0, 3 -> 1 from the first; 9 -> 2, 0 -> 3 from the second.
    assert_int_equal(ya[0], 0);
    assert_int_equal(ya[1], 1);
    assert_int_equal(ya[2], 0);
    assert_int_equal(yb[0], 1);
    assert_int_equal(yb[1], 2);
    assert_int_equal(yb[2], 3);
    assert_int_equal(yb[3], 2);
    assert_int_equal(m.count, 4);
    // A text metadata file of the same run keeps the ints' ids.
    const char *pt = write_text("map-c.tsv", "9\n70000\nnew\n");
    int yc[3];
    expect_ok(dumpfile_read_labels(pt, NULL, 3, NULL, &m, yc, &err), &err);
    assert_int_equal(yc[0], 2);
    assert_int_equal(yc[1], 0);
    assert_int_equal(yc[2], 4);
    // A failed read leaves the map as it was.
    const char *bad = write_text("map-bad.tsv", "brand\nnew\nlabels\n");
    expect_fail(dumpfile_read_labels(bad, NULL, 4, NULL, &m, yc, &err), &err, bad, "3 labels");
    assert_int_equal(m.count, 5);
    assert_int_equal(labelmap_id_text(&m, "labels", 6, &err), 5);
    labelmap_truncate(&m, 5);
    assert_int_equal(m.count, 5);
    assert_int_equal(labelmap_id_text(&m, "new", 3, &err), 4);
    assert_int_equal(labelmap_id_int(&m, 3, &err), 1);
    labelmap_free(&m);
    // Bounded: 1 << 20 labels, then a one-line refusal.
    for (int k = 0; k < DUMPFILE_MAX_LABELS; k++) assert_int_equal(labelmap_id_int(&m, k * 7, &err), k);
    assert_int_equal(labelmap_id_int(&m, 3 * 7, &err), 3);
    expect_fail(labelmap_id_int(&m, -1, &err), &err, NULL, "more than 1048576 distinct labels");
    assert_string_equal(labelmap_name(&m, 1000), "7000");
    assert_null(labelmap_name(&m, DUMPFILE_MAX_LABELS));
    labelmap_free(&m);
    assert_int_equal(m.count, 0);
}

// --- The catalog of a run directory ----------------------------------------------------

// An empty file named name in dir.
static void touch(const char *dir, const char *name) {
    char p[1024];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "wb");
    assert_non_null(f);
    assert_int_equal(fclose(f), 0);
}

// A dump of step in dir under stem: its embeddings (a (2, 3) float32) and labels.
static void dump(const char *dir, const char *stem, int with_labels) {
    char name[256];
    float x[6] = {1, 2, 3, 4, 5, 6};
    const char *sub = dir + strlen(tmp_dir) + 1;
    snprintf(name, sizeof name, "%s/%s.npy", sub, stem);
    write_npy(name, "<f4", 0, "(2, 3)", x, sizeof x);
    if (with_labels) {
        int64_t y[2] = {4, 9};
        snprintf(name, sizeof name, "%s/%s.labels.npy", sub, stem);
        write_npy(name, "<i8", 0, "(2,)", y, sizeof y);
    }
}

// Every pending notice, joined by " | ".
static const char *notices(ts_catalog *cat) {
    static char all[4096];
    all[0] = '\0';
    const char *n;
    while ((n = catalog_next_notice(cat)) != NULL) {
        assert_null(strchr(n, '\n'));
        if (all[0]) strncat(all, " | ", sizeof all - strlen(all) - 1);
        strncat(all, n, sizeof all - strlen(all) - 1);
    }
    return all;
}

static void expect_entry(ts_catalog *cat, size_t i, int64_t step, dump_kind kind,
                         const char *emb, int has_ids) {
    dump_entry e = catalog_entry(cat, i);
    if (e.step != step || e.kind != kind || strcmp(e.embeddings, emb) != 0 ||
        e.has_ids != has_ids)
        fail_msg("entry %zu: step %lld kind %d %s ids %d; want step %lld kind %d %s ids %d", i,
                 (long long)e.step, e.kind, e.embeddings, e.has_ids, (long long)step, kind,
                 emb, has_ids);
}

static void test_catalog_run(void **state) {
    (void)state;
    const char *dir = make_subdir("run");
    ts_catalog cat;
    ts_error err = {{0}};
    expect_ok(catalog_open(&cat, dir, &err), &err);
    assert_int_equal(catalog_kind_of(&cat), CATALOG_RUN);
    assert_int_equal(catalog_scan(&cat, &err), 0);   // a run that has not dumped yet
    assert_false(catalog_has_run_json(&cat));
    catalog_free(&cat);

    dump(dir, "batch-7", 1);
    dump(dir, "batch-000010", 1);
    touch(dir, "batch-000010.ids.npy");
    dump(dir, "eval-10", 1);
    dump(dir, "eval-3", 1);
    dump(dir, "batch-14.rank0", 1);
    dump(dir, "batch-14.rank1", 1);
    dump(dir, "batch-14.rank2", 0);   // incomplete: not counted yet
    dump(dir, "batch-20", 0);          // no labels yet: not listed
    // Ignored: hidden, temporary, near misses, other files.
    static const char *const ignored[] = {
        ".batch-12.npy", ".batch-12.labels.npy", "batch-13.npy.tmp", "batch-13.labels.npy.tmp",
        "batch-x.npy", "batch-x.labels.npy", "batch--1.npy", "batch--1.labels.npy",
        "batch-+5.npy", "batch-+5.labels.npy", "Batch-5.npy", "Batch-5.labels.npy",
        "batch-5.NPY", "batch-5.labels.NPY", "eval-6.rank0.npy", "eval-6.rank0.labels.npy",
        "eval-8.ids.npy", "batch-9.rank.npy", "batch-9.rank.labels.npy", "batch- 5.npy",
        "notes.txt", "run.json~", "batch-5.npz", "batch-5.labels.npz"};
    for (size_t k = 0; k < sizeof ignored / sizeof ignored[0]; k++) touch(dir, ignored[k]);
    make_subdir("run/batch-30.npy");   // a directory of a matching name
    touch(dir, "batch-30.labels.npy");

    expect_ok(catalog_open(&cat, dir, &err), &err);
    int added = catalog_scan(&cat, &err);
    expect_ok(added, &err);
    assert_int_equal(added, 5);
    assert_int_equal(catalog_count(&cat), 5);
    expect_entry(&cat, 0, 3, DUMP_EVAL, "eval-3.npy", 0);
    expect_entry(&cat, 1, 7, DUMP_BATCH, "batch-7.npy", 0);
    expect_entry(&cat, 2, 10, DUMP_BATCH, "batch-000010.npy", 1);
    expect_entry(&cat, 3, 10, DUMP_EVAL, "eval-10.npy", 0);
    expect_entry(&cat, 4, 14, DUMP_BATCH, "batch-14.rank0.npy", 0);
    dump_entry e = catalog_entry(&cat, 2);
    assert_string_equal(e.labels, "batch-000010.labels.npy");
    assert_string_equal(e.ids, "batch-000010.ids.npy");
    assert_null(e.tag);
    assert_null(catalog_entry(&cat, 1).ids);
    assert_int_equal(catalog_other_ranks(&cat), 1);
    const char *n = notices(&cat);
    assert_non_null(strstr(n, "batch-14.rank1.npy: batches of other ranks than 0; reading rank 0 only"));
    assert_null(strstr(n, "|"));   // that one notice only

    // The paths to open; a batch's entries read back.
    char path[1024];
    expect_ok(catalog_entry_path(&cat, 2, DUMP_LABELS, path, sizeof path), &err);
    assert_non_null(strstr(path, "/run/batch-000010.labels.npy"));
    assert_int_equal(catalog_entry_path(&cat, 1, DUMP_IDS, path, sizeof path), -1);
    assert_int_equal(catalog_entry_path(&cat, 99, DUMP_EMBEDDINGS, path, sizeof path), -1);
    assert_int_equal(catalog_entry_path(&cat, 1, DUMP_EMBEDDINGS, path, 8), -1);
    expect_ok(catalog_entry_path(&cat, 1, DUMP_EMBEDDINGS, path, sizeof path), &err);
    float *x;
    int N, D;
    dumpfile_dtype t;
    expect_ok(dumpfile_read_matrix(path, 0, &x, &N, &D, &t, &err), &err);
    assert_int_equal(N, 2);
    free(x);

    // Nothing new: nothing listed, no notice repeated.
    assert_int_equal(catalog_scan(&cat, &err), 0);
    assert_string_equal(notices(&cat), "");

    // batch-20's labels arrive: listed now. Then duplicates and a late step.
    dump(dir, "batch-20", 1);
    dump(dir, "batch-007", 1);       // step 7 again
    dump(dir, "batch-12", 1);        // after 20 was read
    dump(dir, "batch-14.rank2", 1);  // one more rank: counted, no second notice
    dump(dir, "batch-00030", 1);     // 30 twice in one scan: the first name in bytes stays
    dump(dir, "batch-30.rank0", 1);
    dump(dir, "eval-00020", 1);
    dump(dir, "batch-99999999999999999999", 1);
    assert_int_equal(catalog_scan(&cat, &err), 3);
    expect_entry(&cat, 5, 20, DUMP_BATCH, "batch-20.npy", 0);
    expect_entry(&cat, 6, 20, DUMP_EVAL, "eval-00020.npy", 0);
    expect_entry(&cat, 7, 30, DUMP_BATCH, "batch-00030.npy", 0);
    assert_int_equal(catalog_other_ranks(&cat), 2);
    n = notices(&cat);
    assert_non_null(strstr(n, "batch-007.npy: a second batch dump of step 7 (batch-7.npy is read); skipped"));
    assert_non_null(strstr(n, "batch-12.npy: batch step 12 came after step 14 was read; skipped"));
    assert_non_null(strstr(n, "batch-30.rank0.npy: a second batch dump of step 30 (batch-00030.npy is read)"));
    assert_non_null(strstr(n, "batch-99999999999999999999.npy: the step does not fit in 63 bits"));
    assert_null(strstr(n, "other ranks"));
    // Each once.
    assert_int_equal(catalog_scan(&cat, &err), 0);
    assert_string_equal(notices(&cat), "");
    // An eval of an earlier step than a batch is fine (order is per kind).
    dump(dir, "eval-25", 1);
    assert_int_equal(catalog_scan(&cat, &err), 1);
    expect_entry(&cat, 8, 25, DUMP_EVAL, "eval-25.npy", 0);

    // run.json and scalars.jsonl.
    assert_false(catalog_has_scalars(&cat));
    touch(dir, "run.json");
    touch(dir, "scalars.jsonl");
    assert_true(catalog_has_run_json(&cat));
    assert_true(catalog_has_scalars(&cat));
    expect_ok(catalog_run_json_path(&cat, path, sizeof path), &err);
    assert_non_null(strstr(path, "/run/run.json"));
    expect_ok(catalog_scalars_path(&cat, path, sizeof path), &err);
    assert_non_null(strstr(path, "/run/scalars.jsonl"));
    catalog_free(&cat);
    catalog_free(&cat);   // safe twice

    // Not a directory, or missing.
    expect_fail(catalog_open(&cat, tmp_path("run/notes.txt"), &err), &err, "notes.txt",
                "not a directory");
    expect_fail(catalog_open(&cat, tmp_path("nowhere"), &err), &err, "nowhere", "cannot open");
    // A trailing '/' joins with one.
    char slash[1024];
    snprintf(slash, sizeof slash, "%s/", dir);
    expect_ok(catalog_open(&cat, slash, &err), &err);
    expect_ok(catalog_path(&cat, "x", path, sizeof path), &err);
    assert_null(strstr(path, "//"));
    expect_ok(catalog_path(&cat, "/abs/x", path, sizeof path), &err);
    assert_string_equal(path, "/abs/x");
    catalog_free(&cat);
}

static void test_catalog_many(void **state) {
    (void)state;
    // 5000 batches (and their ids), listed in step order from any directory
    // order, in well under a MB.
    const char *dir = make_subdir("many");
    char name[64];
    for (int s = 0; s < 5000; s++) {
        snprintf(name, sizeof name, "batch-%06d.npy", s * 20);
        touch(dir, name);
        snprintf(name, sizeof name, "batch-%06d.ids.npy", s * 20);
        touch(dir, name);
        snprintf(name, sizeof name, "batch-%06d.labels.npy", s * 20);
        touch(dir, name);
    }
    ts_catalog cat;
    ts_error err = {{0}};
    expect_ok(catalog_open(&cat, dir, &err), &err);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(catalog_scan(&cat, &err), 5000);
    assert_int_equal(catalog_scan(&cat, &err), 0);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    for (size_t i = 0; i < 5000; i++) assert_true(catalog_entry(&cat, i).step == (int64_t)i * 20);
    size_t bytes = catalog_memory(&cat);
    print_message("5000 entries: %zu bytes (%.0f an entry); two scans %.1f ms\n", bytes,
                  bytes / 5000.0, (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6);
    assert_true(bytes < 1000000);
    catalog_free(&cat);
}

// --- The catalog of a TensorBoard log directory -----------------------------------------

// A block's files as add_embedding writes them under dir/SSSSS/TAG/.
static void tb_files(const char *sub, int step, const char *tag, const char *meta) {
    char d[256], name[300];
    snprintf(d, sizeof d, "%s/%05d/%s", sub, step, tag);
    make_subdir(d);
    snprintf(name, sizeof name, "%s/tensors.tsv", d);
    char text[128];
    snprintf(text, sizeof text, "%d.0\t0.5\n%d.5\t-0.5\n1.0\t1.0\n", step, step);
    write_text(name, text);
    if (meta) {
        snprintf(name, sizeof name, "%s/metadata.tsv", d);
        write_text(name, meta);
    }
}

static void test_catalog_tensorboard(void **state) {
    (void)state;
    const char *sub = "tb";
    const char *dir = make_subdir(sub);
    tb_files(sub, 10, "default", "a\nb\na\n");
    tb_files(sub, 2, "default", "x\ty\n1\tb\n2\tc\n3\tb\n");
    // What text_format.MessageToString writes, the later step first.
    write_text("tb/projector_config.pbtxt",
               "embeddings {\n"
               "  tensor_name: \"default:00010\"\n"
               "  tensor_path: \"00010/default/tensors.tsv\"\n"
               "  metadata_path: \"00010/default/metadata.tsv\"\n"
               "}\n"
               "embeddings {\n"
               "  tensor_name: \"default:00002\"\n"
               "  tensor_path: \"00002/default/tensors.tsv\"\n"
               "  metadata_path: \"00002/default/metadata.tsv\"\n"
               "  sprite {\n"
               "    image_path: \"00002/default/sprite.png\"\n"
               "    single_image_dim: 28\n"
               "    single_image_dim: 28\n"
               "  }\n"
               "}\n");
    ts_catalog cat;
    ts_error err = {{0}};
    expect_ok(catalog_open(&cat, dir, &err), &err);
    assert_int_equal(catalog_kind_of(&cat), CATALOG_TENSORBOARD);
    assert_int_equal(catalog_scan(&cat, &err), 2);
    expect_entry(&cat, 0, 2, DUMP_EVAL, "00002/default/tensors.tsv", 0);
    expect_entry(&cat, 1, 10, DUMP_EVAL, "00010/default/tensors.tsv", 0);
    dump_entry e = catalog_entry(&cat, 0);
    assert_string_equal(e.labels, "00002/default/metadata.tsv");
    assert_string_equal(e.tag, "default:00002");
    // Each read back: the matrix and its labels, through one map.
    ts_labelmap m;
    labelmap_init(&m);
    for (size_t i = 0; i < 2; i++) {
        char ep[1024], lp[1024];
        expect_ok(catalog_entry_path(&cat, i, DUMP_EMBEDDINGS, ep, sizeof ep), &err);
        expect_ok(catalog_entry_path(&cat, i, DUMP_LABELS, lp, sizeof lp), &err);
        float *x;
        int N, D, y[3];
        dumpfile_dtype t;
        expect_ok(dumpfile_read_matrix(ep, 0, &x, &N, &D, &t, &err), &err);
        assert_int_equal(N, 3);
        assert_int_equal(D, 2);
        assert_true(x[0] == (i == 0 ? 2.0f : 10.0f));
        free(x);
        expect_ok(dumpfile_read_labels(lp, ep, N, i == 0 ? "y" : NULL, &m, y, &err), &err);
        if (i == 0) assert_true(y[0] == 0 && y[1] == 1 && y[2] == 0);   // b, c, b
        else assert_true(y[0] == 2 && y[1] == 0 && y[2] == 2);          // a, b, a
    }
    assert_int_equal(m.count, 3);
    labelmap_free(&m);
    assert_int_equal(catalog_scan(&cat, &err), 0);
    assert_string_equal(notices(&cat), "");

    // The writer rewrites the config with one block more (and one of an
    // earlier step, and a second tag at step 10): listed once the files are there.
    tb_files(sub, 20, "default", "a\nb\nc\n");
    tb_files(sub, 10, "test", "a\nb\nc\n");
    tb_files(sub, 5, "default", "a\nb\nc\n");
    write_text("tb/projector_config.pbtxt",
               "embeddings {\n  tensor_name: \"default:00010\"\n"
               "  tensor_path: \"00010/default/tensors.tsv\"\n"
               "  metadata_path: \"00010/default/metadata.tsv\"\n}\n"
               "embeddings {\n  tensor_name: \"default:00002\"\n"
               "  tensor_path: \"00002/default/tensors.tsv\"\n"
               "  metadata_path: \"00002/default/metadata.tsv\"\n}\n"
               "embeddings {\n  tensor_name: \"default:00020\"\n"
               "  tensor_path: \"00020/default/tensors.tsv\"\n"
               "  metadata_path: \"00020/default/metadata.tsv\"\n}\n"
               "embeddings {\n  tensor_name: \"default:00030\"\n"
               "  tensor_path: \"00030/default/tensors.tsv\"\n}\n"   // files not there yet
               "embeddings {\n  tensor_name: \"test:00010\"\n"
               "  tensor_path: \"00010/test/tensors.tsv\"\n"
               "  metadata_path: \"00010/test/metadata.tsv\"\n}\n"
               "embeddings {\n  tensor_name: \"default:00005\"\n"
               "  tensor_path: \"00005/default/tensors.tsv\"\n"
               "  metadata_path: \"00005/default/metadata.tsv\"\n}\n");
    assert_int_equal(catalog_scan(&cat, &err), 1);
    expect_entry(&cat, 2, 20, DUMP_EVAL, "00020/default/tensors.tsv", 0);
    const char *n = notices(&cat);
    assert_non_null(strstr(n, "00010/test/tensors.tsv: a second eval dump of step 10 (00010/default/tensors.tsv is read); skipped"));
    assert_non_null(strstr(n, "00005/default/tensors.tsv: eval step 5 came after step 10 was read"));
    tb_files(sub, 30, "default", NULL);
    assert_int_equal(catalog_scan(&cat, &err), 1);
    e = catalog_entry(&cat, 3);
    assert_true(e.step == 30);
    assert_null(e.labels);   // no metadata_path: the caller says so
    assert_int_equal(catalog_entry_path(&cat, 3, DUMP_LABELS, NULL, 0), -1);
    assert_string_equal(notices(&cat), "");
    catalog_free(&cat);
}

// A TensorBoard directory with config text, scanned: the scan's result.
static int tb_scan(const char *sub, const char *config, ts_catalog *cat, ts_error *err) {
    const char *dir = make_subdir(sub);
    char name[256];
    snprintf(name, sizeof name, "%s/projector_config.pbtxt", sub);
    write_text(name, config);
    tb_files(sub, 1, "e", "a\nb\nc\n");
    tb_files(sub, 7, "e", "a\nb\nc\n");
    if (catalog_open(cat, dir, err) < 0) return -1;
    int rc = catalog_scan(cat, err);
    if (rc < 0) catalog_free(cat);
    return rc;
}

static void test_pbtxt_syntax(void **state) {
    (void)state;
    ts_catalog cat;
    ts_error err = {{0}};
    // Fields in any order, single quotes, escapes, adjacent strings, comments,
    // ';' and ',' separators, `name: { }`, `< >`, lists, top-level fields,
    // blanks and newlines anywhere.
    int rc = tb_scan("tb2",
                     "# written by hand\n"
                     "model_checkpoint_path: \"/tmp/ckpt\" ;\n"
                     "embeddings: {\n"
                     "  metadata_path: '00007/e/metadata.tsv' # the labels\n"
                     "  tensor_path:\n \"00007/e/\" \"tensors.tsv\",\n"
                     "  tensor_name: \"e:\\x300007\"\n"
                     "  tensor_shape: [3, 2]\n"
                     "  sprite < image_path: \"s\\\"q\\\\.png\" single_image_dim: [28, 28] >\n"
                     "  [some.extension] { deep { deeper { x: 1e-3 } } }\n"
                     "}\n"
                     "embeddings{tensor_path:\"00001/e/tensors.tsv\"metadata_path:\"00001/e/\\155etadata.tsv\"tensor_name:\"e:1\"}",
                     &cat, &err);
    expect_ok(rc, &err);
    assert_int_equal(rc, 2);
    expect_entry(&cat, 0, 1, DUMP_EVAL, "00001/e/tensors.tsv", 0);
    assert_string_equal(catalog_entry(&cat, 0).labels, "00001/e/metadata.tsv");
    expect_entry(&cat, 1, 7, DUMP_EVAL, "00007/e/tensors.tsv", 0);
    assert_string_equal(catalog_entry(&cat, 1).tag, "e:00007");
    catalog_free(&cat);

    // No step in tensor_name: the block's position (0-based).
    rc = tb_scan("tb3",
                 "embeddings { tensor_name: \"emb\" tensor_path: \"00007/e/tensors.tsv\" }\n"
                 "embeddings { tensor_path: \"00001/e/tensors.tsv\" }\n"
                 "embeddings { tensor_name: \"a:b\" tensor_path: \"00001/e/metadata.tsv\" }\n",
                 &cat, &err);
    expect_ok(rc, &err);
    assert_int_equal(rc, 3);
    expect_entry(&cat, 0, 0, DUMP_EVAL, "00007/e/tensors.tsv", 0);
    expect_entry(&cat, 1, 1, DUMP_EVAL, "00001/e/tensors.tsv", 0);
    expect_entry(&cat, 2, 2, DUMP_EVAL, "00001/e/metadata.tsv", 0);
    catalog_free(&cat);

    // Two blocks naming one file; a step past 63 bits.
    rc = tb_scan("tb4",
                 "embeddings { tensor_name: \"e:1\" tensor_path: \"00001/e/tensors.tsv\" }\n"
                 "embeddings { tensor_name: \"e:3\" tensor_path: \"00001/e/tensors.tsv\" }\n"
                 "embeddings { tensor_name: \"e:99999999999999999999\" tensor_path: \"00007/e/tensors.tsv\" }\n",
                 &cat, &err);
    assert_int_equal(rc, 1);
    const char *n = notices(&cat);
    assert_non_null(strstr(n, "00001/e/tensors.tsv: named twice in projector_config.pbtxt"));
    assert_non_null(strstr(n, "00007/e/tensors.tsv: the step does not fit in 63 bits"));
    catalog_free(&cat);

    // Malformed: each a one-line error naming the config (and the block, or the line).
    static const struct { const char *sub, *text, *word; } bad[] = {
        {"tbb1", "embeddings { tensor_name: \"e:1\" metadata_path: \"m\" }\n",
         "block 1 at line 1 (tensor_name \"e:1\") has no tensor_path"},
        {"tbb2", "embeddings { tensor_path: \"00001/e/tensors.tsv\" }\nembeddings {\n}\n",
         "block 2 at line 2 has no tensor_path"},
        {"tbb3", "embeddings { tensor_path: \"00001/e/tensors.tsv\"\n", "line 2: the file ends inside a message"},
        {"tbb4", "embeddings { tensor_path: \"00001/e/tensors.tsv }\n", "line 1: an unterminated string"},
        {"tbb5", "embeddings { tensor_path: 12 }\n", "line 1: expected a quoted string"},
        {"tbb6", "embeddings { tensor_path \"x\" }\n", "line 1: expected ':' or '{'"},
        {"tbb7", "embeddings { tensor_path: \"a\\qb\" }\n", "an unknown escape"},
        {"tbb8", "}\n", "expected a field name"},
        {"tbb9", "embeddings { sprite { a { b { c { d { e { f { g { h { i { j { k { l { m { n "
                 "{ o { p { q { r { s { t { u { v { w { x { y { z { A { B { C { D { E { F { G "
                 "} } } } } } } } } } } } } } } } } } } } } } } } } } } } } } } } }\n",
         "messages nested too deep"},
        {"tbb10", "embeddings { tensor_path: \"a\\0b\" }\n", "a NUL byte"},
        {"tbb11", "embeddings { tensor_shape: [1, 2 }\n", "expected ',' or ']'"},
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        err.msg[0] = '\0';
        rc = tb_scan(bad[k].sub, bad[k].text, &cat, &err);
        expect_fail(rc, &err, "projector_config.pbtxt", bad[k].word);
    }
    // A failed scan changes nothing: once the writer is done, it lists.
    const char *dir = make_subdir("tbb12");
    write_text("tbb12/projector_config.pbtxt", "embeddings { tensor_path: \"00001/e/tensors.tsv\"");
    tb_files("tbb12", 1, "e", "a\nb\nc\n");
    expect_ok(catalog_open(&cat, dir, &err), &err);
    expect_fail(catalog_scan(&cat, &err), &err, "projector_config.pbtxt", "ends inside a message");
    assert_int_equal(catalog_count(&cat), 0);
    write_text("tbb12/projector_config.pbtxt", "embeddings { tensor_path: \"00001/e/tensors.tsv\" }");
    assert_int_equal(catalog_scan(&cat, &err), 1);
    catalog_free(&cat);
}

// --- scalars.jsonl --------------------------------------------------------------------------

static void test_scalar_lines(void **state) {
    (void)state;
    char names[8][DUMPFILE_SCALAR_NAME];
    double v[8];
    int64_t step;
    int n;
    assert_int_equal(dumpfile_parse_scalar_line("{\"step\":120,\"loss\":0.31,\"lr\":0.001}",
                                                &step, names, v, 8, &n), 0);
    assert_true(step == 120);
    assert_int_equal(n, 2);
    assert_string_equal(names[0], "loss");
    assert_true(v[0] == 0.31);
    assert_string_equal(names[1], "lr");
    assert_true(v[1] == 0.001);
    // Blanks, other kinds of values skipped, nested ones too, NaN and Infinity
    // (Python's json writes them), escapes in names, the line's newline.
    assert_int_equal(dumpfile_parse_scalar_line(
                         " { \"loss\" : NaN , \"tag\": \"a}b\", \"ok\": true, \"none\": null,"
                         " \"hist\": [1, [2, {\"x\": 3}]], \"sub\": {\"loss\": 1},"
                         " \"g\\u00e9\\n\": -Infinity, \"big\": Infinity, \"e\": -1.5E+3,"
                         " \"step\": 7 }\r\n",
                         &step, names, v, 8, &n), 0);
    assert_true(step == 7);
    assert_int_equal(n, 4);
    assert_string_equal(names[0], "loss");
    assert_true(isnan(v[0]));
    assert_string_equal(names[1], "g\xc3\xa9\n");
    assert_true(isinf(v[1]) && v[1] < 0);
    assert_true(isinf(v[2]) && v[2] > 0);
    assert_true(v[3] == -1500.0);
    // At most max fields; a long name is skipped.
    char longname[100];
    snprintf(longname, sizeof longname, "{\"step\":1,\"%060d\":1,\"a\":2,\"b\":3,\"c\":4}", 0);
    assert_int_equal(dumpfile_parse_scalar_line(longname, &step, names, v, 2, &n), 0);
    assert_int_equal(n, 2);
    assert_string_equal(names[0], "a");
    assert_string_equal(names[1], "b");
    // Steps: an integral number within 63 bits, else no step.
    assert_int_equal(dumpfile_parse_scalar_line("{\"step\":1.0e2}", &step, names, v, 8, &n), 0);
    assert_true(step == 100);
    assert_int_equal(dumpfile_parse_scalar_line("{\"step\":9223372036854775807}", &step, names, v, 8, &n), 0);
    assert_true(step == INT64_MAX);
    static const char *const no_step[] = {
        "{}", "{\"loss\":1}", "{\"step\":\"12\"}", "{\"step\":-1}", "{\"step\":1.5}",
        "{\"step\":9223372036854775808}", "{\"step\":NaN}", "{\"step\":null}",
        "{\"step\":1,\"step\":[1]}"};
    for (size_t k = 0; k < sizeof no_step / sizeof no_step[0]; k++)
        if (dumpfile_parse_scalar_line(no_step[k], &step, names, v, 8, &n) != -2)
            fail_msg("%s: expected -2 (no step)", no_step[k]);
    static const char *const malformed[] = {
        "", "   ", "[1]", "{\"step\":1,}", "{\"step\":1} x", "{\"step\":1}{}", "{\"step\" 1}",
        "{step:1}", "{'step':1}", "{\"step\":01}", "{\"step\":1.}", "{\"step\":.5}",
        "{\"step\":1e}", "{\"step\":+1}", "{\"step\":0x10}", "{\"a\":\"\\x41\"}", "{\"a\":\"tab\there\"}",
        "{\"a\":tru}", "{\"a\":[1,]}", "{\"a\":{\"b\":1,}}", "{\"step\":1", "{\"a\":\"\\u12\"}",
        "{\"a\":-NaN}", "{\"a\":Inf}", "{\"step\":1,\"loss\":0.3",
        "{\"a\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}"};
    for (size_t k = 0; k < sizeof malformed / sizeof malformed[0]; k++)
        if (dumpfile_parse_scalar_line(malformed[k], &step, names, v, 8, &n) != -1 || n != 0)
            fail_msg("%s: expected -1 (malformed)", malformed[k]);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_float16_exact),
        cmocka_unit_test(test_float32_float64),
        cmocka_unit_test(test_matrix_malformed),
        cmocka_unit_test(test_tsv_matrix),
        cmocka_unit_test(test_labels_npy_dtypes),
        cmocka_unit_test(test_labels_npy_malformed),
        cmocka_unit_test(test_labels_tsv),
        cmocka_unit_test(test_labelmap_across_files),
        cmocka_unit_test(test_catalog_run),
        cmocka_unit_test(test_catalog_many),
        cmocka_unit_test(test_catalog_tensorboard),
        cmocka_unit_test(test_pbtxt_syntax),
        cmocka_unit_test(test_scalar_lines),
    };
    return cmocka_run_group_tests(tests, make_dir, remove_dir);
}
