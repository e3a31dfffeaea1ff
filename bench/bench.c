// bench.c: measurements `make bench` needs beyond the binary's own summary:
//   bench gemm D H1 H2 E B SECONDS   the sgemm-bound ceiling of one training step
//   bench eval DATA N SECONDS         the cost of evaluating N held-out queries
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
#include "tripletscope/clock.h"
#include "tripletscope/blas.h"
#include "tripletscope/data.h"
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

// --- Evaluation: embedding N held-out queries, P@1 and MAP@R, projection ---

static int bench_eval(int argc, char **argv) {
    if (argc < 3) return 2;
    ts_data_opts o;
    data_opts_default(&o);
    o.data = argv[0];
    ts_dataset train, test;
    ts_error err;
    char name[64];
    if (data_load(&o, &train, &test, name, sizeof name, &err)) {
        fprintf(stderr, "bench: %s\n", err.msg);
        return 2;
    }
    ts_config c;
    config_default(&c);
    c.eval_size = atoi(argv[1]);
    c.models = TS_MODEL_BIT(MODEL_TRIPLET);
    ts_session *s;
    if (session_create(&s, &c, &train, &test, name, &err)) {
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
    if (argc > 1 && strcmp(argv[1], "eval") == 0) return bench_eval(argc - 2, argv + 2);
    if (argc > 1 && strcmp(argv[1], "accuracy") == 0) return bench_accuracy();
    if (argc > 2 && strcmp(argv[1], "rss") == 0) return bench_rss(argc - 2, argv + 2);
    fprintf(stderr, "usage: bench gemm D H1 H2 E B SECONDS [THREADS] | eval DATA N SECONDS | rss CMD...\n");
    return 2;
}
