// data.c: data sets in memory: choosing a loader by name, validating, the
// stratified split, standardising and gathering batches.
//
// --- Formats and scaling ----------------------------------------------------
// digits    sklearn's digits.csv.gz, embedded in the binary: 1797 x 64, 10
//           classes "0".."9"; a row is 64 values then the label. Values 0..16
//           stay bytes with u8_scale 1/16, so features are in [0, 1].
// iris      sklearn's iris.csv, embedded: the first line is
//           "150,4,setosa,versicolor,virginica" (N, D, class names), then 4
//           floats and a label a row. Floats, standardised.
// fashion   Fashion-MNIST's four IDX .gz files in --data-dir (default
//           TS_FASHION_DIR): 60 000 train and 10 000 test images of 28 x 28
//           (D = 784). Bytes, u8_scale 1/255. Its own split (--test-frac is
//           not used), labels 0..9 named T-shirt/top .. Ankle boot.
// blobs     generated: `classes` Gaussian centres with coordinates
//           N(0, 1) * 3.5 / sqrt(dim), so centres lie about 4.9 apart in any
//           dimension; a point is its centre + noise * N(0, 1) a coordinate.
//           At noise 1.0 the classes overlap moderately (8 % of the points
//           are nearer another class's mean at 16-D with 10 classes; more in
//           very few dimensions). Labels i % classes (balanced). Floats,
//           standardised.
// noise     generated: inputs uniform in [0, 1), labels uniform among
//           `classes`: nothing to learn. Floats, kept raw.
// FILE.csv  numbers separated by commas, one sample a line (also .csv.gz);
//           label in the last column or --label-col N (0-based). The first
//           line is a header when none of its cells is a number; a line
//           that mixes numbers and other cells is an error. Blank lines and
//           a leading UTF-8 byte order mark are skipped. Labels must be
//           integers of at most 2^53 in magnitude. Floats, standardised.
// FILE.npy  a 2-D C-order array of '<f4', '<f8' (converted to float) or
//           '|u1' (bytes, u8_scale 1/255); labels from --labels, a .npy 1-D
//           array of i1/u1/i2/u2/i4/u4/i8/u8 (little-endian) or an IDX label
//           file. Float features are standardised.
// IDX       any other file name, raw or gzip, MNIST layout: magic 0x00000803
//           (N x rows x cols bytes, D = rows * cols) or 0x00000802 (N x D
//           bytes); labels (--labels, required) in an IDX 0x00000801 file or
//           a .npy. Bytes, u8_scale 1/255.
// Labels read from files are remapped: the distinct values in increasing
// order become 0..C-1 and the original values become the class names.
// Every file is opened through data_open (regular files only: a FIFO cannot
// block the load), and every load but the embedded sets' is held to the
// memory budget (--max-memory, loader.h; docs/metrics.md has the sums).
//
// --- Split and standardising ------------------------------------------------
// Sets without a split of their own are validated whole, then split by
// class with --test-frac and --seed: a class of n samples sends
// round(n * frac) to the test side (half away from zero), but always keeps
// min(n, 2) in training, so a class that can form a positive pair still can
// there (a class of one sample stays in training). Both sides keep the
// original order. Float sets other than noise are standardised with the
// training side's column means and deviations (constant columns are only
// centred), and the same transform is applied to the test side.
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <strings.h>
#include <unistd.h>
#include "loader.h"
#include "tripletscope/json.h"
#include "tripletscope/rng.h"

// Streams of the split's random numbers (the generators use their own).
#define SPLIT_STREAM 0x5911735ULL

// --- Defaults ------------------------------------------------------------------

void data_opts_default(ts_data_opts *opts) {
    memset(opts, 0, sizeof *opts);
    opts->data = NULL;            // the caller picks fashion or digits
    opts->data_dir = TS_FASHION_DIR;
    opts->labels = NULL;
    opts->label_col = -1;         // the last column
    opts->test_frac = 0.2f;
    opts->seed = 0;
    opts->classes = 0;            // 0: the generator's own default
    opts->dim = 0;
    opts->samples = 0;
    opts->noise = 1.0f;
}

// --- Allocation --------------------------------------------------------------

// The features of a large set are read a random row at a time (a batch
// touches 128 rows scattered over tens of megabytes): on 2 MB pages where the
// kernel allows it, so the rows' translations stay in the TLB. free() as usual.
static void *alloc_rows(size_t bytes) {
#if defined(MADV_HUGEPAGE)
    const size_t huge = (size_t)2 << 20;
    if (bytes >= 2 * huge) {
        void *p = NULL;
        size_t rounded = (bytes + huge - 1) / huge * huge;
        if (posix_memalign(&p, huge, rounded) == 0) {
            madvise(p, rounded, MADV_HUGEPAGE);   // advice only: failure is harmless
            return p;
        }
    }
#endif
    return malloc(bytes);
}

int data_alloc(ts_dataset *ds, int N, int D, int as_u8) {
    memset(ds, 0, sizeof *ds);
    if (N < 0 || D < 0) return -1;
    size_t nd = (size_t)N * (size_t)D;
    // At least one byte each, so that "exactly one of u8/f32 is set" holds
    // even for an empty test split.
    if (as_u8) ds->u8 = alloc_rows(nd ? nd : 1);
    else ds->f32 = alloc_rows((nd ? nd : 1) * sizeof(float));
    ds->y = malloc((N ? (size_t)N : 1) * sizeof(int));
    if ((!ds->u8 && !ds->f32) || !ds->y) {
        data_free(ds);
        return -1;
    }
    ds->N = N;
    ds->D = D;
    ds->u8_scale = 1.0f;
    return 0;
}

void data_free(ts_dataset *ds) {
    if (!ds) return;
    free(ds->u8);
    free(ds->f32);
    free(ds->y);
    if (ds->class_names) {
        for (int c = 0; c < ds->C; c++) free(ds->class_names[c]);
        free(ds->class_names);
    }
    memset(ds, 0, sizeof *ds);
}

static char **dup_names(char *const *src, int C) {
    if (!src || C <= 0) return NULL;
    char **dst = calloc((size_t)C, sizeof *dst);
    if (!dst) return NULL;
    for (int c = 0; c < C; c++) {
        dst[c] = strdup(src[c] ? src[c] : "");
        if (!dst[c]) {
            for (int k = 0; k < c; k++) free(dst[k]);
            free(dst);
            return NULL;
        }
    }
    return dst;
}

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

// --- Errors ------------------------------------------------------------------

int data_err_oneline(ts_error *err) {
    if (err)
        for (char *p = err->msg; *p; p++)
            if (*p == '\n' || *p == '\r') *p = ' ';
    return -1;
}

// --- Validation --------------------------------------------------------------

int data_validate(const ts_dataset *ds, const char *what, ts_error *err) {
    if (!what) what = "data";
    if (!ds || ds->N <= 0) return ts_fail(err, "%s: no samples", what);
    if (ds->D <= 0) return ts_fail(err, "%s: no features", what);
    if ((!ds->u8 && !ds->f32) || !ds->y) return ts_fail(err, "%s: no data", what);
    if (ds->C <= 0 || ds->C > TS_MAX_CLASSES)
        return ts_fail(err, "%s: %d classes (expected 2 to %d)", what, ds->C, TS_MAX_CLASSES);
    int *count = calloc((size_t)ds->C, sizeof *count);
    if (!count) return ts_fail(err, "%s: out of memory", what);
    for (int i = 0; i < ds->N; i++) {
        if (ds->y[i] < 0 || ds->y[i] >= ds->C) {
            free(count);
            return ts_fail(err, "%s: sample %d has label %d, outside 0..%d", what, i,
                           ds->y[i], ds->C - 1);
        }
        count[ds->y[i]]++;
    }
    int present = 0, pairs = 0;
    for (int c = 0; c < ds->C; c++) {
        present += count[c] > 0;
        pairs += count[c] >= 2;
    }
    free(count);
    if (present < 2)
        return ts_fail(err, "%s: fewer than two classes (%d present); metric learning "
                       "needs at least two", what, present);
    if (pairs == 0)
        return ts_fail(err, "%s: no class has two samples, so no triplet (anchor, "
                       "positive, negative) is possible", what);
    return 0;
}

// --- Split -------------------------------------------------------------------

static int copy_rows(const ts_dataset *all, const uint8_t *is_test, int want_test,
                     ts_dataset *out) {
    int n = 0;
    for (int i = 0; i < all->N; i++) n += is_test[i] == want_test;
    if (data_alloc(out, n, all->D, all->u8 != NULL) < 0) return -1;
    out->C = all->C;
    out->u8_scale = all->u8_scale;
    if (all->class_names) {
        out->class_names = dup_names(all->class_names, all->C);
        if (!out->class_names) {
            data_free(out);
            return -1;
        }
    }
    size_t D = (size_t)all->D;
    int k = 0;
    for (int i = 0; i < all->N; i++) {
        if (is_test[i] != want_test) continue;
        if (all->u8) memcpy(out->u8 + (size_t)k * D, all->u8 + (size_t)i * D, D);
        else memcpy(out->f32 + (size_t)k * D, all->f32 + (size_t)i * D, D * sizeof(float));
        out->y[k++] = all->y[i];
    }
    return 0;
}

int data_split(const ts_dataset *all, float test_frac, uint64_t seed,
               ts_dataset *train, ts_dataset *test, ts_error *err) {
    memset(train, 0, sizeof *train);
    memset(test, 0, sizeof *test);
    if (!(test_frac >= 0.0f && test_frac < 1.0f))
        return ts_fail(err, "--test-frac %g: must be at least 0 and below 1", (double)test_frac);
    if (!all || all->N <= 0 || all->C <= 0 || all->C > TS_MAX_CLASSES)
        return ts_fail(err, "split: empty data set");
    int N = all->N, C = all->C;
    // Group the indices by class (a counting sort), shuffle each group, and
    // send its first n_test members to the test side.
    int *start = calloc((size_t)C + 1, sizeof *start);
    int *order = malloc((size_t)N * sizeof *order);
    uint8_t *is_test = calloc((size_t)N, 1);
    if (!start || !order || !is_test) {
        free(start), free(order), free(is_test);
        return ts_fail(err, "split: out of memory");
    }
    for (int i = 0; i < N; i++) {
        if (all->y[i] < 0 || all->y[i] >= C) {
            free(start), free(order), free(is_test);
            return ts_fail(err, "split: sample %d has label %d, outside 0..%d", i, all->y[i], C - 1);
        }
        start[all->y[i] + 1]++;
    }
    for (int c = 0; c < C; c++) start[c + 1] += start[c];
    {
        int *fill = malloc((size_t)C * sizeof *fill);
        if (!fill) {
            free(start), free(order), free(is_test);
            return ts_fail(err, "split: out of memory");
        }
        memcpy(fill, start, (size_t)C * sizeof *fill);
        for (int i = 0; i < N; i++) order[fill[all->y[i]]++] = i;
        free(fill);
    }
    ts_rng rng;
    rng_seed(&rng, seed, SPLIT_STREAM);
    for (int c = 0; c < C; c++) {
        int *g = order + start[c], n = start[c + 1] - start[c];
        for (int i = n - 1; i > 0; i--) {
            int j = (int)rng_below(&rng, (uint32_t)i + 1);
            int t = g[i];
            g[i] = g[j];
            g[j] = t;
        }
        long n_test = lround((double)n * test_frac);
        long keep = n < 2 ? n : 2;
        if (n_test > n - keep) n_test = n - keep;
        for (long k = 0; k < n_test; k++) is_test[g[k]] = 1;
    }
    int rc = 0;
    if (copy_rows(all, is_test, 0, train) < 0 || copy_rows(all, is_test, 1, test) < 0) {
        data_free(train);
        data_free(test);
        rc = ts_fail(err, "split: out of memory");
    }
    free(start), free(order), free(is_test);
    return rc;
}

// --- Standardising -----------------------------------------------------------

void data_standardize(ts_dataset *train, ts_dataset *test) {
    if (!train || !train->f32 || train->N <= 0 || train->D <= 0) return;
    size_t N = (size_t)train->N, D = (size_t)train->D;
    double *mean = calloc(2 * D, sizeof *mean);
    if (!mean) return; // out of memory: leave the features as they are
    double *var = mean + D;
    // Row by row (cache friendly), two passes: the mean, then the spread
    // around it (steadier than sum of squares minus squared sum).
    for (size_t i = 0; i < N; i++) {
        const float *x = train->f32 + i * D;
        for (size_t j = 0; j < D; j++) mean[j] += x[j];
    }
    for (size_t j = 0; j < D; j++) mean[j] /= (double)N;
    for (size_t i = 0; i < N; i++) {
        const float *x = train->f32 + i * D;
        for (size_t j = 0; j < D; j++) {
            double e = x[j] - mean[j];
            var[j] += e * e;
        }
    }
    // var becomes the factor to multiply by: 1/std, or 1 for a constant column.
    for (size_t j = 0; j < D; j++) {
        double v = var[j] / (double)N;
        var[j] = v > 1e-12 * (1.0 + mean[j] * mean[j]) ? 1.0 / sqrt(v) : 1.0;
    }
    ts_dataset *sets[2] = {train, test};
    for (int s = 0; s < 2; s++) {
        ts_dataset *ds = sets[s];
        if (!ds || !ds->f32 || ds->D != train->D) continue;
        for (size_t i = 0; i < (size_t)ds->N; i++) {
            float *x = ds->f32 + i * D;
            for (size_t j = 0; j < D; j++) x[j] = (float)((x[j] - mean[j]) * var[j]);
        }
    }
    free(mean);
}

// --- Gathering ---------------------------------------------------------------

// One row of bytes to floats. This runs for every sample of every training
// step (e.g. 128 x 784 bytes); GCC's -O2 cost model leaves the loop scalar,
// so ask for vectorisation here (SSE2 converts 16 bytes in a few
// instructions). Clang vectorises it at -O2 anyway.
#if defined(__GNUC__) && !defined(__clang__)
__attribute__((optimize("tree-vectorize")))
#endif
static void row_from_u8(float *restrict dst, const uint8_t *restrict src, size_t D, float s) {
    for (size_t j = 0; j < D; j++) dst[j] = (float)src[j] * s;
}

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

const char *data_gz_why(gzFile gz) {
    int e;
    const char *why = gzerror(gz, &e);
    if (!why || !*why) return "read error";
    const char *colon = why[0] == '<' ? strstr(why, ": ") : NULL;
    return colon ? colon + 2 : why;
}

void data_gather(const ts_dataset *ds, const int *idx, int B, float *out) {
    const size_t D = (size_t)ds->D;
    if (ds->u8) {
        // Rows are scattered over tens of megabytes: ask for the row after
        // next while converting this one, so its lines are on the way.
        for (int b = 0; b < B; b++) {
            if (b + 2 < B) {
                const uint8_t *next = ds->u8 + (size_t)idx[b + 2] * D;
                for (size_t off = 0; off < D; off += 64) __builtin_prefetch(next + off);
            }
            row_from_u8(out + (size_t)b * D, ds->u8 + (size_t)idx[b] * D, D, ds->u8_scale);
        }
    } else {
        for (int b = 0; b < B; b++)
            memcpy(out + (size_t)b * D, ds->f32 + (size_t)idx[b] * D, D * sizeof(float));
    }
}

// --- Loading by name ---------------------------------------------------------

static int has_suffix(const char *s, const char *suffix) {
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcasecmp(s + n - m, suffix) == 0;
}

static const char *base_name(const char *path) {
    const char *slash = strrchr(path, '/');
    return slash && slash[1] ? slash + 1 : path;
}

// True when the file starts like a .npy, whatever its name. Opened through
// data_open, so that a FIFO cannot block here; what is wrong with a file that
// cannot be opened is the loader's to say.
static int looks_like_npy(const char *path) {
    int64_t size;
    ts_error ignored;
    int fd = data_open(path, &size, &ignored);
    if (fd < 0) return 0;
    unsigned char m[6];
    int yes = pread(fd, m, 6, 0) == 6 && memcmp(m, "\x93NUMPY", 6) == 0;
    close(fd);
    return yes;
}

// --- What --data names -------------------------------------------------------

typedef enum { KIND_FASHION, KIND_DIGITS, KIND_IRIS, KIND_BLOBS, KIND_NOISE, KIND_CSV,
               KIND_NPY, KIND_IDX } data_kind;

static const char *const kind_names[] = {"fashion", "digits", "iris", "blobs", "noise",
                                         "csv", "npy", "idx"};

// A file by extension, else by its first bytes.
static data_kind kind_of(const char *data) {
    static const data_kind named[] = {KIND_FASHION, KIND_DIGITS, KIND_IRIS, KIND_BLOBS,
                                      KIND_NOISE};
    for (int k = 0; k < 5; k++)
        if (strcmp(data, kind_names[k]) == 0) return named[k];
    if (has_suffix(data, ".csv") || has_suffix(data, ".csv.gz")) return KIND_CSV;
    if (has_suffix(data, ".npy") || looks_like_npy(data)) return KIND_NPY;
    return KIND_IDX;
}

// --- The companion flags ------------------------------------------------------
//
// The one list of the data flags that only some kinds read: the command line
// marks them given (data_flag_given), and a given one that the chosen kind
// does not read is refused rather than silently ignored.

#define KIND_BIT(k) (1u << (k))
#define KINDS_ALL (KIND_BIT(KIND_IDX + 1) - 1)
#define KINDS_GEN (KIND_BIT(KIND_BLOBS) | KIND_BIT(KIND_NOISE))

static const struct companion {
    const char *flag;
    unsigned bit;           // TS_GIVEN_*
    unsigned kinds;         // KIND_BIT of every kind that reads it
    const char *applies;    // those kinds, for the error
} companions[] = {
    {"--data-dir", TS_GIVEN_DATA_DIR, KIND_BIT(KIND_FASHION), "fashion"},
    {"--labels", TS_GIVEN_LABELS, KIND_BIT(KIND_NPY) | KIND_BIT(KIND_IDX), ".npy and IDX files"},
    {"--label-col", TS_GIVEN_LABEL_COL, KIND_BIT(KIND_CSV), ".csv files"},
    {"--test-frac", TS_GIVEN_TEST_FRAC, KINDS_ALL & ~KIND_BIT(KIND_FASHION),
     "sets without a split of their own: all but fashion"},
    {"--classes", TS_GIVEN_CLASSES, KINDS_GEN, "blobs and noise"},
    {"--dim", TS_GIVEN_DIM, KINDS_GEN, "blobs and noise"},
    {"--samples", TS_GIVEN_SAMPLES, KINDS_GEN, "blobs and noise"},
    {"--noise", TS_GIVEN_NOISE, KIND_BIT(KIND_BLOBS), "blobs"},
};

#define N_COMPANIONS (sizeof companions / sizeof companions[0])

unsigned data_flag_given(const char *flag) {
    for (size_t i = 0; i < N_COMPANIONS; i++)
        if (!strcmp(flag, companions[i].flag)) return companions[i].bit;
    return 0;
}

// The first given companion (in the table's order) that kind k does not read.
static int check_companions(const ts_data_opts *o, data_kind k, const char *data,
                            ts_error *err) {
    for (size_t i = 0; i < N_COMPANIONS; i++)
        if ((o->given & companions[i].bit) && !(companions[i].kinds & KIND_BIT(k)))
            return ts_fail(err, "%s: does not apply to --data %s (only to %s)",
                           companions[i].flag, data, companions[i].applies);
    return 0;
}

static int load_file(const ts_data_opts *o, data_kind k, ts_dataset *all, ts_error *err) {
    const char *path = o->data;
    if (k == KIND_CSV) return data_load_csv(path, o->label_col, o->max_bytes, all, err);
    if (k == KIND_NPY) return data_load_npy(path, o->labels, o->max_bytes, all, err);
    // A bare word that is no file is more likely a misspelt set name.
    if (!strchr(path, '/') && !strchr(path, '.') && access(path, F_OK) != 0)
        return ts_fail(err, "--data %s: no such data set (fashion, digits, iris, blobs, "
                       "noise) or file", path);
    return data_load_idx(path, o->labels, o->max_bytes, all, err);
}

static int check_gen_flags(const ts_data_opts *o, int blobs, int n, int classes, int dim,
                           ts_error *err) {
    if (classes < 2 || classes > TS_MAX_CLASSES)
        return ts_fail(err, "--classes %d: must be between 2 and %d", classes, TS_MAX_CLASSES);
    if (dim < 1) return ts_fail(err, "--dim %d: must be at least 1", dim);
    if (n < 4) return ts_fail(err, "--samples %d: must be at least 4", n);
    if (blobs && (!isfinite(o->noise) || o->noise < 0.0f))
        return ts_fail(err, "--noise %g: must be a finite number, at least 0", (double)o->noise);
    if ((uint64_t)n * (uint64_t)dim > INT_MAX)
        return ts_fail(err, "--samples %d x --dim %d: too many values", n, dim);
    // The same budget as a file's: the set, its split, and the blobs' centres (C, D).
    data_budget b = data_budget_make(o->max_bytes, 1);
    uint64_t values = (uint64_t)n * (uint64_t)dim;
    uint64_t need = data_budget_need(&b, 0, (uint64_t)n, values, (uint64_t)dim, sizeof(float));
    if (blobs) need = sat_add(need, (uint64_t)classes * (uint64_t)dim * sizeof(float));
    char what[64];
    snprintf(what, sizeof what, "--samples %d x --dim %d", n, dim);
    return data_budget_check(&b, what, need, 0, err);
}

// Records in ds->source how the set was made, as the config line prints it.
static void describe(const ts_data_opts *o, data_kind k, const char *dir, int classes, int dim,
                     int n, int standardized, ts_dataset *ds) {
    ts_json j;
    json_fixed(&j, ds->source, sizeof ds->source);
    json_raw(&j, "{\"kind\":\"%s\"", kind_names[k]);
    if (k == KIND_FASHION) {
        json_raw(&j, ",\"dir\":");
        json_str(&j, dir);
    } else {
        if (k >= KIND_CSV) {
            json_raw(&j, ",\"path\":");
            json_str(&j, o->data);
        }
        if (k == KIND_CSV) json_raw(&j, ",\"label_col\":%d", o->label_col);
        if ((k == KIND_NPY || k == KIND_IDX) && o->labels) {
            json_raw(&j, ",\"labels\":");
            json_str(&j, o->labels);
        }
        if (k == KIND_BLOBS || k == KIND_NOISE)
            json_raw(&j, ",\"classes\":%d,\"dim\":%d,\"samples\":%d", classes, dim, n);
        if (k == KIND_BLOBS) {
            json_raw(&j, ",\"noise\":");
            json_num(&j, o->noise);
        }
        json_raw(&j, ",\"test_frac\":");
        json_num(&j, o->test_frac);
        json_raw(&j, ",\"seed\":%llu", (unsigned long long)o->seed);
    }
    json_raw(&j, ",\"standardized\":%s}", standardized ? "true" : "false");
    if (j.failed) ds->source[0] = '\0';   // a path too long to print: no half object
}

static int split_checked(const ts_dataset *all, const ts_data_opts *o, const char *data,
                         ts_dataset *train, ts_dataset *test, ts_error *err) {
    if (data_validate(all, data, err) < 0 ||
        data_split(all, o->test_frac, o->seed, train, test, err) < 0)
        return -1;
    return 0;
}

// Both splits must allow what they are for: triplets in training, and a
// query with a same-class reference in the held-out set.
static int validate_splits(const ts_dataset *train, const ts_dataset *test, const char *data,
                           ts_error *err) {
    char what[300];
    snprintf(what, sizeof what, "%s (training split)", data);
    if (data_validate(train, what, err) < 0) return -1;
    int *count = calloc((size_t)test->C + 1, sizeof *count), pairs = 0;
    if (!count) return ts_fail(err, "%s: out of memory", data);
    for (int i = 0; i < test->N; i++) pairs += ++count[test->y[i]] == 2;
    free(count);
    if (pairs == 0)
        return ts_fail(err, "%s: the held-out split (%d samples) has no class with two, so no "
                       "query can be evaluated; use more samples or a larger --test-frac",
                       data, test->N);
    return 0;
}

static int load(const ts_data_opts *o, ts_dataset *train, ts_dataset *test,
                char *name, size_t name_len, ts_error *err) {
    if (!(o->test_frac >= 0.0f && o->test_frac < 1.0f))
        return ts_fail(err, "--test-frac %g: must be at least 0 and below 1", (double)o->test_frac);
    const char *dir = o->data_dir ? o->data_dir : TS_FASHION_DIR;
    const char *data = o->data;
    // An explicit --data-dir means Fashion-MNIST, missing or not.
    if (!data) data = (o->given & TS_GIVEN_DATA_DIR) || data_fashion_available(dir) ? "fashion" : "digits";
    data_kind k = kind_of(data);
    if (check_companions(o, k, data, err) < 0) return -1;
    const char *display = k >= KIND_CSV ? base_name(data) : data;

    ts_dataset all = {0};
    int standardize = 0, classes = 0, dim = 0, n = 0;
    switch (k) {
    case KIND_FASHION:
        if (data_load_fashion(dir, o->max_bytes, train, test, err) < 0) {
            // The hint only helps when the files are missing (not when one
            // is, say, a FIFO or corrupt).
            if (err && !data_fashion_available(dir) && strstr(err->msg, ": cannot open: ")) {
                size_t len = strlen(err->msg);
                snprintf(err->msg + len, sizeof err->msg - len, " (install Debian's "
                         "dataset-fashion-mnist, or name the folder with --data-dir)");
            }
            return -1;
        }
        break;
    case KIND_DIGITS:
        if (data_load_digits(&all, err) < 0) return -1;
        break;
    case KIND_IRIS:
        if (data_load_iris(&all, err) < 0) return -1;
        standardize = 1;
        break;
    case KIND_BLOBS:
    case KIND_NOISE: {
        int blobs = k == KIND_BLOBS;
        classes = o->classes ? o->classes : blobs ? 10 : 2;
        dim = o->dim ? o->dim : blobs ? 16 : 10;
        n = o->samples ? o->samples : blobs ? 2000 : 1000;
        if (check_gen_flags(o, blobs, n, classes, dim, err) < 0) return -1;
        int rc = blobs ? data_make_blobs(n, classes, dim, o->noise, o->seed, &all)
                       : data_make_noise(n, classes, dim, o->seed, &all);
        if (rc < 0) return ts_fail(err, "%s: out of memory", data);
        standardize = blobs;
        break;
    }
    default:
        if (load_file(o, k, &all, err) < 0) return -1;
        standardize = all.f32 != NULL;
        break;
    }
    if (k != KIND_FASHION) {
        int rc = split_checked(&all, o, data, train, test, err);
        data_free(&all);
        if (rc < 0) return -1;
    }
    if (validate_splits(train, test, data, err) < 0) {
        data_free(train);
        data_free(test);
        return -1;
    }
    if (standardize) data_standardize(train, test);
    describe(o, k, dir, classes, dim, n, standardize, train);
    if (name && name_len) snprintf(name, name_len, "%s", display);
    return 0;
}

int data_load(const ts_data_opts *opts, ts_dataset *train, ts_dataset *test,
              char *name, size_t name_len, ts_error *err) {
    ts_data_opts o;
    if (opts) o = *opts;
    else data_opts_default(&o);
    memset(train, 0, sizeof *train);
    memset(test, 0, sizeof *test);
    if (name && name_len) name[0] = '\0';
    if (load(&o, train, test, name, name_len, err) < 0) return data_err_oneline(err);
    return 0;
}
