// dist.c: normalisation and pairwise distances, forward and backward.
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "tripletscope/blas.h"
#include "tripletscope/dist.h"
#include "simd.h"

// ---------------------------------------------------------------------------
// The distances

// Indexed by ts_distance. The unrelated distances are the margin_scale
// rule's scale (diag_rules.c): on unit vectors in E dimensions u.v has mean
// 0, so E|u - v|^2 = 2, its square root about sqrt(2), and E(1 - u.v) = 1.
static const ts_distance_info distances[DIST_COUNT] = {
    [DIST_EUCLIDEAN] = {"euclidean", "L2", 0, 1.41421356f},
    [DIST_SQUARED] = {"squared", "L2^2", 0, 2.0f},
    [DIST_COSINE] = {"cosine", "cos", 1, 1.0f},
};

const ts_distance_info *distance_info(ts_distance d) {
    return &distances[(unsigned)d < DIST_COUNT ? d : DIST_EUCLIDEAN];
}

const char *distance_name(ts_distance d) { return distance_info(d)->name; }

int distance_parse(const char *s) {
    for (int d = 0; d < DIST_COUNT; d++)
        if (strcmp(s, distances[d].name) == 0) return d;
    return -1;
}

int distance_normalizes(ts_distance d, int normalize) {
    return normalize || distance_info(d)->unit;
}

float distance_of_length(ts_distance d, float len) {
    switch (d) {
    case DIST_SQUARED: return len * len;
    case DIST_COSINE: return 0.5f * len * len;
    default: return len;
    }
}

// ---------------------------------------------------------------------------
// L2 normalisation

void embed_forward(float *e, float *norms, const float *z, int B, int E, int normalize) {
    for (int i = 0; i < B; i++) {
        const float *zi = z + (size_t)i * E;
        float *ei = e + (size_t)i * E;
        double s = 0;
        for (int k = 0; k < E; k++) s += (double)zi[k] * zi[k];
        float n = (float)sqrt(s);
        norms[i] = n;
        if (normalize) {
            float inv = 1.0f / (n > TS_NORM_EPS ? n : TS_NORM_EPS);
            for (int k = 0; k < E; k++) ei[k] = zi[k] * inv;
        } else if (e != z) {
            memcpy(ei, zi, sizeof(float) * E);
        }
    }
}

void embed_backward(float *dz, const float *de, const float *e, const float *norms,
                    int B, int E, int normalize) {
    for (int i = 0; i < B; i++) {
        const float *dei = de + (size_t)i * E, *ei = e + (size_t)i * E;
        float *dzi = dz + (size_t)i * E;
        if (!normalize) {
            for (int k = 0; k < E; k++) dzi[k] += dei[k];
            continue;
        }
        if (norms[i] <= TS_NORM_EPS) {
            // Below the floor e = z / eps: a plain scaling.
            for (int k = 0; k < E; k++) dzi[k] += dei[k] / TS_NORM_EPS;
            continue;
        }
        // d(z/|z|) = (I - e e^T) / |z|
        float dot = 0;
        for (int k = 0; k < E; k++) dot += ei[k] * dei[k];
        float inv = 1.0f / norms[i];
        for (int k = 0; k < E; k++) dzi[k] += (dei[k] - ei[k] * dot) * inv;
    }
}

ts_normstats embed_normstats(const float *norms, int B) {
    ts_normstats s = {0, 0, 0, 0};
    if (B <= 0) return s;
    double sum = 0, sum2 = 0;
    s.min = s.max = norms[0];
    for (int i = 0; i < B; i++) {
        sum += norms[i];
        sum2 += (double)norms[i] * norms[i];
        if (norms[i] < s.min) s.min = norms[i];
        if (norms[i] > s.max) s.max = norms[i];
    }
    double mean = sum / B, var = sum2 / B - mean * mean;
    s.mean = (float)mean;
    s.std = (float)sqrt(var < 0 ? 0 : var);   // NaN norms keep a NaN std
    return s;
}

// ---------------------------------------------------------------------------
// Pairwise distances

void dist_centre(float *c, float *n2, const float *e, int N, int E) {
    for (int k = 0; k < E; k++) {
        double m = 0;
        for (int i = 0; i < N; i++) m += e[(size_t)i * E + k];
        float mean = (float)(m / (N > 0 ? N : 1));
        for (int i = 0; i < N; i++) c[(size_t)i * E + k] = e[(size_t)i * E + k] - mean;
    }
    if (!n2) return;
    for (int i = 0; i < N; i++) n2[i] = dist_sq_norm(c + (size_t)i * E, E);
}

// Eight fixed lanes: the loops vectorise, and the order of the additions is
// the same for every call (so d(a, b) == d(b, a) to the last bit).
#define LANES 8

static inline float lanes_sum(const float *acc) {
    return ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
}

float dist_sq_norm(const float *a, int E) {
    float acc[LANES] = {0};
    int k = 0;
    for (; k + LANES <= E; k += LANES)
        for (int l = 0; l < LANES; l++) acc[l] += a[k + l] * a[k + l];
    for (int l = 0; k < E; k++, l++) acc[l] += a[k] * a[k];
    return lanes_sum(acc);
}

static inline float sq_direct(const float *a, const float *b, int E) {
    float acc[LANES] = {0};
    int k = 0;
    for (; k + LANES <= E; k += LANES)
        for (int l = 0; l < LANES; l++) {
            float d = a[k + l] - b[k + l];
            acc[l] += d * d;
        }
    for (int l = 0; k < E; k++, l++) {
        float d = a[k] - b[k];
        acc[l] += d * d;
    }
    return lanes_sum(acc);
}

float dist_sq_direct(const float *a, const float *b, int E) { return sq_direct(a, b, E); }

float dist_gram_slack(float n2a, float n2b, int E) {
    // fl(a.b) is off by at most E u sum |a_k b_k| <= E u (|a|^2 + |b|^2) / 2,
    // each squared norm by E u of itself, and three roundings follow
    // (u = 2^-24); with room for the terms of second order.
    return (float)((2.0 * E + 8.0) * 0x1p-24) * (n2a + n2b);
}

WIDEST_SIMD int dist_sq_fix_row(float *row, const float *a, float n2a, const float *e,
                                const float *n2, int n, int E, int *refined) {
    for (int j = 0; j < n; j++) row[j] = dist_gram(row[j], n2a, n2[j]);
    int k = 0;
    for (int j = 0; j < n; j++) {
        refined[k] = j;
        k += dist_cancelled(row[j], n2a, n2[j]);
    }
    for (int i = 0; i < k; i++) {
        int j = refined[i];
        row[j] = sq_direct(a, e + (size_t)j * E, E);
    }
    for (int j = 0; j < n; j++) row[j] = row[j] < 0.0f ? 0.0f : row[j];   // NaN stays NaN
    return k;
}

int dist_ws_init(ts_dist_ws *ws, int maxB, int maxE) {
    memset(ws, 0, sizeof *ws);
    ws->maxB = maxB;
    ws->maxE = maxE;
    size_t bb = (size_t)maxB * maxB;
    ws->n2 = malloc(sizeof(float) * ((size_t)maxB + bb));
    ws->rs = malloc(sizeof(double) * (size_t)maxB);
    ws->close = malloc(sizeof(int) * (bb / 2 + (size_t)maxB));
    if (!ws->n2 || !ws->rs || !ws->close) {
        dist_ws_free(ws);
        return -1;
    }
    ws->S = ws->n2 + maxB;
    return 0;
}

void dist_ws_free(ts_dist_ws *ws) {
    free(ws->n2);
    free(ws->rs);
    free(ws->close);
    memset(ws, 0, sizeof *ws);
}

void dist_forward(float *dist, float *sq, const float *e, int B, int E, ts_distance distance,
                  ts_dist_ws *ws) {
    float *n2 = ws->n2;
    int *refined = ws->close;
    for (int i = 0; i < B; i++) n2[i] = dist_sq_norm(e + (size_t)i * E, E);
    mm(0, 1, B, B, E, -2.0f, e, e, 0.0f, sq);   // -2 e_i.e_j
    // The upper triangle, mirrored: d(i, j) and d(j, i) are one number.
    int n_close = 0;
    for (int i = 0; i < B; i++) {
        float *row = sq + (size_t)i * B;
        int j0 = i + 1, k = dist_sq_fix_row(row + j0, e + (size_t)i * E, n2[i],
                                            e + (size_t)j0 * E, n2 + j0, B - j0, E,
                                            refined + n_close);
        for (int c = 0; c < k; c++) refined[n_close + c] += i * B + j0;
        n_close += k;
        row[i] = 0.0f;
        dist[(size_t)i * B + i] = 0.0f;
        for (int j = j0; j < B; j++) sq[(size_t)j * B + i] = row[j];
    }
    ws->n_close = n_close;
    size_t BB = (size_t)B * B;
    // Elementwise from sq, so the symmetry to the bit and the exact zeros
    // carry over; halving is exact (outside the denormals).
    if (distance == DIST_EUCLIDEAN)
        for (size_t ij = 0; ij < BB; ij++) dist[ij] = sqrtf(sq[ij]);
    else if (distance == DIST_COSINE)
        for (size_t ij = 0; ij < BB; ij++) dist[ij] = 0.5f * sq[ij];
    else if (dist != sq)
        memcpy(dist, sq, sizeof(float) * BB);
}

// The pairs dist_forward computed from their differences take the first
// form, 2 S'_ij (e_i - e_j), from the same differences: in the second,
// rowsum(S')_i e_i and (S' e)_i cancel as |e| / |e_i - e_j| grows (a
// collapse far from the origin), and S' grows as 1 / d. Their S' is then
// zeroed, for the second form to do the rest.
WIDEST_SIMD static void close_backward(float *de, float *S, const float *e, int B, int E,
                                       const int *close, int n_close) {
    for (int c = 0; c < n_close; c++) {
        int i = close[c] / B, j = close[c] % B;
        float s2 = 2.0f * S[(size_t)i * B + j];
        if (s2 == 0.0f) continue;
        const float *ei = e + (size_t)i * E, *ej = e + (size_t)j * E;
        float *dei = de + (size_t)i * E, *dej = de + (size_t)j * E;
        for (int k = 0; k < E; k++) {
            float g = s2 * (ei[k] - ej[k]);
            dei[k] += g;
            dej[k] -= g;
        }
        S[(size_t)i * B + j] = S[(size_t)j * B + i] = 0.0f;
    }
}

void dist_backward(float *de, const float *W, const float *e, const float *dist,
                   const float *sq, int B, int E, ts_distance distance, ts_dist_ws *ws) {
    float *S = ws->S;
    // dL/dsq, zero where sq is 0 (the clamp, the diagonal, identical points:
    // there d = sqrt(sq) has no derivative, and 0 is the subgradient TF
    // Addons takes; for sq and sq / 2 the gradient there is 0 anyway).
    // Branch-free, so it vectorises: every quotient is computed and the
    // masked ones (a zero distance gives inf or NaN) are dropped. Cosine's
    // d = sq / 2 takes half of W, exactly.
    size_t BB = (size_t)B * B;
    if (distance != DIST_EUCLIDEAN) {
        float f = distance == DIST_COSINE ? 0.5f : 1.0f;
        for (size_t ij = 0; ij < BB; ij++) {
            float g = W[ij];
            S[ij] = !(sq[ij] <= 0.0f) & (g != 0.0f) ? f * g : 0.0f;
        }
    } else
        for (size_t ij = 0; ij < BB; ij++) {
            float g = W[ij], q = g * (0.5f / dist[ij]);
            uint32_t bits, keep = (uint32_t)(!(sq[ij] <= 0.0f) & (g != 0.0f));
            memcpy(&bits, &q, sizeof bits);
            bits &= 0u - keep;   // +0 where dropped: a select the vectoriser keeps
            memcpy(S + ij, &bits, sizeof bits);
        }
    // sq_ij = |e_i - e_j|^2, so with S' = S + S^T:
    // dL/de_i = 2 sum_j S'_ij (e_i - e_j) = 2 (rowsum(S')_i e_i - (S' e)_i).
    // S' in tiles of T x T, so the transposed reads stay within a few lines.
    enum { T = 16 };
    for (int i0 = 0; i0 < B; i0 += T)
        for (int j0 = i0; j0 < B; j0 += T) {
            int i1 = i0 + T < B ? i0 + T : B, j1 = j0 + T < B ? j0 + T : B;
            for (int i = i0; i < i1; i++)
                for (int j = j0 > i + 1 ? j0 : i + 1; j < j1; j++) {
                    float s = S[(size_t)i * B + j] + S[(size_t)j * B + i];
                    S[(size_t)i * B + j] = S[(size_t)j * B + i] = s;
                }
        }
    close_backward(de, S, e, B, E, ws->close, ws->n_close);
    // Row sums in double, each in column order j = 0, 1, ...; S' is
    // symmetric, so they are its column sums, accumulated a row of S' at a
    // time: independent sums, vectorised.
    double *rs = ws->rs;
    for (int i = 0; i < B; i++) rs[i] = 0;
    for (int j = 0; j < B; j++) {
        const float *row = S + (size_t)j * B;
        for (int i = 0; i < B; i++) rs[i] += row[i];
    }
    for (int i = 0; i < B; i++) {
        float r2 = 2.0f * (float)rs[i];
        for (int k = 0; k < E; k++) de[(size_t)i * E + k] += r2 * e[(size_t)i * E + k];
    }
    mm(0, 0, B, E, B, -2.0f, S, e, 1.0f, de);
}
