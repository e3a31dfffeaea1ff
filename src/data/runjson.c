// runjson.c: run.json, a small strict JSON object reader (runjson.h).
//
// Only what run.json needs: an object of keys whose values are strings,
// numbers, booleans or null; nested arrays and objects are skipped whole.
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "tripletscope/runjson.h"

#define RUNJSON_MAX (64 * 1024)

typedef struct {
    const char *p, *end;
} cursor;

// --- Tokens ----------------------------------------------------------------------

static void skip_ws(cursor *c) {
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
        c->p++;
}

// A string into out (cap bytes; longer ones are cut), escapes decoded (\uXXXX
// as '?' outside ASCII). Returns 0, or -1 when it is not a string.
static int read_string(cursor *c, char *out, size_t cap) {
    size_t n = 0;
    if (c->p >= c->end || *c->p != '"') return -1;
    c->p++;
    while (c->p < c->end && *c->p != '"') {
        char ch = *c->p++;
        if ((unsigned char)ch < 0x20) return -1;
        if (ch == '\\') {
            if (c->p >= c->end) return -1;
            char e = *c->p++;
            const char *map = "\"\"\\\\//b\bf\fn\nr\rt\t";
            const char *m = strchr(map, e);
            if (e == 'u') {
                if (c->end - c->p < 4) return -1;
                unsigned v = 0;
                for (int i = 0; i < 4; i++) {
                    char h = *c->p++;
                    int d = h >= '0' && h <= '9' ? h - '0' : h >= 'a' && h <= 'f' ? h - 'a' + 10
                          : h >= 'A' && h <= 'F' ? h - 'A' + 10 : -1;
                    if (d < 0) return -1;
                    v = v * 16 + (unsigned)d;
                }
                ch = v < 0x80 && v >= 0x20 ? (char)v : '?';
            } else if (m && ((m - map) % 2 == 0)) {
                ch = m[1];
            } else {
                return -1;
            }
        }
        if (out && n + 1 < cap) out[n++] = ch;
    }
    if (c->p >= c->end) return -1;
    c->p++;
    if (out && cap) out[n] = 0;
    return 0;
}

static int read_number(cursor *c, double *v) {
    char buf[64];
    size_t n = 0;
    while (c->p < c->end && n + 1 < sizeof buf && strchr("+-0123456789.eE", *c->p))
        buf[n++] = *c->p++;
    buf[n] = 0;
    if (!n) return -1;
    char *e;
    errno = 0;
    *v = strtod(buf, &e);
    return *e || errno == ERANGE || !isfinite(*v) ? -1 : 0;
}

static int literal(cursor *c, const char *word) {
    size_t n = strlen(word);
    if ((size_t)(c->end - c->p) < n || memcmp(c->p, word, n) != 0) return -1;
    c->p += n;
    return 0;
}

// Skips one value of any kind (depth-bounded).
static int skip_value(cursor *c, int depth) {
    skip_ws(c);
    if (c->p >= c->end || depth > 32) return -1;
    char ch = *c->p;
    if (ch == '"') return read_string(c, NULL, 0);
    if (ch == 't') return literal(c, "true");
    if (ch == 'f') return literal(c, "false");
    if (ch == 'n') return literal(c, "null");
    if (ch == '{' || ch == '[') {
        char close = ch == '{' ? '}' : ']';
        c->p++;
        skip_ws(c);
        if (c->p < c->end && *c->p == close) {
            c->p++;
            return 0;
        }
        for (;;) {
            if (ch == '{') {
                skip_ws(c);
                if (read_string(c, NULL, 0)) return -1;
                skip_ws(c);
                if (c->p >= c->end || *c->p++ != ':') return -1;
            }
            if (skip_value(c, depth + 1)) return -1;
            skip_ws(c);
            if (c->p >= c->end) return -1;
            if (*c->p == ',') { c->p++; continue; }
            if (*c->p == close) { c->p++; return 0; }
            return -1;
        }
    }
    double v;
    return read_number(c, &v);
}

// --- The keys ----------------------------------------------------------------------

typedef enum { KEY_TEXT, KEY_NUM, KEY_BOOL, KEY_UINT } key_type;

static const struct {
    const char *key;
    key_type type;
    unsigned bit;
    size_t at, cap;
} keys[] = {
    {"name", KEY_TEXT, RUNJSON_NAME, offsetof(ts_runjson, name), sizeof ((ts_runjson *)0)->name},
    {"loss", KEY_TEXT, RUNJSON_LOSS, offsetof(ts_runjson, loss), sizeof ((ts_runjson *)0)->loss},
    {"miner", KEY_TEXT, RUNJSON_MINER, offsetof(ts_runjson, miner), sizeof ((ts_runjson *)0)->miner},
    {"distance", KEY_TEXT, RUNJSON_DISTANCE, offsetof(ts_runjson, distance),
     sizeof ((ts_runjson *)0)->distance},
    {"batch_sampler", KEY_TEXT, RUNJSON_SAMPLER, offsetof(ts_runjson, sampler),
     sizeof ((ts_runjson *)0)->sampler},
    {"margin", KEY_NUM, RUNJSON_MARGIN, offsetof(ts_runjson, margin), 0},
    {"pair_margin", KEY_NUM, RUNJSON_PAIR_MARGIN, offsetof(ts_runjson, pair_margin), 0},
    {"normalize", KEY_BOOL, RUNJSON_NORMALIZE, offsetof(ts_runjson, normalize), 0},
    {"seed", KEY_UINT, RUNJSON_SEED, offsetof(ts_runjson, seed), 0},
};

static const char *type_name(key_type t) {
    static const char *const names[] = {"a string", "a number", "true or false",
                                        "a non-negative integer"};
    return names[t];
}

// One known key's value; -1 when it has the wrong type.
static int read_known(cursor *c, int k, ts_runjson *rj) {
    char *field = (char *)rj + keys[k].at;
    skip_ws(c);
    switch (keys[k].type) {
    case KEY_TEXT:
        return read_string(c, field, keys[k].cap);
    case KEY_NUM:
        return read_number(c, (double *)field);
    case KEY_BOOL:
        if (!literal(c, "true")) *(int *)field = 1;
        else if (!literal(c, "false")) *(int *)field = 0;
        else return -1;
        return 0;
    case KEY_UINT: {
        double v;
        if (read_number(c, &v) || v < 0 || v != floor(v) || v > 9007199254740992.0) return -1;
        *(unsigned long long *)field = (unsigned long long)v;
        return 0;
    }
    }
    return -1;
}

static int parse(const char *path, cursor *c, ts_runjson *rj, ts_error *err) {
    skip_ws(c);
    if (c->p >= c->end || *c->p++ != '{') return ts_fail(err, "%s: not a JSON object", path);
    skip_ws(c);
    if (c->p < c->end && *c->p == '}') {
        c->p++;
    } else {
        for (;;) {
            char key[64];
            skip_ws(c);
            if (read_string(c, key, sizeof key)) return ts_fail(err, "%s: malformed JSON (a key expected)", path);
            skip_ws(c);
            if (c->p >= c->end || *c->p++ != ':') return ts_fail(err, "%s: malformed JSON after \"%s\"", path, key);
            int k = -1;
            for (int i = 0; i < (int)(sizeof keys / sizeof keys[0]); i++)
                if (!strcmp(keys[i].key, key)) k = i;
            skip_ws(c);
            if (k >= 0 && !literal(c, "null")) {
                // null: as if the key were absent
            } else if (k >= 0) {
                if (read_known(c, k, rj))
                    return ts_fail(err, "%s: \"%s\" must be %s", path, key, type_name(keys[k].type));
                rj->given |= keys[k].bit;
            } else if (skip_value(c, 0)) {
                return ts_fail(err, "%s: malformed JSON in \"%s\"", path, key);
            }
            skip_ws(c);
            if (c->p < c->end && *c->p == ',') { c->p++; continue; }
            if (c->p < c->end && *c->p == '}') { c->p++; break; }
            return ts_fail(err, "%s: malformed JSON after \"%s\"", path, key);
        }
    }
    skip_ws(c);
    if (c->p != c->end) return ts_fail(err, "%s: text after the JSON object", path);
    return 0;
}

int runjson_read(const char *path, ts_runjson *rj, ts_error *err) {
    memset(rj, 0, sizeof *rj);
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return ts_fail(err, "%s: cannot open: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
        close(fd);
        return ts_fail(err, "%s: not a regular file", path);
    }
    if (st.st_size > RUNJSON_MAX) {
        close(fd);
        return ts_fail(err, "%s: %lld bytes, more than run.json's %d", path, (long long)st.st_size,
                       RUNJSON_MAX);
    }
    char *buf = malloc((size_t)st.st_size + 1);
    if (!buf) {
        close(fd);
        return ts_fail(err, "out of memory");
    }
    ssize_t got = 0;
    while (got < st.st_size) {
        ssize_t r = read(fd, buf + got, (size_t)(st.st_size - got));
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        got += r;
    }
    close(fd);
    if (got != st.st_size) {
        free(buf);
        return ts_fail(err, "%s: read failed", path);
    }
    cursor c = {buf, buf + got};
    int rc = parse(path, &c, rj, err);
    free(buf);
    if (rc) memset(rj, 0, sizeof *rj);
    return rc;
}
