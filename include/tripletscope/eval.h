// eval.h: held-out retrieval quality, as pytorch-metric-learning's
// AccuracyCalculator defines it.
//
// The held-out set is both queries and references; each query is left out of
// its own references. For a query of class c, R = (number of held-out samples
// of class c) - 1; queries with R = 0 are skipped. Neighbours are ranked by
// Euclidean distance, ties by lower index.
//   P@1          1 if the nearest reference has the query's class
//   R-precision  (same-class references among the R nearest) / R
//   MAP@R        (1/R) sum_{i<=R} P(i) rel(i), P(i) = precision of the top i
// (Musgrave, Belongie, Lim 2020, section 3.2). Each is averaged over queries.
#ifndef TRIPLETSCOPE_EVAL_H
#define TRIPLETSCOPE_EVAL_H
#include <stdint.h>

typedef struct {
    float p_at_1, r_precision, map_at_r;
    int queries;         // queries that counted (their class has another member)
} ts_retrieval;

// Told after every block of queries: done of total so far, and which model
// (the caller's tag).
// done is 0 while the queries are being embedded (told after every chunk).
typedef void (*ts_eval_progress)(void *ctx, int tag, int done, int total);

// Scratch for evaluating up to maxN points of up to maxE dimensions; the
// distances go through blocks of `block` queries, never an N x N matrix.
typedef struct {
    int maxN, maxE, maxC, block;
    float *n2;           // (maxN) squared norms
    float *D;            // (block, maxN)
    uint64_t *sortkeys;      // (maxN)
    uint64_t *sortbuf;   // (maxN) the sort's scratch
    int *class_count;    // (maxC)
    float *sample;       // (EVAL_SAMPLE + 1) a query's sampled distances
    int exhaustive;      // 1: every reference is a candidate (tests compare)
    ts_eval_progress progress;   // or NULL
    void *progress_ctx;
    int progress_tag;
} ts_eval_ws;

int eval_ws_init(ts_eval_ws *ws, int maxN, int maxE, int maxC);
void eval_ws_free(ts_eval_ws *ws);
// Retrieval metrics of emb (N, E) with labels y (N) in [0, C).
void eval_retrieval(const float *emb, const int *y, int N, int E, int C,
                    ts_eval_ws *ws, ts_retrieval *out);
// A seeded, stratified subsample of n of the N labels' indices (all when
// n <= 0 or n >= N), written to idx in increasing order; returns its size,
// or -1 when out of memory.
int eval_subsample(const int *y, int N, int C, int n, uint64_t seed, int *idx);

#endif
