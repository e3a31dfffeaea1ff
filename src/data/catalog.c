// catalog.c: the dumps of a run directory or of a TensorBoard log directory,
// listed as they become complete (dumpfile.h, docs/dump-format.md).
//
// A scan reads the directory (or projector_config.pbtxt) afresh, works out
// the complete dumps it has not decided on yet, and only then changes the
// catalog: new entries appended in step order, and a notice for each dump it
// skips. Every name decided on (listed or skipped) goes into a hash set, so
// that a later scan neither lists it again nor repeats its notice.
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "loader.h"
#include "tripletscope/dumpfile.h"

#define NONE UINT32_MAX
#define PBTXT "projector_config.pbtxt"
#define PBTXT_MAX (16u << 20)      // a config of a million blocks is a few tens of MB
#define PBTXT_DEPTH 32             // nested messages (sprite { ... } is 2 deep)
#define PBTXT_STRING_MAX 4096      // a path (PATH_MAX)
#define NOTICES_MAX 100
#define RANKS_MAX 4096

// One entry: about 32 bytes, and its names in the arena.
struct catalog_item {
    int64_t step;
    uint32_t emb, lab, ids, tag;   // arena offsets, NONE when absent
    uint8_t kind, has_ids;
};

// --- The arena, the set of names decided on ------------------------------------

// Appends len bytes of s and a NUL; returns the offset, or NONE (out of memory).
static uint32_t arena_put(ts_catalog *cat, const char *s, size_t len) {
    if (cat->arena_len + len + 1 > NONE - 1) return NONE;
    if (cat->arena_len + len + 1 > cat->arena_cap) {
        size_t cap = cat->arena_cap ? cat->arena_cap : 4096;
        while (cap < cat->arena_len + len + 1) cap *= 2;
        char *a = realloc(cat->arena, cap);
        if (!a) return NONE;
        cat->arena = a;
        cat->arena_cap = cap;
    }
    uint32_t off = (uint32_t)cat->arena_len;
    memcpy(cat->arena + off, s, len);
    cat->arena[off + len] = '\0';
    cat->arena_len += len + 1;
    return off;
}

static const char *at(const ts_catalog *cat, uint32_t off) {
    return off == NONE ? NULL : cat->arena + off;
}

static uint64_t hash_name(const char *s, size_t len) {
    uint64_t h = 0xcbf29ce484222325ull;   // FNV-1a
    for (size_t i = 0; i < len; i++) h = (h ^ (unsigned char)s[i]) * 0x100000001b3ull;
    return h ^ (h >> 31);
}

static int seen_has(const ts_catalog *cat, const char *s, size_t len) {
    if (!cat->seen_slots) return 0;
    size_t mask = cat->seen_slots - 1;
    for (size_t k = hash_name(s, len) & mask; cat->seen[k]; k = (k + 1) & mask) {
        const char *t = cat->arena + cat->seen[k] - 1;
        if (strncmp(t, s, len) == 0 && t[len] == '\0') return 1;
    }
    return 0;
}

static void seen_put_slot(uint32_t *slots, size_t nslots, const char *arena, uint32_t off) {
    const char *s = arena + off;
    size_t mask = nslots - 1, k = hash_name(s, strlen(s)) & mask;
    while (slots[k]) k = (k + 1) & mask;
    slots[k] = off + 1;
}

// Adds the name at arena offset off to the set; -1 out of memory.
static int seen_add(ts_catalog *cat, uint32_t off) {
    if ((cat->seen_count + 1) * 2 > cat->seen_slots) {
        size_t n = cat->seen_slots ? cat->seen_slots * 2 : 256;
        uint32_t *slots = calloc(n, sizeof *slots);
        if (!slots) return -1;
        for (size_t k = 0; k < cat->seen_slots; k++)
            if (cat->seen[k]) seen_put_slot(slots, n, cat->arena, cat->seen[k] - 1);
        free(cat->seen);
        cat->seen = slots;
        cat->seen_slots = n;
    }
    seen_put_slot(cat->seen, cat->seen_slots, cat->arena, off);
    cat->seen_count++;
    return 0;
}

// Puts a name into the arena and the set; its offset, or NONE.
static uint32_t decide(ts_catalog *cat, const char *s, size_t len) {
    uint32_t off = arena_put(cat, s, len);
    if (off != NONE && seen_add(cat, off) < 0) return NONE;
    return off;
}

// --- Notices ---------------------------------------------------------------------------

static void notice(ts_catalog *cat, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void notice(ts_catalog *cat, const char *fmt, ...) {
    if (!cat->notices && !(cat->notices = calloc(NOTICES_MAX, sizeof *cat->notices))) return;
    if (cat->n_notices == NOTICES_MAX) {
        cat->notices_dropped++;
        return;
    }
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    for (char *p = line; *p; p++)
        if (*p == '\n' || *p == '\r') *p = ' ';   // a name may hold a newline
    char *copy = strdup(line);
    if (!copy) return;
    cat->notices[(cat->notice_head + cat->n_notices++) % NOTICES_MAX] = copy;
}

const char *catalog_next_notice(ts_catalog *cat) {
    free(cat->notice_out);
    cat->notice_out = NULL;
    if (cat->n_notices) {
        cat->notice_out = cat->notices[cat->notice_head];
        cat->notices[cat->notice_head] = NULL;
        cat->notice_head = (cat->notice_head + 1) % NOTICES_MAX;
        cat->n_notices--;
    } else if (cat->notices_dropped) {
        char line[128];
        snprintf(line, sizeof line, "%s: %zu more notices dropped (too many at once)",
                 cat->dir, cat->notices_dropped);
        cat->notices_dropped = 0;
        cat->notice_out = strdup(line);
    }
    return cat->notice_out;
}

// --- Opening and paths -------------------------------------------------------------------

int catalog_path(const ts_catalog *cat, const char *name, char *buf, size_t cap) {
    int n = name[0] == '/' ? snprintf(buf, cap, "%s", name)
                           : snprintf(buf, cap, "%s/%s", cat->dir, name);
    return n < 0 || (size_t)n >= cap ? -1 : 0;
}

static int is_regular(const ts_catalog *cat, const char *name) {
    char path[4096 + 256];
    struct stat st;
    return catalog_path(cat, name, path, sizeof path) == 0 && stat(path, &st) == 0 &&
           S_ISREG(st.st_mode);
}

// Checks dir, keeps its name and tells its kind.
static int open_dir(ts_catalog *cat, const char *dir, ts_error *err) {
    struct stat st;
    if (stat(dir, &st) != 0) return ts_fail(err, "%s: cannot open: %s", dir, strerror(errno));
    if (!S_ISDIR(st.st_mode)) return ts_fail(err, "%s: not a directory", dir);
    DIR *d = opendir(dir);
    if (!d) return ts_fail(err, "%s: cannot read: %s", dir, strerror(errno));
    closedir(d);
    // "DIR/" and "DIR" name the same directory; the paths join with one '/'.
    size_t len = strlen(dir);
    while (len > 1 && dir[len - 1] == '/') len--;
    if (!(cat->dir = malloc(len + 1))) return ts_fail(err, "%s: out of memory", dir);
    memcpy(cat->dir, dir, len);
    cat->dir[len] = '\0';
    cat->last_step[DUMP_BATCH] = cat->last_step[DUMP_EVAL] = -1;
    cat->kind = is_regular(cat, PBTXT) ? CATALOG_TENSORBOARD : CATALOG_RUN;
    return 0;
}

int catalog_open(ts_catalog *cat, const char *dir, ts_error *err) {
    memset(cat, 0, sizeof *cat);
    return open_dir(cat, dir, err) < 0 ? data_err_oneline(err) : 0;
}

void catalog_free(ts_catalog *cat) {
    free(cat->dir);
    free(cat->items);
    free(cat->arena);
    free(cat->seen);
    free(cat->ranks);
    if (cat->notices)
        for (size_t k = 0; k < NOTICES_MAX; k++) free(cat->notices[k]);
    free(cat->notices);
    free(cat->notice_out);
    memset(cat, 0, sizeof *cat);
}

size_t catalog_count(const ts_catalog *cat) { return cat->count; }
catalog_kind catalog_kind_of(const ts_catalog *cat) { return cat->kind; }
int catalog_other_ranks(const ts_catalog *cat) { return cat->n_ranks; }

size_t catalog_memory(const ts_catalog *cat) {
    size_t n = cat->cap_items * sizeof *cat->items + cat->arena_cap +
               cat->seen_slots * sizeof *cat->seen + (size_t)cat->cap_ranks * sizeof(int);
    if (cat->notices) n += NOTICES_MAX * sizeof *cat->notices;
    for (size_t k = 0; k < cat->n_notices; k++)
        n += strlen(cat->notices[(cat->notice_head + k) % NOTICES_MAX]) + 1;
    return n + (cat->dir ? strlen(cat->dir) + 1 : 0);
}

dump_entry catalog_entry(ts_catalog *cat, size_t i) {
    const struct catalog_item *it = &cat->items[i];
    dump_entry e = {it->step, (dump_kind)it->kind, it->has_ids, at(cat, it->emb),
                    at(cat, it->lab), at(cat, it->ids), at(cat, it->tag)};
    return e;
}

int catalog_entry_path(ts_catalog *cat, size_t i, dump_file which, char *buf, size_t cap) {
    if (i >= cat->count) return -1;
    const struct catalog_item *it = &cat->items[i];
    uint32_t off = which == DUMP_EMBEDDINGS ? it->emb : which == DUMP_LABELS ? it->lab : it->ids;
    return off == NONE ? -1 : catalog_path(cat, at(cat, off), buf, cap);
}

int catalog_has_run_json(const ts_catalog *cat) { return is_regular(cat, "run.json"); }
int catalog_has_scalars(const ts_catalog *cat) { return is_regular(cat, "scalars.jsonl"); }
int catalog_run_json_path(const ts_catalog *cat, char *buf, size_t cap) {
    return catalog_path(cat, "run.json", buf, cap);
}
int catalog_scalars_path(const ts_catalog *cat, char *buf, size_t cap) {
    return catalog_path(cat, "scalars.jsonl", buf, cap);
}

// --- Candidates: the complete dumps a scan found ---------------------------------------

// A complete dump not decided on yet. Names are in the scan's own buffer.
typedef struct {
    int64_t step;
    int kind;
    int too_big;           // the step does not fit in 63 bits
    size_t seq;            // the order among one step's: a name's rank in bytes, a block's
    const char *emb, *lab, *ids, *tag;   // ids, tag: NULL when absent
} candidate;

static int cmp_candidate(const void *a, const void *b) {
    const candidate *x = a, *y = b;
    if (x->step != y->step) return x->step < y->step ? -1 : 1;
    if (x->kind != y->kind) return x->kind - y->kind;
    return (x->seq > y->seq) - (x->seq < y->seq);
}

static const char *kind_name(int kind) { return kind == DUMP_BATCH ? "batch" : "eval"; }

// The last entry of kind at step, or NULL.
static const struct catalog_item *find_item(const ts_catalog *cat, int kind, int64_t step) {
    for (size_t i = cat->count; i-- > 0;)
        if (cat->items[i].kind == kind && cat->items[i].step == step) return &cat->items[i];
    return NULL;
}

static int add_item(ts_catalog *cat, const candidate *c) {
    if (cat->count == cat->cap_items) {
        size_t cap = cat->cap_items ? cat->cap_items * 2 : 64;
        struct catalog_item *items = realloc(cat->items, cap * sizeof *items);
        if (!items) return -1;
        cat->items = items;
        cat->cap_items = cap;
    }
    struct catalog_item it = {c->step, NONE, NONE, NONE, NONE, (uint8_t)c->kind, c->ids != NULL};
    if ((it.emb = decide(cat, c->emb, strlen(c->emb))) == NONE) return -1;
    if (c->lab && (it.lab = arena_put(cat, c->lab, strlen(c->lab))) == NONE) return -1;
    if (c->ids && (it.ids = arena_put(cat, c->ids, strlen(c->ids))) == NONE) return -1;
    if (c->tag && (it.tag = arena_put(cat, c->tag, strlen(c->tag))) == NONE) return -1;
    cat->items[cat->count++] = it;
    return 0;
}

// Decides on the candidates (n of them, sorted here): each is listed, or
// skipped with a notice. Returns the entries added, or -1 out of memory.
static int apply(ts_catalog *cat, candidate *c, size_t n, ts_error *err) {
    if (n) qsort(c, n, sizeof *c, cmp_candidate);
    int64_t before[2] = {cat->last_step[0], cat->last_step[1]};
    int added = 0;
    for (size_t k = 0; k < n; k++) {
        const candidate *x = &c[k];
        char path[4096 + 256];
        if (catalog_path(cat, x->emb, path, sizeof path) < 0) snprintf(path, sizeof path, "%s", x->emb);
        const struct catalog_item *kept = NULL;
        if (seen_has(cat, x->emb, strlen(x->emb))) {
            // Two blocks naming one file: the first stays.
            notice(cat, "%s: named twice in %s; the second skipped", path, PBTXT);
            continue;
        }
        if (x->too_big) {
            notice(cat, "%s: the step does not fit in 63 bits; skipped", path);
        } else if (x->step <= cat->last_step[x->kind] &&
                   (kept = find_item(cat, x->kind, x->step)) != NULL) {
            notice(cat, "%s: a second %s dump of step %lld (%s is read); skipped", path,
                   kind_name(x->kind), (long long)x->step, at(cat, kept->emb));
        } else if (x->step < before[x->kind]) {
            notice(cat, "%s: %s step %lld came after step %lld was read; skipped (dumps are "
                   "read in step order)", path, kind_name(x->kind), (long long)x->step,
                   (long long)before[x->kind]);
        } else {
            if (add_item(cat, x) < 0) return ts_fail(err, "%s: out of memory", cat->dir);
            cat->last_step[x->kind] = x->step;
            added++;
            continue;
        }
        if (decide(cat, x->emb, strlen(x->emb)) == NONE)
            return ts_fail(err, "%s: out of memory", cat->dir);
    }
    return added;
}

// --- A run directory ---------------------------------------------------------------------

enum { ROLE_EMB, ROLE_LABELS, ROLE_IDS };

// A name of the run directory that matches a pattern.
typedef struct {
    int64_t step;
    int kind, too_big, rank, role;   // rank -1: none
    size_t name, stem_len;           // the name's offset in the scan's buffer; its stem's bytes
    const char *s;                   // the name, once every name is in the buffer
} dir_name;

// Reads digits at *p into *v (saturating, *over set past max); 0 when none.
static int digits(const char **p, int64_t max, int64_t *v, int *over) {
    const char *s = *p;
    *v = 0;
    *over = 0;
    while (**p >= '0' && **p <= '9') {
        int d = **p - '0';
        if (*v > (max - d) / 10) *over = 1;
        else *v = *v * 10 + d;
        (*p)++;
    }
    return *p > s;
}

// Parses a name against batch-STEP[.rankR]{.npy,.labels.npy,.ids.npy} and
// eval-STEP{.npy,.labels.npy}. Returns 1 when it matches.
static int parse_name(const char *name, dir_name *r) {
    const char *p = name;
    if (strncmp(p, "batch-", 6) == 0) r->kind = DUMP_BATCH, p += 6;
    else if (strncmp(p, "eval-", 5) == 0) r->kind = DUMP_EVAL, p += 5;
    else return 0;
    if (!digits(&p, INT64_MAX, &r->step, &r->too_big)) return 0;
    r->rank = -1;
    if (r->kind == DUMP_BATCH && strncmp(p, ".rank", 5) == 0) {
        int64_t rank;
        int over;
        p += 5;
        if (!digits(&p, 1 << 30, &rank, &over) || over) return 0;
        r->rank = (int)rank;
    }
    r->stem_len = (size_t)(p - name);
    if (strcmp(p, ".npy") == 0) r->role = ROLE_EMB;
    else if (strcmp(p, ".labels.npy") == 0) r->role = ROLE_LABELS;
    else if (strcmp(p, ".ids.npy") == 0 && r->kind == DUMP_BATCH) r->role = ROLE_IDS;
    else return 0;
    return 1;
}

// The scan's names: every matching name of the directory, in one buffer.
typedef struct {
    dir_name *v;
    size_t n, cap;
    char *text;
    size_t len, text_cap;
} name_list;

static int name_list_add(name_list *l, const dir_name *r, const char *name) {
    size_t len = strlen(name);
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 256;
        dir_name *v = realloc(l->v, cap * sizeof *v);
        if (!v) return -1;
        l->v = v;
        l->cap = cap;
    }
    if (l->len + len + 1 > l->text_cap) {
        size_t cap = l->text_cap ? l->text_cap : 8192;
        while (cap < l->len + len + 1) cap *= 2;
        char *t = realloc(l->text, cap);
        if (!t) return -1;
        l->text = t;
        l->text_cap = cap;
    }
    memcpy(l->text + l->len, name, len + 1);
    l->v[l->n] = *r;
    l->v[l->n++].name = l->len;
    l->len += len + 1;
    return 0;
}

// By stem (bytes), then role: a dump's files side by side, stems in byte order.
static int cmp_dir_name(const void *a, const void *b) {
    const dir_name *x = a, *y = b;
    size_t m = x->stem_len < y->stem_len ? x->stem_len : y->stem_len;
    int c = memcmp(x->s, y->s, m);
    if (c) return c;
    if (x->stem_len != y->stem_len) return x->stem_len < y->stem_len ? -1 : 1;
    return x->role - y->role;
}

// Notes rank (> 0) among the other ranks seen; the first one gives a notice.
static void note_rank(ts_catalog *cat, int rank, const char *name) {
    int lo = 0, hi = cat->n_ranks;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (cat->ranks[mid] < rank) lo = mid + 1;
        else hi = mid;
    }
    if (lo < cat->n_ranks && cat->ranks[lo] == rank) return;
    if (cat->n_ranks >= RANKS_MAX) return;
    if (cat->n_ranks == cat->cap_ranks) {
        int cap = cat->cap_ranks ? cat->cap_ranks * 2 : 8;
        int *r = realloc(cat->ranks, (size_t)cap * sizeof *r);
        if (!r) return;
        cat->ranks = r;
        cat->cap_ranks = cap;
    }
    memmove(cat->ranks + lo + 1, cat->ranks + lo, (size_t)(cat->n_ranks - lo) * sizeof *cat->ranks);
    cat->ranks[lo] = rank;
    if (cat->n_ranks++ == 0)
        notice(cat, "%s/%s: batches of other ranks than 0; reading rank 0 only", cat->dir, name);
}

static int scan_run(ts_catalog *cat, ts_error *err) {
    DIR *d = opendir(cat->dir);
    if (!d) return ts_fail(err, "%s: cannot read: %s", cat->dir, strerror(errno));
    name_list l = {0};
    int rc = 0;
    struct dirent *e;
    errno = 0;
    while ((e = readdir(d)) != NULL) {
        dir_name r;
        if (e->d_name[0] == '.' || e->d_type == DT_DIR || !parse_name(e->d_name, &r)) continue;
        if (name_list_add(&l, &r, e->d_name) < 0) {
            rc = ts_fail(err, "%s: out of memory", cat->dir);
            break;
        }
    }
    if (rc == 0 && errno) rc = ts_fail(err, "%s: cannot read: %s", cat->dir, strerror(errno));
    closedir(d);
    // The complete dumps: a stem's files side by side, its labels there.
    candidate *c = rc == 0 ? malloc((l.n ? l.n : 1) * sizeof *c) : NULL;
    if (rc == 0 && !c) rc = ts_fail(err, "%s: out of memory", cat->dir);
    size_t n = 0;
    if (rc == 0) {
        for (size_t k = 0; k < l.n; k++) l.v[k].s = l.text + l.v[k].name;
        if (l.n) qsort(l.v, l.n, sizeof *l.v, cmp_dir_name);   // an empty directory: l.v NULL
        for (size_t i = 0, j; i < l.n; i = j) {
            const dir_name *r = &l.v[i];
            const char *files[3] = {NULL, NULL, NULL};
            for (j = i; j < l.n; j++) {
                const dir_name *q = &l.v[j];
                if (q->stem_len != r->stem_len || memcmp(q->s, r->s, r->stem_len) != 0) break;
                files[q->role] = q->s;
            }
            if (!files[ROLE_EMB] || !files[ROLE_LABELS]) continue;   // not complete yet
            if (r->rank > 0) {
                note_rank(cat, r->rank, files[ROLE_EMB]);
                continue;
            }
            if (seen_has(cat, files[ROLE_EMB], strlen(files[ROLE_EMB]))) continue;
            candidate x = {r->step, r->kind, r->too_big, i, files[ROLE_EMB], files[ROLE_LABELS],
                           files[ROLE_IDS], NULL};
            c[n++] = x;
        }
        rc = apply(cat, c, n, err);
    }
    free(c);
    free(l.v);
    free(l.text);
    return rc;
}

// --- projector_config.pbtxt ----------------------------------------------------------------
//
// Protobuf's text format, as much as a ProjectorConfig uses and what a
// reader must get past: fields `name: value` and `name { ... }` (or `name:
// { ... }`, `name < ... >`), lists `[a, b]`, strings in either quotes with
// C escapes (adjacent strings join), numbers and identifiers as values,
// ',' or ';' after a field, '#' comments. Of the embeddings { } blocks, the
// three strings that say where a tensor and its labels are; the rest (sprite,
// tensor_shape, model_checkpoint_path, ...) is skipped.

typedef struct {
    char *name, *path, *meta;   // tensor_name, tensor_path, metadata_path (NULL: absent)
    long line;                  // where the block starts
} pb_block;

typedef struct {
    const char *p, *end, *file;
    long line;
    pb_block *blocks;
    size_t n, cap;
    ts_error *err;
    char value[PBTXT_STRING_MAX + 1];   // the string field being read
} pb_parser;

static int pb_fail(pb_parser *ps, const char *what) {
    return ts_fail(ps->err, "%s: line %ld: %s", ps->file, ps->line, what);
}

// Skips blanks and comments.
static void pb_ws(pb_parser *ps) {
    while (ps->p < ps->end) {
        char c = *ps->p;
        if (c == '\n') ps->line++;
        if (c == '#') {
            while (ps->p < ps->end && *ps->p != '\n') ps->p++;
            continue;
        }
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v') return;
        ps->p++;
    }
}

static int pb_ident_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '.' || c == '-' || c == '+';
}

static int pb_hex(char c) {
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
         : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

// Appends byte b to the string being decoded (out NULL: only checked).
static int pb_put(pb_parser *ps, char *out, size_t *n, unsigned b) {
    if (!out) return 0;
    if (*n >= PBTXT_STRING_MAX) return pb_fail(ps, "a string longer than 4096 bytes");
    if (b == 0) return pb_fail(ps, "a string with a NUL byte");
    out[(*n)++] = (char)b;
    return 0;
}

// One or more adjacent quoted strings, decoded into out (PBTXT_STRING_MAX + 1
// bytes) when out is not NULL.
static int pb_string(pb_parser *ps, char *out) {
    size_t n = 0;
    while (ps->p < ps->end && (*ps->p == '"' || *ps->p == '\'')) {
        char q = *ps->p++;
        for (;;) {
            if (ps->p >= ps->end || *ps->p == '\n') return pb_fail(ps, "an unterminated string");
            unsigned char c = (unsigned char)*ps->p++;
            if (c == (unsigned char)q) break;
            if (c != '\\') {
                if (pb_put(ps, out, &n, c) < 0) return -1;
                continue;
            }
            if (ps->p >= ps->end) return pb_fail(ps, "an unterminated string");
            char e = *ps->p++;
            unsigned v;
            switch (e) {
            case 'n': v = '\n'; break;
            case 't': v = '\t'; break;
            case 'r': v = '\r'; break;
            case 'a': v = '\a'; break;
            case 'b': v = '\b'; break;
            case 'f': v = '\f'; break;
            case 'v': v = '\v'; break;
            case '\\': case '\'': case '"': case '?': v = (unsigned char)e; break;
            case 'x': {
                int h = ps->p < ps->end ? pb_hex(*ps->p) : -1;
                if (h < 0) return pb_fail(ps, "a bad \\x escape in a string");
                v = (unsigned)h;
                ps->p++;
                if (ps->p < ps->end && (h = pb_hex(*ps->p)) >= 0) v = v * 16 + (unsigned)h, ps->p++;
                break;
            }
            default:
                if (e >= '0' && e <= '7') {
                    v = (unsigned)(e - '0');
                    for (int k = 0; k < 2 && ps->p < ps->end && *ps->p >= '0' && *ps->p <= '7'; k++)
                        v = v * 8 + (unsigned)(*ps->p++ - '0');
                    if (v > 255) return pb_fail(ps, "an octal escape past 255 in a string");
                    break;
                }
                return pb_fail(ps, "an unknown escape in a string");
            }
            if (pb_put(ps, out, &n, v) < 0) return -1;
        }
        pb_ws(ps);
    }
    if (out) out[n] = '\0';
    return 0;
}

// A field's name: an identifier, or an extension's [full.name].
static int pb_name(pb_parser *ps, char *out, size_t cap) {
    size_t n = 0;
    if (ps->p < ps->end && *ps->p == '[') {
        while (ps->p < ps->end && *ps->p != ']' && *ps->p != '\n') ps->p++;
        if (ps->p >= ps->end || *ps->p != ']') return pb_fail(ps, "an unterminated [name]");
        ps->p++;
        snprintf(out, cap, "[extension]");
        return 0;
    }
    while (ps->p < ps->end && pb_ident_char(*ps->p)) {
        if (n + 1 < cap) out[n++] = *ps->p;
        ps->p++;
    }
    out[n] = '\0';
    return n ? 0 : pb_fail(ps, "expected a field name");
}

static int pb_message(pb_parser *ps, char close, int depth, pb_block *block);

// A scalar value (a string, a number, an identifier) or a list of them or
// of messages; into out when it is a string and out is not NULL.
static int pb_value(pb_parser *ps, int depth, char *out, int *is_string) {
    if (is_string) *is_string = 0;
    if (ps->p >= ps->end) return pb_fail(ps, "expected a value");
    char c = *ps->p;
    if (c == '"' || c == '\'') {
        if (is_string) *is_string = 1;
        return pb_string(ps, out);
    }
    if (c == '{' || c == '<') {
        ps->p++;
        return pb_message(ps, c == '{' ? '}' : '>', depth + 1, NULL);
    }
    if (c == '[') {
        ps->p++;
        pb_ws(ps);
        if (ps->p < ps->end && *ps->p == ']') {
            ps->p++;
            return 0;
        }
        for (;;) {
            pb_ws(ps);
            if (pb_value(ps, depth + 1, NULL, NULL) < 0) return -1;
            pb_ws(ps);
            if (ps->p < ps->end && *ps->p == ']') {
                ps->p++;
                return 0;
            }
            if (ps->p >= ps->end || *ps->p != ',') return pb_fail(ps, "expected ',' or ']' in a list");
            ps->p++;
        }
    }
    const char *b = ps->p;
    while (ps->p < ps->end && pb_ident_char(*ps->p)) ps->p++;
    return ps->p > b ? 0 : pb_fail(ps, "expected a value");
}

// Keeps a string field of an embeddings block.
static int pb_keep(pb_parser *ps, char **slot, const char *s) {
    char *copy = strdup(s);
    if (!copy) return ts_fail(ps->err, "%s: out of memory", ps->file);
    free(*slot);
    *slot = copy;
    return 0;
}

static int pb_add_block(pb_parser *ps, long line) {
    if (ps->n == ps->cap) {
        if (ps->cap >= (1u << 20)) return pb_fail(ps, "more than 1048576 embeddings blocks");
        size_t cap = ps->cap ? ps->cap * 2 : 16;
        pb_block *b = realloc(ps->blocks, cap * sizeof *b);
        if (!b) return ts_fail(ps->err, "%s: out of memory", ps->file);
        ps->blocks = b;
        ps->cap = cap;
    }
    pb_block blank = {NULL, NULL, NULL, line};
    ps->blocks[ps->n++] = blank;
    return 0;
}

// The fields of a message up to close ('\0': the end of the file). At the
// top level (depth 0) embeddings blocks are kept; within one (block) its
// three strings.
static int pb_message(pb_parser *ps, char close, int depth, pb_block *block) {
    if (depth > PBTXT_DEPTH) return pb_fail(ps, "messages nested too deep");
    for (;;) {
        pb_ws(ps);
        if (ps->p >= ps->end) {
            if (close) return pb_fail(ps, "the file ends inside a message (a missing '}')");
            return 0;
        }
        if (close && *ps->p == close) {
            ps->p++;
            return 0;
        }
        char name[64];
        long line = ps->line;
        if (pb_name(ps, name, sizeof name) < 0) return -1;
        pb_ws(ps);
        int colon = ps->p < ps->end && *ps->p == ':';
        if (colon) {
            ps->p++;
            pb_ws(ps);
        }
        int opens = ps->p < ps->end && (*ps->p == '{' || *ps->p == '<');
        if (!colon && !opens) return pb_fail(ps, "expected ':' or '{' after a field name");
        if (depth == 0 && opens && strcmp(name, "embeddings") == 0) {
            char c = *ps->p++;
            if (pb_add_block(ps, line) < 0) return -1;
            // The block is filled by index: pb_add_block may move the array.
            size_t k = ps->n - 1;
            pb_block tmp = ps->blocks[k];
            int rc = pb_message(ps, c == '{' ? '}' : '>', depth + 1, &tmp);
            ps->blocks[k] = tmp;
            if (rc < 0) return -1;
        } else {
            int keep = block && (strcmp(name, "tensor_name") == 0 ||
                                 strcmp(name, "tensor_path") == 0 ||
                                 strcmp(name, "metadata_path") == 0);
            int is_string;
            if (pb_value(ps, depth, keep ? ps->value : NULL, &is_string) < 0) return -1;
            if (keep && !is_string) return pb_fail(ps, "expected a quoted string");
            if (keep) {
                char **slot = name[0] == 'm' ? &block->meta
                            : strcmp(name, "tensor_name") == 0 ? &block->name : &block->path;
                if (pb_keep(ps, slot, ps->value) < 0) return -1;
            }
        }
        pb_ws(ps);
        if (ps->p < ps->end && (*ps->p == ',' || *ps->p == ';')) ps->p++;
    }
}

static void pb_free(pb_parser *ps) {
    for (size_t k = 0; k < ps->n; k++) {
        free(ps->blocks[k].name);
        free(ps->blocks[k].path);
        free(ps->blocks[k].meta);
    }
    free(ps->blocks);
}

// Reads the whole config (bounded) into *text.
static int read_config(const char *path, char **text, size_t *len, ts_error *err) {
    int64_t size;
    int fd = data_open(path, &size, err);
    if (fd < 0) return -1;
    if (size > (int64_t)PBTXT_MAX) {
        close(fd);
        return ts_fail(err, "%s: %lld bytes, more than %u MiB for a projector config", path,
                       (long long)size, PBTXT_MAX >> 20);
    }
    char *t = malloc((size_t)size + 1);
    size_t got = 0;
    ssize_t r = 0;
    while (t && got < (size_t)size && (r = read(fd, t + got, (size_t)size - got)) > 0)
        got += (size_t)r;
    close(fd);
    if (!t) return ts_fail(err, "%s: out of memory", path);
    if (r < 0) {
        free(t);
        return ts_fail(err, "%s: cannot read: %s", path, strerror(errno));
    }
    t[got] = '\0';   // a file that shrank meanwhile: what there is
    *text = t;
    *len = got;
    return 0;
}

// The step of a block: the digits after the last ':' of tensor_name, else
// its position. Sets *too_big when the digits do not fit in 63 bits.
static int64_t block_step(const pb_block *b, size_t position, int *too_big) {
    *too_big = 0;
    const char *colon = b->name ? strrchr(b->name, ':') : NULL;
    if (colon) {
        const char *p = colon + 1;
        int64_t v;
        if (digits(&p, INT64_MAX, &v, too_big) && *p == '\0') return v;
        *too_big = 0;
    }
    return (int64_t)position;
}

static int scan_tensorboard(ts_catalog *cat, ts_error *err) {
    char path[4096 + 256];
    if (catalog_path(cat, PBTXT, path, sizeof path) < 0)
        return ts_fail(err, "%s: the path is too long", cat->dir);
    char *text = NULL;
    size_t len = 0;
    if (read_config(path, &text, &len, err) < 0) return data_err_oneline(err);
    pb_parser ps = {.p = text, .end = text + len, .file = path, .line = 1, .err = err};
    int rc = pb_message(&ps, '\0', 0, NULL);
    for (size_t k = 0; rc == 0 && k < ps.n; k++)
        if (!ps.blocks[k].path) {
            char shown[80] = "";
            if (ps.blocks[k].name) snprintf(shown, sizeof shown, " (tensor_name \"%.40s\")", ps.blocks[k].name);
            rc = ts_fail(err, "%s: block %zu at line %ld%s has no tensor_path (tripletscope "
                         "reads the tensors.tsv or .npy a block names)", path, k + 1,
                         ps.blocks[k].line, shown);
        }
    candidate *c = rc == 0 ? malloc((ps.n ? ps.n : 1) * sizeof *c) : NULL;
    if (rc == 0 && !c) rc = ts_fail(err, "%s: out of memory", path);
    size_t n = 0;
    for (size_t k = 0; rc == 0 && k < ps.n; k++) {
        const pb_block *b = &ps.blocks[k];
        // Listed once its files are there (the writer writes them first).
        if (seen_has(cat, b->path, strlen(b->path)) || !is_regular(cat, b->path) ||
            (b->meta && !is_regular(cat, b->meta)))
            continue;
        int too_big;
        int64_t step = block_step(b, k, &too_big);
        candidate x = {step, DUMP_EVAL, too_big, k, b->path, b->meta, NULL,
                       b->name ? b->name : ""};
        c[n++] = x;
    }
    if (rc == 0) rc = apply(cat, c, n, err);
    free(c);
    pb_free(&ps);
    free(text);
    return rc;
}

// --- Scanning ----------------------------------------------------------------------------------

int catalog_scan(ts_catalog *cat, ts_error *err) {
    if (!cat->dir) return ts_fail(err, "catalog_scan: the catalog is not open");
    int rc = cat->kind == CATALOG_TENSORBOARD ? scan_tensorboard(cat, err) : scan_run(cat, err);
    return rc < 0 ? data_err_oneline(err) : rc;
}
