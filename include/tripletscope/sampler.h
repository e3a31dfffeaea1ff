// sampler.h: which training samples form each batch.
//
// uniform: consecutive slices of a reshuffled permutation of the training
// set, as a shuffled DataLoader (drop_last=True) gives. pk: P classes drawn
// without replacement, then K samples of each, without replacement unless
// the class has fewer than K (pytorch-metric-learning's MPerClassSampler).
#ifndef TRIPLETSCOPE_SAMPLER_H
#define TRIPLETSCOPE_SAMPLER_H
#include "tripletscope/rng.h"

typedef enum { SAMPLER_UNIFORM, SAMPLER_PK } ts_sampler_kind;

typedef struct {
    int N, C;
    const int *y;        // (N) labels
    int *perm;           // (N) uniform: the current epoch's order
    int cursor;          // uniform: next position in perm
    int *members;        // (N) sample indices grouped by class
    int *start, *count;  // (C) each class's slice of members
    int *classes;        // (C) classes present, shuffled in place for pk
    int n_classes;       // classes with at least one sample
    ts_rng rng;
} ts_sampler;

int sampler_init(ts_sampler *s, const int *y, int N, int C, uint64_t seed);
void sampler_free(ts_sampler *s);
// Restarts the stream as if newly initialised with seed.
void sampler_reseed(ts_sampler *s, uint64_t seed);
// Writes the next batch's B sample indices into idx. pk needs B % K == 0
// and B / K <= the number of classes (checked by sampler_check).
void sampler_next(ts_sampler *s, ts_sampler_kind kind, int B, int K, int *idx);
// 0 if kind can make batches of B with K per class that can hold a triplet,
// else -1 with a reason in why (the flag it concerns first: "--k: ...").
// uniform: 3 <= B <= the training samples. pk: K >= 2, B a multiple of K,
// and 2 <= P = B / K <= the classes present (a class smaller than K is fine:
// it is drawn with replacement).
int sampler_check(const ts_sampler *s, ts_sampler_kind kind, int B, int K,
                  char *why, int why_len);
const char *sampler_name(ts_sampler_kind k);

// --- Pre-selected triplets (--miner offline) -------------------------------------
//
// The question's Example 2: a list of triplets built once before the loop
// and trained on in order, epoch after epoch, never re-mined. One per
// training sample with a positive and a negative: it is the anchor, with a
// random positive (same label, not itself) and a random negative (another
// label). The list is shuffled once when drawn, as a DataLoader over it
// would for its first epoch; every later epoch replays that same order, as
// `for anchor, positive, negative in triplets` does.
typedef struct {
    int N;               // training samples (the list's capacity)
    int n;               // triplets listed: samples whose class has 2+ members, and a negative
    int cursor;          // the next triplet a batch takes
    int *a, *p, *neg;    // (N) each, the first n used: the list, in training order
} ts_offline;

// Sizes o for a training set of N samples (3N ints). Returns 0, or -1 out of memory.
int offline_init(ts_offline *o, int N);
void offline_free(ts_offline *o);
// Draws the list from seed (its own random stream) over s's training labels,
// using s's class slices as sampler_reseed leaves them; cursor back to 0.
void offline_draw(ts_offline *o, const ts_sampler *s, uint64_t seed);
// The next T triplets of the list (wrapping at its end, n > 0) as a batch
// of 3T sample indices: idx[i] the anchors, idx[T + i] their positives,
// idx[2T + i] their negatives (mine_listed's layout).
void offline_next(ts_offline *o, int T, int *idx);

#endif
