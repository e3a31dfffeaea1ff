// mine.c: per-anchor geometry, difficulty counts and the miners.
#include <float.h>
#include <stdlib.h>
#include <string.h>
#include "tripletscope/mine.h"

// ---------------------------------------------------------------------------
// Sorting keys and searching sorted distances

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

// Rows of up to 128 keys (a batch's negatives) go through the AVX-512
// network when the CPU has it; the rest through the merge sort.
void key_sort(uint64_t *k, int n, uint64_t *tmp) {
#ifdef HAVE_SORT_AVX512
    if (n > 16 && n <= 128 && __builtin_cpu_supports("avx512f")) {
        sort_avx512(k, n);
        return;
    }
#endif
    merge_sort(k, n, tmp);
}

// Number of leading keys whose distance is <= t. The predicate is true on a
// prefix of a sorted row (NaN distances sort last and compare false).
// Branch-free (the outcome of each probe is data): the answer stays in
// [base, base + len], and len halves each round.
static inline int count_le(const uint64_t *k, int n, float t) {
    if (n <= 0) return 0;
    int base = 0, len = n;
    while (len > 1) {
        int half = len >> 1;
        base = key_dist(k[base + half]) <= t ? base + half : base;
        len -= half;
    }
    return base + (key_dist(k[base]) <= t);
}

// count_le for two thresholds at once, the searches interleaved.
static inline void count_le2(const uint64_t *k, int n, float t0, float t1, int *c0, int *c1) {
    if (n <= 0) { *c0 = *c1 = 0; return; }
    int b0 = 0, b1 = 0, len = n;
    while (len > 1) {
        int half = len >> 1;
        b0 = key_dist(k[b0 + half]) <= t0 ? b0 + half : b0;
        b1 = key_dist(k[b1 + half]) <= t1 ? b1 + half : b1;
        len -= half;
    }
    *c0 = b0 + (key_dist(k[b0]) <= t0);
    *c1 = b1 + (key_dist(k[b1]) <= t1);
}

// ---------------------------------------------------------------------------
// The margin's bound

// The next float up / down from a finite t >= +0 (down: t > 0). Bits, not
// nextafterf: no call, and no denormal arithmetic under FTZ / DAZ.
static inline float float_up(float t) {
    uint32_t b;
    memcpy(&b, &t, sizeof b);
    b++;
    memcpy(&t, &b, sizeof t);
    return t;
}

static inline float float_down(float t) {
    uint32_t b;
    memcpy(&b, &t, sizeof b);
    b--;
    memcpy(&t, &b, sizeof t);
    return t;
}

static inline int bound_passes(float t, float d_ap, float m, int strict) {
    int c = margin_cmp(t, d_ap, m);
    return strict ? c < 0 : c <= 0;
}

float margin_bound(float d_ap, float m, int strict) {
    // Usually d_ap + m is exact in double (TwoSum's error is 0): then the
    // bound is that sum rounded down to a float (strict: the float below it).
    double a = d_ap, b = m, x = a + b, bb = x - a, err = (a - (x - bb)) + (b - bb);
    if (err == 0.0 && x <= FLT_MAX) {
        float t = (float)x;
        if (strict ? (double)t < x : (double)t <= x) return t;
        return t > 0.0f ? float_down(t) : -1.0f;
    }
    // Otherwise the float nearest d_ap + m is at most an ulp from the
    // bound: step to it.
    float t = (float)x;
    if (!(t <= FLT_MAX)) return t;   // NaN or Inf: as the float comparison did
    if (t == 0.0f) t = 0.0f;         // -0 to +0, so the bits step the right way
    while (!bound_passes(t, d_ap, m, strict)) {
        if (t <= 0.0f) return -1.0f;
        t = float_down(t);
    }
    for (;;) {
        float u = float_up(t);
        if (!(u <= FLT_MAX) || !bound_passes(u, d_ap, m, strict)) return t;
        t = u;
    }
}

// ---------------------------------------------------------------------------
// Geometry

int geo_init(ts_geo *g, int maxB) {
    memset(g, 0, sizeof *g);
    size_t bb = (size_t)maxB * maxB;
    g->neg = malloc(sizeof(uint64_t) * bb);
    g->pos = malloc(sizeof(int) * (bb + 2 * (size_t)maxB));
    g->tmp = malloc(sizeof(float) * (size_t)maxB);
    g->sortbuf = malloc(sizeof(uint64_t) * (size_t)maxB);
    g->prefix = malloc(sizeof(double) * ((size_t)maxB + 1));
    g->hist = malloc(sizeof(int) * ((size_t)maxB + 1));
    if (!g->neg || !g->pos || !g->tmp || !g->sortbuf || !g->prefix || !g->hist) {
        geo_free(g);
        return -1;
    }
    g->n_pos = g->pos + bb;
    g->n_neg = g->n_pos + maxB;
    return 0;
}

void geo_free(ts_geo *g) {
    free(g->neg);
    free(g->pos);
    free(g->tmp);
    free(g->sortbuf);
    free(g->prefix);
    free(g->hist);
    memset(g, 0, sizeof *g);
}

void geo_build(ts_geo *g, const float *dist, const int *y, int B) {
    g->B = B;
    g->y = y;
    g->dist = dist;
    for (int a = 0; a < B; a++) {
        const float *row = dist + (size_t)a * B;
        uint64_t *neg = g->neg + (size_t)a * B;
        int *pos = g->pos + (size_t)a * B;
        int np = 0, nn = 0;
        for (int j = 0; j < B; j++) {
            if (y[j] != y[a]) neg[nn++] = key_pack(row[j], j);
            else if (j != a) pos[np++] = j;
        }
        key_sort(neg, nn, g->sortbuf);
        g->n_pos[a] = np;
        g->n_neg[a] = nn;
    }
}

int geo_no_positive(const ts_geo *g) {
    int n = 0;
    for (int a = 0; a < g->B; a++) n += g->n_pos[a] == 0;
    return n;
}

int triplets_init(ts_triplets *t, int cap) {
    t->n = 0;
    t->cap = cap;
    t->a = malloc(sizeof(int) * 3 * (size_t)cap);
    if (!t->a) return -1;
    t->p = t->a + cap;
    t->neg = t->p + cap;
    return 0;
}

void triplets_free(ts_triplets *t) {
    free(t->a);
    memset(t, 0, sizeof *t);
}

static inline void push(ts_triplets *t, int a, int p, int n) {
    t->a[t->n] = a;
    t->p[t->n] = p;
    t->neg[t->n] = n;
    t->n++;
}

// ---------------------------------------------------------------------------
// Difficulty counts

void count_triplets(const ts_geo *g, float margin, ts_counts *c) {
    memset(c, 0, sizeof *c);
    int B = g->B;
    for (int a = 0; a < B; a++) {
        int np = g->n_pos[a], nn = g->n_neg[a];
        if (!np || !nn) continue;
        const uint64_t *neg = g->neg + (size_t)a * B;
        const int *pos = g->pos + (size_t)a * B;
        const float *row = g->dist + (size_t)a * B;
        c->valid += (long)np * nn;
        for (int i = 0; i < np; i++) {
            float dap = row[pos[i]];
            int hard, inside;
            count_le2(neg, nn, dap, margin_bound(dap, margin, 0), &hard, &inside);
            c->hard += hard;
            c->semihard += inside - hard;
            c->easy += nn - inside;
        }
    }
}

void count_listed(const ts_triplets *t, const float *dist, int B, float margin,
                  ts_counts *c) {
    memset(c, 0, sizeof *c);
    for (int i = 0; i < t->n; i++) {
        const float *row = dist + (size_t)t->a[i] * B;
        float dap = row[t->p[i]], dan = row[t->neg[i]];
        if (dan <= dap) c->hard++;
        else if (margin_within(dan, dap, margin)) c->semihard++;
        else c->easy++;
    }
    c->valid = t->n;
}

// ---------------------------------------------------------------------------
// Miners

void mine_batch_hard(const ts_geo *g, ts_triplets *t) {
    t->n = 0;
    int B = g->B;
    for (int a = 0; a < B; a++) {
        int np = g->n_pos[a], nn = g->n_neg[a];
        if (!np || !nn) continue;
        const int *pos = g->pos + (size_t)a * B;
        const float *row = g->dist + (size_t)a * B;
        int best = pos[0];
        for (int i = 1; i < np; i++)
            if (row[pos[i]] > row[best]) best = pos[i];
        push(t, a, best, key_index(g->neg[(size_t)a * B]));
    }
}

void mine_semihard(const ts_geo *g, ts_triplets *t) {
    t->n = 0;
    int B = g->B;
    for (int a = 0; a < B; a++) {
        int np = g->n_pos[a], nn = g->n_neg[a];
        if (!np || !nn) continue;
        const uint64_t *neg = g->neg + (size_t)a * B;
        const int *pos = g->pos + (size_t)a * B;
        const float *row = g->dist + (size_t)a * B;
        // The farthest negative (lowest index among equals): the fallback.
        int far = nn - 1;
        while (far > 0 && key_dist(neg[far - 1]) == key_dist(neg[nn - 1])) far--;
        for (int i = 0; i < np; i++) {
            int j = count_le(neg, nn, row[pos[i]]);   // first d_an > d_ap
            push(t, a, pos[i], key_index(neg[j < nn ? j : far]));
        }
    }
}

void mine_random(const ts_geo *g, ts_rng *rng, ts_triplets *t) {
    t->n = 0;
    int B = g->B;
    for (int a = 0; a < B; a++) {
        int np = g->n_pos[a], nn = g->n_neg[a];
        if (!np || !nn) continue;
        int p = g->pos[(size_t)a * B + rng_below(rng, (uint32_t)np)];
        int n = key_index(g->neg[(size_t)a * B + rng_below(rng, (uint32_t)nn)]);
        push(t, a, p, n);
    }
}

int mine_hardest_neg(const ts_geo *g, ts_rng *rng, ts_triplets *t) {
    t->n = 0;
    int B = g->B, self = 0;
    for (int a = 0; a < B; a++) {
        int np = g->n_pos[a], nn = g->n_neg[a];
        if (!nn) continue;
        const int *pos = g->pos + (size_t)a * B;
        // torch.where(labels == label_a) lists a among its positives, in
        // index order; the question's code draws uniformly from that list.
        int r = (int)rng_below(rng, (uint32_t)(np + 1));
        int before = 0;                    // positives with index < a
        while (before < np && pos[before] < a) before++;
        int p = r < before ? pos[r] : r == before ? a : pos[r - 1];
        self += p == a;
        push(t, a, p, key_index(g->neg[(size_t)a * B]));
    }
    return self;
}

int mine_all(const ts_geo *g, ts_triplets *t) {
    t->n = 0;
    int B = g->B;
    for (int a = 0; a < B; a++) {
        const int *pos = g->pos + (size_t)a * B;
        const uint64_t *neg = g->neg + (size_t)a * B;
        for (int i = 0; i < g->n_pos[a]; i++)
            for (int j = 0; j < g->n_neg[a]; j++) {
                if (t->n >= t->cap) return -1;
                push(t, a, pos[i], key_index(neg[j]));
            }
    }
    return 0;
}

// ---------------------------------------------------------------------------
// Names

static const char *const miner_names[MINER_COUNT] = {
    "random", "all", "hard", "semihard", "hardest-neg"};

const char *miner_name(ts_miner m) {
    return (unsigned)m < MINER_COUNT ? miner_names[m] : "?";
}

int miner_parse(const char *s) {
    for (int i = 0; i < MINER_COUNT; i++)
        if (strcmp(s, miner_names[i]) == 0) return i;
    return -1;
}
