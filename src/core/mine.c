// mine.c: per-anchor geometry, difficulty counts and the miners.
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
void key_sort(uint64_t *k, int n, uint64_t *tmp) {
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

// Number of leading keys whose distance is <= t. The predicate is true on a
// prefix of a sorted row (NaN distances sort last and compare false).
static int count_le(const uint64_t *k, int n, float t) {
    int lo = 0, hi = n;
    while (lo < hi) {
        int mid = (lo + hi) >> 1;
        if (key_dist(k[mid]) <= t) lo = mid + 1; else hi = mid;
    }
    return lo;
}

// ---------------------------------------------------------------------------
// Geometry

int geo_init(ts_geo *g, int maxB) {
    memset(g, 0, sizeof *g);
    size_t bb = (size_t)maxB * maxB;
    g->neg = malloc(sizeof(uint64_t) * bb);
    g->pos = malloc(sizeof(int) * (bb + 2 * (size_t)maxB));
    g->tmp = malloc(sizeof(float) * 2 * (size_t)maxB);
    g->tkeys = malloc(sizeof(uint64_t) * 2 * (size_t)maxB);
    if (!g->neg || !g->pos || !g->tmp || !g->tkeys) { geo_free(g); return -1; }
    g->sortbuf = g->tkeys + maxB;
    g->n_pos = g->pos + bb;
    g->n_neg = g->n_pos + maxB;
    return 0;
}

void geo_free(ts_geo *g) {
    free(g->neg);
    free(g->pos);
    free(g->tmp);
    free(g->tkeys);
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
            int hard = count_le(neg, nn, dap);
            int inside = count_le(neg, nn, dap + margin);
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
        else if (dan <= dap + margin) c->semihard++;
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
