// test_mine.c: the miners and the difficulty counts against brute force on
// random batches, ties and duplicate points included; the losses' values
// and gradients against direct sums and finite differences, also through
// each miner's selection; the sort of sort keys against qsort.
#include <stdlib.h>
#include <string.h>
#include "testutil.h"
#include "tripletscope/dist.h"
#include "tripletscope/loss.h"
#include "tripletscope/measure.h"
#include "tripletscope/mine.h"
#include "tripletscope/sortkey.h"

#define MAXB 48

// ---------------------------------------------------------------------------
// Random batches: labels from few classes, distances with ties

typedef struct {
    int B;
    int y[MAXB];
    float dist[MAXB * MAXB];
} batch;

// A symmetric distance matrix with zero diagonal. `ties` draws distances
// from a handful of values, so equal distances (and zeros, as duplicate
// points give) are common.
static void make_batch(batch *b, int B, int classes, int ties, ts_rng *r) {
    b->B = B;
    for (int i = 0; i < B; i++) b->y[i] = (int)rng_below(r, (uint32_t)classes);
    for (int i = 0; i < B; i++) {
        b->dist[i * B + i] = 0.0f;
        for (int j = i + 1; j < B; j++) {
            float d = ties ? 0.25f * (float)rng_below(r, 6) : 2.0f * rng_float(r);
            b->dist[i * B + j] = b->dist[j * B + i] = d;
        }
    }
}

// Distances of real points z (B, E), some of them duplicated, as the
// trainer takes them (cosine: normalised first; there a multiple 2^k of a
// point is also a duplicate, and a zero point is 1/2 from every direction).
static void make_points_batch(batch *b, float *z, int B, int E, int classes, ts_rng *r,
                              ts_dist_ws *ws, ts_distance distance) {
    float sq[MAXB * MAXB], e[MAXB * 8], norms[MAXB];
    b->B = B;
    for (int i = 0; i < B; i++) b->y[i] = (int)rng_below(r, (uint32_t)classes);
    fill_uniform(z, B * E, -1, 1, r);
    for (int i = 1; i < B; i += 5) memcpy(z + i * E, z + (i - 1) * E, sizeof(float) * E);
    if (distance == DIST_COSINE) {
        for (int i = 3; i < B; i += 7)
            for (int k = 0; k < E; k++) z[i * E + k] = 4.0f * z[(i - 1) * E + k];
        if (B > 8) memset(z + 8 * E, 0, sizeof(float) * E);
    }
    embed_forward(e, norms, z, B, E, distance_normalizes(distance, 0));
    dist_forward(b->dist, sq, e, B, E, distance, ws);
}

// The cosine distances of make_points_batch against 1 - cos of the raw
// points in double (the zero point against 1/2), before the counts are
// checked on them.
static void check_cosine_batch(const batch *b, const float *z, int E) {
    int B = b->B;
    for (int i = 0; i < B; i++)
        for (int j = 0; j < B; j++) {
            float d = b->dist[i * B + j];
            assert_true(d == b->dist[j * B + i]);
            double ab = 0, aa = 0, bb = 0;
            for (int k = 0; k < E; k++) {
                ab += (double)z[i * E + k] * z[j * E + k];
                aa += (double)z[i * E + k] * z[i * E + k];
                bb += (double)z[j * E + k] * z[j * E + k];
            }
            double want = i == j ? 0.0
                          : aa == 0 || bb == 0 ? (aa == bb ? 0.0 : 0.5)
                          : 1 - ab / sqrt(aa * bb);
            assert_close(d, want, 2e-6, 1e-6);
        }
}

// A margin on a boundary of the batch's own distances: m = d_an - d_ap of
// one valid triplet, rounded to float, give or take two of m's ulps, so
// that the triplet (and its equals) sit on it or a hair away, where
// fl32(d_ap + m) often rounds onto d_an and only exact arithmetic decides.
// 0.1 when the batch has no valid triplet.
static float boundary_margin(const batch *b, ts_rng *r) {
    int B = b->B;
    for (int tries = 0; tries < 200; tries++) {
        int a = (int)rng_below(r, (uint32_t)B), p = (int)rng_below(r, (uint32_t)B),
            n = (int)rng_below(r, (uint32_t)B);
        if (p == a || b->y[p] != b->y[a] || b->y[n] == b->y[a]) continue;
        double diff = (double)b->dist[a * B + n] - b->dist[a * B + p];
        if (!(diff > 0)) continue;
        float m = (float)diff;
        int ulps = (int)rng_below(r, 5) - 2;
        for (; ulps > 0; ulps--) m = nextafterf(m, INFINITY);
        for (; ulps < 0; ulps++) m = nextafterf(m, 0.0f);
        return m;
    }
    return 0.1f;
}

// Distances on both sides of every margin boundary: d_an is one of the few
// floats nearest d_ap + m (in exact arithmetic), where fl32(d_ap + m)
// rounds to the wrong side about half the time.
static void make_boundary_batch(batch *b, int B, int classes, float m, ts_rng *r) {
    make_batch(b, B, classes, 0, r);
    for (int i = 0; i < B; i++)
        for (int j = i + 1; j < B; j++) {
            if (b->y[i] == b->y[j] || rng_below(r, 2)) continue;
            // The pair (i, j) is a negative; put it at d(i, p) + m for some
            // positive p of i, give or take two ulps.
            for (int p = 0; p < B; p++) {
                if (p == i || b->y[p] != b->y[i]) continue;
                float want = (float)((double)b->dist[i * B + p] + m);
                int ulps = (int)rng_below(r, 5) - 2;
                for (; ulps > 0; ulps--) want = nextafterf(want, INFINITY);
                for (; ulps < 0; ulps++) want = nextafterf(want, 0.0f);
                b->dist[i * B + j] = b->dist[j * B + i] = want;
                break;
            }
        }
}

// ---------------------------------------------------------------------------
// Brute-force references: the margin in double, where d_an - d_ap of these
// floats (all within a factor 2^29 of each other, or 0) is exact.

static int exact_within(float dan, float dap, float m) {
    return (double)dan - (double)dap <= (double)m;
}

static int exact_below(float dan, float dap, float m) {
    return (double)dan - (double)dap < (double)m;
}

static void brute_counts(const batch *b, float m, ts_counts *c) {
    memset(c, 0, sizeof *c);
    int B = b->B;
    for (int a = 0; a < B; a++)
        for (int p = 0; p < B; p++) {
            if (p == a || b->y[p] != b->y[a]) continue;
            float dap = b->dist[a * B + p];
            for (int n = 0; n < B; n++) {
                if (b->y[n] == b->y[a]) continue;
                float dan = b->dist[a * B + n];
                c->valid++;
                if (dan <= dap) c->hard++;
                else if (exact_within(dan, dap, m)) c->semihard++;
                else c->easy++;
            }
        }
}

static int has_pos(const batch *b, int a) {
    for (int j = 0; j < b->B; j++) if (j != a && b->y[j] == b->y[a]) return 1;
    return 0;
}

static int has_neg(const batch *b, int a) {
    for (int j = 0; j < b->B; j++) if (b->y[j] != b->y[a]) return 1;
    return 0;
}

// Closest negative of a, lowest index among equals.
static int brute_closest_neg(const batch *b, int a) {
    int best = -1, B = b->B;
    for (int n = 0; n < B; n++)
        if (b->y[n] != b->y[a] && (best < 0 || b->dist[a * B + n] < b->dist[a * B + best])) best = n;
    return best;
}

static void brute_batch_hard(const batch *b, ts_triplets *t) {
    t->n = 0;
    int B = b->B;
    for (int a = 0; a < B; a++) {
        if (!has_pos(b, a) || !has_neg(b, a)) continue;
        int p = -1;
        for (int j = 0; j < B; j++)
            if (j != a && b->y[j] == b->y[a] && (p < 0 || b->dist[a * B + j] > b->dist[a * B + p])) p = j;
        t->a[t->n] = a; t->p[t->n] = p; t->neg[t->n] = brute_closest_neg(b, a); t->n++;
    }
}

// TF Addons: for each (a, p), the closest negative farther than d_ap; if
// none, the farthest negative.
// Returns the pairs that fell back to the farthest negative.
static int brute_semihard(const batch *b, ts_triplets *t) {
    t->n = 0;
    int B = b->B, fallback = 0;
    for (int a = 0; a < B; a++) {
        if (!has_neg(b, a)) continue;
        for (int p = 0; p < B; p++) {
            if (p == a || b->y[p] != b->y[a]) continue;
            float dap = b->dist[a * B + p];
            int semi = -1, far = -1;
            for (int n = 0; n < B; n++) {
                if (b->y[n] == b->y[a]) continue;
                float d = b->dist[a * B + n];
                if (d > dap && (semi < 0 || d < b->dist[a * B + semi])) semi = n;
                if (far < 0 || d > b->dist[a * B + far]) far = n;
            }
            t->a[t->n] = a; t->p[t->n] = p; t->neg[t->n] = semi >= 0 ? semi : far; t->n++;
            fallback += semi < 0;
        }
    }
    return fallback;
}

// Loss over every valid triplet, with its gradient with respect to dist.
static double brute_all_loss(const batch *b, float m, int soft, ts_reduce red, double *W,
                             long *active) {
    int B = b->B;
    double total = 0;
    long valid = 0;
    *active = 0;
    for (int pass = 0; pass < 2; pass++) {
        long den = red == REDUCE_NONZERO ? *active : valid;
        for (int a = 0; a < B; a++)
            for (int p = 0; p < B; p++) {
                if (p == a || b->y[p] != b->y[a]) continue;
                for (int n = 0; n < B; n++) {
                    if (b->y[n] == b->y[a]) continue;
                    float dap = b->dist[a * B + p], dan = b->dist[a * B + n];
                    double l, g;
                    if (soft) {
                        double x = (double)dap - dan;
                        l = log1p(exp(x));
                        g = 1 / (1 + exp(-x));
                    } else {
                        int on = exact_below(dan, dap, m);
                        l = on ? ((double)dap - dan) + m : 0.0;
                        g = on;
                    }
                    if (pass == 0) {
                        total += l;
                        valid++;
                        *active += soft ? l > 0 : exact_below(dan, dap, m);
                    } else if (den) {
                        W[a * B + p] += g / den;
                        W[a * B + n] -= g / den;
                    }
                }
            }
    }
    long den = red == REDUCE_NONZERO ? *active : valid;
    return den ? total / den : 0.0;
}

static void assert_same_triplets(const ts_triplets *x, const ts_triplets *y) {
    assert_int_equal(x->n, y->n);
    for (int i = 0; i < x->n; i++) {
        assert_int_equal(x->a[i], y->a[i]);
        assert_int_equal(x->p[i], y->p[i]);
        assert_int_equal(x->neg[i], y->neg[i]);
    }
}

// ---------------------------------------------------------------------------
// Counts and miners against brute force

static void test_counts_brute_force(void **state) {
    (void)state;
    ts_rng r;
    rng_seed(&r, 10, 1);
    ts_anchors anc;
    assert_int_equal(anchors_init(&anc, MAXB), 0);
    ts_dist_ws ws;
    assert_int_equal(dist_ws_init(&ws, MAXB, 4), 0);
    float e[MAXB * 4];
    batch b;
    for (int trial = 0; trial < 300; trial++) {
        int B = 2 + (int)rng_below(&r, MAXB - 1), classes = 1 + (int)rng_below(&r, 6);
        float m = trial % 3 == 0 ? 0.25f : 0.5f * rng_float(&r);   // 0.25: boundary ties
        if (trial % 4 == 3) make_boundary_batch(&b, B, classes, m, &r);
        else make_batch(&b, B, classes, trial % 2, &r);
        // Every fifth: real points under cosine, with a margin on one of
        // their boundaries.
        if (trial % 5 == 4) {
            make_points_batch(&b, e, B, 4, classes, &r, &ws, DIST_COSINE);
            check_cosine_batch(&b, e, 4);
            m = boundary_margin(&b, &r);
        }
        anchors_build(&anc, b.dist, b.y, B);
        ts_counts fast, slow;
        count_triplets(&anc, m, &fast);
        brute_counts(&b, m, &slow);
        assert_int_equal(fast.valid, slow.valid);
        assert_int_equal(fast.easy, slow.easy);
        assert_int_equal(fast.semihard, slow.semihard);
        assert_int_equal(fast.hard, slow.hard);
        assert_int_equal(fast.easy + fast.semihard + fast.hard, fast.valid);
        int nopos = 0;
        for (int a = 0; a < B; a++) nopos += !has_pos(&b, a);
        assert_int_equal(anchors_no_positive(&anc), nopos);
    }
    anchors_free(&anc);
    dist_ws_free(&ws);
}

// The pairs a batch's measurement calls numerically zero (measure.c): those
// within the rounding slack of the Gram form, as a brute force in double
// finds them; exact duplicates among them; the smallest distance.
static void test_zero_pairs(void **state) {
    (void)state;
    enum { B = 24, E = 8 };
    ts_measure m;
    assert_int_equal(measure_init(&m, B, B, E), 0);
    ts_rng r;
    rng_seed(&r, 5, 1);
    float z[B * E];
    int y[B];
    for (int i = 0; i < B * E; i++) z[i] = rng_normal(&r);
    for (int i = 0; i < B; i++) y[i] = i % 3;
    memcpy(z + 3 * E, z + 0 * E, sizeof(float) * E);    // duplicates: 0 and 3,
    memcpy(z + 7 * E, z + 5 * E, sizeof(float) * E);    // 5 and 7
    for (int k = 0; k < E; k++) z[9 * E + k] = z[8 * E + k] + 1e-2f;   // near, not zero
    ts_settings set = {.miner = MINER_SEMIHARD, .margin = 0.2f, .distance = DIST_EUCLIDEAN};
    for (int normalize = 0; normalize < 2; normalize++) {
        set.normalize = normalize;
        ts_stepstats st = {0};
        measure_batch(&m, z, y, &set, &st);
        int brute = 0;
        double lo = INFINITY;
        for (int i = 0; i < B; i++)
            for (int j = i + 1; j < B; j++) {
                const float *a = m.e + (size_t)i * E, *b = m.e + (size_t)j * E;
                double sq = 0, na = 0, nb = 0;
                for (int k = 0; k < E; k++) {
                    sq += ((double)a[k] - b[k]) * ((double)a[k] - b[k]);
                    na += (double)a[k] * a[k];
                    nb += (double)b[k] * b[k];
                }
                brute += sq <= dist_gram_slack((float)na, (float)nb, E);
                lo = sq < lo ? sq : lo;
            }
        assert_int_equal(brute, 2);
        assert_int_equal(st.zero_pairs, brute);
        assert_true(st.min_dist == 0.0f);
        assert_true(fabs(lo) < 1e-12);
    }
    measure_free(&m);
}

static void test_miners_brute_force(void **state) {
    (void)state;
    ts_rng r;
    rng_seed(&r, 11, 1);
    ts_anchors anc;
    ts_triplets fast, slow;
    assert_int_equal(anchors_init(&anc, MAXB), 0);
    assert_int_equal(triplets_init(&fast, MAXB * MAXB * MAXB), 0);
    assert_int_equal(triplets_init(&slow, MAXB * MAXB), 0);
    ts_dist_ws ws;
    assert_int_equal(dist_ws_init(&ws, MAXB, 4), 0);
    batch b;
    float e[MAXB * 4];
    int listed_seen = 0;
    for (int trial = 0; trial < 300; trial++) {
        int B = 2 + (int)rng_below(&r, MAXB - 1), classes = 1 + (int)rng_below(&r, 5);
        // Points every third trial, under the Euclidean and the cosine
        // distance in turn.
        if (trial % 3 == 2)
            make_points_batch(&b, e, B, 4, classes, &r, &ws, trial % 2 ? DIST_COSINE : DIST_EUCLIDEAN);
        else make_batch(&b, B, classes, trial % 3, &r);
        anchors_build(&anc, b.dist, b.y, B);
        mine_batch_hard(&anc, &fast);
        brute_batch_hard(&b, &slow);
        assert_same_triplets(&fast, &slow);
        int fell = mine_semihard(&anc, &fast);
        assert_int_equal(fell, brute_semihard(&b, &slow));
        assert_same_triplets(&fast, &slow);
        // Batch-all lists every valid triplet: as many as the counts say,
        // each valid, none twice.
        assert_int_equal(mine_all(&anc, &fast), 0);
        ts_counts c;
        brute_counts(&b, 0.1f, &c);
        assert_int_equal(fast.n, c.valid);
        static unsigned char seen[MAXB * MAXB * MAXB];
        memset(seen, 0, sizeof seen);
        for (int i = 0; i < fast.n; i++) {
            assert_true(fast.a[i] != fast.p[i]);
            assert_int_equal(b.y[fast.a[i]], b.y[fast.p[i]]);
            assert_true(b.y[fast.a[i]] != b.y[fast.neg[i]]);
            long key = ((long)fast.a[i] * MAXB + fast.p[i]) * MAXB + fast.neg[i];
            assert_int_equal(seen[key], 0);
            seen[key] = 1;
        }
        // Counts over the listed batch-all triplets equal the batch counts.
        ts_counts listed;
        count_listed(&fast, b.dist, B, 0.1f, &listed);
        assert_int_equal(listed.easy, c.easy);
        assert_int_equal(listed.semihard, c.semihard);
        assert_int_equal(listed.hard, c.hard);
        // Offline: triplet i is (i, T + i, 2T + i), T = B / 3, when its
        // labels make it valid, in order; the rest of the batch is not read.
        mine_listed(&anc, &fast);
        int T = B / 3, n = 0;
        for (int i = 0; i < T; i++) {
            if (b.y[T + i] != b.y[i] || b.y[2 * T + i] == b.y[i]) continue;
            assert_true(n < fast.n);
            assert_true(fast.a[n] == i && fast.p[n] == T + i && fast.neg[n] == 2 * T + i);
            n++;
        }
        assert_int_equal(fast.n, n);
        listed_seen += n;
    }
    assert_true(listed_seen > 50);
    anchors_free(&anc);
    triplets_free(&fast);
    triplets_free(&slow);
    dist_ws_free(&ws);
}

static void test_random_and_hardest_neg(void **state) {
    (void)state;
    ts_rng r, mr;
    rng_seed(&r, 12, 1);
    rng_seed(&mr, 12, 3);
    ts_anchors anc;
    ts_triplets t;
    assert_int_equal(anchors_init(&anc, MAXB), 0);
    assert_int_equal(triplets_init(&t, MAXB * MAXB), 0);
    batch b;
    long self = 0, draws = 0;
    double expect_self = 0;
    for (int trial = 0; trial < 400; trial++) {
        int B = 4 + (int)rng_below(&r, MAXB - 3), classes = 2 + (int)rng_below(&r, 4);
        make_batch(&b, B, classes, trial % 2, &r);
        anchors_build(&anc, b.dist, b.y, B);
        mine_random(&anc, &mr, &t);
        int anchors = 0;
        for (int a = 0; a < B; a++) anchors += has_pos(&b, a) && has_neg(&b, a);
        assert_int_equal(t.n, anchors);
        for (int i = 0; i < t.n; i++) {
            assert_true(t.a[i] != t.p[i]);
            assert_int_equal(b.y[t.a[i]], b.y[t.p[i]]);
            assert_true(b.y[t.a[i]] != b.y[t.neg[i]]);
        }
        int s = mine_hardest_neg(&anc, &mr, &t);
        int counted = 0, with_neg = 0;
        for (int a = 0; a < B; a++) with_neg += has_neg(&b, a);
        assert_int_equal(t.n, with_neg);
        for (int i = 0; i < t.n; i++) {
            int a = t.a[i];
            assert_int_equal(b.y[a], b.y[t.p[i]]);      // the anchor itself allowed
            assert_int_equal(t.neg[i], brute_closest_neg(&b, a));
            counted += t.p[i] == a;
            int same = 0;
            for (int j = 0; j < B; j++) same += b.y[j] == b.y[a];
            expect_self += 1.0 / same;                    // a uniform draw over same-label samples
        }
        assert_int_equal(s, counted);
        self += s;
        draws += t.n;
    }
    // The self-positive rate matches the uniform draw (binomial, 5 sigma).
    double sd = sqrt(expect_self);
    assert_true(fabs((double)self - expect_self) < 5 * sd);
    assert_true(draws > 1000);
    anchors_free(&anc);
    triplets_free(&t);
}

// ---------------------------------------------------------------------------
// Losses: batch-all against the brute-force sum

static void test_batch_all_loss(void **state) {
    (void)state;
    ts_rng r;
    rng_seed(&r, 13, 1);
    ts_anchors anc;
    assert_int_equal(anchors_init(&anc, MAXB), 0);
    batch b;
    float W[MAXB * MAXB];
    double Wref[MAXB * MAXB];
    for (int trial = 0; trial < 200; trial++) {
        int B = 2 + (int)rng_below(&r, MAXB - 1), classes = 1 + (int)rng_below(&r, 5);
        // Margins of 0.25 against distances in steps of 0.25 put triplets
        // exactly on the hinge: d_an == d_ap + m is not active.
        float m = trial % 3 == 0 ? 0.25f : rng_float(&r);
        if (trial % 4 == 3) make_boundary_batch(&b, B, classes, m, &r);
        else make_batch(&b, B, classes, trial % 2, &r);
        int soft = trial % 5 == 0;
        ts_reduce red = trial % 2 ? REDUCE_NONZERO : REDUCE_MEAN;
        anchors_build(&anc, b.dist, b.y, B);
        memset(W, 0, sizeof W);
        memset(Wref, 0, sizeof Wref);
        ts_active act;
        long active;
        float loss = loss_triplet_all(&anc, m, soft, red, W, &act);
        double want = brute_all_loss(&b, m, soft, red, Wref, &active);
        assert_close(loss, want, 1e-5, 1e-6);
        assert_int_equal(act.active, active);
        ts_counts c;
        brute_counts(&b, m, &c);
        assert_int_equal(act.count, c.valid);
        for (int i = 0; i < B * B; i++) assert_close(W[i], Wref[i], 1e-5, 1e-7);
    }
    anchors_free(&anc);
}

// Listed triplets (each miner's selection) against a direct sum.
static void test_listed_loss_values(void **state) {
    (void)state;
    // Three triplets by hand, d_ap/d_an: (1, 1.5) -> hinge 0.7 - ... with m = 1:
    // l = 1 + 1 - 1.5 = 0.5; (0.2, 2.0) -> 0 (easy); (1, 1) -> 1.
    float dist[9] = {0, 1.0f, 1.5f, 1.0f, 0, 2.0f, 1.5f, 2.0f, 0};
    int a[3] = {0, 1, 1}, p[3] = {1, 0, 0}, n[3] = {2, 2, 2};
    dist[1 * 3 + 0] = 0.2f;   // d(1,0) = 0.2 for the second triplet (asymmetric on purpose)
    ts_triplets t = {3, 3, a, p, n};
    float W[9] = {0};
    ts_active act;
    // (0,1,2): d_ap 1, d_an 1.5 -> 0.5; (1,0,2): 0.2, 2.0 -> 0; (1,0,2) again.
    float mean = loss_triplet(&t, dist, 3, 1.0f, 0, REDUCE_MEAN, W, &act);
    assert_close(mean, 0.5 / 3, 1e-6, 0);
    assert_int_equal(act.active, 1);
    memset(W, 0, sizeof W);
    float nz = loss_triplet(&t, dist, 3, 1.0f, 0, REDUCE_NONZERO, W, &act);
    assert_close(nz, 0.5, 1e-6, 0);
    assert_close(W[0 * 3 + 1], 1.0, 1e-6, 0);
    assert_close(W[0 * 3 + 2], -1.0, 1e-6, 0);
    // No active triplet: nonzero reduction gives exactly 0 and no gradient.
    memset(W, 0, sizeof W);
    float zero = loss_triplet(&t, dist, 3, 0.0f, 0, REDUCE_NONZERO, W, &act);
    assert_true(zero == 0.0f);
    for (int i = 0; i < 9; i++) assert_true(W[i] == 0.0f);
    // Exactly at the margin (d_an == d_ap + m, exact in binary): loss 0, not
    // active, and no gradient, as relu'(0) = 0 in PyTorch.
    {
        float d2[9] = {0, 0.5f, 1.5f, 0.5f, 0, 1.0f, 1.5f, 1.0f, 0};
        int a2[1] = {0}, p2[1] = {1}, n2[1] = {2};
        ts_triplets t2 = {1, 1, a2, p2, n2};
        memset(W, 0, sizeof W);
        float edge = loss_triplet(&t2, d2, 3, 1.0f, 0, REDUCE_MEAN, W, &act);
        assert_true(edge == 0.0f);
        assert_int_equal(act.active, 0);
        for (int i = 0; i < 9; i++) assert_true(W[i] == 0.0f);
    }
    // Soft margin: softplus(d_ap - d_an), margin ignored.
    float soft = loss_triplet(&t, dist, 3, 5.0f, 1, REDUCE_MEAN, W, &act);
    assert_close(soft, (log1p(exp(-0.5)) + 2 * log1p(exp(-1.8))) / 3, 1e-6, 0);
    assert_close(softplus(100.0f), 100.0, 1e-6, 0);
    assert_true(softplus(-100.0f) >= 0.0f && softplus(-100.0f) < 1e-40f);
}

static void test_contrastive_values(void **state) {
    (void)state;
    // Pairs of 3 points: (0,1) same, (0,2) and (1,2) different; m = 1.
    float dist[9] = {0, 0.5f, 0.25f, 0.5f, 0, 2.0f, 0.25f, 2.0f, 0};
    int y[3] = {0, 0, 1};
    float W[9] = {0};
    ts_pairs pairs;
    float l = loss_contrastive(dist, y, 3, 1.0f, 0, W, &pairs);
    // (0.5^2 + (1 - 0.25)^2 + 0) / 3
    assert_close(l, (0.25 + 0.5625) / 3, 1e-6, 0);
    assert_int_equal(pairs.pos, 1);
    assert_int_equal(pairs.neg, 2);
    assert_int_equal(pairs.active_neg, 1);
    assert_close(W[0 * 3 + 1], 2 * 0.5 / 3, 1e-6, 0);
    assert_close(W[0 * 3 + 2], -2 * 0.75 / 3, 1e-6, 0);
    assert_true(W[1 * 3 + 2] == 0.0f && W[1 * 3 + 0] == 0.0f);
    // Inverted labels (y = 1 - y): (0,1) is a negative within the margin,
    // (0,2) and (1,2) positives: ((1 - 0.5)^2 + 0.25^2 + 2^2) / 3.
    memset(W, 0, sizeof W);
    l = loss_contrastive(dist, y, 3, 1.0f, 1, W, &pairs);
    assert_close(l, (0.25 + 0.0625 + 4.0) / 3, 1e-6, 0);
    assert_int_equal(pairs.pos, 2);
    assert_int_equal(pairs.neg, 1);
    assert_int_equal(pairs.active_neg, 1);
    assert_close(W[0 * 3 + 1], -2 * 0.5 / 3, 1e-6, 0);
    assert_close(W[0 * 3 + 2], 2 * 0.25 / 3, 1e-6, 0);
    assert_close(W[1 * 3 + 2], 2 * 2.0 / 3, 1e-6, 0);
}

// The elementwise contrastive loss (the question's Keras model, abs(a - b)
// fed to the loss) against its definition, summed by hand.
static void test_contrastive_elementwise_values(void **state) {
    (void)state;
    // Three points in 2-D; (0,1) same label, (0,2) and (1,2) not; m = 1.
    float e[6] = {0.0f, 0.0f, 0.5f, -2.0f, 0.25f, 1.5f};
    int y[3] = {0, 0, 1};
    float de[6] = {0};
    ts_pairs pairs;
    // Euclidean: d_k = |u_k|. (0,1): u = (-0.5, 2): 0.25 + 4;
    // (0,2): u = (-0.25, -1.5): (1 - 0.25)^2 + 0; (1,2): u = (0.25, -3.5): 0.75^2 + 0.
    float l = loss_contrastive_elementwise(e, y, 3, 2, 1.0f, 0, DIST_EUCLIDEAN, de, &pairs);
    assert_close(l, (4.25 + 0.5625 + 0.5625) / 6, 1e-6, 0);
    assert_int_equal(pairs.pos, 1);
    assert_int_equal(pairs.neg, 2);
    assert_int_equal(pairs.active_neg, 2);   // one dimension each within the margin
    // de_0 = [2 u(0,1) + (-2)(1 - 0.25) sign(-0.25), 2 u(0,1)_2 + 0] / 6
    assert_close(de[0], (2 * -0.5 + 2 * 0.75) / 6, 1e-6, 0);
    assert_close(de[1], (2 * 2.0) / 6, 1e-6, 0);
    // Squared: d_k = u_k^2: (0,1): 0.5^4 + 2^4; (0,2): (1 - 0.0625)^2 + 0;
    // (1,2): (1 - 0.0625)^2 + 0.
    memset(de, 0, sizeof de);
    l = loss_contrastive_elementwise(e, y, 3, 2, 1.0f, 0, DIST_SQUARED, de, &pairs);
    assert_close(l, (0.0625 + 16.0 + 2 * 0.87890625) / 6, 1e-6, 0);
    // Cosine on these (not unit) rows: d_k = u_k^2 / 2.
    memset(de, 0, sizeof de);
    l = loss_contrastive_elementwise(e, y, 3, 2, 1.0f, 0, DIST_COSINE, de, &pairs);
    double c01 = pow(0.125, 2) + pow(2.0, 2), c02 = pow(1 - 0.03125, 2), c12 = pow(1 - 0.03125, 2);
    assert_close(l, (c01 + c02 + c12) / 6, 1e-6, 0);
    // Inverted: (0,1) is a negative, the others positives.
    memset(de, 0, sizeof de);
    l = loss_contrastive_elementwise(e, y, 3, 2, 1.0f, 1, DIST_EUCLIDEAN, de, &pairs);
    assert_close(l, (0.25 + 0 + 0.0625 + 2.25 + 0.0625 + 12.25) / 6, 1e-6, 0);
    assert_int_equal(pairs.pos, 2);
    assert_int_equal(pairs.neg, 1);
    assert_int_equal(pairs.active_neg, 1);
}

// Its gradient with respect to the embeddings against central differences
// of the loss itself, for each distance's 1-D form, with the labels as given
// and inverted; margins at which about half the negative dimensions are
// within it. (The chain test below takes it through the normalisation too,
// but its tolerance is that of the whole chain.)
static void test_contrastive_elementwise_gradient(void **state) {
    (void)state;
    enum { B = 7, E = 3 };
    int y[B] = {0, 0, 1, 1, 1, 2, 0};
    ts_rng r;
    rng_seed(&r, 23, 1);
    float e[B * E], de[B * E], scratch[B * E];
    int checked = 0, kinks = 0;
    for (int v = 0; v < DIST_COUNT * 2; v++) {
        ts_distance dist = (ts_distance)(v % DIST_COUNT);
        int invert = v / DIST_COUNT;
        float margin = dist == DIST_EUCLIDEAN ? 0.8f : dist == DIST_SQUARED ? 0.6f : 0.3f;
        fill_uniform(e, B * E, -1, 1, &r);
        ts_pairs pairs;
        memset(de, 0, sizeof de);
        loss_contrastive_elementwise(e, y, B, E, margin, invert, dist, de, &pairs);
        assert_true(pairs.active_neg > 0);   // some negative hinges give a gradient
        for (int i = 0; i < B * E; i++) {
            float keep = e[i], h = 1e-3f;
            e[i] = keep + h;
            double up = loss_contrastive_elementwise(e, y, B, E, margin, invert, dist, scratch, &pairs);
            e[i] = keep - h;
            double down = loss_contrastive_elementwise(e, y, B, E, margin, invert, dist, scratch, &pairs);
            e[i] = keep;
            double mid = loss_contrastive_elementwise(e, y, B, E, margin, invert, dist, scratch, &pairs);
            double s1 = (up - mid) / h, s2 = (mid - down) / h;
            if (fabs(s1 - s2) > 0.05 * fmax(fabs(s1), fabs(s2)) + 2e-4) {   // a hinge crossed
                kinks++;
                continue;
            }
            assert_close(de[i], (up - down) / (2 * h), 1e-2, 2e-4);
            checked++;
        }
    }
    assert_true(checked >= DIST_COUNT * 2 * B * E * 9 / 10);
    assert_true(kinks <= DIST_COUNT * 2 * B * E / 10);
}

// ---------------------------------------------------------------------------
// The whole chain against finite differences: embeddings -> normalisation
// -> distances -> mining -> loss, for every miner and loss variant

typedef struct {
    int B, E, normalize;
    ts_distance distance;
    int soft, siamese;
    int invert, elementwise;   // Siamese: inverted pair labels; the loss per dimension
    ts_miner miner;
    ts_reduce reduce;
    float margin;
    const int *y;
} chain;

typedef struct {
    float e[MAXB * 8], norms[MAXB], dist[MAXB * MAXB], sq[MAXB * MAXB], W[MAXB * MAXB];
    float de[MAXB * 8], dz[MAXB * 8];
    ts_anchors anc;
    ts_triplets t;
    ts_dist_ws ws;
} chain_ws;

static double chain_loss(const chain *c, chain_ws *w, const float *z, float *dz) {
    int B = c->B, E = c->E;
    int unit = distance_normalizes(c->distance, c->normalize);
    embed_forward(w->e, w->norms, z, B, E, unit);
    float *dist = c->distance == DIST_SQUARED ? w->sq : w->dist;
    dist_forward(dist, w->sq, w->e, B, E, c->distance, &w->ws);
    anchors_build(&w->anc, dist, c->y, B);
    memset(w->W, 0, sizeof w->W);
    ts_active act;
    ts_pairs pairs;
    ts_rng mr;
    rng_seed(&mr, 99, 3);   // the same random choices at every evaluation
    float loss;
    memset(w->de, 0, sizeof w->de);
    if (c->siamese && c->elementwise) {
        loss = loss_contrastive_elementwise(w->e, c->y, B, E, c->margin, c->invert, c->distance,
                                            w->de, &pairs);
    } else if (c->siamese) {
        loss = loss_contrastive(dist, c->y, B, c->margin, c->invert, w->W, &pairs);
    } else if (c->miner == MINER_ALL) {
        loss = loss_triplet_all(&w->anc, c->margin, c->soft, c->reduce, w->W, &act);
    } else {
        switch (c->miner) {
        case MINER_HARD: mine_batch_hard(&w->anc, &w->t); break;
        case MINER_SEMIHARD: mine_semihard(&w->anc, &w->t); break;
        case MINER_RANDOM: mine_random(&w->anc, &mr, &w->t); break;
        default: mine_hardest_neg(&w->anc, &mr, &w->t); break;
        }
        loss = loss_triplet(&w->t, dist, B, c->margin, c->soft, c->reduce, w->W, &act);
    }
    if (dz) {
        // The elementwise loss's gradient is in de already (W stays 0).
        dist_backward(w->de, w->W, w->e, dist, w->sq, B, E, c->distance, &w->ws);
        memset(dz, 0, sizeof(float) * B * E);
        embed_backward(dz, w->de, w->e, w->norms, B, E, unit);
    }
    return loss;
}

static void test_chain_gradients(void **state) {
    (void)state;
    enum { B = 12, E = 4 };
    static chain_ws w;
    assert_int_equal(anchors_init(&w.anc, B), 0);
    assert_int_equal(triplets_init(&w.t, B * B), 0);
    assert_int_equal(dist_ws_init(&w.ws, B, E), 0);
    int y[B] = {0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 0};
    ts_rng r;
    rng_seed(&r, 14, 1);
    float z[B * E], dz[B * E];
    int checked = 0, variants = 0, kinks = 0, two_sided_misses = 0;
    // Every normalisation and distance (cosine normalises either way: once),
    // every online miner, soft or not, each reducer (offline's listed
    // triplets take the same loss_triplet: its selection is checked in
    // test_miners_brute_force), and the contrastive loss on the distance and
    // per dimension, with its pair labels as given and inverted.
    for (int v = 0; v < 2 * DIST_COUNT * (MINER_ONLINE * 4 + 4); v++) {
        chain c = {B, E, v & 1, (ts_distance)((v >> 1) % DIST_COUNT), 0, 0, 0, 0, MINER_RANDOM,
                   REDUCE_MEAN, 0.5f, y};
        int rest = v / (2 * DIST_COUNT);
        if (c.distance == DIST_COSINE && !c.normalize) continue;
        // Cosine's d lies in [0, 2] with unrelated points near 1: margins
        // of its scale, so that hinges are both active and not.
        if (c.distance == DIST_COSINE) c.margin = 0.2f;
        if (rest >= MINER_ONLINE * 4) {
            c.siamese = 1;
            c.margin = c.distance == DIST_COSINE ? 0.5f : 1.0f;
            c.invert = (rest - MINER_ONLINE * 4) & 1;
            c.elementwise = (rest - MINER_ONLINE * 4) & 2 ? 1 : 0;
            // Per dimension the differences are a fraction of the pair's:
            // a margin of their scale, so that hinges are active and not.
            if (c.elementwise) c.margin = c.distance == DIST_EUCLIDEAN ? 0.8f : 0.4f;
        } else {
            c.miner = (ts_miner)(rest % MINER_ONLINE);
            c.soft = (rest / MINER_ONLINE) & 1;
            c.reduce = (rest / MINER_ONLINE) & 2 ? REDUCE_NONZERO : REDUCE_MEAN;
        }
        variants++;
        fill_uniform(z, B * E, -1, 1, &r);
        chain_loss(&c, &w, z, dz);
        for (int i = 0; i < B * E; i++) {
            float keep = z[i], h = 1e-3f;
            z[i] = keep + h;
            double up = chain_loss(&c, &w, z, NULL);
            z[i] = keep - h;
            double down = chain_loss(&c, &w, z, NULL);
            z[i] = keep;
            double mid = chain_loss(&c, &w, z, NULL);
            // Where the step changes the mining or crosses a hinge the
            // one-sided slopes disagree: the gradient must then match one
            // of them; elsewhere the central difference.
            double s1 = (up - mid) / h, s2 = (mid - down) / h;
            if (fabs(s1 - s2) > 0.1 * fmax(fabs(s1), fabs(s2)) + 1e-3) {
                kinks++;
                if (fabs(dz[i] - s1) > 0.05 * fabs(s1) + 2e-3 &&
                    fabs(dz[i] - s2) > 0.05 * fabs(s2) + 2e-3) two_sided_misses++;
                continue;
            }
            assert_close(dz[i], (up - down) / (2 * h), 3e-2, 3e-3);
            checked++;
        }
    }
    assert_true(checked > variants * B * E * 8 / 10);
    // A miss on both sides needs two kinks within one step: rare.
    assert_true(two_sided_misses <= kinks / 10);
    anchors_free(&w.anc);
    triplets_free(&w.t);
    dist_ws_free(&w.ws);
}

// Issue 9's cases, through the whole path from points: the margin test
// must be exact where fl32(d_ap + m) rounds across d_an.
static void test_margin_boundary(void **state) {
    (void)state;
    int y[3] = {0, 0, 1};
    float dist[9], sq[9], W[9];
    ts_dist_ws ws;
    ts_anchors anc;
    ts_triplets t;
    assert_int_equal(dist_ws_init(&ws, 3, 1), 0);
    assert_int_equal(anchors_init(&anc, 3), 0);
    assert_int_equal(triplets_init(&t, 27), 0);
    // Points 0, 1, 1.2f and m = 0.2f: (0, 1, 2) has d_an - d_ap =
    // 0.2000000477 > m = 0.2000000030: easy, although fl32(1 + 0.2f) == 1.2f.
    float p1[3] = {0.0f, 1.0f, 1.2f};
    dist_forward(dist, sq, p1, 3, 1, 0, &ws);
    assert_true(dist[0 * 3 + 1] == 1.0f && dist[0 * 3 + 2] == 1.2f);
    assert_true(1.0f + 0.2f == 1.2f);   // the rounding the test is about
    anchors_build(&anc, dist, y, 3);
    ts_counts c;
    count_triplets(&anc, 0.2f, &c);
    assert_int_equal(c.valid, 2);
    assert_int_equal(c.easy, 1);       // (0, 1, 2)
    assert_int_equal(c.semihard, 0);
    assert_int_equal(c.hard, 1);       // (1, 0, 2): d_an = 0.2 < d_ap = 1
    assert_int_equal(mine_all(&anc, &t), 0);
    count_listed(&t, dist, 3, 0.2f, &c);
    assert_int_equal(c.easy, 1);
    assert_int_equal(c.semihard, 0);
    // m exactly d_an - d_ap: semi-hard (<= m), and the hinge is 0, inactive.
    float m_exact = 1.2f - 1.0f;
    count_triplets(&anc, m_exact, &c);
    assert_int_equal(c.semihard, 1);
    ts_active act;
    memset(W, 0, sizeof W);
    mine_all(&anc, &t);
    loss_triplet(&t, dist, 3, m_exact, 0, REDUCE_MEAN, W, &act);
    assert_int_equal(act.active, 1);   // only (1, 0, 2)
    assert_true(W[0 * 3 + 1] == 0.0f && W[0 * 3 + 2] == 0.0f);
    // Points 0, 1, 1.05f and m = 0.05f: (0, 1, 2) has loss
    // (1 - 1.05f) + 0.05f = 4.8e-8 > 0: active, so the nonzero mean is over
    // two triplets (0.5), not one (1.0). fl32(1 + 0.05f) < 1.05f, so the
    // test d_an < fl32(d_ap + m) called it inactive.
    float p2[3] = {0.0f, 1.0f, 1.05f};
    dist_forward(dist, sq, p2, 3, 1, 0, &ws);
    assert_true(dist[0 * 3 + 2] == 1.05f && !(1.05f < 1.0f + 0.05f));
    anchors_build(&anc, dist, y, 3);
    for (int path = 0; path < 2; path++) {
        memset(W, 0, sizeof W);
        float l;
        if (path == 0) {
            l = loss_triplet_all(&anc, 0.05f, 0, REDUCE_NONZERO, W, &act);
        } else {
            mine_all(&anc, &t);
            l = loss_triplet(&t, dist, 3, 0.05f, 0, REDUCE_NONZERO, W, &act);
        }
        assert_int_equal(act.active, 2);
        double l0 = ((double)1.0f - 1.05f) + 0.05f, l1 = ((double)1.0f - dist[1 * 3 + 2]) + 0.05f;
        assert_true(l0 > 4e-8 && l0 < 5e-8);
        assert_close(l, (l0 + l1) / 2, 1e-7, 0);
        assert_close(W[0 * 3 + 1], 0.5, 1e-7, 0);
        assert_close(W[0 * 3 + 2], -0.5, 1e-7, 0);
    }
    count_triplets(&anc, 0.05f, &c);
    assert_int_equal(c.semihard, 1);
    dist_ws_free(&ws);
    anchors_free(&anc);
    triplets_free(&t);
}

// margin_bound is the largest float that passes, for random and boundary
// inputs: the next float up fails.
static void test_margin_bound(void **state) {
    (void)state;
    ts_rng r;
    rng_seed(&r, 15, 1);
    for (int i = 0; i < 200000; i++) {
        float dap = i % 7 == 0 ? 0.0f : 4.0f * rng_float(&r);
        float m = i % 5 == 0 ? 0.0f : (i % 3 ? rng_float(&r) : 0.25f);
        for (int strict = 0; strict < 2; strict++) {
            float t = margin_bound(dap, m, strict);
            double lim = (double)dap + m;   // exact for these values
            if (t < 0) {
                assert_true(strict && dap == 0.0f && m == 0.0f);
                continue;
            }
            assert_true(strict ? (double)t - dap < m : (double)t - dap <= m);
            float up = nextafterf(t, INFINITY);
            assert_true(strict ? (double)up >= lim : (double)up > lim);
        }
    }
    assert_true(margin_bound(NAN, 0.2f, 0) != margin_bound(NAN, 0.2f, 0));
    assert_true(!margin_within(NAN, 1.0f, 0.2f) && !margin_below(1.0f, NAN, 0.2f));
    // TwoSum decides where the double difference lands on m: d_ap tiny
    // against d_an == m.
    assert_true(margin_below(1.0f, 1e-30f, 1.0f) && margin_within(1.0f, 1e-30f, 1.0f));
    assert_true(!margin_within(1.0f, -1e-30f, 1.0f));
    // d_ap + m not exact in double: the slow path.
    assert_true(margin_bound(1.0f, 1e-20f, 0) == 1.0f && margin_bound(1.0f, 1e-20f, 1) == 1.0f);
    assert_true(margin_bound(1e-20f, 1.0f, 0) == 1.0f && margin_bound(1e-20f, 1.0f, 1) == 1.0f);
}

static int cmp_u64(const void *x, const void *y) {
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return a < b ? -1 : a > b;
}

// sortkey_sort against qsort for every length up to 200, across both of its
// paths (the AVX-512 network up to 128 keys, the merge sort beyond), with
// tied distances so the index decides.
static void test_sortkey_sort(void **state) {
    (void)state;
    ts_rng r;
    rng_seed(&r, 7, 1);
    uint64_t k[200], want[200], tmp[200];
    for (int rep = 0; rep < 20; rep++)
        for (int n = 0; n <= 200; n++) {
            for (int i = 0; i < n; i++) {
                float d = rng_below(&r, 4) == 0 ? 0.5f : (float)rng_below(&r, 50) / 25.0f;
                k[i] = sortkey_pack(d, (int)rng_below(&r, 1000));
            }
            memcpy(want, k, sizeof(uint64_t) * n);
            qsort(want, n, sizeof(uint64_t), cmp_u64);
            sortkey_sort(k, n, tmp);
            assert_memory_equal(k, want, sizeof(uint64_t) * n);
        }
}

static void test_names(void **state) {
    (void)state;
    const char *order[] = {"random", "all", "hard", "semihard", "hardest-neg", "offline"};
    for (int i = 0; i < MINER_COUNT; i++) {
        assert_string_equal(miner_name((ts_miner)i), order[i]);
        assert_int_equal(miner_parse(order[i]), i);
    }
    assert_int_equal(miner_parse("batch-hard"), -1);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counts_brute_force),
        cmocka_unit_test(test_miners_brute_force),
        cmocka_unit_test(test_zero_pairs),
        cmocka_unit_test(test_random_and_hardest_neg),
        cmocka_unit_test(test_batch_all_loss),
        cmocka_unit_test(test_listed_loss_values),
        cmocka_unit_test(test_contrastive_values),
        cmocka_unit_test(test_contrastive_elementwise_values),
        cmocka_unit_test(test_contrastive_elementwise_gradient),
        cmocka_unit_test(test_chain_gradients),
        cmocka_unit_test(test_margin_boundary),
        cmocka_unit_test(test_margin_bound),
        cmocka_unit_test(test_sortkey_sort),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
