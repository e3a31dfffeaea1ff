// csv.c: numbers in comma-separated text, and opening data files.
//
// The whole file is read into memory (through zlib, so a .csv.gz works too),
// then parsed in two passes: the first checks the shape (columns a line, the
// header) without converting a number, the second converts into arrays
// allocated once at the right size.
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

int data_open(const char *path, int64_t *size, ts_error *err) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return ts_fail(err, "%s: cannot open: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) < 0) {
        int e = errno;
        close(fd);
        return ts_fail(err, "%s: cannot read: %s", path, strerror(e));
    }
    // Only regular files: a directory cannot be read, and a device or pipe
    // could feed us without end.
    const char *bad = S_ISDIR(st.st_mode) ? "is a directory, not a data file"
                    : !S_ISREG(st.st_mode) ? "not a regular file"
                    : st.st_size == 0 ? "empty file" : NULL;
    if (bad) {
        close(fd);
        return ts_fail(err, "%s: %s", path, bad);
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

// Reads all of a (possibly gzip) file into *out, NUL-terminated.
static int read_text(const char *path, char **out, size_t *out_len, ts_error *err) {
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
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    uint64_t limit = pages > 0 && page > 0 ? (uint64_t)pages * (uint64_t)page : UINT64_MAX;
    if ((uint64_t)fsize > limit || (uint64_t)fsize >= SIZE_MAX / 2) {
        gzclose(gz);
        return ts_fail(err, "%s: larger than this machine's memory", path);
    }
    // A plain file's size is known; compressed text grows as it comes.
    size_t cap = gzdirect(gz) ? (size_t)fsize + 1 : (size_t)fsize * 4 + 4096;
    size_t len = 0;
    char *buf = malloc(cap);
    if (!buf) {
        gzclose(gz);
        return ts_fail(err, "%s: out of memory", path);
    }
    for (;;) {
        if (cap - len < 2) {
            if (cap > limit / 2 || cap > SIZE_MAX / 4) {
                free(buf);
                gzclose(gz);
                return ts_fail(err, "%s: decompressed text larger than this machine's memory", path);
            }
            char *grown = realloc(buf, cap * 2);
            if (!grown) {
                free(buf);
                gzclose(gz);
                return ts_fail(err, "%s: out of memory", path);
            }
            buf = grown;
            cap *= 2;
        }
        size_t want = cap - 1 - len;
        if (want > (1u << 30)) want = 1u << 30;
        int got = gzread(gz, buf + len, (unsigned)want);
        if (got < 0) {
            gz_fail(gz, path, err);
            free(buf);
            gzclose(gz);
            return -1;
        }
        if (got == 0) break;
        len += (size_t)got;
    }
    int e;
    gzerror(gz, &e);
    if (e != Z_OK && e != Z_STREAM_END) {
        gz_fail(gz, path, err);
        free(buf);
        gzclose(gz);
        return -1;
    }
    gzclose(gz);
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

// Parses [b, e) as a whole number; the text after e is not a digit, dot or
// letter of a number's (a comma, newline or the final '\0'), so strtod stops
// at e at the latest. Returns 0 when the cell is not a number.
static int parse_number(const char *b, const char *e, double *v) {
    if (b == e) return 0;
    char *stop;
    *v = strtod(b, &stop);
    return stop == e;
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
            while (next_cell(&lc, &cb, &ce)) numbers += parse_number(cb, ce, &v);
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
            char shown[32];
            if (!parse_number(cb, ce, &v)) {
                show_cell(cb, ce, shown, sizeof shown);
                if (cb == ce)
                    return ts_fail(err, "%s: line %ld, column %zu: empty cell, not a number",
                                   what, lineno, col + 1);
                return ts_fail(err, "%s: line %ld, column %zu: \"%s\" is not a number",
                               what, lineno, col + 1, shown);
            }
            if (!isfinite(v)) {
                show_cell(cb, ce, shown, sizeof shown);
                return ts_fail(err, "%s: line %ld, column %zu: %s: NaN or Inf is not allowed",
                               what, lineno, col + 1, shown);
            }
            if (col == label_col) {
                // Integers up to 2^53 are exact in a double.
                if (v != floor(v) || fabs(v) > 9007199254740992.0) {
                    show_cell(cb, ce, shown, sizeof shown);
                    return ts_fail(err, "%s: line %ld, column %zu: label %s is not an integer",
                                   what, lineno, col + 1, shown);
                }
                raw[row] = (int64_t)v;
            } else {
                if (!isfinite((float)v)) {
                    show_cell(cb, ce, shown, sizeof shown);
                    return ts_fail(err, "%s: line %ld, column %zu: %s is out of float range",
                                   what, lineno, col + 1, shown);
                }
                x[j++] = (float)v;
            }
            col++;
        }
        row++;
    }
    return 0;
}

int data_parse_csv(const char *what, const char *text, size_t len, int label_col,
                   ts_dataset *ds, ts_error *err) {
    memset(ds, 0, sizeof *ds);
    if (label_col < -1)
        return ts_fail(err, "--label-col %d: must be -1 (the last column) or a column index",
                       label_col);
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
        rc = data_check_size(what, sh.rows, sh.cols - 1, 1, sizeof(float), -1, err);
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

int data_load_csv(const char *path, int label_col, ts_dataset *ds, ts_error *err) {
    memset(ds, 0, sizeof *ds);
    char *text = NULL;
    size_t len = 0;
    if (read_text(path, &text, &len, err) < 0) return data_err_oneline(err);
    int rc = data_parse_csv(path, text, len, label_col, ds, err);
    free(text);
    return rc < 0 ? data_err_oneline(err) : 0;
}
