// lesson.c: lessons as files (docs/lessons.md): the parser, the embedded
// lessons (lessons/*.lesson, linked in by lessons.S) and the runtime.
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "tripletscope/command.h"
#include "tripletscope/diagnose.h"
#include "tripletscope/lesson.h"

#define LINE_MAX_BYTES 1000
#define TEXT_MAX (TS_LESSON_TEXT_MAX - 4)
#define FILE_MAX (256 * 1024)   // a lesson is text: a bigger file is not one
#define ENTRIES_MAX 4096
#define ARGS_MAX 256

// --- The embedded lessons ----------------------------------------------------------

#define EMBED(n)                                           \
    extern const unsigned char ts_embedded_lesson_##n[];   \
    extern const uint64_t ts_embedded_lesson_##n##_size;
EMBED(1) EMBED(2) EMBED(3) EMBED(4) EMBED(5) EMBED(6) EMBED(7) EMBED(8)

static const struct {
    const char *name, *path;
    const unsigned char *bytes;
    const uint64_t *size;
} embedded[] = {
    {"question", "lessons/1-question.lesson", ts_embedded_lesson_1, &ts_embedded_lesson_1_size},
    {"collapse", "lessons/2-collapse.lesson", ts_embedded_lesson_2, &ts_embedded_lesson_2_size},
    {"small-batches", "lessons/3-small-batches.lesson", ts_embedded_lesson_3,
     &ts_embedded_lesson_3_size},
    {"nothing-to-learn", "lessons/4-nothing-to-learn.lesson", ts_embedded_lesson_4,
     &ts_embedded_lesson_4_size},
    {"healthy", "lessons/5-healthy.lesson", ts_embedded_lesson_5, &ts_embedded_lesson_5_size},
    {"blows-up", "lessons/6-blows-up.lesson", ts_embedded_lesson_6, &ts_embedded_lesson_6_size},
    {"offline", "lessons/7-offline.lesson", ts_embedded_lesson_7, &ts_embedded_lesson_7_size},
    {"keras-distance", "lessons/8-keras-distance.lesson", ts_embedded_lesson_8,
     &ts_embedded_lesson_8_size},
};
#define N_EMBEDDED ((int)(sizeof embedded / sizeof embedded[0]))

int lesson_embedded_count(void) { return N_EMBEDDED; }

int lesson_embedded(int i, ts_lesson *l, ts_error *err) {
    if (lesson_parse((const char *)embedded[i].bytes, (size_t)*embedded[i].size,
                     embedded[i].path, l, err))
        return -1;
    snprintf(l->name, sizeof l->name, "%s", embedded[i].name);
    l->number = i + 1;
    return 0;
}

int lesson_code_by_name(const char *name) {
    for (int c = 0; c < FIND_COUNT; c++)
        if (!strcmp(name, diag_code_name((ts_finding_code)c))) return c;
    return -1;
}

// --- Parsing -------------------------------------------------------------------------

typedef struct {
    const char *where;
    int line;
    ts_lesson *l;
    int cap_e, cap_a;
    ts_error *err;
} parser;

static int fail_at(parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail_at(parser *p, const char *fmt, ...) {
    char what[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return ts_fail(p->err, "%s:%d: %s", p->where, p->line, what);
}

static int is_space(char c) { return c == ' ' || c == '\t'; }
static const char *skip(const char *s) {
    while (is_space(*s)) s++;
    return s;
}

// The next word of s into w (at most n - 1 bytes); returns what follows it.
static const char *word(const char *s, char *w, size_t n) {
    s = skip(s);
    size_t k = 0;
    while (*s && !is_space(*s)) {
        if (k + 1 < n) w[k++] = *s;
        s++;
    }
    w[k] = 0;
    return s;
}

// A text: the rest of the line, trimmed; "" allowed when optional.
static int take_text(parser *p, const char *s, char *out, int required, const char *what) {
    s = skip(s);
    size_t n = strlen(s);
    while (n > 0 && is_space(s[n - 1])) n--;
    if (n == 0 && required) return fail_at(p, "%s needs a text after it", what);
    if (n > TEXT_MAX)
        return fail_at(p, "the text is %zu bytes, at most %d (it must show whole at 80 columns)",
                       n, TEXT_MAX);
    memcpy(out, s, n);
    out[n] = 0;
    for (char *c = out; *c; c++)
        if (*c == '\t') *c = ' ';
    return 0;
}

static void keys_known(char *buf, size_t n) {
    size_t at = 0;
    buf[0] = 0;
    for (const char *k = command_letters(); *k && at < n; k++)
        if (*k != ' ') at += (size_t)snprintf(buf + at, n - at, "%s%c", at ? " " : "", *k);
}

static int take_keys(parser *p, const char *k, char *out) {
    size_t n = strlen(k);
    if (n == 0) return fail_at(p, "expected the keys to press or wait for");
    if (n >= TS_LESSON_KEYS_MAX)
        return fail_at(p, "\"%.40s\": at most %d keys", k, TS_LESSON_KEYS_MAX - 1);
    for (size_t i = 0; i < n; i++)
        if (command_by_letter((unsigned char)k[i]) == CMD_NONE) {
            char known[96];
            keys_known(known, sizeof known);
            return fail_at(p, "unknown key '%c' in \"%s\" (keys: %s)", k[i], k, known);
        }
    memcpy(out, k, n + 1);
    return 0;
}

static ts_lesson_entry *new_entry(parser *p) {
    ts_lesson *l = p->l;
    if (l->n == ENTRIES_MAX) {
        fail_at(p, "more than %d narrations and keys", ENTRIES_MAX);
        return NULL;
    }
    if (l->n == p->cap_e) {
        int cap = p->cap_e ? 2 * p->cap_e : 16;
        ts_lesson_entry *e = realloc(l->e, sizeof *e * (size_t)cap);
        if (!e) {
            ts_fail(p->err, "%s: out of memory", p->where);
            return NULL;
        }
        l->e = e;
        p->cap_e = cap;
    }
    ts_lesson_entry *e = &l->e[l->n++];
    memset(e, 0, sizeof *e);
    e->line = p->line;
    return e;
}

// VERB ... after "at STEP" or "on raised CODE".
static int parse_verb(parser *p, const char *s, ts_lesson_entry *e) {
    char verb[16], keys[64];
    s = word(s, verb, sizeof verb);
    if (!strcmp(verb, "say") || !strcmp(verb, "pause")) {
        e->verb = verb[0] == 's' ? LESSON_SAY : LESSON_PAUSE;
        return take_text(p, s, e->text, 1, verb);
    }
    if (!strcmp(verb, "wait") || !strcmp(verb, "press")) {
        if (e->on)
            return fail_at(p, "on ... %s: keys come at steps (at STEP %s KEYS), so that the lesson "
                           "replays the same on every CPU", verb, verb);
        e->verb = verb[0] == 'w' ? LESSON_WAIT : LESSON_PRESS;
        s = word(s, keys, sizeof keys);
        if (take_keys(p, keys, e->keys)) return -1;
        // The interface's own keys (? v g i) never reach the run, and . and
        // space are how a viewer steps and runs on: none can end a wait.
        for (const char *k = e->keys; e->verb == LESSON_WAIT && *k; k++) {
            ts_command c = command_by_letter((unsigned char)*k);
            if (command_info(c)->scope == SCOPE_INTERFACE || c == CMD_STEP || c == CMD_PAUSE)
                return fail_at(p, "wait %s: '%c' cannot end a wait (the view's keys and . never "
                               "reach the lesson)", e->keys, *k);
        }
        return take_text(p, s, e->text, 0, verb);
    }
    if (!verb[0]) return fail_at(p, "expected say, pause, wait or press");
    return fail_at(p, "unknown verb \"%s\" (expected say, pause, wait or press)", verb);
}

static int parse_at(parser *p, const char *s) {
    char num[32];
    s = word(s, num, sizeof num);
    char *end;
    errno = 0;
    long step = strtol(num, &end, 10);
    if (!num[0] || *end || step < 0 || errno)
        return fail_at(p, "at: expected a step, a number >= 0, got \"%s\"", num);
    ts_lesson_entry *e = new_entry(p);
    if (!e) return -1;
    e->step = step;
    return parse_verb(p, s, e);
}

static int parse_on(parser *p, const char *s) {
    char state[16], code[32];
    s = word(s, state, sizeof state);
    if (strcmp(state, "raised") && strcmp(state, "cleared"))
        return fail_at(p, "on: expected raised or cleared, got \"%s\"", state);
    s = word(s, code, sizeof code);
    int c = lesson_code_by_name(code);
    if (c < 0)
        return fail_at(p, "on %s: unknown finding \"%s\" (the codes of docs/failure-modes.md)",
                       state, code);
    ts_lesson_entry *e = new_entry(p);
    if (!e) return -1;
    e->on = 1;
    e->code = c;
    e->raised = state[0] == 'r';
    return parse_verb(p, s, e);
}

// flags WORDS: words split at spaces, "double quotes" keep spaces in one.
static int parse_flags(parser *p, const char *s) {
    ts_lesson *l = p->l;
    if (!l->flags_line) l->flags_line = p->line;
    for (;;) {
        s = skip(s);
        if (!*s) return 0;
        char buf[LINE_MAX_BYTES + 1];
        size_t k = 0;
        int quoted = 0;
        while (*s && (quoted || !is_space(*s))) {
            if (*s == '"') quoted = !quoted;
            else buf[k++] = *s;
            s++;
        }
        if (quoted) return fail_at(p, "flags: a quote is not closed");
        buf[k] = 0;
        if (l->argc == ARGS_MAX) return fail_at(p, "flags: more than %d words", ARGS_MAX);
        if (l->argc == p->cap_a) {
            int cap = p->cap_a ? 2 * p->cap_a : 16;
            char **a = realloc(l->argv, sizeof *a * (size_t)cap);
            if (!a) return ts_fail(p->err, "%s: out of memory", p->where);
            l->argv = a;
            p->cap_a = cap;
        }
        if (!(l->argv[l->argc] = strdup(buf))) return ts_fail(p->err, "%s: out of memory", p->where);
        l->argc++;
    }
}

static int parse_line(parser *p, const char *s) {
    s = skip(s);
    if (!*s || *s == '#') return 0;
    char dir[16];
    const char *rest = word(s, dir, sizeof dir);
    if (!strcmp(dir, "title")) {
        if (p->l->title[0]) return fail_at(p, "a second title");
        char t[TS_LESSON_TEXT_MAX];
        if (take_text(p, rest, t, 1, "title")) return -1;
        if (strlen(t) >= TS_LESSON_TITLE_MAX)
            return fail_at(p, "the title is %zu bytes, at most %d", strlen(t), TS_LESSON_TITLE_MAX - 1);
        memcpy(p->l->title, t, strlen(t) + 1);
        return 0;
    }
    if (!strcmp(dir, "flags")) return parse_flags(p, rest);
    if (!strcmp(dir, "at")) return parse_at(p, rest);
    if (!strcmp(dir, "on")) return parse_on(p, rest);
    return fail_at(p, "unknown directive \"%.20s\" (expected title, flags, at or on)", dir);
}

// The at entries by step, stable, before the on ones (in the file's order).
static void sort_entries(ts_lesson *l) {
    for (int i = 1; i < l->n; i++) {
        ts_lesson_entry v = l->e[i];
        int j = i - 1;
        while (j >= 0 && (l->e[j].on > v.on || (l->e[j].on == v.on && !v.on && l->e[j].step > v.step))) {
            l->e[j + 1] = l->e[j];
            j--;
        }
        l->e[j + 1] = v;
    }
}

// The name a file's lesson goes by: its base name without .lesson.
static void name_of_path(const char *path, char *out, size_t n) {
    const char *b = strrchr(path, '/');
    b = b ? b + 1 : path;
    size_t len = strlen(b);
    if (len > 7 && !strcmp(b + len - 7, ".lesson")) len -= 7;
    if (len >= n) len = n - 1;
    memcpy(out, b, len);
    out[len] = 0;
}

int lesson_parse(const char *text, size_t len, const char *where, ts_lesson *l, ts_error *err) {
    memset(l, 0, sizeof *l);
    snprintf(l->where, sizeof l->where, "%s", where);
    name_of_path(where, l->name, sizeof l->name);
    parser p = {l->where, 0, l, 0, 0, err};
    char line[LINE_MAX_BYTES + 2];
    size_t at = 0;
    while (at < len) {
        p.line++;
        size_t k = 0;
        while (at < len && text[at] != '\n') {
            unsigned char c = (unsigned char)text[at];
            if (c == 0) {
                fail_at(&p, "a NUL byte: not a text file");
                goto bad;
            }
            if (c < 0x20 && c != '\t' && !(c == '\r' && (at + 1 == len || text[at + 1] == '\n'))) {
                fail_at(&p, "control character \\x%02x", c);
                goto bad;
            }
            if (k > LINE_MAX_BYTES) {
                fail_at(&p, "a line of more than %d bytes", LINE_MAX_BYTES);
                goto bad;
            }
            if (c != '\r') line[k++] = (char)c;
            at++;
        }
        at++;   // the newline
        line[k] = 0;
        if (parse_line(&p, line)) goto bad;
    }
    sort_entries(l);
    return 0;
bad:
    lesson_free(l);
    return -1;
}

void lesson_free(ts_lesson *l) {
    for (int i = 0; i < l->argc; i++) free(l->argv[i]);
    free(l->argv);
    free(l->e);
    memset(l, 0, sizeof *l);
}

// --- Loading ---------------------------------------------------------------------------

static int ends_with(const char *s, const char *tail) {
    size_t a = strlen(s), b = strlen(tail);
    return a >= b && !strcmp(s + a - b, tail);
}

static int load_file(const char *path, ts_lesson *l, ts_error *err) {
    struct stat st;
    FILE *f = fopen(path, "rb");
    if (!f) return ts_fail(err, "%s: cannot open: %s", path, strerror(errno));
    if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
        fclose(f);
        return ts_fail(err, "%s: a directory, not a lesson file", path);
    }
    char *buf = malloc(FILE_MAX + 1);
    if (!buf) {
        fclose(f);
        return ts_fail(err, "%s: out of memory", path);
    }
    size_t n = fread(buf, 1, FILE_MAX + 1, f);
    int bad = ferror(f);
    fclose(f);
    int rc;
    if (bad) rc = ts_fail(err, "%s: cannot read", path);
    else if (n > FILE_MAX) rc = ts_fail(err, "%s: more than %d KiB: not a lesson file", path, FILE_MAX / 1024);
    else rc = lesson_parse(buf, n, path, l, err);
    free(buf);
    return rc;
}

int lesson_load(const char *spec, ts_lesson *l, ts_error *err) {
    memset(l, 0, sizeof *l);
    if (!*spec) return ts_fail(err, "--lesson: empty value (--lesson list names the lessons)");
    if (strchr(spec, '/') || ends_with(spec, ".lesson")) return load_file(spec, l, err);
    for (int i = 0; i < N_EMBEDDED; i++) {
        char num[16];
        snprintf(num, sizeof num, "%d", i + 1);
        if (!strcmp(spec, embedded[i].name) || !strcmp(spec, num)) return lesson_embedded(i, l, err);
    }
    struct stat st;
    if (stat(spec, &st) == 0) return load_file(spec, l, err);
    return ts_fail(err, "--lesson: no lesson \"%.60s\" (--lesson list names them; a file of your "
                   "own: a path with a / or ending in .lesson)", spec);
}

// --- The runtime -----------------------------------------------------------------------

int lesson_run_init(ts_lesson_run *r, const ts_lesson *l) {
    memset(r, 0, sizeof *r);
    r->l = l;
    if (l && l->n && !(r->fired = calloc((size_t)l->n, 1))) return -1;
    return 0;
}

void lesson_run_free(ts_lesson_run *r) {
    free(r->fired);
    memset(r, 0, sizeof *r);
}

const ts_lesson_entry *lesson_run_due(ts_lesson_run *r, long step) {
    if (!r->l || r->hold || r->next >= r->l->n) return NULL;
    const ts_lesson_entry *e = &r->l->e[r->next];
    if (e->on || e->step > step) return NULL;
    r->next++;
    return e;
}

int lesson_run_change(ts_lesson_run *r, int code, int raised, const ts_lesson_entry **out,
                      int max) {
    int n = 0;
    for (int i = 0; r->l && i < r->l->n && n < max; i++) {
        const ts_lesson_entry *e = &r->l->e[i];
        if (!e->on || r->fired[i] || e->code != code || e->raised != !!raised) continue;
        r->fired[i] = 1;
        out[n++] = e;
    }
    return n;
}

void lesson_run_hold(ts_lesson_run *r, const ts_lesson_entry *e) {
    r->hold = e;
    r->pressed = 0;
}

ts_lesson_hold lesson_run_holding(const ts_lesson_run *r) {
    if (!r->hold) return LESSON_HOLD_NONE;
    return r->hold->verb == LESSON_WAIT ? LESSON_HOLD_WAIT : LESSON_HOLD_PAUSE;
}

const char *lesson_run_wanted(const ts_lesson_run *r) {
    if (!r->hold || r->hold->verb != LESSON_WAIT) return "";
    return r->hold->keys + r->pressed;
}

int lesson_run_key(ts_lesson_run *r, char letter) {
    if (!r->hold || r->hold->verb != LESSON_WAIT || r->hold->keys[r->pressed] != letter) return 0;
    if (r->hold->keys[++r->pressed]) return 0;
    lesson_run_release(r);
    return 1;
}

void lesson_run_release(ts_lesson_run *r) {
    r->hold = NULL;
    r->pressed = 0;
}
