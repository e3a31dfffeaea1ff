// json.c: a small JSON writer.
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include "tripletscope/json.h"

void json_fixed(ts_json *j, char *buf, size_t cap) {
    j->buf = buf;
    j->cap = cap;
    j->len = 0;
    j->grow = 0;
    j->failed = 0;
    if (cap) buf[0] = 0;
}

int json_growing(ts_json *j, size_t initial) {
    j->buf = malloc(initial);
    j->cap = j->buf ? initial : 0;
    j->len = 0;
    j->grow = 1;
    j->failed = !j->buf;
    if (j->buf) j->buf[0] = 0;
    return j->failed ? -1 : 0;
}

static int reserve(ts_json *j, size_t more) {
    if (j->len + more < j->cap) return 1;
    if (!j->grow) return 0;
    size_t cap = j->cap * 2;
    while (j->len + more >= cap) cap *= 2;
    char *b = realloc(j->buf, cap);
    if (!b) return 0;
    j->buf = b;
    j->cap = cap;
    return 1;
}

void json_raw(ts_json *j, const char *fmt, ...) {
    if (j->failed) return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(j->buf + j->len, j->cap - j->len, fmt, ap);
    va_end(ap);
    if (n < 0) { j->failed = 1; return; }
    if ((size_t)n >= j->cap - j->len) {
        if (!reserve(j, (size_t)n + 1)) {
            j->failed = 1;
            j->buf[j->len] = 0;
            return;
        }
        va_start(ap, fmt);
        vsnprintf(j->buf + j->len, j->cap - j->len, fmt, ap);
        va_end(ap);
    }
    j->len += (size_t)n;
}

void json_num(ts_json *j, double v) {
    if (!isfinite(v)) json_raw(j, "null");
    else json_raw(j, "%.6g", v);
}

void json_str(ts_json *j, const char *s) {
    json_raw(j, "\"");
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') json_raw(j, "\\%c", c);
        else if (c == '\n') json_raw(j, "\\n");
        else if (c < 0x20) json_raw(j, "\\u%04x", c);
        else json_raw(j, "%c", c);
    }
    json_raw(j, "\"");
}
