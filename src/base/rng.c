// rng.c: PCG32 (O'Neill 2014), XSH-RR output; small, fast and the same on
// every platform, so a seed means the same run everywhere.
#include <math.h>
#include "tripletscope/rng.h"

void rng_seed(ts_rng *r, uint64_t seed, uint64_t stream) {
    r->state = 0;
    r->inc = (stream << 1u) | 1u;
    rng_u32(r);
    r->state += seed;
    rng_u32(r);
}

uint32_t rng_u32(ts_rng *r) {
    uint64_t old = r->state;
    r->state = old * 6364136223846793005ULL + r->inc;
    uint32_t xorshifted = (uint32_t)(((old >> 18u) ^ old) >> 27u);
    uint32_t rot = (uint32_t)(old >> 59u);
    return (xorshifted >> rot) | (xorshifted << ((-rot) & 31));
}

// Lemire's nearly-divisionless method: unbiased, one multiply in the usual case.
uint32_t rng_below(ts_rng *r, uint32_t n) {
    uint64_t m = (uint64_t)rng_u32(r) * n;
    uint32_t low = (uint32_t)m;
    if (low < n) {
        uint32_t threshold = (uint32_t)(-n) % n;
        while (low < threshold) {
            m = (uint64_t)rng_u32(r) * n;
            low = (uint32_t)m;
        }
    }
    return (uint32_t)(m >> 32);
}

float rng_float(ts_rng *r) {
    return (float)(rng_u32(r) >> 8) * (1.0f / 16777216.0f);
}

float rng_normal(ts_rng *r) {
    // 1 - u keeps the logarithm's argument in (0, 1].
    float u1 = 1.0f - rng_float(r);
    float u2 = rng_float(r);
    return sqrtf(-2.0f * logf(u1)) * cosf(6.2831853071795864f * u2);
}
