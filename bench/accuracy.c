// accuracy.c: `bench accuracy`: how exact the batch distances are, measured
// against long double on the same float embeddings, for three ways of
// computing them:
//   gram     |a|^2 + |b|^2 - 2ab from one sgemm, clamped at 0 (what
//            torch.cdist and pytorch-metric-learning do for large batches)
//   centred  the same on batch-centred embeddings (tripletscope before 0.1.1)
//   ours     dist_forward: the Gram form, the differences where it cancels
// and how many exact ties of d_ap against d_an each keeps on a normalised
// integer grid. Output: one "key value" line per figure, for docs/metrics.md.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tripletscope/blas.h"
#include "tripletscope/dist.h"
#include "tripletscope/rng.h"

enum { B = 128, E = 32, VARIANTS = 3 };
static const char *const variant[VARIANTS] = {"gram", "centred", "ours"};

static void gram(float *sq, const float *e, int n, int dim, int centre) {
    static float c[B * E];
    const float *x = e;
    if (centre) {
        dist_centre(c, NULL, e, n, dim);
        x = c;
    }
    float n2[B];
    for (int i = 0; i < n; i++) {
        float s = 0;
        for (int k = 0; k < dim; k++) s += x[i * dim + k] * x[i * dim + k];
        n2[i] = s;
    }
    mm(0, 1, n, n, dim, -2.0f, x, x, 0.0f, sq);
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            float v = sq[i * n + j] + n2[i] + n2[j];
            sq[i * n + j] = i == j ? 0.0f : v < 0.0f ? 0.0f : v;
        }
}

static void distances(int v, float *d, const float *e, int n, int dim) {
    static float sq[B * B];
    static ts_dist_ws ws;
    if (!ws.n2) dist_ws_init(&ws, B, E);
    if (v < 2) {
        gram(sq, e, n, dim, v);
        for (int i = 0; i < n * n; i++) d[i] = sqrtf(sq[i]);
    } else {
        dist_forward(d, sq, e, n, dim, DIST_EUCLIDEAN, &ws);
    }
}

static long double exact(const float *a, const float *b, int dim) {
    long double s = 0;
    for (int k = 0; k < dim; k++) {
        long double t = (long double)a[k] - b[k];
        s += t * t;
    }
    return sqrtl(s);
}

static float gauss(ts_rng *r) {
    float u = rng_float(r) + 1e-7f, w = rng_float(r);
    return sqrtf(-2.0f * logf(u)) * cosf(6.2831853f * w);
}

// The batches: where the points are decides how much the Gram form loses.
enum { NEAR, FAR, CLUSTERS, COLLAPSE, UNIT, DUPLICATES, KINDS };
static const char *const kind_name[KINDS] = {
    "near the origin (N(0,1))", "one cluster far out (100 + N(0,1))",
    "tight clusters far apart (+-10 + N(0,0.01))", "a collapse (1 + N(0,1e-3)), unit scale",
    "unit vectors", "unit vectors, every other one duplicated"};

static void make(int kind, float *e, ts_rng *r) {
    for (int i = 0; i < B; i++) {
        float norm = 0;
        for (int k = 0; k < E; k++) {
            float g = gauss(r), x;
            switch (kind) {
            case NEAR: x = g; break;
            case FAR: x = 100.0f + g; break;
            case CLUSTERS: x = (i % 4 < 2 ? 10.0f : -10.0f) * (k % 2 ? 1.0f : -1.0f) + 0.01f * g; break;
            case COLLAPSE: x = 1.0f / sqrtf((float)E) + 1e-3f * g; break;
            default: x = g; break;
            }
            e[i * E + k] = x;
            norm += x * x;
        }
        if (kind >= UNIT)
            for (int k = 0; k < E; k++) e[i * E + k] /= sqrtf(norm);
        if (kind == DUPLICATES && i % 2) memcpy(e + i * E, e + (i - 1) * E, sizeof(float) * E);
    }
}

// Triplets (a, p, n) of a normalised integer grid whose d_ap and d_an are
// exactly equal, and how many of them each variant keeps equal.
static void grid_ties(void) {
    enum { G = 3, DIM = 3 };
    static float e[B * DIM], d[B * B];
    int n = 0;
    for (int x = -G; x <= G && n < B; x++)
        for (int y = -G; y <= G && n < B; y++)
            for (int z = -G; z <= G && n < B; z++) {
                if (!x && !y && !z) continue;
                float v[DIM] = {(float)x, (float)y, (float)z}, s = sqrtf(x * x + y * y + z * z);
                for (int k = 0; k < DIM; k++) e[n * DIM + k] = v[k] / s;
                n++;
            }
    for (int var = 0; var < VARIANTS; var++) {
        distances(var, d, e, n, DIM);
        long ties = 0, kept = 0;
        for (int a = 0; a < n; a++)
            for (int p = 0; p < n; p++)
                for (int q = p + 1; q < n; q++) {
                    if (p == a || q == a) continue;
                    if (exact(e + a * DIM, e + p * DIM, DIM) != exact(e + a * DIM, e + q * DIM, DIM))
                        continue;
                    ties++;
                    kept += d[a * n + p] == d[a * n + q];
                }
        printf("ties_kept %s %.1f%% of %ld exact ties (%d grid points)\n", variant[var],
               100.0 * kept / ties, ties, n);
    }
}

int bench_accuracy(void) {
    static float e[B * E], d[B * B];
    ts_rng r;
    rng_seed(&r, 42, 1);
    for (int kind = 0; kind < KINDS; kind++) {
        make(kind, e, &r);
        for (int var = 0; var < VARIANTS; var++) {
            distances(var, d, e, B, E);
            double worst = 0, dup_worst = 0;
            for (int i = 0; i < B; i++)
                for (int j = 0; j < B; j++) {
                    if (i == j) continue;
                    long double x = exact(e + i * E, e + j * E, E);
                    if (x == 0) { dup_worst = fmax(dup_worst, d[i * B + j]); continue; }
                    double rel = (double)fabsl(d[i * B + j] - x) / (double)x;
                    worst = fmax(worst, rel);
                }
            printf("relerr %s | %s | max %.2g", kind_name[kind], variant[var], worst);
            if (kind == DUPLICATES) printf(" | duplicates up to %.2g apart", dup_worst);
            printf("\n");
        }
    }
    grid_ties();
    return 0;
}
