// eigen.c: eigenvalues of a symmetric matrix: Householder tridiagonalisation,
// then implicit QL with Wilkinson's shift (Golub & Van Loan, Matrix
// Computations, 8.3; the eigenvalue-only QL as in EISPACK's tql1).
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include "tripletscope/eigen.h"

// x . y over n, in four running sums (the compiler keeps the order it is
// given: one sum would be a chain of dependent adds).
static double dot(const double *x, const double *y, int n) {
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    int i = 0;
    for (; i + 4 <= n; i += 4) {
        s0 += x[i] * y[i];
        s1 += x[i + 1] * y[i + 1];
        s2 += x[i + 2] * y[i + 2];
        s3 += x[i + 3] * y[i + 3];
    }
    for (; i < n; i++) s0 += x[i] * y[i];
    return (s0 + s1) + (s2 + s3);
}

// Reduces a (n, n) to tridiagonal form T = Q^T A Q by n - 2 Householder
// reflections: diagonal d (n), off-diagonal e (n; e[i] couples i and i + 1,
// e[n - 1] = 0). Only the lower triangle (and the diagonal) is read and
// updated: half the memory traffic of the full matrix, which is what the
// reduction's time is at E = 512 and more (the matrix outgrows the caches).
static void tridiagonalise(double *a, int n, double *d, double *e) {
    for (int k = 0; k + 2 < n; k++) {
        int m = n - k - 1;                        // the trailing block's size
        double *b = a + (size_t)(k + 1) * n + k + 1;   // the trailing block (m, m), lower part
        double *x = e + k + 1;                    // column k below the diagonal (m), copied
        double *p = x + m;                        // ... and p (m), in e's entries and past them
        d[k] = a[(size_t)k * n + k];
        double scale = 0;
        for (int i = 0; i < m; i++) scale += fabs(a[(size_t)(k + 1 + i) * n + k]);
        if (scale == 0) {   // already reduced: nothing to reflect
            e[k] = 0;
            continue;
        }
        // Scaled, so that the squares neither overflow nor underflow.
        double s2 = 0;
        for (int i = 0; i < m; i++) {
            x[i] = a[(size_t)(k + 1 + i) * n + k] / scale;
            s2 += x[i] * x[i];
        }
        double alpha = x[0] >= 0 ? -sqrt(s2) : sqrt(s2);
        e[k] = alpha * scale;
        // v = x - alpha e_1 (in x); H = I - v v^T / h with h = v^T v / 2,
        // so that H x = alpha e_1.
        double h = s2 - alpha * x[0];
        x[0] -= alpha;
        // p = B v / h over the lower triangle: row i gives B_ij v_j to p_i
        // and B_ij v_i to p_j (j < i).
        for (int i = 0; i < m; i++) p[i] = 0;
        for (int i = 0; i < m; i++) {
            const double *row = b + (size_t)i * n;
            double vi = x[i];
            p[i] += dot(row, x, i) + row[i] * vi;
            for (int j = 0; j < i; j++) p[j] += row[j] * vi;
        }
        for (int i = 0; i < m; i++) p[i] /= h;
        // B <- H B H = B - v w^T - w v^T, w = p - (v^T p / 2h) v (in p).
        double K = dot(x, p, m) / (2 * h);
        for (int i = 0; i < m; i++) p[i] -= K * x[i];
        for (int i = 0; i < m; i++) {
            double *row = b + (size_t)i * n, vi = x[i], wi = p[i];
            for (int j = 0; j <= i; j++) row[j] -= vi * p[j] + wi * x[j];
        }
    }
    if (n >= 2) {
        d[n - 2] = a[(size_t)(n - 2) * n + n - 2];
        e[n - 2] = a[(size_t)(n - 1) * n + n - 2];
    }
    d[n - 1] = a[(size_t)(n - 1) * n + n - 1];
    e[n - 1] = 0;
}

// The eigenvalues of the tridiagonal (d, e) into d, by implicit QL.
static int ql_implicit(double *d, double *e, int n) {
    int rc = 0;
    for (int l = 0; l < n; l++) {
        for (int iter = 0;; iter++) {
            // The first negligible off-diagonal from l on splits the matrix.
            int m = l;
            for (; m < n - 1; m++)
                if (fabs(e[m]) <= DBL_EPSILON * (fabs(d[m]) + fabs(d[m + 1]))) break;
            if (m == l) break;   // d[l] is an eigenvalue
            if (iter == 60) {
                rc = -1;
                break;
            }
            // Wilkinson's shift from the leading 2 x 2, then the chase of
            // the bulge from m up to l by plane rotations.
            double g = (d[l + 1] - d[l]) / (2.0 * e[l]);
            double r = hypot(g, 1.0);
            g = d[m] - d[l] + e[l] / (g + copysign(r, g));
            double s = 1, c = 1, p = 0;
            int i = m - 1;
            for (; i >= l; i--) {
                double f = s * e[i], bb = c * e[i];
                e[i + 1] = r = hypot(f, g);
                if (r == 0) {   // underflow: deflate and start again
                    d[i + 1] -= p;
                    e[m] = 0;
                    break;
                }
                s = f / r;
                c = g / r;
                g = d[i + 1] - p;
                r = (d[i] - g) * s + 2.0 * c * bb;
                p = s * r;
                d[i + 1] = g + p;
                g = c * r - bb;
            }
            if (r == 0 && i >= l) continue;
            d[l] -= p;
            e[l] = g;
            e[m] = 0;
        }
    }
    return rc;
}

static int decreasing(const void *x, const void *y) {
    double a = *(const double *)x, b = *(const double *)y;
    return (a < b) - (a > b);
}

int eigen_symmetric(double *a, int n, double *w, double *e) {
    if (n <= 0) return 0;
    tridiagonalise(a, n, w, e);
    int rc = ql_implicit(w, e, n);
    qsort(w, (size_t)n, sizeof *w, decreasing);
    return rc;
}
