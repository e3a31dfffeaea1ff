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
//
// Beside them, the spread of the held-out embeddings over their dimensions
// (eval_spread; docs/metrics.md): how many directions they use.
#ifndef TRIPLETSCOPE_EVAL_H
#define TRIPLETSCOPE_EVAL_H
#include <stdint.h>

// How the N held-out embeddings (N, E) spread over their E dimensions, from
// the eigenvalues l_1 >= ... >= l_E of their covariance (centred: see
// eval_spread). NaN where not measured (E over EVAL_SPREAD_MAX_E, N < 2, or
// no variance at all).
typedef struct {
    float effective_rank;  // exp(H(p)), p_i = s_i / sum s_j, s_i = sqrt(l_i) the singular
                           // values of the centred matrix (Roy & Vetterli 2007): 1..min(N-1, E)
    float pc1_share;       // l_1 / sum l_i: the first principal component's share, 1/E..1
    float std_l2;          // mean over dimensions of the standard deviation (N - 1) of the
                           // L2-normalised embeddings: ~1/sqrt(E) spread, 0 collapsed
    int dims;              // E (the rank's scale; 0 before any measurement)
} ts_spread;

typedef struct {
    float p_at_1, r_precision, map_at_r;
    int queries;         // queries that counted (their class has another member)
    ts_spread spread;    // eval_spread's (eval_retrieval leaves it zero)
} ts_retrieval;

// Told after every block of queries: done of total so far, and which model
// (the caller's tag).
// done is 0 while the queries are being embedded (told after every chunk).
typedef void (*ts_eval_progress)(void *ctx, int tag, int done, int total);

// The spread is measured up to this many dimensions (its scratch holds an
// (E, E) covariance, its eigenvalues cost O(E^3): 0.05 s at E = 512, 0.3 s at
// 1024, docs/performance.md).
#define EVAL_SPREAD_MAX_E 1024
// Rows centred at a time for the covariance's products.
#define EVAL_SPREAD_ROWS 256

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
    // The spread's (NULL when maxE > EVAL_SPREAD_MAX_E):
    float *xc;           // (EVAL_SPREAD_ROWS, maxE) a block of centred rows
    float *cov;          // (maxE, maxE) the covariance
    double *eig;         // (maxE, maxE) the eigen solver's copy, then 6 x (maxE):
                         // eigenvalues, its scratch (2), the mean, sums for std_l2
    ts_eval_progress progress;   // or NULL
    void *progress_ctx;
    int progress_tag;
} ts_eval_ws;

int eval_ws_init(ts_eval_ws *ws, int maxN, int maxE, int maxC);
void eval_ws_free(ts_eval_ws *ws);
// Retrieval metrics of emb (N, E) with labels y (N) in [0, C).
void eval_retrieval(const float *emb, const int *y, int N, int E, int C,
                    ts_eval_ws *ws, ts_retrieval *out);
// The spread of emb (N, E) into out (ts_spread). The covariance is of the
// centred embeddings, (1/N) sum (x - mean)(x - mean)^T, through blocks of
// EVAL_SPREAD_ROWS rows (a product each, no (N, E) copy): distances do not
// see a common offset, so neither does the spread (uncentred, a mean far
// from 0 would count as one more direction of its own). Eigenvalues under
// EVAL_SPREAD_TOL of the largest count as 0: the float covariance's rounding.
void eval_spread(const float *emb, int N, int E, ts_eval_ws *ws, ts_spread *out);
// A seeded, stratified subsample of n of the N labels' indices (all when
// n <= 0 or n >= N), written to idx in increasing order; returns its size,
// or -1 when out of memory.
int eval_subsample(const int *y, int N, int C, int n, uint64_t seed, int *idx);

#endif
