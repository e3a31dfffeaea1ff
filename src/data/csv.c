// csv.c: numbers in comma-separated text, and opening data files.
//
// The whole file is read into memory (through zlib, so a .csv.gz works too),
// counting commas and lines as it arrives so that a text whose arrays would
// pass the memory budget is refused while it decompresses; then it is parsed
// in two passes: the first checks the shape (columns a line, the header)
// without converting a number, the second converts into arrays allocated
// once at the right size. A leading UTF-8 byte order mark is skipped.
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

// --- Reading the text within the budget ------------------------------------------

// What the text read so far will need once parsed, counted as it arrives:
// a data row of D features has D commas, so the commas are the feature
// values, and the lines with something on them the samples (a header and
// lines of blanks make it a few bytes high at most).
typedef struct {
    uint64_t commas, lines;
    char last;      // the last byte counted ('\n' before the first)
} text_count;

static void count_text(text_count *c, const char *p, size_t n) {
    if (n == 0) return;
    uint64_t commas = p[0] == ',', lines = p[0] == '\n' && c->last != '\n';
    // Branch-free so that the compiler vectorises it: this sees every byte.
    for (size_t i = 1; i < n; i++) {
        commas += p[i] == ',';
        lines += (p[i] == '\n') & (p[i - 1] != '\n');
    }
    c->commas += commas;
    c->lines += lines;
    c->last = p[n - 1];
}

// What the load will hold once this text (text bytes) is parsed.
static uint64_t text_need(const data_budget *b, uint64_t text, const text_count *c) {
    uint64_t rows = c->lines + (c->last != '\n');  // an unterminated last line too
    uint64_t d = rows ? c->commas / rows : 0;
    return data_budget_need(b, text, rows, c->commas, d, sizeof(float));
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
static int read_text(const char *path, const data_budget *b, char **out, size_t *out_len,
                     ts_error *err) {
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
    text_count tc = {0, 0, '\n'};
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

// --- Cells -------------------------------------------------------------------

typedef struct {
    const char *p, *end; // the line still to read, without its newline
} line_cursor;

static int is_blank(int c) { return c == ' ' || c == '\t' || c == '\r'; }

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

// The next cell of a line: [*cb, *ce) trimmed. Returns 0 when the line is
// used up (a line of k commas has k + 1 cells).
static int next_cell(line_cursor *lc, const char **cb, const char **ce) {
    if (!lc->p) return 0;
    const char *comma = memchr(lc->p, ',', (size_t)(lc->end - lc->p));
    const char *b = lc->p, *e = comma ? comma : lc->end;
    lc->p = comma ? comma + 1 : NULL;
    while (b < e && is_blank((unsigned char)*b)) b++;
    while (e > b && is_blank((unsigned char)e[-1])) e--;
    *cb = b;
    *ce = e;
    return 1;
}

static size_t count_cells(const char *b, const char *e) {
    size_t n = 1;
    for (const char *p = b; (p = memchr(p, ',', (size_t)(e - p))) != NULL; p++) n++;
    return n;
}

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
// letter of a number's (a comma, blank, newline or the final '\0'), so
// strtod stops at e at the latest.
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

// Writes into why (cap bytes) what is wrong with the cell [b, e) of this
// kind and value as a label or a feature; returns 0 when nothing is.
static int cell_problem(const char *b, const char *e, cell_kind kind, double v, int is_label,
                        char *why, size_t cap) {
    if (kind == CELL_NUMBER && is_label && fabs(v) <= 9007199254740992.0 && v == floor(v))
        return 0;   // every row's label: no formatting unless it is wrong
    char shown[32];
    show_cell(b, e, shown, sizeof shown);
    if (kind == CELL_TEXT && b == e) snprintf(why, cap, "empty cell, not a number");
    else if (kind == CELL_TEXT) snprintf(why, cap, "\"%s\" is not a number", shown);
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
    int header;     // the first non-blank line is a header
} csv_shape;

// First pass: the number of columns and data rows, the header.
static int csv_shape_of(const char *what, const char *text, const char *end,
                        csv_shape *sh, ts_error *err) {
    memset(sh, 0, sizeof *sh);
    const char *at = text, *b, *e;
    long lineno = 0;
    while (next_line(&at, end, &b, &e)) {
        lineno++;
        if (line_is_blank(b, e)) continue;
        size_t cells = count_cells(b, e);
        if (sh->cols == 0) {
            sh->cols = cells;
            // A header is a line without a single number.
            line_cursor lc = {b, e};
            const char *cb, *ce;
            size_t numbers = 0;
            double v;
            while (next_cell(&lc, &cb, &ce)) numbers += parse_number(cb, ce, &v) != CELL_TEXT;
            if (numbers == 0) {
                sh->header = 1;
                continue;
            }
            if (numbers != cells)
                return ts_fail(err, "%s: line %ld: mixes numbers and other cells (a header "
                               "must hold no number, a data row only numbers)", what, lineno);
        } else if (cells != sh->cols) {
            return ts_fail(err, "%s: line %ld: %zu columns, expected %zu", what, lineno,
                           cells, sh->cols);
        }
        sh->rows++;
    }
    if (sh->cols == 0) return ts_fail(err, "%s: empty file (no lines)", what);
    if (sh->rows == 0) return ts_fail(err, "%s: no data rows (only a header)", what);
    if (sh->cols < 2)
        return ts_fail(err, "%s: 1 column; need at least one feature and a label", what);
    return 0;
}

// Second pass: every data cell into ds->f32 (features) and raw (labels).
static int csv_fill(const char *what, const char *text, const char *end, const csv_shape *sh,
                    size_t label_col, ts_dataset *ds, int64_t *raw, ts_error *err) {
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
        line_cursor lc = {b, e};
        const char *cb, *ce;
        size_t col = 0, j = 0;
        while (next_cell(&lc, &cb, &ce)) {
            double v;
            cell_kind kind = parse_number(cb, ce, &v);
            char why[128];
            // The common case first: a finite number, checked without a call.
            if ((kind != CELL_NUMBER || col == label_col || !isfinite((float)v)) &&
                cell_problem(cb, ce, kind, v, col == label_col, why, sizeof why))
                return ts_fail(err, "%s: line %ld, column %zu: %s", what, lineno, col + 1, why);
            if (col == label_col) raw[row] = (int64_t)v;
            else x[j++] = (float)v;
            col++;
        }
        row++;
    }
    return 0;
}

int data_parse_csv(const char *what, const char *text, size_t len, int label_col,
                   const data_budget *b, ts_dataset *ds, ts_error *err) {
    memset(ds, 0, sizeof *ds);
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
    // Numbers in files use '.', whatever locale the interface set.
    locale_t c_locale = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
    locale_t old = c_locale ? uselocale(c_locale) : (locale_t)0;
    const char *end = text + len;
    csv_shape sh;
    int64_t *raw = NULL;
    int rc = csv_shape_of(what, text, end, &sh, err);
    if (rc == 0 && label_col >= 0 && (size_t)label_col >= sh.cols)
        rc = ts_fail(err, "--label-col %d: %s has only %zu columns", label_col, what, sh.cols);
    if (rc == 0)
        rc = data_check_size(what, sh.rows, sh.cols - 1, 1, sizeof(float), -1, b, err);
    if (rc == 0 && b) {
        uint64_t values = (uint64_t)sh.rows * (sh.cols - 1);
        rc = data_budget_check(b, what, data_budget_need(b, held, sh.rows, values, sh.cols - 1,
                                                         sizeof(float)), 0, err);
    }
    if (rc == 0 && (data_alloc(ds, (int)sh.rows, (int)sh.cols - 1, 0) < 0 ||
                    !(raw = malloc(sh.rows * sizeof *raw))))
        rc = ts_fail(err, "%s: out of memory", what);
    if (rc == 0) {
        size_t lc = label_col < 0 ? sh.cols - 1 : (size_t)label_col;
        rc = csv_fill(what, text, end, &sh, lc, ds, raw, err);
    }
    if (rc == 0) rc = data_remap_labels(ds, raw, what, err);
    if (c_locale) {
        uselocale(old);
        freelocale(c_locale);
    }
    free(raw);
    if (rc < 0) data_free(ds);
    return rc;
}

// --- The loader --------------------------------------------------------------

int data_load_csv(const char *path, int label_col, uint64_t max_bytes, ts_dataset *ds,
                  ts_error *err) {
    memset(ds, 0, sizeof *ds);
    data_budget b = data_budget_make(max_bytes, 1);
    char *text = NULL;
    size_t len = 0;
    if (read_text(path, &b, &text, &len, err) < 0) return data_err_oneline(err);
    int rc = data_parse_csv(path, text, len, label_col, &b, ds, err);
    free(text);
    return rc < 0 ? data_err_oneline(err) : 0;
}
