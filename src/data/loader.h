// loader.h: what the loaders in src/data/ share (not part of the core's
// public interface).
#ifndef TRIPLETSCOPE_DATA_LOADER_H
#define TRIPLETSCOPE_DATA_LOADER_H
#include <zlib.h>
#include "tripletscope/data.h"

// Allocates ds as N x D features (bytes when as_u8, else floats) and N labels,
// everything else zeroed. Returns 0, or -1 (out of memory) with ds zeroed.
int data_alloc(ts_dataset *ds, int N, int D, int as_u8);
// Checks a header's N x D against int and size_t, this machine's memory
// (mem_elem bytes a value) and, when avail >= 0, the file's remaining bytes
// (file_elem bytes a value). Returns 0, or -1 naming what in err.
int data_check_size(const char *what, uint64_t n, uint64_t d, size_t file_elem,
                    size_t mem_elem, int64_t avail, ts_error *err);
// Remaps raw label values (ds->N of them) in increasing order to 0..C-1,
// setting ds->y, ds->C and ds->class_names (the original values).
int data_remap_labels(ts_dataset *ds, const int64_t *raw, const char *what, ts_error *err);
// Opens a regular, non-empty file for reading; returns the descriptor and its
// size, or -1 naming path in err (missing, a directory, empty, ...).
int data_open(const char *path, int64_t *size, ts_error *err);
// Parses CSV text (text[len] must be '\0'), as data_load_csv describes.
int data_parse_csv(const char *what, const char *text, size_t len, int label_col,
                   ts_dataset *ds, ts_error *err);
// Reads IDX unsigned-byte features (raw or gzip) into ds; ds->y is allocated
// but not filled.
int data_read_idx_features(const char *path, ts_dataset *ds, ts_error *err);
// Reads a label file: .npy (1-D integers) or IDX (0x00000801, raw or gzip).
// *raw is malloc'ed (n values) on success.
int data_read_labels(const char *path, int64_t **raw, size_t *n, ts_error *err);
int data_read_labels_idx(const char *path, int64_t **raw, size_t *n, ts_error *err);
// Makes err->msg one line (a path may hold a newline); returns -1.
int data_err_oneline(ts_error *err);

// Reads labels_path for the ds->N samples of features_path and remaps them
// into ds (data_remap_labels). On failure frees ds; returns 0 or -1.
int data_attach_labels(ts_dataset *ds, const char *features_path, const char *labels_path,
                       ts_error *err);
// zlib's message for gz, without the "<fd:3>: " it puts first.
const char *data_gz_why(gzFile gz);

#endif
