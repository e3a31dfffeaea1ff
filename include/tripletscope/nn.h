// nn.h: the embedding network, an MLP, with Adam and SGD with momentum.
//
// Linear layers with ReLU between them and none after the last. All
// parameters live in one allocation with pointers into it (likewise the
// gradients and optimizer moments), so an optimizer step is one fused loop.
// Dimensions: B batch, I layer input, O layer output, D input, E embedding.
#ifndef TRIPLETSCOPE_NN_H
#define TRIPLETSCOPE_NN_H
#include <stddef.h>
#include "tripletscope/rng.h"

#define TS_MAX_LAYERS 8

typedef enum { OPT_ADAM, OPT_SGD } ts_optim;

typedef struct {
    int L;                            // number of linear layers
    int dims[TS_MAX_LAYERS + 1];      // dims[0] = D ... dims[L] = E
    int maxB;                         // rows the activation buffers hold
    size_t n_params;
    float *params;                    // (n_params) every weight and bias
    float *grads;                     // (n_params) same layout
    float *m, *v;                     // (n_params) optimizer moments
    float *W[TS_MAX_LAYERS];          // (O, I) into params
    float *b[TS_MAX_LAYERS];          // (O)
    float *dW[TS_MAX_LAYERS];         // (O, I) into grads
    float *db[TS_MAX_LAYERS];         // (O)
    float *act[TS_MAX_LAYERS + 1];    // act[l] (maxB, dims[l]) layer outputs, l >= 1
    float *dact[2];                   // (maxB, max dim) ping-pong gradient buffers
    long t;                           // optimizer steps taken
} ts_mlp;

// --- layers (same argument order forward and backward; backward adds) ----
// out (B, O) = inp (B, I) @ W^T + b, with W (O, I).
void linear_forward(float *out, const float *inp, const float *W, const float *b,
                    int B, int I, int O);
// dinp (B, I) += dout @ W, dW (O, I) += dout^T @ inp, db (O) += colsum(dout).
// dinp may be NULL (first layer).
void linear_backward(float *dinp, float *dW, float *db, const float *dout,
                     const float *inp, const float *W, int B, int I, int O);
// x (N) = max(x, 0) in place (NaN passes through).
void relu_forward(float *x, int N);
// dx (N) *= (y > 0), y being relu's output. The one backward that masks in
// place instead of adding: it works on the gradient flowing through the
// layer (which mlp_backward owns), not on an accumulated parameter gradient.
void relu_backward(float *dx, const float *y, int N);

// --- the network ---------------------------------------------------------
// Allocates a network of L layers with dims[0..L]; returns 0 or -1 (no memory).
int mlp_init(ts_mlp *net, const int *dims, int L, int maxB);
void mlp_free(ts_mlp *net);
// PyTorch's nn.Linear initialisation: W and b uniform in +-1/sqrt(I);
// clears the optimizer state.
void mlp_reset(ts_mlp *net, ts_rng *rng);
// Copies parameters (not optimizer state) from src, which has the same shape.
void mlp_copy_params(ts_mlp *dst, const ts_mlp *src);
// Embeds x (B, D), B <= maxB; returns act[L] (B, E), valid until the next call.
const float *mlp_forward(ts_mlp *net, const float *x, int B);
// Backpropagates dout (B, E) through the last forward of x; adds into grads.
// dout is used as scratch.
void mlp_backward(ts_mlp *net, const float *x, float *dout, int B);
void mlp_zero_grad(ts_mlp *net);
// One optimizer step with the current grads: Adam (betas 0.9, 0.999, eps
// 1e-8, bias-corrected, as torch.optim.Adam) or SGD with momentum (as
// torch.optim.SGD: buf = mu * buf + g, p -= lr * buf). Weight decay wd, on
// every parameter (biases too, as PyTorch's default parameter group):
// Adam decoupled, as torch.optim.AdamW: p *= 1 - lr * wd, then the Adam
// step of the gradient alone (torch.optim.Adam's weight_decay instead adds
// wd * p to the gradient, which Adam's moments then rescale); SGD as
// torch.optim.SGD: g += wd * p before the momentum buffer. wd = 0 leaves
// the update as it was to the bit.
void mlp_update(ts_mlp *net, ts_optim opt, float lr, float momentum, float weight_decay);
// mlp_backward then mlp_update, fused: each layer is updated as soon as its
// gradients are final (the same operations per parameter, so the same
// results), and its gradients are then zeroed. So the grads must be zero on
// entry (as after mlp_reset or a previous call) and are zero on return.
void mlp_backward_update(ts_mlp *net, const float *x, float *dout, int B, ts_optim opt,
                         float lr, float momentum, float weight_decay);

#endif
