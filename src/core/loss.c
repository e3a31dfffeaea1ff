// loss.c: contrastive and triplet losses; each adds dL/d(dist) into W (the
// elementwise contrastive loss dL/de into de).
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

float loss_contrastive(const float *dist, const int *y, int B, float margin, int invert,
                       float *W, ts_pairs *pairs) {
    memset(pairs, 0, sizeof *pairs);
    long npairs = (long)B * (B - 1) / 2;
    if (npairs == 0) return 0.0f;
    float inv = 1.0f / (float)npairs;
    int flip = invert != 0;
    double total = 0;
    for (int i = 0; i < B; i++) {
        const float *row = dist + (size_t)i * B;
        for (int j = i + 1; j < B; j++) {
            float d = row[j], g;
            if ((y[i] == y[j]) != flip) {
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

// One pair's terms over its E dimensions, u_k = a_k - b_k: the loss, the
// gradient with respect to a (times inv) added into ga and taken from gb,
// and whether some dimension of a negative pair lies within the margin.
// Euclidean: d_k = |u_k| (a kink at u_k = 0, where the gradient is taken as
// 0, as dist_backward does at d = 0); squared and cosine: d_k = s u_k^2.
// Each term is t_k^2 (t_k: u_k, d_k, or the hinge max(0, m - d_k)); a first
// loop per case writes t and the gradients (no reduction: it vectorises),
// a second sums the t_k^2, in float (the caller sums the pairs in double).
// The four rows are distinct: a, b rows i < j of e; ga, gb those of de.
#define PAIR_CHUNK 64
static float pair_elementwise(const float *restrict a, const float *restrict b,
                              float *restrict ga, float *restrict gb, int E, int same,
                              float margin, int quadratic, float s, float inv, int *active) {
    float t[PAIR_CHUNK], sum = 0.0f;
    int act = 0;
    for (int k0 = 0; k0 < E; k0 += PAIR_CHUNK) {
        int n = E - k0 < PAIR_CHUNK ? E - k0 : PAIR_CHUNK;
        const float *restrict x = a + k0, *restrict z = b + k0;
        float *restrict gx = ga + k0, *restrict gz = gb + k0;
        if (same && !quadratic) {                    // u^2
            for (int k = 0; k < n; k++) {
                float u = x[k] - z[k], g = 2.0f * u * inv;
                t[k] = u;
                gx[k] += g;
                gz[k] -= g;
            }
        } else if (same) {                           // (s u^2)^2
            for (int k = 0; k < n; k++) {
                float u = x[k] - z[k], d = s * u * u, g = 4.0f * s * d * u * inv;
                t[k] = d;
                gx[k] += g;
                gz[k] -= g;
            }
        } else if (!quadratic) {                     // max(0, m - |u|)^2
            // (r + |r|) / 2 = max(r, 0) and u / (|u| + 1e-30) = sign(u), 0 at
            // 0, exactly for every difference of floats that is not 0 (and
            // without a branch: written with ?: this loop does not vectorise).
            for (int k = 0; k < n; k++) {
                float u = x[k] - z[k], r = margin - fabsf(u), rr = 0.5f * (r + fabsf(r));
                float sg = u / (fabsf(u) + 1e-30f), g = -2.0f * rr * sg * inv;
                t[k] = rr;
                gx[k] += g;
                gz[k] -= g;
            }
        } else {                                     // max(0, m - s u^2)^2
            for (int k = 0; k < n; k++) {
                float u = x[k] - z[k], r = margin - s * u * u, rr = r > 0.0f ? r : 0.0f;
                float g = -4.0f * s * rr * u * inv;
                t[k] = rr;
                gx[k] += g;
                gz[k] -= g;
            }
        }
        for (int k = 0; k < n; k++) {
            sum += t[k] * t[k];
            act |= t[k] > 0.0f;
        }
    }
    *active = !same && act;
    return sum;
}

float loss_contrastive_elementwise(const float *e, const int *y, int B, int E, float margin,
                                   int invert, ts_distance distance, float *de,
                                   ts_pairs *pairs) {
    memset(pairs, 0, sizeof *pairs);
    long npairs = (long)B * (B - 1) / 2;
    if (npairs == 0 || E <= 0) return 0.0f;
    double terms = (double)npairs * E;
    float inv = (float)(1.0 / terms);
    int quadratic = distance != DIST_EUCLIDEAN, flip = invert != 0;
    float s = distance == DIST_COSINE ? 0.5f : 1.0f;
    double total = 0;
    for (int i = 0; i < B; i++) {
        const float *a = e + (size_t)i * E;
        float *ga = de + (size_t)i * E;
        for (int j = i + 1; j < B; j++) {
            int same = (y[i] == y[j]) != flip, active;
            total += pair_elementwise(a, e + (size_t)j * E, ga, de + (size_t)j * E, E, same,
                                      margin, quadratic, s, inv, &active);
            if (same) {
                pairs->pos++;
            } else {
                pairs->neg++;
                pairs->active_neg += active;
            }
        }
    }
    return (float)(total / terms);
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
const char *pair_labels_name(ts_pair_labels l) {
    return l == PAIR_LABELS_INVERTED ? "inverted" : "normal";
}
const char *pair_distance_name(ts_pair_distance d) {
    return d == PAIR_DIST_ELEMENTWISE ? "elementwise" : "euclidean";
}
