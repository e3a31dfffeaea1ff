// test_nn.c: every layer, the normalisation and the distances against
// finite differences; the optimizers against hand-computed steps.
#include <stdlib.h>
#include <string.h>
#include "testutil.h"
#include "tripletscope/dist.h"
#include "tripletscope/nn.h"

// Central differences in double around float parameters: h is large enough
// that float rounding of the loss stays well below the signal.
#define FD_H 1e-2f

// ---------------------------------------------------------------------------
// Linear layer: L = sum(out * R)

static double linear_loss(const float *inp, const float *W, const float *b, const float *R,
                          int B, int I, int O, float *out) {
    linear_forward(out, inp, W, b, B, I, O);
    double s = 0;
    for (int i = 0; i < B * O; i++) s += (double)out[i] * R[i];
    return s;
}

static void test_linear_gradients(void **state) {
    (void)state;
    enum { B = 5, I = 7, O = 4 };
    ts_rng r;
    rng_seed(&r, 1, 1);
    float inp[B * I], W[O * I], b[O], R[B * O], out[B * O];
    float dinp[B * I] = {0}, dW[O * I] = {0}, db[O] = {0};
    fill_uniform(inp, B * I, -1, 1, &r);
    fill_uniform(W, O * I, -1, 1, &r);
    fill_uniform(b, O, -1, 1, &r);
    fill_uniform(R, B * O, -1, 1, &r);
    linear_forward(out, inp, W, b, B, I, O);
    // Backward adds: start from a known offset and check it is kept.
    for (int i = 0; i < O; i++) db[i] = 1.0f;
    linear_backward(dinp, dW, db, R, inp, W, B, I, O);
    for (int i = 0; i < O; i++) db[i] -= 1.0f;
    float *params[3] = {inp, W, b};
    float *grads[3] = {dinp, dW, db};
    int sizes[3] = {B * I, O * I, O};
    for (int t = 0; t < 3; t++)
        for (int i = 0; i < sizes[t]; i++) {
            float keep = params[t][i];
            params[t][i] = keep + FD_H;
            double up = linear_loss(inp, W, b, R, B, I, O, out);
            params[t][i] = keep - FD_H;
            double down = linear_loss(inp, W, b, R, B, I, O, out);
            params[t][i] = keep;
            assert_close(grads[t][i], (up - down) / (2 * FD_H), 1e-3, 1e-4);
        }
}

static void test_relu(void **state) {
    (void)state;
    float x[4] = {-1.0f, 0.0f, 2.0f, -0.0f}, dx[4] = {1, 1, 1, 1};
    relu_forward(x, 4);
    assert_true(x[0] == 0.0f && x[1] == 0.0f && x[2] == 2.0f && x[3] == 0.0f);
    relu_backward(dx, x, 4);
    assert_true(dx[0] == 0.0f && dx[1] == 0.0f && dx[2] == 1.0f && dx[3] == 0.0f);
}

// ---------------------------------------------------------------------------
// The whole MLP: L = sum(out * R), every parameter checked

static double mlp_loss(ts_mlp *net, const float *x, const float *R, int B) {
    const float *out = mlp_forward(net, x, B);
    double s = 0;
    for (int i = 0; i < B * net->dims[net->L]; i++) s += (double)out[i] * R[i];
    return s;
}

static void test_mlp_gradients(void **state) {
    (void)state;
    enum { B = 6 };
    int dims[4] = {5, 8, 6, 3};
    ts_mlp net;
    assert_int_equal(mlp_init(&net, dims, 3, B), 0);
    ts_rng r;
    rng_seed(&r, 2, 1);
    mlp_reset(&net, &r);
    float x[B * 5], R[B * 3], dout[B * 3];
    fill_uniform(x, B * 5, -2, 2, &r);
    fill_uniform(R, B * 3, -1, 1, &r);
    mlp_forward(&net, x, B);
    memcpy(dout, R, sizeof dout);
    mlp_zero_grad(&net);
    mlp_backward(&net, x, dout, B);
    int checked = 0;
    for (size_t i = 0; i < net.n_params; i++) {
        float keep = net.params[i];
        net.params[i] = keep + 1e-3f;
        double up = mlp_loss(&net, x, R, B);
        net.params[i] = keep - 1e-3f;
        double down = mlp_loss(&net, x, R, B);
        net.params[i] = keep;
        // The loss is piecewise linear in each parameter; skip the few whose
        // step crosses a ReLU kink (detected by asymmetric one-sided slopes).
        double mid = mlp_loss(&net, x, R, B);
        double s1 = (up - mid) / 1e-3, s2 = (mid - down) / 1e-3;
        if (fabs(s1 - s2) > 1e-2 * (1 + fabs(s1))) continue;
        assert_close(net.grads[i], (up - down) / 2e-3, 2e-2, 2e-3);
        checked++;
    }
    assert_true(checked > (int)net.n_params * 9 / 10);
    mlp_free(&net);
}

// mlp_backward_update (the step's fused path) against mlp_backward then
// mlp_update: bit-identical parameters and optimizer state over several
// steps of both optimizers, without and with weight decay, and the
// gradients left at zero.
static void test_fused_backward_update(void **state) {
    (void)state;
    enum { B = 6 };
    int dims[4] = {5, 8, 6, 3};
    for (int opt = 0; opt < 4; opt++) {
        ts_optim o = opt & 1 ? OPT_SGD : OPT_ADAM;
        float wd = opt & 2 ? 0.5f : 0.0f;
        ts_mlp a, b;
        assert_int_equal(mlp_init(&a, dims, 3, B), 0);
        assert_int_equal(mlp_init(&b, dims, 3, B), 0);
        ts_rng r;
        rng_seed(&r, 3, 1);
        mlp_reset(&a, &r);
        rng_seed(&r, 3, 1);
        mlp_reset(&b, &r);
        float x[B * 5], R[B * 3], d[B * 3];
        for (int step = 0; step < 4; step++) {
            fill_uniform(x, B * 5, -2, 2, &r);
            fill_uniform(R, B * 3, -1, 1, &r);
            mlp_forward(&a, x, B);
            memcpy(d, R, sizeof d);
            mlp_zero_grad(&a);
            mlp_backward(&a, x, d, B);
            mlp_update(&a, o, 0.01f, 0.9f, wd);
            mlp_forward(&b, x, B);
            memcpy(d, R, sizeof d);
            mlp_backward_update(&b, x, d, B, o, 0.01f, 0.9f, wd);
            assert_memory_equal(a.params, b.params, sizeof(float) * a.n_params);
            assert_memory_equal(a.m, b.m, sizeof(float) * a.n_params);
            assert_memory_equal(a.v, b.v, sizeof(float) * a.n_params);
            for (size_t i = 0; i < b.n_params; i++) assert_true(b.grads[i] == 0.0f);
        }
        mlp_free(&a);
        mlp_free(&b);
    }
}

static void test_mlp_init_like_pytorch(void **state) {
    (void)state;
    int dims[3] = {100, 50, 10};
    ts_mlp a, b;
    assert_int_equal(mlp_init(&a, dims, 2, 4), 0);
    assert_int_equal(mlp_init(&b, dims, 2, 4), 0);
    ts_rng r1, r2;
    rng_seed(&r1, 7, 1);
    rng_seed(&r2, 7, 1);
    mlp_reset(&a, &r1);
    mlp_reset(&b, &r2);
    assert_memory_equal(a.params, b.params, sizeof(float) * a.n_params);
    // Uniform in +-1/sqrt(fan_in): bounded, and filling most of the range.
    float bound = 1.0f / sqrtf(100.0f), lo = 1, hi = -1;
    for (int i = 0; i < 50 * 100; i++) {
        assert_true(fabsf(a.W[0][i]) <= bound);
        lo = fminf(lo, a.W[0][i]);
        hi = fmaxf(hi, a.W[0][i]);
    }
    assert_true(lo < -0.9f * bound && hi > 0.9f * bound);
    mlp_free(&a);
    mlp_free(&b);
}

// ---------------------------------------------------------------------------
// Optimizers against hand-computed steps

static void test_adam_and_sgd_steps(void **state) {
    (void)state;
    int dims[2] = {1, 1};
    ts_mlp net;
    assert_int_equal(mlp_init(&net, dims, 1, 1), 0);
    ts_rng r;
    rng_seed(&r, 0, 0);
    mlp_reset(&net, &r);
    net.W[0][0] = 1.0f;
    net.b[0][0] = 0.5f;
    // Adam's first step moves each parameter by lr * sign(g) (bias-corrected).
    net.dW[0][0] = 0.3f;
    net.db[0][0] = -2.0f;
    mlp_update(&net, OPT_ADAM, 0.1f, 0.0f, 0.0f);
    assert_close(net.W[0][0], 0.9f, 1e-5, 1e-6);
    assert_close(net.b[0][0], 0.6f, 1e-5, 1e-6);
    // Second step with g = 0.3 again: m = 0.3 (corrected), v = 0.09: again lr.
    net.db[0][0] = 0.0f;
    mlp_update(&net, OPT_ADAM, 0.1f, 0.0f, 0.0f);
    assert_close(net.W[0][0], 0.8f, 1e-5, 1e-6);
    // b: m = 0.9*(-0.2) = -0.18, mhat = -0.18/0.19; v = 0.999*0.004, vhat = v/0.001999
    double m = -0.18 / 0.19, v = 0.999 * 0.004 / (1 - 0.999 * 0.999);
    assert_close(net.b[0][0], 0.6 - 0.1 * m / (sqrt(v) + 1e-8), 1e-5, 1e-6);

    mlp_reset(&net, &r);
    net.W[0][0] = 1.0f;
    net.dW[0][0] = 1.0f;
    mlp_update(&net, OPT_SGD, 0.1f, 0.9f, 0.0f);   // buf = g
    assert_close(net.W[0][0], 0.9f, 1e-6, 1e-7);
    mlp_update(&net, OPT_SGD, 0.1f, 0.9f, 0.0f);   // buf = 0.9 + 1
    assert_close(net.W[0][0], 0.9f - 0.19f, 1e-6, 1e-7);
    mlp_free(&net);
}

// Weight decay against the formulas nn.h gives. Adam, decoupled as
// torch.optim.AdamW: p *= 1 - lr * wd, then the Adam step of the gradient
// alone (the moments are those of a run without decay); biases too. SGD, as
// torch.optim.SGD: g += wd * p before the momentum buffer.
static void test_weight_decay_steps(void **state) {
    (void)state;
    int dims[2] = {1, 1};
    ts_mlp net, ref;
    assert_int_equal(mlp_init(&net, dims, 1, 1), 0);
    assert_int_equal(mlp_init(&ref, dims, 1, 1), 0);
    ts_rng r;
    rng_seed(&r, 0, 0);
    mlp_reset(&net, &r);
    mlp_reset(&ref, &r);
    const float lr = 0.1f, wd = 0.5f;
    net.W[0][0] = ref.W[0][0] = 1.0f;
    net.b[0][0] = ref.b[0][0] = 0.5f;
    // Step 1: W decays to 0.95, then Adam's first step moves it by lr
    // against the sign of g; b (g = 0) only decays.
    net.dW[0][0] = ref.dW[0][0] = 0.3f;
    net.db[0][0] = ref.db[0][0] = 0.0f;
    mlp_update(&net, OPT_ADAM, lr, 0.0f, wd);
    mlp_update(&ref, OPT_ADAM, lr, 0.0f, 0.0f);
    assert_close(net.W[0][0], 1.0 * (1 - lr * wd) - lr, 1e-5, 1e-6);
    assert_close(net.b[0][0], 0.5 * (1 - lr * wd), 1e-6, 1e-7);
    // The decay enters neither moment.
    assert_memory_equal(net.m, ref.m, sizeof(float) * net.n_params);
    assert_memory_equal(net.v, ref.v, sizeof(float) * net.n_params);
    // Step 2, g = 0.3 again: the Adam step is again lr (see
    // test_adam_and_sgd_steps), after the decay of what step 1 left.
    net.dW[0][0] = 0.3f;
    net.db[0][0] = 0.0f;
    double w1 = net.W[0][0];
    mlp_update(&net, OPT_ADAM, lr, 0.0f, wd);
    assert_close(net.W[0][0], w1 * (1 - lr * wd) - lr, 1e-5, 1e-6);

    // SGD, momentum 0.9: buf = g + wd * p; then buf = 0.9 buf + g + wd * p.
    mlp_reset(&net, &r);
    net.W[0][0] = 1.0f;
    net.dW[0][0] = 0.5f;
    mlp_update(&net, OPT_SGD, lr, 0.9f, wd);
    double buf = 0.5 + wd * 1.0, w = 1.0 - lr * buf;
    assert_close(net.W[0][0], w, 1e-6, 1e-7);
    net.dW[0][0] = 0.5f;
    mlp_update(&net, OPT_SGD, lr, 0.9f, wd);
    buf = 0.9 * buf + 0.5 + wd * w;
    assert_close(net.W[0][0], w - lr * buf, 1e-6, 1e-7);
    mlp_free(&net);
    mlp_free(&ref);
}

// ---------------------------------------------------------------------------
// Normalisation: L = sum(e * R)

static void test_normalize_gradients(void **state) {
    (void)state;
    enum { B = 4, E = 5 };
    ts_rng r;
    rng_seed(&r, 3, 1);
    float z[B * E], e[B * E], n[B], R[B * E], dz[B * E];
    fill_uniform(z, B * E, -2, 2, &r);
    fill_uniform(R, B * E, -1, 1, &r);
    for (int normalize = 0; normalize < 2; normalize++) {
        embed_forward(e, n, z, B, E, normalize);
        if (normalize)
            for (int i = 0; i < B; i++) {
                double s = 0;
                for (int k = 0; k < E; k++) s += (double)e[i * E + k] * e[i * E + k];
                assert_close(s, 1.0, 1e-6, 0);
            }
        memset(dz, 0, sizeof dz);
        embed_backward(dz, R, e, n, B, E, normalize);
        for (int i = 0; i < B * E; i++) {
            float keep = z[i];
            double l[2];
            for (int sgn = 0; sgn < 2; sgn++) {
                z[i] = keep + (sgn ? -1e-3f : 1e-3f);
                embed_forward(e, n, z, B, E, normalize);
                l[sgn] = 0;
                for (int j = 0; j < B * E; j++) l[sgn] += (double)e[j] * R[j];
            }
            z[i] = keep;
            assert_close(dz[i], (l[0] - l[1]) / 2e-3, 1e-2, 1e-3);
        }
    }
    // Norm statistics: population std.
    float norms[4] = {1, 2, 3, 4};
    ts_normstats st = embed_normstats(norms, 4);
    assert_close(st.mean, 2.5, 1e-6, 0);
    assert_close(st.std, sqrt(1.25), 1e-6, 0);
    assert_true(st.min == 1 && st.max == 4);
}

// ---------------------------------------------------------------------------
// Pairwise distances: values against direct sums, gradients against FD

static double dist_loss(const float *e, const float *W, int B, int E, ts_distance distance,
                        float *dist, float *sq, ts_dist_ws *ws) {
    dist_forward(dist, sq, e, B, E, distance, ws);
    double s = 0;
    for (int i = 0; i < B * B; i++) s += (double)W[i] * dist[i];
    return s;
}

// |a - b|^2 in double from the float values: the exact value to within
// 1e-15 relative.
static double exact_sq(const float *a, const float *b, int E) {
    double s = 0;
    for (int k = 0; k < E; k++) {
        double d = (double)a[k] - b[k];
        s += d * d;
    }
    return s;
}

static void test_distances(void **state) {
    (void)state;
    enum { B = 6, E = 3 };
    ts_rng r;
    rng_seed(&r, 4, 1);
    float e[B * E], W[B * B], dist[B * B], sq[B * B], de[B * E];
    ts_dist_ws ws;
    assert_int_equal(dist_ws_init(&ws, B, E), 0);
    fill_uniform(W, B * B, -1, 1, &r);
    // Near the origin, far from it (where |a|^2 + |b|^2 - 2ab alone loses
    // every digit of a distance of 1 at 1e4), and in two clusters far apart
    // (where centring would not help).
    const float offsets[] = {0.0f, 100.0f, 1e4f, 300.0f};
    for (int o = 0; o < 4; o++) {
        fill_uniform(e, B * E, -1, 1, &r);
        for (int i = 0; i < B * E; i++)
            e[i] += o == 3 && (i / E) % 2 ? -offsets[o] : offsets[o];
        // Cosine here is sq / 2 of whatever e is: of unit vectors, 1 - cos
        // (test_cosine takes it from the raw embeddings).
        for (int dk = 0; dk < DIST_COUNT; dk++) {
            ts_distance distance = (ts_distance)dk;
            dist_forward(dist, sq, e, B, E, distance, &ws);
            for (int i = 0; i < B; i++)
                for (int j = 0; j < B; j++) {
                    double s = exact_sq(e + i * E, e + j * E, E);
                    double want = distance == DIST_EUCLIDEAN ? sqrt(s)
                                  : distance == DIST_SQUARED ? s : s / 2;
                    if (i == j) assert_true(sq[i * B + j] == 0.0f && dist[i * B + j] == 0.0f);
                    assert_true(dist[i * B + j] == dist[j * B + i]);
                    assert_close(dist[i * B + j], want, 2e-6, 0);
                }
            // Central differences need the loss to the last bits: where the
            // distances reach 1e3 (o >= 2) a float's rounding of d, 1e-4,
            // is noise against h = FD_H. The Gram path is checked at o = 0,
            // the differences' path at o = 1 (every pair refined there).
            if (o >= 2) continue;
            memset(de, 0, sizeof de);
            dist_backward(de, W, e, dist, sq, B, E, distance, &ws);
            for (int i = 0; i < B * E; i++) {
                float keep = e[i];
                e[i] = keep + FD_H;
                double up = dist_loss(e, W, B, E, distance, dist, sq, &ws);
                e[i] = keep - FD_H;
                double down = dist_loss(e, W, B, E, distance, dist, sq, &ws);
                e[i] = keep;
                assert_close(de[i], (up - down) / (2 * FD_H), 2e-2, 2e-3);
            }
        }
    }
    // Identical points are exactly 0 apart (issue 9's case: the Gram form
    // gave 1.38e-3), with a zero gradient, not NaN.
    float same[4 * 2] = {-1.2970200f, -3.3902903f, -1.2970200f, -3.3902903f,
                         0.5f, 0.25f, 2.0f, -1.0f};
    float W4[16], d4[16], s4[16], g4[8] = {0};
    for (int i = 0; i < 16; i++) W4[i] = 1.0f;
    dist_forward(d4, s4, same, 4, 2, DIST_EUCLIDEAN, &ws);
    assert_true(d4[0 * 4 + 1] == 0.0f && d4[1 * 4 + 0] == 0.0f && s4[1] == 0.0f);
    dist_backward(g4, W4, same, d4, s4, 4, 2, DIST_EUCLIDEAN, &ws);
    for (int i = 0; i < 8; i++) assert_true(isfinite(g4[i]));
    // Points a few ulps apart, far from the origin: as close as float
    // allows (the differences are exact), and the gradient of a distance
    // there is a unit vector, as it must be however small d is.
    float near[2 * E] = {1000.0f, -2000.0f, 3000.0f, 1000.0f, -2000.0f, 3000.0f};
    near[3] = nextafterf(near[3], 2000.0f);
    near[5] = nextafterf(nextafterf(near[5], 4000.0f), 4000.0f);
    float W2[4] = {0, 1, 0, 0}, d2[4], s2[4], g2[2 * E] = {0};
    dist_forward(d2, s2, near, 2, E, DIST_EUCLIDEAN, &ws);
    double want = sqrt(exact_sq(near, near + E, E));
    assert_close(d2[1], want, 1e-6, 0);
    dist_backward(g2, W2, near, d2, s2, 2, E, DIST_EUCLIDEAN, &ws);
    double norm = 0;
    for (int k = 0; k < E; k++) norm += (double)g2[k] * g2[k];
    assert_close(sqrt(norm), 1.0, 1e-5, 0);
    dist_ws_free(&ws);
}

// ---------------------------------------------------------------------------
// Cosine, from the raw embeddings: normalisation, then sq / 2

// 1 - cos(a, b) in double from the float values.
static double exact_cosine(const float *a, const float *b, int E) {
    double ab = 0, aa = 0, bb = 0;
    for (int k = 0; k < E; k++) {
        ab += (double)a[k] * b[k];
        aa += (double)a[k] * a[k];
        bb += (double)b[k] * b[k];
    }
    return 1.0 - ab / sqrt(aa * bb);
}

// L = sum W_ij d_ij with d the cosine distance of the raw z, as the trainer
// takes it: embed_forward (normalising), then dist_forward.
static double cosine_loss(const float *z, const float *W, int B, int E, float *e, float *norms,
                          float *dist, float *sq, ts_dist_ws *ws) {
    embed_forward(e, norms, z, B, E, distance_normalizes(DIST_COSINE, 0));
    return dist_loss(e, W, B, E, DIST_COSINE, dist, sq, ws);
}

static void test_cosine(void **state) {
    (void)state;
    enum { B = 7, E = 5 };
    ts_rng r;
    rng_seed(&r, 5, 1);
    float z[B * E], e[B * E], norms[B], W[B * B], dist[B * B], sq[B * B], de[B * E], dz[B * E];
    ts_dist_ws ws;
    assert_int_equal(dist_ws_init(&ws, B, E), 0);
    assert_true(distance_normalizes(DIST_COSINE, 0) && !distance_normalizes(DIST_SQUARED, 0));
    fill_uniform(W, B * B, -1, 1, &r);
    // Directions all over the sphere (the Gram path), and a tight cone
    // around one direction (d ~ 1e-3: the differences' path), each at the
    // scale of 1, of 1e4 and of 1e-4 (cosine ignores it).
    const float spread[] = {1.0f, 0.05f};
    const float scale[] = {1.0f, 1e4f, 1e-4f};
    for (int o = 0; o < 2; o++)
        for (int sc = 0; sc < 3; sc++) {
            fill_uniform(z, B * E, -1, 1, &r);
            for (int i = 0; i < B * E; i++)
                z[i] = scale[sc] * (o ? (i % E == 0 ? 1.0f : 0.0f) + spread[o] * z[i] : z[i]);
            cosine_loss(z, W, B, E, e, norms, dist, sq, &ws);
            for (int i = 0; i < B; i++)
                for (int j = 0; j < B; j++) {
                    float d = dist[i * B + j];
                    assert_true(d == dist[j * B + i]);   // symmetric to the bit
                    if (i == j) {
                        assert_true(d == 0.0f && sq[i * B + j] == 0.0f);
                        continue;
                    }
                    // Exactly half the squared distance of the unit vectors,
                    // to float's rounding of that distance ...
                    assert_close(d, exact_sq(e + i * E, e + j * E, E) / 2, 2e-6, 0);
                    // ... and 1 - cos of the raw floats to within the
                    // normalisation's rounding: each unit component within
                    // 3 units in the last place, so d within 6u |e_i - e_j|.
                    assert_close(d, exact_cosine(z + i * E, z + j * E, E), 2e-6, 1e-6);
                    assert_true(d >= 0.0f && d <= 2.0f + 1e-6f);
                }
            // The gradient of L through both, against central differences
            // of the same path. h is relative to the scale: cosine is
            // scale-free, its gradient falls as 1 / |z|.
            if (sc) continue;
            memset(de, 0, sizeof de);
            memset(dz, 0, sizeof dz);
            dist_backward(de, W, e, dist, sq, B, E, DIST_COSINE, &ws);
            embed_backward(dz, de, e, norms, B, E, 1);
            float h = o ? 1e-3f : FD_H;   // within the cone's width of 0.05
            for (int i = 0; i < B * E; i++) {
                float keep = z[i];
                z[i] = keep + h;
                double up = cosine_loss(z, W, B, E, e, norms, dist, sq, &ws);
                z[i] = keep - h;
                double down = cosine_loss(z, W, B, E, e, norms, dist, sq, &ws);
                z[i] = keep;
                assert_close(dz[i], (up - down) / (2 * h), 2e-2, 2e-3);
            }
            cosine_loss(z, W, B, E, e, norms, dist, sq, &ws);
        }
    // Scale-free to the bit: z and 2^k z normalise to the same floats, so
    // 8 z and z / 8 are 0 from z, and every other distance is unchanged.
    fill_uniform(z, B * E, -1, 1, &r);
    for (int k = 0; k < E; k++) {
        z[1 * E + k] = 8.0f * z[0 * E + k];
        z[2 * E + k] = z[0 * E + k] / 8.0f;
    }
    // A zero embedding has no direction: the floor of the normalisation
    // leaves it at the origin, 1/2 from every unit vector (|e|^2 / 2), 0
    // from another zero one; its gradient stays finite (z / eps's, as
    // F.normalize's).
    for (int k = 0; k < E; k++) z[5 * E + k] = z[6 * E + k] = 0.0f;
    cosine_loss(z, W, B, E, e, norms, dist, sq, &ws);
    assert_true(dist[0 * B + 1] == 0.0f && dist[0 * B + 2] == 0.0f && dist[1 * B + 2] == 0.0f);
    for (int j = 3; j < 5; j++)
        assert_true(dist[0 * B + j] == dist[1 * B + j] && dist[0 * B + j] == dist[2 * B + j]);
    assert_true(dist[5 * B + 6] == 0.0f);
    for (int j = 0; j < 5; j++) assert_close(dist[5 * B + j], 0.5, 1e-6, 0);
    memset(de, 0, sizeof de);
    memset(dz, 0, sizeof dz);
    dist_backward(de, W, e, dist, sq, B, E, DIST_COSINE, &ws);
    embed_backward(dz, de, e, norms, B, E, 1);
    for (int i = 0; i < B * E; i++) assert_true(isfinite(dz[i]));
    dist_ws_free(&ws);
}

// The table of distances: names both ways, the order d steps through.
static void test_distance_names(void **state) {
    (void)state;
    const char *order[] = {"euclidean", "squared", "cosine"};
    assert_int_equal(DIST_COUNT, 3);
    for (int d = 0; d < DIST_COUNT; d++) {
        assert_string_equal(distance_name((ts_distance)d), order[d]);
        assert_int_equal(distance_parse(order[d]), d);
        assert_int_equal(distance_info((ts_distance)d)->unit, d == DIST_COSINE);
    }
    assert_int_equal(distance_parse("l2"), -1);
    assert_string_equal(distance_name(DIST_COUNT), "euclidean");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_linear_gradients),
        cmocka_unit_test(test_relu),
        cmocka_unit_test(test_mlp_gradients),
        cmocka_unit_test(test_mlp_init_like_pytorch),
        cmocka_unit_test(test_adam_and_sgd_steps),
        cmocka_unit_test(test_weight_decay_steps),
        cmocka_unit_test(test_fused_backward_update),
        cmocka_unit_test(test_normalize_gradients),
        cmocka_unit_test(test_distances),
        cmocka_unit_test(test_cosine),
        cmocka_unit_test(test_distance_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
