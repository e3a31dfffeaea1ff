// script.c: parsing and replaying --script.
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tripletscope/command.h"
#include "tripletscope/script.h"

// A script spells commands by their letters (command.h).
static int letter_known(int c) { return command_by_letter(c) != CMD_NONE; }

// How an entry is quoted in a message: at most 40 characters of it.
#define ENTRY_SHOWN 40

// Describes key for a message: 'Y', or \xNN when it does not print.
static void key_text(unsigned char key, char *buf, size_t n) {
    if (key >= 0x20 && key < 0x7f) snprintf(buf, n, "'%c'", key);
    else snprintf(buf, n, "\\x%02x", key);
}

// The known keys for a message, "m M ... e space . q ? v", from the commands.
static void keys_list(char *buf, size_t n) {
    size_t at = 0;
    const char *letters = command_letters();
    buf[0] = 0;
    for (const char *k = letters; *k && at < n; k++) {
        char one[2] = {*k, 0};
        at += (size_t)snprintf(buf + at, n - at, "%s%s", k == letters ? "" : " ",
                               *k == ' ' ? "space" : one);
    }
}

// Parses one entry, text up to its comma or the end (len characters, > 0),
// into e.
static int parse_entry(const char *text, size_t len, ts_script_entry *e, ts_error *err) {
    int shown = len > ENTRY_SHOWN ? ENTRY_SHOWN : (int)len;
    char *end;
    errno = 0;
    long step = strtol(text, &end, 10);
    if (end == text || end >= text + len || *end != ':' || step < 0)
        return ts_fail(err, "--script: expected STEP:KEYS (e.g. 300:p,600:mm), got \"%.*s\"",
                       shown, text);
    if (errno == ERANGE)
        return ts_fail(err, "--script: step out of range in \"%.*s\"", shown, text);
    const char *k = end + 1;
    size_t nk = len - (size_t)(k - text);
    if (nk == 0 || nk >= sizeof e->keys)
        return ts_fail(err, "--script: \"%.*s\": a step needs 1 to %zu keys", shown, text,
                       sizeof e->keys - 1);
    for (size_t i = 0; i < nk; i++)
        if (!letter_known((unsigned char)k[i])) {
            char kt[8], known[64];
            key_text((unsigned char)k[i], kt, sizeof kt);
            keys_list(known, sizeof known);
            return ts_fail(err, "--script: unknown key %s in \"%.*s\" (keys: %s)", kt, shown,
                           text, known);
        }
    e->step = step;
    memcpy(e->keys, k, nk);
    e->keys[nk] = 0;
    return 0;
}

// Stable insertion sort by step: entries of one step keep their order.
static void sort_entries(ts_script *s) {
    for (int i = 1; i < s->n; i++) {
        ts_script_entry v = s->e[i];
        int j = i - 1;
        while (j >= 0 && s->e[j].step > v.step) { s->e[j + 1] = s->e[j]; j--; }
        s->e[j + 1] = v;
    }
}

int script_parse(const char *text, ts_script *s, ts_error *err) {
    memset(s, 0, sizeof *s);
    if (!text || !*text) return 0;
    int cap = 1;
    for (const char *p = text; *p; p++) cap += *p == ',';
    s->e = calloc((size_t)cap, sizeof *s->e);
    if (!s->e) return ts_fail(err, "--script: out of memory");
    // Every comma separates two entries, so ",," and a trailing comma leave
    // an empty one: a typo, not a script.
    for (const char *p = text;; ) {
        const char *stop = strchr(p, ',');
        size_t len = stop ? (size_t)(stop - p) : strlen(p);
        if (len == 0) {
            script_free(s);
            return ts_fail(err, "--script: empty entry at character %zu of \"%.40s\" "
                           "(entries are STEP:KEYS separated by single commas)",
                           (size_t)(p - text) + 1, text);
        }
        if (parse_entry(p, len, &s->e[s->n], err)) {
            script_free(s);
            return -1;
        }
        s->n++;
        if (!stop) break;
        p = stop + 1;
    }
    sort_entries(s);
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
