// targets.c: the fuzz targets of the data loaders (see targets.h).
#include "targets.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "tripletscope/data.h"
#include "tripletscope/dumpfile.h"

// --- Files -------------------------------------------------------------------

// One private folder a process, made on first use and removed at exit, so
// that parallel fuzzers and the replay never share files.
static char dir[64];

static void remove_dir(void) {
    static const char *const names[] = {"in.csv", "in.npy", "lab.npy", "in.idx", "lab.idx",
                                        "in.tsv", "projector_config.pbtxt", "t.tsv"};
    char path[128];
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[k]);
        unlink(path);
    }
    rmdir(dir);
}

// The path of name in the folder, holding the n bytes of data.
static const char *put(const char *name, const uint8_t *data, size_t n, char *path, size_t cap) {
    if (!dir[0]) {
        snprintf(dir, sizeof dir, "/tmp/tsfuzz.XXXXXX");
        if (!mkdtemp(dir)) abort();
        atexit(remove_dir);
    }
    snprintf(path, cap, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f || (n && fwrite(data, 1, n, f) != n) || fclose(f) != 0) abort();
    return path;
}

// The first sep in [data, data + n), or NULL.
static const uint8_t *find(const uint8_t *data, size_t n, const char *sep) {
    size_t m = strlen(sep);
    for (size_t i = 0; i + m <= n; i++)
        if (data[i] == (uint8_t)sep[0] && memcmp(data + i, sep, m) == 0) return data + i;
    return NULL;
}

// --- Promises ----------------------------------------------------------------

static int zeroed(const ts_dataset *ds) {
    return ds->N == 0 && ds->D == 0 && ds->C == 0 && !ds->u8 && !ds->f32 && !ds->y &&
           !ds->class_names;
}

// A split as data_load promises it: N x D features, exactly one of u8 and
// f32, labels in [0, C), C names.
static void check_split(const ts_dataset *ds, int D) {
    if (ds->N < 0 || ds->D != D || D <= 0 || ds->C < 2 || ds->C > TS_MAX_CLASSES) abort();
    if (!ds->y || !ds->u8 == !ds->f32) abort();
    for (int i = 0; i < ds->N; i++)
        if (ds->y[i] < 0 || ds->y[i] >= ds->C) abort();
    if (ds->class_names)
        for (int c = 0; c < ds->C; c++)
            if (!ds->class_names[c]) abort();
}

// Loads o and checks what comes back; always frees.
static void load(const ts_data_opts *o) {
    ts_dataset tr, te;
    ts_error err = {{0}};
    char name[64];
    if (data_load(o, &tr, &te, name, sizeof name, &err) == 0) {
        if (tr.N < 1) abort();
        check_split(&tr, tr.D);
        check_split(&te, tr.D);
        data_free(&tr);
        data_free(&te);
        return;
    }
    // One line, naming the file (or the labels' file, or a flag).
    const char *m = err.msg;
    if (!m[0] || strchr(m, '\n') || !zeroed(&tr) || !zeroed(&te)) abort();
    if (!strstr(m, o->data) && !(o->labels && strstr(m, o->labels)) && strncmp(m, "--", 2) != 0)
        abort();
}

static void opts(ts_data_opts *o, const char *data, const char *labels) {
    data_opts_default(o);
    o->data = data;
    o->labels = labels;
    o->given = labels ? TS_GIVEN_LABELS : 0;
    o->test_frac = 0.25f;
    o->max_bytes = FUZZ_MAX_BYTES;
}

// Features in one file and, after the separator, labels in another.
static void load_pair(const uint8_t *data, size_t size, const char *fname, const char *lname) {
    char fpath[128], lpath[128];
    const uint8_t *sep = find(data, size, FUZZ_LABELS_SEP);
    size_t flen = sep ? (size_t)(sep - data) : size;
    ts_data_opts o;
    const char *labels = NULL;
    if (sep) {
        size_t skip = flen + strlen(FUZZ_LABELS_SEP);
        labels = put(lname, data + skip, size - skip, lpath, sizeof lpath);
    }
    opts(&o, put(fname, data, flen, fpath, sizeof fpath), labels);
    load(&o);
}

// --- The targets -------------------------------------------------------------

int fuzz_csv(const uint8_t *data, size_t size) {
    char path[128];
    ts_data_opts o;
    opts(&o, put("in.csv", data, size, path, sizeof path), NULL);
    load(&o);
    o.label_col = 0;
    o.given |= TS_GIVEN_LABEL_COL;
    load(&o);
    return 0;
}

int fuzz_npy(const uint8_t *data, size_t size) {
    load_pair(data, size, "in.npy", "lab.npy");
    return 0;
}

int fuzz_idx(const uint8_t *data, size_t size) {
    load_pair(data, size, "in.idx", "lab.idx");
    return 0;
}

// --- The dump reader's targets -------------------------------------------------

// One line naming `what`.
static void check_fail(const ts_error *err, const char *what) {
    if (!err->msg[0] || strchr(err->msg, '\n') || !strstr(err->msg, what)) abort();
}

int fuzz_pbtxt(const uint8_t *data, size_t size) {
    // The config goes beside the other targets' files, which its blocks may
    // name, and t.tsv: the catalog only checks that they are there. (Few
    // files: creating one costs more than a scan.)
    char path[128];
    static int made;
    if (!made) put("t.tsv", (const uint8_t *)"1\t2\n", 4, path, sizeof path);
    made = 1;
    put("projector_config.pbtxt", data, size, path, sizeof path);
    ts_catalog cat;
    ts_error err = {{0}};
    if (catalog_open(&cat, dir, &err) < 0 || catalog_kind_of(&cat) != CATALOG_TENSORBOARD) abort();
    for (int scan = 0; scan < 2; scan++) {
        size_t before = catalog_count(&cat);
        int rc = catalog_scan(&cat, &err);
        if (rc < 0) {
            check_fail(&err, "projector_config.pbtxt");
            if (catalog_count(&cat) != before) abort();
            continue;
        }
        if (catalog_count(&cat) != before + (size_t)rc || (scan == 1 && rc != 0)) abort();
        int64_t last = -1;
        for (size_t i = 0; i < catalog_count(&cat); i++) {
            dump_entry e = catalog_entry(&cat, i);
            if (e.kind != DUMP_EVAL || e.step < last || !e.embeddings || e.has_ids || e.ids)
                abort();
            last = e.step;
            char p[4096];
            if (catalog_entry_path(&cat, i, DUMP_EMBEDDINGS, p, sizeof p) < 0) abort();
        }
        const char *n;
        while ((n = catalog_next_notice(&cat)) != NULL)
            if (!n[0] || strchr(n, '\n')) abort();
    }
    catalog_free(&cat);
    return 0;
}

// Labels of path for n points with label_col, checked against the promises.
static void fuzz_labels(const char *path, int n, const char *col) {
    ts_labelmap m;
    labelmap_init(&m);
    ts_error err = {{0}};
    if (labelmap_id_text(&m, "seed", 4, &err) != 0) abort();
    int *y = malloc((size_t)n * sizeof *y);
    if (!y) abort();
    if (dumpfile_read_labels(path, "emb.tsv", n, col, &m, y, &err) == 0) {
        for (int i = 0; i < n; i++)
            if (y[i] < 0 || y[i] >= m.count || !labelmap_name(&m, y[i])) abort();
    } else {
        check_fail(&err, path);
        if (m.count != 1) abort();
    }
    free(y);
    labelmap_free(&m);
}

int fuzz_tsv(const uint8_t *data, size_t size) {
    char path[128];
    put("in.tsv", data, size, path, sizeof path);
    float *x = (float *)&x;
    int N = -1, D = -1;
    dumpfile_dtype t;
    ts_error err = {{0}};
    if (dumpfile_read_matrix(path, FUZZ_MAX_BYTES, &x, &N, &D, &t, &err) == 0) {
        if (!x || N < 1 || D < 1 || D > DUMPFILE_MAX_D || (uint64_t)N * (uint64_t)D * 4 > FUZZ_MAX_BYTES)
            abort();
        volatile float sum = 0;
        for (size_t k = 0; k < (size_t)N * (size_t)D; k++) sum += x[k];   // every value is there
        (void)sum;
        free(x);
    } else {
        check_fail(&err, path);
        if (x) abort();
        N = 3;
    }
    if (N > 1 << 16) N = 1 << 16;
    fuzz_labels(path, N, NULL);
    fuzz_labels(path, N, "1");
    fuzz_labels(path, N, "label");
    // Each line as a scalars.jsonl line.
    char *line = malloc(size + 1);
    if (!line) abort();
    for (size_t b = 0; b < size;) {
        const uint8_t *nl = memchr(data + b, '\n', size - b);
        size_t e = nl ? (size_t)(nl - data) : size;
        memcpy(line, data + b, e - b);
        line[e - b] = '\0';
        char names[4][DUMPFILE_SCALAR_NAME];
        double v[4];
        int64_t step;
        int n = -1;
        int rc = dumpfile_parse_scalar_line(line, &step, names, v, 4, &n);
        if (rc < -2 || rc > 0 || n < 0 || n > 4 || (rc == -1 && n != 0) || (rc == 0 && step < 0))
            abort();
        for (int k = 0; k < n; k++)
            if (strlen(names[k]) >= DUMPFILE_SCALAR_NAME) abort();
        b = e + 1;
    }
    free(line);
    return 0;
}
