// nn.c: the MLP embedding network and its optimizers.
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "tripletscope/blas.h"
#include "tripletscope/nn.h"
#include "simd.h"

// ---------------------------------------------------------------------------
// Layers

void linear_forward(float *out, const float *inp, const float *W, const float *b,
                    int B, int I, int O) {
    // Rows start as the bias so the product can accumulate onto them.
    for (int i = 0; i < B; i++) memcpy(out + (size_t)i * O, b, sizeof(float) * O);
    mm(0, 1, B, O, I, 1.0f, inp, W, 1.0f, out);
}

void linear_backward(float *dinp, float *dW, float *db, const float *dout,
                     const float *inp, const float *W, int B, int I, int O) {
    if (dinp) mm(0, 0, B, I, O, 1.0f, dout, W, 1.0f, dinp);
    mm(1, 0, O, I, B, 1.0f, dout, inp, 1.0f, dW);
    for (int i = 0; i < B; i++) {
        const float *row = dout + (size_t)i * O;
        for (int o = 0; o < O; o++) db[o] += row[o];
    }
}

void relu_forward(float *x, int N) {
    for (int i = 0; i < N; i++) x[i] = x[i] < 0.0f ? 0.0f : x[i];   // NaN passes, as in PyTorch
}

void relu_backward(float *dx, const float *y, int N) {
    for (int i = 0; i < N; i++) dx[i] = y[i] > 0.0f ? dx[i] : 0.0f;
}

// ---------------------------------------------------------------------------
// Allocation

int mlp_init(ts_mlp *net, const int *dims, int L, int maxB) {
    memset(net, 0, sizeof *net);
    if (L < 1 || L > TS_MAX_LAYERS || maxB < 1) return -1;
    net->L = L;
    net->maxB = maxB;
    size_t n = 0, acts = 0;
    int widest = 0;
    for (int l = 0; l <= L; l++) {
        net->dims[l] = dims[l];
        if (dims[l] < 1) return -1;
        if (dims[l] > widest) widest = dims[l];
    }
    for (int l = 0; l < L; l++) {
        n += (size_t)dims[l + 1] * dims[l] + dims[l + 1];
        acts += (size_t)maxB * dims[l + 1];
    }
    net->n_params = n;
    net->params = calloc(4 * n, sizeof(float));
    float *a = calloc(acts + 2 * (size_t)maxB * widest, sizeof(float));
    if (!net->params || !a) {
        free(net->params);
        free(a);
        net->params = NULL;
        return -1;
    }
    net->grads = net->params + n;
    net->m = net->grads + n;
    net->v = net->m + n;
    float *p = net->params, *g = net->grads;
    for (int l = 0; l < L; l++) {
        size_t w = (size_t)dims[l + 1] * dims[l];
        net->W[l] = p; net->dW[l] = g; p += w; g += w;
        net->b[l] = p; net->db[l] = g; p += dims[l + 1]; g += dims[l + 1];
        net->act[l + 1] = a;
        a += (size_t)maxB * dims[l + 1];
    }
    net->dact[0] = a;
    net->dact[1] = a + (size_t)maxB * widest;
    return 0;
}

void mlp_free(ts_mlp *net) {
    free(net->params);
    if (net->L > 0) free(net->act[1]);
    memset(net, 0, sizeof *net);
}

void mlp_reset(ts_mlp *net, ts_rng *rng) {
    for (int l = 0; l < net->L; l++) {
        int I = net->dims[l], O = net->dims[l + 1];
        float bound = 1.0f / sqrtf((float)I);
        for (size_t i = 0; i < (size_t)O * I; i++)
            net->W[l][i] = (2.0f * rng_float(rng) - 1.0f) * bound;
        for (int o = 0; o < O; o++) net->b[l][o] = (2.0f * rng_float(rng) - 1.0f) * bound;
    }
    memset(net->grads, 0, sizeof(float) * 3 * net->n_params);
    net->t = 0;
}

void mlp_copy_params(ts_mlp *dst, const ts_mlp *src) {
    memcpy(dst->params, src->params, sizeof(float) * src->n_params);
}

// ---------------------------------------------------------------------------
// Forward and backward

const float *mlp_forward(ts_mlp *net, const float *x, int B) {
    const float *in = x;
    for (int l = 0; l < net->L; l++) {
        int I = net->dims[l], O = net->dims[l + 1];
        linear_forward(net->act[l + 1], in, net->W[l], net->b[l], B, I, O);
        if (l + 1 < net->L) relu_forward(net->act[l + 1], B * O);
        in = net->act[l + 1];
    }
    return net->act[net->L];
}

void mlp_zero_grad(ts_mlp *net) {
    memset(net->grads, 0, sizeof(float) * net->n_params);
}

// ---------------------------------------------------------------------------
// Optimizers

// Elementwise over every parameter (bound by the divider and memory): compiled
// for the widest vectors the CPU has (simd.h).

// The update of parameters [0, n) of one span (p, g, m, v at the same
// offsets); t is the step being taken, c1 and c2 Adam's bias corrections,
// wd the weight decay (nn.h says which form). clear: zero the gradients
// after use, for the next step's accumulation.
// (GCC would otherwise split the zeroing out of the Adam loop into a memset.)
// wd = 0 skips the decay's operations, so a run without it is the same to
// the bit as before weight decay existed.
WIDEST_SIMD __attribute__((optimize("no-tree-loop-distribute-patterns")))
static void update_span(float *restrict p, float *restrict g, float *restrict m,
                        float *restrict v, size_t n, ts_optim opt, float lr, float momentum,
                        float wd, long t, float c1, float c2, int clear) {
    if (opt == OPT_SGD) {
        // torch.optim.SGD: g += wd * p, before the momentum buffer.
        if (wd != 0.0f)
            for (size_t i = 0; i < n; i++) g[i] += wd * p[i];
        // torch.optim.SGD initialises the buffer with the first gradient.
        if (t == 1) memcpy(m, g, sizeof(float) * n);
        else for (size_t i = 0; i < n; i++) m[i] = momentum * m[i] + g[i];
        for (size_t i = 0; i < n; i++) p[i] -= lr * m[i];
        if (clear) memset(g, 0, sizeof(float) * n);
        return;
    }
    const float b1 = 0.9f, b2 = 0.999f, eps = 1e-8f;
    // Adam: decoupled (torch.optim.AdamW): p *= 1 - lr * wd, then the step
    // of the gradient alone, which the decay does not enter.
    if (wd != 0.0f) {
        const float keep = 1.0f - lr * wd;
        for (size_t i = 0; i < n; i++) p[i] *= keep;
    }
    // Adam is bound by the divider (a square root and a division per
    // parameter), so zeroing the gradient in the same pass costs nothing.
    if (clear)
        for (size_t i = 0; i < n; i++) {
            float gi = g[i];
            g[i] = 0.0f;
            m[i] = b1 * m[i] + (1.0f - b1) * gi;
            v[i] = b2 * v[i] + (1.0f - b2) * gi * gi;
            p[i] -= lr * (m[i] * c1) / (sqrtf(v[i] * c2) + eps);
        }
    else
        for (size_t i = 0; i < n; i++) {
            m[i] = b1 * m[i] + (1.0f - b1) * g[i];
            v[i] = b2 * v[i] + (1.0f - b2) * g[i] * g[i];
            p[i] -= lr * (m[i] * c1) / (sqrtf(v[i] * c2) + eps);
        }
}

static void corrections(long t, float *c1, float *c2) {
    const float b1 = 0.9f, b2 = 0.999f;
    *c1 = 1.0f / (1.0f - powf(b1, (float)t));
    *c2 = 1.0f / (1.0f - powf(b2, (float)t));
}

void mlp_update(ts_mlp *net, ts_optim opt, float lr, float momentum, float weight_decay) {
    float c1, c2;
    net->t++;
    corrections(net->t, &c1, &c2);
    update_span(net->params, net->grads, net->m, net->v, net->n_params, opt, lr, momentum,
                weight_decay, net->t, c1, c2, 0);
}

// ---------------------------------------------------------------------------
// The backward pass, alone or fused with the optimizer

// One optimizer step's constants, for update_span.
typedef struct {
    ts_optim opt;
    float lr, momentum, wd, c1, c2;
    long t;
} optim_step;

// The backward pass; with upd, each layer is updated (and its gradients
// zeroed) as soon as they are final: its weights are no longer needed by the
// pass, and its gradients are still in cache.
static void backward(ts_mlp *net, const float *x, float *dout, int B, const optim_step *upd) {
    float *d = dout;
    for (int l = net->L - 1; l >= 0; l--) {
        int I = net->dims[l], O = net->dims[l + 1];
        const float *in = l > 0 ? net->act[l] : x;
        float *din = NULL;
        if (l > 0) {
            din = net->dact[l & 1];
            memset(din, 0, sizeof(float) * (size_t)B * I);
        }
        linear_backward(din, net->dW[l], net->db[l], d, in, net->W[l], B, I, O);
        if (upd) {   // W[l] then b[l]: one span of params
            size_t off = (size_t)(net->W[l] - net->params), n = (size_t)O * I + O;
            update_span(net->params + off, net->grads + off, net->m + off, net->v + off, n,
                        upd->opt, upd->lr, upd->momentum, upd->wd, upd->t, upd->c1, upd->c2, 1);
        }
        if (din) relu_backward(din, net->act[l], B * I);
        d = din;
    }
}

void mlp_backward(ts_mlp *net, const float *x, float *dout, int B) {
    backward(net, x, dout, B, NULL);
}

void mlp_backward_update(ts_mlp *net, const float *x, float *dout, int B, ts_optim opt,
                         float lr, float momentum, float weight_decay) {
    optim_step u = {opt, lr, momentum, weight_decay, 0, 0, ++net->t};
    corrections(u.t, &u.c1, &u.c2);
    backward(net, x, dout, B, &u);
}
