// labels.c: labels read from files: their count checked against the
// features', remapped to 0..C-1 with the original values (integers, or the
// names of a CSV's label column) as class names; and --class-names.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
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

// --- Names -------------------------------------------------------------------

// The length of the UTF-8 sequence at s (n bytes left), or 0 when it is not
// one: no overlong forms, no surrogates, nothing past U+10FFFF.
static size_t utf8_seq(const unsigned char *s, size_t n) {
    unsigned char c = s[0];
    if (c < 0x80) return 1;
    size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
    if (len == 0 || c > 0xF4 || len > n) return 0;
    for (size_t k = 1; k < len; k++)
        if ((s[k] & 0xC0) != 0x80) return 0;
    if (c == 0xE0 && s[1] < 0xA0) return 0;   // overlong
    if (c == 0xED && s[1] >= 0xA0) return 0;  // a surrogate
    if (c == 0xF0 && s[1] < 0x90) return 0;   // overlong
    if (c == 0xF4 && s[1] >= 0x90) return 0;  // past U+10FFFF
    return len;
}

int data_name_problem(const char *s, size_t len, char *why, size_t cap) {
    if (len == 0) return snprintf(why, cap, "an empty name"), 1;
    if (len > TS_LABEL_NAME_MAX)
        return snprintf(why, cap, "a name of %zu bytes (at most %d)", len, TS_LABEL_NAME_MAX), 1;
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < len;) {
        if (u[i] < 0x20 || u[i] == 0x7f)
            return snprintf(why, cap, "a control character (byte 0x%02x) in a name", u[i]), 1;
        size_t k = utf8_seq(u + i, len - i);
        if (k == 0) return snprintf(why, cap, "not valid UTF-8"), 1;
        i += k;
    }
    return 0;
}

typedef struct {
    const char *name;
    int id;
} named_id;

static int cmp_named(const void *a, const void *b) {
    return strcmp(((const named_id *)a)->name, ((const named_id *)b)->name);
}

static void free_names(char **names, int c) {
    if (!names) return;
    for (int k = 0; k < c; k++) free(names[k]);
    free(names);
}

int data_remap_names(ts_dataset *ds, const int64_t *ids, const ts_labelmap *map,
                     const char *what, ts_error *err) {
    int c = map->count;
    named_id *order = malloc((size_t)(c ? c : 1) * sizeof *order);
    int *rank = malloc((size_t)(c ? c : 1) * sizeof *rank);
    char **names = calloc((size_t)(c ? c : 1), sizeof *names);
    int rc = order && rank && names ? 0 : -1;
    for (int k = 0; rc == 0 && k < c; k++) order[k] = (named_id){labelmap_name(map, k), k};
    // strcmp compares bytes as unsigned char: the order of `LC_ALL=C sort`.
    if (rc == 0) qsort(order, (size_t)c, sizeof *order, cmp_named);
    for (int r = 0; rc == 0 && r < c; r++) {
        rank[order[r].id] = r;
        if (!(names[r] = strdup(order[r].name))) rc = -1;
    }
    if (rc == 0) {
        for (int i = 0; i < ds->N; i++) ds->y[i] = rank[ids[i]];
        ds->C = c;
        ds->class_names = names;
    } else {
        free_names(names, c);
    }
    free(order);
    free(rank);
    return rc < 0 ? ts_fail(err, "%s: out of memory", what) : 0;
}

// --- --class-names FILE --------------------------------------------------------

// The largest file of names read: TS_MAX_CLASSES names of TS_LABEL_NAME_MAX
// bytes with room for blanks around them.
#define NAMES_FILE_MAX ((size_t)TS_MAX_CLASSES * (TS_LABEL_NAME_MAX + 64))

// Reads the whole of path (at most NAMES_FILE_MAX bytes) into *out, NUL-terminated.
static int read_small(const char *path, char **out, size_t *out_len, ts_error *err) {
    int64_t size;
    int fd = data_open(path, &size, err);
    if (fd < 0) return -1;
    if ((uint64_t)size > NAMES_FILE_MAX) {
        close(fd);
        return ts_fail(err, "%s: %lld bytes, too large for class names (at most %zu)", path,
                       (long long)size, NAMES_FILE_MAX);
    }
    char *buf = malloc((size_t)size + 1);
    if (!buf) {
        close(fd);
        return ts_fail(err, "%s: out of memory", path);
    }
    size_t len = 0;
    while (len < (size_t)size) {
        ssize_t got = read(fd, buf + len, (size_t)size - len);
        if (got <= 0) break;
        len += (size_t)got;
    }
    close(fd);
    buf[len] = '\0';
    *out = buf;
    *out_len = len;
    return 0;
}

static int is_space(int c) { return c == ' ' || c == '\t' || c == '\r'; }

int data_read_class_names(const char *path, int C, const char *data, char ***out,
                          ts_error *err) {
    *out = NULL;
    char *text = NULL;
    size_t len = 0;
    if (read_small(path, &text, &len, err) < 0) return data_err_oneline(err);
    const char *p = text, *end = text + len;
    if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0) p += 3;
    // Blank lines at the end are no names.
    while (end > p && (is_space((unsigned char)end[-1]) || end[-1] == '\n')) end--;
    char **names = calloc((size_t)(C > 0 ? C : 1), sizeof *names);
    int n = 0, rc = names ? 0 : ts_fail(err, "%s: out of memory", path);
    for (long line = 1; rc == 0 && p < end; line++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *b = p, *e = nl ? nl : end;
        p = nl ? nl + 1 : end;
        while (b < e && is_space((unsigned char)*b)) b++;
        while (e > b && is_space((unsigned char)e[-1])) e--;
        char why[96];
        if (data_name_problem(b, (size_t)(e - b), why, sizeof why))
            rc = ts_fail(err, "%s: line %ld: %s", path, line, why);
        else if (n == C)
            rc = ts_fail(err, "%s: more than %d names for the %d classes of %s (one a line, "
                         "for class ids 0..%d)", path, C, C, data, C - 1);
        else if (!(names[n] = strndup(b, (size_t)(e - b))))
            rc = ts_fail(err, "%s: out of memory", path);
        for (int k = 0; rc == 0 && k < n; k++)
            if (!strcmp(names[k], names[n]))
                rc = ts_fail(err, "%s: line %ld: \"%s\" again (line %d names class %d); names "
                             "must differ", path, line, names[n], k + 1, k);
        if (rc == 0) n++;
    }
    if (rc == 0 && n < C)
        rc = ts_fail(err, "%s: %d names for the %d classes of %s (one a line, for class ids "
                     "0..%d)", path, n, C, data, C - 1);
    free(text);
    if (rc < 0) {
        free_names(names, C);
        return data_err_oneline(err);
    }
    *out = names;
    return 0;
}

int data_set_class_names(ts_dataset *ds, char **names, int copy, const char *what,
                         ts_error *err) {
    char **mine = names;
    if (copy) {
        mine = calloc((size_t)(ds->C > 0 ? ds->C : 1), sizeof *mine);
        for (int c = 0; mine && c < ds->C; c++)
            if (!(mine[c] = strdup(names[c]))) {
                free_names(mine, c);
                mine = NULL;
            }
        if (!mine) return ts_fail(err, "%s: out of memory", what);
    }
    free_names(ds->class_names, ds->C);
    ds->class_names = mine;
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
