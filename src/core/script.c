// script.c: parsing and replaying --script.
#include <stdlib.h>
#include <string.h>
#include "tripletscope/script.h"

int script_parse(const char *text, ts_script *s, ts_error *err) {
    memset(s, 0, sizeof *s);
    if (!text || !*text) return 0;
    int cap = 1;
    for (const char *p = text; *p; p++) cap += *p == ',';
    s->e = calloc((size_t)cap, sizeof *s->e);
    if (!s->e) return ts_fail(err, "--script: out of memory");
    const char *p = text;
    while (*p) {
        char *end;
        long step = strtol(p, &end, 10);
        if (end == p || *end != ':' || step < 0) {
            script_free(s);
            return ts_fail(err, "--script: expected STEP:KEYS at \"%.20s\" (e.g. 300:p,600:mm)", p);
        }
        const char *k = end + 1, *stop = strchr(k, ',');
        size_t len = stop ? (size_t)(stop - k) : strlen(k);
        if (len == 0 || len >= sizeof s->e[0].keys) {
            script_free(s);
            return ts_fail(err, "--script: step %ld needs 1 to %zu keys", step,
                           sizeof s->e[0].keys - 1);
        }
        ts_script_entry *e = &s->e[s->n++];
        e->step = step;
        memcpy(e->keys, k, len);
        e->keys[len] = 0;
        p = stop ? stop + 1 : k + len;
    }
    // Stable insertion sort by step: entries of one step keep their order.
    for (int i = 1; i < s->n; i++) {
        ts_script_entry v = s->e[i];
        int j = i - 1;
        while (j >= 0 && s->e[j].step > v.step) { s->e[j + 1] = s->e[j]; j--; }
        s->e[j + 1] = v;
    }
    return 0;
}

void script_free(ts_script *s) {
    free(s->e);
    memset(s, 0, sizeof *s);
}

const char *script_due(ts_script *s, long step) {
    if (s->next >= s->n || s->e[s->next].step > step) return NULL;
    return s->e[s->next++].keys;
}
