// testutil.h: helpers shared by the unit tests.
#ifndef TRIPLETSCOPE_TESTUTIL_H
#define TRIPLETSCOPE_TESTUTIL_H
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <cmocka.h>
#include "tripletscope/rng.h"

// Fills x (n) with uniform values in [lo, hi).
static inline void fill_uniform(float *x, int n, float lo, float hi, ts_rng *r) {
    for (int i = 0; i < n; i++) x[i] = lo + (hi - lo) * rng_float(r);
}

// Asserts |a - b| <= atol + rtol * max(|a|, |b|), printing both on failure.
#define assert_close(a, b, rtol, atol)                                              \
    do {                                                                            \
        double a_ = (a), b_ = (b);                                                  \
        double tol_ = (atol) + (rtol) * fmax(fabs(a_), fabs(b_));                   \
        if (!(fabs(a_ - b_) <= tol_)) {                                             \
            print_error("%s = %.9g vs %s = %.9g (tol %.3g)\n", #a, a_, #b, b_, tol_); \
            fail();                                                                 \
        }                                                                           \
    } while (0)

#endif
