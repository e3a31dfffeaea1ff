// loader.h: what the loaders in src/data/ share (not part of the core's
// public interface).
#ifndef TRIPLETSCOPE_DATA_LOADER_H
#define TRIPLETSCOPE_DATA_LOADER_H
#include <stdio.h>
#include <zlib.h>
#include "tripletscope/data.h"
#include "tripletscope/dumpfile.h"

// --- The memory budget ---------------------------------------------------------
//
// A load is refused before it holds more than its budget (--max-memory):
// not array by array but everything it needs at once, so that a small
// hostile file (a gzip bomb, a header that claims billions of values) costs
// neither time nor memory. Every loader takes one of these.
typedef struct {
    uint64_t max;    // bytes the whole load may hold at once (never 0)
    uint64_t held;   // bytes already held by its earlier parts (Fashion's training half)
    int split;       // data_split copies the set afterwards (every set but Fashion)
} data_budget;

// A budget of max_bytes (0: 4 GiB, or half this machine's memory when less)
// for a load that is split afterwards when split is set.
data_budget data_budget_make(uint64_t max_bytes, int split);
// The most a load holds at once, in bytes, when n samples of d features
// (`values` of them in all, elem bytes each in memory) are read while `text`
// bytes (a CSV's text) are held: the features, the labels and their scratch,
// the class names, and when it is split the split's copies. Saturates.
uint64_t data_budget_need(const data_budget *b, uint64_t text, uint64_t n, uint64_t values,
                          uint64_t d, size_t elem);
// Fails naming what, the budget and --max-memory when need is over it;
// `at_least` when need is only a lower bound (text still arriving).
int data_budget_check(const data_budget *b, const char *what, uint64_t need, int at_least,
                      ts_error *err);

// Checks a generated set (blobs when `blobs`, else noise) of n samples of dim
// features, split afterwards, and the blobs' classes x dim centres against a
// budget of max_bytes, naming "--samples N x --dim D" in err when over it.
int data_budget_check_generated(uint64_t max_bytes, int n, int classes, int dim, int blobs,
                                ts_error *err);

// --- Shared steps ----------------------------------------------------------------

// Allocates ds as N x D features (bytes when as_u8, else floats) and N labels,
// everything else zeroed. Returns 0, or -1 (out of memory) with ds zeroed.
int data_alloc(ts_dataset *ds, int N, int D, int as_u8);
// Checks a header's N x D before anything is allocated for it: against
// size_t, the file's remaining bytes when avail >= 0 (file_elem bytes a
// value), int (every index in the program is one) and the budget (mem_elem
// bytes a value). Returns 0, or -1 naming what in err.
int data_check_size(const char *what, uint64_t n, uint64_t d, size_t file_elem,
                    size_t mem_elem, int64_t avail, const data_budget *b, ts_error *err);
// Checks a label file's header count against the expect samples of the
// features (features_path) and, when avail >= 0, the file's remaining bytes
// (elem bytes a label), before the labels are allocated.
int data_check_labels(const char *path, uint64_t n, size_t expect, const char *features_path,
                      size_t elem, int64_t avail, ts_error *err);
// Remaps raw label values (ds->N of them) in increasing order to 0..C-1,
// setting ds->y, ds->C and ds->class_names (the original values).
int data_remap_labels(ts_dataset *ds, const int64_t *raw, const char *what, ts_error *err);
// Remaps labels that are names: ids (ds->N of them) are their ids in map
// (in the order first seen); the names in byte order (strcmp) become
// 0..C-1, setting ds->y, ds->C and ds->class_names (copies of the names).
int data_remap_names(ts_dataset *ds, const int64_t *ids, const ts_labelmap *map,
                     const char *what, ts_error *err);
// Writes into why (cap bytes) what is wrong with s (len bytes) as a class
// name, and returns 1: empty, longer than TS_LABEL_NAME_MAX, a control
// character, not valid UTF-8. Returns 0 when nothing is.
int data_name_problem(const char *s, size_t len, char *why, size_t cap);
// Reads --class-names path: one name a line (blanks around it trimmed, CRLF
// and a byte order mark allowed, blank lines at the end ignored) for class
// ids 0..C-1 of the set `data` names. Exactly C names, each passing
// data_name_problem, no two alike; *out is malloc'ed (C strings). Returns 0,
// or -1 naming path (and its line) in err.
int data_read_class_names(const char *path, int C, const char *data, char ***out,
                          ts_error *err);
// Replaces ds->class_names by names (ds->C of them): taken over, or copied
// when copy is set. Returns 0, or -1 (out of memory, naming what).
int data_set_class_names(ts_dataset *ds, char **names, int copy, const char *what,
                         ts_error *err);
// Opens a user-named file for reading: a regular, non-empty file, checked
// without blocking (a FIFO or a device is refused before any read could wait
// on it). Returns the descriptor (blocking, close-on-exec) and sets *size,
// or -1 naming path in err (missing, a directory, a FIFO, empty, ...). Every
// loader opens its files through this.
int data_open(const char *path, int64_t *size, ts_error *err);
// Parses CSV text (text[len] must be '\0'), as data_load_csv_with describes
// (delimiter 0: detected); the text's own len bytes count against b (NULL:
// no budget, for the embedded sets). info (or NULL) says what was found.
int data_parse_csv_with(const char *what, const char *text, size_t len, int label_col,
                        char delimiter, const data_budget *b, ts_dataset *ds,
                        ts_csv_info *info, ts_error *err);
// data_parse_csv_with for comma-separated text (the embedded sets).
int data_parse_csv(const char *what, const char *text, size_t len, int label_col,
                   const data_budget *b, ts_dataset *ds, ts_error *err);
// --- .npy headers (npy.c) --------------------------------------------------------

#define DATA_NPY_MAX_DIMS 8

// What a .npy file's header says, parsed and bounds-checked.
typedef struct {
    char descr[24];   // e.g. "<f4", shown in messages (unprintables as '?')
    char order;       // '<', '>', '|' or '='
    char kind;        // 'f', 'i', 'u', ...
    int size;         // bytes a value (0 when descr is no plain "<kN")
    int fortran;      // Fortran (column-major) order
    int ndim;
    uint64_t shape[DATA_NPY_MAX_DIMS];
    int64_t avail;    // bytes after the header
} data_npy_header;

// Opens a .npy through data_open (so without blocking) and reads its magic,
// version and header into hd; the stream is left at the first value.
// Returns the stream, or NULL naming path in err (bad magic, a truncated or
// malformed header, an unsupported version, a structured dtype).
FILE *data_npy_open(const char *path, data_npy_header *hd, ts_error *err);
// 1 if path starts with the .npy magic, 0 if not, -1 naming path in err when
// it cannot be opened (through data_open: a FIFO is refused, never waited on).
int data_npy_magic(const char *path, ts_error *err);
// The shape as numpy prints it, "(150, 4)" or "(150,)", into out.
void data_npy_shape_text(const data_npy_header *hd, char *out, size_t cap);

// Reads IDX unsigned-byte features (raw or gzip) into ds; ds->y is allocated
// but not filled.
int data_read_idx_features(const char *path, const data_budget *b, ts_dataset *ds,
                           ts_error *err);
// Reads a label file: .npy (1-D integers) or IDX (0x00000801, raw or gzip),
// which must hold exactly `expect` labels, those of the samples of
// features_path (checked on the header, before anything is allocated).
// *raw is malloc'ed (expect values) on success.
int data_read_labels(const char *path, size_t expect, const char *features_path,
                     int64_t **raw, ts_error *err);
int data_read_labels_idx(const char *path, size_t expect, const char *features_path,
                         int64_t **raw, ts_error *err);
// Makes err->msg one line (a path may hold a newline); returns -1.
int data_err_oneline(ts_error *err);

// Reads labels_path for the ds->N samples of features_path and remaps them
// into ds (data_remap_labels). On failure frees ds; returns 0 or -1.
int data_attach_labels(ts_dataset *ds, const char *features_path, const char *labels_path,
                       ts_error *err);
// zlib's message for gz, without the "<fd:3>: " it puts first.
const char *data_gz_why(gzFile gz);

#endif
