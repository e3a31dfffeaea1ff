// labelmap.c: raw labels (ints, or texts of a metadata.tsv) to dense class
// ids in the order first seen, stable over a watched run (dumpfile.h).
//
// An open-addressing hash table of ids over per-id arrays (name, int value,
// name length with a flag for int labels). Ids are only ever appended, so a
// truncation rebuilds the table from the ids that stay.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tripletscope/dumpfile.h"

// All names together: 1 << 20 labels of a few bytes each are far below it;
// 256-byte texts by the million are refused here rather than held.
#define NAME_BYTES_MAX (64u << 20)
#define INT_FLAG 0x80000000u

// --- Hashing -------------------------------------------------------------------

static uint64_t hash_int(int64_t v) {
    // splitmix64's finaliser: labels 0, 1, 2, ... spread over the table.
    uint64_t z = (uint64_t)v + 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static uint64_t hash_text(const char *s, size_t len) {
    uint64_t h = 0xcbf29ce484222325ull;   // FNV-1a
    for (size_t i = 0; i < len; i++) h = (h ^ (unsigned char)s[i]) * 0x100000001b3ull;
    return h ^ (h >> 29);
}

static uint64_t hash_id(const ts_labelmap *m, int id) {
    return (m->lens[id] & INT_FLAG) ? hash_int(m->ivals[id])
                                    : hash_text(m->names[id], m->lens[id]);
}

// Puts id into the table (which has room and does not hold it).
static void slot_put(ts_labelmap *m, int id) {
    uint32_t mask = m->nslots - 1, k = (uint32_t)hash_id(m, id) & mask;
    while (m->slots[k]) k = (k + 1) & mask;
    m->slots[k] = (uint32_t)id + 1;
}

// A table of nslots (a power of two) holding ids 0 .. count-1.
static int rebuild(ts_labelmap *m, uint32_t nslots) {
    uint32_t *slots = calloc(nslots, sizeof *slots);
    if (!slots) return -1;
    free(m->slots);
    m->slots = slots;
    m->nslots = nslots;
    for (int id = 0; id < m->count; id++) slot_put(m, id);
    return 0;
}

// --- The map -------------------------------------------------------------------

void labelmap_init(ts_labelmap *m) { memset(m, 0, sizeof *m); }

void labelmap_free(ts_labelmap *m) {
    for (int id = 0; id < m->count; id++) free(m->names[id]);
    free(m->names);
    free(m->ivals);
    free(m->lens);
    free(m->slots);
    labelmap_init(m);
}

const char *labelmap_name(const ts_labelmap *m, int id) {
    return id >= 0 && id < m->count ? m->names[id] : NULL;
}

void labelmap_truncate(ts_labelmap *m, int count) {
    if (count < 0) count = 0;
    if (count >= m->count) return;
    for (int id = count; id < m->count; id++) {
        m->name_bytes -= (m->lens[id] & ~INT_FLAG) + 1;
        free(m->names[id]);
    }
    m->count = count;
    // The table shrinks in place: clear it and put the ids back (no allocation).
    memset(m->slots, 0, (size_t)m->nslots * sizeof *m->slots);
    for (int id = 0; id < m->count; id++) slot_put(m, id);
}

// The id of the label whose hash is h and that `same` matches, or -1.
static int find(const ts_labelmap *m, uint64_t h, int is_int, int64_t v, const char *s,
                size_t len) {
    if (!m->nslots) return -1;
    uint32_t mask = m->nslots - 1;
    for (uint32_t k = (uint32_t)h & mask; m->slots[k]; k = (k + 1) & mask) {
        int id = (int)m->slots[k] - 1;
        uint32_t l = m->lens[id];
        if (is_int ? (l & INT_FLAG) && m->ivals[id] == v
                   : !(l & INT_FLAG) && l == len && memcmp(m->names[id], s, len) == 0)
            return id;
    }
    return -1;
}

// Appends a label (its name: len bytes of s) and returns its id.
static int add(ts_labelmap *m, int is_int, int64_t v, const char *s, size_t len,
               ts_error *err) {
    if (m->count >= DUMPFILE_MAX_LABELS)
        return ts_fail(err, "more than %d distinct labels", DUMPFILE_MAX_LABELS);
    if (m->name_bytes + len + 1 > NAME_BYTES_MAX)
        return ts_fail(err, "the labels' names pass %u MiB", NAME_BYTES_MAX >> 20);
    if (m->count == m->cap) {
        int cap = m->cap ? m->cap * 2 : 64;
        char **names = realloc(m->names, (size_t)cap * sizeof *names);
        if (names) m->names = names;
        int64_t *ivals = names ? realloc(m->ivals, (size_t)cap * sizeof *ivals) : NULL;
        if (ivals) m->ivals = ivals;
        uint32_t *lens = ivals ? realloc(m->lens, (size_t)cap * sizeof *lens) : NULL;
        if (!lens) return ts_fail(err, "out of memory");
        m->lens = lens;
        m->cap = cap;
    }
    // At most half full, so that a probe ends soon.
    if ((uint32_t)(m->count + 1) * 2 > m->nslots &&
        rebuild(m, m->nslots ? m->nslots * 2 : 128) < 0)
        return ts_fail(err, "out of memory");
    char *name = malloc(len + 1);
    if (!name) return ts_fail(err, "out of memory");
    if (len) memcpy(name, s, len);
    name[len] = '\0';
    int id = m->count++;
    m->names[id] = name;
    m->ivals[id] = v;
    m->lens[id] = (uint32_t)len | (is_int ? INT_FLAG : 0);
    m->name_bytes += len + 1;
    slot_put(m, id);
    return id;
}

int labelmap_id_int(ts_labelmap *m, int64_t v, ts_error *err) {
    int id = find(m, hash_int(v), 1, v, NULL, 0);
    if (id >= 0) return id;
    char buf[24];
    int len = snprintf(buf, sizeof buf, "%lld", (long long)v);
    return add(m, 1, v, buf, (size_t)len, err);
}

// Whether s (len bytes) is an integer as %lld writes it: no '+', no leading
// zero, no "-0", within int64. Sets *v.
static int canonical_int(const char *s, size_t len, int64_t *v) {
    size_t i = 0;
    int neg = len > 0 && s[0] == '-';
    i = (size_t)neg;
    if (i == len || len - i > 19) return 0;
    if (s[i] == '0' && (len - i > 1 || neg)) return 0;
    uint64_t u = 0;
    for (; i < len; i++) {
        if (s[i] < '0' || s[i] > '9') return 0;
        u = u * 10 + (uint64_t)(s[i] - '0');   // 19 digits: no wrap
    }
    if (u > (uint64_t)INT64_MAX + (uint64_t)neg) return 0;
    *v = neg ? (int64_t)(0 - u) : (int64_t)u;
    return 1;
}

int labelmap_id_text(ts_labelmap *m, const char *s, size_t len, ts_error *err) {
    int64_t v;
    if (canonical_int(s, len, &v)) return labelmap_id_int(m, v, err);
    if (len > DUMPFILE_MAX_LABEL_TEXT)
        return ts_fail(err, "a label of %zu bytes (at most %d)", len, DUMPFILE_MAX_LABEL_TEXT);
    if (memchr(s, '\0', len)) return ts_fail(err, "a label with a NUL byte");
    int id = find(m, hash_text(s, len), 0, 0, s, len);
    return id >= 0 ? id : add(m, 0, 0, s, len, err);
}
