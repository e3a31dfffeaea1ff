// evidence.c: a finding's evidence, a flat JSON object the core writes as
// text, read back into "name=value" pairs for the diagnosis panel. Kept
// apart so it can give way to structured evidence without touching the rest.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "evidence.h"
#include "format.h"

// --- JSON ----------------------------------------------------------------------

// Reads a JSON string at p (after its opening quote) into buf; returns the
// character after its closing quote.
static const char *json_string(const char *p, char *buf, size_t n) {
    size_t k = 0;
    for (; *p && *p != '"'; p++) {
        if (*p == '\\' && p[1]) p++;   // \" and \\: the character itself
        if (k + 1 < n) buf[k++] = *p;
    }
    buf[k] = 0;
    return *p ? p + 1 : p;
}

// --- Pairs ---------------------------------------------------------------------

// Appends to out (n bytes, holding len): what does not fit is dropped.
static size_t append(char *out, size_t n, size_t len, const char *fmt, const char *a,
                     const char *b) {
    if (len + 1 >= n) return len;
    int w = snprintf(out + len, n - len, fmt, a, b);
    if (w < 0) return len;
    return len + (size_t)w < n ? len + (size_t)w : n - 1;
}

void fmt_evidence(char *out, size_t n, const char *json) {
    size_t len = 0;
    out[0] = 0;
    const char *p = strchr(json, '{');
    if (!p) return;
    p++;
    char name[64], val[96];
    for (;;) {
        while (*p == ' ' || *p == ',') p++;
        if (*p != '"') break;                    // '}' or the end
        p = json_string(p + 1, name, sizeof name);
        while (*p == ' ' || *p == ':') p++;
        if (*p == '"') {
            p = json_string(p + 1, val, sizeof val);
            // Strings are codes ("too_hard averaging"): no spaces, so a line
            // only breaks between pairs.
            for (char *c = val; *c; c++)
                if (*c == ' ') *c = ',';
        } else {
            size_t k = 0;
            for (; *p && *p != ',' && *p != '}'; p++)
                if (k + 1 < sizeof val && *p != ' ') val[k++] = *p;
            val[k] = 0;
            char *end;
            double v = strtod(val, &end);
            if (end != val && *end == 0) format_sig3(val, sizeof val, v, 8);
        }
        len = append(out, n, len, len ? "  %s=%s" : "%s=%s", name, val);
    }
}
