// runjson.c: run.json (runjson.h), read through the one JSON reader
// (jsonread.h): its known keys, each of one type; the rest ignored.
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "tripletscope/jsonread.h"
#include "tripletscope/runjson.h"

#define RUNJSON_MAX (64 * 1024)

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

typedef struct {
    ts_runjson *rj;
    const char *path;
    ts_error *err;
} reading;

// One member: a known key of the right type is stored (null: as if absent).
static int member(void *ctx, const char *name, const json_value *v) {
    reading *r = ctx;
    int k = -1;
    for (int i = 0; name && i < (int)(sizeof keys / sizeof keys[0]); i++)
        if (!strcmp(keys[i].key, name)) k = i;
    if (k < 0 || v->kind == JSONV_NULL) return 0;
    char *field = (char *)r->rj + keys[k].at;
    int ok = 0;
    switch (keys[k].type) {
    case KEY_TEXT:
        if ((ok = v->kind == JSONV_STRING && v->str)) snprintf(field, keys[k].cap, "%s", v->str);
        break;
    case KEY_NUM:
        if ((ok = v->kind == JSONV_NUMBER && isfinite(v->num))) *(double *)field = v->num;
        break;
    case KEY_BOOL:
        if ((ok = v->kind == JSONV_TRUE || v->kind == JSONV_FALSE)) *(int *)field = v->kind == JSONV_TRUE;
        break;
    case KEY_UINT:
        ok = v->kind == JSONV_NUMBER && v->num >= 0 && v->num == floor(v->num) &&
             v->num <= 9007199254740992.0;
        if (ok) *(unsigned long long *)field = (unsigned long long)v->num;
        break;
    }
    if (!ok) {   // -2: told apart from the reader's -1 (malformed)
        ts_fail(r->err, "%s: \"%s\" must be %s", r->path, name, type_name(keys[k].type));
        return -2;
    }
    r->rj->given |= keys[k].bit;
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
    buf[got] = 0;
    reading r = {rj, path, err};
    int rc = strlen(buf) != (size_t)got ? (ts_fail(err, "%s: a NUL byte in it: not JSON", path), -2)
                                         : json_read_object(buf, member, &r);
    if (rc == -1) ts_fail(err, "%s: not one JSON object (malformed JSON)", path);
    rc = rc ? -1 : 0;
    free(buf);
    if (rc) memset(rj, 0, sizeof *rj);
    return rc;
}
