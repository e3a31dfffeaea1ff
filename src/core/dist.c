// dist.c: normalisation and pairwise distances, forward and backward.
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "tripletscope/blas.h"
#include "tripletscope/dist.h"

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
    for (int i = 0; i < N; i++) {
        float s = 0;
        for (int k = 0; k < E; k++) s += c[(size_t)i * E + k] * c[(size_t)i * E + k];
        n2[i] = s;
    }
}

int dist_ws_init(ts_dist_ws *ws, int maxB, int maxE) {
    ws->maxB = maxB;
    ws->maxE = maxE;
    ws->c = malloc(sizeof(float) * ((size_t)maxB * maxE + maxB + (size_t)maxB * maxB));
    ws->rs = malloc(sizeof(double) * (size_t)maxB);
    if (!ws->c || !ws->rs) {
        dist_ws_free(ws);
        return -1;
    }
    ws->n2 = ws->c + (size_t)maxB * maxE;
    ws->S = ws->n2 + maxB;
    return 0;
}

void dist_ws_free(ts_dist_ws *ws) {
    free(ws->c);
    free(ws->rs);
    memset(ws, 0, sizeof *ws);
}

void dist_forward(float *dist, float *sq, const float *e, int B, int E, int squared,
                  ts_dist_ws *ws) {
    float *c = ws->c, *n2 = ws->n2;
    dist_centre(c, n2, e, B, E);
    mm(0, 1, B, B, E, -2.0f, c, c, 0.0f, sq);
    for (int i = 0; i < B; i++) {
        float *row = sq + (size_t)i * B, *drow = dist + (size_t)i * B;
        for (int j = 0; j < B; j++) {
            float v = row[j] + n2[i] + n2[j];
            v = v < 0.0f ? 0.0f : v;   // rounding below 0 is clamped; a NaN stays NaN
            if (i == j) v = 0.0f;
            row[j] = v;
            if (!squared) drow[j] = sqrtf(v + TS_DIST_EPS);
            else if (drow != row) drow[j] = v;
        }
    }
}

void dist_backward(float *de, const float *W, const float *dist, const float *sq,
                   int B, int E, int squared, ts_dist_ws *ws) {
    float *S = ws->S, *c = ws->c;
    // dL/dsq, zero where the clamp (or the diagonal) held sq at 0.
    // Branch-free, so it vectorises: every quotient is computed and the
    // masked ones (a zero distance may give inf or NaN) are dropped.
    size_t BB = (size_t)B * B;
    if (squared)
        for (size_t ij = 0; ij < BB; ij++) {
            float g = W[ij];
            S[ij] = !(sq[ij] <= 0.0f) & (g != 0.0f) ? g : 0.0f;
        }
    else
        for (size_t ij = 0; ij < BB; ij++) {
            float g = W[ij], q = g * (0.5f / dist[ij]);
            uint32_t bits, keep = (uint32_t)(!(sq[ij] <= 0.0f) & (g != 0.0f));
            memcpy(&bits, &q, sizeof bits);
            bits &= 0u - keep;   // +0 where dropped: a select the vectoriser keeps
            memcpy(S + ij, &bits, sizeof bits);
        }
    // sq_ij = |c_i|^2 + |c_j|^2 - 2 c_i.c_j, so with S' = S + S^T:
    // dL/dc_i = 2 (rowsum(S')_i c_i - (S' c)_i). The shift's own gradient
    // sums to zero because the distances do not depend on it.
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
    for (int i = 0; i < B; i++) S[(size_t)i * B + i] *= 2.0f;
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
        for (int k = 0; k < E; k++) de[(size_t)i * E + k] += r2 * c[(size_t)i * E + k];
    }
    mm(0, 0, B, E, B, -2.0f, S, c, 1.0f, de);
}
