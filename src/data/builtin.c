// builtin.c: the data sets known by name: digits, iris and fashion-small
// (bytes embedded in the binary by embedded.S) and Fashion-MNIST (Debian's
// dataset-fashion-mnist).
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include "loader.h"

extern const unsigned char ts_embedded_digits_csv_gz[];
extern const uint64_t ts_embedded_digits_csv_gz_size;
extern const unsigned char ts_embedded_iris_csv[];
extern const uint64_t ts_embedded_iris_csv_size;
extern const unsigned char ts_embedded_fashion_small_idx_gz[];
extern const uint64_t ts_embedded_fashion_small_idx_gz_size;

static const char *const fashion_names[10] = {
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
};

static const char *const fashion_files[4] = {
    "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz",
};

// --- digits ------------------------------------------------------------------

// Inflates the embedded digits.csv.gz into a NUL-terminated buffer.
static int inflate_digits(char **out, size_t *out_len, ts_error *err) {
    size_t in_len = (size_t)ts_embedded_digits_csv_gz_size;
    size_t cap = 1 << 19, len = 0; // the CSV is about 300 KB
    char *buf = malloc(cap);
    if (!buf) return ts_fail(err, "digits: out of memory");
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) {
        free(buf);
        return ts_fail(err, "digits: cannot start zlib");
    }
    zs.next_in = (unsigned char *)ts_embedded_digits_csv_gz;
    zs.avail_in = (unsigned)in_len;
    int z;
    do {
        if (cap - len < 2) {
            char *grown = cap < (64u << 20) ? realloc(buf, cap * 2) : NULL;
            if (!grown) {
                inflateEnd(&zs);
                free(buf);
                return ts_fail(err, "digits: out of memory");
            }
            buf = grown;
            cap *= 2;
        }
        zs.next_out = (unsigned char *)buf + len;
        zs.avail_out = (unsigned)(cap - 1 - len);
        z = inflate(&zs, Z_NO_FLUSH);
        len = (size_t)((char *)zs.next_out - buf);
    } while (z == Z_OK);
    inflateEnd(&zs);
    if (z != Z_STREAM_END) {
        free(buf);
        return ts_fail(err, "digits: embedded data is corrupt (zlib error %d)", z);
    }
    buf[len] = '\0';
    *out = buf;
    *out_len = len;
    return 0;
}

int data_load_digits(ts_dataset *ds, ts_error *err) {
    memset(ds, 0, sizeof *ds);
    char *text = NULL;
    size_t len = 0;
    if (inflate_digits(&text, &len, err) < 0) return -1;
    ts_dataset f = {0};
    // The embedded sets are fixed and small: no budget.
    int rc = data_parse_csv("digits (embedded)", text, len, -1, NULL, &f, err);
    free(text);
    if (rc < 0) return -1;
    // Pixel intensities 0..16: bytes, a sixteenth each.
    size_t total = (size_t)f.N * (size_t)f.D;
    if (f.D != 64) rc = ts_fail(err, "digits (embedded): %d features, expected 64", f.D);
    for (size_t k = 0; rc == 0 && k < total; k++)
        if (!(f.f32[k] >= 0.0f && f.f32[k] <= 16.0f && f.f32[k] == (float)(int)f.f32[k]))
            rc = ts_fail(err, "digits (embedded): value %g is not an integer in 0..16",
                         (double)f.f32[k]);
    if (rc == 0 && !(ds->u8 = malloc(total)))
        rc = ts_fail(err, "digits: out of memory");
    if (rc < 0) {
        data_free(&f);
        return -1;
    }
    for (size_t k = 0; k < total; k++) ds->u8[k] = (uint8_t)f.f32[k];
    free(f.f32);
    ds->N = f.N;
    ds->D = f.D;
    ds->C = f.C;
    ds->y = f.y;
    ds->class_names = f.class_names; // the label values "0".."9"
    ds->u8_scale = 1.0f / 16.0f;
    return 0;
}

// --- iris --------------------------------------------------------------------

// The first line "150,4,setosa,versicolor,virginica": N, D, class names.
int data_load_iris(ts_dataset *ds, ts_error *err) {
    memset(ds, 0, sizeof *ds);
    size_t len = (size_t)ts_embedded_iris_csv_size;
    char *text = malloc(len + 1);
    if (!text) return ts_fail(err, "iris: out of memory");
    memcpy(text, ts_embedded_iris_csv, len);
    text[len] = '\0';
    char *nl = strchr(text, '\n');
    if (!nl) {
        free(text);
        return ts_fail(err, "iris (embedded): no header line");
    }
    *nl = '\0';
    char *names[16];
    int n_names = 0;
    long n = -1, d = -1;
    char *save = NULL;
    int cell = 0;
    for (char *tok = strtok_r(text, ",\r", &save); tok; tok = strtok_r(NULL, ",\r", &save), cell++) {
        if (cell == 0) n = strtol(tok, NULL, 10);
        else if (cell == 1) d = strtol(tok, NULL, 10);
        else if (n_names < 16) names[n_names++] = tok;
    }
    int rc = data_parse_csv("iris (embedded)", nl + 1, len - (size_t)(nl + 1 - text), -1, NULL,
                            ds, err);
    if (rc == 0 && (ds->N != n || ds->D != d || ds->C != n_names))
        rc = ts_fail(err, "iris (embedded): %d x %d with %d classes, but the header says "
                     "%ld x %ld with %d", ds->N, ds->D, ds->C, n, d, n_names);
    // The class names replace the label values the CSV parser kept.
    for (int c = 0; rc == 0 && c < ds->C; c++) {
        char *s = strdup(names[c]);
        if (!s) {
            rc = ts_fail(err, "iris: out of memory");
            break;
        }
        free(ds->class_names[c]);
        ds->class_names[c] = s;
    }
    free(text);
    if (rc < 0) data_free(ds);
    return rc;
}

// --- fashion -----------------------------------------------------------------

static int join(char *out, size_t cap, const char *dir, const char *file, ts_error *err) {
    int n = snprintf(out, cap, "%s/%s", dir, file);
    if (n < 0 || (size_t)n >= cap) return ts_fail(err, "%s: path too long", dir);
    return 0;
}

int data_fashion_available(const char *dir) {
    if (!dir) dir = TS_FASHION_DIR;
    char path[PATH_MAX];
    for (int k = 0; k < 4; k++) {
        int n = snprintf(path, sizeof path, "%s/%s", dir, fashion_files[k]);
        // stat, not open: a FIFO of that name must not block the choice of
        // the default set (and is no data file).
        struct stat st;
        if (n < 0 || (size_t)n >= sizeof path || stat(path, &st) != 0 || !S_ISREG(st.st_mode) ||
            access(path, R_OK) != 0)
            return 0;
    }
    return 1;
}

// One half: images and labels; labels are 0..9 as they are (not remapped, so
// both halves agree on them).
static int load_half(const char *dir, const char *images, const char *labels,
                     const data_budget *b, ts_dataset *ds, ts_error *err) {
    char ipath[PATH_MAX], lpath[PATH_MAX];
    if (join(ipath, sizeof ipath, dir, images, err) < 0 ||
        join(lpath, sizeof lpath, dir, labels, err) < 0)
        return -1;
    if (data_read_idx_features(ipath, b, ds, err) < 0) return -1;
    int64_t *raw = NULL;
    size_t n = (size_t)ds->N;
    int rc = data_read_labels_idx(lpath, n, ipath, &raw, err);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        if (raw[i] < 0 || raw[i] > 9)
            rc = ts_fail(err, "%s: label %lld at %zu is not a class 0..9", lpath,
                         (long long)raw[i], i);
        else
            ds->y[i] = (int)raw[i];
    }
    free(raw);
    if (rc == 0) {
        ds->C = 10;
        if (!(ds->class_names = calloc(10, sizeof *ds->class_names)))
            rc = ts_fail(err, "fashion: out of memory");
        for (int c = 0; rc == 0 && c < 10; c++)
            if (!(ds->class_names[c] = strdup(fashion_names[c])))
                rc = ts_fail(err, "fashion: out of memory");
    }
    if (rc < 0) data_free(ds);
    return rc;
}

int data_load_fashion(const char *dir, uint64_t max_bytes, ts_dataset *train,
                      ts_dataset *test, ts_error *err) {
    memset(train, 0, sizeof *train);
    memset(test, 0, sizeof *test);
    if (!dir) dir = TS_FASHION_DIR;
    // Its own split: no copies, but the training half is held while the
    // test half is read.
    data_budget b = data_budget_make(max_bytes, 0);
    if (load_half(dir, fashion_files[0], fashion_files[1], &b, train, err) < 0)
        return data_err_oneline(err);
    b.held = (uint64_t)train->N * (uint64_t)train->D + (uint64_t)train->N * sizeof(int) +
             10 * 40;   // (N, D) bytes, (N) ints and ten class names
    if (load_half(dir, fashion_files[2], fashion_files[3], &b, test, err) < 0) {
        data_free(train);
        return data_err_oneline(err);
    }
    if (test->D != train->D) {
        ts_fail(err, "%s/%s: %d values an image, but the training images have %d", dir,
                fashion_files[2], test->D, train->D);
        data_free(train);
        data_free(test);
        return data_err_oneline(err);
    }
    return 0;
}

// --- fashion-small -----------------------------------------------------------
//
// datasets/fashion-small.idx.gz (scripts/make-fashion-small.py writes it):
// one gzip stream of four IDX files back to back, as Fashion-MNIST's own:
// training images (0x00000803, N x 28 x 28), training labels (0x00000801,
// N), test images, test labels. Inflated straight into the sets' arrays,
// each half's header checked against the budget before its arrays exist.

#define SMALL_WHAT "fashion-small (embedded)"

typedef struct {
    z_stream zs;
    int z;   // the last inflate's result
} small_stream;

// Inflates exactly n bytes into out; the stream ending first is corrupt.
static int small_read(small_stream *s, void *out, size_t n, ts_error *err) {
    unsigned char *p = out;
    while (n > 0) {
        if (s->z == Z_STREAM_END)
            return ts_fail(err, SMALL_WHAT ": embedded data ends early");
        unsigned want = n > (1u << 30) ? 1u << 30 : (unsigned)n;
        s->zs.next_out = p;
        s->zs.avail_out = want;
        s->z = inflate(&s->zs, Z_NO_FLUSH);
        if (s->z != Z_OK && s->z != Z_STREAM_END)
            return ts_fail(err, SMALL_WHAT ": embedded data is corrupt (zlib error %d)", s->z);
        size_t got = want - s->zs.avail_out;
        if (got == 0 && s->z == Z_OK)
            return ts_fail(err, SMALL_WHAT ": embedded data ends early");
        p += got;
        n -= got;
    }
    return 0;
}

// The stream must end right after the test labels.
static int small_end(small_stream *s, ts_error *err) {
    if (s->z == Z_STREAM_END) return 0;
    unsigned char extra;
    s->zs.next_out = &extra;
    s->zs.avail_out = 1;
    s->z = inflate(&s->zs, Z_NO_FLUSH);
    if (s->zs.avail_out == 0)
        return ts_fail(err, SMALL_WHAT ": embedded data goes on after the test labels");
    if (s->z != Z_STREAM_END)
        return ts_fail(err, SMALL_WHAT ": embedded data is corrupt (zlib error %d)", s->z);
    return 0;
}

static uint32_t be32(const unsigned char *p) {
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

// One half: its images' header, checked, then the pixels and the labels.
static int small_half(small_stream *s, const char *half, const data_budget *b,
                      ts_dataset *ds, ts_error *err) {
    char what[80];
    snprintf(what, sizeof what, SMALL_WHAT ", %s images", half);
    unsigned char h[16];
    if (small_read(s, h, 16, err) < 0) return -1;
    if (be32(h) != 0x803 || be32(h + 8) != 28 || be32(h + 12) != 28)
        return ts_fail(err, "%s: not 28 x 28 IDX images (magic 0x%08x)", what, be32(h));
    uint32_t n = be32(h + 4);
    if (data_check_size(what, n, 784, 1, 1, -1, b, err) < 0) return -1;
    if (n < 2) return ts_fail(err, "%s: %u images", what, n);
    if (data_alloc(ds, (int)n, 784, 1) < 0) return ts_fail(err, SMALL_WHAT ": out of memory");
    unsigned char *lab = NULL;
    int rc = small_read(s, ds->u8, (size_t)n * 784, err);
    if (rc == 0) rc = small_read(s, h, 8, err);
    if (rc == 0 && (be32(h) != 0x801 || be32(h + 4) != n))
        rc = ts_fail(err, SMALL_WHAT ", %s labels: magic 0x%08x, %u labels for %u images", half,
                     be32(h), be32(h + 4), n);
    if (rc == 0 && !(lab = malloc(n))) rc = ts_fail(err, SMALL_WHAT ": out of memory");
    if (rc == 0) rc = small_read(s, lab, n, err);
    for (uint32_t i = 0; rc == 0 && i < n; i++) {
        if (lab[i] > 9)
            rc = ts_fail(err, SMALL_WHAT ", %s labels: label %d at %u is not a class 0..9",
                         half, lab[i], i);
        else
            ds->y[i] = lab[i];
    }
    free(lab);
    if (rc == 0) {
        ds->C = 10;
        ds->u8_scale = 1.0f / 255.0f;
        if (!(ds->class_names = calloc(10, sizeof *ds->class_names)))
            rc = ts_fail(err, SMALL_WHAT ": out of memory");
        for (int c = 0; rc == 0 && c < 10; c++)
            if (!(ds->class_names[c] = strdup(fashion_names[c])))
                rc = ts_fail(err, SMALL_WHAT ": out of memory");
    }
    if (rc < 0) data_free(ds);
    return rc;
}

int data_load_fashion_small(uint64_t max_bytes, ts_dataset *train, ts_dataset *test,
                            ts_error *err) {
    memset(train, 0, sizeof *train);
    memset(test, 0, sizeof *test);
    small_stream s;
    memset(&s, 0, sizeof s);
    if (inflateInit2(&s.zs, 16 + MAX_WBITS) != Z_OK)
        return ts_fail(err, SMALL_WHAT ": cannot start zlib");
    s.zs.next_in = (unsigned char *)ts_embedded_fashion_small_idx_gz;
    s.zs.avail_in = (unsigned)ts_embedded_fashion_small_idx_gz_size;
    s.z = Z_OK;
    // As Fashion-MNIST: its own split, the training half held while the
    // test half is read.
    data_budget b = data_budget_make(max_bytes, 0);
    int rc = small_half(&s, "training", &b, train, err);
    if (rc == 0) {
        b.held = (uint64_t)train->N * (uint64_t)train->D + (uint64_t)train->N * sizeof(int) +
                 10 * 40;
        rc = small_half(&s, "test", &b, test, err);
    }
    if (rc == 0) rc = small_end(&s, err);
    inflateEnd(&s.zs);
    if (rc < 0) {
        data_free(train);
        data_free(test);
    }
    return rc;
}
