// idx.c: IDX files (the MNIST layout), raw or gzip.
//
// A 4-byte big-endian magic (0, 0, type, number of dims), one big-endian
// 32-bit size a dim, then the values. Only unsigned bytes (type 0x08) are
// read: 0x00000803 images (N x rows x cols), 0x00000802 rows (N x D) and
// 0x00000801 labels (N). zlib's gz API reads both raw and gzip files; for a
// raw file the sizes are also checked against the file's length before
// anything is allocated.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include "loader.h"

typedef struct {
    gzFile gz;
    const char *path;
    int64_t avail;      // bytes left in a raw file, -1 when compressed
    uint32_t magic;
    int ndim;
    uint64_t dims[3];
} idx_file;

// --- Reading -----------------------------------------------------------------

// Reads exactly n bytes; a short read is a truncated file, a zlib error a
// corrupt one.
static int read_exact(idx_file *x, void *buf, size_t n, ts_error *err) {
    unsigned char *p = buf;
    while (n > 0) {
        unsigned want = n > (1u << 30) ? 1u << 30 : (unsigned)n;
        int got = gzread(x->gz, p, want);
        if (got <= 0) {
            int e;
            gzerror(x->gz, &e);
            if (got < 0 && e != Z_BUF_ERROR)
                return ts_fail(err, "%s: corrupt gzip data: %s", x->path, data_gz_why(x->gz));
            return ts_fail(err, "%s: truncated: the data ends before the header's sizes say",
                           x->path);
        }
        p += got;
        n -= (size_t)got;
    }
    return 0;
}

static void idx_close(idx_file *x) {
    if (x->gz) gzclose(x->gz);
    x->gz = NULL;
}

// Opens path and reads its magic and dims; `labels` selects which magics
// are right.
static int idx_open(const char *path, int labels, idx_file *x, ts_error *err) {
    memset(x, 0, sizeof *x);
    x->path = path;
    int64_t fsize;
    int fd = data_open(path, &fsize, err);
    if (fd < 0) return -1;
    x->gz = gzdopen(fd, "rb");
    if (!x->gz) {
        close(fd);
        return ts_fail(err, "%s: out of memory", path);
    }
    gzbuffer(x->gz, 1 << 17);
    int direct = gzdirect(x->gz);
    unsigned char m[4];
    int got = gzread(x->gz, m, 4);
    if (got == 0) {
        idx_close(x);
        return ts_fail(err, "%s: empty file (nothing after decompression)", path);
    }
    if (got < 0) {
        ts_fail(err, "%s: corrupt gzip data: %s", path, data_gz_why(x->gz));
        idx_close(x);
        return -1;
    }
    if (got < 4) {
        idx_close(x);
        return ts_fail(err, "%s: truncated IDX header (%d bytes)", path, got);
    }
    x->magic = (uint32_t)m[0] << 24 | (uint32_t)m[1] << 16 | (uint32_t)m[2] << 8 | m[3];
    int ok = labels ? x->magic == 0x00000801
                    : x->magic == 0x00000803 || x->magic == 0x00000802;
    if (!ok) {
        ts_fail(err, labels ? "%s: wrong IDX magic 0x%08x for labels (expected 0x00000801, "
                              "unsigned bytes, 1 dim)"
                            : "%s: wrong IDX magic 0x%08x (expected 0x00000803 or 0x00000802: "
                              "unsigned-byte images or rows)",
                path, (unsigned)x->magic);
        idx_close(x);
        return -1;
    }
    x->ndim = m[3];
    unsigned char d[12];
    if (read_exact(x, d, 4 * (size_t)x->ndim, err) < 0) {
        idx_close(x);
        return -1;
    }
    for (int k = 0; k < x->ndim; k++)
        x->dims[k] = (uint64_t)d[4 * k] << 24 | (uint64_t)d[4 * k + 1] << 16 |
                     (uint64_t)d[4 * k + 2] << 8 | d[4 * k + 3];
    x->avail = direct ? fsize - 4 - 4 * x->ndim : -1;
    return 0;
}

// --- Features and labels -----------------------------------------------------

int data_read_idx_features(const char *path, const data_budget *b, ts_dataset *ds,
                           ts_error *err) {
    memset(ds, 0, sizeof *ds);
    idx_file x;
    if (idx_open(path, 0, &x, err) < 0) return -1;
    uint64_t n = x.dims[0], d = x.dims[1];
    // rows * cols of two 32-bit sizes fits in 64 bits.
    if (x.ndim == 3) d = x.dims[1] * x.dims[2];
    int rc = 0;
    if (n == 0 || d == 0)
        rc = ts_fail(err, "%s: empty: %llu samples of %llu values", path,
                     (unsigned long long)n, (unsigned long long)d);
    if (rc == 0) rc = data_check_size(path, n, d, 1, 1, x.avail, b, err);
    if (rc == 0 && data_alloc(ds, (int)n, (int)d, 1) < 0)
        rc = ts_fail(err, "%s: out of memory", path);
    if (rc == 0) {
        ds->u8_scale = 1.0f / 255.0f;
        rc = read_exact(&x, ds->u8, (size_t)n * (size_t)d, err);
        if (rc < 0) data_free(ds);
    }
    idx_close(&x);
    return rc;
}

int data_read_labels_idx(const char *path, size_t expect, const char *features_path,
                         int64_t **raw, ts_error *err) {
    *raw = NULL;
    idx_file x;
    if (idx_open(path, 1, &x, err) < 0) return -1;
    // The count is checked before anything is allocated: a 28-byte .gz whose
    // header says 2^31 - 1 labels must not cost gigabytes to refuse.
    size_t n = expect;
    int rc = data_check_labels(path, x.dims[0], expect, features_path, 1, x.avail, err);
    unsigned char *bytes = NULL;
    int64_t *out = NULL;
    if (rc == 0 && (!(bytes = malloc(n ? n : 1)) || !(out = malloc((n ? n : 1) * sizeof *out))))
        rc = ts_fail(err, "%s: out of memory", path);
    if (rc == 0) rc = read_exact(&x, bytes, n, err);
    if (rc == 0)
        for (size_t i = 0; i < n; i++) out[i] = bytes[i];
    free(bytes);
    idx_close(&x);
    if (rc < 0) {
        free(out);
        return -1;
    }
    *raw = out;
    return 0;
}

// --- The loader --------------------------------------------------------------

int data_load_idx(const char *path, const char *labels_path, uint64_t max_bytes,
                  ts_dataset *ds, ts_error *err) {
    memset(ds, 0, sizeof *ds);
    if (!labels_path) {
        // Say first what is wrong with the file itself (not IDX at all?).
        idx_file x;
        if (idx_open(path, 0, &x, err) == 0) {
            idx_close(&x);
            ts_fail(err, "%s: IDX features need --labels FILE (an IDX or .npy of labels)", path);
        }
        return data_err_oneline(err);
    }
    data_budget b = data_budget_make(max_bytes, 1);
    if (data_read_idx_features(path, &b, ds, err) < 0) return data_err_oneline(err);
    return data_attach_labels(ds, path, labels_path, err);
}
