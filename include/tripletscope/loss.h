// loss.h: the contrastive (Siamese) and triplet losses with their gradients.
//
// Every loss returns its value and ADDS its gradient with respect to the
// distance matrix into W (B, B); dist_backward turns W into the gradient of
// the embeddings with one more sgemm, however many triplets were mined.
#ifndef TRIPLETSCOPE_LOSS_H
#define TRIPLETSCOPE_LOSS_H
#include "tripletscope/mine.h"

typedef enum { REDUCE_MEAN, REDUCE_NONZERO } ts_reduce;

typedef struct {
    long pos, neg, active_neg;   // pairs i < j: same label, other label, d < margin
} ts_pairs;

typedef struct {
    long count;    // triplets the loss was taken over
    long active;   // of those, with loss > 0
} ts_active;

// Contrastive (Hadsell, Chopra, LeCun 2006) over all pairs i < j:
// y d^2 + (1 - y) max(0, m - d)^2, averaged over the B(B-1)/2 pairs.
float loss_contrastive(const float *dist, const int *y, int B, float margin,
                       float *W, ts_pairs *pairs);

// Triplet loss over listed triplets: the hinge (d_ap - d_an) + m where
// d_an - d_ap < m exactly (margin_below), else 0; or softplus(d_ap - d_an)
// when soft (Hermans et al.'s soft margin, no m). REDUCE_MEAN divides by the
// count, REDUCE_NONZERO by the number of active ones (0 when none:
// pytorch-metric-learning's AvgNonZeroReducer).
float loss_triplet(const ts_triplets *t, const float *dist, int B, float margin,
                   int soft, ts_reduce reduce, float *W, ts_active *act);

// The same over every valid triplet of the batch (batch-all), without
// listing them: O(B^2 log B) for the hinge through sorted negatives and
// prefix sums, O(B^3) for the soft margin.
float loss_triplet_all(const ts_anchors *anc, float margin, int soft, ts_reduce reduce,
                       float *W, ts_active *act);

// "mean" or "nonzero".
const char *reduce_name(ts_reduce r);
// softplus(x) = log(1 + e^x), without overflow.
float softplus(float x);

#endif
