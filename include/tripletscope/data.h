// data.h: data sets in memory, their loaders and generators.
//
// A data set is N samples of D features with integer labels in [0, C).
// Features are kept either as bytes (pixels: 60 000 Fashion-MNIST images stay
// 47 MB instead of 188 MB) and scaled when a batch is gathered, or as floats.
// Every loader reports bad input through ts_error (one line naming the file
// or flag) and leaves nothing allocated when it fails.
#ifndef TRIPLETSCOPE_DATA_H
#define TRIPLETSCOPE_DATA_H
#include <stddef.h>
#include <stdint.h>
#include "tripletscope/error.h"

#define TS_MAX_CLASSES 4096
// The longest class name in bytes: a CSV label that is a name, a line of
// --class-names (the interface's legend shows the first 23).
#define TS_LABEL_NAME_MAX 64

typedef struct {
    int N, D, C;      // samples, features, classes
    uint8_t *u8;      // (N, D) raw bytes, or NULL; value = u8 * u8_scale
    float *f32;       // (N, D) floats, or NULL (exactly one of u8/f32 is set)
    float u8_scale;   // 1/255 for pixels, 1/16 for the digits
    int *y;           // (N) labels in [0, C)
    char **class_names; // (C) display names, or NULL: "0", "1", ...
    char source[512];   // how data_load made it: a JSON object for the config line
} ts_dataset;

// What --data and its companion flags ask for.
typedef struct {
    const char *data;      // "fashion", "fashion-small", "digits", "iris", "blobs", "noise",
                           // "rings", or a file path (NULL: fashion, else fashion-small)
    const char *data_dir;  // where Fashion-MNIST's IDX .gz files are
    const char *labels;    // --labels FILE (.npy or IDX) for .npy / IDX features
    int label_col;         // --label-col N for CSV (-1: last column)
    float test_frac;       // held-out fraction where the set has no split of its own
    uint64_t seed;         // for generated sets and the stratified split
    int classes, dim, samples; // blobs / noise shape
    float noise;           // blobs: standard deviation around each centre
    int train_size;        // --train-size: train on a stratified subset of this many (0: all)
    unsigned given;        // TS_GIVEN_* bits: the companion flags set explicitly
    uint64_t max_bytes;    // --max-memory: what loading may hold at once (0: the default)
    char delimiter;        // --delimiter for CSV: 0 detected, ' ' runs of blanks, else the byte
    const char *class_names; // --class-names FILE: a name a line for class ids 0..C-1, or NULL
} ts_data_opts;

// Companion flags given explicitly: one that does not apply to the data set
// chosen is refused rather than silently ignored.
enum {
    TS_GIVEN_DATA_DIR = 1 << 0,
    TS_GIVEN_LABELS = 1 << 1,
    TS_GIVEN_LABEL_COL = 1 << 2,
    TS_GIVEN_TEST_FRAC = 1 << 3,
    TS_GIVEN_CLASSES = 1 << 4,
    TS_GIVEN_DIM = 1 << 5,
    TS_GIVEN_SAMPLES = 1 << 6,
    TS_GIVEN_NOISE = 1 << 7,
    TS_GIVEN_DELIMITER = 1 << 8,
};

#define TS_FASHION_DIR "/usr/share/datasets/fashion-mnist"

// The TS_GIVEN_* bit of a companion flag (e.g. "--classes"), or 0 for any
// other name: the command line sets it in opts->given when the flag is given.
// data_load keeps the one list of which data sets read which companion.
unsigned data_flag_given(const char *flag);
// Fills opts with the defaults documented in --help.
void data_opts_default(ts_data_opts *opts);
// True when Fashion-MNIST's four files are readable regular files in dir
// (checked without opening them, so a FIFO there cannot block).
int data_fashion_available(const char *dir);
// Loads what opts->data names into a train and a held-out split, features
// scaled as docs/metrics.md says; train->source describes how. Returns 0, or
// -1 with err filled (also for a companion flag that does not apply, and for
// a held-out split with nothing to evaluate).
int data_load(const ts_data_opts *opts, ts_dataset *train, ts_dataset *test,
              char *name, size_t name_len, ts_error *err);
// Frees what a loader allocated; safe on a zeroed or freed set.
void data_free(ts_dataset *ds);

// --- the individual loaders (each returns 0, or -1 with err filled) --------
// max_bytes is the budget of the whole load (--max-memory; 0: 4 GiB, or half
// this machine's memory when less): the decompressed bytes and every array
// held at once, including the copies data_split makes of a file's set
// (data_load splits every set but fashion). A load over it is refused before
// it allocates, while a .gz still decompresses. docs/metrics.md has the sums.
//
// A CSV (data_load_csv_with): one sample a line, cells separated by
// `delimiter` (',', ';', '\t', another punctuation byte, ' ' for runs of
// spaces and tabs, or 0: detected from the first 20 non-blank lines, the
// first of , ; tab and whitespace giving them one column count above 1); a
// cell may be quoted within its line. The label in column label_col (-1:
// the last) is an integer (the distinct values in increasing order become
// 0..C-1) or, when the first data row's is no number, a name (up to
// TS_LABEL_NAME_MAX bytes of UTF-8; the names in byte order become 0..C-1);
// either way the originals become the class names.
typedef struct {
    char delimiter;     // the delimiter used, given or detected (' ': blanks)
    int label_names;    // the labels were names
} ts_csv_info;
int data_load_csv_with(const char *path, int label_col, char delimiter, uint64_t max_bytes,
                       ts_dataset *ds, ts_csv_info *info, ts_error *err);
// data_load_csv_with, the delimiter detected and nothing said of it.
int data_load_csv(const char *path, int label_col, uint64_t max_bytes, ts_dataset *ds,
                  ts_error *err);
// The delimiter --delimiter names into *out: "auto" (0), "tab" or "\t"
// ('\t'), "space", "whitespace" or " " (' ': runs of blanks), or one ASCII
// punctuation character other than a quote, '.', '+' and '-'. Returns 0, or
// -1 for anything else.
int data_delimiter_parse(const char *v, char *out);
// The name --delimiter takes for d: "auto", "tab", "space", or the character
// itself (written into out).
const char *data_delimiter_name(char d, char out[8]);
int data_load_npy(const char *path, const char *labels_path, uint64_t max_bytes,
                  ts_dataset *ds, ts_error *err);
int data_load_idx(const char *path, const char *labels_path, uint64_t max_bytes,
                  ts_dataset *ds, ts_error *err);
int data_load_fashion(const char *dir, uint64_t max_bytes, ts_dataset *train,
                      ts_dataset *test, ts_error *err);
// The embedded Fashion-MNIST subset (datasets/fashion-small.idx.gz, 5.2 MB):
// 10 000 training and 2 000 test images of 28 x 28, 1000 and 200 a class,
// bytes with u8_scale 1/255, its own split, Fashion-MNIST's class names.
// Inflated within max_bytes, each half's header checked before it is held.
int data_load_fashion_small(uint64_t max_bytes, ts_dataset *train, ts_dataset *test,
                            ts_error *err);
int data_load_digits(ts_dataset *ds, ts_error *err);
int data_load_iris(ts_dataset *ds, ts_error *err);
int data_make_blobs(int n, int classes, int dim, float noise, uint64_t seed, ts_dataset *ds);
int data_make_noise(int n, int classes, int dim, uint64_t seed, ts_dataset *ds);
// Two classes in the plane: a ring (85 % of the n points, radial spread
// 0.2 * noise) around a blob (0.3 * noise).
int data_make_rings(int n, float noise, uint64_t seed, ts_dataset *ds);

// Checks that training is possible: at least two classes and one class with
// two samples. Returns 0, or -1 naming `what` in err.
int data_validate(const ts_dataset *ds, const char *what, ts_error *err);
// Splits all into train and test, stratified by class, seeded. Takes
// ownership of nothing: all stays valid and must still be freed.
int data_split(const ts_dataset *all, float test_frac, uint64_t seed,
               ts_dataset *train, ts_dataset *test, ts_error *err);
// Keeps a seeded, stratified subset of n of ds's samples (each class in
// proportion, largest remainders; the kept rows in their order), in place;
// nothing when n <= 0 or n >= ds->N. Returns 0, or -1 (out of memory) with
// ds unchanged. --train-size: the held-out split stays whole.
int data_subset(ts_dataset *ds, int n, uint64_t seed, ts_error *err);
// Standardises float features to zero mean, unit variance using train's
// statistics (columns with zero variance are only centred).
void data_standardize(ts_dataset *train, ts_dataset *test);
// Writes rows idx[0..B) of ds as floats into out (B, D).
void data_gather(const ts_dataset *ds, const int *idx, int B, float *out);

#endif
