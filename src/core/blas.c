// blas.c: the one place the core calls BLAS.
#include <cblas.h>
#include "tripletscope/blas.h"

void mm(int trans_a, int trans_b, int M, int N, int K, float alpha,
        const float *A, const float *B, float beta, float *C) {
    cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans,
                trans_b ? CblasTrans : CblasNoTrans, M, N, K, alpha,
                A, trans_a ? M : K, B, trans_b ? K : N, beta, C, N);
}

void blas_set_threads(int n) { openblas_set_num_threads(n < 1 ? 1 : n); }
const char *blas_describe(void) { return openblas_get_config(); }
