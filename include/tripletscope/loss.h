// loss.h: the contrastive (Siamese) and triplet losses with their gradients.
//
// Every loss returns its value and ADDS its gradient with respect to the
// distance matrix into W (B, B); dist_backward turns W into the gradient of
// the embeddings with one more sgemm, however many triplets were mined.
#ifndef TRIPLETSCOPE_LOSS_H
#define TRIPLETSCOPE_LOSS_H
#include "tripletscope/dist.h"
#include "tripletscope/mine.h"

typedef enum { REDUCE_MEAN, REDUCE_NONZERO } ts_reduce;

// The Siamese model's pair labels (--pair-labels, the l key): as the data
// says (y = 1 for the same label), or inverted, y = 1 - y, a teaching bug
// (Keras examples write y = 1 for similar, Hadsell et al. y = 0 for it).
typedef enum { PAIR_LABELS_NORMAL, PAIR_LABELS_INVERTED } ts_pair_labels;

// What the contrastive loss is computed on (--pair-distance): the distance
// of each pair (the batch's distance in use), or, as the question's Keras
// model does with abs(a - b), each dimension's difference on its own.
typedef enum { PAIR_DIST_EUCLIDEAN, PAIR_DIST_ELEMENTWISE } ts_pair_distance;

typedef struct {
    long pos, neg, active_neg;   // pairs i < j: same label, other label, d < margin
} ts_pairs;

typedef struct {
    long count;    // triplets the loss was taken over
    long active;   // of those, with loss > 0
} ts_active;

// Contrastive (Hadsell, Chopra, LeCun 2006) over all pairs i < j:
// y d^2 + (1 - y) max(0, m - d)^2, averaged over the B(B-1)/2 pairs, with
// y = 1 for the same label (y = 0 when invert: PAIR_LABELS_INVERTED). The
// pair counts are the loss's: with invert, pos counts the other-label pairs.
float loss_contrastive(const float *dist, const int *y, int B, float margin, int invert,
                       float *W, ts_pairs *pairs);

// The same loss on each dimension's difference u = e_i,k - e_j,k of the
// embeddings e (B, E) in the distance space instead of on the distance:
// y d_k^2 + (1 - y) max(0, m - d_k)^2 averaged over the pairs i < j AND the
// E dimensions, with d_k the distance's own 1-D form: |u| (euclidean), u^2
// (squared), u^2 / 2 (cosine, of the unit vectors e; so that for squared
// and cosine the d_k sum to the pair's distance). Its gradient with respect
// to e is ADDED into de (B, E): it does not go through a distance matrix.
// active_neg counts the negative pairs with at least one dimension within m.
float loss_contrastive_elementwise(const float *e, const int *y, int B, int E, float margin,
                                   int invert, ts_distance distance, float *de,
                                   ts_pairs *pairs);

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
// "normal" or "inverted".
const char *pair_labels_name(ts_pair_labels l);
// "euclidean" or "elementwise".
const char *pair_distance_name(ts_pair_distance d);
// softplus(x) = log(1 + e^x), without overflow.
float softplus(float x);

#endif
