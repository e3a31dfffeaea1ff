// budget.c: the memory budget of a load (--max-memory; loader.h says why),
// and the checks of a header's sizes before anything is allocated for it.
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <unistd.h>
#include "loader.h"

// --- The memory budget -----------------------------------------------------------

// Physical memory in bytes.
static uint64_t phys_memory(void) {
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    if (pages <= 0 || page <= 0) return UINT64_MAX;
    if ((uint64_t)pages > UINT64_MAX / (uint64_t)page) return UINT64_MAX;
    return (uint64_t)pages * (uint64_t)page;
}

static uint64_t sat_add(uint64_t a, uint64_t b) { return a > UINT64_MAX - b ? UINT64_MAX : a + b; }
static uint64_t sat_mul(uint64_t a, uint64_t b) {
    return a && b > UINT64_MAX / a ? UINT64_MAX : a * b;
}
static uint64_t max_u64(uint64_t a, uint64_t b) { return a > b ? a : b; }

data_budget data_budget_make(uint64_t max_bytes, int split) {
    // --help says it: 4G, or half this machine's memory when less.
    uint64_t dflt = phys_memory() / 2;
    if (dflt > (4ULL << 30)) dflt = 4ULL << 30;
    data_budget b = {max_bytes ? max_bytes : dflt, 0, split};
    return b;
}

// Bytes a sample's label takes while it is read and remapped: the int label
// (4), the raw 64-bit value (8), its sorted copy in data_remap_labels (8)
// and an IDX label byte (1).
#define LABEL_BYTES 21
// A class name: its pointer and its malloc'ed decimal string (up to 20
// digits and a sign), with malloc's own overhead.
#define NAME_BYTES 40

uint64_t data_budget_need(const data_budget *b, uint64_t text, uint64_t n, uint64_t values,
                          uint64_t d, size_t elem) {
    uint64_t feat = sat_mul(values, elem);
    // At most one class a sample, and never more than TS_MAX_CLASSES.
    uint64_t classes = n < TS_MAX_CLASSES ? n : TS_MAX_CLASSES;
    uint64_t names = sat_mul(classes, NAME_BYTES);
    // Reading: the text, the features (N, D), the labels with their scratch
    // (N) and one copy of the class names.
    uint64_t need = sat_add(sat_add(text, feat), sat_add(sat_mul(n, LABEL_BYTES), names));
    if (b->split) {
        // data_split: the whole set (features, int labels, names) and both
        // halves (the same again, the names twice), an int and a byte of
        // scratch a sample (the order, the test flags), two ints a class.
        uint64_t set = sat_add(feat, sat_add(sat_mul(n, 4), names));
        uint64_t split = sat_add(sat_mul(set, 2), sat_add(names, sat_mul(n, 5)));
        need = max_u64(need, sat_add(split, sat_mul(classes, 8)));
        // data_standardize (floats only): both halves and two doubles a feature.
        if (elem == sizeof(float)) need = max_u64(need, sat_add(set, sat_mul(d, 16)));
    }
    return sat_add(b->held, need);
}

// A size as --max-memory writes it (512K, 16M, 4G, 1.5T), to a tenth of its
// unit, rounded up when up (a need) or down (the budget), so that a need
// just over the budget never prints as the same size.
static void size_text(uint64_t bytes, int up, char *out, size_t cap) {
    static const char units[] = "KMGTP";
    double v = (double)bytes;
    int u = -1;
    while (u < 4 && v >= 1024.0) {
        v /= 1024.0;
        u++;
    }
    if (u < 0) {
        snprintf(out, cap, "%llu bytes", (unsigned long long)bytes);
        return;
    }
    double tenths = (up ? ceil(v * 10.0) : floor(v * 10.0)) / 10.0;
    if (tenths == floor(tenths)) snprintf(out, cap, "%.0f%c", tenths, units[u]);
    else snprintf(out, cap, "%.1f%c", tenths, units[u]);
}

int data_budget_check(const data_budget *b, const char *what, uint64_t need, int at_least,
                      ts_error *err) {
    if (!b || need <= b->max) return 0;
    char n[32], m[32];
    size_text(need, 1, n, sizeof n);
    size_text(b->max, 0, m, sizeof m);
    return ts_fail(err, "%s: loading it needs %s%s of memory, more than the %s budget "
                   "(raise it with --max-memory SIZE)", what, at_least ? "at least " : "", n, m);
}

int data_budget_check_generated(uint64_t max_bytes, int n, int classes, int dim, int blobs,
                                ts_error *err) {
    // The same budget as a file's: the set, its split, and the blobs' centres (C, D).
    data_budget b = data_budget_make(max_bytes, 1);
    uint64_t values = (uint64_t)n * (uint64_t)dim;
    uint64_t need = data_budget_need(&b, 0, (uint64_t)n, values, (uint64_t)dim, sizeof(float));
    if (blobs) need = sat_add(need, (uint64_t)classes * (uint64_t)dim * sizeof(float));
    char what[64];
    snprintf(what, sizeof what, "--samples %d x --dim %d", n, dim);
    return data_budget_check(&b, what, need, 0, err);
}

// --- Size checks -------------------------------------------------------------

int data_check_size(const char *what, uint64_t n, uint64_t d, size_t file_elem,
                    size_t mem_elem, int64_t avail, const data_budget *b, ts_error *err) {
    unsigned long long N = n, D = d;
    if (n > INT_MAX || d > INT_MAX || (d && n > SIZE_MAX / d) ||
        (n * d != 0 && n * d > SIZE_MAX / (mem_elem > file_elem ? mem_elem : file_elem)))
        return ts_fail(err, "%s: header sizes overflow (%llu x %llu values)", what, N, D);
    // A raw file that is too short says so rather than blaming the budget.
    uint64_t need = n * d * file_elem;
    if (avail >= 0 && need > (uint64_t)avail)
        return ts_fail(err, "%s: truncated: header says %llu x %llu values (%llu bytes) "
                       "but only %lld bytes follow", what, N, D,
                       (unsigned long long)need, (long long)avail);
    if (b && data_budget_check(b, what, data_budget_need(b, 0, n, n * d, d, mem_elem), 0,
                               err) < 0)
        return -1;
    // Every index in the program is an int; keep N * D within one.
    if (n * d > INT_MAX)
        return ts_fail(err, "%s: %llu x %llu values is too many (at most %d)",
                       what, N, D, INT_MAX);
    return 0;
}
