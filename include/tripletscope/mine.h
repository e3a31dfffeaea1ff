// mine.h: each anchor's positives and sorted negatives, the miners, and the
// difficulty counts.
//
// Everything here reads one batch's distance matrix dist (B, B) and labels
// y (B). A valid triplet is (a, p, n) with a != p, y[p] == y[a], y[n] != y[a].
// Difficulty (pytorch-metric-learning's TripletMarginMiner, margin m, in the
// units of the distance in use):
//   hard      d_an <= d_ap
//   semi-hard d_ap <  d_an <= d_ap + m
//   easy      d_an >  d_ap + m
// Ties between equal distances are broken by the lower batch index, the
// same everywhere, so the miners are exactly reproducible. The margin
// boundaries are decided in exact arithmetic on the float values (below),
// here, in the losses and in the counts alike.
#ifndef TRIPLETSCOPE_MINE_H
#define TRIPLETSCOPE_MINE_H
#include <stdint.h>
#include "tripletscope/rng.h"

// --- the margin test, exact ----------------------------------------------------

// The sign of (d_an - d_ap) - m in exact arithmetic on the three floats; NaN
// anywhere gives +1 (outside every margin, as a failed float comparison).
// Testing d_an <= fl32(d_ap + m) instead rounds: with d_ap = 1, d_an = 1.2f
// and m = 0.2f the sum rounds to d_an, and an easy triplet counts as
// semi-hard. The difference of two floats is computed in double; when it
// is not exact there, its rounding can only matter if it lands on m
// exactly, and then the rounding error (Knuth's TwoSum) decides.
static inline int margin_cmp(float d_an, float d_ap, float m) {
    double a = d_an, b = -(double)d_ap, mm = m, s = a + b;
    if (s > mm) return 1;
    if (s < mm) return -1;
    if (s != mm) return 1;   // NaN
    double bb = s - a, err = (a - (s - bb)) + (b - bb);
    return (err > 0) - (err < 0);
}
// d_an - d_ap <= m: semi-hard or hard (pytorch-metric-learning's boundary).
static inline int margin_within(float d_an, float d_ap, float m) {
    return margin_cmp(d_an, d_ap, m) <= 0;
}
// d_an - d_ap < m: the hinge relu(d_ap - d_an + m) is active.
static inline int margin_below(float d_an, float d_ap, float m) {
    return margin_cmp(d_an, d_ap, m) < 0;
}
// The largest float t with t - d_ap <= m (strict: < m) exactly, so that
// d_an <= t decides the test for a whole sorted row of negatives by one
// float comparison each. Negative when no distance passes (strict, with
// d_ap = m = 0). d_ap >= 0 and m >= 0; NaN or Inf pass through.
float margin_bound(float d_ap, float m, int strict);

// Miners, the online ones in the order the m key steps through them.
typedef enum {
    MINER_RANDOM,      // per anchor a random positive (not a) and a random negative
    MINER_ALL,         // every valid triplet (batch-all)
    MINER_HARD,        // per anchor the farthest positive, the closest negative
    MINER_SEMIHARD,    // per (a, p) TF Addons' rule
    MINER_HARDEST_NEG, // the question's: random same-label sample (maybe a), closest negative
    MINER_OFFLINE,     // the question's Example 2: triplets pre-selected once, never re-mined
                       // (the batch is laid out as they are: mine_listed)
    MINER_COUNT
} ts_miner;
// The online miners (those that mine each batch anew) come before
// MINER_OFFLINE: the m / M cycle steps through them only.
#define MINER_ONLINE MINER_OFFLINE

// Each anchor's positives and its negatives sorted by distance: built once
// per model per step, shared by the counts and the miners.
typedef struct {
    int B;
    const int *y;        // (B)
    const float *dist;   // (B, B)
    uint64_t *neg;       // (maxB, maxB) row a: sort keys (d_an, n), ascending
    int *n_neg;          // (maxB)
    int *pos;            // (maxB, maxB) row a: positives of a, ascending index
    int *n_pos;          // (maxB)
    float *tmp;          // (maxB) batch-all: a row's negative distances
    uint64_t *sortbuf;   // (maxB) the sort's scratch
    double *prefix;      // (maxB + 1) batch-all: prefix sums of a row's negatives
    int *hist;           // (maxB + 1) batch-all: positives by active count
} ts_anchors;

// The triplets a miner selected, as parallel index arrays.
typedef struct {
    int n, cap;
    int *a, *p, *neg;    // (cap)
} ts_triplets;

typedef struct {
    long valid, easy, semihard, hard;
} ts_counts;

int anchors_init(ts_anchors *anc, int maxB);
void anchors_free(ts_anchors *anc);
// Fills anc from dist (B, B) and y (B); both must outlive anc's use.
void anchors_build(ts_anchors *anc, const float *dist, const int *y, int B);
// Anchors with no positive in the batch.
int anchors_no_positive(const ts_anchors *anc);

int triplets_init(ts_triplets *t, int cap);
void triplets_free(ts_triplets *t);

// Difficulty counts over all valid triplets, O(B^2 log B).
void count_triplets(const ts_anchors *anc, float margin, ts_counts *c);
// Difficulty counts over the listed triplets (a == p allowed: d_ap = d_aa).
void count_listed(const ts_triplets *t, const float *dist, int B, float margin,
                  ts_counts *c);

// The miners. Each appends to an emptied t; anchors lacking what the rule
// needs are dropped (hardest-neg only needs a negative: it may pick a as p).
void mine_batch_hard(const ts_anchors *anc, ts_triplets *t);
// Returns how many positive pairs had no negative beyond d_ap and took the
// anchor's farthest negative instead (TF Addons' fallback).
int mine_semihard(const ts_anchors *anc, ts_triplets *t);
void mine_random(const ts_anchors *anc, ts_rng *rng, ts_triplets *t);
// Returns how many anchors drew themselves as their positive.
int mine_hardest_neg(const ts_anchors *anc, ts_rng *rng, ts_triplets *t);
// The offline miner's selection: a batch of B holds T = B / 3 listed
// triplets as T anchors, then their T positives, then their T negatives
// (sampler.h, offline_next), so triplet i is (i, T + i, 2T + i); one whose
// labels do not make it valid (a batch not laid out so) is dropped.
void mine_listed(const ts_anchors *anc, ts_triplets *t);
// Every valid triplet, listed (for tests and small batches; the training
// path handles batch-all without listing). Fails (-1) if t is too small.
int mine_all(const ts_anchors *anc, ts_triplets *t);

// Name used by --miner, the key bar and JSON ("random", "all", ..., "offline").
const char *miner_name(ts_miner m);
// Parses a --miner name; -1 when unknown.
int miner_parse(const char *s);

#endif
