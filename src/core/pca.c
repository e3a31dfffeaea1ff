// pca.c: top-two principal axes by orthogonal iteration on the covariance.
//
// The covariance (E, E) comes from one sgemm; the iteration multiplies it
// into two vectors, starting from the previous axes, so a few iterations
// suffice between evaluations and the axes move smoothly.
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "tripletscope/blas.h"
#include "tripletscope/dist.h"
#include "tripletscope/pca.h"

int pca_init(ts_pca *p, int maxN, int E) {
    memset(p, 0, sizeof *p);
    p->maxN = maxN;
    p->E = E;
    p->c = malloc(sizeof(float) * ((size_t)maxN * E + (size_t)E * E + 6 * (size_t)E));
    if (!p->c) return -1;
    p->cov = p->c + (size_t)maxN * E;
    p->axes = p->cov + (size_t)E * E;
    p->tmp = p->axes + 2 * (size_t)E;
    p->prev = p->tmp + 2 * (size_t)E;
    return 0;
}

void pca_free(ts_pca *p) {
    free(p->c);
    memset(p, 0, sizeof *p);
}

void pca_forget(ts_pca *p) {
    p->have_axes = 0;
    p->extent0 = 0;
}

// Gram-Schmidt on the two rows of v (2, E); returns 0 if they degenerate.
static int orthonormalise(float *v, int E) {
    double n0 = 0, d = 0, n1 = 0;
    for (int k = 0; k < E; k++) n0 += (double)v[k] * v[k];
    if (n0 < 1e-30) return 0;
    n0 = sqrt(n0);
    for (int k = 0; k < E; k++) v[k] = (float)(v[k] / n0);
    for (int k = 0; k < E; k++) d += (double)v[k] * v[E + k];
    for (int k = 0; k < E; k++) v[E + k] -= (float)(d * v[k]);
    for (int k = 0; k < E; k++) n1 += (double)v[E + k] * v[E + k];
    if (n1 < 1e-30) return 0;
    n1 = sqrt(n1);
    for (int k = 0; k < E; k++) v[E + k] = (float)(v[E + k] / n1);
    return 1;
}

static void start_vectors(float *v, int E) {
    // A fixed, generic start: no component is special and the rows differ.
    for (int k = 0; k < E; k++) {
        v[k] = 1.0f + 0.01f * (float)k;
        v[E + k] = (k % 2 ? 1.0f : -1.0f) * (1.0f + 0.37f * (float)((k * 7) % 11));
    }
}

void pca_project(ts_pca *p, const float *emb, int N, float *out) {
    int E = p->E;
    if (N <= 0) return;
    dist_centre(p->c, NULL, emb, N, E);
    mm(1, 0, E, E, N, 1.0f / (float)N, p->c, p->c, 0.0f, p->cov);
    p->total_var = 0;
    for (int k = 0; k < E; k++) p->total_var += p->cov[(size_t)k * E + k];

    float *v = p->axes, *w = p->tmp;
    float *prev = p->prev;
    int keep_sign = p->have_axes;
    if (keep_sign) memcpy(prev, v, sizeof(float) * 2 * E);
    if (!p->have_axes || !orthonormalise(v, E)) {
        start_vectors(v, E);
        orthonormalise(v, E);
    }
    for (int it = 0; it < 300; it++) {
        // w (2, E) = v (2, E) @ cov (E, E); cov is symmetric.
        mm(0, 0, 2, E, E, 1.0f, v, p->cov, 0.0f, w);
        if (!orthonormalise(w, E)) break;
        double change = 0;
        for (int k = 0; k < 2 * E; k++) change += fabs((double)w[k] - v[k]);
        memcpy(v, w, sizeof(float) * 2 * E);
        if (change < 1e-6 * E) break;
    }
    // Rayleigh-Ritz in the 2D subspace orders and separates the two axes.
    mm(0, 0, 2, E, E, 1.0f, v, p->cov, 0.0f, w);
    double a = 0, b = 0, c = 0;
    for (int k = 0; k < E; k++) {
        a += (double)v[k] * w[k];
        b += (double)v[k] * w[E + k];
        c += (double)v[E + k] * w[E + k];
    }
    double theta = 0.5 * atan2(2 * b, a - c), cs = cos(theta), sn = sin(theta);
    for (int k = 0; k < E; k++) {
        float x = v[k], z = v[E + k];
        v[k] = (float)(cs * x + sn * z);
        v[E + k] = (float)(-sn * x + cs * z);
    }
    p->var[0] = (float)(a * cs * cs + 2 * b * cs * sn + c * sn * sn);
    p->var[1] = (float)(a * sn * sn - 2 * b * cs * sn + c * cs * cs);
    for (int r = 0; r < 2; r++) {
        float *ax = v + (size_t)r * E;
        double s = 0;
        if (keep_sign) {
            for (int k = 0; k < E; k++) s += (double)ax[k] * prev[(size_t)r * E + k];
        } else {
            int big = 0;
            for (int k = 1; k < E; k++) if (fabsf(ax[k]) > fabsf(ax[big])) big = k;
            s = ax[big];
        }
        if (s < 0) for (int k = 0; k < E; k++) ax[k] = -ax[k];
    }
    p->have_axes = 1;
    mm(0, 1, N, 2, E, 1.0f, p->c, v, 0.0f, out);
    float span[2];
    for (int r = 0; r < 2; r++) {
        float lo = out[r], hi = out[r];
        for (int i = 1; i < N; i++) {
            float q = out[2 * i + r];
            if (q < lo) lo = q;
            if (q > hi) hi = q;
        }
        span[r] = hi - lo;
    }
    p->extent = span[0] > span[1] ? span[0] : span[1];
    if (!(p->extent0 > 0)) p->extent0 = p->extent;
}
