// pca.h: the 2D projection of held-out embeddings (their first two principal
// axes), stable from one evaluation to the next.
#ifndef TRIPLETSCOPE_PCA_H
#define TRIPLETSCOPE_PCA_H

typedef struct {
    int maxN, E;
    float *c;        // (maxN, E) centred points
    float *cov;      // (E, E)
    float *axes;     // (2, E) the last axes found, kept for the next call
    float *tmp;      // (2, E) iteration scratch
    float *prev;     // (2, E) the axes before this call
    int have_axes;
    float var[2];    // variance along each axis
    float total_var; // total variance (for "explains x %")
    float extent;    // the projected cloud's extent: the larger of its two
                     // axes' spans (max - min), in the embedding's length units
    float extent0;   // the extent at the first projection since pca_init or
                     // pca_forget: a scale that does not follow each call's
} ts_pca;

int pca_init(ts_pca *p, int maxN, int E);
void pca_free(ts_pca *p);
// Forgets the previous axes (the next projection may pick any sign) and the
// first projection's extent (the next projection sets it).
void pca_forget(ts_pca *p);
// Projects emb (N, E) onto its top two principal axes: out (N, 2). Each
// axis' sign is chosen to agree with the previous call's axis (or, the
// first time, to make its largest component positive), so the picture does
// not flip between evaluations. Sets var, total_var, extent (and extent0 the
// first time).
void pca_project(ts_pca *p, const float *emb, int N, float *out);

#endif
