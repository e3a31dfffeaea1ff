// measure.h: what one batch says, from its embeddings and labels alone.
//
// Any source calls it: the trainer on the batch it trains on, an attached
// run on the batch its model wrote. Everything is sized once (measure_init);
// measuring allocates nothing.
//
//   z (B, E) raw embeddings, y (B) labels
//     -> measure_batch: e (B, E) in the distance space, dist (B, B), each
//        anchor's positives and sorted negatives, every triplet's difficulty,
//        norms, mean d_ap / d_an, anchors without a positive
//     -> measure_pairs (contrastive) or measure_triplets (a miner's
//        selection, its difficulty and active count): the loss, and its
//        gradient with respect to dist in W (B, B); the elementwise
//        contrastive loss (--pair-distance elementwise) has no distance to
//        go through: its gradient with respect to e is in ge (B, E) instead
#ifndef TRIPLETSCOPE_MEASURE_H
#define TRIPLETSCOPE_MEASURE_H
#include "tripletscope/dist.h"
#include "tripletscope/mine.h"
#include "tripletscope/rng.h"
#include "tripletscope/settings.h"
#include "tripletscope/track.h"

typedef struct {
    int maxB, B, E;
    float *e;            // (maxB, E) embeddings in the distance space
    float *norms;        // (maxB) raw norms
    float *dist, *sq;    // (B, B) the distance in use, the squared distance
    float *W;            // (B, B) dL/d(dist) of the last loss
    float *ge;           // (B, E) dL/de of the last loss when grad_on_e
    int grad_on_e;       // 1: the last loss's gradient is ge (elementwise), not W
    const float *d;      // dist or sq: the distance in use
    const int *y;        // (B) the labels measured last
    ts_anchors anc;
    ts_triplets trip;
    ts_dist_ws dws;
} ts_measure;

// Sizes m for batches of B (and embedding chunks of up to maxB >= B rows,
// for e and norms) of E dimensions. Returns 0, or -1 out of memory.
int measure_init(ts_measure *m, int B, int maxB, int E);
void measure_free(ts_measure *m);
// Measures the batch z (B, E), y (B) under set (normalize, distance, and the
// margin of the counts) into st (all but step, loss and the loss's counts,
// which it zeroes). y must outlive the next calls.
void measure_batch(ts_measure *m, const float *z, const int *y, const ts_settings *set,
                   ts_stepstats *st);
// The contrastive loss on the batch measured last (pair counts into st),
// under set's pair labels and pair distance; its gradient replaces W, or
// for the elementwise loss ge (grad_on_e says which).
float measure_pairs(ts_measure *m, const ts_settings *set, ts_stepstats *st);
// The triplet loss under set's miner on the batch measured last: what the
// miner selects, its difficulty (st->mined), its active count and, for
// hardest-neg, the anchors drawn as their own positive; its gradient
// replaces W (grad_on_e 0). rng drives the random miners.
float measure_triplets(ts_measure *m, const ts_settings *set, ts_rng *rng, ts_stepstats *st);

#endif
