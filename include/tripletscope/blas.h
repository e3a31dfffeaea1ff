// blas.h: every matrix product of the core goes through this one wrapper
// around cblas_sgemm, so the rest of the code reads as math.
//
// All matrices are row-major and dense: an (R, C) matrix has leading
// dimension C. C (M, N) = alpha * op(A) (M, K) * op(B) (K, N) + beta * C.
#ifndef TRIPLETSCOPE_BLAS_H
#define TRIPLETSCOPE_BLAS_H

// op(X) = X^T when trans_X is nonzero. A is (M, K) or, transposed, (K, M);
// B is (K, N) or (N, K).
void mm(int trans_a, int trans_b, int M, int N, int K, float alpha,
        const float *A, const float *B, float beta, float *C);

// Sets the number of OpenBLAS threads (n >= 1).
void blas_set_threads(int n);
// OpenBLAS's description of itself (version and kernel), for logs and bench.
const char *blas_describe(void);

#endif
