// json.h: building JSON text (the JSON-lines output and snapshots).
#ifndef TRIPLETSCOPE_JSON_H
#define TRIPLETSCOPE_JSON_H
#include <stddef.h>

typedef struct {
    char *buf;
    size_t len, cap;
    int grow;        // 1: buf is malloc'ed and grows; 0: fixed, output truncated
    int failed;      // out of memory, or truncated
} ts_json;

// Writes into a fixed buffer (no allocation).
void json_fixed(ts_json *j, char *buf, size_t cap);
// Writes into a growing heap buffer; free j->buf when done.
int json_growing(ts_json *j, size_t initial);
void json_raw(ts_json *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
// A number with 6 significant digits; non-finite values become null.
void json_num(ts_json *j, double v);
// A quoted, escaped string.
void json_str(ts_json *j, const char *s);

#endif
