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
