// measure.c: one batch's distances, difficulty counts, mining and loss.
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "tripletscope/measure.h"
#include "tripletscope/sortkey.h"

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
    // dist_gram_slack's own arithmetic, k (|a|^2 + |b|^2) in float, written
    // out so that the row vectorises: a call a pair was 6 % of a step.
    const float k = dist_gram_slack(1.0f, 0.0f, E);
    int n = 0;
    float lo = INFINITY;
    for (int i = 0; i < B; i++) {
        const float *row = sq + (size_t)i * B;
        const float ni = n2[i];
        int c = 0;
        for (int j = i + 1; j < B; j++) {
            c += row[j] <= k * (ni + n2[j]);
            lo = row[j] < lo ? row[j] : lo;
        }
        n += c;
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

// --- Per-sample picks --------------------------------------------------------------

enum { PICK_ELIGIBLE = 1, PICK_SUSPECT = 2, PICK_HELD = 4 };

static int picks_alloc(ts_picks *p, int cap, int maxB, int with_ids) {
    memset(p, 0, sizeof *p);
    p->cap = cap;
    p->maxB = maxB;
    p->drawn = calloc((size_t)cap, 5 * sizeof(int));
    p->expect = calloc((size_t)cap, sizeof(float));
    p->flag = calloc((size_t)cap, 1);
    p->batch = malloc(sizeof(int) * (size_t)maxB);
    if (with_ids) {
        p->ids = calloc((size_t)cap, sizeof(int64_t));
        p->table = calloc(2 * (size_t)cap, sizeof(int));
    }
    if (!p->drawn || !p->expect || !p->flag || !p->batch ||
        (with_ids && (!p->ids || !p->table))) {
        picks_free(p);
        return -1;
    }
    p->hits = p->drawn + cap;
    p->strays = p->hits + cap;
    p->pos = p->strays + cap;
    p->neg = p->pos + cap;
    p->n = with_ids ? 0 : cap;
    return 0;
}

int picks_init(ts_picks *p, int n, int maxB) { return picks_alloc(p, n, maxB, 0); }

int picks_init_ids(ts_picks *p, int cap, int maxB) { return picks_alloc(p, cap, maxB, 1); }

void picks_free(ts_picks *p) {
    free(p->drawn);
    free(p->expect);
    free(p->flag);
    free(p->batch);
    free(p->ids);
    free(p->table);
    memset(p, 0, sizeof *p);
}

void picks_clear(ts_picks *p) {
    if (!p->drawn) return;
    size_t cap = (size_t)p->cap;
    memset(p->drawn, 0, 5 * sizeof(int) * cap);
    memset(p->expect, 0, sizeof(float) * cap);
    memset(p->flag, 0, cap);
    if (p->table) {
        memset(p->table, 0, 2 * sizeof(int) * cap);
        p->n = 0;
    }
    p->dropped = p->draws = p->picks = p->suspect_picks = 0;
    p->eligible = p->suspects = 0;
}

// A 64-bit mix (splitmix64's finaliser): ids that are consecutive spread out.
static uint64_t mix64(uint64_t x) {
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

void picks_slots(ts_picks *p, const int64_t *ids, int B, int *slot) {
    size_t size = 2 * (size_t)p->cap;   // at most half full: probes stay short
    for (int b = 0; b < B; b++) {
        size_t h = (size_t)(mix64((uint64_t)ids[b]) % size);
        int s = -1;
        for (;;) {
            int t = p->table[h];
            if (!t) {
                if (p->n < p->cap) {
                    s = p->n++;
                    p->ids[s] = ids[b];
                    p->table[h] = s + 1;
                } else {
                    p->dropped++;
                }
                break;
            }
            if (p->ids[t - 1] == ids[b]) {
                s = t - 1;
                break;
            }
            h = h + 1 == size ? 0 : h + 1;
        }
        slot[b] = s;
    }
}

// Slot s leaves the tallies (its counts are about to change) ...
static void picks_unaccount(ts_picks *p, int s) {
    unsigned char f = p->flag[s];
    p->eligible -= (f & PICK_ELIGIBLE) != 0;
    if (f & PICK_SUSPECT) {
        p->suspects--;
        p->suspect_picks -= (long)p->pos[s] + p->neg[s];
    }
    p->flag[s] = PICK_HELD;
}

// ... and comes back with its new counts.
static void picks_account(ts_picks *p, int s) {
    int eligible = p->drawn[s] >= TS_PICKS_MIN_DRAWS;
    double drawn = p->drawn[s];
    int suspect = eligible && (double)p->hits[s] >= TS_PICKS_HIT_SHARE * drawn &&
                  (double)p->strays[s] >= TS_PICKS_STRAY_SHARE * drawn;
    p->eligible += eligible;
    if (suspect) {
        p->suspects++;
        p->suspect_picks += (long)p->pos[s] + p->neg[s];
    }
    p->flag[s] = (unsigned char)((eligible ? PICK_ELIGIBLE : 0) | (suspect ? PICK_SUSPECT : 0));
}

static void count_batch(ts_picks *p, const ts_measure *m, const ts_settings *set,
                        const int *slot);

void picks_count(ts_picks *p, const ts_measure *m, const ts_settings *set, const int *slot,
                 ts_pickstats *st) {
    memset(st, 0, sizeof *st);
    ts_miner miner = set->miner;
    int B = m->B;
    if (!p->drawn) return;
    if (B <= p->maxB && (miner == MINER_HARD || miner == MINER_HARDEST_NEG)) {
        count_batch(p, m, set, slot);
        st->counted = 1;
    }
    int counted = st->counted;
    picks_stats(p, st);   // as they stand, counted now or not
    st->counted = counted;
}

void picks_stats(const ts_picks *p, ts_pickstats *st) {
    memset(st, 0, sizeof *st);
    if (!p->drawn) return;
    st->suspects = p->suspects;
    st->eligible = p->eligible;
    st->share = p->picks ? (float)((double)p->suspect_picks / (double)p->picks) : 0.0f;
}

// One batch's draws, picks and hits.
static void count_batch(ts_picks *p, const ts_measure *m, const ts_settings *set, const int *slot) {
    ts_miner miner = set->miner;
    int B = m->B;
    for (int b = 0; b < B; b++) {   // each slot leaves the tallies once, however often drawn
        int s = slot[b];
        if (s >= 0 && !(p->flag[s] & PICK_HELD)) picks_unaccount(p, s);
    }
    const ts_triplets *t = &m->trip;
    int *row = p->batch;   // the picks of each row of the batch
    memset(row, 0, sizeof(int) * (size_t)B);
    long picks = 0;
    for (int i = 0; i < t->n; i++) {
        int a = t->a[i], pp = t->p[i], n = t->neg[i];
        // The hinge's own test (loss.c): active when d_an - d_ap < m. The
        // soft margin is never 0, but a triplet met by the counts' m carries
        // little gradient there too: the same test (a learned hard sample
        // would otherwise be counted for ever).
        if (!margin_below(m->d[(size_t)a * B + n], m->d[(size_t)a * B + pp], set->margin))
            continue;
        row[n]++;
        picks++;
        if (slot[n] >= 0) p->neg[slot[n]]++, p->picks++;
        if (miner == MINER_HARD) {
            row[pp]++;
            picks++;
            if (slot[pp] >= 0) p->pos[slot[pp]]++, p->picks++;
        }
    }
    double per = (double)picks / B;   // the picks one draw explains
    const ts_anchors *anc = &m->anc;
    for (int b = 0; b < B; b++) {
        int s = slot[b];
        if (s < 0) continue;
        p->drawn[s]++;
        p->expect[s] += (float)per;
        p->hits[s] += per > 0 && (double)row[b] >= TS_PICKS_HIT * per;
        // A stray: its nearest neighbour in the batch carries another label
        // (the closest negative, first of the sorted row, nearer than every
        // positive; ties are not strays).
        int np = anc->n_pos[b];
        if (np > 0 && anc->n_neg[b] > 0) {
            const float *d = m->d + (size_t)b * B;
            const int *pos = anc->pos + (size_t)b * B;
            float near = INFINITY;
            for (int i = 0; i < np; i++) near = fminf(near, d[pos[i]]);
            p->strays[s] += sortkey_dist(anc->neg[(size_t)b * B]) < near;
        }
        p->draws++;
    }
    for (int b = 0; b < B; b++) {
        int s = slot[b];
        if (s >= 0 && (p->flag[s] & PICK_HELD)) picks_account(p, s);
    }
}

float picks_ratio(const ts_picks *p, int i) {
    if (i < 0 || i >= p->n || !(p->expect[i] > 0)) return NAN;
    return (float)(((double)p->pos[i] + p->neg[i]) / p->expect[i]);
}

int64_t picks_id(const ts_picks *p, int i) { return p->ids ? p->ids[i] : i; }

int picks_suspect(const ts_picks *p, int i) {
    return i >= 0 && i < p->n && (p->flag[i] & PICK_SUSPECT) != 0;
}

int picks_top(const ts_picks *p, int *out, int max) {
    int k = 0;
    if (!p->drawn || !p->suspects || max <= 0) return 0;
    for (int i = 0; i < p->n; i++) {
        if (!(p->flag[i] & PICK_SUSPECT)) continue;
        float r = picks_ratio(p, i);
        if (k == max && !(r > picks_ratio(p, out[max - 1]))) continue;
        int j = k < max ? k++ : max - 1;
        for (; j > 0 && r > picks_ratio(p, out[j - 1]); j--) out[j] = out[j - 1];
        out[j] = i;
    }
    return k;
}
