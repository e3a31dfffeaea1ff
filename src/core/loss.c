// loss.c: contrastive and triplet losses; each adds dL/d(dist) into W.
#include <math.h>
#include <string.h>
#include "tripletscope/loss.h"
#include "tripletscope/sortkey.h"

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

// Loss of one triplet (in double: it is summed in double) and its
// derivative with respect to d_ap (that with respect to d_an is the
// negative); *active says whether it gives a gradient. The hinge is active
// iff d_an - d_ap < m in exact arithmetic (margin_below), the same test the
// counts and the batch-all path make, so every path agrees; its value is
// (d_ap - d_an) + m, ordered as pytorch-metric-learning computes it.
static inline double one_triplet(float dap, float dan, float margin, int soft, float *grad,
                                 int *active) {
    if (soft) {
        float x = dap - dan, l = softplus(x);
        *grad = sigmoid(x);
        *active = l > 0.0f;
        return l;
    }
    *active = margin_below(dan, dap, margin);
    *grad = *active ? 1.0f : 0.0f;
    return *active ? ((double)dap - (double)dan) + (double)margin : 0.0;
}

float loss_triplet(const ts_triplets *t, const float *dist, int B, float margin,
                   int soft, ts_reduce reduce, float *W, ts_active *act) {
    double total = 0;
    long active = 0;
    for (int i = 0; i < t->n; i++) {
        const float *row = dist + (size_t)t->a[i] * B;
        float g;
        int on;
        total += one_triplet(row[t->p[i]], row[t->neg[i]], margin, soft, &g, &on);
        active += on;
    }
    act->count = t->n;
    act->active = active;
    long den = reduce == REDUCE_NONZERO ? active : t->n;
    if (den == 0) return 0.0f;
    float inv = 1.0f / (float)den;
    for (int i = 0; i < t->n; i++) {
        size_t a = (size_t)t->a[i] * B;
        float g;
        int on;
        one_triplet(dist[a + t->p[i]], dist[a + t->neg[i]], margin, soft, &g, &on);
        W[a + t->p[i]] += g * inv;
        W[a + t->neg[i]] -= g * inv;
    }
    return (float)(total / den);
}

// ---------------------------------------------------------------------------
// Batch-all without listing the triplets

// Number of leading values of the ascending v (n) that are <= t.
static int count_le(const float *v, int n, float t) {
    int lo = 0, hi = n;
    while (lo < hi) {
        int mid = (lo + hi) >> 1;
        if (v[mid] <= t) lo = mid + 1; else hi = mid;
    }
    return lo;
}

// Hinge, per anchor a with negatives v_0 <= ... <= v_{k-1}: positive p is
// active against its c_p closest negatives, those with v - d_ap < m
// (v <= margin_bound(d_ap, m, strict)), and contributes
// c_p (d_ap + m) - (v_0 + ... + v_{c_p - 1}). Negative j is active with
// every positive whose c_p > j: a histogram of the c_p, summed from the top.
static float all_hinge(const ts_anchors *anc, float margin, ts_reduce reduce, float *W,
                       ts_active *act) {
    int B = anc->B;
    float *v = anc->tmp;
    double *prefix = anc->prefix;
    int *hist = anc->hist;
    double total = 0;
    long active = 0, valid = 0;
    for (int a = 0; a < B; a++) {
        int np = anc->n_pos[a], nn = anc->n_neg[a];
        if (!np || !nn) continue;
        const uint64_t *neg = anc->neg + (size_t)a * B;
        const int *pos = anc->pos + (size_t)a * B;
        const float *row = anc->dist + (size_t)a * B;
        prefix[0] = 0;
        for (int j = 0; j < nn; j++) {
            v[j] = sortkey_dist(neg[j]);
            prefix[j + 1] = prefix[j] + v[j];
        }
        for (int i = 0; i < np; i++) {
            float dap = row[pos[i]];
            int c = count_le(v, nn, margin_bound(dap, margin, 1));
            total += (double)c * ((double)dap + (double)margin) - prefix[c];
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
        int np = anc->n_pos[a], nn = anc->n_neg[a];
        if (!np || !nn) continue;
        const uint64_t *neg = anc->neg + (size_t)a * B;
        const int *pos = anc->pos + (size_t)a * B;
        const float *row = anc->dist + (size_t)a * B;
        float *Wa = W + (size_t)a * B;
        for (int j = 0; j < nn; j++) v[j] = sortkey_dist(neg[j]);
        memset(hist, 0, sizeof(int) * ((size_t)nn + 1));
        for (int i = 0; i < np; i++) {
            int c = count_le(v, nn, margin_bound(row[pos[i]], margin, 1));
            Wa[pos[i]] += (float)c * inv;
            hist[c]++;
        }
        int with = 0;   // positives with c_p > j
        for (int j = nn - 1; j >= 0; j--) {
            with += hist[j + 1];
            Wa[sortkey_index(neg[j])] -= (float)with * inv;
        }
    }
    return (float)(total / den);
}

static float all_soft(const ts_anchors *anc, ts_reduce reduce, float *W, ts_active *act) {
    int B = anc->B;
    double total = 0;
    long active = 0, valid = 0;
    for (int pass = 0; pass < 2; pass++) {
        long den = reduce == REDUCE_NONZERO ? active : valid;
        if (pass == 1 && den == 0) break;
        float inv = pass == 1 ? 1.0f / (float)den : 0.0f;
        for (int a = 0; a < B; a++) {
            int np = anc->n_pos[a], nn = anc->n_neg[a];
            const uint64_t *neg = anc->neg + (size_t)a * B;
            const int *pos = anc->pos + (size_t)a * B;
            const float *row = anc->dist + (size_t)a * B;
            float *Wa = W + (size_t)a * B;
            for (int i = 0; i < np; i++) {
                float dap = row[pos[i]], gp = 0.0f;
                for (int j = 0; j < nn; j++) {
                    int n = sortkey_index(neg[j]);
                    float gr;
                    int on;
                    double l = one_triplet(dap, row[n], 0.0f, 1, &gr, &on);
                    if (pass == 0) {
                        total += l;
                        active += on;
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

float loss_triplet_all(const ts_anchors *anc, float margin, int soft, ts_reduce reduce,
                       float *W, ts_active *act) {
    return soft ? all_soft(anc, reduce, W, act) : all_hinge(anc, margin, reduce, W, act);
}
const char *reduce_name(ts_reduce r) { return r == REDUCE_NONZERO ? "nonzero" : "mean"; }
