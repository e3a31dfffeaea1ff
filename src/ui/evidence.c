// evidence.c: a finding's evidence and suggestion as the diagnosis panel
// writes them: "name=value" pairs, and the keys to press (or, watching a
// run, what to change in its training and the what-if keys to try).
#include <stdio.h>
#include <string.h>
#include "evidence.h"
#include "format.h"
#include "keys.h"

// Appends to out (n bytes, holding len): what does not fit is dropped.
static size_t append(char *out, size_t n, size_t len, const char *fmt, const char *a,
                     const char *b) {
    if (len + 1 >= n) return len;
    int w = snprintf(out + len, n - len, fmt, a, b);
    if (w < 0) return len;
    return len + (size_t)w < n ? len + (size_t)w : n - 1;
}

static void value_text(const ts_evidence *e, char *val, size_t n) {
    if (e->kind == EVIDENCE_NUM) {
        format_sig3(val, (int)n, e->num, 8);
    } else if (e->kind == EVIDENCE_FLAG) {
        snprintf(val, n, "%s", e->num != 0 ? "true" : "false");
    } else {
        snprintf(val, n, "%s", e->text);
        // Texts are names and codes ("too_hard averaging"): without spaces,
        // a line only breaks between pairs.
        for (char *c = val; *c; c++)
            if (*c == ' ') *c = ',';
    }
}

void evidence_format(char *out, size_t n, const ts_finding *f) {
    size_t len = 0;
    out[0] = 0;
    char val[sizeof f->evidence[0].text];
    for (int i = 0; i < f->n_evidence; i++) {
        value_text(&f->evidence[i], val, sizeof val);
        len = append(out, n, len, len ? "  %s=%s" : "%s=%s", f->evidence[i].name, val);
    }
}

void evidence_keys(char *out, size_t n, const ts_finding *f) {
    size_t len = 0;
    out[0] = 0;
    for (int i = 0; i < f->n_suggest; i++) {
        char key[8];
        keys_name(f->suggest[i], key, sizeof key);
        len = append(out, n, len, "%s%s", key, "");
    }
}

void evidence_advice(char *out, size_t n, const ts_finding *f) {
    size_t len = 0;
    out[0] = 0;
    for (int i = 0; i < f->n_suggest; i++) {
        const char *a = command_info(f->suggest[i])->advice;
        if (!a) continue;
        // m and M (or + and -) give the same advice: say it once.
        int seen = 0;
        for (int j = 0; j < i; j++) {
            const char *b = command_info(f->suggest[j])->advice;
            if (b && strcmp(a, b) == 0) seen = 1;
        }
        if (!seen) len = append(out, n, len, "%s%s", len ? "; " : "in your training: ", a);
    }
}

void evidence_whatif_keys(char *out, size_t n, const ts_finding *f) {
    size_t len = 0;
    out[0] = 0;
    for (int i = 0; i < f->n_suggest; i++) {
        if (!keys_whatif(f->suggest[i])) continue;
        char key[8];
        keys_name(f->suggest[i], key, sizeof key);
        len = append(out, n, len, "%s%s", key, "");
    }
}
