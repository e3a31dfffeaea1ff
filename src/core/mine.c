// mine.c: each anchor's positives and sorted negatives, difficulty counts
// and the miners.
#include <float.h>
#include <stdlib.h>
#include <string.h>
#include "tripletscope/mine.h"
#include "tripletscope/sortkey.h"

// ---------------------------------------------------------------------------
// Searching a sorted row of negatives

// Number of leading keys whose distance is <= t. The predicate is true on a
// prefix of a sorted row (NaN distances sort last and compare false).
// Branch-free (the outcome of each probe is data): the answer stays in
// [base, base + len], and len halves each round.
static inline int count_le(const uint64_t *k, int n, float t) {
    if (n <= 0) return 0;
    int base = 0, len = n;
    while (len > 1) {
        int half = len >> 1;
        base = sortkey_dist(k[base + half]) <= t ? base + half : base;
        len -= half;
    }
    return base + (sortkey_dist(k[base]) <= t);
}

// count_le for two thresholds at once, the searches interleaved.
static inline void count_le2(const uint64_t *k, int n, float t0, float t1, int *c0, int *c1) {
    if (n <= 0) { *c0 = *c1 = 0; return; }
    int b0 = 0, b1 = 0, len = n;
    while (len > 1) {
        int half = len >> 1;
        b0 = sortkey_dist(k[b0 + half]) <= t0 ? b0 + half : b0;
        b1 = sortkey_dist(k[b1 + half]) <= t1 ? b1 + half : b1;
        len -= half;
    }
    *c0 = b0 + (sortkey_dist(k[b0]) <= t0);
    *c1 = b1 + (sortkey_dist(k[b1]) <= t1);
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
// Each anchor's positives and sorted negatives

int anchors_init(ts_anchors *anc, int maxB) {
    memset(anc, 0, sizeof *anc);
    size_t bb = (size_t)maxB * maxB;
    anc->neg = malloc(sizeof(uint64_t) * bb);
    anc->pos = malloc(sizeof(int) * (bb + 2 * (size_t)maxB));
    anc->tmp = malloc(sizeof(float) * (size_t)maxB);
    anc->sortbuf = malloc(sizeof(uint64_t) * (size_t)maxB);
    anc->prefix = malloc(sizeof(double) * ((size_t)maxB + 1));
    anc->hist = malloc(sizeof(int) * ((size_t)maxB + 1));
    if (!anc->neg || !anc->pos || !anc->tmp || !anc->sortbuf || !anc->prefix || !anc->hist) {
        anchors_free(anc);
        return -1;
    }
    anc->n_pos = anc->pos + bb;
    anc->n_neg = anc->n_pos + maxB;
    return 0;
}

void anchors_free(ts_anchors *anc) {
    free(anc->neg);
    free(anc->pos);
    free(anc->tmp);
    free(anc->sortbuf);
    free(anc->prefix);
    free(anc->hist);
    memset(anc, 0, sizeof *anc);
}

void anchors_build(ts_anchors *anc, const float *dist, const int *y, int B) {
    anc->B = B;
    anc->y = y;
    anc->dist = dist;
    for (int a = 0; a < B; a++) {
        const float *row = dist + (size_t)a * B;
        uint64_t *neg = anc->neg + (size_t)a * B;
        int *pos = anc->pos + (size_t)a * B;
        int np = 0, nn = 0;
        for (int j = 0; j < B; j++) {
            if (y[j] != y[a]) neg[nn++] = sortkey_pack(row[j], j);
            else if (j != a) pos[np++] = j;
        }
        sortkey_sort(neg, nn, anc->sortbuf);
        anc->n_pos[a] = np;
        anc->n_neg[a] = nn;
    }
}

int anchors_no_positive(const ts_anchors *anc) {
    int n = 0;
    for (int a = 0; a < anc->B; a++) n += anc->n_pos[a] == 0;
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

void count_triplets(const ts_anchors *anc, float margin, ts_counts *c) {
    memset(c, 0, sizeof *c);
    int B = anc->B;
    for (int a = 0; a < B; a++) {
        int np = anc->n_pos[a], nn = anc->n_neg[a];
        if (!np || !nn) continue;
        const uint64_t *neg = anc->neg + (size_t)a * B;
        const int *pos = anc->pos + (size_t)a * B;
        const float *row = anc->dist + (size_t)a * B;
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

void mine_batch_hard(const ts_anchors *anc, ts_triplets *t) {
    t->n = 0;
    int B = anc->B;
    for (int a = 0; a < B; a++) {
        int np = anc->n_pos[a], nn = anc->n_neg[a];
        if (!np || !nn) continue;
        const int *pos = anc->pos + (size_t)a * B;
        const float *row = anc->dist + (size_t)a * B;
        int best = pos[0];
        for (int i = 1; i < np; i++)
            if (row[pos[i]] > row[best]) best = pos[i];
        push(t, a, best, sortkey_index(anc->neg[(size_t)a * B]));
    }
}

int mine_semihard(const ts_anchors *anc, ts_triplets *t) {
    t->n = 0;
    int B = anc->B, fallback = 0;
    for (int a = 0; a < B; a++) {
        int np = anc->n_pos[a], nn = anc->n_neg[a];
        if (!np || !nn) continue;
        const uint64_t *neg = anc->neg + (size_t)a * B;
        const int *pos = anc->pos + (size_t)a * B;
        const float *row = anc->dist + (size_t)a * B;
        // The farthest negative (lowest index among equals): the fallback.
        int far = nn - 1;
        while (far > 0 && sortkey_dist(neg[far - 1]) == sortkey_dist(neg[nn - 1])) far--;
        for (int i = 0; i < np; i++) {
            int j = count_le(neg, nn, row[pos[i]]);   // first d_an > d_ap
            fallback += j == nn;
            push(t, a, pos[i], sortkey_index(neg[j < nn ? j : far]));
        }
    }
    return fallback;
}

void mine_random(const ts_anchors *anc, ts_rng *rng, ts_triplets *t) {
    t->n = 0;
    int B = anc->B;
    for (int a = 0; a < B; a++) {
        int np = anc->n_pos[a], nn = anc->n_neg[a];
        if (!np || !nn) continue;
        int p = anc->pos[(size_t)a * B + rng_below(rng, (uint32_t)np)];
        int n = sortkey_index(anc->neg[(size_t)a * B + rng_below(rng, (uint32_t)nn)]);
        push(t, a, p, n);
    }
}

int mine_hardest_neg(const ts_anchors *anc, ts_rng *rng, ts_triplets *t) {
    t->n = 0;
    int B = anc->B, self = 0;
    for (int a = 0; a < B; a++) {
        int np = anc->n_pos[a], nn = anc->n_neg[a];
        if (!nn) continue;
        const int *pos = anc->pos + (size_t)a * B;
        // torch.where(labels == label_a) lists a among its positives, in
        // index order; the question's code draws uniformly from that list.
        int r = (int)rng_below(rng, (uint32_t)(np + 1));
        int before = 0;                    // positives with index < a
        while (before < np && pos[before] < a) before++;
        int p = r < before ? pos[r] : r == before ? a : pos[r - 1];
        self += p == a;
        push(t, a, p, sortkey_index(anc->neg[(size_t)a * B]));
    }
    return self;
}

void mine_listed(const ts_anchors *anc, ts_triplets *t) {
    t->n = 0;
    int T = anc->B / 3;
    const int *y = anc->y;
    for (int i = 0; i < T; i++)
        if (y[T + i] == y[i] && y[2 * T + i] != y[i]) push(t, i, T + i, 2 * T + i);
}

int mine_all(const ts_anchors *anc, ts_triplets *t) {
    t->n = 0;
    int B = anc->B;
    for (int a = 0; a < B; a++) {
        const int *pos = anc->pos + (size_t)a * B;
        const uint64_t *neg = anc->neg + (size_t)a * B;
        for (int i = 0; i < anc->n_pos[a]; i++)
            for (int j = 0; j < anc->n_neg[a]; j++) {
                if (t->n >= t->cap) return -1;
                push(t, a, pos[i], sortkey_index(neg[j]));
            }
    }
    return 0;
}

// ---------------------------------------------------------------------------
// Names

static const char *const miner_names[MINER_COUNT] = {
    "random", "all", "hard", "semihard", "hardest-neg", "offline"};

const char *miner_name(ts_miner m) {
    return (unsigned)m < MINER_COUNT ? miner_names[m] : "?";
}

int miner_parse(const char *s) {
    for (int i = 0; i < MINER_COUNT; i++)
        if (strcmp(s, miner_names[i]) == 0) return i;
    return -1;
}
