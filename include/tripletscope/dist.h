// dist.h: from raw embeddings to the batch's pairwise distance matrix, and
// back.
//
// z (B, E) raw embeddings -> optional L2 normalisation -> e (B, E) ->
// dist (B, B): Euclidean sqrt(sq), squared sq, or cosine sq / 2 on unit
// vectors (= 1 - cos). The squared distances come from one sgemm,
// |a|^2 + |b|^2 - 2ab; where that form has cancelled most of its digits
// (sq below TS_DIST_REFINE of |a|^2 + |b|^2: close points, or points far
// from the origin), sq is computed again from the differences,
// sum (a - b)^2. So identical embeddings are exactly 0 apart, near ones as
// close as float allows, and every distance is within about two units in
// the last place of the exact one, wherever the points are (docs/metrics.md
// has the measurements: bench/accuracy.c).
#ifndef TRIPLETSCOPE_DIST_H
#define TRIPLETSCOPE_DIST_H

// Below this share of |a|^2 + |b|^2, the Gram form's squared distance is
// computed again from the differences.
#define TS_DIST_REFINE 0.125f
// F.normalize's floor on the norm.
#define TS_NORM_EPS 1e-12f

// The distance in use (--distance, the d key), in the order d cycles through.
typedef enum {
    DIST_EUCLIDEAN,   // |a - b|
    DIST_SQUARED,     // |a - b|^2
    // 1 - cos(a, b) = |a/|a| - b/|b||^2 / 2: the embeddings are normalised
    // whatever --normalize says, so it lies in [0, 2]. A zero embedding has
    // no direction: normalisation's floor (TS_NORM_EPS) leaves it at the
    // origin, 1/2 from every unit vector and 0 from another zero one.
    DIST_COSINE,
    DIST_COUNT
} ts_distance;

// What a distance is, for everything that names or judges it (one row each, dist.c).
typedef struct {
    const char *name;      // --distance, the JSON lines, the d key's events: "cosine"
    const char *label;     // the interface's settings token: "L2", "L2^2", "cos"
    int unit;              // 1: always of unit vectors (normalises whatever --normalize says)
    float unrelated;       // between two independent random unit vectors: sqrt(2), 2, 1
                           // (sqrt(E|u - v|^2), E|u - v|^2, E(1 - u.v))
} ts_distance_info;

// d's row (DIST_EUCLIDEAN's for a value out of range).
const ts_distance_info *distance_info(ts_distance d);
// d's name: "euclidean", "squared" or "cosine".
const char *distance_name(ts_distance d);
// The distance named s, or -1.
int distance_parse(const char *s);
// Whether embeddings are L2-normalised before the distance: normalize (the
// n key), or a distance that always is of unit vectors (cosine). The
// trainer, the measurements and the evaluation all ask here.
int distance_normalizes(ts_distance d, int normalize);
// The distance d between two points len apart in the distance space (len in
// the embedding's length units, after any normalisation): len (euclidean),
// len^2 (squared), len^2 / 2 (cosine, of unit vectors). The projection's
// extent in the units the margin is in.
float distance_of_length(ts_distance d, float len);

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

// Scratch a distance computation needs.
typedef struct {
    int maxB, maxE;
    float *n2;   // (maxB) squared norms of the rows of e
    float *S;    // (maxB, maxB) backward: symmetric coefficients
    double *rs;  // (maxB) backward: S's row sums
    int *close;  // (maxB^2 / 2 + maxB) the pairs i < j computed from their differences, i * B + j
    int n_close;
} ts_dist_ws;

// c (N, E) = e minus its column means, and n2 (N) = c's squared row norms
// (n2 may be NULL): the PCA's centring.
void dist_centre(float *c, float *n2, const float *e, int N, int E);
// |a|^2 of a (E).
float dist_sq_norm(const float *a, int E);
// |a - b|^2 of a, b (E), from the differences (symmetric to the last bit).
float dist_sq_direct(const float *a, const float *b, int E);
// The Gram form's squared distance, g + (n2a + n2b), from g = -2 a.b (the
// sgemm) and the squared norms: symmetric in a and b to the last bit.
static inline float dist_gram(float g, float n2a, float n2b) { return g + (n2a + n2b); }
// Whether the Gram form v has cancelled too much to keep (close points,
// or points far from the origin): v below TS_DIST_REFINE of n2a + n2b.
static inline int dist_cancelled(float v, float n2a, float n2b) {
    return v < TS_DIST_REFINE * (n2a + n2b);
}
// A bound on how far the Gram form's squared distance of a and b (E) may
// be from the exact one.
float dist_gram_slack(float n2a, float n2b, int E);
// row (n) holds -2 a.b_j for the rows b_j of e (n, E) with squared norms
// n2 (n); turns it into |a - b_j|^2: the Gram form, or the differences where
// it cancelled (their positions j go to refined (n)); clamped at 0, NaN
// kept. Returns how many were refined.
int dist_sq_fix_row(float *row, const float *a, float n2a, const float *e, const float *n2,
                    int n, int E, int *refined);

int dist_ws_init(ts_dist_ws *ws, int maxB, int maxE);
void dist_ws_free(ts_dist_ws *ws);
// sq (B, B) squared distances (clamped at 0, diagonal exactly 0, symmetric)
// and dist (B, B) the distance in use: sqrt(sq), sq itself, or for cosine
// sq / 2 (exact: a power of 2), 1 - cos when the rows of e are unit vectors
// (the caller normalises them: distance_normalizes). dist may equal sq only
// when squared. Remembers in ws which pairs it computed from their
// differences, for dist_backward.
void dist_forward(float *dist, float *sq, const float *e, int B, int E, ts_distance distance,
                  ts_dist_ws *ws);
// de (B, E) += the gradient of a loss whose gradient with respect to dist
// is W (B, B) (any entries; W[i][j] and W[j][i] both count), through the
// e (B, E), dist and sq of the last dist_forward with ws (and its
// distance). Where sq is 0 the gradient is 0. For cosine it is the gradient
// of sq / 2 with respect to e; embed_backward takes it on to the raw
// embeddings, through the normalisation.
void dist_backward(float *de, const float *W, const float *e, const float *dist,
                   const float *sq, int B, int E, ts_distance distance, ts_dist_ws *ws);

#endif
