// labels.c: labels read from files: their count checked against the
// features', remapped to 0..C-1 with the original values as class names.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "loader.h"

// --- Checks --------------------------------------------------------------------

int data_check_labels(const char *path, uint64_t n, size_t expect, const char *features_path,
                      size_t elem, int64_t avail, ts_error *err) {
    // Before anything is allocated: a header's count alone must not decide
    // how much memory the labels take.
    if (n != (uint64_t)expect)
        return ts_fail(err, "%s: %llu labels for the %zu samples of %s (label count mismatch)",
                       path, (unsigned long long)n, expect, features_path);
    if (avail >= 0 && n * elem > (uint64_t)avail)   // n <= INT_MAX: no overflow
        return ts_fail(err, "%s: truncated: header says %llu labels (%llu bytes) but only "
                       "%lld bytes follow", path, (unsigned long long)n,
                       (unsigned long long)(n * elem), (long long)avail);
    return 0;
}

// --- Labels ------------------------------------------------------------------

static int cmp_i64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

int data_remap_labels(ts_dataset *ds, const int64_t *raw, const char *what, ts_error *err) {
    size_t n = (size_t)ds->N;
    int64_t *u = malloc((n ? n : 1) * sizeof *u);
    if (!u) return ts_fail(err, "%s: out of memory", what);
    if (n) memcpy(u, raw, n * sizeof *u);
    qsort(u, n, sizeof *u, cmp_i64);
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        if (i == 0 || u[i] != u[c - 1]) u[c++] = u[i];
    if (c > TS_MAX_CLASSES) {
        free(u);
        return ts_fail(err, "%s: %zu distinct labels, more than %d classes", what, c,
                       TS_MAX_CLASSES);
    }
    char **names = calloc(c ? c : 1, sizeof *names);
    if (!names) {
        free(u);
        return ts_fail(err, "%s: out of memory", what);
    }
    for (size_t k = 0; k < c; k++) {
        char buf[32];
        snprintf(buf, sizeof buf, "%lld", (long long)u[k]);
        names[k] = strdup(buf);
        if (!names[k]) {
            for (size_t j = 0; j < k; j++) free(names[j]);
            free(names);
            free(u);
            return ts_fail(err, "%s: out of memory", what);
        }
    }
    // Binary search: labels are few, samples many.
    for (size_t i = 0; i < n; i++) {
        size_t lo = 0, hi = c;
        while (hi - lo > 1) {
            size_t mid = (lo + hi) / 2;
            if (u[mid] <= raw[i]) lo = mid;
            else hi = mid;
        }
        ds->y[i] = (int)lo;
    }
    free(u);
    ds->C = (int)c;
    ds->class_names = names;
    return 0;
}

// --- Attaching ------------------------------------------------------------------

int data_attach_labels(ts_dataset *ds, const char *features_path, const char *labels_path,
                       ts_error *err) {
    int64_t *raw = NULL;
    int rc = data_read_labels(labels_path, (size_t)ds->N, features_path, &raw, err);
    if (rc == 0) rc = data_remap_labels(ds, raw, labels_path, err);
    free(raw);
    if (rc < 0) {
        data_free(ds);
        return data_err_oneline(err);
    }
    return 0;
}
