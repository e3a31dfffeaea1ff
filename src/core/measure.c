// measure.c: one batch's distances, difficulty counts, mining and loss.
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "tripletscope/measure.h"

// --- Buffers ---------------------------------------------------------------------

int measure_init(ts_measure *m, int B, int maxB, int E) {
    memset(m, 0, sizeof *m);
    m->maxB = maxB;
    m->B = B;
    m->E = E;
    size_t bb = (size_t)B * B;
    m->e = malloc(sizeof(float) * ((size_t)maxB * E + maxB + 3 * bb + (size_t)B * E));
    if (!m->e) return -1;
    m->norms = m->e + (size_t)maxB * E;
    m->dist = m->norms + maxB;
    m->sq = m->dist + bb;
    m->W = m->sq + bb;
    m->ge = m->W + bb;
    if (anchors_init(&m->anc, B) || triplets_init(&m->trip, B * B) || dist_ws_init(&m->dws, B, E))
        return -1;
    return 0;
}

void measure_free(ts_measure *m) {
    free(m->e);
    anchors_free(&m->anc);
    triplets_free(&m->trip);
    dist_ws_free(&m->dws);
    memset(m, 0, sizeof *m);
}

// --- The batch -------------------------------------------------------------------

// Mean distance over positive and over negative pairs (a != p) of the batch.
// Branch-free: each distance is added to one sum and 0.0 to the other, which
// leaves both sums exactly as the branches would (x + 0.0 == x); the
// diagonal is exactly 0, so a's own distance adds nothing to the positives.
// Labels in a uniform batch make a branch here a coin flip.
static void pair_means(const ts_anchors *anc, float *d_pos, float *d_neg) {
    double sp = 0, sn = 0;
    long np = 0;
    int B = anc->B;
    const int *y = anc->y;
    for (int a = 0; a < B; a++) {
        const float *row = anc->dist + (size_t)a * B;
        int ya = y[a];
        for (int j = 0; j < B; j++) {
            int same = y[j] == ya;
            double v = row[j];
            sp += same ? v : 0.0;
            sn += same ? 0.0 : v;
            np += same;
        }
        np--;   // a itself
    }
    long nn = (long)B * (B - 1) - np;
    *d_pos = np ? (float)(sp / np) : NAN;
    *d_neg = nn ? (float)(sn / nn) : NAN;
}

// Pairs of batch entries (i < j) whose squared distance is numerically zero:
// within the rounding slack of the Gram form |a|^2 + |b|^2 - 2 a.b, in which
// matrix-product code (torch.cdist on large inputs, most TF code) computes
// it, so that such code may see exactly 0 there, where the gradient of sqrt
// is infinite. Also the smallest Euclidean distance between two entries.
// sq (B, B) is the squared distance of the embeddings in the distance space,
// n2 (B) their squared norms.
static int zero_at(const float *sq, const float *n2, int B, int E, int i, int j) {
    return sq[(size_t)i * B + j] <= dist_gram_slack(n2[i], n2[j], E);
}

static void zero_pairs(const float *sq, const float *n2, int B, int E, int *n_zero,
                       float *min_dist) {
    int n = 0;
    float lo = INFINITY;
    for (int i = 0; i < B; i++) {
        const float *row = sq + (size_t)i * B;
        for (int j = i + 1; j < B; j++) {
            n += zero_at(sq, n2, B, E, i, j);
            lo = row[j] < lo ? row[j] : lo;
        }
    }
    *n_zero = n;
    *min_dist = B > 1 ? sqrtf(lo) : NAN;
}

void measure_batch(ts_measure *m, const float *z, const int *y, const ts_settings *set,
                   ts_stepstats *st) {
    int B = m->B, E = m->E;
    long step = st->step;
    memset(st, 0, sizeof *st);
    st->step = step;
    embed_forward(m->e, m->norms, z, B, E, distance_normalizes(set->distance, set->normalize));
    float *dist = set->distance == DIST_SQUARED ? m->sq : m->dist;
    dist_forward(dist, m->sq, m->e, B, E, set->distance, &m->dws);     // (B, B)
    m->d = dist;
    m->y = y;
    anchors_build(&m->anc, dist, y, B);
    st->norm = embed_normstats(m->norms, B);
    st->no_positive = anchors_no_positive(&m->anc);
    count_triplets(&m->anc, set->margin, &st->all);
    pair_means(&m->anc, &st->d_pos, &st->d_neg);
    zero_pairs(m->sq, m->dws.n2, B, E, &st->zero_pairs, &st->min_dist);
}

// --- The losses ------------------------------------------------------------------

float measure_pairs(ts_measure *m, const ts_settings *set, ts_stepstats *st) {
    int B = m->B, invert = set->pair_labels == PAIR_LABELS_INVERTED;
    m->grad_on_e = set->pair_distance == PAIR_DIST_ELEMENTWISE;
    if (m->grad_on_e) {   // on the embeddings in the distance space, as dist was
        memset(m->ge, 0, sizeof(float) * (size_t)B * m->E);
        return loss_contrastive_elementwise(m->e, m->y, B, m->E, set->pair_margin, invert,
                                            set->distance, m->ge, &st->pairs);
    }
    memset(m->W, 0, sizeof(float) * (size_t)B * B);
    return loss_contrastive(m->d, m->y, B, set->pair_margin, invert, m->W, &st->pairs);
}

// The listed triplets whose loss differentiates a distance at zero: (a, p)
// with p != a (an anchor that is its own positive is self_positive's), or
// (a, n).
static long zero_triplets(const ts_measure *m) {
    const ts_triplets *t = &m->trip;
    long n = 0;
    for (int i = 0; i < t->n; i++) {
        int a = t->a[i], p = t->p[i];
        n += (p != a && zero_at(m->sq, m->dws.n2, m->B, m->E, a, p)) ||
             zero_at(m->sq, m->dws.n2, m->B, m->E, a, t->neg[i]);
    }
    return n;
}

float measure_triplets(ts_measure *m, const ts_settings *set, ts_rng *rng, ts_stepstats *st) {
    int B = m->B;
    ts_active act = {0, 0};
    float loss;
    m->grad_on_e = 0;
    memset(m->W, 0, sizeof(float) * (size_t)B * B);
    if (set->miner == MINER_ALL) {
        loss = loss_triplet_all(&m->anc, set->margin, set->soft, set->reduce, m->W, &act);
        st->mined = st->all;
        st->mined_zero = st->zero_pairs;
    } else {
        switch (set->miner) {
        case MINER_HARD: mine_batch_hard(&m->anc, &m->trip); break;
        case MINER_SEMIHARD: st->fallback = mine_semihard(&m->anc, &m->trip); break;
        case MINER_RANDOM: mine_random(&m->anc, rng, &m->trip); break;
        case MINER_OFFLINE: mine_listed(&m->anc, &m->trip); break;
        default: st->self_positive = mine_hardest_neg(&m->anc, rng, &m->trip); break;
        }
        loss = loss_triplet(&m->trip, m->d, B, set->margin, set->soft, set->reduce, m->W, &act);
        count_listed(&m->trip, m->d, B, set->margin, &st->mined);
        st->mined_zero = zero_triplets(m);
    }
    st->active = act.active;
    return loss;
}
