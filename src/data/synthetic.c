// synthetic.c: generated data sets: Gaussian blobs, pure noise, and a ring
// around a blob.
//
// Both are functions of their arguments and the seed alone (PCG32 streams of
// their own), so a seed means the same points on every machine.
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "loader.h"
#include "tripletscope/rng.h"

#define BLOBS_STREAM 0xb10b5ULL
#define NOISE_STREAM 0x7015eULL
#define RINGS_STREAM 0x121265ULL

// Centre coordinates are N(0, 1) * BLOB_RADIUS / sqrt(dim): a centre's
// expected distance from the origin is BLOB_RADIUS, two centres lie about
// BLOB_RADIUS * sqrt(2) = 4.9 apart whatever the dimension, and each class
// spreads with standard deviation `noise` along any line. At noise 1.0 the
// classes overlap moderately: measured over 5 seeds, 10 classes, the share of
// points nearer another class's mean is 8 % at 16-D (the default), 4 % at
// 64-D, 23 % at 4-D (in few dimensions random centres crowd more).
#define BLOB_RADIUS 3.5f

static int bad_shape(int n, int classes, int dim) {
    return n < 1 || dim < 1 || classes < 1 || classes > TS_MAX_CLASSES ||
           (uint64_t)n * (uint64_t)dim > INT_MAX;
}

// --- Blobs -------------------------------------------------------------------

int data_make_blobs(int n, int classes, int dim, float noise, uint64_t seed, ts_dataset *ds) {
    memset(ds, 0, sizeof *ds);
    if (bad_shape(n, classes, dim) || !isfinite(noise) || noise < 0.0f) return -1;
    size_t D = (size_t)dim;
    float *centre = malloc((size_t)classes * D * sizeof *centre); // (C, D)
    if (!centre) return -1;
    if (data_alloc(ds, n, dim, 0) < 0) {
        free(centre);
        return -1;
    }
    ts_rng rng;
    rng_seed(&rng, seed, BLOBS_STREAM);
    const float scale = BLOB_RADIUS / sqrtf((float)dim);
    for (size_t k = 0; k < (size_t)classes * D; k++) centre[k] = rng_normal(&rng) * scale;
    // Labels in turn: balanced classes; the split and the batches shuffle.
    for (int i = 0; i < n; i++) {
        int c = i % classes;
        const float *m = centre + (size_t)c * D;
        float *x = ds->f32 + (size_t)i * D;
        for (size_t j = 0; j < D; j++) x[j] = m[j] + noise * rng_normal(&rng);
        ds->y[i] = c;
    }
    free(centre);
    ds->C = classes;
    return 0;
}

// --- Noise -------------------------------------------------------------------

// Inputs uniform in [0, 1), labels drawn independently of them: a model can
// only memorise, never generalise.
int data_make_noise(int n, int classes, int dim, uint64_t seed, ts_dataset *ds) {
    memset(ds, 0, sizeof *ds);
    if (bad_shape(n, classes, dim)) return -1;
    if (data_alloc(ds, n, dim, 0) < 0) return -1;
    ts_rng rng;
    rng_seed(&rng, seed, NOISE_STREAM);
    size_t D = (size_t)dim;
    for (int i = 0; i < n; i++) {
        float *x = ds->f32 + (size_t)i * D;
        for (size_t j = 0; j < D; j++) x[j] = rng_float(&rng);
        ds->y[i] = (int)rng_below(&rng, (uint32_t)classes);
    }
    ds->C = classes;
    return 0;
}

// --- Rings -------------------------------------------------------------------

// Class 0 a ring of radius RING_RADIUS in the plane, class 1 a blob at its
// centre, RING_CENTRE_SHARE of the points; radial spread RING_WIDTH * noise
// and the blob's RING_CORE * noise. Two points across the ring are twice the
// radius apart, the blob one radius from either: for most pairs of the ring,
// every negative lies nearer the anchor than its positive, unless the model
// learns the radius (a linear one cannot). The semihard_fallback finding's
// scenario (docs/failure-modes.md).
#define RING_RADIUS 3.0f
#define RING_WIDTH 0.2f
#define RING_CORE 0.3f
#define RING_CENTRE_SHARE 0.15
int data_make_rings(int n, float noise, uint64_t seed, ts_dataset *ds) {
    memset(ds, 0, sizeof *ds);
    if (bad_shape(n, 2, 2) || !isfinite(noise) || noise < 0.0f) return -1;
    if (data_alloc(ds, n, 2, 0) < 0) return -1;
    ts_rng rng;
    rng_seed(&rng, seed, RINGS_STREAM);
    int centre = (int)(n * RING_CENTRE_SHARE + 0.5);
    if (centre < 2) centre = 2;
    for (int i = 0; i < n; i++) {
        float *x = ds->f32 + (size_t)i * 2;
        // Every k-th point is the blob's, so that both classes reach each split.
        int c = (long)i * centre / n != (long)(i + 1) * centre / n;
        if (c) {
            x[0] = RING_CORE * noise * rng_normal(&rng);
            x[1] = RING_CORE * noise * rng_normal(&rng);
        } else {
            float t = 6.28318531f * rng_float(&rng);
            float r = RING_RADIUS + RING_WIDTH * noise * rng_normal(&rng);
            x[0] = r * cosf(t);
            x[1] = r * sinf(t);
        }
        ds->y[i] = c;
    }
    ds->C = 2;
    return 0;
}
