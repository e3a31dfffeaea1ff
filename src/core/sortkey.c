// sortkey.c: sorting 64-bit sort keys, an AVX-512 network for short rows.
#include <stdint.h>
#include <string.h>
#include "tripletscope/sortkey.h"

// ---------------------------------------------------------------------------
// The portable path: a network for runs of 8, then merges

static void insertion_sort(uint64_t *k, int n) {
    for (int i = 1; i < n; i++) {
        uint64_t v = k[i];
        int j = i - 1;
        while (j >= 0 && k[j] > v) { k[j + 1] = k[j]; j--; }
        k[j + 1] = v;
    }
}

// Compare-exchange without a branch: the keys' order is data, and a
// mispredicted branch per comparison is what made sorting slow.
#define CX(i, j)                                  \
    do {                                          \
        uint64_t a_ = k[i], b_ = k[j];            \
        k[i] = a_ < b_ ? a_ : b_;                 \
        k[j] = a_ < b_ ? b_ : a_;                 \
    } while (0)

// An optimal sorting network for 8 keys (19 compare-exchanges).
static inline void sort8(uint64_t *k) {
    CX(0, 2); CX(1, 3); CX(4, 6); CX(5, 7); CX(0, 4); CX(1, 5); CX(2, 6);
    CX(3, 7); CX(0, 1); CX(2, 3); CX(4, 5); CX(6, 7); CX(2, 4); CX(3, 5);
    CX(1, 4); CX(3, 6); CX(1, 2); CX(3, 4); CX(5, 6);
}
#undef CX

// Bottom-up merge sort: runs of 8 sorted by the network, then branch-free
// merges, ping-ponging between k and tmp.
static void merge_sort(uint64_t *k, int n, uint64_t *tmp) {
    int i = 0;
    for (; i + 8 <= n; i += 8) sort8(k + i);
    insertion_sort(k + i, n - i);
    uint64_t *src = k, *dst = tmp;
    for (int w = 8; w < n; w *= 2) {
        for (int lo = 0; lo < n; lo += 2 * w) {
            int mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
            const uint64_t *a = src + lo, *ae = src + mid, *b = src + mid, *be = src + hi;
            uint64_t *o = dst + lo;
            while (a < ae && b < be) {
                uint64_t x = *a, y = *b;
                int take_b = y < x;
                *o++ = take_b ? y : x;
                a += !take_b;
                b += take_b;
            }
            while (a < ae) *o++ = *a++;
            while (b < be) *o++ = *b++;
        }
        uint64_t *t = src;
        src = dst;
        dst = t;
    }
    if (src != k) memcpy(k, src, sizeof(uint64_t) * n);
}

// ---------------------------------------------------------------------------
// The AVX-512 path: a bitonic network in registers

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#include <immintrin.h>
#define HAVE_SORT_AVX512 1

// A bitonic sorting network over NR zmm registers of 8 keys (NR a power of
// two, n <= 8 * NR), the tail padded with the largest key. Every stage is a
// compare-exchange that puts the minimum at the lower position, so the
// result is the same total order as the merge sort's (the keys are distinct:
// the index is in the low half). In the form where each merge opens with a
// "flip" (position i against i ^ (size - 1)) and continues with half-cleaners
// (i against i ^ j), all compare-exchanges are ascending.
#define SORT_AVX512 __attribute__((target("avx512f"), always_inline)) static inline

// Within a register: lanes i and i ^ m exchange, the lane with bit h keeps
// the maximum.
SORT_AVX512 __m512i cx_lanes(__m512i v, __m512i perm, __mmask8 upper) {
    __m512i w = _mm512_permutexvar_epi64(perm, v);
    return _mm512_mask_blend_epi64(upper, _mm512_min_epu64(v, w), _mm512_max_epu64(v, w));
}

SORT_AVX512 void bitonic_regs(__m512i *r, int NR) {
    const __m512i lane = _mm512_set_epi64(7, 6, 5, 4, 3, 2, 1, 0);
    const __m512i rev = _mm512_set_epi64(0, 1, 2, 3, 4, 5, 6, 7);
    const __m512i x1 = _mm512_xor_si512(lane, _mm512_set1_epi64(1));
    const __m512i x2 = _mm512_xor_si512(lane, _mm512_set1_epi64(2));
    const __m512i x3 = _mm512_xor_si512(lane, _mm512_set1_epi64(3));
    const __m512i x4 = _mm512_xor_si512(lane, _mm512_set1_epi64(4));
    const __mmask8 u1 = 0xAA, u2 = 0xCC, u4 = 0xF0;
    // Sort within each register: flips of 2, 4, 8 and their half-cleaners.
    for (int q = 0; q < NR; q++) {
        __m512i v = r[q];
        v = cx_lanes(v, x1, u1);
        v = cx_lanes(v, x3, u2);
        v = cx_lanes(v, x1, u1);
        v = cx_lanes(v, rev, u4);
        v = cx_lanes(v, x2, u2);
        v = cx_lanes(v, x1, u1);
        r[q] = v;
    }
    // Merge across registers: blocks of s registers.
    for (int s = 2; s <= NR; s *= 2) {
        for (int a = 0; a < NR; a++) {          // flip: register a against a ^ (s - 1), lanes reversed
            int b = a ^ (s - 1);
            if (b < a) continue;
            __m512i rb = _mm512_permutexvar_epi64(rev, r[b]);
            __m512i mn = _mm512_min_epu64(r[a], rb), mx = _mm512_max_epu64(r[a], rb);
            r[a] = mn;
            r[b] = _mm512_permutexvar_epi64(rev, mx);
        }
        for (int j = s / 4; j >= 1; j /= 2)     // half-cleaners across registers
            for (int a = 0; a < NR; a++) {
                int b = a ^ j;
                if (b < a) continue;
                __m512i mn = _mm512_min_epu64(r[a], r[b]), mx = _mm512_max_epu64(r[a], r[b]);
                r[a] = mn;
                r[b] = mx;
            }
        for (int q = 0; q < NR; q++) {          // half-cleaners of 4, 2, 1 within registers
            __m512i v = r[q];
            v = cx_lanes(v, x4, u4);
            v = cx_lanes(v, x2, u2);
            v = cx_lanes(v, x1, u1);
            r[q] = v;
        }
    }
}

SORT_AVX512 void sort_regs(uint64_t *k, int n, int NR) {
    __m512i r[16];
    for (int q = 0; q < NR; q++) {
        int left = n - 8 * q;
        __mmask8 m = left >= 8 ? 0xFF : left <= 0 ? 0 : (__mmask8)((1u << left) - 1);
        r[q] = _mm512_mask_loadu_epi64(_mm512_set1_epi64(-1), m, k + 8 * q);
    }
    bitonic_regs(r, NR);
    for (int q = 0; q < NR; q++) {
        int left = n - 8 * q;
        __mmask8 m = left >= 8 ? 0xFF : left <= 0 ? 0 : (__mmask8)((1u << left) - 1);
        _mm512_mask_storeu_epi64(k + 8 * q, m, r[q]);
    }
}

// One function per register count, so the loops unroll and r stays in registers.
__attribute__((target("avx512f"), noinline)) static void sort_avx512(uint64_t *k, int n) {
    if (n <= 32) sort_regs(k, n, 4);
    else if (n <= 64) sort_regs(k, n, 8);
    else sort_regs(k, n, 16);
}
#endif

// ---------------------------------------------------------------------------
// Dispatch

// Rows of up to 128 keys (a batch's negatives) go through the AVX-512
// network when the CPU has it; the rest through the merge sort.
void sortkey_sort(uint64_t *k, int n, uint64_t *tmp) {
#ifdef HAVE_SORT_AVX512
    if (n > 16 && n <= 128 && __builtin_cpu_supports("avx512f")) {
        sort_avx512(k, n);
        return;
    }
#endif
    merge_sort(k, n, tmp);
}
