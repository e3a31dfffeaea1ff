// rng.h: a small, seedable, portable random stream (PCG32).
//
// Every source of randomness has its own stream (initial weights, batches,
// the triplet miner, data generation), so changing the miner never changes
// which batches both models see.
#ifndef TRIPLETSCOPE_RNG_H
#define TRIPLETSCOPE_RNG_H
#include <stdint.h>

typedef struct {
    uint64_t state;
    uint64_t inc;
} ts_rng;

// Seeds a stream; `stream` selects one of many independent sequences.
void rng_seed(ts_rng *r, uint64_t seed, uint64_t stream);
// Next uniformly distributed 32-bit value.
uint32_t rng_u32(ts_rng *r);
// Uniform integer in [0, n), without modulo bias; n > 0.
uint32_t rng_below(ts_rng *r, uint32_t n);
// Uniform float in [0, 1) with 24 random bits.
float rng_float(ts_rng *r);
// Standard normal (Box-Muller).
float rng_normal(ts_rng *r);

#endif
