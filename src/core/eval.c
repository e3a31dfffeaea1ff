// eval.c: P@1, R-precision and MAP@R, blockwise through sgemm. The ranking
// is by the Euclidean distance of the embeddings given; under cosine the
// trainer gives them normalised, which ranks as 1 - cos does.
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "tripletscope/blas.h"
#include "tripletscope/dist.h"
#include "tripletscope/eigen.h"
#include "tripletscope/eval.h"
#include "tripletscope/rng.h"
#include "tripletscope/sortkey.h"

// Distances sampled per query to estimate where its R nearest end.
#define EVAL_SAMPLE 256

// Eigenvalues of the covariance at or under this share of the largest count
// as 0. Rank-1 data in float (points on a line, tests/test_eval.c) leaves
// the others at +-2e-8 to 7e-8 of the largest from rounding alone (E = 32 to
// 512, N = 500 to 10000), whose square roots would count as 0.02 (E = 32)
// to 0.18 (E = 512) directions more. A direction at the floor has a
// thousandth of the first's singular value.
#define EVAL_SPREAD_TOL 1e-6

int eval_ws_init(ts_eval_ws *ws, int maxN, int maxE, int maxC) {
    memset(ws, 0, sizeof *ws);
    ws->maxN = maxN;
    ws->maxE = maxE;
    ws->maxC = maxC;
    ws->block = 128;
    ws->n2 = malloc(sizeof(float) * ((size_t)maxN + (size_t)ws->block * maxN));
    ws->sortkeys = malloc(sizeof(uint64_t) * 2 * (size_t)maxN);
    ws->class_count = malloc(sizeof(int) * maxC);
    ws->sample = malloc(sizeof(float) * (EVAL_SAMPLE + 1));
    if (!ws->n2 || !ws->sortkeys || !ws->class_count || !ws->sample) { eval_ws_free(ws); return -1; }
    if (maxE <= EVAL_SPREAD_MAX_E) {
        size_t E2 = (size_t)maxE * maxE;
        ws->xc = malloc(sizeof(float) * ((size_t)EVAL_SPREAD_ROWS * maxE + E2));
        ws->eig = malloc(sizeof(double) * (E2 + 6 * (size_t)maxE));
        if (!ws->xc || !ws->eig) { eval_ws_free(ws); return -1; }
        ws->cov = ws->xc + (size_t)EVAL_SPREAD_ROWS * maxE;
    }
    ws->sortbuf = ws->sortkeys + maxN;
    ws->D = ws->n2 + maxN;
    return 0;
}

void eval_ws_free(ts_eval_ws *ws) {
    free(ws->n2);
    free(ws->sortkeys);
    free(ws->class_count);
    free(ws->sample);
    free(ws->xc);
    free(ws->eig);
    memset(ws, 0, sizeof *ws);
}

// Rearranges k (n) so that its first m entries are the m smallest.
static void select_smallest(uint64_t *k, int n, int m) {
    int lo = 0, hi = n - 1;
    while (lo < hi) {
        uint64_t a = k[lo], b = k[(lo + hi) / 2], c = k[hi];
        uint64_t pivot = a < b ? (b < c ? b : (a < c ? c : a)) : (a < c ? a : (b < c ? c : b));
        int i = lo, j = hi;
        while (i <= j) {
            while (k[i] < pivot) i++;
            while (k[j] > pivot) j--;
            if (i <= j) { uint64_t t = k[i]; k[i] = k[j]; k[j] = t; i++; j--; }
        }
        if (m - 1 <= j) hi = j;
        else if (m - 1 >= i) lo = i;
        else break;
    }
}

// Keys (distance, index) of every reference j != q with d <= t, in index
// order; the Gram form's values below 0 as 0, so that the sortkeys order.
static int collect(const float *d, int N, int q, float t, uint64_t *sortkeys) {
    int n = 0;
    // Branch-free: write every key, advance only past the kept ones.
    for (int j = 0; j < N; j++) {
        sortkeys[n] = sortkey_pack(d[j] > 0.0f ? d[j] : 0.0f, j);
        n += (d[j] <= t) & (j != q);
    }
    return n;
}

// The collected sortkeys' distances where the Gram form cancelled, computed
// again from the differences (dist_sq_fix_row's rule, for these only).
static void refine_sortkeys(uint64_t *sortkeys, int n, const float *row, const float *eq, float n2q,
                        const float *emb, const float *n2, int E) {
    for (int i = 0; i < n; i++) {
        int j = sortkey_index(sortkeys[i]);
        if (dist_cancelled(row[j], n2q, n2[j]))
            sortkeys[i] = sortkey_pack(dist_sq_direct(eq, emb + (size_t)j * E, E), j);
    }
}

// A distance that, very likely, at least R references of the query lie
// within: the matching quantile of every stride-th distance, with room to
// spare. If it falls short, the caller takes every reference instead, so the
// result never depends on the estimate.
static float candidate_bound(const float *d, int N, int q, int R, float *sample) {
    int stride = (N + EVAL_SAMPLE - 1) / EVAL_SAMPLE, n = 0;   // at most EVAL_SAMPLE
    for (int j = 0; j < N; j += stride)
        if (j != q) sample[n++] = d[j];
    int k = (int)((double)R / N * n * 1.25) + 16;
    if (k >= n) return INFINITY;
    // Selection of the k-th smallest of the sample (floats, in place).
    int lo = 0, hi = n - 1;
    while (lo < hi) {
        float pivot = sample[(lo + hi) / 2];
        int i = lo, j = hi;
        while (i <= j) {
            while (sample[i] < pivot) i++;
            while (sample[j] > pivot) j--;
            if (i <= j) { float x = sample[i]; sample[i] = sample[j]; sample[j] = x; i++; j--; }
        }
        if (k <= j) hi = j;
        else if (k >= i) lo = i;
        else break;
    }
    return sample[k];
}

void eval_retrieval(const float *emb, const int *y, int N, int E, int C,
                    ts_eval_ws *ws, ts_retrieval *out) {
    memset(out, 0, sizeof *out);
    float *n2 = ws->n2, n2max = 0;
    for (int i = 0; i < N; i++) {
        n2[i] = dist_sq_norm(emb + (size_t)i * E, E);
        n2max = n2[i] > n2max ? n2[i] : n2max;
    }
    memset(ws->class_count, 0, sizeof(int) * C);
    for (int i = 0; i < N; i++) ws->class_count[y[i]]++;

    double p1 = 0, rp = 0, map = 0;
    int queries = 0;
    for (int q0 = 0; q0 < N; q0 += ws->block) {
        int Q = N - q0 < ws->block ? N - q0 : ws->block;
        mm(0, 1, Q, N, E, -2.0f, emb + (size_t)q0 * E, emb, 0.0f, ws->D);
        for (int qi = 0; qi < Q; qi++) {
            int q = q0 + qi, R = ws->class_count[y[q]] - 1;
            if (R <= 0) continue;
            // The Gram form's squared distances of this query (in place);
            // only the candidates below a threshold estimated from a fixed
            // sample go on: about R of N sortkeys instead of all N. Those whose
            // Gram form cancelled are computed again from the differences
            // (as the training's dist_forward does), so duplicates are
            // exactly 0 apart and tie by index. The threshold has the Gram
            // form's error bound added, so no reference whose exact
            // distance is below it is missed.
            float *row = ws->D + (size_t)qi * N;
            const float *eq = emb + (size_t)q * E;
            for (int j = 0; j < N; j++) row[j] = dist_gram(row[j], n2[q], n2[j]);
            float t = ws->exhaustive ? INFINITY : candidate_bound(row, N, q, R, ws->sample);
            // (t also for the refined values' own rounding, E u of them.)
            float wide = t * (1.0f + (float)(2 * E) * 0x1p-24f) + dist_gram_slack(n2[q], n2max, E);
            int n = collect(row, N, q, wide, ws->sortkeys);
            if (n >= R) {
                refine_sortkeys(ws->sortkeys, n, row, eq, n2[q], emb, n2, E);
                select_smallest(ws->sortkeys, n, R);
                sortkey_sort(ws->sortkeys, R, ws->sortbuf);
            }
            // Too few, or the R-th nearest beyond the threshold once
            // refined: every reference.
            if (n < R || (t < INFINITY && !(sortkey_dist(ws->sortkeys[R - 1]) <= t))) {
                n = collect(row, N, q, INFINITY, ws->sortkeys);
                refine_sortkeys(ws->sortkeys, n, row, eq, n2[q], emb, n2, E);
                select_smallest(ws->sortkeys, n, R);
                sortkey_sort(ws->sortkeys, R, ws->sortbuf);
            }
            int correct = 0;
            double ap = 0;
            for (int i = 0; i < R; i++) {
                if (y[(uint32_t)ws->sortkeys[i]] == y[q]) {
                    correct++;
                    ap += (double)correct / (i + 1);
                }
            }
            p1 += y[(uint32_t)ws->sortkeys[0]] == y[q];
            rp += (double)correct / R;
            map += ap / R;
            queries++;
        }
        if (ws->progress) ws->progress(ws->progress_ctx, ws->progress_tag, q0 + Q, N);
    }
    out->queries = queries;
    if (queries) {
        out->p_at_1 = (float)(p1 / queries);
        out->r_precision = (float)(rp / queries);
        out->map_at_r = (float)(map / queries);
    }
}

// --- The spread -------------------------------------------------------------------------

void eval_spread(const float *emb, int N, int E, ts_eval_ws *ws, ts_spread *out) {
    out->effective_rank = out->pc1_share = out->std_l2 = NAN;
    out->dims = E;
    if (N < 2 || E < 1 || !ws->xc || E > ws->maxE) return;
    double *a = ws->eig, *w = a + (size_t)E * E, *scratch = w + E, *mean = scratch + 2 * E;
    double *s1 = mean + E, *s2 = s1 + E;
    // The mean (for centring), and the sums of the L2-normalised rows
    // (Lightly's std_of_l2_normalized: a zero row stays zero).
    for (int k = 0; k < E; k++) mean[k] = s1[k] = s2[k] = 0;
    for (int i = 0; i < N; i++) {
        const float *x = emb + (size_t)i * E;
        double nn = 0;
        for (int k = 0; k < E; k++) nn += (double)x[k] * x[k];
        double inv = 1.0 / fmax(sqrt(nn), 1e-12);
        for (int k = 0; k < E; k++) {
            double u = x[k] * inv;
            mean[k] += x[k];
            s1[k] += u;
            s2[k] += u * u;
        }
    }
    double std_sum = 0;
    for (int k = 0; k < E; k++) {
        mean[k] /= N;
        double var = (s2[k] - s1[k] * s1[k] / N) / (N - 1);
        std_sum += sqrt(var > 0 ? var : 0);
    }
    out->std_l2 = (float)(std_sum / E);
    // cov (E, E) = (1/N) Xc^T Xc, a block of centred rows at a time.
    for (int i0 = 0; i0 < N; i0 += EVAL_SPREAD_ROWS) {
        int Q = N - i0 < EVAL_SPREAD_ROWS ? N - i0 : EVAL_SPREAD_ROWS;
        for (int i = 0; i < Q; i++) {
            const float *x = emb + (size_t)(i0 + i) * E;
            float *c = ws->xc + (size_t)i * E;
            for (int k = 0; k < E; k++) c[k] = (float)(x[k] - mean[k]);
        }
        mm(1, 0, E, E, Q, 1.0f / (float)N, ws->xc, ws->xc, i0 ? 1.0f : 0.0f, ws->cov);
    }
    double trace = 0;
    for (size_t k = 0; k < (size_t)E * E; k++) a[k] = ws->cov[k];
    for (int k = 0; k < E; k++) trace += a[(size_t)k * E + k];
    if (!(trace > 0)) return;   // every embedding the same: no direction at all
    eigen_symmetric(a, E, w, scratch);   // 60 QL iterations each: converged in practice
    double top = w[0] > 0 ? w[0] : 0, floor = EVAL_SPREAD_TOL * top, sum_s = 0;
    for (int k = 0; k < E; k++) {
        w[k] = w[k] > floor ? sqrt(w[k]) : 0;   // singular values, up to sqrt(N)
        sum_s += w[k];
    }
    if (!(sum_s > 0)) return;
    double h = 0;
    for (int k = 0; k < E; k++)
        if (w[k] > 0) h -= w[k] / sum_s * log(w[k] / sum_s);
    out->effective_rank = (float)exp(h);
    out->pc1_share = (float)(top / trace);
}

// --- The subsample ------------------------------------------------------------------------

int eval_subsample(const int *y, int N, int C, int n, uint64_t seed, int *idx) {
    if (n <= 0 || n >= N) {
        for (int i = 0; i < N; i++) idx[i] = i;
        return N;
    }
    // Shuffle each class's members, then take from each class in proportion
    // (largest remainders), so the subsample keeps the class balance.
    int *order = malloc(sizeof(int) * (size_t)N);
    long *share = malloc(sizeof(long) * (size_t)C);
    int *cnt = calloc((size_t)C * 3, sizeof(int));
    char *keep = calloc((size_t)N, 1);
    if (!order || !share || !cnt || !keep) {
        free(order); free(share); free(cnt); free(keep);
        return -1;   // not a different subsample: that would change the metrics unseen
    }
    int *take = cnt + C, *start = take + C;
    for (int i = 0; i < N; i++) cnt[y[i]]++;
    for (int c = 1; c < C; c++) start[c] = start[c - 1] + cnt[c - 1];
    for (int i = 0; i < N; i++) order[start[y[i]] + take[y[i]]++] = i;
    ts_rng r;
    rng_seed(&r, seed, 0xe7a1);
    for (int c = 0; c < C; c++)
        for (int i = cnt[c] - 1; i > 0; i--) {
            int j = (int)rng_below(&r, (uint32_t)(i + 1));
            int *o = order + start[c], t = o[i];
            o[i] = o[j]; o[j] = t;
        }
    int total = 0;
    for (int c = 0; c < C; c++) {
        take[c] = (int)((long)cnt[c] * n / N);
        share[c] = ((long)cnt[c] * n) % N;   // the remainder rounding dropped
        total += take[c];
    }
    for (; total < n; total++) {
        int best = 0;
        for (int c = 1; c < C; c++) if (share[c] > share[best]) best = c;
        take[best]++;
        share[best] = -1;
    }
    int m = 0;
    for (int c = 0; c < C; c++)
        for (int i = 0; i < take[c]; i++) keep[order[start[c] + i]] = 1;
    for (int i = 0; i < N; i++) if (keep[i]) idx[m++] = i;
    free(order); free(share); free(cnt); free(keep);
    return m;
}
