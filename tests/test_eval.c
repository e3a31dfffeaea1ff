// test_eval.c: P@1, R-precision and MAP@R on hand-computed cases; the
// stratified subsample; the PCA projection; the symmetric eigenvalues and
// the spread (effective rank, first PC's share, std of the L2-normalised).
#include <stdlib.h>
#include <string.h>
#include "testutil.h"
#include "tripletscope/dist.h"
#include "tripletscope/eigen.h"
#include "tripletscope/eval.h"
#include "tripletscope/pca.h"

static void eval1d(const float *x, const int *y, int N, int C, ts_retrieval *out) {
    ts_eval_ws ws;
    assert_int_equal(eval_ws_init(&ws, N, 1, C), 0);
    eval_retrieval(x, y, N, 1, C, &ws, out);
    eval_ws_free(&ws);
}

// Points on a line. Class A = {0, 1}: R = 1. Class B = {2, 3, 4}: R = 2.
// Class C = {5} has no other member: skipped.
//   q0 (0.0, A): nearest 1 (A)                -> P@1 1, RP 1,   AP 1
//   q1 (1.0, A): nearest 4 (B, at 0.4)        -> 0,     0,      0
//   q2 (2.1, B): 3 (0.5), 4 (0.7): B, B       -> 1,     1,      1
//   q3 (2.6, B): 2 (0.5), 4 (1.2): B, B       -> 1,     1,      1
//   q4 (1.4, B): 1 (0.4, A), 2 (0.7, B)       -> 0,     1/2,    (1/2)(1/2) = 1/4
// P@1 = 3/5, R-precision = 3.5/5, MAP@R = 3.25/5.
static void test_hand_computed(void **state) {
    (void)state;
    float x[6] = {0.0f, 1.0f, 2.1f, 2.6f, 1.4f, 9.0f};
    int y[6] = {0, 0, 1, 1, 1, 2};
    ts_retrieval r;
    eval1d(x, y, 6, 3, &r);
    assert_int_equal(r.queries, 5);
    assert_close(r.p_at_1, 0.6, 1e-6, 0);
    assert_close(r.r_precision, 0.7, 1e-6, 0);
    assert_close(r.map_at_r, 0.65, 1e-6, 0);
}

// Ties: equal distances are ranked by the lower index.
//   0: 0 (A), 1: 1 (A), 2: -1 (B), 3: 5 (B); q0 sees 1 (A) and 2 (B) both at
//   distance 1 and takes 1 first: correct. Swapping the indices of the two
//   tied neighbours makes the wrong one come first.
static void test_ties(void **state) {
    (void)state;
    float x[4] = {0.0f, 1.0f, -1.0f, 5.0f};
    int y[4] = {0, 0, 1, 1};
    ts_retrieval r;
    eval1d(x, y, 4, 2, &r);
    // q0 1/1, q1 (0 at 1) 1/1, q2 (0 at 1, A) 0, q3 (1 at 4, A) 0.
    assert_close(r.p_at_1, 0.5, 1e-6, 0);
    assert_close(r.map_at_r, 0.5, 1e-6, 0);
    float x2[4] = {0.0f, -1.0f, 1.0f, 5.0f};
    int y2[4] = {0, 1, 0, 1};
    eval1d(x2, y2, 4, 2, &r);
    // q0: 1 (B) and 2 (A) tie at 1; 1 first: wrong. q1 (-1, B): 0 (A) wrong.
    // q2 (1, A): 0 right. q3 (5, B): 2 (A) wrong.
    assert_close(r.p_at_1, 0.25, 1e-6, 0);
}

// Every class a lone member: nothing to evaluate, no division by zero.
static void test_lone_classes(void **state) {
    (void)state;
    float x[3] = {0, 1, 2};
    int y[3] = {0, 1, 2};
    ts_retrieval r;
    eval1d(x, y, 3, 3, &r);
    assert_int_equal(r.queries, 0);
    assert_true(r.p_at_1 == 0 && r.map_at_r == 0);
}

// The metrics by their definition: every distance, a full sort per query.
// cosine: ranked by 1 - cos(x_q, x_j) of the raw points, else by |x_q - x_j|.
static void direct(const float *x, const int *y, int N, int E, int C, int cosine,
                   ts_retrieval *out) {
    int *cnt = calloc(C, sizeof(int)), *order = malloc(sizeof(int) * N);
    double *d = malloc(sizeof(double) * N);
    for (int i = 0; i < N; i++) cnt[y[i]]++;
    double p1 = 0, rp = 0, map = 0;
    int queries = 0;
    for (int q = 0; q < N; q++) {
        int R = cnt[y[q]] - 1, n = 0;
        if (R <= 0) continue;
        for (int j = 0; j < N; j++) {
            if (j == q) continue;
            double s = 0, ab = 0, aa = 0, bb = 0;
            for (int k = 0; k < E; k++) {
                double t = (double)x[q * E + k] - x[j * E + k];
                s += t * t;
                ab += (double)x[q * E + k] * x[j * E + k];
                aa += (double)x[q * E + k] * x[q * E + k];
                bb += (double)x[j * E + k] * x[j * E + k];
            }
            d[j] = cosine ? 1.0 - ab / sqrt(aa * bb) : s;
            order[n++] = j;
        }
        for (int i = 1; i < n; i++) {   // insertion sort by (distance, index)
            int v = order[i], j = i - 1;
            while (j >= 0 && (d[order[j]] > d[v] || (d[order[j]] == d[v] && order[j] > v))) {
                order[j + 1] = order[j];
                j--;
            }
            order[j + 1] = v;
        }
        int correct = 0;
        double ap = 0;
        for (int i = 0; i < R; i++)
            if (y[order[i]] == y[q]) { correct++; ap += (double)correct / (i + 1); }
        p1 += y[order[0]] == y[q];
        rp += (double)correct / R;
        map += ap / R;
        queries++;
    }
    out->queries = queries;
    out->p_at_1 = (float)(p1 / queries);
    out->r_precision = (float)(rp / queries);
    out->map_at_r = (float)(map / queries);
    free(cnt); free(order); free(d);
}

// cosine: ours on the normalised points, as the trainer evaluates under
// --distance cosine (ranking by 1 - cos is ranking by the Euclidean
// distance of the unit vectors, |u - v|^2 = 2 (1 - cos)).
static void check_against_direct(const float *x, const int *y, int N, int E, int C, int cosine) {
    ts_eval_ws ws;
    assert_int_equal(eval_ws_init(&ws, N, E, C), 0);
    ts_retrieval got, want;
    float *u = malloc(sizeof(float) * (size_t)N * E), *norms = malloc(sizeof(float) * N);
    embed_forward(u, norms, x, N, E, cosine);
    eval_retrieval(u, y, N, E, C, &ws, &got);
    free(u);
    free(norms);
    eval_ws_free(&ws);
    direct(x, y, N, E, C, cosine, &want);
    assert_int_equal(got.queries, want.queries);
    // The direct ranks are exact; ours come from floats, within two units in
    // the last place. Two references whose exact distances differ by less
    // than that may swap, which moves one query's R-precision and AP by
    // about 1 / R: allow a few such swaps at the R-th neighbour (random data
    // of N = 2500 has about one, depending on the CPU's sgemm kernel), none
    // at the first (its gap is wide).
    double swaps = 4.0 / ((double)want.queries * (N / C));
    assert_close(got.p_at_1, want.p_at_1, 1e-6, 0);
    assert_close(got.r_precision, want.r_precision, 1e-6, swaps);
    assert_close(got.map_at_r, want.map_at_r, 1e-6, swaps);
}

// Tight clusters far apart (a well-trained raw embedding), with duplicated
// points: the Gram form's error grows with |x|^2, centred or not, and
// swamps the distances inside a cluster, so ranks there came out of
// rounding noise. Duplicates are exactly 0 apart and tie by index; the
// metrics equal the direct computation in double.
static void test_tight_clusters_far_apart(void **state) {
    (void)state;
    enum { N = 600, E = 4, C = 3 };
    static float x[N * E];
    static int y[N];
    ts_rng r;
    rng_seed(&r, 6, 1);
    for (int i = 0; i < N; i++) {
        y[i] = (int)rng_below(&r, C);
        int cluster = i % 2;
        for (int k = 0; k < E; k++)
            x[i * E + k] = (cluster ? 300.0f : -300.0f) + 0.01f * (float)rng_below(&r, 4) +
                           0.003f * (float)y[i];
        if (i % 3 == 2) memcpy(x + i * E, x + (i - 1) * E, sizeof(float) * E);
    }
    check_against_direct(x, y, N, E, C, 0);
    // The candidate threshold (estimated on the Gram form, then refined)
    // loses nothing: the same as taking every reference.
    ts_eval_ws ws;
    assert_int_equal(eval_ws_init(&ws, N, E, C), 0);
    ts_retrieval filtered, all;
    eval_retrieval(x, y, N, E, C, &ws, &filtered);
    ws.exhaustive = 1;
    eval_retrieval(x, y, N, E, C, &ws, &all);
    eval_ws_free(&ws);
    assert_true(filtered.p_at_1 == all.p_at_1 && filtered.map_at_r == all.map_at_r);
}

// Blocked evaluation with candidate filtering equals the direct computation.
static void test_blocks_match_direct(void **state) {
    (void)state;
    enum { N = 2500, E = 3, C = 4 };
    static float x[N * E];
    static int y[N];
    ts_rng r;
    rng_seed(&r, 5, 1);
    fill_uniform(x, N * E, -1, 1, &r);
    for (int i = 0; i < N; i++) {
        y[i] = (int)rng_below(&r, C);
        x[i * E] += 0.7f * y[i];          // some structure, not perfect
    }
    check_against_direct(x, y, N, E, C, 0);
}

// Under cosine: the metrics of the normalised points equal those ranked by
// 1 - cos in double. Directions carry the classes, the norms are noise
// (from 1e-3 to 1e3: they must not matter); every seventh point is four
// times the one before, the same direction, so 0 from it in both.
static void test_cosine_ranks(void **state) {
    (void)state;
    enum { N = 2000, E = 3, C = 4 };
    static float x[N * E];
    static int y[N];
    ts_rng r;
    rng_seed(&r, 9, 1);
    fill_uniform(x, N * E, -1, 1, &r);
    for (int i = 0; i < N; i++) {
        y[i] = (int)rng_below(&r, C);
        x[i * E + (y[i] % E)] += y[i] < E ? 0.8f : -0.8f;
        float scale = powf(10.0f, 6.0f * rng_float(&r) - 3.0f);
        for (int k = 0; k < E; k++) x[i * E + k] *= scale;
        if (i % 7 == 6)
            for (int k = 0; k < E; k++) x[i * E + k] = 4.0f * x[(i - 1) * E + k];
    }
    check_against_direct(x, y, N, E, C, 1);
}

// A layout that defeats the sampled threshold: the sampled references (every
// third) lie in a unit square near the queries, the others 10 away, so too
// few candidates fall below the estimate and every reference is taken
// instead. Compared with the exhaustive path bit for bit (near-ties among a
// thousand points in a square are beyond float distances' precision, so the
// double-precision definition could differ on a query or two).
static void test_threshold_fallback(void **state) {
    (void)state;
    enum { N = 3000 };
    static float x[2 * N];
    static int y[N];
    ts_rng r;
    rng_seed(&r, 8, 1);
    for (int j = 0; j < N; j++) {
        x[2 * j] = rng_float(&r);
        x[2 * j + 1] = rng_float(&r) + (j % 3 == 0 ? 0.0f : 10.0f);
        y[j] = j < 2000 ? 0 : 1;
    }
    ts_eval_ws ws;
    assert_int_equal(eval_ws_init(&ws, N, 2, 2), 0);
    ts_retrieval filtered, all;
    eval_retrieval(x, y, N, 2, 2, &ws, &filtered);
    ws.exhaustive = 1;
    eval_retrieval(x, y, N, 2, 2, &ws, &all);
    eval_ws_free(&ws);
    assert_true(filtered.p_at_1 == all.p_at_1);
    assert_true(filtered.r_precision == all.r_precision);
    assert_true(filtered.map_at_r == all.map_at_r);
    assert_true(all.map_at_r > 0.3f && all.map_at_r < 1.0f);
}

static void test_subsample(void **state) {
    (void)state;
    enum { N = 1000, C = 3 };
    int y[N], idx[N], idx2[N];
    for (int i = 0; i < N; i++) y[i] = i < 500 ? 0 : i < 800 ? 1 : 2;   // 50/30/20 %
    int n = eval_subsample(y, N, C, 101, 42, idx);
    assert_int_equal(n, 101);
    int cnt[C] = {0};
    for (int i = 0; i < n; i++) {
        cnt[y[idx[i]]]++;
        if (i) assert_true(idx[i] > idx[i - 1]);
    }
    assert_int_equal(cnt[0], 51);   // 50.5 -> the largest remainder
    assert_int_equal(cnt[1], 30);
    assert_int_equal(cnt[2], 20);
    assert_int_equal(eval_subsample(y, N, C, 101, 42, idx2), 101);
    assert_memory_equal(idx, idx2, sizeof(int) * 101);
    assert_int_equal(eval_subsample(y, N, C, 101, 43, idx2), 101);
    assert_true(memcmp(idx, idx2, sizeof(int) * 101) != 0);
    assert_int_equal(eval_subsample(y, N, C, 0, 1, idx), N);
    assert_int_equal(idx[N - 1], N - 1);
}

// PCA: points along known axes come out along the first two coordinates,
// with their variances, and the signs stay put between calls.
static void test_pca(void **state) {
    (void)state;
    enum { N = 400, E = 5 };
    static float pts[N * E], out[N * 2], out2[N * 2];
    ts_rng r;
    rng_seed(&r, 6, 1);
    // Axis u = (1,1,0,0,0)/sqrt2 with std 3, axis v = (0,0,1,0,0) with std 1,
    // tiny noise elsewhere; offset far from the origin.
    for (int i = 0; i < N; i++) {
        float a = 3 * rng_normal(&r), b = rng_normal(&r);
        float *p = pts + i * E;
        p[0] = 10 + a / sqrtf(2) + 0.01f * rng_normal(&r);
        p[1] = -4 + a / sqrtf(2) + 0.01f * rng_normal(&r);
        p[2] = 7 + b;
        p[3] = 0.01f * rng_normal(&r);
        p[4] = 0.01f * rng_normal(&r);
    }
    ts_pca p;
    assert_int_equal(pca_init(&p, N, E), 0);
    pca_project(&p, pts, N, out);
    assert_close(p.var[0], 9.0, 0.15, 0);
    assert_close(p.var[1], 1.0, 0.15, 0);
    assert_close(fabs(p.axes[0] * 0.70710678 + p.axes[1] * 0.70710678), 1.0, 1e-3, 0);
    assert_close(fabs(p.axes[E + 2]), 1.0, 1e-3, 0);
    // The projection is the centred data along the axes: mean 0.
    double m0 = 0, m1 = 0;
    for (int i = 0; i < N; i++) { m0 += out[2 * i]; m1 += out[2 * i + 1]; }
    assert_close(m0 / N, 0, 0, 1e-4);
    assert_close(m1 / N, 0, 0, 1e-4);
    // Again, slightly moved: no sign flip.
    for (int i = 0; i < N * E; i++) pts[i] += 0.001f * rng_normal(&r);
    pca_project(&p, pts, N, out2);
    double dot0 = 0, dot1 = 0;
    for (int i = 0; i < N; i++) { dot0 += out[2 * i] * out2[2 * i]; dot1 += out[2 * i + 1] * out2[2 * i + 1]; }
    assert_true(dot0 > 0 && dot1 > 0);
    // Mirrored data: the axes keep their previous orientation.
    for (int i = 0; i < N * E; i++) pts[i] = -pts[i];
    pca_project(&p, pts, N, out2);
    dot0 = 0;
    for (int i = 0; i < N; i++) dot0 += out[2 * i] * out2[2 * i];
    assert_true(dot0 < 0);   // the points flipped, the axis did not
    // The extent: the larger span of the projected coordinates; extent0
    // keeps the first one's through a collapse, until pca_forget.
    float lo = out2[0], hi = out2[0];
    for (int i = 1; i < N; i++) {
        if (out2[2 * i] < lo) lo = out2[2 * i];
        if (out2[2 * i] > hi) hi = out2[2 * i];
    }
    assert_close(p.extent, hi - lo, 1e-5, 0);
    assert_true(p.extent > 10);   // std 3 along the first axis
    float first = p.extent0;
    for (int i = 0; i < N * E; i++) pts[i] *= 1e-4f;
    pca_project(&p, pts, N, out2);
    assert_close(p.extent, 1e-4 * first, 0.05, 0);
    assert_true(p.extent0 == first);
    pca_forget(&p);
    pca_project(&p, pts, N, out2);
    assert_true(p.extent0 == p.extent);
    pca_free(&p);
}

// The first projection's signs are a rule, not an accident of the start
// vectors: each axis' largest component is positive, whichever way the
// principal directions point.
static void test_pca_first_sign(void **state) {
    (void)state;
    enum { N = 300, E = 4 };
    static float pts[N * E];
    static const float dirs[4][2][E] = {
        {{0.6f, -0.8f, 0, 0}, {0, 0, -1, 0}},
        {{-0.8f, 0.6f, 0, 0}, {0, 0, 0, -1}},
        {{0, 0, 0.6f, -0.8f}, {-1, 0, 0, 0}},
        {{0, -1, 0, 0}, {0, 0, -0.6f, -0.8f}},
    };
    for (int t = 0; t < 4; t++) {
        ts_rng r;
        rng_seed(&r, 11 + t, 1);
        for (int i = 0; i < N; i++) {
            float a = 3 * rng_normal(&r), b = rng_normal(&r);
            for (int k = 0; k < E; k++)
                pts[i * E + k] = a * dirs[t][0][k] + b * dirs[t][1][k] + 0.01f * rng_normal(&r);
        }
        ts_pca p;
        static float out[N * 2];
        assert_int_equal(pca_init(&p, N, E), 0);
        pca_project(&p, pts, N, out);
        for (int row = 0; row < 2; row++) {
            const float *ax = p.axes + row * E;
            int big = 0;
            for (int k = 1; k < E; k++) if (fabsf(ax[k]) > fabsf(ax[big])) big = k;
            assert_true(ax[big] > 0);
            // ... and the axis is the planted direction, up to that sign.
            double dot = 0;
            for (int k = 0; k < E; k++) dot += ax[k] * dirs[t][row][k];
            assert_close(fabs(dot), 1.0, 0.01, 0);   // sampling noise of 300 points
        }
        pca_free(&p);
    }
}

// --- Eigenvalues ---------------------------------------------------------------------------

// Brute force: cyclic Jacobi rotations on a copy until the off-diagonal is
// gone; the eigenvalues sorted decreasing into w.
static void jacobi_eigenvalues(const double *a0, int n, double *w) {
    double *a = malloc(sizeof(double) * (size_t)n * n);
    memcpy(a, a0, sizeof(double) * (size_t)n * n);
    for (int sweep = 0; sweep < 100; sweep++) {
        double off = 0;
        for (int p = 0; p < n; p++)
            for (int q = p + 1; q < n; q++) off += a[p * n + q] * a[p * n + q];
        if (off < 1e-30) break;
        for (int p = 0; p < n; p++)
            for (int q = p + 1; q < n; q++) {
                double apq = a[p * n + q];
                if (apq == 0) continue;
                double theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
                double t = (theta >= 0 ? 1 : -1) / (fabs(theta) + sqrt(theta * theta + 1));
                double c = 1 / sqrt(t * t + 1), s = t * c;
                for (int k = 0; k < n; k++) {   // columns p, q
                    double akp = a[k * n + p], akq = a[k * n + q];
                    a[k * n + p] = c * akp - s * akq;
                    a[k * n + q] = s * akp + c * akq;
                }
                for (int k = 0; k < n; k++) {   // rows p, q
                    double apk = a[p * n + k], aqk = a[q * n + k];
                    a[p * n + k] = c * apk - s * aqk;
                    a[q * n + k] = s * apk + c * aqk;
                }
            }
    }
    for (int i = 0; i < n; i++) w[i] = a[i * n + i];
    for (int i = 1; i < n; i++)   // insertion sort, decreasing
        for (int j = i; j > 0 && w[j] > w[j - 1]; j--) { double t = w[j]; w[j] = w[j - 1]; w[j - 1] = t; }
    free(a);
}

// A random orthogonal (n, n): Gram-Schmidt on normal rows.
static void random_orthogonal(double *q, int n, ts_rng *r) {
    for (int i = 0; i < n; i++) {
        for (;;) {
            for (int k = 0; k < n; k++) q[i * n + k] = rng_normal(r);
            for (int pass = 0; pass < 2; pass++)
                for (int j = 0; j < i; j++) {
                    double d = 0;
                    for (int k = 0; k < n; k++) d += q[i * n + k] * q[j * n + k];
                    for (int k = 0; k < n; k++) q[i * n + k] -= d * q[j * n + k];
                }
            double nn = 0;
            for (int k = 0; k < n; k++) nn += q[i * n + k] * q[i * n + k];
            if (nn < 1e-6) continue;
            for (int k = 0; k < n; k++) q[i * n + k] /= sqrt(nn);
            break;
        }
    }
}

// a = Q^T diag(lam) Q.
static void with_spectrum(double *a, const double *q, const double *lam, int n) {
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            double s = 0;
            for (int k = 0; k < n; k++) s += q[k * n + i] * lam[k] * q[k * n + j];
            a[i * n + j] = s;
        }
    for (int i = 0; i < n; i++)   // exactly symmetric
        for (int j = 0; j < i; j++) a[i * n + j] = a[j * n + i];
}

// Known spectra: 1 x 1, a 2 x 2 by hand, a diagonal, the path graph's
// Laplacian-like tridiag(-1, 2, -1) (eigenvalues 2 - 2 cos(k pi / (n+1))),
// a rotated spectrum with repeated and zero eigenvalues.
static void test_eigen_known(void **state) {
    (void)state;
    double a[400], w[20], e[40];
    a[0] = -3.5;
    assert_int_equal(eigen_symmetric(a, 1, w, e), 0);
    assert_true(w[0] == -3.5);
    // [[2, 1], [1, 2]]: 3 and 1.
    double a2[4] = {2, 1, 1, 2};
    assert_int_equal(eigen_symmetric(a2, 2, w, e), 0);
    assert_close(w[0], 3, 1e-14, 0);
    assert_close(w[1], 1, 1e-14, 0);
    // diag(1, 5, -2, 0): sorted 5, 1, 0, -2.
    double a4[16] = {1, 0, 0, 0, 0, 5, 0, 0, 0, 0, -2, 0, 0, 0, 0, 0};
    assert_int_equal(eigen_symmetric(a4, 4, w, e), 0);
    assert_true(w[0] == 5 && w[1] == 1 && w[2] == 0 && w[3] == -2);
    enum { n = 17 };
    memset(a, 0, sizeof a);
    for (int i = 0; i < n; i++) {
        a[i * n + i] = 2;
        if (i + 1 < n) a[i * n + i + 1] = a[(i + 1) * n + i] = -1;
    }
    assert_int_equal(eigen_symmetric(a, n, w, e), 0);
    for (int k = 1; k <= n; k++)   // decreasing: k = n first
        assert_close(w[k - 1], 2 - 2 * cos((n + 1 - k) * M_PI / (n + 1)), 0, 1e-13);
    double q[400], lam[20] = {9, 4, 4, 4, 1, 0.5, 0.25, 0, 0, 0, -1, -1, 1e-9, 3, 2, 7, 6, 5, 8, 0.1};
    ts_rng r;
    rng_seed(&r, 21, 1);
    random_orthogonal(q, 20, &r);
    with_spectrum(a, q, lam, 20);
    assert_int_equal(eigen_symmetric(a, 20, w, e), 0);
    double want[20];
    memcpy(want, lam, sizeof want);
    for (int i = 1; i < 20; i++)
        for (int j = i; j > 0 && want[j] > want[j - 1]; j--) { double t = want[j]; want[j] = want[j - 1]; want[j - 1] = t; }
    for (int i = 0; i < 20; i++) assert_close(w[i], want[i], 0, 1e-12);
}

// Random symmetric matrices of several sizes against Jacobi (the brute force).
static void test_eigen_brute_force(void **state) {
    (void)state;
    static const int sizes[] = {2, 3, 5, 16, 33, 64};
    ts_rng r;
    rng_seed(&r, 22, 1);
    for (size_t t = 0; t < sizeof sizes / sizeof sizes[0]; t++) {
        int n = sizes[t];
        double *a = malloc(sizeof(double) * n * n), *b = malloc(sizeof(double) * n * n);
        double *w = malloc(sizeof(double) * n), *e = malloc(sizeof(double) * 2 * n);
        double *want = malloc(sizeof(double) * n);
        for (int i = 0; i < n; i++)
            for (int j = 0; j <= i; j++) a[i * n + j] = a[j * n + i] = rng_normal(&r) * (1 + (i == j) * 10 * (t % 2));
        // Only the lower triangle is read: the upper one NaN changes nothing.
        memcpy(b, a, sizeof(double) * n * n);
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++) b[i * n + j] = NAN;
        jacobi_eigenvalues(a, n, want);
        assert_int_equal(eigen_symmetric(b, n, w, e), 0);
        double scale = fabs(want[0]) > fabs(want[n - 1]) ? fabs(want[0]) : fabs(want[n - 1]);
        for (int i = 0; i < n; i++) assert_close(w[i], want[i], 0, 1e-12 * scale);
        free(a); free(b); free(w); free(e); free(want);
    }
}

// --- The spread ----------------------------------------------------------------------------

static void spread_of(const float *x, int N, int E, ts_spread *out) {
    ts_eval_ws ws;
    assert_int_equal(eval_ws_init(&ws, N, E, 1), 0);
    eval_spread(x, N, E, &ws, out);
    eval_ws_free(&ws);
}

// +-a_k e_k for each k (2E points, mean 0): the covariance is diag(2 a_k^2 / N),
// the singular values are proportional to a_k. All a_k equal: rank E, first
// PC 1/E; and each dimension of the normalised points is +-1 at two of the N
// points, 0 elsewhere: std sqrt(2 / (N - 1)), about 1/sqrt(E).
static void axis_points(float *x, const float *a, int E, const float *offset) {
    memset(x, 0, sizeof(float) * 2 * E * E);
    for (int k = 0; k < E; k++) {
        x[(2 * k) * E + k] = a[k];
        x[(2 * k + 1) * E + k] = -a[k];
    }
    if (offset)
        for (int i = 0; i < 2 * E; i++)
            for (int k = 0; k < E; k++) x[i * E + k] += offset[k];
}

static void test_spread_identity_like(void **state) {
    (void)state;
    enum { E = 32, N = 2 * E };
    static float x[N * E], a[E];
    for (int k = 0; k < E; k++) a[k] = 3.0f;
    axis_points(x, a, E, NULL);
    ts_spread s;
    spread_of(x, N, E, &s);
    assert_int_equal(s.dims, E);
    assert_close(s.effective_rank, E, 1e-5, 0);
    assert_close(s.pc1_share, 1.0 / E, 1e-5, 0);
    assert_close(s.std_l2, sqrt(2.0 / (N - 1)), 1e-5, 0);
}

// Singular values proportional to (4, 2, 1, 1): p = (1/2, 1/4, 1/8, 1/8),
// H = (1/2 + 1/2 + 3/4) ln 2, rank 2^1.75 = 3.3636; the first PC 16/22.
// Rotated and moved far from the origin: centred, the same; the
// uncentred spectrum would differ.
static void test_spread_known_spectrum(void **state) {
    (void)state;
    enum { E = 4, N = 2 * E };
    float x[N * E], y[N * E], a[E] = {4, 2, 1, 1}, off[E] = {0, 0, 0, 0};
    axis_points(x, a, E, NULL);
    ts_spread s;
    spread_of(x, N, E, &s);
    assert_close(s.effective_rank, pow(2, 1.75), 1e-5, 0);
    assert_close(s.pc1_share, 16.0 / 22.0, 1e-5, 0);
    double q[E * E];
    ts_rng r;
    rng_seed(&r, 23, 1);
    random_orthogonal(q, E, &r);
    for (int k = 0; k < E; k++) off[k] = 50.0f * (float)(k + 1);
    for (int i = 0; i < N; i++)
        for (int k = 0; k < E; k++) {
            double v = 0;
            for (int j = 0; j < E; j++) v += x[i * E + j] * q[j * E + k];
            y[i * E + k] = (float)v + off[k];
        }
    spread_of(y, N, E, &s);
    assert_close(s.effective_rank, pow(2, 1.75), 1e-3, 0);
    assert_close(s.pc1_share, 16.0 / 22.0, 1e-3, 0);
}

// Rank-1 data (points along one line, off the origin): rank 1, the first
// PC all of the variance, though the float covariance's rounding leaves the
// other eigenvalues just above 0. Two lines: rank 2 when they spread alike.
static void test_spread_rank_one(void **state) {
    (void)state;
    enum { E = 32, N = 500 };
    static float x[N * E];
    float u[E], v[E];
    ts_rng r;
    rng_seed(&r, 24, 1);
    double nu = 0;
    for (int k = 0; k < E; k++) { u[k] = rng_normal(&r); nu += u[k] * u[k]; }
    for (int k = 0; k < E; k++) u[k] /= (float)sqrt(nu);
    for (int i = 0; i < N; i++) {
        float t = 5 * rng_normal(&r);
        for (int k = 0; k < E; k++) x[i * E + k] = 1.0f + t * u[k];
    }
    ts_spread s;
    spread_of(x, N, E, &s);
    assert_close(s.effective_rank, 1, 0, 1e-3);
    assert_close(s.pc1_share, 1, 0, 1e-5);
    // v orthogonal to u, the same spread along it: two equal singular values.
    for (int k = 0; k < E; k++) v[k] = (float)(k % 2 ? 1 : -1) / sqrtf(E);
    double d = 0;
    for (int k = 0; k < E; k++) d += u[k] * v[k];
    double nv = 0;
    for (int k = 0; k < E; k++) { v[k] -= (float)(d * u[k]); nv += v[k] * v[k]; }
    for (int k = 0; k < E; k++) v[k] /= (float)sqrt(nv);
    for (int i = 0; i < N; i++) {   // +-(u, v) at 5 each: a square's corners
        float t = i % 2 ? 5.0f : -5.0f, z = (i / 2) % 2 ? 5.0f : -5.0f;
        for (int k = 0; k < E; k++) x[i * E + k] = t * u[k] + z * v[k];
    }
    spread_of(x, 4 * (N / 4), E, &s);
    assert_close(s.effective_rank, 2, 0, 1e-3);
    assert_close(s.pc1_share, 0.5, 0, 1e-4);
}

// Random anisotropic data against the definitions in double: the centred
// covariance summed directly, Jacobi's eigenvalues, the entropy; per
// dimension, the standard deviation (N - 1) of the normalised rows.
static void test_spread_brute_force(void **state) {
    (void)state;
    enum { E = 20, N = 777 };   // N not a multiple of the row block
    static float x[N * E];
    static double cov[E * E];
    ts_rng r;
    rng_seed(&r, 25, 1);
    for (int i = 0; i < N; i++)
        for (int k = 0; k < E; k++) x[i * E + k] = (float)(rng_normal(&r) * exp(-0.3 * k) + 0.5 * k);
    double mean[E] = {0};
    for (int i = 0; i < N; i++)
        for (int k = 0; k < E; k++) mean[k] += x[i * E + k] / (double)N;
    memset(cov, 0, sizeof cov);
    for (int i = 0; i < N; i++)
        for (int j = 0; j < E; j++)
            for (int k = 0; k < E; k++)
                cov[j * E + k] += (x[i * E + j] - mean[j]) * (x[i * E + k] - mean[k]) / N;
    double lam[E], sum_s = 0, trace = 0, h = 0;
    jacobi_eigenvalues(cov, E, lam);
    for (int k = 0; k < E; k++) { sum_s += sqrt(lam[k]); trace += lam[k]; }
    for (int k = 0; k < E; k++) h -= sqrt(lam[k]) / sum_s * log(sqrt(lam[k]) / sum_s);
    double s1[E] = {0}, s2[E] = {0}, std = 0;
    for (int i = 0; i < N; i++) {
        double nn = 0;
        for (int k = 0; k < E; k++) nn += (double)x[i * E + k] * x[i * E + k];
        for (int k = 0; k < E; k++) s1[k] += x[i * E + k] / sqrt(nn) / N;
    }
    for (int i = 0; i < N; i++) {
        double nn = 0;
        for (int k = 0; k < E; k++) nn += (double)x[i * E + k] * x[i * E + k];
        for (int k = 0; k < E; k++) { double t = x[i * E + k] / sqrt(nn) - s1[k]; s2[k] += t * t; }
    }
    for (int k = 0; k < E; k++) std += sqrt(s2[k] / (N - 1)) / E;
    ts_spread s;
    spread_of(x, N, E, &s);
    assert_close(s.effective_rank, exp(h), 1e-4, 0);
    assert_close(s.pc1_share, lam[0] / trace, 1e-4, 0);
    assert_close(s.std_l2, std, 1e-4, 0);
    assert_true(s.effective_rank > 2 && s.effective_rank < 19);   // not a trivial case
}

// Nothing to measure: one point, identical points, too many dimensions.
static void test_spread_degenerate(void **state) {
    (void)state;
    float x[3 * 4] = {1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4};
    ts_spread s;
    spread_of(x, 1, 4, &s);
    assert_true(isnan(s.effective_rank) && isnan(s.pc1_share) && isnan(s.std_l2));
    spread_of(x, 3, 4, &s);   // no variance: no direction; the normalised rows agree
    assert_true(isnan(s.effective_rank) && isnan(s.pc1_share));
    assert_close(s.std_l2, 0, 0, 1e-7);
    enum { BIG = EVAL_SPREAD_MAX_E + 1 };
    float *z = calloc((size_t)2 * BIG, sizeof(float));
    z[0] = 1;
    ts_eval_ws ws;
    assert_int_equal(eval_ws_init(&ws, 2, BIG, 1), 0);
    assert_null(ws.cov);   // no (E, E) scratch past the limit
    eval_spread(z, 2, BIG, &ws, &s);
    assert_int_equal(s.dims, BIG);
    assert_true(isnan(s.effective_rank) && isnan(s.std_l2));
    eval_ws_free(&ws);
    free(z);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hand_computed),
        cmocka_unit_test(test_ties),
        cmocka_unit_test(test_lone_classes),
        cmocka_unit_test(test_blocks_match_direct),
        cmocka_unit_test(test_cosine_ranks),
        cmocka_unit_test(test_tight_clusters_far_apart),
        cmocka_unit_test(test_threshold_fallback),
        cmocka_unit_test(test_subsample),
        cmocka_unit_test(test_pca),
        cmocka_unit_test(test_pca_first_sign),
        cmocka_unit_test(test_eigen_known),
        cmocka_unit_test(test_eigen_brute_force),
        cmocka_unit_test(test_spread_identity_like),
        cmocka_unit_test(test_spread_known_spectrum),
        cmocka_unit_test(test_spread_rank_one),
        cmocka_unit_test(test_spread_brute_force),
        cmocka_unit_test(test_spread_degenerate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
