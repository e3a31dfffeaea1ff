// series.c: fixed-memory history with pairwise merging.
#include <math.h>
#include <string.h>
#include "tripletscope/series.h"

void series_clear(ts_series *s) {
    s->nbins = 0;
    s->width = 1;
    s->count = 0;
    s->last = NAN;
}

static void merge_into(ts_bin *a, const ts_bin *b) {
    if (b->finite) {
        if (!a->finite || b->min < a->min) a->min = b->min;
        if (!a->finite || b->max > a->max) a->max = b->max;
    }
    a->sum += b->sum;
    a->n += b->n;
    a->finite += b->finite;
}

void series_push(ts_series *s, long step, float value) {
    if (s->nbins == 0 || s->bins[s->nbins - 1].n >= s->width) {
        if (s->nbins == TS_SERIES_BINS) {
            for (int i = 0; i < TS_SERIES_BINS / 2; i++) {
                ts_bin m = s->bins[2 * i];
                merge_into(&m, &s->bins[2 * i + 1]);
                s->bins[i] = m;
            }
            s->nbins = TS_SERIES_BINS / 2;
            s->width *= 2;
        }
        if (s->nbins == 0 || s->bins[s->nbins - 1].n >= s->width) {
            ts_bin *b = &s->bins[s->nbins++];
            memset(b, 0, sizeof *b);
            b->step = step;
        }
    }
    ts_bin *b = &s->bins[s->nbins - 1];
    ts_bin one = {value, value, value, 1, isfinite(value) ? 1 : 0, step};
    if (!one.finite) one.sum = 0;
    merge_into(b, &one);
    s->count++;
    s->last = value;
}

float series_bin_mean(const ts_series *s, int i) {
    const ts_bin *b = &s->bins[i];
    return b->finite ? (float)(b->sum / b->finite) : NAN;
}

// ---------------------------------------------------------------------------
// Reading a series at a panel's width

void series_columns(const ts_series *s, int n, float *mn, float *mx, float *mean) {
    int nb = s->nbins;
    for (int i = 0; i < n; i++) {
        float lo = NAN, hi = NAN;
        double sum = 0;
        long cnt = 0;
        if (nb > 0) {
            // nb >= n: the columns partition the bins; else a bin spans columns.
            int b0 = (int)((long long)i * nb / n);
            int b1 = nb >= n ? (int)((long long)(i + 1) * nb / n) - 1 : b0;
            for (int b = b0; b <= b1; b++) {
                const ts_bin *bin = &s->bins[b];
                if (!bin->finite) continue;
                if (cnt == 0 || bin->min < lo) lo = bin->min;
                if (cnt == 0 || bin->max > hi) hi = bin->max;
                sum += bin->sum;
                cnt += bin->finite;
            }
        }
        if (mn) mn[i] = lo;
        if (mx) mx[i] = hi;
        if (mean) mean[i] = cnt ? (float)(sum / cnt) : NAN;
    }
}

int series_step_column(const ts_series *s, int n, long step) {
    int nb = s->nbins;
    if (nb <= 0 || n <= 0) return -1;
    int lo = 0, hi = nb - 1;   // the last bin starting at or before step
    while (lo < hi) {
        int mid = (lo + hi + 1) / 2;
        if (s->bins[mid].step <= step) lo = mid;
        else hi = mid - 1;
    }
    int col = nb >= n ? (int)(((long long)(lo + 1) * n + nb - 1) / nb) - 1
                      : (int)(((long long)lo * n + nb - 1) / nb);
    return col < 0 ? 0 : col >= n ? n - 1 : col;
}

int series_range(const ts_series *s, float *lo, float *hi) {
    int any = 0;
    for (int b = 0; b < s->nbins; b++) {
        const ts_bin *bin = &s->bins[b];
        if (!bin->finite) continue;
        if (!any || bin->min < *lo) *lo = bin->min;
        if (!any || bin->max > *hi) *hi = bin->max;
        any = 1;
    }
    return any;
}
