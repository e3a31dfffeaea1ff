// testutil.h: helpers shared by the unit tests.
#ifndef TRIPLETSCOPE_TESTUTIL_H
#define TRIPLETSCOPE_TESTUTIL_H
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "tripletscope/data.h"
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

// The bytes of a .npy (version 1.0) with the given dict fields and raw data
// (n bytes): malloc'd, *total of them.
static inline unsigned char *npy_bytes(const char *descr, int fortran, const char *shape,
                                       const void *data, size_t n, size_t *total) {
    char header[256];
    int len = snprintf(header, sizeof header,
                       "{'descr': '%s', 'fortran_order': %s, 'shape': %s, }", descr,
                       fortran ? "True" : "False", shape);
    // Pad with spaces so that magic + header + '\n' is a multiple of 64.
    while ((10 + len + 1) % 64) header[len++] = ' ';
    header[len++] = '\n';
    *total = 10 + (size_t)len + n;
    unsigned char *buf = malloc(*total);
    assert_non_null(buf);
    memcpy(buf, "\x93NUMPY\x01\x00", 8);
    buf[8] = (unsigned char)(len & 0xff);
    buf[9] = (unsigned char)(len >> 8);
    memcpy(buf + 10, header, (size_t)len);
    if (n) memcpy(buf + 10 + len, data, n);
    return buf;
}

// Loads --data digits (the built-in set) into train and test: 0, or -1.
static inline int load_digits(ts_dataset *train, ts_dataset *test) {
    ts_data_opts o;
    data_opts_default(&o);
    o.data = "digits";
    char name[64];
    ts_error err;
    return data_load(&o, train, test, name, sizeof name, &err);
}

#endif
