// data.c: a data set in memory: allocating and freeing it, validating it,
// the stratified split, standardising and gathering batches.
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
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "loader.h"
#include "tripletscope/rng.h"

// Streams of the split's random numbers (the generators use their own), and
// of --train-size's subset.
#define SPLIT_STREAM 0x5911735ULL
#define SUBSET_STREAM 0x5ab5e7ULL

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

// --- Training subset (--train-size) -----------------------------------------

int data_subset(ts_dataset *ds, int n, uint64_t seed, ts_error *err) {
    if (n <= 0 || n >= ds->N) return 0;
    int N = ds->N, C = ds->C;
    // Shuffle each class's members, then keep from each class in proportion
    // (largest remainders, ties to the lower class), so the subset keeps the
    // class balance; the kept rows stay in their order.
    int *cnt = calloc((size_t)C * 3, sizeof(int));
    long *rest = malloc((size_t)C * sizeof *rest);
    int *order = malloc((size_t)N * sizeof *order);
    uint8_t *drop = malloc((size_t)N);
    if (!cnt || !rest || !order || !drop) {
        free(cnt), free(rest), free(order), free(drop);
        return ts_fail(err, "--train-size: out of memory");
    }
    int *take = cnt + C, *start = take + C;
    for (int i = 0; i < N; i++) cnt[ds->y[i]]++;
    for (int c = 1; c < C; c++) start[c] = start[c - 1] + cnt[c - 1];
    for (int i = 0; i < N; i++) order[start[ds->y[i]] + take[ds->y[i]]++] = i;
    ts_rng rng;
    rng_seed(&rng, seed, SUBSET_STREAM);
    int total = 0;
    for (int c = 0; c < C; c++) {
        int *g = order + start[c];
        for (int i = cnt[c] - 1; i > 0; i--) {
            int j = (int)rng_below(&rng, (uint32_t)i + 1);
            int t = g[i];
            g[i] = g[j];
            g[j] = t;
        }
        take[c] = (int)((long)cnt[c] * n / N);
        rest[c] = ((long)cnt[c] * n) % N;
        total += take[c];
    }
    for (; total < n; total++) {
        int best = 0;
        for (int c = 1; c < C; c++)
            if (rest[c] > rest[best]) best = c;
        take[best]++;
        rest[best] = -1;
    }
    memset(drop, 1, (size_t)N);
    for (int c = 0; c < C; c++)
        for (int i = 0; i < take[c]; i++) drop[order[start[c] + i]] = 0;
    ts_dataset kept;
    int rc = copy_rows(ds, drop, 0, &kept);
    free(cnt), free(rest), free(order), free(drop);
    if (rc < 0) return ts_fail(err, "--train-size: out of memory");
    data_free(ds);
    *ds = kept;
    return 0;
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
