// test_data.c: the data module: every loader on small files written at run
// time into a temporary folder, the built-in sets, the generators, the
// split, standardising, gathering, and every kind of bad input.
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>
#include "../src/data/loader.h"
#include "testutil.h"

// --- Fixture files -----------------------------------------------------------

static char tmp_dir[64];
static char **paths; // every tmp_path handed out
static size_t n_paths;

static int make_dir(void **state) {
    (void)state;
    snprintf(tmp_dir, sizeof tmp_dir, "/tmp/ts_test_data.XXXXXX");
    return mkdtemp(tmp_dir) ? 0 : -1;
}

static int remove_dir(void **state) {
    (void)state;
    DIR *d = opendir(tmp_dir);
    if (!d) return -1;
    struct dirent *e;
    char path[512];
    while ((e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        snprintf(path, sizeof path, "%s/%s", tmp_dir, e->d_name);
        if (unlink(path) != 0) rmdir(path);
    }
    closedir(d);
    for (size_t k = 0; k < n_paths; k++) free(paths[k]);
    free(paths);
    paths = NULL;
    n_paths = 0;
    return rmdir(tmp_dir);
}

// A path in the temporary folder, valid until the group's teardown frees it.

static const char *tmp_path(const char *name) {
    char **grown = realloc(paths, (n_paths + 1) * sizeof *paths);
    assert_non_null(grown);
    paths = grown;
    size_t n = strlen(tmp_dir) + strlen(name) + 2;
    char *p = malloc(n);
    assert_non_null(p);
    snprintf(p, n, "%s/%s", tmp_dir, name);
    return paths[n_paths++] = p;
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

// A string literal's bytes, NULs included.
#define write_lit(name, lit) write_bytes(name, lit, sizeof lit - 1)

static const char *write_gz(const char *name, const void *data, size_t n) {
    const char *path = tmp_path(name);
    gzFile gz = gzopen(path, "wb");
    assert_non_null(gz);
    if (n) assert_int_equal(gzwrite(gz, data, (unsigned)n), (int)n);
    assert_int_equal(gzclose(gz), Z_OK);
    return path;
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

// An IDX file: magic, dims (big-endian), then n data bytes; gzip if gz.
static const char *write_idx(const char *name, uint32_t magic, const uint32_t *dims, int ndim,
                             const void *data, size_t n, int gz) {
    size_t total = 4 + 4 * (size_t)ndim + n;
    unsigned char *buf = malloc(total);
    assert_non_null(buf);
    for (int k = 0; k < 4; k++) buf[k] = (unsigned char)(magic >> (24 - 8 * k));
    for (int d = 0; d < ndim; d++)
        for (int k = 0; k < 4; k++) buf[4 + 4 * d + k] = (unsigned char)(dims[d] >> (24 - 8 * k));
    if (n) memcpy(buf + 4 + 4 * ndim, data, n);
    const char *path = gz ? write_gz(name, buf, total) : write_bytes(name, buf, total);
    free(buf);
    return path;
}

// --- Checks ------------------------------------------------------------------

static int is_zeroed(const ts_dataset *ds) {
    return ds->N == 0 && ds->D == 0 && ds->C == 0 && !ds->u8 && !ds->f32 && !ds->y &&
           !ds->class_names;
}

// A failure: -1, one line naming `what` and holding `word`, nothing kept.
static void expect_fail_(int rc, const ts_error *err, const ts_dataset *ds, const char *what,
                         const char *word, const char *file, int line) {
    if (rc != -1 || (what && !strstr(err->msg, what)) || !strstr(err->msg, word) ||
        strchr(err->msg, '\n') || (ds && !is_zeroed(ds))) {
        fail_msg("%s:%d: rc %d, message \"%s\": expected -1 naming \"%s\" with \"%s\", one "
                 "line, data set freed", file, line, rc, err->msg, what ? what : "", word);
    }
}
#define expect_fail(rc, err, ds, what, word) \
    expect_fail_(rc, err, ds, what, word, __FILE__, __LINE__)

static void expect_ok_(int rc, const ts_error *err, const char *file, int line) {
    if (rc != 0) fail_msg("%s:%d: failed: %s", file, line, err->msg);
}
#define expect_ok(rc, err) expect_ok_(rc, err, __FILE__, __LINE__)

static void check_row(const ts_dataset *ds, int i, const float *want) {
    for (int j = 0; j < ds->D; j++) assert_true(ds->f32[(size_t)i * ds->D + j] == want[j]);
}

// --- CSV ---------------------------------------------------------------------

static void test_csv_no_header(void **state) {
    (void)state;
    const char *p = write_text("plain.csv", "1.5,2,0\n3,4.25,2\n-1,0,2\n5,6e-1,0\n");
    ts_dataset ds;
    ts_error err = {{0}};
    expect_ok(data_load_csv(p, -1, 0, &ds, &err), &err);
    assert_int_equal(ds.N, 4);
    assert_int_equal(ds.D, 2);
    assert_int_equal(ds.C, 2);
    assert_non_null(ds.f32);
    assert_null(ds.u8);
    check_row(&ds, 0, (float[]){1.5f, 2.0f});
    check_row(&ds, 1, (float[]){3.0f, 4.25f});
    check_row(&ds, 2, (float[]){-1.0f, 0.0f});
    check_row(&ds, 3, (float[]){5.0f, 0.6f});
    // Labels 0 and 2 become 0 and 1; the original values name the classes.
    int want[4] = {0, 1, 1, 0};
    for (int i = 0; i < 4; i++) assert_int_equal(ds.y[i], want[i]);
    assert_string_equal(ds.class_names[0], "0");
    assert_string_equal(ds.class_names[1], "2");
    data_free(&ds);
    assert_true(is_zeroed(&ds));
    data_free(&ds); // safe twice
}

static void test_csv_header_label_col(void **state) {
    (void)state;
    // Header, CRLF line ends, a blank line, spaces around cells, label in the middle.
    const char *p = write_text("header.csv",
                               "a, label ,b\r\n1,10,2\r\n\r\n3, -5 ,4\r\n5,10,6\r\n7,3,8");
    ts_dataset ds;
    ts_error err = {{0}};
    expect_ok(data_load_csv(p, 1, 0, &ds, &err), &err);
    assert_int_equal(ds.N, 4);
    assert_int_equal(ds.D, 2);
    assert_int_equal(ds.C, 3);
    check_row(&ds, 0, (float[]){1, 2});
    check_row(&ds, 1, (float[]){3, 4});
    check_row(&ds, 2, (float[]){5, 6});
    check_row(&ds, 3, (float[]){7, 8});
    // -5 < 3 < 10 map to 0, 1, 2.
    int want[4] = {2, 0, 2, 1};
    for (int i = 0; i < 4; i++) assert_int_equal(ds.y[i], want[i]);
    assert_string_equal(ds.class_names[0], "-5");
    assert_string_equal(ds.class_names[1], "3");
    assert_string_equal(ds.class_names[2], "10");
    data_free(&ds);

    // Label in the first column; a label written as 2.0 is an integer.
    p = write_text("first.csv", "x,y,z\n2.0,0.5,0.25\n1,1,1\n");
    expect_ok(data_load_csv(p, 0, 0, &ds, &err), &err);
    assert_int_equal(ds.N, 2);
    assert_int_equal(ds.D, 2);
    check_row(&ds, 0, (float[]){0.5f, 0.25f});
    assert_int_equal(ds.y[0], 1);
    assert_int_equal(ds.y[1], 0);
    data_free(&ds);
}

static void test_csv_gz(void **state) {
    (void)state;
    const char *text = "1,2,1\n3,4,0\n";
    const char *p = write_gz("packed.csv.gz", text, strlen(text));
    ts_dataset ds;
    ts_error err = {{0}};
    expect_ok(data_load_csv(p, -1, 0, &ds, &err), &err);
    assert_int_equal(ds.N, 2);
    check_row(&ds, 1, (float[]){3, 4});
    assert_int_equal(ds.y[0], 1);
    data_free(&ds);

    // A gzip stream cut short.
    char big[4096] = "";
    for (int i = 0; i < 200; i++) {
        char line[32];
        snprintf(line, sizeof line, "%d,%d,%d\n", i, i * 3, i % 2);
        strcat(big, line);
    }
    p = write_gz("whole.csv.gz", big, strlen(big));
    FILE *f = fopen(p, "rb");
    assert_non_null(f);
    unsigned char gz[4096];
    size_t n = fread(gz, 1, sizeof gz, f);
    fclose(f);
    p = write_bytes("cut.csv.gz", gz, n / 2);
    expect_fail(data_load_csv(p, -1, 0, &ds, &err), &err, &ds, p, "truncated");
}

// --- CSV: delimiters, quotes, names as labels -------------------------------------

// Loads text (written as name) with delimiter (0: detected) and expects N x D,
// the delimiter used, and labels as names or not.
static void expect_csv(const char *name, const char *text, char delimiter, int N, int D,
                       char used, int names, ts_dataset *ds) {
    const char *p = write_text(name, text);
    ts_error err = {{0}};
    ts_csv_info info = {0, -1};
    expect_ok(data_load_csv_with(p, -1, delimiter, 0, ds, &info, &err), &err);
    assert_int_equal(ds->N, N);
    assert_int_equal(ds->D, D);
    assert_int_equal(info.delimiter, used);
    assert_int_equal(info.label_names, names);
}

static void test_csv_delimiters(void **state) {
    (void)state;
    ts_dataset ds;
    // Each delimiter, detected and given, reads the same numbers.
    static const struct {
        const char *name, *text;
        char d;
    } files[] = {
        {"comma.csv", "a,b,y\n1.5,2,0\n3,-4,1\n", ','},
        {"semi.csv", "a;b;y\n1.5;2;0\n3;-4;1\n", ';'},
        {"tab.csv", "a\tb\ty\n1.5\t2\t0\n3\t-4\t1\n", '\t'},
        {"blank.csv", "  a   b y\n1.5 2\t 0\n 3 -4 1  \n", ' '},
    };
    for (size_t f = 0; f < sizeof files / sizeof files[0]; f++) {
        for (int given = 0; given < 2; given++) {
            expect_csv(files[f].name, files[f].text, given ? files[f].d : 0, 2, 2, files[f].d, 0,
                       &ds);
            check_row(&ds, 0, (float[]){1.5f, 2});
            check_row(&ds, 1, (float[]){3, -4});
            assert_int_equal(ds.y[1], 1);
            data_free(&ds);
        }
    }
    // Another mark, given: '|' (detection does not try it).
    expect_csv("pipe.csv", "1|2|0\n3|4|1\n", '|', 2, 2, '|', 0, &ds);
    data_free(&ds);
    // Two in a row make an empty cell, except under whitespace.
    ts_error err = {{0}};
    const char *p = write_text("semi-hole.csv", "1;;0\n3;4;1\n");
    expect_fail(data_load_csv_with(p, -1, 0, 0, &ds, NULL, &err), &err, &ds, p,
                "line 1: mixes numbers and other cells");
    assert_non_null(strstr(err.msg, "column 2: empty cell"));
}

static void test_csv_detection(void **state) {
    (void)state;
    ts_dataset ds;
    ts_error err = {{0}};
    // Commas and blanks both split these lines into 3 alike: the comma, before blanks.
    expect_csv("spaced.csv", "1, 2, 0\n3, 4, 1\n", 0, 2, 2, ',', 0, &ds);
    data_free(&ds);
    // Tabs, when names with blanks make whitespace uneven.
    expect_csv("named-cols.tsv", "sepal length\tlabel\n1.5\t0\n2.5\t1\n", 0, 2, 1, '\t', 0, &ds);
    data_free(&ds);
    // Semicolons when the commas are uneven (in the header's names).
    expect_csv("unit.csv", "length, cm;label\n1.5;0\n2;1\n", 0, 2, 1, ';', 0, &ds);
    data_free(&ds);
    // Semicolons before commas: decimal commas are no delimiter, and are
    // said to be what they are.
    const char *p = write_text("decimal.csv", "5,1;3,5;0\n4,9;3,0;1\n");
    expect_fail(data_load_csv(p, -1, 0, &ds, &err), &err, &ds, p,
                "column 1: \"5,1\" is not a number (numbers take '.' as the decimal point)");
    // ... on a later line too.
    p = write_text("decimal2.csv", "a;b;y\n5.1;3.5;0\n4,9;3.0;1\n");
    expect_fail(data_load_csv(p, -1, 0, &ds, &err), &err, &ds, p,
                "line 3, column 1: \"4,9\" is not a number (numbers take '.' as the decimal point)");
    // Only the first 20 non-blank lines decide: a later line that differs is
    // named, as ragged.
    char text[2048] = "";
    for (int i = 0; i < 24; i++) strcat(text, i == 22 ? "1;2;3;0\n" : "\n1;2;1\n");
    p = write_text("late.csv", text);
    expect_fail(data_load_csv(p, -1, 0, &ds, &err), &err, &ds, p, "line 45: 4 columns, expected 3");
    // None splits every line alike: the first that splits the first line,
    // so the error names the line that differs.
    p = write_text("ragged-semi.csv", "a;b;y\n1;0\n");
    expect_fail(data_load_csv(p, -1, 0, &ds, &err), &err, &ds, p, "line 2: 2 columns, expected 3");
}

static void test_csv_one_column_hint(void **state) {
    (void)state;
    ts_dataset ds;
    ts_error err = {{0}};
    // Given the wrong delimiter: the line's likelier one, as the flag to try.
    const char *p = write_text("data.csv", "a;b;y\n1;2;0\n3;4;1\n");
    expect_fail(data_load_csv_with(p, -1, ',', 0, &ds, NULL, &err), &err, &ds, p,
                "data.csv: line 1 has 1 column (split by ','); is it separated by ';'? try "
                "--delimiter ';'");
    p = write_text("tabbed.csv", "1\t2\t0\n");
    expect_fail(data_load_csv_with(p, -1, ';', 0, &ds, NULL, &err), &err, &ds, p,
                "is it separated by tab? try --delimiter tab");
    // Detected: a mark detection does not try.
    p = write_text("piped.csv", "\n\n1|2|0\n3|4|1\n");
    expect_fail(data_load_csv(p, -1, 0, &ds, &err), &err, &ds, p,
                "line 3 has 1 column (none of ; , tab or space splits it); is it separated by "
                "'|'? try --delimiter '|'");
    // Nothing likelier: what the data needs.
    p = write_text("single.csv", "1\n2\n");
    expect_fail(data_load_csv(p, -1, 0, &ds, &err), &err, &ds, p,
                "line 1 has 1 column (none of ; , tab or space splits it); need at least one "
                "feature and a label");
    // A feature that holds another delimiter says so.
    p = write_text("semi-as-comma.csv", "a,y\n1;2,0\n3;4,1\n");
    expect_fail(data_load_csv_with(p, -1, ',', 0, &ds, NULL, &err), &err, &ds, p,
                "\"1;2\" is not a number (is the file separated by ';'? try --delimiter ';')");
}

static void test_csv_quotes(void **state) {
    (void)state;
    ts_dataset ds;
    ts_error err = {{0}};
    // Quoted cells (R's write.csv): numbers in quotes are numbers; a
    // delimiter and doubled quotes inside them are text.
    expect_csv("quoted.csv",
               "\"a\",\"b, c\",\"y\"\n\"1\",2,\"Smith, John\"\n3, \"4\" ,\"say \"\"hi\"\"\"\n"
               "5,6,plain\n7,8,\"Smith, John\"\n",
               0, 4, 2, ',', 1, &ds);
    check_row(&ds, 0, (float[]){1, 2});
    check_row(&ds, 1, (float[]){3, 4});
    assert_int_equal(ds.C, 3);
    assert_string_equal(ds.class_names[0], "Smith, John");
    assert_string_equal(ds.class_names[1], "plain");
    assert_string_equal(ds.class_names[2], "say \"hi\"");
    int want[4] = {0, 2, 1, 0};
    for (int i = 0; i < 4; i++) assert_int_equal(ds.y[i], want[i]);
    data_free(&ds);
    // Quotes under whitespace hold blanks; a quote inside a cell is a character.
    expect_csv("quoted-ws.csv", "1 2 \"big cat\"\n3 4 it\"s\n5 6 \"big cat\"\n", ' ', 3, 2,
               ' ', 1, &ds);
    assert_string_equal(ds.class_names[0], "big cat");
    assert_string_equal(ds.class_names[1], "it\"s");
    data_free(&ds);
    // A quote not closed on its line, text after a closing quote.
    const char *p = write_text("open-quote.csv", "1,2,0\n3,4,\"cat\n\",1\n");
    expect_fail(data_load_csv(p, -1, 0, &ds, &err), &err, &ds, p,
                "line 2, column 3: a quote not closed on its line");
    p = write_text("after-quote.csv", "1,2,0\n3,\"4\"5,1\n");
    expect_fail(data_load_csv(p, -1, 0, &ds, &err), &err, &ds, p,
                "line 2, column 2: text after the closing quote");
}

static void test_csv_name_labels(void **state) {
    (void)state;
    ts_dataset ds;
    ts_error err = {{0}};
    // Names become classes in byte order (upper case first), whatever the
    // rows' order; the header is found as before.
    expect_csv("iris-like.csv", "x;y;species\n1;2;setosa\n3;4;virginica\n5;6;setosa\n"
               "7;8;versicolor\n9;10;Zeta\n", 0, 5, 2, ';', 1, &ds);
    assert_int_equal(ds.C, 4);
    static const char *const names[4] = {"Zeta", "setosa", "versicolor", "virginica"};
    for (int c = 0; c < 4; c++) assert_string_equal(ds.class_names[c], names[c]);
    int want[5] = {1, 3, 1, 2, 0};
    for (int i = 0; i < 5; i++) assert_int_equal(ds.y[i], want[i]);
    data_free(&ds);
    expect_csv("reversed.csv", "9;10;Zeta\n7;8;versicolor\n1;2;setosa\n3;4;virginica\n", 0, 4, 2,
               ';', 1, &ds);
    int want_rev[4] = {0, 2, 1, 3};
    for (int i = 0; i < 4; i++) assert_int_equal(ds.y[i], want_rev[i]);
    data_free(&ds);
    // A name in the first column; UTF-8 names; a name of exactly 64 bytes.
    char text[512], long_name[80];
    memset(long_name, 'n', 64);
    long_name[64] = '\0';
    snprintf(text, sizeof text, "Äpfel,1,2\nBirnen,3,4\n%s,5,6\n", long_name);
    const char *p = write_text("first-col.csv", text);
    expect_ok(data_load_csv(p, 0, 0, &ds, &err), &err);
    assert_int_equal(ds.C, 3);
    assert_string_equal(ds.class_names[0], "Birnen");
    assert_string_equal(ds.class_names[1], long_name);
    assert_string_equal(ds.class_names[2], "Äpfel");
    check_row(&ds, 0, (float[]){1, 2});
    data_free(&ds);
    // Integers keep working as before: by value, their decimal text as names.
    expect_csv("ints.csv", "1;2;10\n3;4;-5\n", 0, 2, 2, ';', 0, &ds);
    assert_string_equal(ds.class_names[0], "-5");
    assert_int_equal(ds.y[0], 1);
    data_free(&ds);
}

static void test_csv_name_label_errors(void **state) {
    (void)state;
    ts_dataset ds;
    ts_error err = {{0}};
    const char *p;
    // Integers and names in one column, either way round.
    p = write_text("int-then-name.csv", "1,2,0\n3,4,1\n5,6,NA\n");
    expect_fail(data_load_csv(p, -1, 0, &ds, &err), &err, &ds, p,
                "line 3, column 3: label \"NA\" is a name, but line 1's label 0 is a number");
    p = write_text("name-then-int.csv", "a,b,y\n1,2,cat\n3,4,7\n");
    expect_fail(data_load_csv(p, -1, 0, &ds, &err), &err, &ds, p,
                "line 3, column 3: label 7 is a number, but line 2's label \"cat\" is a name");
    // NaN is a number, and refused as one (not a name).
    p = write_text("name-then-nan.csv", "1,2,cat\n3,4,nan\n");
    expect_fail(data_load_csv(p, -1, 0, &ds, &err), &err, &ds, p, "label nan is a number");
    // Bounded names: 65 bytes, a control character, bytes that are not UTF-8, none.
    char text[512], name[80];
    memset(name, 'n', 65);
    name[65] = '\0';
    snprintf(text, sizeof text, "1,2,cat\n3,4,%s\n", name);
    p = write_text("long-name.csv", text);
    expect_fail(data_load_csv(p, -1, 0, &ds, &err), &err, &ds, p,
                "line 2, column 3: a label of more than 64 bytes is too long for a class name");
    p = write_lit("ctrl-name.csv", "1,2,cat\n3,4,c\x01t\n");
    expect_fail(data_load_csv(p, -1, 0, &ds, &err), &err, &ds, p,
                "line 2, column 3: label \"c?t\": a control character (byte 0x01) in a name");
    p = write_lit("latin1.csv", "1,2,cat\n3,4,caf\xe9\n");
    expect_fail(data_load_csv(p, -1, 0, &ds, &err), &err, &ds, p,
                "line 2, column 3: label \"caf?\": not valid UTF-8");
    p = write_text("empty-name.csv", "1,2,cat\n3,4,\"\"\n");
    expect_fail(data_load_csv(p, -1, 0, &ds, &err), &err, &ds, p, "line 2, column 3: empty label");
    // More distinct names than TS_MAX_CLASSES: refused at the row that passes it.
    size_t cap = 32 * (TS_MAX_CLASSES + 2);
    char *big = malloc(cap);
    assert_non_null(big);
    big[0] = '\0';
    size_t at = 0;
    for (int i = 0; i <= TS_MAX_CLASSES; i++)
        at += (size_t)snprintf(big + at, cap - at, "%d,c%d\n", i, i);
    p = write_text("many-names.csv", big);
    expect_fail(data_load_csv(p, -1, 0, &ds, &err), &err, &ds, p,
                "line 4097: label \"c4096\" is the 4097th distinct one, more than 4096 classes");
    // One fewer fits.
    at = 0;
    big[0] = '\0';
    for (int i = 0; i < TS_MAX_CLASSES; i++)
        at += (size_t)snprintf(big + at, cap - at, "%d,c%d\n", i, i);
    p = write_text("max-names.csv", big);
    expect_ok(data_load_csv(p, -1, 0, &ds, &err), &err);
    assert_int_equal(ds.C, TS_MAX_CLASSES);
    assert_string_equal(ds.class_names[0], "c0");
    assert_string_equal(ds.class_names[1], "c1");
    assert_string_equal(ds.class_names[2], "c10");
    data_free(&ds);
    free(big);
}

// --- --class-names ------------------------------------------------------------------

// Loads opts, expecting both halves to be named names[0..C).
static void expect_named(const ts_data_opts *o, int C, const char *const *names) {
    ts_dataset tr, te;
    ts_error err = {{0}};
    expect_ok(data_load(o, &tr, &te, NULL, 0, &err), &err);
    assert_int_equal(tr.C, C);
    for (int c = 0; c < C; c++) {
        assert_string_equal(tr.class_names[c], names[c]);
        assert_string_equal(te.class_names[c], names[c]);
    }
    // The config line's source records them, and the file.
    assert_non_null(strstr(tr.source, "\"class_names\":[\""));
    assert_non_null(strstr(tr.source, names[C - 1]));
    assert_non_null(strstr(tr.source, "\"class_names_file\":"));
    data_free(&tr);
    data_free(&te);
}

static void test_class_names(void **state) {
    (void)state;
    ts_data_opts o;
    data_opts_default(&o);
    o.test_frac = 0.5f;
    // A CSV's integer labels -3 < 2 < 10 are ids 0, 1, 2; lines are trimmed,
    // CRLF and a byte order mark are fine, blank lines at the end ignored.
    o.data = write_text("named.csv", "1,10\n2,2\n3,-3\n4,10\n5,2\n6,-3\n7,10\n8,2\n9,-3\n"
                                     "10,10\n11,2\n12,-3\n");
    o.class_names = write_text("names.txt", "\xEF\xBB\xBF minus three\r\n two\t\nten\n\n \n");
    static const char *const three[3] = {"minus three", "two", "ten"};
    expect_named(&o, 3, three);
    // Names replace a CSV's label names too (these sort as a < b < c).
    o.data = write_text("abc.csv", "1;c\n2;b\n3;a\n4;c\n5;b\n6;a\n7;c\n8;b\n9;a\n10;a\n11;b\n"
                                   "12;c\n");
    static const char *const abc[3] = {"Alpha", "Bravo", "Charlie"};
    o.class_names = write_text("abc.txt", "Alpha\nBravo\nCharlie");
    expect_named(&o, 3, abc);
    // .npy and IDX data, their labels 0 and 1.
    float x[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    uint8_t lab[8] = {0, 1, 0, 1, 0, 1, 0, 1}, img[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    static const char *const two[2] = {"even", "odd"};
    o.class_names = write_text("two.txt", "even\nodd\n");
    o.data = write_npy("named.npy", "<f4", 0, "(8, 1)", x, sizeof x);
    o.labels = write_npy("named-lab.npy", "|u1", 0, "(8,)", lab, sizeof lab);
    o.given = TS_GIVEN_LABELS;
    expect_named(&o, 2, two);
    o.data = write_idx("named-idx", 0x802, (uint32_t[]){8, 1}, 2, img, sizeof img, 0);
    o.labels = write_idx("named-idx-lab", 0x801, (uint32_t[]){8}, 1, lab, sizeof lab, 0);
    expect_named(&o, 2, two);
    o.labels = NULL;
    o.given = 0;
    // An embedded set, and Fashion-MNIST's layout (both halves named).
    o.data = "iris";
    static const char *const flowers[3] = {"S", "Ve", "Vi"};
    o.class_names = write_text("flowers.txt", "S\nVe\nVi\n");
    expect_named(&o, 3, flowers);
    const char *dir = tmp_path("fake-fashion");
    assert_int_equal(mkdir(dir, 0700), 0);
    uint8_t pix[20 * 4], ten[20];
    for (int i = 0; i < 20; i++) ten[i] = (uint8_t)(i % 10);
    for (int i = 0; i < 80; i++) pix[i] = (uint8_t)(i * 7);
    static const char *const files[4] = {"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
                                         "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"};
    const char *made[4];
    char path[600];
    for (int k = 0; k < 4; k++) {
        snprintf(path, sizeof path, "fake-fashion/%s", files[k]);
        if (k % 2 == 0) made[k] = write_idx(path, 0x803, (uint32_t[]){20, 2, 2}, 3, pix, sizeof pix, 1);
        else made[k] = write_idx(path, 0x801, (uint32_t[]){20}, 1, ten, sizeof ten, 1);
    }
    o.data = "fashion";
    o.data_dir = dir;
    o.given = TS_GIVEN_DATA_DIR;
    static const char *const digits[10] = {"d0", "d1", "d2", "d3", "d4", "d5", "d6", "d7",
                                           "d8", "d9"};
    o.class_names = write_text("ten.txt", "d0\nd1\nd2\nd3\nd4\nd5\nd6\nd7\nd8\nd9\n");
    expect_named(&o, 10, digits);
    for (int k = 0; k < 4; k++) unlink(made[k]);   // the teardown removes one level only
    rmdir(dir);
}

static void test_class_names_bad(void **state) {
    (void)state;
    ts_data_opts o;
    data_opts_default(&o);
    o.data = "iris";   // three classes
    ts_dataset tr, te;
    ts_error err = {{0}};
    static const struct {
        const char *name, *text, *want;
    } bad[] = {
        {"few.txt", "a\nb\n", "few.txt: 2 names for the 3 classes of iris (one a line, for "
                              "class ids 0..2)"},
        {"many.txt", "a\nb\nc\nd\n", "many.txt: more than 3 names for the 3 classes of iris"},
        {"hole.txt", "a\n\nc\n", "hole.txt: line 2: an empty name"},
        {"blank-first.txt", "  \na\nb\nc\n", "blank-first.txt: line 1: an empty name"},
        {"twice.txt", "a\nb\na\n", "twice.txt: line 3: \"a\" again (line 1 names class 0); "
                                   "names must differ"},
        {"ctrl.txt", "a\nb\x1b[31m\nc\n", "ctrl.txt: line 2: a control character (byte 0x1b)"},
        {"latin1.txt", "a\ncaf\xe9\nc\n", "latin1.txt: line 2: not valid UTF-8"},
        {"empty.txt", "", "empty.txt: empty file"},
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        o.class_names = write_text(bad[k].name, bad[k].text);
        expect_fail(data_load(&o, &tr, &te, NULL, 0, &err), &err, &tr, o.class_names, bad[k].want);
        assert_true(is_zeroed(&te));
    }
    // A name of 65 bytes (64 fit).
    char text[256];
    memset(text, 'x', 64);
    strcpy(text + 64, "\nb\nc\n");
    o.class_names = write_text("long64.txt", text);
    expect_ok(data_load(&o, &tr, &te, NULL, 0, &err), &err);
    data_free(&tr);
    data_free(&te);
    memset(text, 'x', 65);
    strcpy(text + 65, "\nb\nc\n");
    o.class_names = write_text("long65.txt", text);
    expect_fail(data_load(&o, &tr, &te, NULL, 0, &err), &err, &tr, o.class_names,
                "line 1: a name of 65 bytes (at most 64)");
    // Missing, a directory, too large.
    o.class_names = tmp_path("no-names.txt");
    expect_fail(data_load(&o, &tr, &te, NULL, 0, &err), &err, &tr, o.class_names, "cannot open");
    o.class_names = tmp_dir;
    expect_fail(data_load(&o, &tr, &te, NULL, 0, &err), &err, &tr, tmp_dir, "directory");
    size_t n = 1u << 20;
    char *huge = malloc(n + 1);
    assert_non_null(huge);
    memset(huge, 'a', n);
    huge[n] = '\0';
    o.class_names = write_text("huge.txt", huge);
    free(huge);
    expect_fail(data_load(&o, &tr, &te, NULL, 0, &err), &err, &tr, o.class_names,
                "too large for class names");
    // --delimiter reads only CSV.
    o.class_names = NULL;
    o.delimiter = ';';
    o.given = TS_GIVEN_DELIMITER;
    expect_fail(data_load(&o, &tr, &te, NULL, 0, &err), &err, &tr, "--delimiter",
                "does not apply to --data iris (only to .csv and .tsv files)");
}

static void test_delimiter_names(void **state) {
    (void)state;
    char d = 'x', nb[8];
    static const struct {
        const char *v;
        char d;
    } ok[] = {{"auto", 0}, {",", ','}, {";", ';'}, {"tab", '\t'}, {"\t", '\t'}, {"\\t", '\t'},
              {"space", ' '}, {"whitespace", ' '}, {" ", ' '}, {"|", '|'}, {":", ':'}};
    for (size_t k = 0; k < sizeof ok / sizeof ok[0]; k++) {
        assert_int_equal(data_delimiter_parse(ok[k].v, &d), 0);
        assert_int_equal(d, ok[k].d);
    }
    static const char *const refused[] = {"", ";;", "a", "7", ".", "-", "+", "\"", "\n", "\xc3"};
    for (size_t k = 0; k < sizeof refused / sizeof refused[0]; k++)
        assert_int_equal(data_delimiter_parse(refused[k], &d), -1);
    assert_string_equal(data_delimiter_name(0, nb), "auto");
    assert_string_equal(data_delimiter_name('\t', nb), "tab");
    assert_string_equal(data_delimiter_name(' ', nb), "space");
    assert_string_equal(data_delimiter_name(';', nb), ";");
    // The name recorded in a CSV's source is the one --delimiter takes.
    ts_data_opts o;
    data_opts_default(&o);
    o.data = write_text("src.csv", "1\t0\n2\t1\n3\t0\n4\t1\n5\t0\n6\t1\n7\t0\n8\t1\n");
    o.test_frac = 0.5f;
    ts_dataset tr, te;
    ts_error err = {{0}};
    expect_ok(data_load(&o, &tr, &te, NULL, 0, &err), &err);
    assert_non_null(strstr(tr.source, "\"delimiter\":\"tab\""));
    assert_null(strstr(tr.source, "class_names"));   // integer labels: no names recorded
    data_free(&tr);
    data_free(&te);
}

// --- NPY ---------------------------------------------------------------------

static void test_npy_f4_with_i8_labels(void **state) {
    (void)state;
    float x[6] = {1.0f, -2.5f, 3.25f, 0.0f, 1e-3f, 7.0f}; // (3, 2)
    int64_t y[3] = {7, -1, 7};
    const char *fp = write_npy("f4.npy", "<f4", 0, "(3, 2)", x, sizeof x);
    const char *lp = write_npy("y8.npy", "<i8", 0, "(3,)", y, sizeof y);
    ts_dataset ds;
    ts_error err = {{0}};
    expect_ok(data_load_npy(fp, lp, 0, &ds, &err), &err);
    assert_int_equal(ds.N, 3);
    assert_int_equal(ds.D, 2);
    assert_int_equal(ds.C, 2);
    assert_null(ds.u8);
    for (int k = 0; k < 6; k++) assert_true(ds.f32[k] == x[k]);
    assert_int_equal(ds.y[0], 1);
    assert_int_equal(ds.y[1], 0);
    assert_int_equal(ds.y[2], 1);
    assert_string_equal(ds.class_names[0], "-1");
    assert_string_equal(ds.class_names[1], "7");
    data_free(&ds);
}

static void test_npy_f8_with_u1_labels(void **state) {
    (void)state;
    double x[4] = {0.1, -1e10, 123.456, 2.0}; // (2, 2)
    uint8_t y[2] = {200, 3};
    const char *fp = write_npy("f8.npy", "<f8", 0, "(2, 2)", x, sizeof x);
    const char *lp = write_npy("y1.npy", "|u1", 0, "(2,)", y, sizeof y);
    ts_dataset ds;
    ts_error err = {{0}};
    expect_ok(data_load_npy(fp, lp, 0, &ds, &err), &err);
    assert_int_equal(ds.N, 2);
    assert_int_equal(ds.D, 2);
    for (int k = 0; k < 4; k++) assert_true(ds.f32[k] == (float)x[k]);
    assert_int_equal(ds.y[0], 1);
    assert_int_equal(ds.y[1], 0);
    assert_string_equal(ds.class_names[1], "200");
    data_free(&ds);
}

static void test_npy_u1_and_other_label_types(void **state) {
    (void)state;
    uint8_t x[6] = {0, 255, 17, 3, 128, 64}; // (3, 2)
    const char *fp = write_npy("u1.npy", "|u1", 0, "(3, 2)", x, sizeof x);
    ts_dataset ds;
    ts_error err = {{0}};
    // The same labels (5, -3, 5) in every signed width, little-endian.
    int8_t y1[3] = {5, -3, 5};
    int16_t y2[3] = {5, -3, 5};
    int32_t y4[3] = {5, -3, 5};
    uint16_t u2[3] = {5, 3, 5};
    uint32_t u4[3] = {5, 3, 5};
    uint64_t u8[3] = {5, 3, 5};
    struct { const char *descr; const void *data; size_t n; } labels[] = {
        {"|i1", y1, sizeof y1}, {"<i2", y2, sizeof y2}, {"<i4", y4, sizeof y4},
        {"<u2", u2, sizeof u2}, {"<u4", u4, sizeof u4}, {"<u8", u8, sizeof u8},
    };
    for (size_t t = 0; t < sizeof labels / sizeof labels[0]; t++) {
        const char *lp = write_npy("lab.npy", labels[t].descr, 0, "(3,)", labels[t].data,
                                   labels[t].n);
        expect_ok(data_load_npy(fp, lp, 0, &ds, &err), &err);
        assert_int_equal(ds.N, 3);
        assert_int_equal(ds.D, 2);
        assert_non_null(ds.u8);
        assert_null(ds.f32);
        assert_true(ds.u8_scale == 1.0f / 255.0f);
        assert_memory_equal(ds.u8, x, sizeof x);
        assert_int_equal(ds.y[0], 1);
        assert_int_equal(ds.y[1], 0);
        assert_int_equal(ds.y[2], 1);
        assert_string_equal(ds.class_names[0], labels[t].descr[1] == 'i' ? "-3" : "3");
        data_free(&ds);
    }
}

// --- IDX ---------------------------------------------------------------------

static void test_idx_raw_and_gz(void **state) {
    (void)state;
    uint8_t img[3 * 2 * 2] = {0, 1, 2, 3, 10, 11, 12, 13, 250, 251, 252, 255};
    uint8_t lab[3] = {4, 9, 4};
    uint32_t dims3[3] = {3, 2, 2}, dimsl[1] = {3};
    for (int gz = 0; gz < 2; gz++) {
        const char *fp = write_idx(gz ? "img.gz" : "img-idx3-ubyte", 0x803, dims3, 3, img,
                                   sizeof img, gz);
        const char *lp = write_idx(gz ? "lab.gz" : "lab-idx1-ubyte", 0x801, dimsl, 1, lab,
                                   sizeof lab, gz);
        ts_dataset ds;
        ts_error err = {{0}};
        expect_ok(data_load_idx(fp, lp, 0, &ds, &err), &err);
        assert_int_equal(ds.N, 3);
        assert_int_equal(ds.D, 4);
        assert_int_equal(ds.C, 2);
        assert_non_null(ds.u8);
        assert_true(ds.u8_scale == 1.0f / 255.0f);
        assert_memory_equal(ds.u8, img, sizeof img);
        assert_int_equal(ds.y[0], 0);
        assert_int_equal(ds.y[1], 1);
        assert_int_equal(ds.y[2], 0);
        assert_string_equal(ds.class_names[0], "4");
        assert_string_equal(ds.class_names[1], "9");
        data_free(&ds);
    }
    // 2-D layout (N x D) with .npy labels.
    uint32_t dims2[2] = {2, 3};
    uint8_t rows[6] = {1, 2, 3, 4, 5, 6};
    int32_t y[2] = {0, 1};
    const char *fp = write_idx("rows.idx", 0x802, dims2, 2, rows, sizeof rows, 0);
    const char *lp = write_npy("rows_y.npy", "<i4", 0, "(2,)", y, sizeof y);
    ts_dataset ds;
    ts_error err = {{0}};
    expect_ok(data_load_idx(fp, lp, 0, &ds, &err), &err);
    assert_int_equal(ds.N, 2);
    assert_int_equal(ds.D, 3);
    assert_memory_equal(ds.u8, rows, sizeof rows);
    data_free(&ds);
}

// --- Built-in sets -----------------------------------------------------------

static void test_digits(void **state) {
    (void)state;
    ts_dataset ds;
    ts_error err = {{0}};
    expect_ok(data_load_digits(&ds, &err), &err);
    assert_int_equal(ds.N, 1797);
    assert_int_equal(ds.D, 64);
    assert_int_equal(ds.C, 10);
    assert_non_null(ds.u8);
    assert_null(ds.f32);
    assert_true(ds.u8_scale == 1.0f / 16.0f);
    const uint8_t first[16] = {0, 0, 5, 13, 9, 1, 0, 0, 0, 0, 13, 15, 10, 15, 5, 0};
    assert_memory_equal(ds.u8, first, sizeof first);
    assert_int_equal(ds.y[0], 0);
    assert_int_equal(ds.y[1], 1);
    int count[10] = {0}, total = 0;
    for (int i = 0; i < ds.N; i++) {
        assert_in_range(ds.y[i], 0, 9);
        count[ds.y[i]]++;
    }
    for (int c = 0; c < 10; c++) {
        assert_in_range(count[c], 170, 190); // sklearn: 174..183 a class
        total += count[c];
        char name[12];
        snprintf(name, sizeof name, "%d", c);
        assert_string_equal(ds.class_names[c], name);
    }
    assert_int_equal(total, 1797);
    for (size_t k = 0; k < (size_t)ds.N * ds.D; k++) assert_true(ds.u8[k] <= 16);
    data_free(&ds);
}

static void test_iris(void **state) {
    (void)state;
    ts_dataset ds;
    ts_error err = {{0}};
    expect_ok(data_load_iris(&ds, &err), &err);
    assert_int_equal(ds.N, 150);
    assert_int_equal(ds.D, 4);
    assert_int_equal(ds.C, 3);
    assert_non_null(ds.f32);
    assert_string_equal(ds.class_names[0], "setosa");
    assert_string_equal(ds.class_names[1], "versicolor");
    assert_string_equal(ds.class_names[2], "virginica");
    check_row(&ds, 0, (float[]){5.1f, 3.5f, 1.4f, 0.2f});
    assert_int_equal(ds.y[0], 0);
    assert_int_equal(ds.y[149], 2);
    int count[3] = {0};
    for (int i = 0; i < ds.N; i++) count[ds.y[i]]++;
    for (int c = 0; c < 3; c++) assert_int_equal(count[c], 50);
    data_free(&ds);
}

static void test_fashion(void **state) {
    (void)state;
    if (!data_fashion_available(TS_FASHION_DIR)) skip();
    ts_dataset tr, te;
    ts_error err = {{0}};
    expect_ok(data_load_fashion(TS_FASHION_DIR, 0, &tr, &te, &err), &err);
    assert_int_equal(tr.N, 60000);
    assert_int_equal(te.N, 10000);
    assert_int_equal(tr.D, 784);
    assert_int_equal(te.D, 784);
    assert_int_equal(tr.C, 10);
    assert_int_equal(te.C, 10);
    assert_non_null(tr.u8);
    assert_true(tr.u8_scale == 1.0f / 255.0f);
    assert_int_equal(tr.y[0], 9);
    assert_int_equal(te.y[0], 9);
    assert_string_equal(tr.class_names[9], "Ankle boot");
    assert_string_equal(tr.class_names[0], "T-shirt/top");
    assert_string_equal(te.class_names[9], "Ankle boot");
    int count[10] = {0};
    for (int i = 0; i < tr.N; i++) count[tr.y[i]]++;
    for (int c = 0; c < 10; c++) assert_int_equal(count[c], 6000);
    data_free(&tr);
    data_free(&te);
}

// The embedded subset: the shape datasets/README.md documents, balanced
// classes, and the bytes scripts/make-fashion-small.py wrote (their sums).
static void test_fashion_small(void **state) {
    (void)state;
    ts_dataset tr, te;
    ts_error err = {{0}};
    expect_ok(data_load_fashion_small(0, &tr, &te, &err), &err);
    assert_int_equal(tr.N, 10000);
    assert_int_equal(te.N, 2000);
    assert_int_equal(tr.D, 784);
    assert_int_equal(te.D, 784);
    assert_int_equal(tr.C, 10);
    assert_int_equal(te.C, 10);
    assert_non_null(tr.u8);
    assert_non_null(te.u8);
    assert_null(tr.f32);
    assert_true(tr.u8_scale == 1.0f / 255.0f);
    assert_true(te.u8_scale == 1.0f / 255.0f);
    assert_string_equal(tr.class_names[0], "T-shirt/top");
    assert_string_equal(tr.class_names[9], "Ankle boot");
    assert_string_equal(te.class_names[6], "Shirt");
    int ctr[10] = {0}, cte[10] = {0};
    for (int i = 0; i < tr.N; i++) ctr[tr.y[i]]++;
    for (int i = 0; i < te.N; i++) cte[te.y[i]]++;
    for (int c = 0; c < 10; c++) {
        assert_int_equal(ctr[c], 1000);
        assert_int_equal(cte[c], 200);
    }
    // File order kept: the official files' first labels.
    static const int first_tr[10] = {9, 0, 0, 3, 0, 2, 7, 2, 5, 5};
    static const int first_te[10] = {9, 2, 1, 1, 6, 1, 4, 6, 5, 7};
    for (int i = 0; i < 10; i++) {
        assert_int_equal(tr.y[i], first_tr[i]);
        assert_int_equal(te.y[i], first_te[i]);
    }
    uint64_t sum_tr = 0, sum_te = 0;
    for (size_t k = 0; k < (size_t)tr.N * 784; k++) sum_tr += tr.u8[k];
    for (size_t k = 0; k < (size_t)te.N * 784; k++) sum_te += te.u8[k];
    assert_true(sum_tr == 573133949u);
    assert_true(sum_te == 114072606u);
    data_free(&tr);
    data_free(&te);
    // Held to the budget: 10 000 images are 7.5M of bytes before anything else.
    expect_fail(data_load_fashion_small(4u << 20, &tr, &te, &err), &err, &tr,
                "fashion-small (embedded), training images", "4M budget");
    assert_true(is_zeroed(&te));
    // Room for the training half but not for both.
    expect_fail(data_load_fashion_small(9u << 20, &tr, &te, &err), &err, &tr,
                "fashion-small (embedded), test images", "9M budget");
    assert_true(is_zeroed(&te));
}

// The rule of scripts/make-fashion-small.py, checked against the package
// when it is installed: the first 1000 training and 200 test images of each
// class, in the files' order.
static void test_fashion_small_rule(void **state) {
    (void)state;
    if (!data_fashion_available(TS_FASHION_DIR)) skip();
    ts_dataset ftr, fte, str, ste;
    ts_error err = {{0}};
    expect_ok(data_load_fashion(TS_FASHION_DIR, 0, &ftr, &fte, &err), &err);
    expect_ok(data_load_fashion_small(0, &str, &ste, &err), &err);
    const ts_dataset *full[2] = {&ftr, &fte}, *small[2] = {&str, &ste};
    const int per[2] = {1000, 200};
    for (int h = 0; h < 2; h++) {
        int count[10] = {0}, j = 0;
        for (int i = 0; i < full[h]->N; i++) {
            int c = full[h]->y[i];
            if (count[c]++ >= per[h]) continue;
            assert_true(j < small[h]->N);
            assert_int_equal(small[h]->y[j], c);
            assert_memory_equal(small[h]->u8 + (size_t)j * 784, full[h]->u8 + (size_t)i * 784,
                                784);
            j++;
        }
        assert_int_equal(j, small[h]->N);
    }
    data_free(&ftr);
    data_free(&fte);
    data_free(&str);
    data_free(&ste);
}

static void test_fashion_available(void **state) {
    (void)state;
    assert_false(data_fashion_available(tmp_dir));
    assert_false(data_fashion_available("/nonexistent/folder"));
}

// --- Generators --------------------------------------------------------------

static void test_blobs(void **state) {
    (void)state;
    ts_dataset a, b, c;
    assert_int_equal(data_make_blobs(300, 5, 7, 1.0f, 42, &a), 0);
    assert_int_equal(data_make_blobs(300, 5, 7, 1.0f, 42, &b), 0);
    assert_int_equal(data_make_blobs(300, 5, 7, 1.0f, 43, &c), 0);
    assert_int_equal(a.N, 300);
    assert_int_equal(a.D, 7);
    assert_int_equal(a.C, 5);
    assert_non_null(a.f32);
    assert_null(a.u8);
    assert_memory_equal(a.f32, b.f32, 300 * 7 * sizeof(float));
    assert_memory_equal(a.y, b.y, 300 * sizeof(int));
    assert_memory_not_equal(a.f32, c.f32, 300 * 7 * sizeof(float));
    int count[5] = {0};
    for (int i = 0; i < a.N; i++) {
        assert_in_range(a.y[i], 0, 4);
        count[a.y[i]]++;
    }
    for (int k = 0; k < 5; k++) assert_int_equal(count[k], 60);
    // Points sit near their class's centre: with noise 0 every point of a
    // class is the same.
    data_free(&c);
    assert_int_equal(data_make_blobs(10, 2, 3, 0.0f, 1, &c), 0);
    assert_memory_equal(c.f32, c.f32 + 2 * 3, 3 * sizeof(float));
    assert_memory_not_equal(c.f32, c.f32 + 3, 3 * sizeof(float));
    data_free(&a);
    data_free(&b);
    data_free(&c);
    // Bad shapes fail and leave nothing.
    assert_int_equal(data_make_blobs(0, 2, 3, 1.0f, 1, &a), -1);
    assert_true(is_zeroed(&a));
    assert_int_equal(data_make_blobs(10, 2, 3, NAN, 1, &a), -1);
    assert_int_equal(data_make_noise(10, 0, 3, 1, &a), -1);
}

static void test_noise(void **state) {
    (void)state;
    ts_dataset a, b;
    assert_int_equal(data_make_noise(500, 3, 10, 9, &a), 0);
    assert_int_equal(data_make_noise(500, 3, 10, 9, &b), 0);
    assert_int_equal(a.N, 500);
    assert_int_equal(a.D, 10);
    assert_int_equal(a.C, 3);
    assert_memory_equal(a.f32, b.f32, 500 * 10 * sizeof(float));
    assert_memory_equal(a.y, b.y, 500 * sizeof(int));
    int count[3] = {0};
    for (int i = 0; i < a.N; i++) {
        assert_in_range(a.y[i], 0, 2);
        count[a.y[i]]++;
    }
    for (int k = 0; k < 3; k++) assert_in_range(count[k], 120, 215); // about 167 each
    for (int k = 0; k < 500 * 10; k++) assert_true(a.f32[k] >= 0.0f && a.f32[k] < 1.0f);
    data_free(&a);
    data_free(&b);
}

// --- Split -------------------------------------------------------------------

// A set whose single feature is the sample's index, to follow samples.
static void indexed_set(ts_dataset *ds, const int *class_sizes, int C) {
    int N = 0;
    for (int c = 0; c < C; c++) N += class_sizes[c];
    assert_int_equal(data_alloc(ds, N, 1, 0), 0);
    ds->C = C;
    // Interleave the classes so the split cannot rely on grouped input.
    int left[16], i = 0;
    memcpy(left, class_sizes, (size_t)C * sizeof(int));
    while (i < N)
        for (int c = 0; c < C; c++)
            if (left[c] > 0) {
                left[c]--;
                ds->f32[i] = (float)i;
                ds->y[i++] = c;
            }
}

static void test_split_stratified(void **state) {
    (void)state;
    int sizes[5] = {50, 30, 21, 2, 1};
    ts_dataset all, tr, te, tr2, te2;
    ts_error err = {{0}};
    indexed_set(&all, sizes, 5);
    expect_ok(data_split(&all, 0.2f, 7, &tr, &te, &err), &err);
    assert_int_equal(tr.N + te.N, all.N);
    assert_int_equal(tr.C, 5);
    assert_int_equal(te.C, 5);
    // round(n * 0.2): 10, 6, 4 (4.2), and the two small classes stay in training.
    int want_test[5] = {10, 6, 4, 0, 0}, got[5] = {0};
    for (int i = 0; i < te.N; i++) got[te.y[i]]++;
    for (int c = 0; c < 5; c++) assert_int_equal(got[c], want_test[c]);
    // Disjoint and complete: every index once, with its own label.
    int *seen = calloc((size_t)all.N, sizeof *seen);
    assert_non_null(seen);
    ts_dataset *sides[2] = {&tr, &te};
    for (int s = 0; s < 2; s++)
        for (int i = 0; i < sides[s]->N; i++) {
            int id = (int)sides[s]->f32[i];
            assert_in_range(id, 0, all.N - 1);
            assert_int_equal(sides[s]->y[i], all.y[id]);
            seen[id]++;
        }
    for (int i = 0; i < all.N; i++) assert_int_equal(seen[i], 1);
    free(seen);
    // Original order kept on both sides.
    for (int i = 1; i < tr.N; i++) assert_true(tr.f32[i] > tr.f32[i - 1]);
    // The same seed, the same split; another seed, another.
    expect_ok(data_split(&all, 0.2f, 7, &tr2, &te2, &err), &err);
    assert_int_equal(te2.N, te.N);
    assert_memory_equal(te.f32, te2.f32, (size_t)te.N * sizeof(float));
    data_free(&tr2);
    data_free(&te2);
    expect_ok(data_split(&all, 0.2f, 8, &tr2, &te2, &err), &err);
    assert_int_equal(te2.N, te.N);
    assert_memory_not_equal(te.f32, te2.f32, (size_t)te.N * sizeof(float));
    data_free(&tr2);
    data_free(&te2);
    data_free(&tr);
    data_free(&te);

    // A large fraction still keeps two of each class in training.
    expect_ok(data_split(&all, 0.9f, 1, &tr, &te, &err), &err);
    int kept[5] = {0};
    for (int i = 0; i < tr.N; i++) kept[tr.y[i]]++;
    assert_int_equal(kept[0], 5);  // 50 - 45
    assert_int_equal(kept[1], 3);  // 30 - 27
    assert_int_equal(kept[2], 2);  // 21 - 19 (round(18.9))
    assert_int_equal(kept[3], 2);
    assert_int_equal(kept[4], 1);
    data_free(&tr);
    data_free(&te);

    // No held-out part at all.
    expect_ok(data_split(&all, 0.0f, 1, &tr, &te, &err), &err);
    assert_int_equal(tr.N, all.N);
    assert_int_equal(te.N, 0);
    data_free(&tr);
    data_free(&te);

    expect_fail(data_split(&all, 1.0f, 1, &tr, &te, &err), &err, &tr, "--test-frac", "below 1");
    assert_true(is_zeroed(&te));
    data_free(&all);
}

// --train-size: n of the samples, each class in proportion (largest
// remainders), rows of the set in their order, seeded; nothing for n <= 0 or
// n >= N.
static void test_subset_stratified(void **state) {
    (void)state;
    int sizes[4] = {60, 30, 9, 1};
    ts_dataset ds, again;
    ts_error err = {{0}};
    indexed_set(&ds, sizes, 4);
    expect_ok(data_subset(&ds, 20, 5, &err), &err);
    assert_int_equal(ds.N, 20);
    assert_int_equal(ds.C, 4);
    // 60 * 20 / 100 = 12, 6, 1.8 -> 1 (+1: the largest remainder), 0.2 -> 0.
    int want[4] = {12, 6, 2, 0}, got[4] = {0};
    for (int i = 0; i < ds.N; i++) got[ds.y[i]]++;
    for (int c = 0; c < 4; c++) assert_int_equal(got[c], want[c]);
    for (int i = 1; i < ds.N; i++) assert_true(ds.f32[i] > ds.f32[i - 1]);   // in order
    // Each row still carries its own label (indexed_set: row i is value i).
    int sizes_y[101] = {0};
    indexed_set(&again, sizes, 4);
    for (int i = 0; i < again.N; i++) sizes_y[i] = again.y[i];
    for (int i = 0; i < ds.N; i++) assert_int_equal(ds.y[i], sizes_y[(int)ds.f32[i]]);
    // Seeded: the same seed the same rows, another seed others.
    expect_ok(data_subset(&again, 20, 5, &err), &err);
    assert_memory_equal(again.f32, ds.f32, sizeof(float) * 20);
    data_free(&again);
    indexed_set(&again, sizes, 4);
    expect_ok(data_subset(&again, 20, 6, &err), &err);
    assert_memory_not_equal(again.f32, ds.f32, sizeof(float) * 20);
    data_free(&again);
    // n <= 0 or n >= N: the set whole.
    indexed_set(&again, sizes, 4);
    expect_ok(data_subset(&again, 0, 5, &err), &err);
    assert_int_equal(again.N, 100);
    expect_ok(data_subset(&again, 100, 5, &err), &err);
    assert_int_equal(again.N, 100);
    data_free(&again);
    data_free(&ds);
}

static void test_split_keeps_bytes_and_names(void **state) {
    (void)state;
    ts_dataset all, tr, te;
    ts_error err = {{0}};
    expect_ok(data_load_digits(&all, &err), &err);
    expect_ok(data_split(&all, 0.25f, 3, &tr, &te, &err), &err);
    assert_non_null(tr.u8);
    assert_non_null(te.u8);
    assert_true(tr.u8_scale == all.u8_scale);
    assert_string_equal(te.class_names[7], "7");
    assert_int_equal(tr.N + te.N, 1797);
    data_free(&all);
    data_free(&tr);
    data_free(&te);
}

// --- Standardising -----------------------------------------------------------

static void test_standardize(void **state) {
    (void)state;
    ts_dataset tr, te;
    assert_int_equal(data_make_blobs(400, 4, 5, 2.0f, 5, &tr), 0);
    assert_int_equal(data_make_blobs(100, 4, 5, 2.0f, 6, &te), 0);
    // Shift and scale the columns, and make the last one constant.
    for (int i = 0; i < tr.N; i++) {
        for (int j = 0; j < 4; j++) tr.f32[i * 5 + j] = tr.f32[i * 5 + j] * (float)(j + 1) * 10.0f + 100.0f;
        tr.f32[i * 5 + 4] = 3.0f;
    }
    float te_before = te.f32[0];
    double mean0 = 0, sq0 = 0;
    for (int i = 0; i < tr.N; i++) mean0 += tr.f32[i * 5];
    mean0 /= tr.N;
    for (int i = 0; i < tr.N; i++) sq0 += (tr.f32[i * 5] - mean0) * (tr.f32[i * 5] - mean0);
    double sd0 = sqrt(sq0 / tr.N);
    data_standardize(&tr, &te);
    for (int j = 0; j < 5; j++) {
        double m = 0, s = 0;
        for (int i = 0; i < tr.N; i++) m += tr.f32[i * 5 + j];
        m /= tr.N;
        for (int i = 0; i < tr.N; i++) s += (tr.f32[i * 5 + j] - m) * (tr.f32[i * 5 + j] - m);
        s = sqrt(s / tr.N);
        assert_true(fabs(m) < 1e-4);
        if (j < 4) assert_true(fabs(s - 1.0) < 1e-4);
        else assert_true(s == 0.0); // constant: only centred
    }
    // The test side uses the training side's statistics.
    assert_true(fabs(te.f32[0] - (te_before - mean0) / sd0) < 1e-4);
    data_free(&tr);
    data_free(&te);
}

// --- Gathering ---------------------------------------------------------------

static void test_gather(void **state) {
    (void)state;
    ts_dataset ds;
    assert_int_equal(data_alloc(&ds, 3, 37, 1), 0); // odd D: the tail loop too
    for (int k = 0; k < 3 * 37; k++) ds.u8[k] = (uint8_t)(k * 7);
    ds.u8_scale = 1.0f / 255.0f;
    int idx[4] = {2, 0, 2, 1};
    float out[4 * 37];
    data_gather(&ds, idx, 4, out);
    for (int b = 0; b < 4; b++)
        for (int j = 0; j < 37; j++)
            assert_true(out[b * 37 + j] == (float)ds.u8[idx[b] * 37 + j] * (1.0f / 255.0f));
    data_free(&ds);

    assert_int_equal(data_alloc(&ds, 3, 5, 0), 0);
    for (int k = 0; k < 15; k++) ds.f32[k] = (float)k * 0.5f - 3.0f;
    float out2[4 * 5];
    data_gather(&ds, idx, 4, out2);
    for (int b = 0; b < 4; b++)
        assert_memory_equal(out2 + b * 5, ds.f32 + idx[b] * 5, 5 * sizeof(float));
    data_free(&ds);

    // The digits: values 0..16 become 0..1.
    ts_error err = {{0}};
    expect_ok(data_load_digits(&ds, &err), &err);
    float row[64];
    int zero = 0;
    data_gather(&ds, &zero, 1, row);
    assert_true(row[2] == 5.0f / 16.0f);
    assert_true(row[3] == 13.0f / 16.0f);
    data_free(&ds);
}

// --- data_load ---------------------------------------------------------------

static void test_load_named(void **state) {
    (void)state;
    ts_data_opts o;
    data_opts_default(&o);
    assert_null(o.data);
    assert_string_equal(o.data_dir, TS_FASHION_DIR);
    assert_int_equal(o.label_col, -1);
    assert_true(o.test_frac == 0.2f);
    assert_true(o.noise == 1.0f);
    ts_dataset tr, te;
    ts_error err = {{0}};
    char name[64];

    o.data = "iris";
    expect_ok(data_load(&o, &tr, &te, name, sizeof name, &err), &err);
    assert_string_equal(name, "iris");
    assert_int_equal(tr.N, 120);
    assert_int_equal(te.N, 30);
    assert_string_equal(tr.class_names[2], "virginica");
    double m = 0;
    for (int i = 0; i < tr.N; i++) m += tr.f32[i * 4];
    assert_true(fabs(m / tr.N) < 1e-4); // standardised
    data_free(&tr);
    data_free(&te);

    o.data = "digits";
    expect_ok(data_load(&o, &tr, &te, name, sizeof name, &err), &err);
    assert_string_equal(name, "digits");
    assert_non_null(tr.u8);
    assert_int_equal(tr.N + te.N, 1797);
    assert_in_range(te.N, 355, 365);
    data_free(&tr);
    data_free(&te);

    o.data = "blobs";
    expect_ok(data_load(&o, &tr, &te, name, sizeof name, &err), &err);
    assert_string_equal(name, "blobs");
    assert_int_equal(tr.N + te.N, 2000);
    assert_int_equal(tr.D, 16);
    assert_int_equal(tr.C, 10);
    assert_int_equal(te.N, 400);
    data_free(&tr);
    data_free(&te);

    // --train-size: a smaller training side, the held-out side as it was.
    o.train_size = 300;
    expect_ok(data_load(&o, &tr, &te, name, sizeof name, &err), &err);
    assert_int_equal(tr.N, 300);
    assert_int_equal(te.N, 400);
    assert_non_null(strstr(tr.source, "\"train_size\":300"));
    int per[10] = {0};
    for (int i = 0; i < tr.N; i++) per[tr.y[i]]++;
    for (int c = 0; c < 10; c++) assert_int_equal(per[c], 30);
    data_free(&tr);
    data_free(&te);
    o.train_size = 0;

    o.data = "noise";
    o.seed = 3;
    expect_ok(data_load(&o, &tr, &te, name, sizeof name, &err), &err);
    assert_string_equal(name, "noise");
    assert_int_equal(tr.N + te.N, 1000);
    assert_int_equal(tr.D, 10);
    assert_int_equal(tr.C, 2);
    for (int k = 0; k < tr.N * tr.D; k++) assert_true(tr.f32[k] >= 0.0f && tr.f32[k] < 1.0f);
    data_free(&tr);
    data_free(&te);

    o.data = "noise";
    o.classes = 4;
    o.dim = 3;
    o.samples = 80;
    expect_ok(data_load(&o, &tr, &te, name, sizeof name, &err), &err);
    assert_int_equal(tr.N + te.N, 80);
    assert_int_equal(tr.D, 3);
    assert_int_equal(tr.C, 4);
    data_free(&tr);
    data_free(&te);

    // Without --data: Fashion-MNIST when its folder has it, else the
    // embedded subset, which the config line's source says stands in.
    data_opts_default(&o);
    o.data_dir = tmp_dir;
    expect_ok(data_load(&o, &tr, &te, name, sizeof name, &err), &err);
    assert_string_equal(name, "fashion-small");
    assert_int_equal(tr.N, 10000);
    assert_int_equal(te.N, 2000);
    assert_non_null(strstr(tr.source, "\"kind\":\"fashion-small\""));
    assert_non_null(strstr(tr.source, "\"fallback_for\":\"fashion\""));
    assert_non_null(strstr(tr.source, tmp_dir));
    assert_non_null(strstr(tr.source, "\"class_names\":[\"T-shirt/top\","));
    data_free(&tr);
    data_free(&te);
    // Named, it is no fallback; like fashion it has its own split.
    o.data = "fashion-small";
    expect_ok(data_load(&o, &tr, &te, name, sizeof name, &err), &err);
    assert_string_equal(name, "fashion-small");
    assert_null(strstr(tr.source, "fallback_for"));
    data_free(&tr);
    data_free(&te);
    o.given = TS_GIVEN_TEST_FRAC;
    expect_fail(data_load(&o, &tr, &te, name, sizeof name, &err), &err, &tr, "--test-frac",
                "fashion-small");
    o.given = TS_GIVEN_DATA_DIR;
    expect_fail(data_load(&o, &tr, &te, name, sizeof name, &err), &err, &tr, "--data-dir",
                "fashion-small");
    // An explicit --data-dir still means Fashion-MNIST, missing or not.
    o.data = NULL;
    expect_fail(data_load(&o, &tr, &te, name, sizeof name, &err), &err, &tr, tmp_dir,
                "--data fashion-small");
    // The digits stay what --data digits names.
    o.given = 0;
    o.data = "digits";
    expect_ok(data_load(&o, &tr, &te, name, sizeof name, &err), &err);
    assert_string_equal(name, "digits");
    data_free(&tr);
    data_free(&te);
}

static void test_load_file(void **state) {
    (void)state;
    // 12 rows, two classes of 6: a 0.25 split holds out 2 + 2 (1.5 rounds up).
    char text[512] = "f1,f2,cls\n";
    for (int i = 0; i < 12; i++) {
        char line[64];
        snprintf(line, sizeof line, "%d,%d,%d\n", i, 100 + i * i, i % 2 ? 5 : 1);
        strcat(text, line);
    }
    const char *p = write_text("set.csv", text);
    ts_data_opts o;
    data_opts_default(&o);
    o.data = p;
    o.test_frac = 0.25f;
    ts_dataset tr, te;
    ts_error err = {{0}};
    char name[64];
    expect_ok(data_load(&o, &tr, &te, name, sizeof name, &err), &err);
    assert_string_equal(name, "set.csv");
    assert_int_equal(tr.N, 8);
    assert_int_equal(te.N, 4);
    assert_string_equal(tr.class_names[1], "5");
    double m = 0;
    for (int i = 0; i < tr.N; i++) m += tr.f32[i * 2 + 1];
    assert_true(fabs(m) < 1e-3); // standardised
    data_free(&tr);
    data_free(&te);

    // An IDX file with no telling extension is found by its magic; bytes stay bytes.
    uint8_t img[16] = {0, 255, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14};
    uint8_t lab[8] = {0, 1, 0, 1, 0, 1, 0, 1};
    uint32_t dims[2] = {8, 2}, dl[1] = {8};
    o.data = write_idx("pixels.bin", 0x802, dims, 2, img, sizeof img, 1);
    o.labels = write_idx("pixels-labels.bin", 0x801, dl, 1, lab, sizeof lab, 0);
    o.test_frac = 0.5f;
    expect_ok(data_load(&o, &tr, &te, name, sizeof name, &err), &err);
    assert_string_equal(name, "pixels.bin");
    assert_int_equal(tr.N, 4);
    assert_int_equal(te.N, 4);
    assert_non_null(tr.u8);
    assert_non_null(te.u8);
    int sum = 0, want = 0;   // every byte kept, in one split or the other
    for (int i = 0; i < 8; i++) sum += tr.u8[i] + te.u8[i];
    for (int i = 0; i < 16; i++) want += img[i];
    assert_int_equal(sum, want);
    assert_non_null(strstr(tr.source, "\"kind\":\"idx\""));
    assert_non_null(strstr(tr.source, "pixels-labels.bin"));
    data_free(&tr);
    data_free(&te);

    // Nothing to evaluate: refused, naming the file.
    o.test_frac = 0.0f;
    assert_int_equal(data_load(&o, &tr, &te, name, sizeof name, &err), -1);
    assert_non_null(strstr(err.msg, "pixels.bin"));
    assert_non_null(strstr(err.msg, "held-out"));
}

// --- Bad input ---------------------------------------------------------------

static void test_bad_files(void **state) {
    (void)state;
    ts_dataset ds;
    ts_error err = {{0}};
    const char *missing = tmp_path("missing.csv");
    expect_fail(data_load_csv(missing, -1, 0, &ds, &err), &err, &ds, missing, "cannot open");
    expect_fail(data_load_npy(missing, missing, 0, &ds, &err), &err, &ds, missing, "cannot open");
    expect_fail(data_load_idx(missing, missing, 0, &ds, &err), &err, &ds, missing, "cannot open");
    const char *dir = tmp_path("folder.csv");
    assert_int_equal(mkdir(dir, 0700), 0);
    expect_fail(data_load_csv(dir, -1, 0, &ds, &err), &err, &ds, dir, "directory");
    expect_fail(data_load_idx(dir, NULL, 0, &ds, &err), &err, &ds, dir, "directory");
    const char *empty = write_text("empty.csv", "");
    expect_fail(data_load_csv(empty, -1, 0, &ds, &err), &err, &ds, empty, "empty");
    empty = write_text("empty.npy", "");
    expect_fail(data_load_npy(empty, empty, 0, &ds, &err), &err, &ds, empty, "empty");
    empty = write_text("empty-idx", "");
    expect_fail(data_load_idx(empty, empty, 0, &ds, &err), &err, &ds, empty, "empty");
    empty = write_gz("empty.gz", "", 0);
    expect_fail(data_load_idx(empty, empty, 0, &ds, &err), &err, &ds, empty, "empty");
    const char *blank = write_text("blank.csv", "\n  \n\n");
    expect_fail(data_load_csv(blank, -1, 0, &ds, &err), &err, &ds, blank, "empty");
    // A file name holding a newline still gives one line.
    const char *odd = tmp_path("odd\nname.csv");
    expect_fail(data_load_csv(odd, -1, 0, &ds, &err), &err, &ds, "name.csv", "cannot open");
}

static void test_bad_idx(void **state) {
    (void)state;
    ts_dataset ds;
    ts_error err = {{0}};
    uint8_t bytes[100] = {0};
    uint32_t dims[3] = {10, 28, 28}, dl[1] = {10};
    const char *lab = write_idx("ten-labels", 0x801, dl, 1, bytes, 10, 0);
    // Truncated: the header says 7840 bytes, 100 follow (raw and gzip).
    const char *p = write_idx("short-idx3", 0x803, dims, 3, bytes, sizeof bytes, 0);
    expect_fail(data_load_idx(p, lab, 0, &ds, &err), &err, &ds, p, "truncated");
    p = write_idx("short.gz", 0x803, dims, 3, bytes, sizeof bytes, 1);
    expect_fail(data_load_idx(p, lab, 0, &ds, &err), &err, &ds, p, "truncated");
    p = write_lit("short-header", "\x00\x00\x08\x03\x00\x00");
    expect_fail(data_load_idx(p, lab, 0, &ds, &err), &err, &ds, p, "truncated");
    p = write_lit("tiny-magic", "\x00\x00");
    expect_fail(data_load_idx(p, lab, 0, &ds, &err), &err, &ds, p, "truncated");
    // Labels truncated.
    uint8_t *pix = calloc(7840, 1);
    assert_non_null(pix);
    const char *img = write_idx("ten-images", 0x803, dims, 3, pix, 7840, 0);
    p = write_idx("short-labels", 0x801, dl, 1, bytes, 4, 0);
    expect_fail(data_load_idx(img, p, 0, &ds, &err), &err, &ds, p, "truncated");
    // Wrong magic: features, labels, and a text file.
    p = write_idx("wrong-magic", 0x0D03, dims, 3, pix, 7840, 0);
    expect_fail(data_load_idx(p, lab, 0, &ds, &err), &err, &ds, p, "magic");
    expect_fail(data_load_idx(img, img, 0, &ds, &err), &err, &ds, img, "magic");
    p = write_text("notes.txt", "hello, world\n");
    expect_fail(data_load_idx(p, lab, 0, &ds, &err), &err, &ds, p, "magic");
    free(pix);
    // Sizes that overflow int, and sizes beyond this machine's memory (a
    // compressed file cannot be checked against its length).
    uint32_t huge[3] = {0xffffffffu, 0xffffffffu, 0xffffffffu};
    p = write_idx("overflow-idx", 0x803, huge, 3, NULL, 0, 0);
    expect_fail(data_load_idx(p, lab, 0, &ds, &err), &err, &ds, p, "overflow");
    uint32_t big[2] = {0x7fffffffu, 1u << 20};
    p = write_idx("big.gz", 0x802, big, 2, NULL, 0, 1);
    expect_fail(data_load_idx(p, lab, 0, &ds, &err), &err, &ds, p, "memory");
    // Plausible for memory, but longer than the file.
    uint32_t mid[2] = {1000000, 1000};
    p = write_idx("mid-idx", 0x802, mid, 2, bytes, sizeof bytes, 0);
    expect_fail(data_load_idx(p, lab, 0, &ds, &err), &err, &ds, p, "truncated");
    // Corrupt gzip: a valid header, then garbage.
    unsigned char junk[64];
    memset(junk, 0xa5, sizeof junk);
    memcpy(junk, "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03", 10);
    p = write_bytes("corrupt.gz", junk, sizeof junk);
    expect_fail(data_load_idx(p, lab, 0, &ds, &err), &err, &ds, p, "corrupt");
    // Labels required, and their count must match.
    uint32_t d2[2] = {3, 1}, d3[1] = {2};
    uint8_t v[3] = {1, 2, 3};
    p = write_idx("three-rows", 0x802, d2, 2, v, 3, 0);
    expect_fail(data_load_idx(p, NULL, 0, &ds, &err), &err, &ds, p, "--labels");
    const char *two = write_idx("two-labels", 0x801, d3, 1, v, 2, 0);
    expect_fail(data_load_idx(p, two, 0, &ds, &err), &err, &ds, two, "mismatch");
}

static void test_bad_npy(void **state) {
    (void)state;
    ts_dataset ds;
    ts_error err = {{0}};
    float x[6] = {1, 2, 3, 4, 5, 6};
    int64_t y3[3] = {0, 1, 1}, y2[2] = {0, 1};
    const char *lab = write_npy("lab3.npy", "<i8", 0, "(3,)", y3, sizeof y3);
    const char *p;
    // Truncated data, truncated header.
    p = write_npy("short.npy", "<f4", 0, "(3, 2)", x, 5 * sizeof(float));
    expect_fail(data_load_npy(p, lab, 0, &ds, &err), &err, &ds, p, "truncated");
    p = write_lit("head.npy", "\x93NUMPY\x01\x00\x76\x00{'descr'");
    expect_fail(data_load_npy(p, lab, 0, &ds, &err), &err, &ds, p, "truncated");
    p = write_npy("short-lab.npy", "<i8", 0, "(3,)", y3, 20);
    const char *good = write_npy("good.npy", "<f4", 0, "(3, 2)", x, sizeof x);
    expect_fail(data_load_npy(good, p, 0, &ds, &err), &err, &ds, p, "truncated");
    // Sizes.
    p = write_npy("overflow.npy", "<f4", 0, "(99999999999, 99999999999)", NULL, 0);
    expect_fail(data_load_npy(p, lab, 0, &ds, &err), &err, &ds, p, "overflow");
    p = write_npy("overflow2.npy", "<f4", 0, "(123456789012345678901234567890, 2)", NULL, 0);
    expect_fail(data_load_npy(p, lab, 0, &ds, &err), &err, &ds, p, "overflow");
    // A raw file too short for its header says so (raising the budget
    // would not help).
    p = write_npy("huge.npy", "<f4", 0, "(2000000000, 2000000000)", NULL, 0);
    expect_fail(data_load_npy(p, lab, 0, &ds, &err), &err, &ds, p, "truncated");
    // Dims, dtypes, order.
    p = write_npy("3d.npy", "<f4", 0, "(3, 1, 2)", x, sizeof x);
    expect_fail(data_load_npy(p, lab, 0, &ds, &err), &err, &ds, p, "dims");
    p = write_npy("1d.npy", "<f4", 0, "(6,)", x, sizeof x);
    expect_fail(data_load_npy(p, lab, 0, &ds, &err), &err, &ds, p, "dims");
    p = write_npy("i4.npy", "<i4", 0, "(3, 2)", x, sizeof x);
    expect_fail(data_load_npy(p, lab, 0, &ds, &err), &err, &ds, p, "dtype");
    p = write_npy("be.npy", ">f4", 0, "(3, 2)", x, sizeof x);
    expect_fail(data_load_npy(p, lab, 0, &ds, &err), &err, &ds, p, "dtype");
    p = write_npy("fortran.npy", "<f4", 1, "(3, 2)", x, sizeof x);
    expect_fail(data_load_npy(p, lab, 0, &ds, &err), &err, &ds, p, "Fortran");
    p = write_npy("lab2d.npy", "<i8", 0, "(3, 1)", y3, sizeof y3);
    expect_fail(data_load_npy(good, p, 0, &ds, &err), &err, &ds, p, "dims");
    p = write_npy("labf.npy", "<f8", 0, "(3,)", y3, sizeof y3);
    expect_fail(data_load_npy(good, p, 0, &ds, &err), &err, &ds, p, "dtype");
    p = write_npy("labbe.npy", ">i4", 0, "(3,)", y3, 12);
    expect_fail(data_load_npy(good, p, 0, &ds, &err), &err, &ds, p, "dtype");
    // NaN and Inf, in both float widths.
    float xn[6] = {1, 2, NAN, 4, 5, 6};
    p = write_npy("nan.npy", "<f4", 0, "(3, 2)", xn, sizeof xn);
    expect_fail(data_load_npy(p, lab, 0, &ds, &err), &err, &ds, p, "NaN");
    double xi[6] = {1, 2, 3, 4, 5, INFINITY};
    p = write_npy("inf.npy", "<f8", 0, "(3, 2)", xi, sizeof xi);
    expect_fail(data_load_npy(p, lab, 0, &ds, &err), &err, &ds, p, "Inf");
    double xr[6] = {1, 2, 3, 1e300, 5, 6};
    p = write_npy("range.npy", "<f8", 0, "(3, 2)", xr, sizeof xr);
    expect_fail(data_load_npy(p, lab, 0, &ds, &err), &err, &ds, p, "range");
    // Labels: required, counted.
    expect_fail(data_load_npy(good, NULL, 0, &ds, &err), &err, &ds, good, "--labels");
    p = write_npy("lab2.npy", "<i8", 0, "(2,)", y2, sizeof y2);
    expect_fail(data_load_npy(good, p, 0, &ds, &err), &err, &ds, p, "mismatch");
    // Not a .npy at all.
    p = write_text("text.npy", "1,2,3\n4,5,6\n");
    expect_fail(data_load_npy(p, lab, 0, &ds, &err), &err, &ds, p, "magic");
    p = write_lit("v9.npy", "\x93NUMPY\x09\x00\x10\x00{}              ");
    expect_fail(data_load_npy(p, lab, 0, &ds, &err), &err, &ds, p, "version");
    p = write_npy("noshape.npy", "<f4", 0, "[3, 2]", x, sizeof x);
    expect_fail(data_load_npy(p, lab, 0, &ds, &err), &err, &ds, p, "shape");
}

static void test_bad_csv(void **state) {
    (void)state;
    ts_dataset ds;
    ts_error err = {{0}};
    const char *p;
    p = write_text("ragged.csv", "a,b,c,y\n1,2,3,0\n1,2,3,4,0\n");
    expect_fail(data_load_csv(p, -1, 0, &ds, &err), &err, &ds, p, "line 3: 5 columns, expected 4");
    p = write_text("ragged2.csv", "1,2,0\n1,0\n");
    expect_fail(data_load_csv(p, -1, 0, &ds, &err), &err, &ds, p, "line 2: 2 columns, expected 3");
    p = write_text("word.csv", "1,2,0\n1,two,1\n");
    expect_fail(data_load_csv(p, -1, 0, &ds, &err), &err, &ds, p, "not a number");
    assert_non_null(strstr(err.msg, "line 2, column 2"));
    p = write_text("hole.csv", "1,2,0\n1,,1\n");
    expect_fail(data_load_csv(p, -1, 0, &ds, &err), &err, &ds, p, "empty cell");
    p = write_text("mixed.csv", "1,b,y\n1,2,0\n");
    expect_fail(data_load_csv(p, -1, 0, &ds, &err), &err, &ds, p, "mixes numbers");
    p = write_text("nan.csv", "1,2,0\nnan,3,1\n");
    expect_fail(data_load_csv(p, -1, 0, &ds, &err), &err, &ds, p, "NaN");
    p = write_text("inf.csv", "1,2,0\n3,-inf,1\n");
    expect_fail(data_load_csv(p, -1, 0, &ds, &err), &err, &ds, p, "Inf");
    p = write_text("big.csv", "1,2,0\n3,1e300,1\n");
    expect_fail(data_load_csv(p, -1, 0, &ds, &err), &err, &ds, p, "float range");
    p = write_text("frac.csv", "1,2,0\n3,4,1.5\n");
    expect_fail(data_load_csv(p, -1, 0, &ds, &err), &err, &ds, p, "not an integer");
    p = write_text("nanlabel.csv", "1,2,0\n3,4,nan\n");
    expect_fail(data_load_csv(p, -1, 0, &ds, &err), &err, &ds, p, "NaN");
    p = write_text("onecol.csv", "1\n2\n");
    expect_fail(data_load_csv(p, -1, 0, &ds, &err), &err, &ds, p, "1 column");
    p = write_text("headonly.csv", "a,b,c\n");
    expect_fail(data_load_csv(p, -1, 0, &ds, &err), &err, &ds, p, "no data rows");
    p = write_text("ok.csv", "1,2,0\n3,4,1\n");
    expect_fail(data_load_csv(p, 3, 0, &ds, &err), &err, &ds, p, "--label-col 3");
    expect_fail(data_load_csv(p, -2, 0, &ds, &err), &err, &ds, "--label-col", "-2");
    // Control bytes in a cell are shown as '?', never breaking the line.
    p = write_lit("ctrl.csv", "1,2,0\n1,\r\x01x\r,1\n");
    expect_fail(data_load_csv(p, -1, 0, &ds, &err), &err, &ds, p, "not a number");
}

static void test_bad_sets(void **state) {
    (void)state;
    ts_data_opts o;
    data_opts_default(&o);
    ts_dataset tr, te;
    ts_error err = {{0}};
    char name[32] = "x";
    // One class only.
    o.data = write_text("oneclass.csv", "1,2,7\n3,4,7\n5,6,7\n");
    expect_fail(data_load(&o, &tr, &te, name, sizeof name, &err), &err, &tr, o.data,
                "two classes");
    assert_true(is_zeroed(&te));
    assert_string_equal(name, "");
    // Every class a single sample: no positive pair, no triplet.
    o.data = write_text("singles.csv", "1,2,0\n3,4,1\n5,6,2\n");
    expect_fail(data_load(&o, &tr, &te, name, sizeof name, &err), &err, &tr, o.data, "triplet");
    // The same checks called directly.
    ts_dataset ds;
    assert_int_equal(data_alloc(&ds, 3, 1, 0), 0);
    ds.C = 3;
    ds.y[0] = 0, ds.y[1] = 1, ds.y[2] = 2;
    expect_fail(data_validate(&ds, "mine", &err), &err, NULL, "mine", "triplet");
    ds.y[0] = 2, ds.y[1] = 2;
    expect_fail(data_validate(&ds, "mine", &err), &err, NULL, "mine", "two classes");
    ds.y[0] = 0;
    expect_ok(data_validate(&ds, "mine", &err), &err);
    ds.y[1] = 3;
    expect_fail(data_validate(&ds, "mine", &err), &err, NULL, "mine", "outside");
    data_free(&ds);
    // Not a set name nor a file; a file of unknown kind.
    o.data = "fashoin";
    expect_fail(data_load(&o, &tr, &te, name, sizeof name, &err), &err, &tr, "fashoin",
                "no such data set");
    o.data = write_text("readme.txt", "just some words\n");
    expect_fail(data_load(&o, &tr, &te, name, sizeof name, &err), &err, &tr, o.data, "magic");
    // Fashion-MNIST from a folder without it.
    o.data = "fashion";
    o.data_dir = tmp_dir;
    expect_fail(data_load(&o, &tr, &te, name, sizeof name, &err), &err, &tr, tmp_dir,
                "cannot open");
    assert_true(is_zeroed(&te));
    // Flags.
    data_opts_default(&o);
    o.data = "digits";
    o.test_frac = 1.5f;
    expect_fail(data_load(&o, &tr, &te, name, sizeof name, &err), &err, &tr, "--test-frac", "1.5");
    o.test_frac = NAN;
    expect_fail(data_load(&o, &tr, &te, name, sizeof name, &err), &err, &tr, "--test-frac", "below");
    o.test_frac = 0.2f;
    o.data = "noise";
    o.classes = 1;
    expect_fail(data_load(&o, &tr, &te, name, sizeof name, &err), &err, &tr, "--classes", "between");
    o.classes = 0;
    o.dim = -3;
    expect_fail(data_load(&o, &tr, &te, name, sizeof name, &err), &err, &tr, "--dim", "-3");
    o.dim = 0;
    o.samples = 1;
    expect_fail(data_load(&o, &tr, &te, name, sizeof name, &err), &err, &tr, "--samples", "1");
    o.samples = 0;
    o.data = "blobs";
    o.noise = -1.0f;
    expect_fail(data_load(&o, &tr, &te, name, sizeof name, &err), &err, &tr, "--noise", "-1");
}

// --- Hostile files (issue 9) ---------------------------------------------------

// Seconds on a monotonic clock.
static double now_s(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

// A FIFO in the temporary folder. A load that opens one blocks in open()
// until a writer comes: the alarm turns that hang into a failed test.
static const char *make_fifo(const char *name) {
    const char *p = tmp_path(name);
    assert_int_equal(mkfifo(p, 0600), 0);
    return p;
}

static void test_fifo_refused(void **state) {
    (void)state;
    ts_dataset ds, tr, te;
    ts_error err = {{0}};
    alarm(20);
    const char *f = make_fifo("fifo.csv");
    expect_fail(data_load_csv(f, -1, 0, &ds, &err), &err, &ds, f, "not a regular file (a FIFO)");
    const char *g = make_fifo("fifo-data");   // no extension: kind_of looks at its bytes
    const char *lab = write_idx("fifo-lab", 0x801, (uint32_t[]){4}, 1, "\0\1\0\1", 4, 0);
    ts_data_opts o;
    data_opts_default(&o);
    o.data = g;
    o.labels = lab;
    o.given = TS_GIVEN_LABELS;
    expect_fail(data_load(&o, &tr, &te, NULL, 0, &err), &err, &tr, g, "FIFO");
    expect_fail(data_load_idx(g, lab, 0, &ds, &err), &err, &ds, g, "FIFO");
    expect_fail(data_load_npy(g, lab, 0, &ds, &err), &err, &ds, g, "FIFO");
    // --labels naming a FIFO, for IDX and .npy features.
    const char *img = write_idx("fifo-img", 0x802, (uint32_t[]){4, 1}, 2, "\1\2\3\4", 4, 0);
    uint8_t x[4] = {1, 2, 3, 4};
    const char *npy = write_npy("fifo-x.npy", "|u1", 0, "(4, 1)", x, sizeof x);
    const char *fl = make_fifo("fifo-labels");
    expect_fail(data_load_idx(img, fl, 0, &ds, &err), &err, &ds, fl, "FIFO");
    expect_fail(data_load_npy(npy, fl, 0, &ds, &err), &err, &ds, fl, "FIFO");
    o.data = img;
    o.labels = fl;
    expect_fail(data_load(&o, &tr, &te, NULL, 0, &err), &err, &tr, fl, "FIFO");
    // A character device is no data file either.
    expect_fail(data_load_csv("/dev/null", -1, 0, &ds, &err), &err, &ds, "/dev/null",
                "not a regular file (a character device)");
    // Fashion-MNIST's names as FIFOs: not available (and so not the default
    // set), and loading it by name fails instead of blocking.
    const char *dir = tmp_path("fifo-fashion");
    assert_int_equal(mkdir(dir, 0700), 0);
    static const char *const names[4] = {
        "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
        "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"};
    char path[600];
    for (int k = 0; k < 4; k++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[k]);
        assert_int_equal(mkfifo(path, 0600), 0);
    }
    assert_false(data_fashion_available(dir));
    expect_fail(data_load_fashion(dir, 0, &tr, &te, &err), &err, &tr, dir, "FIFO");
    assert_true(is_zeroed(&te));
    for (int k = 0; k < 4; k++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[k]);
        unlink(path);
    }
    alarm(0);
}

// Writes a gzip file of `members` copies of one gzip member holding `chunk`
// bytes of "0,1\n" lines: concatenated members are one valid stream (gzip
// and zlib read on), so gigabytes of text take a second to make and about a
// thousandth of their size on disk.
static const char *write_bomb(const char *name, size_t chunk, int members) {
    char *text = malloc(chunk);
    assert_non_null(text);
    for (size_t k = 0; k < chunk; k++) text[k] = "0,1\n"[k % 4];
    uLong cap = compressBound((uLong)chunk) + 64;
    unsigned char *z = malloc(cap);
    assert_non_null(z);
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    assert_int_equal(deflateInit2(&zs, 9, Z_DEFLATED, 16 + MAX_WBITS, 9, Z_DEFAULT_STRATEGY), Z_OK);
    zs.next_in = (unsigned char *)text;
    zs.avail_in = (uInt)chunk;
    zs.next_out = z;
    zs.avail_out = (uInt)cap;
    assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
    size_t zlen = cap - zs.avail_out;
    deflateEnd(&zs);
    const char *path = tmp_path(name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    for (int m = 0; m < members; m++) assert_int_equal(fwrite(z, 1, zlen, f), zlen);
    assert_int_equal(fclose(f), 0);
    free(text);
    free(z);
    return path;
}

// The process's address space in bytes (from /proc/self/statm).
static uint64_t vm_size(void) {
    FILE *f = fopen("/proc/self/statm", "r");
    unsigned long long pages = 0;
    if (f) {
        if (fscanf(f, "%llu", &pages) != 1) pages = 0;
        fclose(f);
    }
    return (uint64_t)pages * (uint64_t)sysconf(_SC_PAGESIZE);
}

static void test_gzip_bomb(void **state) {
    (void)state;
    // 1 GiB of "0,1\n" in about 1 MB: before the budget this ran 40 s and
    // peaked at 7 GB before it was refused.
    const char *p = write_bomb("bomb.csv.gz", 4u << 20, 256);
    struct stat st;
    assert_int_equal(stat(p, &st), 0);
    assert_true(st.st_size < (2 << 20));
    ts_dataset ds;
    ts_error err = {{0}};
#if !defined(__SANITIZE_ADDRESS__)
    // Bound the address space to 256 MB more than now, so that holding the
    // text (or the arrays for it) fails outright; AddressSanitizer reserves
    // terabytes of shadow and cannot run under such a limit.
    struct rlimit old, lim;
    assert_int_equal(getrlimit(RLIMIT_AS, &old), 0);
    lim = old;
    lim.rlim_cur = vm_size() + (256u << 20);
    if (old.rlim_cur != RLIM_INFINITY && old.rlim_cur < lim.rlim_cur) lim.rlim_cur = old.rlim_cur;
    assert_int_equal(setrlimit(RLIMIT_AS, &lim), 0);
#endif
    double t0 = now_s();
    int rc = data_load_csv(p, -1, 16u << 20, &ds, &err);
    double dt = now_s() - t0;
#if !defined(__SANITIZE_ADDRESS__)
    assert_int_equal(setrlimit(RLIMIT_AS, &old), 0);
#endif
    expect_fail(rc, &err, &ds, p, "more than the 16M budget (raise it with --max-memory SIZE)");
    assert_non_null(strstr(err.msg, "needs at least"));
    assert_true(dt < 5.0);
    // The default budget (4G or half the memory) refuses it too, and soon.
    t0 = now_s();
    expect_fail(data_load_csv(p, -1, 0, &ds, &err), &err, &ds, p, "--max-memory");
    assert_true(now_s() - t0 < 30.0);

    // A normal file loads under the same small budget, and a budget that is
    // just too small for it is refused with the exact need.
    char text[4096] = "";
    for (int i = 0; i < 200; i++) {
        char line[32];
        snprintf(line, sizeof line, "%d.5,%d,%d\n", i, i * 3, i % 2);
        strcat(text, line);
    }
    const char *ok = write_gz("normal.csv.gz", text, strlen(text));
    expect_ok(data_load_csv(ok, -1, 16u << 20, &ds, &err), &err);
    assert_int_equal(ds.N, 200);
    data_free(&ds);
    expect_fail(data_load_csv(ok, -1, 8192, &ds, &err), &err, &ds, ok, "budget");
    // And through data_load, split included.
    ts_data_opts o;
    data_opts_default(&o);
    o.data = ok;
    o.max_bytes = 1u << 20;
    ts_dataset tr, te;
    expect_ok(data_load(&o, &tr, &te, NULL, 0, &err), &err);
    data_free(&tr);
    data_free(&te);
    o.data = p;
    expect_fail(data_load(&o, &tr, &te, NULL, 0, &err), &err, &tr, p, "1M budget");
}

static void test_budget_headers(void **state) {
    (void)state;
    ts_dataset ds, tr, te;
    ts_error err = {{0}};
    uint8_t lab[4] = {0, 1, 0, 1};
    const char *lp = write_idx("budget-lab", 0x801, (uint32_t[]){4}, 1, lab, 4, 0);
    // A compressed IDX cannot be checked against its length: its header's
    // 100 000 x 1000 bytes are checked against the budget before anything is
    // allocated.
    const char *p = write_idx("budget-img.gz", 0x802, (uint32_t[]){100000, 1000}, 2, NULL, 0, 1);
    expect_fail(data_load_idx(p, lp, 16u << 20, &ds, &err), &err, &ds, p, "16M budget");
    // The same header with room in the budget: only then truncated.
    expect_fail(data_load_idx(p, lp, 1ull << 30, &ds, &err), &err, &ds, p, "truncated");
    // A .npy as well: its shape counts the split copies and the labels too,
    // so 3M of floats do not fit in 4M.
    size_t n = 3u << 18;  // (786432, 1) floats: 3M
    float *x = calloc(n, sizeof *x);
    assert_non_null(x);
    const char *np = write_npy("budget.npy", "<f4", 0, "(786432, 1)", x, n * sizeof *x);
    free(x);
    expect_fail(data_load_npy(np, lp, 4u << 20, &ds, &err), &err, &ds, np, "4M budget");
    // Generated sets: --samples x --dim against the same budget.
    ts_data_opts o;
    data_opts_default(&o);
    o.data = "blobs";
    o.samples = 1000000;
    o.dim = 100;
    o.max_bytes = 64u << 20;
    expect_fail(data_load(&o, &tr, &te, NULL, 0, &err), &err, &tr, "--samples 1000000 x --dim 100",
                "64M budget (raise it with --max-memory SIZE)");
    o.data = "noise";
    expect_fail(data_load(&o, &tr, &te, NULL, 0, &err), &err, &tr, "--samples", "--max-memory");
    o.samples = 1000;
    o.dim = 10;
    expect_ok(data_load(&o, &tr, &te, NULL, 0, &err), &err);
    data_free(&tr);
    data_free(&te);
}

static void test_label_header_checked_first(void **state) {
    (void)state;
    ts_dataset ds;
    ts_error err = {{0}};
    uint8_t img[4] = {1, 2, 3, 4};
    const char *fp = write_idx("hdr-img", 0x802, (uint32_t[]){4, 1}, 2, img, 4, 0);
    // A labels .gz of 28 bytes whose header says 2^31 - 1 labels: refused on
    // the count, before 2 GB + 17 GB are asked for.
    const char *lp = write_idx("hdr-lab.gz", 0x801, (uint32_t[]){0x7fffffffu}, 1, NULL, 0, 1);
    struct stat st;
    assert_int_equal(stat(lp, &st), 0);
    assert_true(st.st_size < 40);
    double t0 = now_s();
    expect_fail(data_load_idx(fp, lp, 0, &ds, &err), &err, &ds, lp, "2147483647 labels for the 4 "
                "samples");
    assert_non_null(strstr(err.msg, "mismatch"));
    assert_non_null(strstr(err.msg, fp));
    assert_true(now_s() - t0 < 1.0);
    // The same for .npy labels, and for a raw IDX of labels.
    const char *np = write_npy("hdr-lab.npy", "<i8", 0, "(2147483647,)", NULL, 0);
    expect_fail(data_load_idx(fp, np, 0, &ds, &err), &err, &ds, np, "mismatch");
    const char *raw = write_idx("hdr-lab-raw", 0x801, (uint32_t[]){0x7fffffffu}, 1, NULL, 0, 0);
    expect_fail(data_load_idx(fp, raw, 0, &ds, &err), &err, &ds, raw, "mismatch");
    // The right count, but short.
    const char *sh = write_idx("hdr-lab-short.gz", 0x801, (uint32_t[]){4}, 1, "\1\2", 2, 1);
    expect_fail(data_load_idx(fp, sh, 0, &ds, &err), &err, &ds, sh, "truncated");
}

static void test_csv_small_hostile(void **state) {
    (void)state;
    ts_dataset ds;
    ts_error err = {{0}};
    const char *p;
    // A label past 2^53 is out of range, not "not an integer".
    p = write_text("big-label.csv", "1,2,0\n3,4,4611686018427387904\n");
    expect_fail(data_load_csv(p, -1, 0, &ds, &err), &err, &ds, p,
                "line 2, column 3: label 4611686018427387904 is out of range (at most 2^53");
    p = write_text("edge-label.csv", "1,2,9007199254740992\n3,4,-9007199254740992\n5,6,0\n");
    expect_ok(data_load_csv(p, -1, 0, &ds, &err), &err);
    assert_int_equal(ds.C, 3);
    data_free(&ds);
    p = write_text("e999-label.csv", "1,2,0\n3,4,1e999\n");
    expect_fail(data_load_csv(p, -1, 0, &ds, &err), &err, &ds, p, "label 1e999 is out of range");
    // 1e999 is beyond a double: out of range, not NaN or Inf.
    p = write_text("e999.csv", "1,2,0\n3,1e999,1\n");
    expect_fail(data_load_csv(p, -1, 0, &ds, &err), &err, &ds, p,
                "line 2, column 2: 1e999 is out of float range");
    p = write_text("e999-neg.csv", "1,2,0\n3,-1e999,1\n");
    expect_fail(data_load_csv(p, -1, 0, &ds, &err), &err, &ds, p, "out of float range");
    // Tiny values underflow to 0: fine.
    p = write_text("tiny.csv", "1e-999,2,0\n3,4,1\n");
    expect_ok(data_load_csv(p, -1, 0, &ds, &err), &err);
    assert_true(ds.f32[0] == 0.0f);
    data_free(&ds);
    // nan and inf cells are named as what they are.
    p = write_text("nan2.csv", "1,2,0\n3,NaN,1\n");
    expect_fail(data_load_csv(p, -1, 0, &ds, &err), &err, &ds, p, "NaN: NaN or Inf is not allowed");
    p = write_text("inf2.csv", "1,2,0\n3,infinity,1\n");
    expect_fail(data_load_csv(p, -1, 0, &ds, &err), &err, &ds, p, "NaN or Inf");
    // A UTF-8 byte order mark, without and with a header.
    p = write_text("bom.csv", "\xEF\xBB\xBF" "1,2,0\n3,4,1\n");
    expect_ok(data_load_csv(p, -1, 0, &ds, &err), &err);
    assert_int_equal(ds.N, 2);
    check_row(&ds, 0, (float[]){1, 2});
    data_free(&ds);
    p = write_text("bom-header.csv", "\xEF\xBB\xBF" "a,b,y\n1,2,0\n3,4,1\n");
    expect_ok(data_load_csv(p, -1, 0, &ds, &err), &err);
    assert_int_equal(ds.N, 2);
    data_free(&ds);
    ts_dataset bom;   // the same through gzip
    const char *text = "\xEF\xBB\xBF" "1,2,0\n3,4,1\n";
    p = write_gz("bom.csv.gz", text, strlen(text));
    expect_ok(data_load_csv(p, -1, 0, &bom, &err), &err);
    data_free(&bom);
    // A BOM anywhere else is a cell that is no number.
    p = write_text("bom-late.csv", "1,2,0\n\xEF\xBB\xBF" "3,4,1\n");
    expect_fail(data_load_csv(p, -1, 0, &ds, &err), &err, &ds, p, "not a number");
    // A 5 MB number cell is too long, not NaN or Inf; it is not parsed.
    size_t big = 5u << 20;
    char *cell = malloc(big + 64);
    assert_non_null(cell);
    strcpy(cell, "1,2,0\n3,");
    size_t at = strlen(cell);
    memset(cell + at, '9', big);
    strcpy(cell + at + big, ",1\n");
    p = write_text("long-cell.csv", cell);
    double t0 = now_s();
    expect_fail(data_load_csv(p, -1, 0, &ds, &err), &err, &ds, p,
                "line 2, column 2: a cell of 5242880 characters is too long for a number "
                "(at most 256)");
    assert_true(now_s() - t0 < 2.0);
    // ... in the first line too (so not a header), and as a label.
    memmove(cell, cell + 6, strlen(cell + 6) + 1);  // "3,999...,1\n"
    p = write_text("long-first.csv", cell);
    expect_fail(data_load_csv(p, -1, 0, &ds, &err), &err, &ds, p, "line 1, column 2: a cell of");
    free(cell);
    // Within the cap, padded digits parse as usual.
    char padded[300] = "0.";
    memset(padded + 2, '0', 250);
    strcpy(padded + 252, "5,1,0\n2,3,1\n");
    p = write_text("padded.csv", padded);
    expect_ok(data_load_csv(p, -1, 0, &ds, &err), &err);
    data_free(&ds);
    // A long text cell is not a number, and a header line may hold one.
    char head[400];
    memset(head, 'h', 300);
    strcpy(head + 300, ",y\n1,0\n2,1\n");
    p = write_text("long-header.csv", head);
    expect_ok(data_load_csv(p, -1, 0, &ds, &err), &err);
    assert_int_equal(ds.N, 2);
    data_free(&ds);
}

// Random byte damage to valid files: whatever comes back, no crash and no
// leak (under valgrind or LeakSanitizer), and failures are one line.
static void test_damaged_files(void **state) {
    (void)state;
    uint8_t img[4 * 6];
    for (size_t k = 0; k < sizeof img; k++) img[k] = (uint8_t)(k * 11);
    uint32_t dims[3] = {4, 2, 3}, dl[1] = {4};
    uint8_t lab[4] = {0, 1, 0, 1};
    const char *lp = write_idx("fz-lab", 0x801, dl, 1, lab, sizeof lab, 0);
    float x[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    unsigned char base[3][400];
    size_t len[3];
    // The bytes of an IDX, an npy and a CSV file, read back from disk.
    const char *src[3] = {
        write_idx("fz-img", 0x803, dims, 3, img, sizeof img, 0),
        write_npy("fz.npy", "<f4", 0, "(4, 2)", x, sizeof x),
        write_text("fz.csv", "a,b,y\n1.5,2,0\n3,4,1\n-5,6e2,0\n7,8,1\n"),
    };
    for (int f = 0; f < 3; f++) {
        FILE *fp = fopen(src[f], "rb");
        assert_non_null(fp);
        len[f] = fread(base[f], 1, sizeof base[f], fp);
        fclose(fp);
    }
    const char *npy_lab = write_npy("fz-lab.npy", "|u1", 0, "(4,)", lab, sizeof lab);
    uint32_t r = 12345;
    for (int it = 0; it < 600; it++) {
        int f = it % 3;
        unsigned char buf[400];
        memcpy(buf, base[f], len[f]);
        size_t n = len[f];
        int edits = 1 + (int)((r = r * 1103515245u + 12345u) >> 16) % 4;
        for (int e = 0; e < edits; e++) {
            r = r * 1103515245u + 12345u;
            size_t at = (r >> 8) % n;
            r = r * 1103515245u + 12345u;
            buf[at] = (r >> 16) & 3 ? (unsigned char)(r >> 8) : (unsigned char)"0,\n.e-9"[(r >> 20) % 7];
        }
        r = r * 1103515245u + 12345u;
        if ((r >> 16) % 5 == 0) n = (r >> 4) % n; // cut short
        static const char *names[3] = {"fz-mut-idx", "fz-mut.npy", "fz-mut.csv"};
        const char *p = write_bytes(names[f], buf, n);
        ts_dataset ds;
        ts_error err = {{0}};
        int rc = f == 0 ? data_load_idx(p, lp, 0, &ds, &err)
               : f == 1 ? data_load_npy(p, npy_lab, 0, &ds, &err)
                        : data_load_csv(p, -1, 0, &ds, &err);
        if (rc == 0) {
            assert_true(ds.N > 0 && ds.D > 0 && ds.C > 0);
            for (int i = 0; i < ds.N; i++) assert_in_range(ds.y[i], 0, ds.C - 1);
            data_free(&ds);
        } else {
            assert_int_equal(rc, -1);
            assert_true(is_zeroed(&ds));
            assert_null(strchr(err.msg, '\n'));
            assert_non_null(strstr(err.msg, p));
        }
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csv_no_header),
        cmocka_unit_test(test_csv_header_label_col),
        cmocka_unit_test(test_csv_gz),
        cmocka_unit_test(test_csv_delimiters),
        cmocka_unit_test(test_csv_detection),
        cmocka_unit_test(test_csv_one_column_hint),
        cmocka_unit_test(test_csv_quotes),
        cmocka_unit_test(test_csv_name_labels),
        cmocka_unit_test(test_csv_name_label_errors),
        cmocka_unit_test(test_class_names),
        cmocka_unit_test(test_class_names_bad),
        cmocka_unit_test(test_delimiter_names),
        cmocka_unit_test(test_npy_f4_with_i8_labels),
        cmocka_unit_test(test_npy_f8_with_u1_labels),
        cmocka_unit_test(test_npy_u1_and_other_label_types),
        cmocka_unit_test(test_idx_raw_and_gz),
        cmocka_unit_test(test_digits),
        cmocka_unit_test(test_iris),
        cmocka_unit_test(test_fashion),
        cmocka_unit_test(test_fashion_small),
        cmocka_unit_test(test_fashion_small_rule),
        cmocka_unit_test(test_fashion_available),
        cmocka_unit_test(test_blobs),
        cmocka_unit_test(test_noise),
        cmocka_unit_test(test_split_stratified),
        cmocka_unit_test(test_subset_stratified),
        cmocka_unit_test(test_split_keeps_bytes_and_names),
        cmocka_unit_test(test_standardize),
        cmocka_unit_test(test_gather),
        cmocka_unit_test(test_load_named),
        cmocka_unit_test(test_load_file),
        cmocka_unit_test(test_bad_files),
        cmocka_unit_test(test_bad_idx),
        cmocka_unit_test(test_bad_npy),
        cmocka_unit_test(test_bad_csv),
        cmocka_unit_test(test_bad_sets),
        cmocka_unit_test(test_damaged_files),
        cmocka_unit_test(test_fifo_refused),
        cmocka_unit_test(test_gzip_bomb),
        cmocka_unit_test(test_budget_headers),
        cmocka_unit_test(test_label_header_checked_first),
        cmocka_unit_test(test_csv_small_hostile),
    };
    return cmocka_run_group_tests(tests, make_dir, remove_dir);
}
