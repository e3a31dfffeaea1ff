// bench.c: measurements `make bench` needs beyond the binary's own summary:
//   bench gemm D H1 H2 E B SECONDS   the sgemm-bound ceiling of one training step
//   bench eval DATA N SECONDS         the cost of evaluating N held-out queries
//   bench eval-train DATA N SECONDS   the same with N training images as queries (0: all)
//   bench spread DATA N E SECONDS     the spread (effective rank, first PC, std of the
//                                     normalised) beside the retrieval it adds to, on
//                                     the same N x E held-out embeddings
//   bench phases DATA B K E STEPS     where one triplet step's time goes
//   bench rss CMD ARGS...             peak RSS and wall time of a command
//   bench accuracy                    how exact the batch distances are (accuracy.c)
// Output: one "key value" per line, for bench/run.sh to read.
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#if defined(__SSE__)
#include <xmmintrin.h>
#endif
#include "tripletscope/clock.h"
#include "tripletscope/blas.h"
#include "tripletscope/data.h"
#include "tripletscope/eigen.h"
#include "tripletscope/eval.h"
#include "tripletscope/session.h"

int bench_accuracy(void);   // accuracy.c

// --- The ceiling: exactly the GEMMs of one model's forward and backward ---

static int bench_gemm(int argc, char **argv) {
    if (argc < 6) return 2;
    int dims[4] = {atoi(argv[0]), atoi(argv[1]), atoi(argv[2]), atoi(argv[3])};
    int B = atoi(argv[4]);
    double seconds = atof(argv[5]);
    size_t most = 0;
    for (int l = 0; l < 4; l++) if ((size_t)dims[l] > most) most = dims[l];
    float *in = calloc((size_t)B * most, sizeof(float)), *out = calloc((size_t)B * most, sizeof(float));
    float *W = calloc(most * most, sizeof(float)), *dW = calloc(most * most, sizeof(float));
    for (size_t i = 0; i < (size_t)B * most; i++) in[i] = (float)(i % 7) * 0.1f;
    for (size_t i = 0; i < most * most; i++) W[i] = (float)(i % 5) * 0.01f;
    double flops = 0;
    for (int l = 0; l < 3; l++) {
        flops += 4.0 * B * dims[l] * dims[l + 1];          // forward + weight gradient
        if (l > 0) flops += 2.0 * B * dims[l] * dims[l + 1];   // input gradient
    }
    long reps = 0;
    double t0 = clock_now(), t;
    do {
        for (int l = 0; l < 3; l++) {
            int I = dims[l], O = dims[l + 1];
            mm(0, 1, B, O, I, 1.0f, in, W, 0.0f, out);            // (B, O)
            mm(1, 0, O, I, B, 1.0f, out, in, 1.0f, dW);           // (O, I)
            if (l > 0) mm(0, 0, B, I, O, 1.0f, out, W, 0.0f, in);   // (B, I)
        }
        reps++;
        t = clock_now() - t0;
    } while (t < seconds);
    printf("gemm_mflop_per_step %.2f\n", flops / 1e6);
    printf("gemm_ms_per_step %.4f\n", 1e3 * t / reps);
    printf("gemm_gflops %.1f\n", flops * reps / t / 1e9);
    printf("ceiling_steps_per_s %.1f\n", reps / t);
    free(in); free(out); free(W); free(dW);
    return 0;
}

// Loads the data set named as --data would name it; 0, or -1 after a message.
static int load(const char *data, ts_dataset *train, ts_dataset *test, char *name, size_t n) {
    ts_data_opts o;
    data_opts_default(&o);
    o.data = data;
    ts_error err;
    if (!data_load(&o, train, test, name, n, &err)) return 0;
    fprintf(stderr, "bench: %s\n", err.msg);
    return -1;
}

// --- Evaluation: embedding N held-out queries, P@1 and MAP@R, projection ---

// on_train: the training set is the query set (as many queries as a full
// training set: 60 000 for Fashion-MNIST), to see the quadratic growth
// beyond the test set's 10 000.
static int bench_eval(int argc, char **argv, int on_train) {
    if (argc < 3) return 2;
    ts_dataset train, test;
    ts_error err;
    char name[64];
    if (load(argv[0], &train, &test, name, sizeof name)) return 2;
    ts_config c;
    config_default(&c);
    c.eval_size = atoi(argv[1]);
    c.models = TS_MODEL_BIT(MODEL_TRIPLET);
    ts_session *s;
    if (session_create(&s, &c, &train, on_train ? &train : &test, name, &err)) {
        fprintf(stderr, "bench: %s\n", err.msg);
        return 2;
    }
    double seconds = atof(argv[2]), t0 = clock_now(), t;
    long reps = 0;
    do {
        session_evaluate(s);
        reps++;
        t = clock_now() - t0;
    } while (t < seconds);
    printf("eval_queries %d\n", s->n_eval);
    printf("eval_seconds %.4f\n", t / reps);
    session_free(s);
    data_free(&train);
    data_free(&test);
    return 0;
}

// --- The spread beside the retrieval, on the same embeddings (issue 12) ---

// Times of eval_retrieval, eval_spread and, of the latter, the eigenvalues
// of its (E, E) covariance alone, each repeated for SECONDS on the N x E
// embeddings one evaluation of an untrained model leaves.
static int bench_spread(int argc, char **argv) {
    if (argc < 4) return 2;
    ts_dataset train, test;
    ts_error err;
    char name[64];
    if (load(argv[0], &train, &test, name, sizeof name)) return 2;
    ts_config c;
    config_default(&c);
    c.eval_size = atoi(argv[1]);
    c.embed_dim = atoi(argv[2]);
    c.models = TS_MODEL_BIT(MODEL_TRIPLET);
    ts_session *s;
    if (session_create(&s, &c, &train, &test, name, &err)) {
        fprintf(stderr, "bench: %s\n", err.msg);
        return 2;
    }
    session_evaluate(s);
    ts_model *m = &s->model[MODEL_TRIPLET];
    int N = s->n_eval, E = c.embed_dim;
    double seconds = atof(argv[3]), t0, t, tr, ts, te;
    long reps;
    ts_retrieval r;
    for (t0 = clock_now(), reps = 0; (t = clock_now() - t0) < seconds || !reps; reps++)
        eval_retrieval(m->eval_emb, s->eval_y, N, E, s->test->C, &m->ews, &r);
    tr = t / reps;
    for (t0 = clock_now(), reps = 0; (t = clock_now() - t0) < seconds || !reps; reps++)
        eval_spread(m->eval_emb, N, E, &m->ews, &r.spread);
    ts = t / reps;
    double *a = malloc(sizeof(double) * ((size_t)E * E + 3 * (size_t)E));
    for (t0 = clock_now(), reps = 0; (t = clock_now() - t0) < seconds || !reps; reps++) {
        for (size_t k = 0; k < (size_t)E * E; k++) a[k] = m->ews.cov[k];
        eigen_symmetric(a, E, a + (size_t)E * E, a + (size_t)E * E + E);
    }
    te = t / reps;
    printf("spread_queries %d\nspread_dims %d\n", N, E);
    printf("retrieval_seconds %.4f\nspread_seconds %.4f\neigen_seconds %.4f\n", tr, ts, te);
    printf("effective_rank %.3f\n", r.spread.effective_rank);
    free(a);
    session_free(s);
    data_free(&train);
    data_free(&test);
    return 0;
}

// --- Phases: one triplet step, replicated from model_step, each part timed ---

// As session_step does: Adam's decaying moments would otherwise turn into
// denormals, which are a hundred times slower (session.c keeps it static).
static void flush_denormals(void) {
#if defined(__SSE__)
    _mm_setcsr(_mm_getcsr() | 0x8040);   // FTZ | DAZ
#endif
}

enum { PH_BATCH, PH_FORWARD, PH_MEASURE, PH_MINE, PH_BACKWARD, PH_COUNT };
static const char *const phase_name[PH_COUNT] = {"batch", "forward", "measure", "mine",
                                                 "backward"};

// The triplet model's step of session_step and model_step (src/core/session.c)
// with the same public calls, in the same order, a clock read between the
// phases: the batch (sampling, gathering the pixels), the forward pass, the
// batch's measurement (distances, anchors, difficulty counts), mining and the
// loss, the backward pass with the optimizer. The distances are timed once
// more apart, and so are each anchor's sorted negatives (anchors_build) and
// the difficulty counts (count_triplets), on the same embeddings, into
// scratch of their own, outside the step's sum: measure_batch split into its
// three costs.
static int bench_phases(int argc, char **argv) {
    if (argc < 5) return 2;
    ts_dataset train, test;
    ts_error err;
    char name[64];
    if (load(argv[0], &train, &test, name, sizeof name)) return 2;
    ts_config c;
    config_default(&c);
    config_preset(&c, "batch-hard");
    c.batch = atoi(argv[1]);
    c.k = atoi(argv[2]);
    c.embed_dim = atoi(argv[3]);
    c.eval_size = 100;   // never evaluated here; keeps session_create cheap
    c.models = TS_MODEL_BIT(MODEL_TRIPLET);
    long steps = atol(argv[4]);
    ts_session *s;
    if (session_create(&s, &c, &train, &test, name, &err)) {
        fprintf(stderr, "bench: %s\n", err.msg);
        return 2;
    }
    int B = c.batch, E = c.embed_dim;
    const ts_settings *set = &s->cfg.set;
    ts_model *m = &s->model[MODEL_TRIPLET];
    ts_measure *ms = &m->meas;
    ts_stepstats *st = &m->cur;
    ts_dist_ws dws;
    ts_anchors anc;
    float *dist2 = malloc(sizeof(float) * 2 * (size_t)B * B);   // (B, B) twice
    if (!dist2 || dist_ws_init(&dws, B, E) || anchors_init(&anc, B)) {
        fprintf(stderr, "bench: out of memory\n");
        return 2;
    }
    double ph[PH_COUNT] = {0}, t_dist = 0, t_anc = 0, t_count = 0, close = 0;
    long warm = steps < 5 ? steps : 5;   // first steps: page faults, OpenBLAS's buffers
    flush_denormals();
    for (long i = -warm; i < steps; i++) {
        double t[PH_COUNT + 1];
        t[0] = clock_now();
        sampler_next(&s->sampler, set->sampler, B, s->cfg.k, s->batch_idx);
        data_gather(s->train, s->batch_idx, B, s->x);                  // (B, D)
        for (int j = 0; j < B; j++) s->y[j] = s->train->y[s->batch_idx[j]];
        st->step = s->step + 1;
        t[1] = clock_now();
        const float *z = mlp_forward(&m->net, s->x, B);                  // (B, E)
        t[2] = clock_now();
        measure_batch(ms, z, s->y, set, st);
        t[3] = clock_now();
        st->loss = measure_triplets(ms, set, &m->miner_rng, st);       // W (B, B)
        t[4] = clock_now();
        memset(m->de, 0, sizeof(float) * (size_t)B * E);
        dist_backward(m->de, ms->W, ms->e, ms->d, ms->sq, B, E, set->distance, &ms->dws);
        memset(m->dz, 0, sizeof(float) * (size_t)B * E);
        embed_backward(m->dz, m->de, ms->e, ms->norms, B, E,
                       distance_normalizes(set->distance, set->normalize));
        mlp_backward_update(&m->net, s->x, m->dz, B, s->cfg.optimizer, set->lr, s->cfg.momentum,
                            set->weight_decay);
        t[5] = clock_now();
        s->step++;
        // Apart from the step: the distances alone (and how many pairs came
        // from their differences, the refinement of close pairs), the
        // anchors' sorted negatives, the counts. ms->e still holds this
        // step's embeddings (the optimizer changed only the weights).
        ts_counts cnt;
        float *d2 = set->distance == DIST_SQUARED ? dist2 + (size_t)B * B : dist2;
        double d0 = clock_now();
        dist_forward(d2, dist2 + (size_t)B * B, ms->e, B, E, set->distance, &dws);   // (B, B)
        double d1 = clock_now();
        anchors_build(&anc, d2, s->y, B);
        double d2t = clock_now();
        count_triplets(&anc, set->margin, &cnt);
        double d3 = clock_now();
        if (i < 0) continue;
        for (int p = 0; p < PH_COUNT; p++) ph[p] += t[p + 1] - t[p];
        t_dist += d1 - d0;
        t_anc += d2t - d1;
        t_count += d3 - d2t;
        close += dws.n_close;
    }
    double total = 0;
    for (int p = 0; p < PH_COUNT; p++) total += ph[p];
    long n = steps > 0 ? steps : 1;
    printf("steps %ld\n", steps);
    printf("step_ms %.4f\n", 1e3 * total / n);
    printf("steps_per_s %.1f\n", total > 0 ? n / total : 0);
    for (int p = 0; p < PH_COUNT; p++) {
        printf("%s_ms %.4f\n", phase_name[p], 1e3 * ph[p] / n);
        printf("%s_share %.1f\n", phase_name[p], total > 0 ? 100 * ph[p] / total : 0);
    }
    printf("dist_ms %.4f\n", 1e3 * t_dist / n);
    printf("dist_share %.1f\n", total > 0 ? 100 * t_dist / total : 0);
    printf("anchors_ms %.4f\n", 1e3 * t_anc / n);
    printf("anchors_share %.1f\n", total > 0 ? 100 * t_anc / total : 0);
    printf("counts_ms %.4f\n", 1e3 * t_count / n);
    printf("counts_share %.1f\n", total > 0 ? 100 * t_count / total : 0);
    printf("close_pairs_share %.1f\n", B > 1 ? 100 * close / n / (0.5 * B * (B - 1)) : 0);
    printf("final_loss %.4f\n", st->loss);
    free(dist2);
    dist_ws_free(&dws);
    anchors_free(&anc);
    session_free(s);
    data_free(&train);
    data_free(&test);
    return 0;
}

// --- Peak RSS and wall time of a child --------------------------------------

static int bench_rss(int argc, char **argv) {
    double t0 = clock_now();
    pid_t pid = fork();
    if (pid == 0) {
        if (!freopen("/dev/null", "w", stdout)) _exit(127);
        execvp(argv[0], argv);
        _exit(127);
    }
    int status;
    struct rusage ru;
    if (wait4(pid, &status, 0, &ru) < 0) return 2;
    printf("wall_seconds %.3f\n", clock_now() - t0);
    printf("peak_rss_mb %.1f\n", ru.ru_maxrss / 1024.0);
    printf("exit_status %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : 128);
    return 0;
}

int main(int argc, char **argv) {
    blas_set_threads(1);
    if (argc > 1 && strcmp(argv[1], "gemm") == 0) {
        if (argc > 8) blas_set_threads(atoi(argv[8]));
        return bench_gemm(argc - 2, argv + 2);
    }
    if (argc > 1 && strcmp(argv[1], "eval") == 0) return bench_eval(argc - 2, argv + 2, 0);
    if (argc > 1 && strcmp(argv[1], "eval-train") == 0) return bench_eval(argc - 2, argv + 2, 1);
    if (argc > 1 && strcmp(argv[1], "phases") == 0) return bench_phases(argc - 2, argv + 2);
    if (argc > 1 && strcmp(argv[1], "spread") == 0) return bench_spread(argc - 2, argv + 2);
    if (argc > 1 && strcmp(argv[1], "accuracy") == 0) return bench_accuracy();
    if (argc > 2 && strcmp(argv[1], "rss") == 0) return bench_rss(argc - 2, argv + 2);
    fprintf(stderr, "usage: bench gemm D H1 H2 E B SECONDS [THREADS] | eval DATA N SECONDS\n"
                    "       | eval-train DATA N SECONDS | spread DATA N E SECONDS\n"
                    "       | phases DATA B K E STEPS | rss CMD...\n");
    return 2;
}
