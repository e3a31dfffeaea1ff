// sampler.c: uniform and P x K batches, and the offline miner's list of triplets.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tripletscope/sampler.h"

static void shuffle(int *a, int n, ts_rng *r) {
    for (int i = n - 1; i > 0; i--) {
        int j = (int)rng_below(r, (uint32_t)(i + 1));
        int t = a[i]; a[i] = a[j]; a[j] = t;
    }
}

static void restart(ts_sampler *s) {
    for (int i = 0; i < s->N; i++) s->perm[i] = i;
    s->cursor = s->N;   // the first batch shuffles
    memset(s->count, 0, sizeof(int) * s->C);
    for (int i = 0; i < s->N; i++) s->count[s->y[i]]++;
    for (int c = 0, off = 0; c < s->C; c++) {
        s->start[c] = off;
        off += s->count[c];
        s->classes[c] = 0;   // used as a fill cursor just below
    }
    for (int i = 0; i < s->N; i++) {
        int c = s->y[i];
        s->members[s->start[c] + s->classes[c]++] = i;
    }
    int n = 0;
    for (int c = 0; c < s->C; c++)
        if (s->count[c] > 0) s->classes[n++] = c;
    s->n_classes = n;
}

int sampler_init(ts_sampler *s, const int *y, int N, int C, uint64_t seed) {
    memset(s, 0, sizeof *s);
    s->N = N;
    s->C = C;
    s->y = y;
    s->perm = malloc(sizeof(int) * (2 * (size_t)N + 3 * (size_t)C));
    if (!s->perm) return -1;
    s->members = s->perm + N;
    s->start = s->members + N;
    s->count = s->start + C;
    s->classes = s->count + C;
    sampler_reseed(s, seed);
    return 0;
}

void sampler_free(ts_sampler *s) {
    free(s->perm);
    memset(s, 0, sizeof *s);
}

void sampler_reseed(ts_sampler *s, uint64_t seed) {
    rng_seed(&s->rng, seed, 0x5a3b1e);
    restart(s);
}

void sampler_next(ts_sampler *s, ts_sampler_kind kind, int B, int K, int *idx) {
    if (kind == SAMPLER_UNIFORM) {
        // drop_last: a new epoch starts when fewer than B samples remain.
        if (s->cursor + B > s->N) {
            shuffle(s->perm, s->N, &s->rng);
            s->cursor = 0;
        }
        for (int b = 0; b < B; b++) idx[b] = s->perm[s->cursor++];
        return;
    }
    int P = B / K, b = 0;
    // A partial Fisher-Yates: the first P entries become a uniform draw.
    for (int i = 0; i < P; i++) {
        int j = i + (int)rng_below(&s->rng, (uint32_t)(s->n_classes - i));
        int t = s->classes[i]; s->classes[i] = s->classes[j]; s->classes[j] = t;
    }
    for (int i = 0; i < P; i++) {
        int c = s->classes[i], n = s->count[c];
        int *m = s->members + s->start[c];
        for (int k = 0; k < K; k++) {
            if (n >= K) {
                int j = k + (int)rng_below(&s->rng, (uint32_t)(n - k));
                int t = m[k]; m[k] = m[j]; m[j] = t;
                idx[b++] = m[k];
            } else {
                idx[b++] = m[rng_below(&s->rng, (uint32_t)n)];
            }
        }
    }
}

// A triplet needs an anchor, a positive of its class and a negative of
// another: three samples and two classes. Each check names the flag to
// change first, as the message says.
static int check_uniform(const ts_sampler *s, int B, char *why, int why_len) {
    if (B < 3) {
        snprintf(why, why_len, "--batch: a batch of %d cannot hold a triplet (anchor, positive "
                 "and negative): use --batch 3 or more", B);
        return -1;
    }
    if (B > s->N) {
        snprintf(why, why_len, "--batch: %d is more than the %d training samples", B, s->N);
        return -1;
    }
    return 0;
}

static int check_pk(const ts_sampler *s, int B, int K, char *why, int why_len) {
    if (K < 2) {
        snprintf(why, why_len, "--k: must be at least 2 with the pk sampler (got %d)", K);
        return -1;
    }
    if (B % K != 0) {
        snprintf(why, why_len, "--batch: %d is not a multiple of --k %d", B, K);
        return -1;
    }
    // One class a batch: no negatives, so no triplet and no negative pair;
    // every loss is 0 (or only pulls together) at the cost of a B x B step.
    if (B / K < 2) {
        snprintf(why, why_len, "--k: --batch %d / --k %d = P = 1 class a batch: no negatives, so "
                 "no triplet; use a --k that divides --batch, at most %d, or a larger --batch",
                 B, K, B / 2);
        return -1;
    }
    if (B / K > s->n_classes) {
        snprintf(why, why_len, "--k: P = batch/k = %d classes per batch, but the data has only %d",
                 B / K, s->n_classes);
        return -1;
    }
    return 0;
}

int sampler_check(const ts_sampler *s, ts_sampler_kind kind, int B, int K,
                  char *why, int why_len) {
    return kind == SAMPLER_PK ? check_pk(s, B, K, why, why_len)
                              : check_uniform(s, B, why, why_len);
}

const char *sampler_name(ts_sampler_kind k) { return k == SAMPLER_PK ? "pk" : "uniform"; }

// --- Pre-selected triplets -----------------------------------------------------------

// The stream of the list (rng.h: weights 1, miner 3, batches their own).
#define OFFLINE_STREAM 4

int offline_init(ts_offline *o, int N) {
    memset(o, 0, sizeof *o);
    o->N = N;
    o->a = malloc(sizeof(int) * 3 * (size_t)(N > 0 ? N : 1));
    if (!o->a) return -1;
    o->p = o->a + N;
    o->neg = o->p + N;
    return 0;
}

void offline_free(ts_offline *o) {
    free(o->a);
    memset(o, 0, sizeof *o);
}

void offline_draw(ts_offline *o, const ts_sampler *s, uint64_t seed) {
    ts_rng r;
    rng_seed(&r, seed, OFFLINE_STREAM);
    int n = 0;
    for (int i = 0; i < s->N && i < o->N; i++) {
        int c = s->y[i], k = s->count[c];
        if (k < 2 || k == s->N) continue;   // no positive, or no negative
        const int *m = s->members + s->start[c];
        // Uniform over the class but i: the slot of i stands for the last member.
        int j = (int)rng_below(&r, (uint32_t)(k - 1));
        int p = m[j] == i ? m[k - 1] : m[j];
        // Uniform over the other classes: the members outside c's slice.
        int q = (int)rng_below(&r, (uint32_t)(s->N - k));
        int neg = s->members[q < s->start[c] ? q : q + k];
        o->a[n] = i;
        o->p[n] = p;
        o->neg[n] = neg;
        n++;
    }
    for (int t = n - 1; t > 0; t--) {   // shuffled once
        int j = (int)rng_below(&r, (uint32_t)(t + 1));
        int x = o->a[t]; o->a[t] = o->a[j]; o->a[j] = x;
        x = o->p[t]; o->p[t] = o->p[j]; o->p[j] = x;
        x = o->neg[t]; o->neg[t] = o->neg[j]; o->neg[j] = x;
    }
    o->n = n;
    o->cursor = 0;
}

void offline_next(ts_offline *o, int T, int *idx) {
    for (int i = 0; i < T; i++) {
        idx[i] = o->a[o->cursor];
        idx[T + i] = o->p[o->cursor];
        idx[2 * T + i] = o->neg[o->cursor];
        if (++o->cursor == o->n) o->cursor = 0;
    }
}
