// series.h: a whole run's history of one number in fixed memory.
//
// Values are pushed once per step (or per evaluation). They fill bins of
// `width` values each (min, max, mean); when every bin is used, neighbouring
// bins merge and the width doubles. A curve of a million steps costs the
// same memory as one of a thousand, and the min/max per bin keep spikes
// visible when the curve is compressed to a panel's width.
#ifndef TRIPLETSCOPE_SERIES_H
#define TRIPLETSCOPE_SERIES_H

#define TS_SERIES_BINS 1024

typedef struct {
    float min, max;      // over the bin's finite values
    double sum;          // of the finite values
    int n;               // values pushed into the bin
    int finite;          // of those, finite
    long step;           // step of the bin's first value
} ts_bin;

typedef struct {
    int nbins;           // bins in use
    int width;           // values a full bin holds
    long count;          // values pushed in all
    float last;          // the last value pushed
    ts_bin bins[TS_SERIES_BINS];
} ts_series;

void series_clear(ts_series *s);
void series_push(ts_series *s, long step, float value);
// Mean of bin i's finite values (NaN if none).
float series_bin_mean(const ts_series *s, int i);

#endif
