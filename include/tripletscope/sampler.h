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

#endif
