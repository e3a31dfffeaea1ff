// eigen.h: the eigenvalues of a symmetric matrix, for the spread of the
// held-out embeddings (eval_spread: the covariance's spectrum).
//
// Householder reduction to tridiagonal form, then the implicit QL algorithm
// with Wilkinson's shift on the tridiagonal matrix (eigenvalues only: no
// eigenvectors are accumulated). O(n^3) for the reduction (about 4/3 n^3
// flops, on the lower triangle), O(n^2) for QL. In double throughout.
#ifndef TRIPLETSCOPE_EIGEN_H
#define TRIPLETSCOPE_EIGEN_H

// Overwrites the lower triangle of a (n, n), symmetric, row-major (only the
// lower triangle and the diagonal are read), with the reduction's work, and
// writes its eigenvalues to w (n) in decreasing order. e (2n) is scratch. Returns 0, or -1 when QL did not converge for an
// eigenvalue within 60 iterations (w then holds the current estimates).
int eigen_symmetric(double *a, int n, double *w, double *e);

#endif
