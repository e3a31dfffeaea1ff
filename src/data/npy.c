// npy.c: NumPy's .npy files: 2-D features and 1-D integer labels.
//
// The format: "\x93NUMPY", a version (1.0: a 2-byte header length; 2.0 and
// 3.0: 4 bytes), then a Python dict literal such as
//   {'descr': '<f4', 'fortran_order': False, 'shape': (150, 4), }
// padded with spaces and a newline, then the raw values. The dict is parsed
// by looking up its three keys, every step bounds-checked.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "loader.h"

#define NPY_MAX_HEADER (1u << 20) // numpy's own headers are far smaller

// --- Little-endian values ----------------------------------------------------

static uint64_t rd_le(const unsigned char *p, int size) {
    uint64_t v = 0;
    for (int k = size - 1; k >= 0; k--) v = (v << 8) | p[k];
    return v;
}

// --- The header dict ---------------------------------------------------------

static const char *skip_ws(const char *p) {
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') p++;
    return p;
}

// The text after "'key':" (or "\"key\":"), or NULL.
static const char *find_key(const char *h, const char *key) {
    char q1[40], q2[40];
    snprintf(q1, sizeof q1, "'%s'", key);
    snprintf(q2, sizeof q2, "\"%s\"", key);
    const char *p = strstr(h, q1);
    if (!p) p = strstr(h, q2);
    if (!p) return NULL;
    p = skip_ws(p + strlen(q1));
    if (*p != ':') return NULL;
    return skip_ws(p + 1);
}

static int parse_header(const char *path, const char *h, data_npy_header *hd, ts_error *err) {
    // descr: a quoted string (a list would be a structured dtype).
    const char *p = find_key(h, "descr");
    if (!p) return ts_fail(err, "%s: malformed .npy header (no 'descr')", path);
    if (*p != '\'' && *p != '"')
        return ts_fail(err, "%s: unsupported dtype (a structured array); expected a plain "
                       "number type", path);
    char quote = *p++;
    const char *q = strchr(p, quote);
    if (!q) return ts_fail(err, "%s: malformed .npy header (unterminated 'descr')", path);
    size_t n = (size_t)(q - p), k;
    for (k = 0; k < n && k + 1 < sizeof hd->descr; k++)
        hd->descr[k] = (p[k] >= 0x20 && p[k] < 0x7f) ? p[k] : '?';
    hd->descr[k] = '\0';
    hd->order = n >= 1 ? p[0] : 0;
    hd->kind = n >= 2 ? p[1] : 0;
    hd->size = 0;
    if (n >= 3 && n <= 4) {
        for (k = 2; k < n && p[k] >= '0' && p[k] <= '9'; k++) hd->size = hd->size * 10 + (p[k] - '0');
        if (k != n) hd->size = 0;
    }

    p = find_key(h, "fortran_order");
    if (!p) return ts_fail(err, "%s: malformed .npy header (no 'fortran_order')", path);
    if (strncmp(p, "True", 4) == 0) hd->fortran = 1;
    else if (strncmp(p, "False", 5) == 0) hd->fortran = 0;
    else return ts_fail(err, "%s: malformed .npy header ('fortran_order' not True or False)", path);

    p = find_key(h, "shape");
    if (!p || *p != '(') return ts_fail(err, "%s: malformed .npy header (no 'shape' tuple)", path);
    p = skip_ws(p + 1);
    hd->ndim = 0;
    while (*p != ')') {
        if (*p < '0' || *p > '9')
            return ts_fail(err, "%s: malformed .npy header (bad 'shape')", path);
        uint64_t v = 0;
        int over = 0;
        for (; *p >= '0' && *p <= '9'; p++) {
            unsigned d = (unsigned)(*p - '0');
            if (v > (UINT64_MAX - d) / 10) over = 1;
            else v = v * 10 + d;
        }
        if (*p == 'L') p++; // Python 2 longs
        if (hd->ndim == DATA_NPY_MAX_DIMS)
            return ts_fail(err, "%s: more than %d dims", path, DATA_NPY_MAX_DIMS);
        hd->shape[hd->ndim++] = over ? UINT64_MAX : v;
        p = skip_ws(p);
        if (*p == ',') p = skip_ws(p + 1);
        else if (*p != ')') return ts_fail(err, "%s: malformed .npy header (bad 'shape')", path);
    }
    return 0;
}

// Reads the magic, version and header of an open .npy file.
static int read_header(const char *path, FILE *f, int64_t fsize, data_npy_header *hd, ts_error *err) {
    memset(hd, 0, sizeof *hd);
    unsigned char pre[12];
    size_t got = fread(pre, 1, 10, f);
    if (got >= 6 && memcmp(pre, "\x93NUMPY", 6) != 0)
        return ts_fail(err, "%s: not a .npy file (bad magic)", path);
    if (got < 10) return ts_fail(err, "%s: truncated .npy header", path);
    int major = pre[6], minor = pre[7];
    uint32_t hlen;
    size_t pre_len;
    if (major == 1) {
        hlen = (uint32_t)rd_le(pre + 8, 2);
        pre_len = 10;
    } else if (major == 2 || major == 3) {
        if (fread(pre + 10, 1, 2, f) != 2) return ts_fail(err, "%s: truncated .npy header", path);
        hlen = (uint32_t)rd_le(pre + 8, 4);
        pre_len = 12;
    } else {
        return ts_fail(err, "%s: unsupported .npy version %d.%d", path, major, minor);
    }
    if (hlen > NPY_MAX_HEADER)
        return ts_fail(err, "%s: .npy header of %u bytes is too long", path, (unsigned)hlen);
    if ((int64_t)(pre_len + hlen) > fsize)
        return ts_fail(err, "%s: truncated .npy header", path);
    char *h = malloc((size_t)hlen + 1);
    if (!h) return ts_fail(err, "%s: out of memory", path);
    if (fread(h, 1, hlen, f) != hlen) {
        free(h);
        return ts_fail(err, "%s: truncated .npy header", path);
    }
    h[hlen] = '\0'; // an embedded '\0' only shortens what the parser sees
    int rc = parse_header(path, h, hd, err);
    free(h);
    hd->avail = fsize - (int64_t)(pre_len + hlen);
    return rc;
}

FILE *data_npy_open(const char *path, data_npy_header *hd, ts_error *err) {
    int64_t fsize;
    int fd = data_open(path, &fsize, err);
    if (fd < 0) return NULL;
    FILE *f = fdopen(fd, "rb");
    if (!f) {
        close(fd);
        ts_fail(err, "%s: out of memory", path);
        return NULL;
    }
    if (read_header(path, f, fsize, hd, err) < 0) {
        fclose(f);
        return NULL;
    }
    return f;
}

void data_npy_shape_text(const data_npy_header *hd, char *out, size_t cap) {
    size_t n = (size_t)snprintf(out, cap, "(");
    for (int k = 0; k < hd->ndim && n < cap; k++)
        n += (size_t)snprintf(out + n, cap - n, "%s%llu", k ? ", " : "",
                              (unsigned long long)hd->shape[k]);
    if (n < cap) snprintf(out + n, cap - n, hd->ndim == 1 ? ",)" : ")");
}

// --- Features ----------------------------------------------------------------

// Reads the values of a '<f8' array in chunks (no second full-size buffer),
// checking each fits a float.
static int read_f8(const char *path, FILE *f, ts_dataset *ds, ts_error *err) {
    enum { CHUNK = 4096 };
    unsigned char buf[CHUNK * 8];
    size_t total = (size_t)ds->N * (size_t)ds->D;
    for (size_t done = 0; done < total;) {
        size_t n = total - done < CHUNK ? total - done : CHUNK;
        if (fread(buf, 8, n, f) != n) return ts_fail(err, "%s: truncated: the data ends early", path);
        for (size_t k = 0; k < n; k++) {
            uint64_t bits = rd_le(buf + 8 * k, 8);
            double v;
            memcpy(&v, &bits, sizeof v);
            float x = (float)v;
            if (!isfinite(x)) {
                size_t at = done + k;
                return ts_fail(err, "%s: the value at [%zu, %zu] %s", path, at / (size_t)ds->D,
                               at % (size_t)ds->D, isfinite(v) ? "is out of float range"
                                                              : "is NaN or Inf");
            }
            ds->f32[done + k] = x;
        }
        done += n;
    }
    return 0;
}

static int read_f4(const char *path, FILE *f, ts_dataset *ds, ts_error *err) {
    size_t total = (size_t)ds->N * (size_t)ds->D;
    if (fread(ds->f32, sizeof(float), total, f) != total)
        return ts_fail(err, "%s: truncated: the data ends early", path);
    // The file is little-endian; only a big-endian machine must swap.
    const uint32_t one = 1;
    int little = *(const unsigned char *)&one == 1;
    for (size_t k = 0; k < total; k++) {
        if (!little) {
            uint32_t bits = (uint32_t)rd_le((const unsigned char *)&ds->f32[k], 4);
            memcpy(&ds->f32[k], &bits, 4);
        }
        if (!isfinite(ds->f32[k]))
            return ts_fail(err, "%s: the value at [%zu, %zu] is NaN or Inf", path,
                           k / (size_t)ds->D, k % (size_t)ds->D);
    }
    return 0;
}

static int read_features(const char *path, const data_budget *b, ts_dataset *ds,
                         ts_error *err) {
    data_npy_header hd;
    FILE *f = data_npy_open(path, &hd, err);
    if (!f) return -1;
    int rc = 0;
    char shape[128];
    data_npy_shape_text(&hd, shape, sizeof shape);
    int is_f4 = hd.order == '<' && hd.kind == 'f' && hd.size == 4;
    int is_f8 = hd.order == '<' && hd.kind == 'f' && hd.size == 8;
    int is_u1 = (hd.order == '|' || hd.order == '<' || hd.order == '>' || hd.order == '=') &&
                hd.kind == 'u' && hd.size == 1;
    if (hd.fortran)
        rc = ts_fail(err, "%s: Fortran-order array; save it in C order "
                     "(numpy.ascontiguousarray)", path);
    else if (!is_f4 && !is_f8 && !is_u1)
        rc = ts_fail(err, "%s: unsupported dtype '%s' (expected '<f4', '<f8' or '|u1')",
                     path, hd.descr);
    else if (hd.ndim != 2)
        rc = ts_fail(err, "%s: %d-D array of shape %s; expected 2 dims (samples, features)",
                     path, hd.ndim, shape);
    else if (hd.shape[0] == 0 || hd.shape[1] == 0)
        rc = ts_fail(err, "%s: empty array of shape %s", path, shape);
    if (rc == 0)
        rc = data_check_size(path, hd.shape[0], hd.shape[1], (size_t)hd.size,
                             is_u1 ? 1 : sizeof(float), hd.avail, b, err);
    if (rc == 0 && data_alloc(ds, (int)hd.shape[0], (int)hd.shape[1], is_u1) < 0)
        rc = ts_fail(err, "%s: out of memory", path);
    if (rc == 0) {
        if (is_u1) {
            size_t total = (size_t)ds->N * (size_t)ds->D;
            if (fread(ds->u8, 1, total, f) != total)
                rc = ts_fail(err, "%s: truncated: the data ends early", path);
            ds->u8_scale = 1.0f / 255.0f;
        } else {
            rc = is_f4 ? read_f4(path, f, ds, err) : read_f8(path, f, ds, err);
        }
        if (rc < 0) data_free(ds);
    }
    fclose(f);
    return rc;
}

// --- Labels ------------------------------------------------------------------

static int read_npy_labels(const char *path, size_t expect, const char *features_path,
                           int64_t **raw, ts_error *err) {
    data_npy_header hd;
    FILE *f = data_npy_open(path, &hd, err);
    if (!f) return -1;
    int rc = 0;
    char shape[128];
    data_npy_shape_text(&hd, shape, sizeof shape);
    int ok_size = hd.size == 1 || hd.size == 2 || hd.size == 4 || hd.size == 8;
    int ok_order = hd.order == '<' || hd.order == '=' || (hd.size == 1 && hd.order == '|') ||
                   (hd.size == 1 && hd.order == '>');
    if (!((hd.kind == 'i' || hd.kind == 'u') && ok_size && ok_order))
        rc = ts_fail(err, "%s: unsupported dtype '%s' for labels (expected little-endian "
                     "integers: i1, u1, i2, u2, i4, u4, i8 or u8)", path, hd.descr);
    else if (hd.ndim != 1)
        rc = ts_fail(err, "%s: %d-D array of shape %s; labels must be 1-D (wrong dims)",
                     path, hd.ndim, shape);
    if (rc == 0)
        rc = data_check_labels(path, hd.shape[0], expect, features_path, (size_t)hd.size,
                               hd.avail, err);
    int64_t *out = NULL;
    size_t n = rc == 0 ? (size_t)hd.shape[0] : 0;
    if (rc == 0 && !(out = malloc((n ? n : 1) * sizeof *out)))
        rc = ts_fail(err, "%s: out of memory", path);
    unsigned char buf[4096 * 8];
    size_t per = sizeof buf / (size_t)(hd.size > 0 ? hd.size : 1);
    for (size_t done = 0; rc == 0 && done < n;) {
        size_t m = n - done < per ? n - done : per;
        if (fread(buf, (size_t)hd.size, m, f) != m) {
            rc = ts_fail(err, "%s: truncated: the data ends early", path);
            break;
        }
        for (size_t k = 0; k < m; k++) {
            uint64_t v = rd_le(buf + k * (size_t)hd.size, hd.size);
            if (hd.kind == 'i' && hd.size < 8 && (v >> (8 * hd.size - 1)) & 1)
                v |= ~0ULL << (8 * hd.size); // sign-extend
            if (hd.kind == 'u' && v > (uint64_t)INT64_MAX) {
                rc = ts_fail(err, "%s: label %llu at %zu is out of range", path,
                             (unsigned long long)v, done + k);
                break;
            }
            out[done + k] = (int64_t)v;
        }
        done += m;
    }
    fclose(f);
    if (rc < 0) {
        free(out);
        return -1;
    }
    *raw = out;
    return 0;
}

int data_npy_magic(const char *path, ts_error *err) {
    int64_t size;
    int fd = data_open(path, &size, err);
    if (fd < 0) return -1;
    unsigned char m[6];
    int npy = pread(fd, m, 6, 0) == 6 && memcmp(m, "\x93NUMPY", 6) == 0;
    close(fd);
    return npy;
}

int data_read_labels(const char *path, size_t expect, const char *features_path,
                     int64_t **raw, ts_error *err) {
    *raw = NULL;
    // Through data_open, so that a FIFO or a directory is refused here.
    int npy = data_npy_magic(path, err);
    if (npy < 0) return -1;
    // Anything else goes to the IDX reader for its message.
    return npy ? read_npy_labels(path, expect, features_path, raw, err)
               : data_read_labels_idx(path, expect, features_path, raw, err);
}

// --- The loader --------------------------------------------------------------

int data_load_npy(const char *path, const char *labels_path, uint64_t max_bytes,
                  ts_dataset *ds, ts_error *err) {
    memset(ds, 0, sizeof *ds);
    if (!labels_path) {
        ts_fail(err, "%s: .npy features need --labels FILE (a .npy or IDX of labels)", path);
        return data_err_oneline(err);
    }
    data_budget b = data_budget_make(max_bytes, 1);
    if (read_features(path, &b, ds, err) < 0) return data_err_oneline(err);
    return data_attach_labels(ds, path, labels_path, err);
}
