// csv.c: numbers in delimited text (commas, semicolons, tabs, blanks or
// another mark), labels as integers or names, and opening data files.
//
// The whole file is read into memory (through zlib, so a .csv.gz works too),
// counting delimiters and lines as it arrives so that a text whose arrays
// would pass the memory budget is refused while it decompresses; then the
// delimiter is detected (unless given) and the text parsed in two passes:
// the first checks the shape (columns a line, the header, whether the labels
// are integers or names) without converting a number, the second converts
// into arrays allocated once at the right size. A leading UTF-8 byte order
// mark is skipped. A cell may be quoted, within its line: "a;b", "x ""y""".
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include "loader.h"

// --- Opening files -----------------------------------------------------------

// What a file that is not a regular one is, for the message.
static const char *file_kind(mode_t m) {
    return S_ISFIFO(m) ? "a FIFO" : S_ISCHR(m) ? "a character device"
         : S_ISBLK(m) ? "a block device" : S_ISSOCK(m) ? "a socket" : "not a plain file";
}

int data_open(const char *path, int64_t *size, ts_error *err) {
    // O_NONBLOCK: a FIFO would block open() until a writer came (forever,
    // with none); O_NOCTTY: a terminal named by mistake must not become ours.
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        struct stat st;
        // A socket cannot be opened at all (ENXIO): say what it is instead.
        if (stat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
            return ts_fail(err, "%s: not a regular file (%s)", path, file_kind(st.st_mode));
        return ts_fail(err, "%s: cannot open: %s", path, strerror(e));
    }
    struct stat st;
    if (fstat(fd, &st) < 0) {
        int e = errno;
        close(fd);
        return ts_fail(err, "%s: cannot read: %s", path, strerror(e));
    }
    // Only regular files: a directory cannot be read, and a FIFO or a device
    // could block a read, or feed us without end.
    if (S_ISDIR(st.st_mode) || !S_ISREG(st.st_mode) || st.st_size == 0) {
        close(fd);
        if (S_ISDIR(st.st_mode)) return ts_fail(err, "%s: is a directory, not a data file", path);
        if (!S_ISREG(st.st_mode))
            return ts_fail(err, "%s: not a regular file (%s)", path, file_kind(st.st_mode));
        return ts_fail(err, "%s: empty file", path);
    }
    // A regular file's reads never wait, but zlib and stdio expect a blocking
    // descriptor (EAGAIN is no end of file to them).
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0) {
        int e = errno;
        close(fd);
        return ts_fail(err, "%s: cannot read: %s", path, strerror(e));
    }
    *size = (int64_t)st.st_size;
    return fd;
}

// A stream that ends early is truncated; anything else is corrupt.
static int gz_fail(gzFile gz, const char *path, ts_error *err) {
    int e;
    gzerror(gz, &e);
    if (e == Z_BUF_ERROR) return ts_fail(err, "%s: truncated gzip data", path);
    return ts_fail(err, "%s: corrupt gzip data: %s", path, data_gz_why(gz));
}

// --- Delimiters ------------------------------------------------------------------
//
// DELIM_WS stands for whitespace: cells separated by runs of spaces and tabs,
// blanks at either end of a line ignored. Every other delimiter is one byte,
// and two in a row make an empty cell.

#define DELIM_WS ' '

// Whether c may separate cells: a tab, or ASCII punctuation that is no part
// of a number ('.', '+', '-') and no quote.
static int delimiter_ok(unsigned char c) {
    return c == '\t' || (c > 0x20 && c < 0x7f && !(c >= '0' && c <= '9') &&
                         !((c | 0x20) >= 'a' && (c | 0x20) <= 'z') && !strchr("\".+-", c));
}

int data_delimiter_parse(const char *v, char *out) {
    static const struct {
        const char *name;
        char d;
    } names[] = {{"auto", 0}, {"tab", '\t'}, {"\\t", '\t'}, {"space", DELIM_WS},
                 {"whitespace", DELIM_WS}, {" ", DELIM_WS}};
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++)
        if (!strcmp(v, names[k].name)) {
            *out = names[k].d;
            return 0;
        }
    if (v[0] && !v[1] && delimiter_ok((unsigned char)v[0])) {
        *out = v[0];
        return 0;
    }
    return -1;
}

const char *data_delimiter_name(char d, char out[8]) {
    if (d == 0) return "auto";
    if (d == '\t') return "tab";
    if (d == DELIM_WS) return "space";
    out[0] = d;
    out[1] = '\0';
    return out;
}

// --- Cells -------------------------------------------------------------------

typedef struct {
    const char *p, *end; // the line still to read, without its newline (p NULL: used up)
    char delim;          // a delimiter byte, or DELIM_WS
} line_cursor;

static int is_blank(int c) { return c == ' ' || c == '\t' || c == '\r'; }

// A blank around a cell: a tab is none when it is the delimiter.
static int is_pad(int c, char delim) {
    return c == ' ' || c == '\r' || (c == '\t' && delim != '\t');
}

// The next line in [*at, end): sets *b, *e to it (a trailing '\r' dropped)
// and advances *at past its newline. Returns 0 at the end of the text.
static int next_line(const char **at, const char *end, const char **b, const char **e) {
    if (*at >= end) return 0;
    const char *nl = memchr(*at, '\n', (size_t)(end - *at));
    *b = *at;
    *e = nl ? nl : end;
    *at = nl ? nl + 1 : end;
    if (*e > *b && (*e)[-1] == '\r') (*e)--;
    return 1;
}

static int line_is_blank(const char *b, const char *e) {
    for (; b < e; b++)
        if (!is_blank((unsigned char)*b)) return 0;
    return 1;
}

// What next_cell returns besides 1 (a cell) and 0 (the line is used up).
enum { CELL_UNCLOSED = -1, CELL_AFTER_QUOTE = -2 };

// The next cell of a line: [*cb, *ce), trimmed; *quoted when it was in
// quotes (then [*cb, *ce) is what lies between them, "" still doubled).
// Returns 1, 0 when the line is used up (a line of k delimiters has k + 1
// cells; under whitespace, as many as it has words), or CELL_UNCLOSED (a
// quote not closed on its line) or CELL_AFTER_QUOTE (text after a closing
// quote). A quote inside an unquoted cell is only a character.
static int next_cell(line_cursor *lc, const char **cb, const char **ce, int *quoted) {
    const char *p = lc->p, *end = lc->end;
    if (!p) return 0;
    int ws = lc->delim == DELIM_WS;
    while (p < end && is_pad((unsigned char)*p, lc->delim)) p++;
    if (ws && p == end) {
        lc->p = NULL;
        return 0;
    }
    *quoted = 0;
    if (p < end && *p == '"') {
        const char *q = p + 1;
        for (;;) {
            q = memchr(q, '"', (size_t)(end - q));
            if (!q) return CELL_UNCLOSED;
            if (q + 1 < end && q[1] == '"') {
                q += 2;
                continue;
            }
            break;
        }
        *cb = p + 1;
        *ce = q;
        *quoted = 1;
        const char *t = q + 1;
        while (t < end && is_pad((unsigned char)*t, lc->delim)) t++;
        if (t == end) lc->p = NULL;
        else if (ws ? t > q + 1 : *t == lc->delim) lc->p = ws ? t : t + 1;
        else return CELL_AFTER_QUOTE;
        return 1;
    }
    const char *e;
    if (ws) {
        for (e = p; e < end && *e != ' ' && *e != '\t';) e++;
        lc->p = e < end ? e : NULL;
    } else {
        const char *d = memchr(p, lc->delim, (size_t)(end - p));
        e = d ? d : end;
        lc->p = d ? d + 1 : NULL;
    }
    while (e > p && is_pad((unsigned char)e[-1], lc->delim)) e--;
    *cb = p;
    *ce = e;
    return 1;
}

// The cells of a non-blank line under delim; or, for a quote next_cell
// refuses, a negative count with *bad (CELL_UNCLOSED or CELL_AFTER_QUOTE)
// and *bad_col (0-based) set when they are not NULL.
static long count_cells(const char *b, const char *e, char delim, int *bad, size_t *bad_col) {
    if (delim != DELIM_WS && !memchr(b, '"', (size_t)(e - b))) {
        long n = 1;
        for (const char *p = b; (p = memchr(p, delim, (size_t)(e - p))) != NULL; p++) n++;
        return n;
    }
    line_cursor lc = {b, e, delim};
    const char *cb, *ce;
    int q, r;
    long n = 0;
    while ((r = next_cell(&lc, &cb, &ce, &q)) > 0) n++;
    if (r < 0) {
        if (bad) *bad = r;
        if (bad_col) *bad_col = (size_t)n;
        return -1;
    }
    return n;
}

// --- Detecting the delimiter -------------------------------------------------------

#define DETECT_LINES 20
// ';' first: where it splits every line alike, commas are decimal commas
// ("5,1;3,5;setosa"), as spreadsheets write them where ',' is the decimal
// point; in a comma-separated file it rarely occurs at all.
static const char detect_order[] = {';', ',', '\t', DELIM_WS};
#define N_DETECT (sizeof detect_order)

// The delimiter of a text, from its first DETECT_LINES non-blank lines: the
// first of ; , tab and whitespace under which they all have one number of
// columns, above 1; failing that, the first that splits the first line (so
// that the error is about the line that differs); failing that, ','.
// *seen: how many lines it read (fewer than DETECT_LINES: the whole text).
static char detect_delimiter(const char *text, const char *end, int *seen) {
    long cols[N_DETECT] = {0};
    int same[N_DETECT], n = 0;
    for (size_t k = 0; k < N_DETECT; k++) same[k] = 1;
    const char *at = text, *b, *e;
    while (n < DETECT_LINES && next_line(&at, end, &b, &e)) {
        if (line_is_blank(b, e)) continue;
        for (size_t k = 0; k < N_DETECT; k++) {
            long c = count_cells(b, e, detect_order[k], NULL, NULL);
            if (n == 0) cols[k] = c;
            else if (c != cols[k]) same[k] = 0;
        }
        n++;
    }
    if (seen) *seen = n;
    for (size_t k = 0; k < N_DETECT; k++)
        if (same[k] && cols[k] > 1) return detect_order[k];
    for (size_t k = 0; k < N_DETECT; k++)
        if (cols[k] > 1) return detect_order[k];
    return ',';
}

// --- Reading the text within the budget ------------------------------------------

// What the text read so far will need once parsed, counted as it arrives: a
// data row of D features has D delimiters, so those outside quotes are the
// feature values, and the lines with something on them the samples (a
// header and lines of blanks make it a few bytes high at most). Given a
// delimiter, it is counted; detecting one, semicolons, commas and tabs are,
// and the count taken is the detected one's once the first lines are in
// (until then, and under whitespace, none: the text alone is counted). A
// quote toggles "inside" until the end of its line, so a delimiter in a
// quoted cell is not counted, and one that is counted is a real one.
typedef struct {
    uint64_t delims[3], lines;
    char cand[3];   // the bytes counted
    int pick;       // the index of the features' count, or -1: none
    int detect;     // still to decide pick from the text (no delimiter given)
    int in_quote;   // the text so far ends within quotes, on an unfinished line
    char last;      // the last byte counted ('\n' before the first)
} text_count;

static void count_init(text_count *c, char delim) {
    memset(c, 0, sizeof *c);
    c->last = '\n';
    c->detect = delim == 0;
    c->pick = delim == 0 || delim == DELIM_WS ? -1 : 0;
    for (int k = 0; k < 3; k++) c->cand[k] = delim == 0 ? detect_order[k] : delim;
}

static void count_text(text_count *c, const char *p, size_t n) {
    if (n == 0) return;
    const char c0 = c->cand[0], c1 = c->cand[1], c2 = c->cand[2];
    uint64_t n0 = 0, n1 = 0, n2 = 0, quotes = 0;
    uint64_t lines = p[0] == '\n' && c->last != '\n';
    // Branch-free so that the compiler vectorises it: this sees every byte.
    for (size_t i = 0; i < n; i++) {
        n0 += p[i] == c0;
        n1 += p[i] == c1;
        n2 += p[i] == c2;
        quotes += p[i] == '"';
    }
    for (size_t i = 1; i < n; i++) lines += (p[i] == '\n') & (p[i - 1] != '\n');
    if (quotes || c->in_quote) {
        // Quotes: counted again, leaving out what they enclose.
        int in = c->in_quote;
        n0 = n1 = n2 = 0;
        for (size_t i = 0; i < n; i++) {
            char ch = p[i];
            if (ch == '\n') in = 0;
            else if (ch == '"') in = !in;
            else if (!in) {
                n0 += ch == c0;
                n1 += ch == c1;
                n2 += ch == c2;
            }
        }
        c->in_quote = in;
    }
    c->delims[0] += n0;
    c->delims[1] += n1;
    c->delims[2] += n2;
    c->lines += lines;
    c->last = p[n - 1];
}

// After the first read: when it holds the first DETECT_LINES lines whole,
// the count that detection will take (the same lines decide it when the
// text is parsed). Only once: lines so long that the first read (up to 16
// MB) holds fewer leave the text alone counted, rather than read again and
// again.
static void count_detect(text_count *c, const char *buf, size_t len) {
    if (!c->detect) return;
    c->detect = 0;
    const char *end = buf + len;
    if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0) buf += 3;
    while (end > buf && end[-1] != '\n') end--;   // complete lines only
    int seen = 0;
    char d = detect_delimiter(buf, end, &seen);
    if (seen < DETECT_LINES) return;
    for (int k = 0; k < 3; k++)
        if (c->cand[k] == d) c->pick = k;
}

// What the load will hold once this text (text bytes) is parsed.
static uint64_t text_need(const data_budget *b, uint64_t text, const text_count *c) {
    uint64_t rows = c->lines + (c->last != '\n');  // an unterminated last line too
    uint64_t values = c->pick >= 0 ? c->delims[c->pick] : 0;
    uint64_t d = rows ? values / rows : 0;
    return data_budget_need(b, text, rows, values, d, sizeof(float));
}

// The next capacity of the text buffer: doubling, but never past what the
// budget leaves beside the arrays the text read so far will need (the text
// is held only while they are read: data_budget_need without the split is
// that reading phase). 0 when there is no room for even one more byte.
static size_t text_grow(const data_budget *b, size_t cap, size_t len, uint64_t first,
                        const text_count *c) {
    data_budget reading = *b;
    reading.split = 0;
    uint64_t arrays = text_need(&reading, 0, c);
    uint64_t room = text_need(b, 0, c) <= b->max && arrays < b->max ? b->max - arrays : 0;
    uint64_t next = cap ? (uint64_t)cap * 2 : first;
    if (next > room) next = room;
    if (next > SIZE_MAX / 2) next = SIZE_MAX / 2;
    return next >= (uint64_t)len + 2 ? (size_t)next : 0;
}

// Reads all of a (possibly gzip) file into *out, NUL-terminated. A text
// whose estimated needs pass the budget is refused while it decompresses
// (a gzip bomb stops within a read of the budget), never held whole.
// delim: the given delimiter, or 0 (detected).
static int read_text(const char *path, const data_budget *b, char delim, char **out,
                     size_t *out_len, ts_error *err) {
    *out = NULL;
    *out_len = 0;
    int64_t fsize;
    int fd = data_open(path, &fsize, err);
    if (fd < 0) return -1;
    gzFile gz = gzdopen(fd, "rb");
    if (!gz) {
        close(fd);
        return ts_fail(err, "%s: out of memory", path);
    }
    gzbuffer(gz, 1 << 17);
    // A plain file's size is known; compressed text grows as it comes.
    uint64_t first = gzdirect(gz) ? (uint64_t)fsize + 1
                   : (uint64_t)fsize > UINT64_MAX / 8 ? UINT64_MAX : (uint64_t)fsize * 4 + 4096;
    text_count tc;
    count_init(&tc, delim);
    size_t cap = 0, len = 0;
    char *buf = NULL;
    int rc = 0;
    for (;;) {
        if (cap - len < 2) {
            size_t next = text_grow(b, cap, len, first, &tc);
            if (next == 0) {
                rc = data_budget_check(b, path, text_need(b, (uint64_t)len + 2, &tc), 1, err);
                if (rc == 0) rc = ts_fail(err, "%s: larger than this machine can address", path);
                break;
            }
            char *grown = realloc(buf, next);
            if (!grown) {
                rc = ts_fail(err, "%s: out of memory", path);
                break;
            }
            buf = grown;
            cap = next;
        }
        // Reads of at most 16 MB, so that the estimate keeps up with the text.
        size_t want = cap - 1 - len;
        if (want > (1u << 24)) want = 1u << 24;
        int got = gzread(gz, buf + len, (unsigned)want);
        if (got < 0) {
            rc = gz_fail(gz, path, err);
            break;
        }
        if (got == 0) break;
        count_text(&tc, buf + len, (size_t)got);
        len += (size_t)got;
        count_detect(&tc, buf, len);
        if ((rc = data_budget_check(b, path, text_need(b, (uint64_t)len + 1, &tc), 1, err)) < 0)
            break;
    }
    if (rc == 0) {
        int e;
        gzerror(gz, &e);
        if (e != Z_OK && e != Z_STREAM_END) rc = gz_fail(gz, path, err);
    }
    gzclose(gz);
    if (rc < 0) {
        free(buf);
        return -1;
    }
    buf[len] = '\0';
    *out = buf;
    *out_len = len;
    return 0;
}

// --- Numbers -------------------------------------------------------------------

// The longest cell parsed as a number. "-1.7976931348623157e+308" is 24
// characters and no double needs more than 17 significant digits; 256
// leaves room for padded zeros while a cell of megabytes of digits is
// refused before strtod spends its time on it.
#define CELL_MAX 256

typedef enum {
    CELL_TEXT,     // not a number
    CELL_NUMBER,   // a number (NaN and Inf included: the caller refuses them)
    CELL_RANGE,    // a number beyond a double, such as 1e999
    CELL_LONG,     // digits (and signs, dots, exponents) longer than CELL_MAX
} cell_kind;

static int number_char(int c) {
    return (c >= '0' && c <= '9') || c == '.' || c == '+' || c == '-' || c == 'e' || c == 'E';
}

// Parses [b, e) as a whole number; the text after e is not a digit, dot or
// letter of a number's (a delimiter, blank, quote, newline or the final
// '\0'), so strtod stops at e at the latest.
static cell_kind parse_number(const char *b, const char *e, double *v) {
    *v = 0.0;
    if (b == e) return CELL_TEXT;
    if (e - b > CELL_MAX) {
        // Too long to parse: still say "number" when it is made like one.
        int digits = 0;
        for (const char *p = b; p < e; p++) {
            if (!number_char((unsigned char)*p)) return CELL_TEXT;
            digits |= *p >= '0' && *p <= '9';
        }
        return digits ? CELL_LONG : CELL_TEXT;
    }
    char *stop;
    errno = 0;
    *v = strtod(b, &stop);
    if (stop != e) return CELL_TEXT;
    // Overflow gives ERANGE and an infinity; "inf" itself gives no ERANGE
    // (and underflow, ERANGE with a tiny value, is a fine 0).
    if (errno == ERANGE && !isfinite(*v)) return CELL_RANGE;
    return CELL_NUMBER;
}

// A cell shown in a message: at most 24 characters, unprintables as '?'.
static void show_cell(const char *b, const char *e, char *out, size_t cap) {
    size_t n = 0;
    for (; b < e && n + 4 < cap && n < 24; b++)
        out[n++] = (*b >= 0x20 && *b < 0x7f) ? *b : '?';
    if (b < e && n + 4 < cap) {
        memcpy(out + n, "...", 3);
        n += 3;
    }
    out[n] = '\0';
}

// Whether [b, e) reads as a number with a decimal comma ("1,5").
static int decimal_comma(const char *b, const char *e) {
    const char *c = memchr(b, ',', (size_t)(e - b));
    if (!c || c == b || c + 1 == e || memchr(c + 1, ',', (size_t)(e - c - 1))) return 0;
    for (const char *p = b; p < e; p++)
        if (p != c && !(*p >= '0' && *p <= '9') && !(p == b && *p == '-')) return 0;
    return 1;
}

// Another delimiter than delim in the text cell [b, e): the file may be
// separated by it (0: none).
static char other_delimiter(const char *b, const char *e, char delim) {
    for (const char *m = ";,\t|"; *m; m++)
        if (*m != delim && !(delim == DELIM_WS && *m == '\t') &&
            memchr(b, *m, (size_t)(e - b)))
            return *m;
    return 0;
}

// Writes into why (cap bytes) what is wrong with the cell [b, e) of this
// kind and value as a label or a feature (the text read with delim);
// returns 0 when nothing is.
static int cell_problem(const char *b, const char *e, cell_kind kind, double v, int is_label,
                        char delim, char *why, size_t cap) {
    if (kind == CELL_NUMBER && is_label && fabs(v) <= 9007199254740992.0 && v == floor(v))
        return 0;   // every row's label: no formatting unless it is wrong
    char shown[32];
    show_cell(b, e, shown, sizeof shown);
    if (kind == CELL_TEXT && b == e) snprintf(why, cap, "empty cell, not a number");
    else if (kind == CELL_TEXT && decimal_comma(b, e))
        snprintf(why, cap, "\"%s\" is not a number (numbers take '.' as the decimal point)",
                 shown);
    else if (kind == CELL_TEXT && other_delimiter(b, e, delim)) {
        char d = other_delimiter(b, e, delim);
        if (d == '\t')
            snprintf(why, cap, "\"%s\" is not a number (is the file separated by tabs? try "
                     "--delimiter tab)", shown);
        else
            snprintf(why, cap, "\"%s\" is not a number (is the file separated by '%c'? try "
                     "--delimiter '%c')", shown, d, d);
    } else if (kind == CELL_TEXT) snprintf(why, cap, "\"%s\" is not a number", shown);
    else if (kind == CELL_LONG)
        snprintf(why, cap, "a cell of %zu characters is too long for a number (at most %d)",
                 (size_t)(e - b), CELL_MAX);
    else if (kind == CELL_NUMBER && !isfinite(v))
        snprintf(why, cap, "%s: NaN or Inf is not allowed", shown);
    // Integers up to 2^53 are exact in a double; past it two labels could
    // silently become one.
    else if (is_label && (kind == CELL_RANGE || fabs(v) > 9007199254740992.0))
        snprintf(why, cap, "label %s is out of range (at most 2^53 in magnitude)", shown);
    else if (is_label && v != floor(v)) snprintf(why, cap, "label %s is not an integer", shown);
    else if (!is_label && (kind == CELL_RANGE || !isfinite((float)v)))
        snprintf(why, cap, "%s is out of float range", shown);
    else return 0;
    return 1;
}

// --- Parsing -----------------------------------------------------------------

typedef struct {
    size_t cols, rows;
    int header;          // the first non-blank line is a header
    int names;           // the labels are names (the first data row's is no number)
    long first_line;     // the first data row's line
    char first_label[32]; // its label, as messages show it
} csv_shape;

// The delimiter a line of one column is more likely separated by: the most
// frequent outside quotes of ; , tab | : and space (but delim, and blanks
// when delim is whitespace), or 0 when none occurs.
static char likely_delimiter(const char *b, const char *e, char delim) {
    static const char marks[] = {';', ',', '\t', '|', ':', ' '};
    size_t count[sizeof marks] = {0};
    int in = 0;
    for (const char *p = b; p < e; p++) {
        if (*p == '"') in = !in;
        for (size_t k = 0; !in && k < sizeof marks; k++) count[k] += *p == marks[k];
    }
    char best = 0;
    size_t most = 0;
    for (size_t k = 0; k < sizeof marks; k++) {
        char m = marks[k] == ' ' ? DELIM_WS : marks[k];
        if (m == delim || (delim == DELIM_WS && (m == '\t' || m == DELIM_WS))) continue;
        if (count[k] > most) {
            most = count[k];
            best = m;
        }
    }
    return best;
}

// "line 1 has 1 column", what it was read with and, when the line holds a
// likelier delimiter, the flag to try.
static int one_column(const char *what, long lineno, const char *b, const char *e, char delim,
                      int detected, ts_error *err) {
    char read_with[64], nb[8], hint[96];
    if (detected) snprintf(read_with, sizeof read_with, "none of ; , tab or space splits it");
    else if (delim == '\t' || delim == DELIM_WS)
        snprintf(read_with, sizeof read_with, "split by %s", data_delimiter_name(delim, nb));
    else snprintf(read_with, sizeof read_with, "split by '%c'", delim);
    char d = likely_delimiter(b, e, delim);
    if (!d) {
        return ts_fail(err, "%s: line %ld has 1 column (%s); need at least one feature and a "
                       "label", what, lineno, read_with);
    }
    const char *name = data_delimiter_name(d, nb);
    if (d == '\t' || d == DELIM_WS) snprintf(hint, sizeof hint, "%s? try --delimiter %s", name, name);
    else snprintf(hint, sizeof hint, "'%s'? try --delimiter '%s'", name, name);
    return ts_fail(err, "%s: line %ld has 1 column (%s); is it separated by %s", what, lineno,
                   read_with, hint);
}

static int quote_problem(const char *what, long lineno, int bad, size_t col, ts_error *err) {
    if (bad == CELL_UNCLOSED)
        return ts_fail(err, "%s: line %ld, column %zu: a quote not closed on its line (a "
                       "newline inside quotes is not supported)", what, lineno, col + 1);
    return ts_fail(err, "%s: line %ld, column %zu: text after the closing quote", what, lineno,
                   col + 1);
}

// First pass: the number of columns and data rows, the header, and whether
// the labels are names. label_col: -1 (the last) or a column.
static int csv_shape_of(const char *what, const char *text, const char *end, char delim,
                        int detected, int label_col, csv_shape *sh, ts_error *err) {
    memset(sh, 0, sizeof *sh);
    const char *at = text, *b, *e;
    long lineno = 0;
    size_t lab = 0;
    while (next_line(&at, end, &b, &e)) {
        lineno++;
        if (line_is_blank(b, e)) continue;
        int bad = 0;
        size_t bad_col = 0;
        long cells = count_cells(b, e, delim, &bad, &bad_col);
        if (cells < 0) return quote_problem(what, lineno, bad, bad_col, err);
        if (sh->cols == 0) {
            if (cells == 1) return one_column(what, lineno, b, e, delim, detected, err);
            sh->cols = (size_t)cells;
            if (label_col >= 0 && (size_t)label_col >= sh->cols)
                return ts_fail(err, "--label-col %d: %s has only %zu columns", label_col, what,
                               sh->cols);
            lab = label_col < 0 ? sh->cols - 1 : (size_t)label_col;
            // A header is a line without a single number; a data row's
            // features are all numbers (its label may be a name).
            line_cursor lc = {b, e, delim};
            const char *cb, *ce;
            size_t numbers = 0, features = 0, col = 0, bad_at = 0;
            const char *bb = NULL, *be = NULL;   // the first feature that is no number
            int q;
            double v;
            for (; next_cell(&lc, &cb, &ce, &q) > 0; col++) {
                int number = parse_number(cb, ce, &v) != CELL_TEXT;
                numbers += number;
                features += number && col != lab;
                if (!number && col != lab && !bb) {
                    bb = cb;
                    be = ce;
                    bad_at = col;
                }
            }
            if (numbers == 0) {
                sh->header = 1;
                continue;
            }
            if (features != sh->cols - 1) {
                char why[160];
                cell_problem(bb, be, CELL_TEXT, 0.0, 0, delim, why, sizeof why);
                return ts_fail(err, "%s: line %ld: mixes numbers and other cells (a header "
                               "holds no number, a data row's features only numbers); column "
                               "%zu: %s", what, lineno, bad_at + 1, why);
            }
        } else if ((size_t)cells != sh->cols) {
            return ts_fail(err, "%s: line %ld: %ld columns, expected %zu", what, lineno,
                           cells, sh->cols);
        }
        if (sh->rows == 0) {
            // The first data row's label says what the labels are.
            line_cursor lc = {b, e, delim};
            const char *cb = b, *ce = b;
            int q;
            double v;
            for (size_t col = 0; col <= lab && next_cell(&lc, &cb, &ce, &q) > 0;) col++;
            sh->names = cb < ce && parse_number(cb, ce, &v) == CELL_TEXT;
            sh->first_line = lineno;
            show_cell(cb, ce, sh->first_label, sizeof sh->first_label);
        }
        sh->rows++;
    }
    if (sh->cols == 0) return ts_fail(err, "%s: empty file (no lines)", what);
    if (sh->rows == 0) return ts_fail(err, "%s: no data rows (only a header)", what);
    return 0;
}

// A label cell as a name: [b, e) unquoted ("" as ") into name (at most
// TS_LABEL_NAME_MAX bytes and a NUL); *len its bytes. Returns 0, or 1 with
// what is wrong in why.
static int label_name(const char *b, const char *e, int quoted, char *name, size_t *len,
                      char *why, size_t cap) {
    size_t n = 0;
    for (const char *p = b; p < e; p++) {
        if (quoted && *p == '"') p++;   // the first of a doubled quote
        if (n == TS_LABEL_NAME_MAX) {
            snprintf(why, cap, "a label of more than %d bytes is too long for a class name",
                     TS_LABEL_NAME_MAX);
            return 1;
        }
        name[n++] = *p;
    }
    name[n] = '\0';
    *len = n;
    char problem[96];
    if (data_name_problem(name, n, problem, sizeof problem)) {
        char shown[32];
        show_cell(b, e, shown, sizeof shown);
        snprintf(why, cap, "label \"%s\": %s", shown, problem);
        return 1;
    }
    return 0;
}

// Second pass: every data cell into ds->f32 (features) and raw (labels: the
// values, or the ids in map of the names, in the order first seen).
static int csv_fill(const char *what, const char *text, const char *end, char delim,
                    const csv_shape *sh, size_t label_col, ts_dataset *ds, int64_t *raw,
                    ts_labelmap *map, ts_error *err) {
    const char *at = text, *b, *e;
    long lineno = 0;
    int header = sh->header;
    size_t row = 0, D = sh->cols - 1;
    while (next_line(&at, end, &b, &e)) {
        lineno++;
        if (line_is_blank(b, e)) continue;
        if (header) {
            header = 0;
            continue;
        }
        float *x = ds->f32 + row * D;
        line_cursor lc = {b, e, delim};
        const char *cb, *ce;
        size_t col = 0, j = 0;
        int quoted, r;
        while ((r = next_cell(&lc, &cb, &ce, &quoted)) > 0) {
            double v;
            cell_kind kind = parse_number(cb, ce, &v);
            char why[160];
            if (col == label_col && (sh->names || (kind == CELL_TEXT && cb < ce))) {
                // A name, or a column of integers and names.
                char name[TS_LABEL_NAME_MAX + 1], shown[32];
                size_t len;
                show_cell(cb, ce, shown, sizeof shown);
                if (!sh->names)
                    return ts_fail(err, "%s: line %ld, column %zu: label \"%s\" is a name, but "
                                   "line %ld's label %s is a number (a label column holds "
                                   "integers or names, not both)", what, lineno, col + 1,
                                   shown, sh->first_line, sh->first_label);
                if (kind != CELL_TEXT)
                    return ts_fail(err, "%s: line %ld, column %zu: label %s is a number, but "
                                   "line %ld's label \"%s\" is a name (a label column holds "
                                   "integers or names, not both)", what, lineno, col + 1,
                                   shown, sh->first_line, sh->first_label);
                if (cb == ce)
                    return ts_fail(err, "%s: line %ld, column %zu: empty label", what, lineno,
                                   col + 1);
                if (label_name(cb, ce, quoted, name, &len, why, sizeof why))
                    return ts_fail(err, "%s: line %ld, column %zu: %s", what, lineno, col + 1,
                                   why);
                ts_error map_err;
                int id = labelmap_id_text(map, name, len, &map_err);
                if (id < 0) return ts_fail(err, "%s: out of memory", what);
                if (map->count > TS_MAX_CLASSES)
                    return ts_fail(err, "%s: line %ld: label \"%s\" is the %dth distinct one, "
                                   "more than %d classes", what, lineno, shown, map->count,
                                   TS_MAX_CLASSES);
                raw[row] = id;
                col++;
                continue;
            }
            // The common case first: a finite number, checked without a call.
            if ((kind != CELL_NUMBER || col == label_col || !isfinite((float)v)) &&
                cell_problem(cb, ce, kind, v, col == label_col, delim, why, sizeof why))
                return ts_fail(err, "%s: line %ld, column %zu: %s", what, lineno, col + 1, why);
            if (col == label_col) raw[row] = (int64_t)v;
            else x[j++] = (float)v;
            col++;
        }
        if (r < 0) return quote_problem(what, lineno, r, col, err);   // the first pass saw it
        row++;
    }
    return 0;
}

// What a class name may cost beyond the budget's 40 bytes (loader.h,
// data_budget_need) when the labels are names of up to TS_LABEL_NAME_MAX
// bytes: the label map's copy and arrays while the rows are read, the
// sorted copy, and in the split three copies (the set and both halves).
#define NAME_EXTRA_BYTES 176

int data_parse_csv_with(const char *what, const char *text, size_t len, int label_col,
                        char delimiter, const data_budget *b, ts_dataset *ds,
                        ts_csv_info *info, ts_error *err) {
    memset(ds, 0, sizeof *ds);
    if (info) memset(info, 0, sizeof *info);
    if (label_col < -1)
        return ts_fail(err, "--label-col %d: must be -1 (the last column) or a column index",
                       label_col);
    const size_t held = len + 1;   // the text stays while the arrays are filled
    // A UTF-8 byte order mark (spreadsheets write one) is no part of the
    // first cell.
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
        text += 3;
        len -= 3;
    }
    const char *end = text + len;
    char delim = delimiter ? delimiter : detect_delimiter(text, end, NULL);
    // Numbers in files use '.', whatever locale the interface set.
    locale_t c_locale = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
    locale_t old = c_locale ? uselocale(c_locale) : (locale_t)0;
    csv_shape sh;
    int64_t *raw = NULL;
    ts_labelmap map;
    labelmap_init(&map);
    int rc = csv_shape_of(what, text, end, delim, delimiter == 0, label_col, &sh, err);
    if (rc == 0)
        rc = data_check_size(what, sh.rows, sh.cols - 1, 1, sizeof(float), -1, b, err);
    if (rc == 0 && b) {
        data_budget named = *b;
        if (sh.names) {
            uint64_t classes = sh.rows < TS_MAX_CLASSES ? sh.rows : TS_MAX_CLASSES;
            named.held += classes * NAME_EXTRA_BYTES;
        }
        uint64_t values = (uint64_t)sh.rows * (sh.cols - 1);
        rc = data_budget_check(&named, what, data_budget_need(&named, held, sh.rows, values,
                                                              sh.cols - 1, sizeof(float)),
                               0, err);
    }
    if (rc == 0 && (data_alloc(ds, (int)sh.rows, (int)sh.cols - 1, 0) < 0 ||
                    !(raw = malloc(sh.rows * sizeof *raw))))
        rc = ts_fail(err, "%s: out of memory", what);
    if (rc == 0) {
        size_t lc = label_col < 0 ? sh.cols - 1 : (size_t)label_col;
        rc = csv_fill(what, text, end, delim, &sh, lc, ds, raw, &map, err);
    }
    if (rc == 0)
        rc = sh.names ? data_remap_names(ds, raw, &map, what, err)
                      : data_remap_labels(ds, raw, what, err);
    if (c_locale) {
        uselocale(old);
        freelocale(c_locale);
    }
    labelmap_free(&map);
    free(raw);
    if (rc < 0) data_free(ds);
    else if (info) {
        info->delimiter = delim;
        info->label_names = sh.names;
    }
    return rc;
}

int data_parse_csv(const char *what, const char *text, size_t len, int label_col,
                   const data_budget *b, ts_dataset *ds, ts_error *err) {
    return data_parse_csv_with(what, text, len, label_col, ',', b, ds, NULL, err);
}

// --- The loader --------------------------------------------------------------

int data_load_csv_with(const char *path, int label_col, char delimiter, uint64_t max_bytes,
                       ts_dataset *ds, ts_csv_info *info, ts_error *err) {
    memset(ds, 0, sizeof *ds);
    if (info) memset(info, 0, sizeof *info);
    data_budget b = data_budget_make(max_bytes, 1);
    char *text = NULL;
    size_t len = 0;
    if (read_text(path, &b, delimiter, &text, &len, err) < 0) return data_err_oneline(err);
    int rc = data_parse_csv_with(path, text, len, label_col, delimiter, &b, ds, info, err);
    free(text);
    return rc < 0 ? data_err_oneline(err) : 0;
}

int data_load_csv(const char *path, int label_col, uint64_t max_bytes, ts_dataset *ds,
                  ts_error *err) {
    return data_load_csv_with(path, label_col, 0, max_bytes, ds, NULL, err);
}
