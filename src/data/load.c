// load.c: what --data names, the checks of its companion flags, the loader
// it takes, and the record of how the set was made (ts_dataset.source).
//
// --- Formats and scaling ----------------------------------------------------
// digits    sklearn's digits.csv.gz, embedded in the binary: 1797 x 64, 10
//           classes "0".."9"; a row is 64 values then the label. Values 0..16
//           stay bytes with u8_scale 1/16, so features are in [0, 1].
// iris      sklearn's iris.csv, embedded: the first line is
//           "150,4,setosa,versicolor,virginica" (N, D, class names), then 4
//           floats and a label a row. Floats, standardised.
// fashion   Fashion-MNIST's four IDX .gz files in --data-dir (default
//           TS_FASHION_DIR): 60 000 train and 10 000 test images of 28 x 28
//           (D = 784). Bytes, u8_scale 1/255. Its own split (--test-frac is
//           not used), labels 0..9 named T-shirt/top .. Ankle boot.
// fashion-small  a subset of it embedded in the binary
//           (datasets/fashion-small.idx.gz, scripts/make-fashion-small.py):
//           the first 1000 training and 200 test images of each class, in
//           file order; 10 000 train and 2 000 test, the same layout and
//           scaling, its own split. Without --data it stands in for fashion
//           when Fashion-MNIST is not in --data-dir's default folder.
// blobs     generated: `classes` Gaussian centres with coordinates
//           N(0, 1) * 3.5 / sqrt(dim), so centres lie about 4.9 apart in any
//           dimension; a point is its centre + noise * N(0, 1) a coordinate.
//           At noise 1.0 the classes overlap moderately (8 % of the points
//           are nearer another class's mean at 16-D with 10 classes; more in
//           very few dimensions). Labels i % classes (balanced). Floats,
//           standardised.
// noise     generated: inputs uniform in [0, 1), labels uniform among
//           `classes`: nothing to learn. Floats, kept raw.
// rings     generated, in the plane: a ring of radius 3 (85 % of the
//           points, radial spread 0.2 * noise) around a blob (0.3 * noise):
//           two classes a linear model cannot separate. Floats, standardised.
// FILE.csv  numbers separated by commas, semicolons, tabs or blanks (or
//           --delimiter C), one sample a line (also .csv.gz, .tsv and
//           .tsv.gz); label in the last column or --label-col N
//           (0-based). The delimiter, unless given, is the first of ; , tab
//           and whitespace that splits the first 20 non-blank lines into
//           one number of columns above 1. The first line is a header when
//           none of its cells is a number; a data row whose features are
//           not all numbers is an error. Blank lines and a leading UTF-8
//           byte order mark are skipped; a cell may be quoted on its line.
//           Labels are integers of at most 2^53 in magnitude, or, when the
//           first data row's is no number, names (UTF-8, at most 64 bytes;
//           not both in one column). Floats, standardised.
// FILE.npy  a 2-D C-order array of '<f4', '<f8' (converted to float) or
//           '|u1' (bytes, u8_scale 1/255); labels from --labels, a .npy 1-D
//           array of i1/u1/i2/u2/i4/u4/i8/u8 (little-endian) or an IDX label
//           file. Float features are standardised.
// IDX       any other file name, raw or gzip, MNIST layout: magic 0x00000803
//           (N x rows x cols bytes, D = rows * cols) or 0x00000802 (N x D
//           bytes); labels (--labels, required) in an IDX 0x00000801 file or
//           a .npy. Bytes, u8_scale 1/255.
// Labels read from files are remapped: the distinct values in increasing
// order (names: in byte order) become 0..C-1 and the original values become
// the class names, unless --class-names FILE names them (a name a line for
// ids 0..C-1, any set).
// Every file is opened through data_open (regular files only: a FIFO cannot
// block the load), and every load but the embedded sets' is held to the
// memory budget (--max-memory, loader.h; docs/metrics.md has the sums).
//
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include "loader.h"
#include "tripletscope/json.h"

// --- Defaults ------------------------------------------------------------------

void data_opts_default(ts_data_opts *opts) {
    memset(opts, 0, sizeof *opts);
    opts->data = NULL;            // the caller picks fashion or digits
    opts->data_dir = TS_FASHION_DIR;
    opts->labels = NULL;
    opts->label_col = -1;         // the last column
    opts->test_frac = 0.2f;
    opts->seed = 0;
    opts->classes = 0;            // 0: the generator's own default
    opts->dim = 0;
    opts->samples = 0;
    opts->noise = 1.0f;
}

// --- Errors ------------------------------------------------------------------

int data_err_oneline(ts_error *err) {
    if (err)
        for (char *p = err->msg; *p; p++)
            if (*p == '\n' || *p == '\r') *p = ' ';
    return -1;
}

const char *data_gz_why(gzFile gz) {
    int e;
    const char *why = gzerror(gz, &e);
    if (!why || !*why) return "read error";
    const char *colon = why[0] == '<' ? strstr(why, ": ") : NULL;
    return colon ? colon + 2 : why;
}

// --- What --data names -------------------------------------------------------

static int has_suffix(const char *s, const char *suffix) {
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcasecmp(s + n - m, suffix) == 0;
}

static const char *base_name(const char *path) {
    const char *slash = strrchr(path, '/');
    return slash && slash[1] ? slash + 1 : path;
}

// True when the file starts like a .npy, whatever its name. Opened through
// data_open, so that a FIFO cannot block here; what is wrong with a file that
// cannot be opened is the loader's to say.
static int looks_like_npy(const char *path) {
    ts_error ignored;
    return data_npy_magic(path, &ignored) == 1;
}

// The files' kinds last (k >= KIND_CSV).
typedef enum { KIND_FASHION, KIND_DIGITS, KIND_IRIS, KIND_BLOBS, KIND_NOISE, KIND_RINGS,
               KIND_FASHION_SMALL, KIND_CSV, KIND_NPY, KIND_IDX } data_kind;

static const char *const kind_names[] = {"fashion", "digits", "iris", "blobs", "noise",
                                         "rings", "fashion-small", "csv", "npy", "idx"};

// A file by extension, else by its first bytes.
static data_kind kind_of(const char *data) {
    static const data_kind named[] = {KIND_FASHION, KIND_DIGITS, KIND_IRIS, KIND_BLOBS,
                                      KIND_NOISE, KIND_RINGS, KIND_FASHION_SMALL};
    for (int k = 0; k < 7; k++)
        if (strcmp(data, kind_names[k]) == 0) return named[k];
    static const char *const text_ext[] = {".csv", ".csv.gz", ".tsv", ".tsv.gz"};
    for (size_t k = 0; k < sizeof text_ext / sizeof text_ext[0]; k++)
        if (has_suffix(data, text_ext[k])) return KIND_CSV;
    if (has_suffix(data, ".npy") || looks_like_npy(data)) return KIND_NPY;
    return KIND_IDX;
}

// --- The companion flags ------------------------------------------------------
//
// The one list of the data flags that only some kinds read: the command line
// marks them given (data_flag_given), and a given one that the chosen kind
// does not read is refused rather than silently ignored.

#define KIND_BIT(k) (1u << (k))
#define KINDS_ALL (KIND_BIT(KIND_IDX + 1) - 1)
#define KINDS_GEN (KIND_BIT(KIND_BLOBS) | KIND_BIT(KIND_NOISE))

static const struct companion {
    const char *flag;
    unsigned bit;           // TS_GIVEN_*
    unsigned kinds;         // KIND_BIT of every kind that reads it
    const char *applies;    // those kinds, for the error
} companions[] = {
    {"--data-dir", TS_GIVEN_DATA_DIR, KIND_BIT(KIND_FASHION), "fashion"},
    {"--labels", TS_GIVEN_LABELS, KIND_BIT(KIND_NPY) | KIND_BIT(KIND_IDX), ".npy and IDX files"},
    {"--label-col", TS_GIVEN_LABEL_COL, KIND_BIT(KIND_CSV), ".csv files"},
    {"--delimiter", TS_GIVEN_DELIMITER, KIND_BIT(KIND_CSV), ".csv and .tsv files"},
    {"--test-frac", TS_GIVEN_TEST_FRAC,
     KINDS_ALL & ~(KIND_BIT(KIND_FASHION) | KIND_BIT(KIND_FASHION_SMALL)),
     "sets without a split of their own: all but fashion and fashion-small"},
    {"--classes", TS_GIVEN_CLASSES, KINDS_GEN, "blobs and noise"},
    {"--dim", TS_GIVEN_DIM, KINDS_GEN, "blobs and noise"},
    {"--samples", TS_GIVEN_SAMPLES, KINDS_GEN | KIND_BIT(KIND_RINGS), "blobs, noise and rings"},
    {"--noise", TS_GIVEN_NOISE, KIND_BIT(KIND_BLOBS) | KIND_BIT(KIND_RINGS), "blobs and rings"},
};

#define N_COMPANIONS (sizeof companions / sizeof companions[0])

unsigned data_flag_given(const char *flag) {
    for (size_t i = 0; i < N_COMPANIONS; i++)
        if (!strcmp(flag, companions[i].flag)) return companions[i].bit;
    return 0;
}

// The first given companion (in the table's order) that kind k does not read.
static int check_companions(const ts_data_opts *o, data_kind k, const char *data,
                            ts_error *err) {
    for (size_t i = 0; i < N_COMPANIONS; i++)
        if ((o->given & companions[i].bit) && !(companions[i].kinds & KIND_BIT(k)))
            return ts_fail(err, "%s: does not apply to --data %s (only to %s)",
                           companions[i].flag, data, companions[i].applies);
    return 0;
}

// --- Generated sets ---------------------------------------------------------------

// A generated set's shape (zero for the others), for describe.
typedef struct {
    int classes, dim, n;
} gen_shape;

static int check_gen_flags(const ts_data_opts *o, int blobs, int n, int classes, int dim,
                           ts_error *err) {
    if (classes < 2 || classes > TS_MAX_CLASSES)
        return ts_fail(err, "--classes %d: must be between 2 and %d", classes, TS_MAX_CLASSES);
    if (dim < 1) return ts_fail(err, "--dim %d: must be at least 1", dim);
    if (n < 4) return ts_fail(err, "--samples %d: must be at least 4", n);
    if (blobs && (!isfinite(o->noise) || o->noise < 0.0f))
        return ts_fail(err, "--noise %g: must be a finite number, at least 0", (double)o->noise);
    if ((uint64_t)n * (uint64_t)dim > INT_MAX)
        return ts_fail(err, "--samples %d x --dim %d: too many values", n, dim);
    return data_budget_check_generated(o->max_bytes, n, classes, dim, blobs, err);
}

// blobs, noise or rings: the generator's defaults where the flags left 0.
static int make_generated(const ts_data_opts *o, data_kind k, const char *data, gen_shape *g,
                          ts_dataset *all, ts_error *err) {
    int blobs = k == KIND_BLOBS, rings = k == KIND_RINGS;
    g->classes = rings ? 2 : o->classes ? o->classes : blobs ? 10 : 2;
    g->dim = rings ? 2 : o->dim ? o->dim : blobs ? 16 : 10;
    g->n = o->samples ? o->samples : blobs || rings ? 2000 : 1000;
    if (check_gen_flags(o, blobs || rings, g->n, g->classes, g->dim, err) < 0) return -1;
    int rc = blobs   ? data_make_blobs(g->n, g->classes, g->dim, o->noise, o->seed, all)
             : rings ? data_make_rings(g->n, o->noise, o->seed, all)
                     : data_make_noise(g->n, g->classes, g->dim, o->seed, all);
    if (rc < 0) return ts_fail(err, "%s: out of memory", data);
    return 0;
}

// --- Loaders ----------------------------------------------------------------------

// Fashion-MNIST, split already; a hint when its files are missing.
static int load_fashion(const ts_data_opts *o, const char *dir, ts_dataset *train,
                        ts_dataset *test, ts_error *err) {
    if (data_load_fashion(dir, o->max_bytes, train, test, err) == 0) return 0;
    // The hint only helps when the files are missing (not when one is, say,
    // a FIFO or corrupt).
    if (err && !data_fashion_available(dir) && strstr(err->msg, ": cannot open: ")) {
        size_t len = strlen(err->msg);
        snprintf(err->msg + len, sizeof err->msg - len, " (install Debian's "
                 "dataset-fashion-mnist, or name the folder with --data-dir; "
                 "--data fashion-small is a built-in subset)");
    }
    return -1;
}

static int load_file(const ts_data_opts *o, data_kind k, ts_dataset *all, ts_csv_info *csv,
                     ts_error *err) {
    const char *path = o->data;
    if (k == KIND_CSV)
        return data_load_csv_with(path, o->label_col, o->delimiter, o->max_bytes, all, csv, err);
    if (k == KIND_NPY) return data_load_npy(path, o->labels, o->max_bytes, all, err);
    // A bare word that is no file is more likely a misspelt set name.
    if (!strchr(path, '/') && !strchr(path, '.') && access(path, F_OK) != 0)
        return ts_fail(err, "--data %s: no such data set (fashion, fashion-small, digits, "
                       "iris, blobs, noise, rings) or file", path);
    return data_load_idx(path, o->labels, o->max_bytes, all, err);
}

// Every kind but fashion, whole (data_load splits it); *standardize when
// its floats are to be standardised.
static int load_whole(const ts_data_opts *o, data_kind k, const char *data, gen_shape *g,
                      ts_dataset *all, int *standardize, ts_csv_info *csv, ts_error *err) {
    switch (k) {
    case KIND_DIGITS:
        *standardize = 0;
        return data_load_digits(all, err) < 0 ? -1 : 0;
    case KIND_IRIS:
        *standardize = 1;
        return data_load_iris(all, err) < 0 ? -1 : 0;
    case KIND_BLOBS:
    case KIND_NOISE:
    case KIND_RINGS:
        *standardize = k != KIND_NOISE;
        return make_generated(o, k, data, g, all, err);
    default:
        if (load_file(o, k, all, csv, err) < 0) return -1;
        *standardize = all->f32 != NULL;
        return 0;
    }
}

// --- Split and checks --------------------------------------------------------------

static int split_checked(const ts_dataset *all, const ts_data_opts *o, const char *data,
                         ts_dataset *train, ts_dataset *test, ts_error *err) {
    if (data_validate(all, data, err) < 0 ||
        data_split(all, o->test_frac, o->seed, train, test, err) < 0)
        return -1;
    return 0;
}

// Both splits must allow what they are for: triplets in training, and a
// query with a same-class reference in the held-out set.
static int validate_splits(const ts_dataset *train, const ts_dataset *test, const char *data,
                           ts_error *err) {
    char what[300];
    snprintf(what, sizeof what, "%s (training split)", data);
    if (data_validate(train, what, err) < 0) return -1;
    int *count = calloc((size_t)test->C + 1, sizeof *count), pairs = 0;
    if (!count) return ts_fail(err, "%s: out of memory", data);
    for (int i = 0; i < test->N; i++) pairs += ++count[test->y[i]] == 2;
    free(count);
    if (pairs == 0)
        return ts_fail(err, "%s: the held-out split (%d samples) has no class with two, so no "
                       "query can be evaluated; use more samples or a larger --test-frac",
                       data, test->N);
    return 0;
}

// --- Provenance -------------------------------------------------------------------

// Records in ds->source how the set was made, as the config line prints it;
// with_names: its class names too (a CSV's label names, or --class-names);
// fallback: fashion-small stands in for Fashion-MNIST, not found in dir.
static void describe(const ts_data_opts *o, data_kind k, const char *dir, const gen_shape *g,
                     int standardized, const ts_csv_info *csv, int with_names, int fallback,
                     ts_dataset *ds) {
    ts_json j;
    json_fixed(&j, ds->source, sizeof ds->source);
    json_raw(&j, "{\"kind\":\"%s\"", kind_names[k]);
    if (k == KIND_FASHION) {
        json_raw(&j, ",\"dir\":");
        json_str(&j, dir);
    } else if (k == KIND_FASHION_SMALL) {
        if (fallback) {
            json_raw(&j, ",\"fallback_for\":\"fashion\",\"missing_dir\":");
            json_str(&j, dir);
        }
    } else {
        if (k >= KIND_CSV) {
            json_raw(&j, ",\"path\":");
            json_str(&j, o->data);
        }
        if (k == KIND_CSV) {
            char nb[8];
            json_raw(&j, ",\"label_col\":%d,\"delimiter\":", o->label_col);
            json_str(&j, data_delimiter_name(csv->delimiter, nb));
        }
        if ((k == KIND_NPY || k == KIND_IDX) && o->labels) {
            json_raw(&j, ",\"labels\":");
            json_str(&j, o->labels);
        }
        if (k == KIND_BLOBS || k == KIND_NOISE || k == KIND_RINGS)
            json_raw(&j, ",\"classes\":%d,\"dim\":%d,\"samples\":%d", g->classes, g->dim,
                     g->n);
        if (k == KIND_BLOBS || k == KIND_RINGS) {
            json_raw(&j, ",\"noise\":");
            json_num(&j, o->noise);
        }
        json_raw(&j, ",\"test_frac\":");
        json_num(&j, o->test_frac);
        json_raw(&j, ",\"seed\":%llu", (unsigned long long)o->seed);
    }
    if (o->train_size > 0) json_raw(&j, ",\"train_size\":%d", o->train_size);
    json_raw(&j, ",\"standardized\":%s", standardized ? "true" : "false");
    if (o->class_names) {
        json_raw(&j, ",\"class_names_file\":");
        json_str(&j, o->class_names);
    }
    if (with_names && ds->class_names) {
        json_raw(&j, ",\"class_names\":[");
        for (int c = 0; c < ds->C; c++) {
            if (c) json_raw(&j, ",");
            json_str(&j, ds->class_names[c]);
        }
        json_raw(&j, "]");
    }
    json_raw(&j, "}");
    if (j.failed) ds->source[0] = '\0';   // a path too long to print: no half object
}

// --- Class names ------------------------------------------------------------------

// --class-names: the names of ds's classes, and of the other half's (the
// same classes) when there is one.
static int name_classes(const ts_data_opts *o, const char *data, ts_dataset *ds,
                        ts_dataset *other, ts_error *err) {
    char **names;
    if (data_read_class_names(o->class_names, ds->C, data, &names, err) < 0) return -1;
    if (other && data_set_class_names(other, names, 1, o->class_names, err) < 0) {
        for (int c = 0; c < ds->C; c++) free(names[c]);
        free(names);
        return -1;
    }
    return data_set_class_names(ds, names, 0, o->class_names, err);
}

// --- Loading by name --------------------------------------------------------------

static int load(const ts_data_opts *o, ts_dataset *train, ts_dataset *test,
                char *name, size_t name_len, ts_error *err) {
    if (!(o->test_frac >= 0.0f && o->test_frac < 1.0f))
        return ts_fail(err, "--test-frac %g: must be at least 0 and below 1", (double)o->test_frac);
    const char *dir = o->data_dir ? o->data_dir : TS_FASHION_DIR;
    const char *data = o->data;
    // An explicit --data-dir means Fashion-MNIST, missing or not; without
    // it, a missing Fashion-MNIST is the embedded subset's to stand in for.
    int fallback = 0;
    if (!data) {
        fallback = !(o->given & TS_GIVEN_DATA_DIR) && !data_fashion_available(dir);
        data = fallback ? "fashion-small" : "fashion";
    }
    data_kind k = kind_of(data);
    if (check_companions(o, k, data, err) < 0) return -1;
    const char *display = k >= KIND_CSV ? base_name(data) : data;

    int standardize = 0;
    gen_shape g = {0, 0, 0};
    ts_csv_info csv = {',', 0};
    if (k == KIND_FASHION || k == KIND_FASHION_SMALL) {
        if (k == KIND_FASHION ? load_fashion(o, dir, train, test, err) < 0
                              : data_load_fashion_small(o->max_bytes, train, test, err) < 0)
            return -1;
        if (o->class_names && (name_classes(o, data, train, test, err) < 0)) {
            data_free(train);
            data_free(test);
            return -1;
        }
    } else {
        ts_dataset all = {0};
        if (load_whole(o, k, data, &g, &all, &standardize, &csv, err) < 0) return -1;
        int rc = o->class_names ? name_classes(o, data, &all, NULL, err) : 0;
        if (rc == 0) rc = split_checked(&all, o, data, train, test, err);
        data_free(&all);
        if (rc < 0) return -1;
    }
    // --train-size: a smaller training set, the held-out split unchanged (so
    // that its metrics stay comparable), before the statistics that
    // standardise both are taken from it.
    if (data_subset(train, o->train_size, o->seed, err) < 0) {
        data_free(train);
        data_free(test);
        return -1;
    }
    if (validate_splits(train, test, data, err) < 0) {
        data_free(train);
        data_free(test);
        return -1;
    }
    if (standardize) data_standardize(train, test);
    // The names when they are no numbers (fitting the source's 511 bytes,
    // else left out rather than cut); fashion-small's, so that its line says
    // what it holds.
    int names = o->class_names || csv.label_names || k == KIND_FASHION_SMALL;
    describe(o, k, dir, &g, standardize, &csv, names, fallback, train);
    if (names && !train->source[0]) describe(o, k, dir, &g, standardize, &csv, 0, fallback, train);
    if (name && name_len) snprintf(name, name_len, "%s", display);
    return 0;
}

int data_load(const ts_data_opts *opts, ts_dataset *train, ts_dataset *test,
              char *name, size_t name_len, ts_error *err) {
    ts_data_opts o;
    if (opts) o = *opts;
    else data_opts_default(&o);
    memset(train, 0, sizeof *train);
    memset(test, 0, sizeof *test);
    if (name && name_len) name[0] = '\0';
    if (load(&o, train, test, name, name_len, err) < 0) return data_err_oneline(err);
    return 0;
}
