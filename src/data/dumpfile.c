// dumpfile.c: one dump of a user's run (docs/dump-format.md): its embeddings
// (.npy of float16/32/64, or TensorBoard's tensors.tsv), its labels (.npy of
// integers, or a metadata.tsv), its sample ids, and scalars.jsonl's lines.
//
// The .npy header is npy.c's (loader.h); the values are converted here, in
// chunks, into arrays allocated once, after the header's claims were checked
// against the file's size, DUMPFILE_MAX_D, int and the budget. Text files are
// read in two streaming passes (the shape, then the numbers) so that nothing
// but the result is held: a tensors.tsv is several times its floats' size.
#include <errno.h>
#include <limits.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "loader.h"
#include "tripletscope/dumpfile.h"
#include "tripletscope/jsonread.h"

// The longest number in a .tsv: Python's repr of a double is at most 24
// characters; padding and long mantissas fit, a megabyte of digits does not.
#define FIELD_MAX 256
// A metadata.tsv's header line, its names included.
#define HEADER_MAX (1u << 20)

const char *dumpfile_dtype_name(dumpfile_dtype t) {
    switch (t) {
    case DUMPFILE_F16: return "float16";
    case DUMPFILE_F32: return "float32";
    case DUMPFILE_F64: return "float64";
    case DUMPFILE_TSV: return "tsv";
    }
    return "?";
}

// --- Bytes and values ----------------------------------------------------------

static int host_little(void) {
    const uint32_t one = 1;
    return *(const unsigned char *)&one == 1;
}

// The size-byte unsigned value at p, big-endian when big.
static uint64_t get_uint(const unsigned char *p, int size, int big) {
    uint64_t v = 0;
    if (big)
        for (int k = 0; k < size; k++) v = (v << 8) | p[k];
    else
        for (int k = size - 1; k >= 0; k--) v = (v << 8) | p[k];
    return v;
}

// IEEE half to float, exactly (every half is a float): subnormals scaled by
// 2^-24, Inf kept, NaN kept with its payload.
static float half_to_float(uint16_t h) {
    uint32_t sign = (uint32_t)(h & 0x8000u) << 16, exp = (h >> 10) & 0x1fu, man = h & 0x3ffu;
    uint32_t bits;
    if (exp == 0x1f) {
        bits = sign | 0x7f800000u | (man << 13);
    } else if (exp != 0) {
        bits = sign | ((exp + 112) << 23) | (man << 13);   // 127 - 15 = 112
    } else if (man == 0) {
        bits = sign;
    } else {
        float f = ldexpf((float)man, -24);   // exact: man < 2^10
        memcpy(&bits, &f, sizeof bits);
        bits |= sign;
    }
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

// Whether a header's byte order is big-endian ('>', or '=' on a big host).
static int order_big(char order) { return order == '>' || (order == '=' && !host_little()); }

// --- The size checks of a .npy ---------------------------------------------------

// The header's data bytes against the file: neither short (truncated) nor
// long (a header that does not describe its data).
static int check_avail(const char *path, const data_npy_header *hd, uint64_t need,
                       const char *shape, ts_error *err) {
    if (hd->avail >= 0 && need > (uint64_t)hd->avail)
        return ts_fail(err, "%s: truncated: the header's shape %s of '%s' needs %llu bytes "
                       "but only %lld follow", path, shape, hd->descr,
                       (unsigned long long)need, (long long)hd->avail);
    if (hd->avail >= 0 && need < (uint64_t)hd->avail)
        return ts_fail(err, "%s: %llu bytes past the data of the header's shape %s (the "
                       "header does not match the file)", path,
                       (unsigned long long)((uint64_t)hd->avail - need), shape);
    return 0;
}

// --- Matrices: .npy ----------------------------------------------------------------

// Reads the N x D values of f (hd's dtype) into x, converting by chunks.
static int read_npy_values(const char *path, FILE *f, const data_npy_header *hd, float *x,
                           size_t total, ts_error *err) {
    int big = order_big(hd->order), size = hd->size;
    if (size == 4 && big == !host_little()) {
        // float32 in this machine's order: straight into x.
        if (fread(x, sizeof(float), total, f) != total)
            return ts_fail(err, "%s: truncated: the data ends early", path);
        return 0;
    }
    enum { CHUNK = 4096 };
    unsigned char buf[CHUNK * 8];
    for (size_t done = 0; done < total;) {
        size_t n = total - done < CHUNK ? total - done : CHUNK;
        if (fread(buf, (size_t)size, n, f) != n)
            return ts_fail(err, "%s: truncated: the data ends early", path);
        for (size_t k = 0; k < n; k++) {
            uint64_t bits = get_uint(buf + k * (size_t)size, size, big);
            if (size == 2) {
                x[done + k] = half_to_float((uint16_t)bits);
            } else if (size == 4) {
                uint32_t b32 = (uint32_t)bits;
                memcpy(&x[done + k], &b32, sizeof b32);
            } else {
                double v;
                memcpy(&v, &bits, sizeof v);
                x[done + k] = (float)v;   // past float's range: Inf (evidence)
            }
        }
        done += n;
    }
    return 0;
}

static int read_matrix_npy(const char *path, uint64_t max_bytes, float **x, int *N, int *D,
                           dumpfile_dtype *dtype, ts_error *err) {
    data_npy_header hd;
    FILE *f = data_npy_open(path, &hd, err);
    if (!f) return -1;
    char shape[128];
    data_npy_shape_text(&hd, shape, sizeof shape);
    int ok_order = hd.order == '<' || hd.order == '>' || hd.order == '=';
    int rc = 0;
    uint64_t n = hd.ndim == 2 ? hd.shape[0] : 0, d = hd.ndim == 2 ? hd.shape[1] : 0;
    if (hd.fortran)
        rc = ts_fail(err, "%s: Fortran-order array; save it in C order "
                     "(numpy.ascontiguousarray)", path);
    else if (!(hd.kind == 'f' && ok_order && (hd.size == 2 || hd.size == 4 || hd.size == 8)))
        rc = ts_fail(err, "%s: unsupported dtype '%s' for embeddings (expected float16, "
                     "float32 or float64: '<f2', '<f4', '<f8', or '>' for big-endian)",
                     path, hd.descr);
    else if (hd.ndim != 2)
        rc = ts_fail(err, "%s: %d-D array of shape %s; embeddings must be 2-D (points, "
                     "dimensions)", path, hd.ndim, shape);
    else if (n == 0 || d == 0)
        rc = ts_fail(err, "%s: empty matrix of shape %s (no rows or no columns)", path, shape);
    else if (d > DUMPFILE_MAX_D)
        rc = ts_fail(err, "%s: %llu dimensions, more than %d", path, (unsigned long long)d,
                     DUMPFILE_MAX_D);
    else if (n > (uint64_t)INT_MAX / d)   // d <= 65536: no overflow below
        rc = ts_fail(err, "%s: %llu x %llu values is too many (at most %d)", path,
                     (unsigned long long)n, (unsigned long long)d, INT_MAX);
    else if (check_avail(path, &hd, n * d * (uint64_t)hd.size, shape, err) < 0)
        rc = -1;
    if (rc == 0) {
        data_budget b = data_budget_make(max_bytes, 0);
        rc = data_budget_check(&b, path, n * d * sizeof(float), 0, err);
    }
    float *out = NULL;
    if (rc == 0 && !(out = malloc((size_t)(n * d) * sizeof *out)))
        rc = ts_fail(err, "%s: out of memory", path);
    if (rc == 0) rc = read_npy_values(path, f, &hd, out, (size_t)(n * d), err);
    fclose(f);
    if (rc < 0) {
        free(out);
        return -1;
    }
    *x = out;
    *N = (int)n;
    *D = (int)d;
    *dtype = hd.size == 2 ? DUMPFILE_F16 : hd.size == 4 ? DUMPFILE_F32 : DUMPFILE_F64;
    return 0;
}

// --- Matrices: tensors.tsv ---------------------------------------------------------

// A text value shown in a message: at most 24 characters, unprintables as '?'.
static void show_text(const char *s, size_t len, char *out, size_t cap) {
    size_t n = 0, k;
    for (k = 0; k < len && n + 4 < cap && n < 24; k++)
        out[n++] = (s[k] >= 0x20 && s[k] < 0x7f) ? s[k] : '?';
    if (k < len && n + 4 < cap) {
        memcpy(out + n, "...", 3);
        n += 3;
    }
    out[n] = '\0';
}

// Skips a UTF-8 byte order mark at the start of f.
static void skip_bom(FILE *f) {
    unsigned char b[3];
    size_t got = fread(b, 1, 3, f);
    if (!(got == 3 && memcmp(b, "\xEF\xBB\xBF", 3) == 0)) rewind(f);
}

typedef struct {
    const char *path;
    data_budget budget;  // the floats' (N, D)
    size_t rows, cols;   // pass 1 finds them; pass 2 checks them
    float *x;            // pass 2: (rows, cols)
} tsv_matrix;

// One pass over a tensors.tsv: the first (x NULL) counts the rows and the
// values a row, checks them (ragged rows, empty or long values, the limits);
// the second converts every value into t->x.
static int tsv_matrix_pass(FILE *f, tsv_matrix *t, ts_error *err) {
    const int fill = t->x != NULL;
    char field[FIELD_MAX + 1];
    size_t flen = 0, col = 0, row = 0, first_line = 0;
    long line = 1;
    int long_field = 0, content = 0;   // this line has a tab or a non-blank byte
    int c;
    skip_bom(f);
    do {
        c = getc_unlocked(f);
        if (c != '\t' && c != '\n' && c != EOF) {
            if (c == ' ' || c == '\r') {
                // Blanks around a value are trimmed; within one they stay (and fail).
                if (flen && flen < FIELD_MAX) field[flen++] = ' ';
                continue;
            }
            content = 1;
            if (flen < FIELD_MAX) field[flen++] = (char)c;
            else long_field = 1;
            continue;
        }
        if (c == '\t') content = 1;
        if (!content) {   // a blank line (or the end after a last newline)
            line++;
            flen = 0;
            continue;
        }
        // The end of a value.
        while (flen && field[flen - 1] == ' ') flen--;
        if (long_field)
            return ts_fail(err, "%s: line %ld, column %zu: a value of more than %d "
                           "characters", t->path, line, col + 1, FIELD_MAX);
        if (flen == 0)
            return ts_fail(err, "%s: line %ld, column %zu: empty value, not a number",
                           t->path, line, col + 1);
        if (col >= DUMPFILE_MAX_D)
            return ts_fail(err, "%s: line %ld: more than %d values", t->path, line,
                           DUMPFILE_MAX_D);
        if (fill) {
            if (row >= t->rows || col >= t->cols)
                return ts_fail(err, "%s: changed while it was read", t->path);
            field[flen] = '\0';
            char *end;
            float v = strtof(field, &end);
            if (end != field + flen) {
                char shown[32];
                show_text(field, flen, shown, sizeof shown);
                return ts_fail(err, "%s: line %ld, column %zu: \"%s\" is not a number",
                               t->path, line, col + 1, shown);
            }
            t->x[row * t->cols + col] = v;   // out of range: +-Inf, as for float64
        }
        flen = 0;
        col++;
        if (c == '\t') continue;
        // The end of a row.
        if (row == 0 && !fill) {
            t->cols = col;
            first_line = (size_t)line;
        } else if (col != t->cols) {
            if (fill) return ts_fail(err, "%s: changed while it was read", t->path);
            return ts_fail(err, "%s: line %ld: %zu values, expected %zu as on line %zu (a "
                           "ragged row)", t->path, line, col, t->cols, first_line);
        }
        row++;
        if (!fill) {
            if (row > (size_t)INT_MAX / t->cols)
                return ts_fail(err, "%s: more than %d values", t->path, INT_MAX);
            // Refused while it is counted: a huge text is not read to its end.
            uint64_t need = (uint64_t)row * t->cols * sizeof(float);
            if (need > t->budget.max) return data_budget_check(&t->budget, t->path, need, 1, err);
        }
        col = 0;
        content = 0;
        line++;
    } while (c != EOF);
    if (ferror(f)) return ts_fail(err, "%s: cannot read: %s", t->path, strerror(errno));
    if (fill && row != t->rows) return ts_fail(err, "%s: changed while it was read", t->path);
    if (row == 0) return ts_fail(err, "%s: no rows (only blank lines)", t->path);
    t->rows = row;
    return 0;
}

// path as a stream through data_open (a FIFO is refused, never waited on),
// or NULL naming it in err.
static FILE *open_stream(const char *path, ts_error *err) {
    int64_t size;
    int fd = data_open(path, &size, err);
    if (fd < 0) return NULL;
    FILE *f = fdopen(fd, "rb");
    if (!f) {
        close(fd);
        ts_fail(err, "%s: out of memory", path);
    }
    return f;
}

static int read_matrix_tsv(const char *path, uint64_t max_bytes, float **x, int *N, int *D,
                           dumpfile_dtype *dtype, ts_error *err) {
    FILE *f = open_stream(path, err);
    if (!f) return -1;
    // Numbers in files use '.', whatever locale the interface set.
    locale_t c_locale = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
    locale_t old = c_locale ? uselocale(c_locale) : (locale_t)0;
    tsv_matrix t = {path, data_budget_make(max_bytes, 0), 0, 0, NULL};
    int rc = tsv_matrix_pass(f, &t, err);
    if (rc == 0 && !(t.x = malloc(t.rows * t.cols * sizeof *t.x)))
        rc = ts_fail(err, "%s: out of memory", path);
    if (rc == 0) {
        rewind(f);
        rc = tsv_matrix_pass(f, &t, err);
    }
    if (c_locale) {
        uselocale(old);
        freelocale(c_locale);
    }
    fclose(f);
    if (rc < 0) {
        free(t.x);
        return -1;
    }
    *x = t.x;
    *N = (int)t.rows;
    *D = (int)t.cols;
    *dtype = DUMPFILE_TSV;
    return 0;
}

// --- Matrices ------------------------------------------------------------------------

static int ends_with(const char *s, const char *suffix) {
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

// Whether path starts with the .npy magic; -1 naming it when it cannot be
// opened (through data_open: a FIFO is refused here).
static int is_npy(const char *path, ts_error *err) {
    int npy = data_npy_magic(path, err);
    return npy < 0 ? -1 : npy || ends_with(path, ".npy");
}

int dumpfile_read_matrix(const char *path, uint64_t max_bytes, float **x, int *N, int *D,
                         dumpfile_dtype *dtype_out, ts_error *err) {
    *x = NULL;
    *N = *D = 0;
    int npy = is_npy(path, err);
    int rc = npy < 0 ? -1
           : npy ? read_matrix_npy(path, max_bytes, x, N, D, dtype_out, err)
                 : read_matrix_tsv(path, max_bytes, x, N, D, dtype_out, err);
    return rc < 0 ? data_err_oneline(err) : 0;
}

// --- Integers: .npy labels and ids ----------------------------------------------------

// Where the integers go: the label map and y, or ids.
typedef struct {
    ts_labelmap *map;
    int *y;
    int64_t *ids;
} int_sink;

// "for the 8 points of batch-7.npy", or "for 8 points".
static void points_text(int n, const char *features_path, char *out, size_t cap) {
    if (features_path) snprintf(out, cap, "for the %d points of %s", n, features_path);
    else snprintf(out, cap, "for %d points", n);
}

static int read_npy_ints(const char *path, const char *features_path, int expect_N,
                         const char *what, int_sink *s, ts_error *err) {
    data_npy_header hd;
    FILE *f = data_npy_open(path, &hd, err);
    if (!f) return -1;
    char shape[128], pts[600];
    data_npy_shape_text(&hd, shape, sizeof shape);
    int ok_size = hd.size == 1 || hd.size == 2 || hd.size == 4 || hd.size == 8;
    int ok_order = hd.order == '<' || hd.order == '>' || hd.order == '=' ||
                   (hd.order == '|' && hd.size == 1);
    int rc = 0;
    if (hd.fortran && hd.ndim > 1)
        rc = ts_fail(err, "%s: Fortran-order array; save it in C order "
                     "(numpy.ascontiguousarray)", path);
    else if (!((hd.kind == 'i' || hd.kind == 'u') && ok_size && ok_order))
        rc = ts_fail(err, "%s: unsupported dtype '%s' for %s (expected integers: i1, i2, "
                     "i4, i8, u1, u2, u4 or u8)", path, hd.descr, what);
    else if (hd.ndim != 1)
        rc = ts_fail(err, "%s: %d-D array of shape %s; %s must be 1-D (N,)", path, hd.ndim,
                     shape, what);
    else if (hd.shape[0] != (uint64_t)expect_N) {
        points_text(expect_N, features_path, pts, sizeof pts);
        rc = ts_fail(err, "%s: %llu %s %s (count mismatch)", path,
                     (unsigned long long)hd.shape[0], what, pts);
    } else if (check_avail(path, &hd, hd.shape[0] * (uint64_t)hd.size, shape, err) < 0)
        rc = -1;
    int big = order_big(hd.order), size = hd.size;
    unsigned char buf[4096 * 8];
    size_t n = rc == 0 ? (size_t)expect_N : 0, per = sizeof buf / 8;
    for (size_t done = 0; rc == 0 && done < n;) {
        size_t m = n - done < per ? n - done : per;
        if (fread(buf, (size_t)size, m, f) != m) {
            rc = ts_fail(err, "%s: truncated: the data ends early", path);
            break;
        }
        for (size_t k = 0; k < m && rc == 0; k++) {
            uint64_t v = get_uint(buf + k * (size_t)size, size, big);
            if (hd.kind == 'i' && size < 8 && (v >> (8 * size - 1)) & 1)
                v |= ~0ULL << (8 * size);   // sign-extend
            if (hd.kind == 'u' && v > (uint64_t)INT64_MAX) {
                rc = ts_fail(err, "%s: %s value %llu at index %zu is past int64", path, what,
                             (unsigned long long)v, done + k);
                break;
            }
            if (s->ids) {
                s->ids[done + k] = (int64_t)v;
                continue;
            }
            ts_error e;
            int id = labelmap_id_int(s->map, (int64_t)v, &e);
            if (id < 0) rc = ts_fail(err, "%s: at index %zu: %s", path, done + k, e.msg);
            else s->y[done + k] = id;
        }
        done += m;
    }
    fclose(f);
    return rc;
}

int dumpfile_read_ids(const char *path, const char *features_path, int expect_N,
                      int64_t *ids_out, ts_error *err) {
    int_sink s = {NULL, NULL, ids_out};
    if (expect_N < 0) return ts_fail(err, "%s: ids for %d points", path, expect_N);
    return read_npy_ints(path, features_path, expect_N, "ids", &s, err) < 0
               ? data_err_oneline(err) : 0;
}

// --- Labels: metadata.tsv ----------------------------------------------------------

// The header's column names, split in place.
typedef struct {
    char *text;        // the header line, tabs turned into NULs
    char **names;      // (n)
    size_t n;
} tsv_header;

// Reads the first line of f (its '\r\n' or '\n' dropped) into a malloc'd
// string; -1 past HEADER_MAX bytes or out of memory.
static int read_first_line(const char *path, FILE *f, char **out, size_t *len,
                           ts_error *err) {
    size_t cap = 256, n = 0;
    char *s = malloc(cap);
    if (!s) return ts_fail(err, "%s: out of memory", path);
    int c;
    while ((c = getc_unlocked(f)) != EOF && c != '\n') {
        if (n + 2 > cap) {
            if (cap >= HEADER_MAX) {
                free(s);
                return ts_fail(err, "%s: a first line of more than %u bytes", path,
                               HEADER_MAX);
            }
            char *g = realloc(s, cap * 2);
            if (!g) {
                free(s);
                return ts_fail(err, "%s: out of memory", path);
            }
            s = g;
            cap *= 2;
        }
        s[n++] = (char)c;
    }
    if (n && s[n - 1] == '\r') n--;
    s[n] = '\0';
    *out = s;
    *len = n;
    return 0;
}

// The header's names as a list for a message: "a, b, c" (each shown
// safely, the list cut short to fit).
static void names_text(const tsv_header *h, char *out, size_t cap) {
    size_t n = 0;
    out[0] = '\0';
    for (size_t k = 0; k < h->n && n + 40 < cap; k++) {
        char shown[32];
        show_text(h->names[k], strlen(h->names[k]), shown, sizeof shown);
        n += (size_t)snprintf(out + n, cap - n, "%s%s", k ? ", " : "", shown);
    }
    if (h->n && n + 40 >= cap) snprintf(out + n, cap - n, ", ...");
}

// The 0-based column that label_col names (a name first, then a number).
static int choose_column(const char *path, const tsv_header *h, size_t ncols,
                         const char *label_col, size_t *col, ts_error *err) {
    *col = 0;
    if (!label_col) return 0;
    for (size_t k = 0; k < h->n; k++)
        if (strcmp(h->names[k], label_col) == 0) {
            *col = k;
            return 0;
        }
    char shown[32], list[300];
    show_text(label_col, strlen(label_col), shown, sizeof shown);
    size_t len = strlen(label_col), k = 0;
    unsigned long long v = 0;
    while (k < len && k < 12 && label_col[k] >= '0' && label_col[k] <= '9')
        v = v * 10 + (unsigned long long)(label_col[k++] - '0');
    int number = len > 0 && k == len;
    if (number && v < ncols) {
        *col = (size_t)v;
        return 0;
    }
    if (h->n == 0)
        return ts_fail(err, "%s: no label column '%s': one column, no header line (0 is the "
                       "only column)", path, shown);
    names_text(h, list, sizeof list);
    if (number)
        return ts_fail(err, "%s: no column %s: %zu columns (%s)", path, shown, ncols, list);
    return ts_fail(err, "%s: no column named '%s' (the columns: %s)", path, shown, list);
}

// Splits the header line at its tabs.
static int split_header(const char *path, char *text, size_t len, tsv_header *h,
                        ts_error *err) {
    size_t n = 1;
    for (size_t k = 0; k < len; k++) n += text[k] == '\t';
    h->text = text;
    h->n = n;
    if (!(h->names = malloc(n * sizeof *h->names))) return ts_fail(err, "%s: out of memory", path);
    size_t j = 0;
    h->names[j++] = text;
    for (size_t k = 0; k < len; k++)
        if (text[k] == '\t') {
            text[k] = '\0';
            h->names[j++] = text + k + 1;
        }
    return 0;
}

typedef struct {
    const char *path, *features_path;
    int expect_N;
    size_t ncols, col;   // columns a row; the label's
    ts_labelmap *map;
    int *y;
    size_t rows;         // rows read (also past expect_N, to name the count)
} tsv_labels;

// One row's label, [s, s + len), at line `line`.
static int put_label(tsv_labels *t, const char *s, size_t len, long line, ts_error *err) {
    if (t->rows < (size_t)t->expect_N) {
        ts_error e;
        int id = labelmap_id_text(t->map, s, len, &e);
        if (id < 0) return ts_fail(err, "%s: line %ld: %s", t->path, line, e.msg);
        t->y[t->rows] = id;
    }
    t->rows++;
    return 0;
}

// The rows of a metadata.tsv from f's position on (line: the first's
// number). Blank lines at the end are no rows; elsewhere a blank line is an
// empty label (one column) or a ragged row.
static int tsv_label_rows(FILE *f, tsv_labels *t, long line, ts_error *err) {
    char label[DUMPFILE_MAX_LABEL_TEXT + 2];
    size_t len = 0, col = 0, bytes = 0;   // the label's bytes; the line's columns, bytes
    long blank_from = 0, blanks = 0;      // blank lines not yet counted as rows
    int c, full = 0, last = 0;            // the label did not fit; the line's last byte
    do {
        c = getc_unlocked(f);
        if (c != '\t' && c != '\n' && c != EOF) {
            bytes++;
            last = c;
            if (col == t->col) {
                if (len < sizeof label) label[len++] = (char)c;
                else full = 1;
            }
            continue;
        }
        if (c == '\t') {
            bytes++;
            last = c;
            col++;
            continue;
        }
        // The end of a line: its '\r' (of a "\r\n") is no part of it.
        if (last == '\r') {
            bytes--;
            if (col == t->col && !full) len--;
        }
        if (bytes == 0) {   // a blank line (or nothing after the last newline)
            if (c != EOF) {
                if (!blanks) blank_from = line;
                blanks++;
            }
            len = 0;
            last = 0;
            line++;
            continue;
        }
        // A row after blank lines: those were rows too.
        for (; blanks; blanks--, blank_from++) {
            if (t->ncols != 1)
                return ts_fail(err, "%s: line %ld: a blank line among %zu-column rows",
                               t->path, blank_from, t->ncols);
            if (put_label(t, "", 0, blank_from, err) < 0) return -1;
        }
        if (col + 1 != t->ncols)
            return ts_fail(err, "%s: line %ld: %zu columns, expected %zu%s (a ragged row)",
                           t->path, line, col + 1, t->ncols,
                           t->ncols > 1 ? " as the header" : " as line 1");
        if (full || len > DUMPFILE_MAX_LABEL_TEXT)
            return ts_fail(err, "%s: line %ld: a label of more than %d bytes", t->path, line,
                           DUMPFILE_MAX_LABEL_TEXT);
        if (put_label(t, label, len, line, err) < 0) return -1;
        len = col = bytes = 0;
        full = last = 0;
        line++;
    } while (c != EOF);
    if (ferror(f)) return ts_fail(err, "%s: cannot read: %s", t->path, strerror(errno));
    return 0;
}

static int read_labels_tsv(const char *path, const char *features_path, int expect_N,
                           const char *label_col, ts_labelmap *map, int *y, ts_error *err) {
    FILE *f = open_stream(path, err);
    if (!f) return -1;
    skip_bom(f);
    long start = ftell(f);
    tsv_header h = {NULL, NULL, 0};
    char *first = NULL;
    size_t flen = 0;
    int rc = read_first_line(path, f, &first, &flen, err);
    size_t ncols = 1;
    if (rc == 0) {
        for (size_t k = 0; k < flen; k++) ncols += first[k] == '\t';
        // Several columns: the first line names them. One: it is a label.
        if (ncols > 1) rc = split_header(path, first, flen, &h, err);
    }
    tsv_labels t = {path, features_path, expect_N, ncols, 0, map, y, 0};
    if (rc == 0) rc = choose_column(path, &h, ncols, label_col, &t.col, err);
    long line = 2;
    if (rc == 0 && ncols == 1) {
        line = 1;
        if (fseek(f, start, SEEK_SET) != 0) rc = ts_fail(err, "%s: cannot read", path);
    }
    if (rc == 0) rc = tsv_label_rows(f, &t, line, err);
    if (rc == 0 && t.rows != (size_t)expect_N) {
        char pts[600];
        points_text(expect_N, features_path, pts, sizeof pts);
        rc = ts_fail(err, "%s: %zu labels %s (count mismatch)", path, t.rows, pts);
    }
    free(h.names);
    free(first);
    fclose(f);
    return rc;
}

int dumpfile_read_labels(const char *path, const char *features_path, int expect_N,
                         const char *label_col, ts_labelmap *map, int *y_out, ts_error *err) {
    int before = map->count;
    if (expect_N < 0) return ts_fail(err, "%s: labels for %d points", path, expect_N);
    int npy = is_npy(path, err);
    int_sink s = {map, y_out, NULL};
    int rc = npy < 0 ? -1
           : npy ? read_npy_ints(path, features_path, expect_N, "labels", &s, err)
                 : read_labels_tsv(path, features_path, expect_N, label_col, map, y_out, err);
    if (rc < 0) {
        labelmap_truncate(map, before);
        return data_err_oneline(err);
    }
    return 0;
}

// An integral "step" value: a literal within int64 (digits counted, not a
// double's 53 bits), or an integral double up to 2^53.
static int step_value(const char *b, const char *e, double v, int integer, int64_t *step) {
    if (integer && *b != '-') {
        uint64_t u = 0;
        for (const char *p = b; p < e; p++) {
            if (u > ((uint64_t)INT64_MAX - (uint64_t)(*p - '0')) / 10) return 0;
            u = u * 10 + (uint64_t)(*p - '0');
        }
        *step = (int64_t)u;
        return 1;
    }
    if (!(v >= 0 && v <= 9007199254740992.0 && v == floor(v))) return 0;
    *step = (int64_t)v;
    return 1;
}

// --- scalars.jsonl --------------------------------------------------------------------

typedef struct {
    int64_t *step;
    int has_step;
    char (*names)[DUMPFILE_SCALAR_NAME];
    double *values;
    int max, *n;
} scalar_line;

static int scalar_member(void *ctx, const char *name, const json_value *v) {
    scalar_line *s = ctx;
    if (!name || strlen(name) >= DUMPFILE_SCALAR_NAME) return 0;
    if (strcmp(name, "step") == 0) {   // "step": "120" is no step
        s->has_step = v->kind == JSONV_NUMBER &&
                      step_value(v->lit, v->lit_end, v->num, v->integer, s->step);
    } else if (v->kind == JSONV_NUMBER && *s->n < s->max) {
        memcpy(s->names[*s->n], name, strlen(name) + 1);
        s->values[(*s->n)++] = v->num;
    }
    return 0;
}

int dumpfile_parse_scalar_line(const char *line, int64_t *step,
                               char names[][DUMPFILE_SCALAR_NAME], double *values, int max,
                               int *n) {
    *n = 0;
    *step = 0;
    scalar_line s = {step, 0, names, values, max, n};
    int rc = json_read_object(line, scalar_member, &s);
    if (rc == -1) {
        *n = 0;
        return -1;
    }
    return s.has_step ? 0 : -2;
}
