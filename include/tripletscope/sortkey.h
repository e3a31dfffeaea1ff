// sortkey.h: sort keys, a distance and an index packed in 64 bits, and
// their sort (the miners, the batch-all loss, the evaluation).
//
// A sort key packs a non-negative float distance's bits above an index:
// unsigned order is distance order, then index order (the tie-break that
// makes mining and retrieval exactly reproducible). NaN distances sort last.
#ifndef TRIPLETSCOPE_SORTKEY_H
#define TRIPLETSCOPE_SORTKEY_H
#include <stdint.h>
#include <string.h>

// The sort key of distance d (>= 0) at index idx.
static inline uint64_t sortkey_pack(float d, int idx) {
    uint32_t bits;
    memcpy(&bits, &d, sizeof bits);
    return ((uint64_t)bits << 32) | (uint32_t)idx;
}
// The distance of a sort key.
static inline float sortkey_dist(uint64_t k) {
    uint32_t bits = (uint32_t)(k >> 32);
    float d;
    memcpy(&d, &bits, sizeof d);
    return d;
}
// The index of a sort key.
static inline int sortkey_index(uint64_t k) { return (int)(uint32_t)k; }
// Sorts keys (n) ascending in place; tmp (n) is scratch. Rows of 17 to 128
// keys go through an AVX-512 network when the CPU has it, the rest through
// a merge sort; both give the same order.
void sortkey_sort(uint64_t *keys, int n, uint64_t *tmp);

#endif
