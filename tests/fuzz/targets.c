// targets.c: the fuzz targets of the data loaders (see targets.h).
#include "targets.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "tripletscope/data.h"

// --- Files -------------------------------------------------------------------

// One private folder a process, made on first use and removed at exit, so
// that parallel fuzzers and the replay never share files.
static char dir[64];

static void remove_dir(void) {
    static const char *const names[] = {"in.csv", "in.npy", "lab.npy", "in.idx", "lab.idx"};
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
