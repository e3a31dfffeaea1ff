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

// Empties s (no bins, width 1).
void series_clear(ts_series *s);
// Appends the value of step `step`; NaN and Inf count but stay out of min, max and mean.
void series_push(ts_series *s, long step, float value);
// Mean of bin i's finite values (NaN if none).
float series_bin_mean(const ts_series *s, int i);

// --- reading a series at a panel's width ---------------------------------------

// Bins series s into n columns covering its whole run: column i gets the
// min, max and mean of the values in its bins (NaN where none is finite).
// With fewer bins than columns, a bin spans several columns. Any output
// pointer may be NULL.
void series_columns(const ts_series *s, int n, float *mn, float *mx, float *mean);
// The column (of n) that holds step `step` of s, or -1 if s is empty.
int series_step_column(const ts_series *s, int n, long step);
// Range of finite values of s: returns 0 if there is none.
int series_range(const ts_series *s, float *lo, float *hi);

#endif
