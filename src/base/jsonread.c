// jsonread.c: one JSON object's members (jsonread.h).
//
// Strict JSON. Nesting is bounded, so that a line of a million '[' fails
// rather than overflowing the stack.
#include <locale.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "tripletscope/jsonread.h"

#define JSON_DEPTH 32

static const char *json_ws(const char *p) {
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') p++;
    return p;
}

static int hex4(const char *p, unsigned *v) {
    *v = 0;
    for (int k = 0; k < 4; k++) {
        char c = p[k];
        unsigned d = c >= '0' && c <= '9' ? (unsigned)(c - '0')
                   : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10)
                   : c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10) : 16u;
        if (d > 15) return -1;
        *v = *v * 16 + d;
    }
    return 0;
}

// Appends code point u as UTF-8 to out (cap bytes with the NUL); sets *over
// when it does not fit.
static void put_utf8(unsigned u, char *out, size_t cap, size_t *n, int *over) {
    char b[4];
    size_t m;
    if (u < 0x80) b[0] = (char)u, m = 1;
    else if (u < 0x800) b[0] = (char)(0xC0 | (u >> 6)), b[1] = (char)(0x80 | (u & 0x3F)), m = 2;
    else if (u < 0x10000)
        b[0] = (char)(0xE0 | (u >> 12)), b[1] = (char)(0x80 | ((u >> 6) & 0x3F)),
        b[2] = (char)(0x80 | (u & 0x3F)), m = 3;
    else
        b[0] = (char)(0xF0 | (u >> 18)), b[1] = (char)(0x80 | ((u >> 12) & 0x3F)),
        b[2] = (char)(0x80 | ((u >> 6) & 0x3F)), b[3] = (char)(0x80 | (u & 0x3F)), m = 4;
    if (u == 0 || *n + m + 1 > cap) {   // a NUL cannot be in a C name
        *over = 1;
        return;
    }
    memcpy(out + *n, b, m);
    *n += m;
}

// A string at p ('"'), decoded into out (NULL: only checked). Returns the
// text after its closing quote, or NULL when it is malformed; *over when it
// did not fit in out.
static const char *json_string(const char *p, char *out, size_t cap, int *over) {
    size_t n = 0;
    *over = 0;
    if (*p++ != '"') return NULL;
    for (;;) {
        unsigned char c = (unsigned char)*p++;
        if (c == '"') break;
        if (c < 0x20) return NULL;   // the line's end too
        if (c != '\\') {
            if (out && n + 2 <= cap) out[n++] = (char)c;
            else if (out) *over = 1;
            continue;
        }
        unsigned u;
        switch (*p++) {
        case '"': u = '"'; break;
        case '\\': u = '\\'; break;
        case '/': u = '/'; break;
        case 'b': u = '\b'; break;
        case 'f': u = '\f'; break;
        case 'n': u = '\n'; break;
        case 'r': u = '\r'; break;
        case 't': u = '\t'; break;
        case 'u':
            if (hex4(p, &u) < 0) return NULL;
            p += 4;
            if (u >= 0xD800 && u < 0xDC00 && p[0] == '\\' && p[1] == 'u') {
                unsigned lo;
                if (hex4(p + 2, &lo) < 0) return NULL;
                if (lo >= 0xDC00 && lo < 0xE000) {
                    u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
                    p += 6;
                }
            }
            if (u >= 0xD800 && u < 0xE000) u = 0xFFFD;   // a lone surrogate
            break;
        default: return NULL;
        }
        if (out) put_utf8(u, out, cap, &n, over);
    }
    if (out) out[n] = '\0';
    return p;
}

// A number at p: JSON's grammar, or NaN / Infinity / -Infinity. Returns the
// text after it, or NULL; *integer when it has no fraction or exponent.
static const char *json_number(const char *p, double *v, int *integer) {
    const char *b = p;
    *integer = 0;
    if (strncmp(p, "NaN", 3) == 0) {
        *v = NAN;
        return p + 3;
    }
    if (*p == '-') p++;
    if (strncmp(p, "Infinity", 8) == 0) {
        *v = *b == '-' ? -INFINITY : INFINITY;
        return p + 8;
    }
    if (*p == '0') p++;
    else if (*p >= '1' && *p <= '9') while (*p >= '0' && *p <= '9') p++;
    else return NULL;
    *integer = 1;
    if (*p == '.') {
        *integer = 0;
        if (!(*++p >= '0' && *p <= '9')) return NULL;
        while (*p >= '0' && *p <= '9') p++;
    }
    if (*p == 'e' || *p == 'E') {
        *integer = 0;
        p++;
        if (*p == '+' || *p == '-') p++;
        if (!(*p >= '0' && *p <= '9')) return NULL;
        while (*p >= '0' && *p <= '9') p++;
    }
    char *end;
    *v = strtod(b, &end);   // the C locale: the caller set it
    return end == p ? p : NULL;
}

static const char *json_skip(const char *p, int depth);

// A literal, a string, an array or an object at p, skipped.
static const char *json_skip(const char *p, int depth) {
    int over;
    double v;
    if (depth > JSON_DEPTH) return NULL;
    if (*p == '"') return json_string(p, NULL, 0, &over);
    if (strncmp(p, "true", 4) == 0) return p + 4;
    if (strncmp(p, "false", 5) == 0) return p + 5;
    if (strncmp(p, "null", 4) == 0) return p + 4;
    if (*p == '[' || *p == '{') {
        char close = *p == '[' ? ']' : '}';
        p = json_ws(p + 1);
        if (*p == close) return p + 1;
        for (;;) {
            if (close == '}') {
                if (!(p = json_string(p, NULL, 0, &over))) return NULL;
                p = json_ws(p);
                if (*p++ != ':') return NULL;
                p = json_ws(p);
            }
            if (!(p = json_skip(p, depth + 1))) return NULL;
            p = json_ws(p);
            if (*p == close) return p + 1;
            if (*p++ != ',') return NULL;
            p = json_ws(p);
        }
    }
    return json_number(p, &v, &over);
}

// --- The object ---------------------------------------------------------------------

static int walk(const char *p, int (*fn)(void *, const char *, const json_value *), void *ctx) {
    p = json_ws(p);
    if (*p++ != '{') return -1;
    p = json_ws(p);
    if (*p == '}') {
        p++;
    } else {
        for (;;) {
            char key[JSON_READ_TEXT], text[JSON_READ_TEXT];
            int over, sover = 0;
            if (!(p = json_string(p, key, sizeof key, &over))) return -1;
            p = json_ws(p);
            if (*p++ != ':') return -1;
            p = json_ws(p);
            json_value v = {JSONV_OTHER, 0, 0, p, NULL, NULL};
            const char *e = NULL;
            if (*p == '-' || *p == 'N' || *p == 'I' || (*p >= '0' && *p <= '9')) {
                if (!(e = json_number(p, &v.num, &v.integer))) return -1;
                v.kind = JSONV_NUMBER;
                v.lit_end = e;
            } else if (*p == '"') {
                if (!(e = json_string(p, text, sizeof text, &sover))) return -1;
                v.kind = JSONV_STRING;
                v.str = sover ? NULL : text;
            } else {
                v.kind = !strncmp(p, "true", 4) ? JSONV_TRUE : !strncmp(p, "false", 5) ? JSONV_FALSE
                       : !strncmp(p, "null", 4) ? JSONV_NULL : JSONV_OTHER;
                if (!(e = json_skip(p, 1))) return -1;
            }
            p = e;
            int rc = fn(ctx, over ? NULL : key, &v);
            if (rc) return rc;
            p = json_ws(p);
            if (*p == '}') {
                p++;
                break;
            }
            if (*p++ != ',') return -1;
            p = json_ws(p);
        }
    }
    return *json_ws(p) != '\0' ? -1 : 0;
}

int json_read_object(const char *text, int (*fn)(void *ctx, const char *name, const json_value *v),
                     void *ctx) {
    // Numbers in files use '.', whatever locale the interface set.
    locale_t c_locale = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
    locale_t old = c_locale ? uselocale(c_locale) : (locale_t)0;
    int rc = walk(text, fn, ctx);
    if (c_locale) {
        uselocale(old);
        freelocale(c_locale);
    }
    return rc;
}
