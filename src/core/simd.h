// simd.h: compiling a hot loop for the widest vectors the CPU has (picked
// once at load time) rather than the x86-64 baseline's SSE2. The clones
// compute the same operations in the same order (no contraction into FMA
// under -std=c11), so the result does not depend on which one runs.
#ifndef TRIPLETSCOPE_SIMD_H
#define TRIPLETSCOPE_SIMD_H
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define WIDEST_SIMD __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define WIDEST_SIMD
#endif
#endif
