// test_session.c: samplers, the history series, --script parsing, config
// checks, and a session driven through steps, keys and resets.
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"
#include "tripletscope/command.h"
#include "tripletscope/report.h"
#include "tripletscope/sampler.h"
#include "tripletscope/script.h"
#include "tripletscope/series.h"
#include "tripletscope/session.h"
#include "tripletscope/snapshot.h"
#include "../src/ui/keys.h"   // to check the core's script keys against the interface's

// ---------------------------------------------------------------------------
// Samplers

// A legend name is cut at a UTF-8 character's start, never inside one.
static void test_class_name_cut(void **state) {
    (void)state;
    static ts_snapshot snap;
    snapshot_class_name(&snap, 0, "T-shirt/top");
    assert_string_equal(snap.class_names[0], "T-shirt/top");
    // 22 ASCII bytes and a two-byte character: 24 bytes, one more than fits.
    snapshot_class_name(&snap, 1, "abcdefghijklmnopqrstuv\xc3\xa9");
    assert_string_equal(snap.class_names[1], "abcdefghijklmnopqrstuv");
    // 21 and the same: 23 bytes fit whole.
    snapshot_class_name(&snap, 2, "abcdefghijklmnopqrstu\xc3\xa9xyz");
    assert_string_equal(snap.class_names[2], "abcdefghijklmnopqrstu\xc3\xa9");
}

static void test_pk_batches(void **state) {
    (void)state;
    enum { N = 500, C = 10 };
    int y[N];
    // Class 9 has only 3 members: fewer than K, drawn with replacement.
    for (int i = 0; i < N; i++) y[i] = i < 3 ? 9 : i % 9;
    ts_sampler s;
    assert_int_equal(sampler_init(&s, y, N, C, 1), 0);
    char why[200];
    assert_int_equal(sampler_check(&s, SAMPLER_PK, 32, 4, why, sizeof why), 0);
    assert_int_equal(sampler_check(&s, SAMPLER_PK, 30, 4, why, sizeof why), -1);
    assert_non_null(strstr(why, "--batch"));
    assert_int_equal(sampler_check(&s, SAMPLER_PK, 44, 4, why, sizeof why), -1);   // P = 11 > 10
    assert_non_null(strstr(why, "--k"));
    int idx[32], seen9 = 0;
    for (int it = 0; it < 500; it++) {
        sampler_next(&s, SAMPLER_PK, 32, 4, idx);
        int classes[8];
        for (int p = 0; p < 8; p++) {
            int c = y[idx[p * 4]];
            classes[p] = c;
            for (int k = 0; k < 4; k++) assert_int_equal(y[idx[p * 4 + k]], c);
            for (int q = 0; q < p; q++) assert_true(classes[q] != c);
            if (c != 9)   // without replacement when the class is big enough
                for (int k = 0; k < 4; k++)
                    for (int l = 0; l < k; l++) assert_true(idx[p * 4 + k] != idx[p * 4 + l]);
            seen9 += c == 9;
        }
    }
    assert_true(seen9 > 0);
    sampler_free(&s);
}

// Batches that cannot hold a triplet (anchor, positive, negative) are refused,
// naming the flags to change.
static void test_sampler_refusals(void **state) {
    (void)state;
    enum { N = 100, C = 5 };
    int y[N];
    for (int i = 0; i < N; i++) y[i] = i % C;
    ts_sampler s;
    assert_int_equal(sampler_init(&s, y, N, C, 1), 0);
    char why[200];
    // pk, P = B / K = 1: one class a batch, no negatives.
    assert_int_equal(sampler_check(&s, SAMPLER_PK, 16, 16, why, sizeof why), -1);
    assert_non_null(strstr(why, "--k"));
    assert_non_null(strstr(why, "--batch"));
    assert_non_null(strstr(why, "P = 1"));
    assert_int_equal(sampler_check(&s, SAMPLER_PK, 8192, 8192, why, sizeof why), -1);
    assert_int_equal(sampler_check(&s, SAMPLER_PK, 8, 4, why, sizeof why), 0);   // P = 2
    // K above every class's size is fine: drawn with replacement.
    assert_int_equal(sampler_check(&s, SAMPLER_PK, 64, 32, why, sizeof why), 0);
    // uniform: fewer than 3 samples, or more than the training set.
    assert_int_equal(sampler_check(&s, SAMPLER_UNIFORM, 2, 16, why, sizeof why), -1);
    assert_non_null(strstr(why, "--batch"));
    assert_int_equal(sampler_check(&s, SAMPLER_UNIFORM, 3, 16, why, sizeof why), 0);
    assert_int_equal(sampler_check(&s, SAMPLER_UNIFORM, N, 16, why, sizeof why), 0);
    assert_int_equal(sampler_check(&s, SAMPLER_UNIFORM, N + 1, 16, why, sizeof why), -1);
    assert_non_null(strstr(why, "--batch"));
    sampler_free(&s);
}

// Labels sorted by class so that a missing shuffle would show: the label at
// each batch position must be uniform over classes (chi-square, 9 degrees
// of freedom, p = 0.001 critical value 27.88), and every epoch must use each
// sample exactly once.
static void test_uniform_chi_square(void **state) {
    (void)state;
    enum { N = 1000, C = 10, B = 40, BATCHES = 5000 };
    int y[N];
    for (int i = 0; i < N; i++) y[i] = i / (N / C);
    ts_sampler s;
    assert_int_equal(sampler_init(&s, y, N, C, 123), 0);
    long first[C] = {0}, all[C] = {0};
    int idx[B], used[N] = {0};
    for (int b = 0; b < BATCHES; b++) {
        sampler_next(&s, SAMPLER_UNIFORM, B, 0, idx);
        first[y[idx[0]]]++;
        for (int i = 0; i < B; i++) {
            all[y[idx[i]]]++;
            if (b < N / B) used[idx[i]]++;
        }
    }
    for (int i = 0; i < N; i++) assert_int_equal(used[i], 1);
    double chi_first = 0, chi_all = 0, e1 = (double)BATCHES / C, e2 = (double)BATCHES * B / C;
    for (int c = 0; c < C; c++) {
        chi_first += (first[c] - e1) * (first[c] - e1) / e1;
        chi_all += (all[c] - e2) * (all[c] - e2) / e2;
    }
    assert_true(chi_first < 27.88);
    assert_true(chi_all < 27.88);
    sampler_free(&s);
}

// The offline list (--miner offline): one triplet per anchor that has a
// positive and a negative, the positive of its label but not itself, the
// negative of another label; the same list for the same seed; batches in
// the list's order, wrapping at its end.
static void test_offline_list(void **state) {
    (void)state;
    enum { N = 100, C = 6, T = 7 };
    int y[N];
    // Class 5 has one member (sample 0): no positive, no triplet; class 4
    // has two (a positive is always the other one).
    for (int i = 0; i < N; i++) y[i] = i == 0 ? 5 : i <= 2 ? 4 : i % 4;
    ts_sampler s;
    ts_offline o, o2;
    assert_int_equal(sampler_init(&s, y, N, C, 1), 0);
    assert_int_equal(offline_init(&o, N), 0);
    assert_int_equal(offline_init(&o2, N), 0);
    offline_draw(&o, &s, 7);
    assert_int_equal(o.n, N - 1);
    int anchored[N] = {0}, in_order = 1;
    for (int t = 0; t < o.n; t++) {
        int a = o.a[t], p = o.p[t], n = o.neg[t];
        anchored[a]++;
        assert_true(p != a);
        assert_int_equal(y[p], y[a]);
        assert_true(y[n] != y[a]);
        if (a == 1) assert_int_equal(p, 2);
        if (t > 0 && a < o.a[t - 1]) in_order = 0;
    }
    assert_int_equal(anchored[0], 0);
    for (int i = 1; i < N; i++) assert_int_equal(anchored[i], 1);
    assert_false(in_order);   // shuffled once
    // The same seed, the same list (after batches moved the sampler's own
    // stream: the list has a stream of its own); another seed, another.
    int idx[3 * T];
    for (int b = 0; b < 5; b++) sampler_next(&s, SAMPLER_UNIFORM, 3 * T, 0, idx);
    offline_draw(&o2, &s, 7);
    assert_int_equal(o2.n, o.n);
    assert_memory_equal(o2.a, o.a, sizeof(int) * o.n);
    assert_memory_equal(o2.p, o.p, sizeof(int) * o.n);
    assert_memory_equal(o2.neg, o.neg, sizeof(int) * o.n);
    offline_draw(&o2, &s, 8);
    assert_true(memcmp(o2.a, o.a, sizeof(int) * o.n) != 0);
    // Batches: T anchors, then their positives, then their negatives, the
    // list in order, wrapping at its end (99 = 14 x 7 + 1), epoch after epoch.
    for (int b = 0, at = 0; b < 3 * (N / T + 1); b++) {
        offline_next(&o, T, idx);
        for (int i = 0; i < T; i++, at = (at + 1) % o.n) {
            assert_int_equal(idx[i], o.a[at]);
            assert_int_equal(idx[T + i], o.p[at]);
            assert_int_equal(idx[2 * T + i], o.neg[at]);
        }
    }
    // Positives uniform over the other members of the class, negatives over
    // the other classes: anchor 3 (class 3, 24 other members) over 2400 seeds.
    int pos_hits[N] = {0}, neg_class[C] = {0};
    for (int seed = 0; seed < 2400; seed++) {
        offline_draw(&o2, &s, (uint64_t)seed);
        for (int t = 0; t < o2.n; t++)
            if (o2.a[t] == 3) {
                pos_hits[o2.p[t]]++;
                neg_class[y[o2.neg[t]]]++;
            }
    }
    for (int i = 1; i < N; i++)
        if (y[i] == 3 && i != 3) assert_true(pos_hits[i] > 50 && pos_hits[i] < 150);   // 100 each
    assert_int_equal(pos_hits[3], 0);
    assert_int_equal(neg_class[3], 0);
    for (int c = 0; c < 3; c++) assert_true(neg_class[c] > 600);   // 25 / 75 of 2400: ~800
    assert_true(neg_class[4] > 0 && neg_class[5] > 0);             // 2 / 75 and 1 / 75
    // One class only: no negative, no triplet.
    for (int i = 0; i < N; i++) y[i] = 0;
    ts_sampler one;
    assert_int_equal(sampler_init(&one, y, N, 1, 1), 0);
    offline_draw(&o2, &one, 7);
    assert_int_equal(o2.n, 0);
    sampler_free(&one);
    offline_free(&o);
    offline_free(&o2);
    sampler_free(&s);
}

// ---------------------------------------------------------------------------
// Series

static void test_series_merging(void **state) {
    (void)state;
    static ts_series s;
    series_clear(&s);
    double sum = 0;
    float lo = 1e9f, hi = -1e9f;
    for (long i = 1; i <= 5000; i++) {
        float v = (float)((i * 37) % 101) - 50.0f;
        if (i == 1234) v = 1000.0f;   // a spike must survive compression
        series_push(&s, i, v);
        sum += v;
        lo = fminf(lo, v);
        hi = fmaxf(hi, v);
    }
    series_push(&s, 5001, NAN);       // non-finite values are counted, not summed
    assert_true(s.nbins <= TS_SERIES_BINS && s.nbins > TS_SERIES_BINS / 4);
    long n = 0, finite = 0;
    double total = 0;
    float smin = 1e9f, smax = -1e9f;
    for (int i = 0; i < s.nbins; i++) {
        n += s.bins[i].n;
        finite += s.bins[i].finite;
        total += s.bins[i].sum;
        smin = fminf(smin, s.bins[i].min);
        smax = fmaxf(smax, s.bins[i].max);
        if (i) assert_true(s.bins[i].step > s.bins[i - 1].step);
    }
    assert_int_equal(n, 5001);
    assert_int_equal(finite, 5000);
    assert_close(total, sum, 1e-9, 1e-6);
    assert_true(smin == lo && smax == 1000.0f);
    assert_int_equal(s.bins[0].step, 1);
    assert_true(isnan(s.last));
}

// ---------------------------------------------------------------------------
// Script

static void test_script(void **state) {
    (void)state;
    ts_script s;
    ts_error err;
    assert_int_equal(script_parse("600:mm,300:p,0:n,300:+", &s, &err), 0);
    assert_int_equal(s.n, 4);
    assert_null(script_due(&s, -1));
    assert_string_equal(script_due(&s, 0), "n");
    assert_null(script_due(&s, 299));
    assert_string_equal(script_due(&s, 300), "p");
    assert_string_equal(script_due(&s, 300), "+");   // same step keeps its order
    assert_null(script_due(&s, 300));
    assert_string_equal(script_due(&s, 1000), "mm");
    assert_null(script_due(&s, 2000));
    script_free(&s);
    const char *bad[] = {"300p", "x:p", "300:", "-5:p", "10:p,,20:m", "5:0123456789012345678901234567890123",
                         "99999999999999999999:p", "5:p,", ",5:p", "5:Y", "5:m\tm", "5:p,6:mmx"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(script_parse(bad[i], &s, &err), -1);
        assert_non_null(strstr(err.msg, "--script"));
        assert_null(strchr(err.msg, '\n'));   // one line, whatever the entry holds
    }
    // The message quotes the entry at fault.
    assert_int_equal(script_parse("5:m,99999999999999999999:p", &s, &err), -1);
    assert_non_null(strstr(err.msg, "\"99999999999999999999:p\""));
    assert_int_equal(script_parse("5:m,6:Y", &s, &err), -1);
    assert_non_null(strstr(err.msg, "'Y' in \"6:Y\""));
    assert_int_equal(script_parse("5:p,", &s, &err), -1);
    assert_non_null(strstr(err.msg, "empty entry"));
    assert_int_equal(script_parse(NULL, &s, &err), 0);
    assert_null(script_due(&s, 5));
    // Every known key at once (a space included) parses.
    char all[40];
    snprintf(all, sizeof all, "7:%s", command_letters());
    assert_int_equal(script_parse(all, &s, &err), 0);
    assert_string_equal(script_due(&s, 7), command_letters());
    script_free(&s);
}

// The commands' letters (what scripts press) are the table's, once each, in
// its order; the interface's printable keys give the command of that letter,
// so a script's letter and the key of the same name always agree.
static void test_command_letters(void **state) {
    (void)state;
    const char *letters = command_letters();
    int with_letter = 0;
    for (int c = 1; c < CMD_COUNT; c++) {
        char l = command_letter((ts_command)c);
        if (!l) continue;
        with_letter++;
        assert_int_equal(command_by_letter(l), c);
        assert_non_null(strchr(letters, l));
    }
    assert_int_equal((int)strlen(letters), with_letter);
    for (int i = 1; letters[i]; i++)   // in the table's order, which is the enum's
        assert_true(command_by_letter(letters[i - 1]) < command_by_letter(letters[i]));
    int n;
    const ui_keydef *table = keys_table(&n);
    for (int i = 0; i < n; i++)
        for (int j = 0; j < 3 && table[i].keys[j]; j++) {
            int k = table[i].keys[j];
            if (k >= 0x20 && k < 0x7f) assert_int_equal(table[i].cmds[j], command_by_letter(k));
        }
    for (const char *l = letters; *l; l++) {
        ts_command c = CMD_NONE;
        assert_non_null(keys_find(*l, &c));
        assert_int_equal(c, command_by_letter(*l));
    }
}

// ---------------------------------------------------------------------------
// Configuration

static void test_config(void **state) {
    (void)state;
    ts_config c;
    ts_error err;
    config_default(&c);
    assert_int_equal(config_validate(&c, &err), 0);
    assert_int_equal(c.set.miner, MINER_HARDEST_NEG);
    assert_int_equal(c.set.sampler, SAMPLER_UNIFORM);
    assert_int_equal(config_preset(&c, "facenet"), 0);
    assert_true(c.set.miner == MINER_SEMIHARD && c.set.normalize && c.set.sampler == SAMPLER_PK);
    assert_close(c.set.margin, 0.2, 1e-6, 0);
    assert_int_equal(config_preset(&c, "seed-small"), 0);
    assert_true(c.batch == 32 && c.embed_dim == 16 && c.hidden[0] == 128 && c.hidden[1] == 64);
    assert_int_equal(config_preset(&c, "nope"), -1);
    config_default(&c); c.set.margin = -1;
    assert_int_equal(config_validate(&c, &err), -1); assert_non_null(strstr(err.msg, "--margin"));
    config_default(&c); c.set.lr = 0;
    assert_int_equal(config_validate(&c, &err), -1); assert_non_null(strstr(err.msg, "--lr"));
    config_default(&c); c.set.lr = INFINITY;
    assert_int_equal(config_validate(&c, &err), -1); assert_non_null(strstr(err.msg, "--lr"));
    config_default(&c); c.batch = 1;
    assert_int_equal(config_validate(&c, &err), -1); assert_non_null(strstr(err.msg, "--batch"));
    config_default(&c); c.set.sampler = SAMPLER_PK; c.k = 1;
    assert_int_equal(config_validate(&c, &err), -1); assert_non_null(strstr(err.msg, "--k"));
    config_default(&c); c.set.sampler = SAMPLER_PK; c.k = 5;
    assert_int_equal(config_validate(&c, &err), -1); assert_non_null(strstr(err.msg, "multiple"));
    config_default(&c); c.steps = -1;
    assert_int_equal(config_validate(&c, &err), -1); assert_non_null(strstr(err.msg, "--steps"));
    config_default(&c); c.hidden[1] = 0;
    assert_int_equal(config_validate(&c, &err), -1); assert_non_null(strstr(err.msg, "--hidden"));
    config_default(&c);
    assert_true(c.set.weight_decay == 0.0f);   // none unless asked for
    c.set.weight_decay = -0.1f;
    assert_int_equal(config_validate(&c, &err), -1); assert_non_null(strstr(err.msg, "--weight-decay"));
    c.set.weight_decay = NAN;
    assert_int_equal(config_validate(&c, &err), -1); assert_non_null(strstr(err.msg, "--weight-decay"));
    c.set.weight_decay = 100;
    assert_int_equal(config_validate(&c, &err), 0);
}

// ---------------------------------------------------------------------------
// A session on generated blobs

static ts_dataset train, test;

static int setup_data(void **state) {
    (void)state;
    ts_dataset all;
    ts_error err;
    if (data_make_blobs(600, 6, 8, 1.0f, 3, &all)) return -1;
    if (data_split(&all, 0.25f, 3, &train, &test, &err)) return -1;
    data_free(&all);
    data_standardize(&train, &test);
    return 0;
}

static int teardown_data(void **state) {
    (void)state;
    data_free(&train);
    data_free(&test);
    return 0;
}

static void small_config(ts_config *c) {
    config_default(c);
    c->batch = 24;
    c->k = 4;
    c->hidden[0] = 16;
    c->hidden[1] = 16;
    c->embed_dim = 4;
    c->eval_every = 20;
    c->log_every = 5;
}

// A command by its letter, as a script gives it; its event and refusal kept.
typedef struct {
    int events;
    ts_event last;
    char line[1024];   // the last event's JSON line
    char why[400];     // the last refusal's reason
} capture;

static int key(ts_session *s, capture *cap, int letter) {
    ts_event ev;
    int r = session_command(s, command_by_letter(letter), &ev, cap->why, sizeof cap->why);
    if (r == 1) {
        cap->events++;
        cap->last = ev;
        report_event(cap->line, sizeof cap->line, &ev);
    }
    return r;
}

typedef struct {
    int calls[MODEL_COUNT], done[MODEL_COUNT], total, rising;
} progress_log;

static void log_progress(void *ctx, int tag, int done, int total) {
    progress_log *p = ctx;
    p->rising &= done >= p->done[tag];   // never back (0 while embedding; repeated while waiting)
    p->calls[tag]++;
    p->done[tag] = done;
    p->total = total;
}

// An evaluation tells its progress per block of queries, for each model, up
// to every query; the default size is capped, --eval-size caps it lower.
// When the models evaluate at once, the Siamese one's progress stands for
// both (the front end hears from one thread only).
static void test_eval_progress(void **state) {
    (void)state;
    ts_config c;
    small_config(&c);
    assert_int_equal(c.eval_size, TS_EVAL_SIZE_DEFAULT);
    ts_session *s;
    ts_error err;
    for (int threads = 1; threads <= 2; threads++) {
        c.threads = threads;
        assert_int_equal(session_create(&s, &c, &train, &test, "blobs", &err), 0);
        assert_int_equal(s->n_eval, test.N);   // 150 < the cap: all of them
        assert_true((s->peer != NULL) == (threads == 2));
        progress_log p = {.rising = 1};
        session_set_progress(s, log_progress, &p);
        session_evaluate(s);
        for (int k = 0; k < MODEL_COUNT; k++) {
            assert_true(s->model[k].track.have_eval);
            // At once, the triplet model's progress is told by the caller
            // while it waits for it: how often depends on the timing.
            if (k == MODEL_TRIPLET && threads == 2) {
                assert_true(p.done[k] >= 0 && p.done[k] <= test.N);
                continue;
            }
            // Chunks of 256 embedded, then blocks of 128 ranked.
            assert_int_equal(p.calls[k], (test.N + 255) / 256 + (test.N + 127) / 128);
            assert_int_equal(p.done[k], test.N);
        }
        assert_int_equal(p.total, test.N);
        assert_true(p.rising);
        session_free(s);
    }
    c.threads = 0;
    c.eval_size = 100;
    assert_int_equal(session_create(&s, &c, &train, &test, "blobs", &err), 0);
    assert_int_equal(s->n_eval, 100);
    session_free(s);
}

static void test_lockstep_and_determinism(void **state) {
    (void)state;
    ts_config c;
    small_config(&c);
    ts_session *a, *b;
    ts_error err;
    assert_int_equal(session_create(&a, &c, &train, &test, "blobs", &err), 0);
    assert_int_equal(session_create(&b, &c, &train, &test, "blobs", &err), 0);
    // Identical initial weights in both models.
    const ts_mlp *sn = &a->model[MODEL_SIAMESE].net, *tn = &a->model[MODEL_TRIPLET].net;
    assert_memory_equal(sn->params, tn->params, sizeof(float) * sn->n_params);
    for (int i = 0; i < 60; i++) {
        assert_int_equal(session_step(a), 0);
        assert_int_equal(session_step(b), 0);
        for (int k = 0; k < MODEL_COUNT; k++) {
            assert_true(a->model[k].track.last.loss == b->model[k].track.last.loss);
            const ts_counts *ca = &a->model[k].track.last.all;
            assert_int_equal(ca->easy + ca->semihard + ca->hard, ca->valid);
        }
    }
    assert_memory_equal(a->model[1].net.params, b->model[1].net.params,
                        sizeof(float) * sn->n_params);
    // The models learned differently from the same start.
    assert_true(memcmp(a->model[0].net.params, a->model[1].net.params,
                       sizeof(float) * sn->n_params) != 0);
    // The schedule evaluates (the driver's); a step never does.
    assert_false(a->model[0].track.have_eval);
    session_evaluate(a);
    assert_true(a->model[0].track.have_eval && a->model[0].track.last_eval.step == 60);
    assert_int_equal(a->step, 60);
    const ts_stepstats *r0 = session_recent(a, MODEL_TRIPLET, 0);
    assert_int_equal(r0->step, 60);
    assert_int_equal(session_recent(a, MODEL_TRIPLET, 59)->step, 1);
    assert_null(session_recent(a, MODEL_TRIPLET, 60));
    session_free(a);
    session_free(b);
}

// l flips the Siamese model's pair labels (an event about it alone), and
// --pair-distance elementwise trains it on each dimension's difference; the
// triplet model's numbers stay the same to the bit either way.
static void test_pair_options(void **state) {
    (void)state;
    ts_config c;
    small_config(&c);
    ts_session *base, *s;
    ts_error err;
    assert_int_equal(session_create(&base, &c, &train, &test, "blobs", &err), 0);
    assert_int_equal(session_create(&s, &c, &train, &test, "blobs", &err), 0);
    capture cap = {0};
    for (int i = 0; i < 5; i++) {
        session_step(base);
        session_step(s);
    }
    assert_int_equal(key(s, &cap, 'l'), 1);
    assert_int_equal(s->cfg.set.pair_labels, PAIR_LABELS_INVERTED);
    assert_non_null(strstr(cap.line, "\"key\":\"l\",\"setting\":\"pair_labels\",\"from\":\"normal\",\"to\":\"inverted\""));
    assert_int_equal(cap.last.models, TS_MODEL_BIT(MODEL_SIAMESE));
    session_step(base);
    session_step(s);
    const ts_stepstats *a = &base->model[MODEL_SIAMESE].track.last, *b = &s->model[MODEL_SIAMESE].track.last;
    assert_true(isfinite(b->loss) && b->loss != a->loss);
    // The loss's pair counts are the loss's: the other-label pairs are its positives.
    assert_int_equal(b->pairs.pos, a->pairs.neg);
    assert_int_equal(b->pairs.neg, a->pairs.pos);
    // The measurements of the batch do not follow the loss's labels.
    assert_true(b->d_pos == a->d_pos && b->d_neg == a->d_neg);
    assert_memory_equal(&base->model[MODEL_TRIPLET].track.last, &s->model[MODEL_TRIPLET].track.last,
                        sizeof(ts_stepstats));
    assert_int_equal(key(s, &cap, 'l'), 1);
    assert_int_equal(s->cfg.set.pair_labels, PAIR_LABELS_NORMAL);
    session_free(s);

    // Elementwise: a finite loss that falls, other weights, the same triplet model.
    c.set.pair_distance = PAIR_DIST_ELEMENTWISE;
    assert_int_equal(session_create(&s, &c, &train, &test, "blobs", &err), 0);
    session_reset(base, c.seed);
    double first = 0, last = 0;
    for (int i = 0; i < 60; i++) {
        session_step(base);
        session_step(s);
        float l = s->model[MODEL_SIAMESE].track.last.loss;
        assert_true(isfinite(l));
        if (i < 10) first += l;
        if (i >= 50) last += l;
    }
    assert_true(last < first);
    assert_memory_not_equal(base->model[MODEL_SIAMESE].net.params, s->model[MODEL_SIAMESE].net.params,
                            sizeof(float) * s->model[MODEL_SIAMESE].net.n_params);
    assert_memory_equal(base->model[MODEL_TRIPLET].net.params, s->model[MODEL_TRIPLET].net.params,
                        sizeof(float) * s->model[MODEL_TRIPLET].net.n_params);
    session_free(s);
    session_free(base);
}

static void test_keys_and_reset(void **state) {
    (void)state;
    ts_config c;
    small_config(&c);
    ts_session *s;
    ts_error err;
    assert_int_equal(session_create(&s, &c, &train, &test, "blobs", &err), 0);
    capture cap = {0};
    float *start = malloc(sizeof(float) * s->model[1].net.n_params);
    memcpy(start, s->model[1].net.params, sizeof(float) * s->model[1].net.n_params);
    for (int i = 0; i < 10; i++) session_step(s);
    // m walks random -> all -> hard -> semihard -> hardest-neg -> random.
    assert_int_equal(s->cfg.set.miner, MINER_HARDEST_NEG);
    assert_int_equal(key(s, &cap, 'm'), 1);
    assert_int_equal(s->cfg.set.miner, MINER_RANDOM);
    assert_non_null(strstr(cap.line, "\"type\":\"event\",\"step\":10,\"key\":\"m\",\"setting\":\"miner\",\"from\":\"hardest-neg\",\"to\":\"random\""));
    assert_int_equal(key(s, &cap, 'M'), 1);
    assert_int_equal(s->cfg.set.miner, MINER_HARDEST_NEG);
    s->cfg.set.margin = 0.2f;
    assert_int_equal(key(s, &cap, '+'), 1);
    assert_close(s->cfg.set.margin, 0.25, 1e-6, 0);
    assert_non_null(strstr(cap.line, "\"from\":\"0.2\",\"to\":\"0.25\""));
    assert_int_equal(key(s, &cap, '-'), 1);
    assert_close(s->cfg.set.margin, 0.2, 1e-6, 0);
    assert_int_equal(key(s, &cap, ']'), 1);
    assert_close(s->cfg.set.lr, 2e-3, 1e-6, 0);
    assert_int_equal(key(s, &cap, '['), 1);
    assert_int_equal(key(s, &cap, 'n'), 1);
    assert_true(s->cfg.set.normalize);
    assert_int_equal(key(s, &cap, 'd'), 1);
    assert_int_equal(s->cfg.set.distance, DIST_SQUARED);
    assert_non_null(strstr(cap.line, "\"setting\":\"distance\",\"from\":\"euclidean\",\"to\":\"squared\""));
    assert_int_equal(key(s, &cap, 'o'), 1);
    assert_true(s->cfg.set.soft);
    assert_int_equal(key(s, &cap, 'z'), 1);
    assert_int_equal(s->cfg.set.reduce, REDUCE_NONZERO);
    assert_int_equal(key(s, &cap, 'p'), 1);
    assert_int_equal(s->cfg.set.sampler, SAMPLER_PK);
    assert_int_equal(key(s, &cap, 'x'), 0);
    // Every setting still trains; soft + squared + normalised included.
    for (int m = 0; m < MINER_ONLINE; m++) {   // the online miners' cycle
        key(s, &cap, 'm');
        for (int i = 0; i < 3; i++) assert_int_equal(session_step(s), 0);
        assert_true(isfinite(s->model[1].track.last.loss));
    }
    int events = cap.events;
    assert_int_equal(events, 16);   // 11 keys, then m five times
    assert_int_equal(s->events.n, 16);
    // Each event says which models it acts on: the triplet loss's own
    // settings (m M + - o z) the triplet model only, the shared ones both.
    const char *only_triplet = "mM+-oz";
    for (int i = 0; i < 16; i++) {
        const ts_event *ev = &s->events.ev[i];
        unsigned want = strchr(only_triplet, command_letter(ev->command)) ? TS_MODEL_BIT(MODEL_TRIPLET) : TS_MODELS_ALL;
        assert_int_equal(ev->models, want);
    }
    // r: same seed, fresh identical weights, history cleared, step 0.
    assert_int_equal(key(s, &cap, 'r'), 1);
    assert_int_equal(s->step, 0);
    assert_int_equal(s->events.n, 1);
    assert_int_equal(s->events.ev[0].models, TS_MODELS_ALL);
    assert_memory_equal(s->model[1].net.params, start, sizeof(float) * s->model[1].net.n_params);
    assert_memory_equal(s->model[0].net.params, start, sizeof(float) * s->model[1].net.n_params);
    assert_int_equal(s->model[1].track.hist.loss.count, 0);
    assert_false(s->model[1].track.have_eval);
    // R: a new seed gives other weights.
    assert_int_equal(key(s, &cap, 'R'), 1);
    assert_int_equal(s->cfg.seed, 1);
    assert_true(memcmp(s->model[1].net.params, start, sizeof(float) * s->model[1].net.n_params) != 0);
    // pk needs P <= classes: batch 24 / k 2 = 12 > 6 classes.
    key(s, &cap, 'p');   // back to uniform
    s->cfg.k = 2;
    int before = cap.events;
    assert_int_equal(key(s, &cap, 'p'), -1);
    assert_non_null(strstr(cap.why, "classes"));
    assert_int_equal(cap.events, before);
    assert_int_equal(s->cfg.set.sampler, SAMPLER_UNIFORM);
    free(start);
    session_free(s);
}

// w steps the weight decay (both models) 0 -> 0.1 -> 1 -> 10 -> 0, from
// between two rungs to the next one up, one event each; a run with it
// trains other weights than one without, smaller ones.
static void test_weight_decay_key(void **state) {
    (void)state;
    ts_config c;
    small_config(&c);
    ts_session *s, *plain;
    ts_error err;
    assert_int_equal(session_create(&s, &c, &train, &test, "blobs", &err), 0);
    assert_int_equal(session_create(&plain, &c, &train, &test, "blobs", &err), 0);
    capture cap = {0};
    static const char *const to[] = {"0.1", "1", "10", "0"};
    for (int i = 0; i < 4; i++) {
        assert_int_equal(key(s, &cap, 'w'), 1);
        char want[64];
        snprintf(want, sizeof want, "\"key\":\"w\",\"setting\":\"weight_decay\",\"from\":\"%s\",\"to\":\"%s\"",
                 i ? to[i - 1] : "0", to[i]);
        assert_non_null(strstr(cap.line, want));
        assert_int_equal(cap.last.models, TS_MODELS_ALL);
    }
    assert_true(s->cfg.set.weight_decay == 0.0f);
    s->cfg.set.weight_decay = 0.5f;
    key(s, &cap, 'w');
    assert_true(s->cfg.set.weight_decay == 1.0f);
    s->cfg.set.weight_decay = 50.0f;
    key(s, &cap, 'w');
    assert_true(s->cfg.set.weight_decay == 0.0f);
    s->cfg.set.weight_decay = 10.0f;
    for (int i = 0; i < 20; i++) {
        assert_int_equal(session_step(s), 0);
        assert_int_equal(session_step(plain), 0);
    }
    for (int k = 0; k < MODEL_COUNT; k++) {
        const ts_mlp *a = &s->model[k].net, *b = &plain->model[k].net;
        double na = 0, nb = 0;
        for (size_t i = 0; i < a->n_params; i++) {
            na += (double)a->params[i] * a->params[i];
            nb += (double)b->params[i] * b->params[i];
        }
        assert_true(na < nb);
    }
    session_free(s);
    session_free(plain);
}

// d steps euclidean -> squared -> cosine -> euclidean, one event each.
// Cosine is of unit vectors whatever n says: under it, the steps and the
// evaluation with n off are those with n on, to the bit, and its
// evaluation ranks as the Euclidean distance of the normalised embeddings
// does (same weights: the same metrics).
static void test_distance_cycle_and_cosine(void **state) {
    (void)state;
    ts_config c;
    small_config(&c);
    ts_session *s;
    ts_error err;
    assert_int_equal(session_create(&s, &c, &train, &test, "blobs", &err), 0);
    capture cap = {0};
    const char *order[] = {"euclidean", "squared", "cosine", "euclidean"};
    for (int i = 0; i < 3; i++) {
        assert_int_equal(key(s, &cap, 'd'), 1);
        assert_string_equal(cap.last.setting, "distance");
        assert_string_equal(cap.last.from, order[i]);
        assert_string_equal(cap.last.to, order[i + 1]);
        assert_int_equal(cap.last.models, TS_MODELS_ALL);
    }
    assert_int_equal(s->cfg.set.distance, DIST_EUCLIDEAN);
    session_free(s);

    // Before any step the weights are the initial ones in every session.
    ts_session *cos_raw, *cos_norm, *l2_norm;
    small_config(&c);
    c.set.distance = DIST_COSINE;
    c.set.margin = 0.1f;
    c.set.normalize = 0;
    assert_int_equal(session_create(&cos_raw, &c, &train, &test, "blobs", &err), 0);
    c.set.normalize = 1;
    assert_int_equal(session_create(&cos_norm, &c, &train, &test, "blobs", &err), 0);
    c.set.distance = DIST_EUCLIDEAN;
    assert_int_equal(session_create(&l2_norm, &c, &train, &test, "blobs", &err), 0);
    session_evaluate(cos_raw);
    session_evaluate(l2_norm);
    for (int k = 0; k < MODEL_COUNT; k++) {
        const ts_retrieval *a = &cos_raw->model[k].track.last_eval.r, *b = &l2_norm->model[k].track.last_eval.r;
        assert_true(a->p_at_1 == b->p_at_1 && a->r_precision == b->r_precision &&
                    a->map_at_r == b->map_at_r && a->queries == b->queries);
    }
    for (int i = 0; i < 30; i++) {
        assert_int_equal(session_step(cos_raw), 0);
        assert_int_equal(session_step(cos_norm), 0);
        for (int k = 0; k < MODEL_COUNT; k++) {
            const ts_stepstats *a = &cos_raw->model[k].track.last, *b = &cos_norm->model[k].track.last;
            assert_true(isfinite(a->loss) && a->loss == b->loss);
            assert_true(a->d_pos == b->d_pos && a->d_neg == b->d_neg);
            assert_int_equal(a->all.easy, b->all.easy);
            // 1 - cos lies in [0, 2] (up to the unit vectors' rounding).
            assert_true(a->d_pos >= 0 && a->d_neg <= 2.0f + 1e-6f);
        }
    }
    for (int k = 0; k < MODEL_COUNT; k++)
        assert_memory_equal(cos_raw->model[k].net.params, cos_norm->model[k].net.params,
                            sizeof(float) * cos_raw->model[k].net.n_params);
    // Cosine training learns: the triplet model's loss falls on the blobs.
    double first = 0, last = 0;
    for (int i = 0; i < 5; i++) last += session_recent(cos_raw, MODEL_TRIPLET, i)->loss;
    for (int i = 25; i < 30; i++) first += session_recent(cos_raw, MODEL_TRIPLET, i)->loss;
    assert_true(last < first);
    session_free(cos_raw);
    session_free(cos_norm);
    session_free(l2_norm);
}

// session_command carries out exactly the trainer's commands (command.h):
// the driver's (pause, step, quit, export) and the interface's it leaves,
// and P, whose events (one per setting) session_restore gives.
static void test_session_commands_are_the_trainers(void **state) {
    (void)state;
    ts_config c;
    small_config(&c);
    ts_session *s;
    ts_error err;
    assert_int_equal(session_create(&s, &c, &train, &test, "blobs", &err), 0);
    for (int cmd = 0; cmd < CMD_COUNT; cmd++) {
        ts_event ev;
        char why[400];
        int acted = session_command(s, (ts_command)cmd, &ev, why, sizeof why) != 0;
        const ts_command_info *info = command_info((ts_command)cmd);
        int trainer = cmd != CMD_NONE && cmd != CMD_EXPORT && cmd != CMD_RESTORE &&
                      info->scope == SCOPE_TRAINER;
        if (acted != trainer)
            fail_msg("command %s: session_command %s it", info->name, acted ? "acts on" : "ignores");
        if (acted) assert_string_equal(ev.setting, info->setting);
    }
    session_free(s);
}

static void test_divergence_and_models(void **state) {
    (void)state;
    ts_config c;
    small_config(&c);
    c.set.lr = 1e30f;   // explodes at once (linear: no ReLU can die first)
    c.optimizer = OPT_SGD;
    c.n_hidden = 0;
    ts_session *s;
    ts_error err;
    assert_int_equal(session_create(&s, &c, &train, &test, "blobs", &err), 0);
    int steps = 0;
    while (!s->diverged && steps < 50) { session_step(s); steps++; }
    assert_true(s->diverged);
    assert_int_equal(session_step(s), 1);
    long at = s->step;
    assert_int_equal(session_step(s), 1);
    assert_int_equal(s->step, at);                 // refused: nothing ran
    capture cap = {0};
    key(s, &cap, 'r');
    assert_false(s->diverged);
    session_free(s);

    small_config(&c);
    c.models = TS_MODEL_BIT(MODEL_SIAMESE);
    assert_int_equal(session_create(&s, &c, &train, &test, "blobs", &err), 0);
    session_step(s);
    assert_true(s->model[MODEL_SIAMESE].enabled && !s->model[MODEL_TRIPLET].enabled);
    assert_int_equal(s->model[MODEL_TRIPLET].track.hist.loss.count, 0);
    static ts_snapshot snap;
    session_snapshot(s, &snap);
    assert_int_equal(snap.step, 1);
    assert_false(snap.model[MODEL_TRIPLET].enabled);
    assert_string_equal(snap.info.data_name, "blobs");
    session_free(s);

    // NaN weights on normalised embeddings: every distance is NaN, which the
    // hinge reads as "not active" (a finite loss); the run must still stop.
    small_config(&c);
    c.models = TS_MODEL_BIT(MODEL_TRIPLET);
    c.set.normalize = 1;
    assert_int_equal(session_create(&s, &c, &train, &test, "blobs", &err), 0);
    s->model[MODEL_TRIPLET].net.params[0] = NAN;
    session_step(s);
    assert_true(s->diverged);
    assert_false(isfinite(s->model[MODEL_TRIPLET].track.last.norm.mean));
    assert_false(isfinite(s->model[MODEL_TRIPLET].track.last.d_pos));
    session_free(s);

    // pk impossible for this data, the batch given: one line naming the flag.
    small_config(&c);
    c.set.sampler = SAMPLER_PK;
    c.k = 2;
    c.batch_given = 1;
    assert_int_equal(session_create(&s, &c, &train, &test, "blobs", &err), -1);
    assert_null(s);
    assert_non_null(strstr(err.msg, "--k"));
    // The same batch not given (the default): P cut to the classes, and said.
    c.batch_given = 0;
    assert_int_equal(session_create(&s, &c, &train, &test, "blobs", &err), 0);
    assert_int_equal(s->cfg.batch, 2 * train.C);
    assert_int_equal(s->batch_fitted_from, c.batch);
    session_free(s);
}

// The session's wiring: each reported number of a step equals the same
// number recomputed from the pieces (weights before the step, the batch it
// drew, the miner's random state), for every miner, distance and reducer.
static void test_step_recomputed(void **state) {
    (void)state;
    ts_config c;
    small_config(&c);
    c.set.sampler = SAMPLER_PK;
    c.k = 4;   // P = 6 classes of 4
    ts_session *s;
    ts_error err;
    assert_int_equal(session_create(&s, &c, &train, &test, "blobs", &err), 0);
    int B = c.batch, E = c.embed_dim;
    ts_mlp net;
    const ts_mlp *tn = &s->model[MODEL_TRIPLET].net;
    assert_int_equal(mlp_init(&net, tn->dims, tn->L, B), 0);
    ts_anchors anc;
    ts_triplets t;
    ts_dist_ws ws;
    assert_int_equal(anchors_init(&anc, B), 0);
    assert_int_equal(triplets_init(&t, B * B), 0);
    assert_int_equal(dist_ws_init(&ws, B, E), 0);
    float *x = malloc(sizeof(float) * B * train.D), *e = malloc(sizeof(float) * B * E);
    float *norms = malloc(sizeof(float) * B), *dist = malloc(sizeof(float) * B * B);
    float *sq = malloc(sizeof(float) * B * B), *W = malloc(sizeof(float) * B * B);
    int y[64];
    // The online miners (offline's batches are its list: test_offline_session).
    for (int v = 0; v < MINER_ONLINE * 4 * DIST_COUNT; v++) {
        int rest = v / MINER_ONLINE;
        s->cfg.set.miner = (ts_miner)(v % MINER_ONLINE);
        s->cfg.set.distance = (ts_distance)(rest % DIST_COUNT);
        s->cfg.set.normalize = (rest / DIST_COUNT) & 1;
        s->cfg.set.reduce = (rest / DIST_COUNT) & 2 ? REDUCE_NONZERO : REDUCE_MEAN;
        static const float margins[DIST_COUNT] = {0.3f, 0.5f, 0.1f};
        s->cfg.set.margin = margins[s->cfg.set.distance];
        mlp_copy_params(&net, tn);
        ts_rng mr = s->model[MODEL_TRIPLET].miner_rng;
        assert_int_equal(session_step(s), 0);
        const ts_stepstats *st = &s->model[MODEL_TRIPLET].track.last;
        const ts_settings *set = &s->cfg.set;
        data_gather(&train, s->batch_idx, B, x);
        for (int i = 0; i < B; i++) y[i] = train.y[s->batch_idx[i]];
        const float *z = mlp_forward(&net, x, B);
        embed_forward(e, norms, z, B, E, distance_normalizes(set->distance, set->normalize));
        float *d = set->distance == DIST_SQUARED ? sq : dist;
        dist_forward(d, sq, e, B, E, set->distance, &ws);
        anchors_build(&anc, d, y, B);
        ts_counts all, mined;
        count_triplets(&anc, set->margin, &all);
        assert_int_equal(st->all.valid, all.valid);
        assert_int_equal(st->all.easy, all.easy);
        assert_int_equal(st->all.hard, all.hard);
        ts_active act;
        memset(W, 0, sizeof(float) * B * B);
        float loss;
        if (set->miner == MINER_ALL) {
            loss = loss_triplet_all(&anc, set->margin, 0, set->reduce, W, &act);
            mined = all;
        } else {
            if (set->miner == MINER_HARD) mine_batch_hard(&anc, &t);
            else if (set->miner == MINER_SEMIHARD) mine_semihard(&anc, &t);
            else if (set->miner == MINER_RANDOM) mine_random(&anc, &mr, &t);
            else mine_hardest_neg(&anc, &mr, &t);
            loss = loss_triplet(&t, d, B, set->margin, 0, set->reduce, W, &act);
            count_listed(&t, d, B, set->margin, &mined);
        }
        assert_true(st->loss == loss);
        assert_int_equal(st->active, act.active);
        assert_int_equal(st->mined.valid, mined.valid);
        assert_int_equal(st->mined.hard, mined.hard);
        assert_int_equal(st->mined.easy, mined.easy);
        ts_normstats ns = embed_normstats(norms, B);
        assert_true(st->norm.mean == ns.mean && st->norm.max == ns.max);
    }
    free(x); free(e); free(norms); free(dist); free(sq); free(W);
    anchors_free(&anc);
    triplets_free(&t);
    dist_ws_free(&ws);
    mlp_free(&net);
    session_free(s);
}

// A session with --miner offline: the batch rounded down to 3T, the config
// line saying so, each step's batch the list's next T triplets and the
// triplet model's selection exactly those; r draws the same list again, R
// another; p refused; m to hardest-neg (online, the sampler's batches), M
// to semihard; with pk, refused.
static void test_offline_session(void **state) {
    (void)state;
    ts_config c;
    small_config(&c);
    c.set.miner = MINER_OFFLINE;
    c.batch = 26;   // T = 8: 24 samples
    ts_session *s;
    ts_error err;
    assert_int_equal(session_create(&s, &c, &train, &test, "blobs", &err), 0);
    int B = s->cfg.batch, T = B / 3;
    assert_int_equal(B, 24);
    assert_int_equal(s->offline.n, train.N);   // blobs: every class has many members
    char line[4096];
    ts_run_info info;
    session_info(s, &info);
    report_config(line, sizeof line, &s->cfg, &info);
    assert_non_null(strstr(line, "\"batch\":24,"));
    assert_non_null(strstr(line, "\"miner\":\"offline\""));
    char want[128];
    snprintf(want, sizeof want, "\"offline\":{\"triplets\":%d,\"per_batch\":8,\"batch_asked\":26}",
             train.N);
    assert_non_null(strstr(line, want));
    int *first = malloc(sizeof(int) * 3 * (size_t)train.N);
    memcpy(first, s->offline.a, sizeof(int) * 3 * (size_t)train.N);   // a, p, neg
    for (int step = 0, at = 0; step < 2 * train.N / T; step++) {
        assert_int_equal(session_step(s), 0);
        for (int i = 0; i < T; i++, at = (at + 1) % s->offline.n) {
            assert_int_equal(s->batch_idx[i], s->offline.a[at]);
            assert_int_equal(s->batch_idx[T + i], s->offline.p[at]);
            assert_int_equal(s->batch_idx[2 * T + i], s->offline.neg[at]);
        }
        const ts_measure *ms = &s->model[MODEL_TRIPLET].meas;
        const ts_stepstats *st = &s->model[MODEL_TRIPLET].track.last;
        assert_int_equal(st->mined.valid, T);
        assert_int_equal(ms->trip.n, T);
        for (int i = 0; i < T; i++)
            assert_true(ms->trip.a[i] == i && ms->trip.p[i] == T + i && ms->trip.neg[i] == 2 * T + i);
        // The batch's counts stay over all its valid triplets.
        assert_true(st->all.valid > T);
    }
    capture cap = {0};
    assert_int_equal(key(s, &cap, 'p'), -1);
    assert_non_null(strstr(cap.why, "offline"));
    assert_int_equal(s->cfg.set.sampler, SAMPLER_UNIFORM);
    // r: the same list, from its start.
    assert_int_equal(key(s, &cap, 'r'), 1);
    assert_memory_equal(s->offline.a, first, sizeof(int) * 3 * (size_t)train.N);
    assert_int_equal(s->offline.cursor, 0);
    // R: another seed, another list.
    assert_int_equal(key(s, &cap, 'R'), 1);
    assert_true(memcmp(s->offline.a, first, sizeof(int) * (size_t)train.N) != 0);
    // m: online hardest-neg (the question's Example 3) on the sampler's batches.
    assert_int_equal(key(s, &cap, 'm'), 1);
    assert_int_equal(s->cfg.set.miner, MINER_HARDEST_NEG);
    assert_non_null(strstr(cap.line, "\"from\":\"offline\",\"to\":\"hardest-neg\""));
    int cursor = s->offline.cursor;
    assert_int_equal(session_step(s), 0);
    assert_int_equal(s->offline.cursor, cursor);   // the list no longer moves
    assert_int_equal(s->model[MODEL_TRIPLET].track.last.mined.valid, B);   // one per anchor
    // Offline is not in the cycle: m five times comes back to hardest-neg.
    for (int i = 0; i < MINER_ONLINE; i++) {
        assert_int_equal(key(s, &cap, 'm'), 1);
        assert_true(s->cfg.set.miner != MINER_OFFLINE);
    }
    assert_int_equal(s->cfg.set.miner, MINER_HARDEST_NEG);
    assert_int_equal(key(s, &cap, 'p'), 1);   // online, the sampler is the user's again
    session_free(s);
    assert_int_equal(session_create(&s, &c, &train, &test, "blobs", &err), 0);
    assert_int_equal(key(s, &cap, 'M'), 1);
    assert_int_equal(s->cfg.set.miner, MINER_SEMIHARD);
    session_free(s);
    free(first);
    c.set.sampler = SAMPLER_PK;
    assert_int_equal(session_create(&s, &c, &train, &test, "blobs", &err), -1);
    assert_non_null(strstr(err.msg, "--miner offline"));
    assert_non_null(strstr(err.msg, "--sampler uniform"));
}

// ---------------------------------------------------------------------------
// --label-noise and the per-sample picks

// The tallies picks_count keeps current, recomputed from the per-slot counts.
static void check_tallies(const ts_picks *p) {
    long draws = 0, picks = 0, suspect_picks = 0;
    int eligible = 0, suspects = 0;
    for (int i = 0; i < p->n; i++) {
        draws += p->drawn[i];
        picks += p->pos[i] + p->neg[i];
        assert_true(p->hits[i] <= p->drawn[i]);
        int el = p->drawn[i] >= TS_PICKS_MIN_DRAWS;
        assert_true(p->strays[i] <= p->drawn[i]);
        int su = el && p->hits[i] >= TS_PICKS_HIT_SHARE * p->drawn[i] &&
                 p->strays[i] >= TS_PICKS_STRAY_SHARE * p->drawn[i];
        eligible += el;
        suspects += su;
        suspect_picks += su ? p->pos[i] + p->neg[i] : 0;
        assert_int_equal(picks_suspect(p, i), su);
    }
    assert_int_equal(draws, p->draws);
    assert_int_equal(picks, p->picks);
    assert_int_equal(eligible, p->eligible);
    assert_int_equal(suspects, p->suspects);
    assert_int_equal(suspect_picks, p->suspect_picks);
}

// The flips: the share asked, each to another class, in the session's own
// copy of the labels (the caller's set stays as it was: both models, the
// sampler and a reset read the copy); the same rows after r and R; others
// under another seed; none at 0.
static void test_label_noise_flips(void **state) {
    (void)state;
    int N = train.N, *before = malloc(sizeof(int) * (size_t)N);
    assert_non_null(before);
    memcpy(before, train.y, sizeof(int) * (size_t)N);
    ts_config c;
    small_config(&c);
    c.label_noise = 0.1f;
    ts_session *s;
    ts_error err;
    assert_int_equal(session_create(&s, &c, &train, &test, "blobs", &err), 0);
    int nf;
    const int *fl = session_flipped(s, &nf);
    assert_int_equal(nf, (int)lround(0.1 * N));
    assert_non_null(fl);
    assert_true(s->train_y != train.y);
    assert_memory_equal(train.y, before, sizeof(int) * (size_t)N);
    for (int i = 0, k = 0; i < N; i++) {
        int is = k < nf && fl[k] == i;
        if (k > 0 && k < nf) assert_true(fl[k] > fl[k - 1]);
        if (is) {
            assert_true(s->train_y[i] != train.y[i]);
            assert_true(s->train_y[i] >= 0 && s->train_y[i] < train.C);
            k++;
        } else {
            assert_int_equal(s->train_y[i], train.y[i]);
        }
    }
    assert_ptr_equal(s->sampler.y, s->train_y);
    for (int t = 0; t < 30; t++) {
        assert_int_equal(session_step(s), 0);
        for (int b = 0; b < c.batch; b++) assert_int_equal(s->y[b], s->train_y[s->batch_idx[b]]);
    }
    int *keep = malloc(sizeof(int) * (size_t)nf);
    assert_non_null(keep);
    memcpy(keep, fl, sizeof(int) * (size_t)nf);
    char why[200];
    assert_int_equal(session_command(s, CMD_RESEED, NULL, why, sizeof why), 1);
    assert_int_equal(session_command(s, CMD_RESET, NULL, why, sizeof why), 1);
    fl = session_flipped(s, &nf);
    assert_memory_equal(fl, keep, sizeof(int) * (size_t)nf);
    assert_memory_equal(train.y, before, sizeof(int) * (size_t)N);
    session_free(s);
    // The held-out labels are the caller's, untouched.
    c.seed = 1;
    assert_int_equal(session_create(&s, &c, &train, &test, "blobs", &err), 0);
    fl = session_flipped(s, &nf);
    assert_true(memcmp(fl, keep, sizeof(int) * (size_t)nf) != 0);
    for (int i = 0; i < s->n_eval; i++) assert_int_equal(s->eval_y[i], test.y[s->eval_idx[i]]);
    session_free(s);
    c.label_noise = 0;
    assert_int_equal(session_create(&s, &c, &train, &test, "blobs", &err), 0);
    assert_null(session_flipped(s, &nf));
    assert_int_equal(nf, 0);
    assert_ptr_equal(s->train_y, train.y);
    session_free(s);
    c.label_noise = 1;
    assert_int_equal(config_validate(&c, &err), -1);
    assert_non_null(strstr(err.msg, "--label-noise"));
    c.label_noise = -0.1f;
    assert_int_equal(config_validate(&c, &err), -1);
    free(before);
    free(keep);
}

// The counts: kept current in O(B) a step, equal to what the per-sample
// arrays say; hardest-neg counts negatives only, batch-hard positives too;
// another miner leaves them standing; a reset forgets them. On blobs with a
// tenth of the labels flipped, the most suspect samples are flipped ones.
static void test_picks(void **state) {
    (void)state;
    // Digits and the question's mining (--scenario label-noise): blobs'
    // classes overlap, and their hardest negatives are as often clean.
    ts_dataset tr, te;
    assert_int_equal(load_digits(&tr, &te), 0);
    ts_config c;
    config_default(&c);
    c.label_noise = 0.05f;
    c.models = TS_MODEL_BIT(MODEL_TRIPLET);
    c.threads = 1;
    c.eval_size = 100;
    ts_session *s;
    ts_error err;
    assert_int_equal(session_create(&s, &c, &tr, &te, "digits", &err), 0);
    const ts_picks *p = &s->picks;
    assert_int_equal(p->n, tr.N);
    for (int t = 0; t < 350; t++) assert_int_equal(session_step(s), 0);
    check_tallies(p);
    const ts_stepstats *st = &s->model[MODEL_TRIPLET].track.last;
    assert_true(st->picks.counted);
    assert_int_equal(st->picks.suspects, p->suspects);
    long pos = 0;
    for (int i = 0; i < p->n; i++) pos += p->pos[i];
    assert_int_equal(pos, 0);   // hardest-neg's positive is random: not counted
    int nf, top[8], k = picks_top(p, top, 8), hit = 0, flipped_suspects = 0;
    const int *fl = session_flipped(s, &nf);
    assert_int_equal(k, 8);
    for (int i = 0; i < k; i++) {
        assert_true(picks_suspect(p, top[i]));
        if (i) assert_true(picks_ratio(p, top[i]) <= picks_ratio(p, top[i - 1]));
        for (int j = 0; j < nf; j++) hit += fl[j] == top[i];
    }
    for (int j = 0; j < nf; j++) flipped_suspects += picks_suspect(p, fl[j]);
    // Measured (six kernels): the top 8 all flipped; 63-66 suspects, 98 %
    // of them flipped.
    assert_true(hit >= 6);
    assert_true(p->suspects >= 20 && flipped_suspects * 10 >= p->suspects * 8);
    // M M: semihard, then hard.
    char why[200];
    assert_int_equal(session_command(s, CMD_MINER_PREV, NULL, why, sizeof why), 1);
    long draws = p->draws;
    for (int t = 0; t < 10; t++) assert_int_equal(session_step(s), 0);
    assert_int_equal(p->draws, draws);
    assert_false(st->picks.counted);
    assert_int_equal(st->picks.suspects, p->suspects);   // as they stand
    assert_int_equal(session_command(s, CMD_MINER_PREV, NULL, why, sizeof why), 1);
    assert_int_equal(s->cfg.set.miner, MINER_HARD);
    for (int t = 0; t < 30; t++) assert_int_equal(session_step(s), 0);
    check_tallies(p);
    for (int i = 0; i < p->n; i++) pos += p->pos[i];
    assert_true(pos > 0);
    assert_int_equal(session_command(s, CMD_RESET, NULL, why, sizeof why), 1);
    assert_int_equal(p->draws, 0);
    assert_int_equal(p->suspects, 0);
    check_tallies(p);
    session_free(s);
    data_free(&tr);
    data_free(&te);
}

// Sample ids of any value, mapped to slots in the order first seen; past
// the table's size they are not counted.
static void test_picks_ids(void **state) {
    (void)state;
    ts_picks p;
    assert_int_equal(picks_init_ids(&p, 4, 8), 0);
    int64_t ids[6] = {-5, 1LL << 40, 7, -5, 7, 9};
    int slot[6];
    picks_slots(&p, ids, 6, slot);
    assert_int_equal(slot[0], 0);
    assert_int_equal(slot[1], 1);
    assert_int_equal(slot[2], 2);
    assert_int_equal(slot[3], 0);
    assert_int_equal(slot[4], 2);
    assert_int_equal(slot[5], 3);
    assert_true(picks_id(&p, 1) == 1LL << 40);
    int64_t more[2] = {11, -5};
    picks_slots(&p, more, 2, slot);
    assert_int_equal(slot[0], -1);
    assert_int_equal(slot[1], 0);
    assert_int_equal(p.dropped, 1);
    picks_clear(&p);
    assert_int_equal(p.n, 0);
    picks_slots(&p, more, 2, slot);
    assert_int_equal(slot[0], 0);
    picks_free(&p);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_offline_list),
        cmocka_unit_test(test_offline_session),
        cmocka_unit_test(test_class_name_cut),
        cmocka_unit_test(test_pk_batches),
        cmocka_unit_test(test_sampler_refusals),
        cmocka_unit_test(test_uniform_chi_square),
        cmocka_unit_test(test_series_merging),
        cmocka_unit_test(test_script),
        cmocka_unit_test(test_command_letters),
        cmocka_unit_test(test_pair_options),
        cmocka_unit_test(test_session_commands_are_the_trainers),
        cmocka_unit_test(test_weight_decay_key),
        cmocka_unit_test(test_config),
        cmocka_unit_test(test_lockstep_and_determinism),
        cmocka_unit_test(test_eval_progress),
        cmocka_unit_test(test_keys_and_reset),
        cmocka_unit_test(test_distance_cycle_and_cosine),
        cmocka_unit_test(test_divergence_and_models),
        cmocka_unit_test(test_step_recomputed),
        cmocka_unit_test(test_label_noise_flips),
        cmocka_unit_test(test_picks),
        cmocka_unit_test(test_picks_ids),
    };
    return cmocka_run_group_tests(tests, setup_data, teardown_data);
}
