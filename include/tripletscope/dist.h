// dist.h: from raw embeddings to the batch's pairwise distance matrix, and
// back.
//
// z (B, E) raw embeddings -> optional L2 normalisation -> e (B, E) ->
// dist (B, B), Euclidean (sqrt(sq + TS_DIST_EPS)) or squared. The squared
// distances come from one sgemm, |a|^2 + |b|^2 - 2ab clamped at 0, computed
// on batch-centred embeddings: distances do not change under a shift, and
// centring keeps the cancellation error small when the points crowd
// together far from the origin (a collapse, exactly when it matters).
#ifndef TRIPLETSCOPE_DIST_H
#define TRIPLETSCOPE_DIST_H

// Inside the square root: keeps d and its gradient finite at d = 0
// (as triplet-reid and TF Addons do).
#define TS_DIST_EPS 1e-12f
// F.normalize's floor on the norm.
#define TS_NORM_EPS 1e-12f

typedef struct {
    float mean, std, min, max;
} ts_normstats;

// norms (B) = |z_i|; e (B, E) = z / max(|z|, eps) when normalize, else a copy.
void embed_forward(float *e, float *norms, const float *z, int B, int E, int normalize);
// dz (B, E) += de pulled back through embed_forward.
void embed_backward(float *dz, const float *de, const float *e, const float *norms,
                    int B, int E, int normalize);
// Mean, population std, min and max of norms (B).
ts_normstats embed_normstats(const float *norms, int B);

// Scratch a distance computation needs: centred embeddings and their norms.
typedef struct {
    int maxB, maxE;
    float *c;    // (maxB, maxE) centred embeddings
    float *n2;   // (maxB) squared norms of c
    float *S;    // (maxB, maxB) backward: symmetric coefficients
    double *rs;  // (maxB) backward: S's row sums
} ts_dist_ws;

// c (N, E) = e minus its column means, and n2 (N) = c's squared row norms
// (n2 may be NULL). A shift changes no distance, and centring keeps the
// cancellation in |a|^2 + |b|^2 - 2ab small.
void dist_centre(float *c, float *n2, const float *e, int N, int E);

int dist_ws_init(ts_dist_ws *ws, int maxB, int maxE);
void dist_ws_free(ts_dist_ws *ws);
// sq (B, B) squared distances (clamped at 0, diagonal exactly 0) and dist
// (B, B) the distance in use (sq itself when squared, else sqrt(sq + eps)).
// dist may equal sq when squared.
void dist_forward(float *dist, float *sq, const float *e, int B, int E, int squared,
                  ts_dist_ws *ws);
// de (B, E) += the gradient of a loss whose gradient with respect to dist
// is W (B, B) (any entries; W[i][j] and W[j][i] both count).
void dist_backward(float *de, const float *W, const float *dist, const float *sq,
                   int B, int E, int squared, ts_dist_ws *ws);

#endif
