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
#include <stdint.h>
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

// --- Per-sample picks: whom the hardest miners keep choosing ---------------------
//
// For each training sample (a slot), over the batches that batch-hard or
// hardest-neg mined: how often it was drawn, how often batch-hard picked
// it as an anchor's hardest positive and either picked it as an anchor's
// hardest negative in a triplet whose hinge is active (d_an - d_ap < m, the
// loss > 0: the picks that carry the gradient; the soft margin's too, by the
// same test; hardest-neg's positive is random, not counted),
// the picks its draws explain (each draw adds the batch's picks per row,
// picks / B), its hits: the draws at which it was picked at least
// TS_PICKS_HIT times as often as a row of that batch on average, and its
// strays: the draws at which its nearest neighbour in the batch carried
// another label. A sample drawn TS_PICKS_MIN_DRAWS times or more is a
// suspect while its hits and its strays are each TS_PICKS_HIT_SHARE and
// TS_PICKS_STRAY_SHARE of its draws or more: picked as the hardest again
// and again, not once by a batch's chance, and living among another class
// (a hard sample of its own class that the network has not learned yet is
// picked as often, but its neighbours mostly share its label). Its ratio,
// picks over the picks its draws explain, ranks the suspects. The suspects' number and their share
// of all picks are kept current at every count in O(B): nothing scans the N
// samples in a step. docs/metrics.md defines it; docs/failure-modes.md has
// the sweep behind the constants (label_noise).
#define TS_PICKS_MIN_DRAWS 3
#define TS_PICKS_HIT 2.0f
#define TS_PICKS_HIT_SHARE 0.75f
#define TS_PICKS_STRAY_SHARE 0.75f
// Distinct sample ids an attached run's counts hold: ids first seen after
// that many are not counted (picks_slots says how many were left out).
#define TS_PICKS_MAX_IDS (1 << 18)

typedef struct ts_picks {
    int n, cap;            // slots in use, slots there are
    int *drawn, *hits, *strays, *pos, *neg;   // (cap)
    float *expect;         // (cap) the picks its draws explain
    unsigned char *flag;   // (cap) bit 0 eligible, bit 1 suspect, bit 2 scratch
    int64_t *ids;          // (cap) each slot's sample id (ids mapped), or NULL: the
                           // slot is the training set's row
    int *table;            // (2 cap) ids -> slot + 1 (0: empty), open addressing
    int *batch;            // (maxB) a batch's picks per row
    int maxB;
    long dropped;          // ids not counted: the table was full
    long draws, picks;     // counted since the clear
    int eligible, suspects;
    long suspect_picks;    // the suspects' picks
} ts_picks;

// Counts for the n rows of a training set (slot i is row i), in batches of
// up to maxB rows. Returns 0, or -1 out of memory.
int picks_init(ts_picks *p, int n, int maxB);
// Counts for sample ids of any value, mapped to up to cap slots in the
// order first seen (an attached run's batch-STEP.ids.npy). 0 or -1.
int picks_init_ids(ts_picks *p, int cap, int maxB);
void picks_free(ts_picks *p);
// Forgets every count (a reset); O(cap).
void picks_clear(ts_picks *p);
// The slots of ids (B) into slot (B): a new id takes the next free slot,
// -1 once there is none (counted in p->dropped). No allocation.
void picks_slots(ts_picks *p, const int64_t *ids, int B, int *slot);
// Counts the batch measured last in m (B <= maxB rows), whose row b is
// slot[b] (< 0: not counted), when set's miner is batch-hard or
// hardest-neg (after measure_triplets: m->trip holds its triplets); fills
// st with the tallies as they stand (counted 0 under any other miner: the
// counts stay as they were).
void picks_count(ts_picks *p, const ts_measure *m, const ts_settings *set, const int *slot,
                 ts_pickstats *st);
// The tallies as they stand into st (counted 0).
void picks_stats(const ts_picks *p, ts_pickstats *st);
// Slot i's picks over the picks its draws explain (NaN when none explained).
float picks_ratio(const ts_picks *p, int i);
// Slot i's sample id: its row in the training set, or the id it was mapped from.
int64_t picks_id(const ts_picks *p, int i);
// 1 while slot i is a suspect.
int picks_suspect(const ts_picks *p, int i);
// The suspects with the highest ratio, most suspect first (ties: the lower
// slot), at most max of them into out (their slots); returns how many. O(n max).
int picks_top(const ts_picks *p, int *out, int max);

#endif
