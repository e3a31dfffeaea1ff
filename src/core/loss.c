// loss.c: contrastive and triplet losses; each adds dL/d(dist) into W.
#include <math.h>
#include <string.h>
#include "tripletscope/loss.h"

float softplus(float x) {
    return x > 0.0f ? x + log1pf(expf(-x)) : log1pf(expf(x));
}

static inline float sigmoid(float x) {
    if (x >= 0.0f) return 1.0f / (1.0f + expf(-x));
    float e = expf(x);
    return e / (1.0f + e);
}

// ---------------------------------------------------------------------------
// Contrastive loss (the Siamese model)

float loss_contrastive(const float *dist, const int *y, int B, float margin,
                       float *W, ts_pairs *pairs) {
    memset(pairs, 0, sizeof *pairs);
    long npairs = (long)B * (B - 1) / 2;
    if (npairs == 0) return 0.0f;
    float inv = 1.0f / (float)npairs;
    double total = 0;
    for (int i = 0; i < B; i++) {
        const float *row = dist + (size_t)i * B;
        for (int j = i + 1; j < B; j++) {
            float d = row[j], g;
            if (y[i] == y[j]) {
                total += (double)d * d;
                g = 2.0f * d;
                pairs->pos++;
            } else {
                float r = margin - d;
                pairs->neg++;
                if (r > 0.0f) {
                    total += (double)r * r;
                    g = -2.0f * r;
                    pairs->active_neg++;
                } else {
                    g = 0.0f;
                }
            }
            W[(size_t)i * B + j] += g * inv;
        }
    }
    return (float)(total / npairs);
}

// ---------------------------------------------------------------------------
// Triplet loss over listed triplets

// Loss of one triplet and its derivative with respect to d_ap (that with
// respect to d_an is the negative). The hinge is written (d_ap + m) - d_an
// and is active iff d_an < d_ap + m, the same expression the batch-all
// path and the counts evaluate, so every path agrees to the last bit.
static inline float one_triplet(float dap, float dan, float margin, int soft, float *grad) {
    if (soft) {
        float x = dap - dan;
        *grad = sigmoid(x);
        return softplus(x);
    }
    float t = dap + margin;
    if (dan < t) { *grad = 1.0f; return t - dan; }
    *grad = 0.0f;
    return 0.0f;
}

float loss_triplet(const ts_triplets *t, const float *dist, int B, float margin,
                   int soft, ts_reduce reduce, float *W, ts_active *act) {
    double total = 0;
    long active = 0;
    for (int i = 0; i < t->n; i++) {
        const float *row = dist + (size_t)t->a[i] * B;
        float g, l = one_triplet(row[t->p[i]], row[t->neg[i]], margin, soft, &g);
        total += l;
        active += l > 0.0f;
    }
    act->count = t->n;
    act->active = active;
    long den = reduce == REDUCE_NONZERO ? active : t->n;
    if (den == 0) return 0.0f;
    float inv = 1.0f / (float)den;
    for (int i = 0; i < t->n; i++) {
        size_t a = (size_t)t->a[i] * B;
        float g;
        one_triplet(dist[a + t->p[i]], dist[a + t->neg[i]], margin, soft, &g);
        W[a + t->p[i]] += g * inv;
        W[a + t->neg[i]] -= g * inv;
    }
    return (float)(total / den);
}

// ---------------------------------------------------------------------------
// Batch-all without listing the triplets

// Number of leading values of the ascending v (n) that are < t.
static int count_lt(const float *v, int n, float t) {
    int lo = 0, hi = n;
    while (lo < hi) {
        int mid = (lo + hi) >> 1;
        if (v[mid] < t) lo = mid + 1; else hi = mid;
    }
    return lo;
}

// Hinge, per anchor a with negatives v_1 <= ... <= v_k and positives sorted
// by t_p = d_ap + m: positive p is active against the c_p = #{v < t_p}
// closest negatives and contributes c_p t_p - (v_1 + ... + v_c); c_p grows
// with t_p, so one walk gives every prefix sum. Negative n's gradient counts
// the positives with t_p > v_n, found by a search in the sorted thresholds.
static float all_hinge(const ts_geo *g, float margin, ts_reduce reduce, float *W,
                       ts_active *act) {
    int B = g->B;
    float *v = g->tmp, *t = g->tmp + B;
    uint64_t *tk = g->tkeys;
    double total = 0;
    long active = 0, valid = 0;
    for (int a = 0; a < B; a++) {
        int np = g->n_pos[a], nn = g->n_neg[a];
        if (!np || !nn) continue;
        const uint64_t *neg = g->neg + (size_t)a * B;
        const int *pos = g->pos + (size_t)a * B;
        const float *row = g->dist + (size_t)a * B;
        for (int j = 0; j < nn; j++) v[j] = key_dist(neg[j]);
        for (int i = 0; i < np; i++) tk[i] = key_pack(row[pos[i]] + margin, i);
        key_sort(tk, np, g->sortbuf);
        double prefix = 0;
        int c = 0;
        for (int i = 0; i < np; i++) {
            float ti = key_dist(tk[i]);
            while (c < nn && v[c] < ti) prefix += v[c++];
            total += (double)c * ti - prefix;
            active += c;
        }
        valid += (long)np * nn;
    }
    act->count = valid;
    act->active = active;
    long den = reduce == REDUCE_NONZERO ? active : valid;
    if (den == 0) return 0.0f;
    float inv = 1.0f / (float)den;
    for (int a = 0; a < B; a++) {
        int np = g->n_pos[a], nn = g->n_neg[a];
        if (!np || !nn) continue;
        const uint64_t *neg = g->neg + (size_t)a * B;
        const int *pos = g->pos + (size_t)a * B;
        const float *row = g->dist + (size_t)a * B;
        float *Wa = W + (size_t)a * B;
        for (int j = 0; j < nn; j++) v[j] = key_dist(neg[j]);
        for (int i = 0; i < np; i++) {
            float ti = row[pos[i]] + margin;
            tk[i] = key_pack(ti, i);
            Wa[pos[i]] += (float)count_lt(v, nn, ti) * inv;
        }
        key_sort(tk, np, g->sortbuf);
        for (int i = 0; i < np; i++) t[i] = key_dist(tk[i]);
        // v ascends, so the number of thresholds <= v_j only grows.
        int le = 0;
        for (int j = 0; j < nn; j++) {
            while (le < np && t[le] <= v[j]) le++;
            Wa[(uint32_t)neg[j]] -= (float)(np - le) * inv;
        }
    }
    return (float)(total / den);
}

static float all_soft(const ts_geo *g, ts_reduce reduce, float *W, ts_active *act) {
    int B = g->B;
    double total = 0;
    long active = 0, valid = 0;
    for (int pass = 0; pass < 2; pass++) {
        long den = reduce == REDUCE_NONZERO ? active : valid;
        if (pass == 1 && den == 0) break;
        float inv = pass == 1 ? 1.0f / (float)den : 0.0f;
        for (int a = 0; a < B; a++) {
            int np = g->n_pos[a], nn = g->n_neg[a];
            const uint64_t *neg = g->neg + (size_t)a * B;
            const int *pos = g->pos + (size_t)a * B;
            const float *row = g->dist + (size_t)a * B;
            float *Wa = W + (size_t)a * B;
            for (int i = 0; i < np; i++) {
                float dap = row[pos[i]], gp = 0.0f;
                for (int j = 0; j < nn; j++) {
                    int n = (int)(uint32_t)neg[j];
                    float gr, l = one_triplet(dap, row[n], 0.0f, 1, &gr);
                    if (pass == 0) {
                        total += l;
                        active += l > 0.0f;
                    } else {
                        gp += gr;
                        Wa[n] -= gr * inv;
                    }
                }
                if (pass == 0) valid += nn;
                else Wa[pos[i]] += gp * inv;
            }
        }
    }
    act->count = valid;
    act->active = active;
    long den = reduce == REDUCE_NONZERO ? active : valid;
    return den ? (float)(total / den) : 0.0f;
}

float loss_triplet_all(const ts_geo *g, float margin, int soft, ts_reduce reduce,
                       float *W, ts_active *act) {
    return soft ? all_soft(g, reduce, W, act) : all_hinge(g, margin, reduce, W, act);
}
