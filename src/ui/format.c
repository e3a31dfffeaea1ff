// format.c: the interface's number formats, pure like the canvas (no
// terminal, no allocation), so the tests read them directly.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "format.h"

// --- Settings ------------------------------------------------------------------

void format_setting(char *buf, int n, float v) {
    float a = fabsf(v);
    if (v == 0 || !isfinite(v)) {
        snprintf(buf, (size_t)n, isfinite(v) ? "0.00" : "%g", v);
        return;
    }
    if (a >= 1e5f || a < 1e-6f) {
        snprintf(buf, (size_t)n, "%.2e", v);
        return;
    }
    for (int d = 2; d <= 6; d++) {
        snprintf(buf, (size_t)n, "%.*f", d, v);
        double back = strtod(buf, NULL);
        if (fabs(back - v) <= 0.005 * a) return;
    }
}

// --- Measured numbers ----------------------------------------------------------

// Drops the trailing zeros of a fixed-point number: "0.0700" -> "0.07", "2.00" -> "2".
static void trim_zeros(char *s) {
    if (!strchr(s, '.')) return;
    char *e = s + strlen(s) - 1;
    while (*e == '0') *e-- = 0;
    if (*e == '.') *e = 0;
}

// "1.50e-05" -> "1.5e-5", "2.00e+08" -> "2e8": the exponent without its
// padding, the mantissa without its trailing zeros.
static void compact_exp(char *s) {
    char *e = strchr(s, 'e');
    if (!e) return;
    char ex[8], *p = e + 1;
    int neg = *p == '-';
    if (*p == '-' || *p == '+') p++;
    while (*p == '0' && p[1]) p++;
    snprintf(ex, sizeof ex, "%s%s", neg ? "-" : "", p);
    *e = 0;
    trim_zeros(s);
    size_t len = strlen(s);
    snprintf(s + len, 16, "e%s", ex);
}

// v with an exponent, with as many digits (up to 3) as fit in maxw.
static void sig3_exp(char *buf, int n, double v, int maxw) {
    char t[32];
    for (int d = 2; d >= 0; d--) {
        snprintf(t, sizeof t, "%.*e", d, v);
        compact_exp(t);
        if ((int)strlen(t) <= maxw || d == 0) break;
    }
    snprintf(buf, (size_t)n, "%s", t);
}

void format_sig3(char *buf, int n, double v, int maxw) {
    if (maxw > n - 1) maxw = n - 1;
    if (!isfinite(v)) {
        snprintf(buf, (size_t)n, "%s", isnan(v) ? "nan" : v > 0 ? "inf" : "-inf");
        return;
    }
    if (v == 0) {
        snprintf(buf, (size_t)n, "0");
        return;
    }
    int mag = (int)floor(log10(fabs(v)));
    // Fixed point with 3 significant digits (every digit of a whole
    // number), or 2 when 3 do not fit.
    for (int sig = 3; sig >= 2; sig--) {
        int d = sig - 1 - mag;
        snprintf(buf, (size_t)n, "%.*f", d > 0 ? d : 0, v);
        trim_zeros(buf);
        if ((int)strlen(buf) <= maxw) return;
    }
    // Else an exponent, with as many digits as fit.
    sig3_exp(buf, n, v, maxw);
}

void format_sig3_pair(char *a, char *b, int n, double va, double vb, int maxw) {
    format_sig3(a, n, va, maxw);
    format_sig3(b, n, vb, maxw);
    int ea = strchr(a, 'e') != NULL, eb = strchr(b, 'e') != NULL;
    if (maxw > n - 1) maxw = n - 1;
    if (ea && !eb && isfinite(vb) && vb != 0) sig3_exp(b, n, vb, maxw);
    if (eb && !ea && isfinite(va) && va != 0) sig3_exp(a, n, va, maxw);
}

// --- Counts --------------------------------------------------------------------

void format_count(char *buf, int n, long v) {
    if (v < 10000) {
        snprintf(buf, (size_t)n, "%ld", v);
        return;
    }
    static const char suffix[] = "kMGT";
    double x = (double)v / 1000.0;
    int i = 0;
    while (x >= 999.5 && i < 3) {
        x /= 1000.0;
        i++;
    }
    snprintf(buf, (size_t)n, "%.*f%c", x < 9.995 ? 2 : x < 99.95 ? 1 : 0, x, suffix[i]);
}
