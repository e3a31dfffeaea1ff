// dumpfile.h: reading what a user's training loop dumps (docs/dump-format.md):
// one dump's embeddings and labels, the label map that keeps class ids
// stable across a run's dumps, the catalog of a run directory (or of a
// TensorBoard log directory) followed while it grows, and scalars.jsonl's
// lines.
//
// The data layer: reading only, no measuring. Every function that can fail
// on bad input returns -1 with one line in err naming the file and what is
// wrong, and leaves nothing allocated. Files are opened without blocking (a
// FIFO or a device is refused before a read could wait on it), and nothing
// proportional to a header's claims is allocated before the claim is checked
// against the file's size and the memory budget.
#ifndef TRIPLETSCOPE_DUMPFILE_H
#define TRIPLETSCOPE_DUMPFILE_H
#include <stddef.h>
#include <stdint.h>
#include "tripletscope/error.h"

// ============================================================================
// One dump
// ============================================================================

#define DUMPFILE_MAX_D 65536            // the widest embedding read
#define DUMPFILE_MAX_LABELS (1 << 20)   // distinct labels a label map holds
#define DUMPFILE_MAX_LABEL_TEXT 256     // bytes of one text label (metadata.tsv)

// What a matrix was stored as: a run's dumps keep one (docs/dump-format.md).
typedef enum {
    DUMPFILE_F16 = 1,   // .npy '<f2' / '>f2'
    DUMPFILE_F32,       // .npy '<f4' / '>f4'
    DUMPFILE_F64,       // .npy '<f8' / '>f8'
    DUMPFILE_TSV,       // tab-separated text (TensorBoard's tensors.tsv)
} dumpfile_dtype;

// "float16", "float32", "float64" or "tsv", for notices.
const char *dumpfile_dtype_name(dumpfile_dtype t);

// Reads one dump's embeddings, (N, D), into *x (malloc'd float32, row-major):
// a .npy of float16 (converted exactly: subnormals, Inf, NaN), float32 or
// float64 (rounded to float32; beyond its range it becomes Inf), either byte
// order, C order; or a .tsv of tab-separated numbers, one row per point
// (blank lines skipped; "nan", "inf" read as such). The file is told by its
// magic, then by its name (.npy). Refused, before anything is allocated for
// them: Fortran order, another dtype or rank, 0 rows or columns, D over
// DUMPFILE_MAX_D, a size the file does not hold (truncated, or bytes beyond
// the shape), N x D over INT_MAX, N x D floats over max_bytes (0: the
// default budget of --max-memory); a ragged or non-numeric .tsv row names
// its line. NaN and Inf values are returned as they are: they are evidence
// (diverged), not a format error. Returns 0, or -1 with *x NULL.
int dumpfile_read_matrix(const char *path, uint64_t max_bytes, float **x, int *N, int *D,
                         dumpfile_dtype *dtype_out, ts_error *err);

// --- The label map --------------------------------------------------------------
//
// One a watched run: raw labels (int64 values of .npy labels, or texts of a
// metadata.tsv column) get dense ids 0, 1, 2, ... in the order first seen, and
// keep them for the whole run, so that class 7 is the same id in every dump.
// A text that is a canonical decimal integer ("7", "-3", not "07") is the
// same label as that integer. Each id keeps its name for the legend (an int
// label's is its decimal text).
typedef struct {
    int count;            // distinct labels: ids 0 .. count-1
    // private:
    int cap;              // ids allocated
    char **names;         // (cap) NUL-terminated names
    int64_t *ivals;       // (cap) the value of an int label
    uint32_t *lens;       // (cap) name bytes; top bit set for an int label
    uint32_t *slots;      // (nslots) hash table of id + 1, 0 for empty
    uint32_t nslots;
    size_t name_bytes;    // all names' bytes (bounded too)
} ts_labelmap;

// An empty map (no allocation until the first label).
void labelmap_init(ts_labelmap *m);
// Frees the map; it is empty (and usable) afterwards.
void labelmap_free(ts_labelmap *m);
// The id of int label v, added when new. Returns the id, or -1 with err
// filled past DUMPFILE_MAX_LABELS labels or when out of memory.
int labelmap_id_int(ts_labelmap *m, int64_t v, ts_error *err);
// The id of a text label (len bytes, no NUL among them, at most
// DUMPFILE_MAX_LABEL_TEXT), added when new. Returns it, or -1 with err.
int labelmap_id_text(ts_labelmap *m, const char *s, size_t len, ts_error *err);
// The name of id (0 <= id < count): the decimal text of an int label, the
// text of a text label. Valid until the map changes size or is freed.
const char *labelmap_name(const ts_labelmap *m, int id);
// Forgets the ids from count on: a dump the caller skips after reading its
// labels leaves no class behind. The readers below do it themselves when
// they fail.
void labelmap_truncate(ts_labelmap *m, int count);

// Reads the expect_N labels of one dump into y_out (expect_N ints, the
// caller's), mapped through map: a .npy of 1-D integers (i1, i2, i4, i8, u1,
// u2, u4, u8, either byte order; a uint64 over INT64_MAX is refused), or a
// metadata .tsv (one column: no header, a label a line; several: a header
// line of column names, then tab-separated rows). label_col chooses the
// .tsv's column: NULL (the first), a header's name, or a 0-based number (a
// name first); an unknown name lists the names there are; it is ignored for
// a .npy. A count other than expect_N fails naming both counts, path and
// features_path (the embeddings' file, or NULL). On failure the map is as it
// was before the call. Returns 0 or -1.
int dumpfile_read_labels(const char *path, const char *features_path, int expect_N,
                         const char *label_col, ts_labelmap *map, int *y_out, ts_error *err);

// Reads the expect_N sample ids of batch-STEP.ids.npy into ids_out (the
// caller's): 1-D integers as labels are. Returns 0 or -1.
int dumpfile_read_ids(const char *path, const char *features_path, int expect_N,
                      int64_t *ids_out, ts_error *err);

// --- scalars.jsonl ---------------------------------------------------------------

#define DUMPFILE_SCALAR_NAME 48   // bytes of a field's name, with its NUL

// Parses one line of scalars.jsonl, a JSON object such as
// {"step":120,"loss":0.31,"lr":0.001}: *step its "step" (an integer >= 0
// that fits in 63 bits), and its other numeric fields, in order, into
// names[k] / values[k] (at most max; *n of them). Strict JSON, except that
// NaN, Infinity and -Infinity are numbers (Python's json writes them: a
// diverged loss). Strings, true, false, null, arrays and nested objects are
// skipped; so are names longer than DUMPFILE_SCALAR_NAME - 1 bytes. Returns
// 0, -1 when the line is not one JSON object (nothing may follow it but
// blanks), or -2 when it is one without a valid "step".
int dumpfile_parse_scalar_line(const char *line, int64_t *step,
                               char names[][DUMPFILE_SCALAR_NAME], double *values, int max,
                               int *n);

// ============================================================================
// The catalog of a run directory
// ============================================================================

// What catalog_open found.
typedef enum {
    CATALOG_RUN = 1,       // batch-STEP.npy, eval-STEP.npy, ... (docs/dump-format.md)
    CATALOG_TENSORBOARD,   // projector_config.pbtxt and the files its blocks name
} catalog_kind;

typedef enum { DUMP_BATCH, DUMP_EVAL } dump_kind;

// A dump's files.
typedef enum { DUMP_EMBEDDINGS, DUMP_LABELS, DUMP_IDS } dump_file;

// One complete dump, as catalog_entry shows it. The names are relative to
// the catalog's directory (catalog_path joins them), valid until the next
// catalog_scan or catalog_free.
typedef struct {
    int64_t step;              // >= 0
    dump_kind kind;
    int has_ids;               // batch-STEP.ids.npy was there when it was listed
    const char *embeddings;    // "batch-000120.npy", "00042/emb/tensors.tsv"
    const char *labels;        // "batch-000120.labels.npy"; NULL: a TensorBoard block
                               // without metadata_path
    const char *ids;           // NULL without ids
    const char *tag;           // a TensorBoard block's tensor_name, else NULL
} dump_entry;

// The catalog: what was listed so far. Its fields are private (the caller
// only holds it); under 200 bytes an entry (catalog_memory).
typedef struct {
    char *dir;                   // the directory as given
    catalog_kind kind;
    struct catalog_item *items;  // (cap_items) entries, in the order handed out
    size_t count, cap_items;
    char *arena;                 // the entries' names, NUL-terminated, by offset
    size_t arena_len, arena_cap;
    uint32_t *seen;              // hash set of arena offsets + 1: names decided on
    size_t seen_slots, seen_count;
    int64_t last_step[2];        // the highest step handed out, per dump_kind (-1: none)
    int *ranks;                  // (n_ranks) the other ranks seen, sorted
    int n_ranks, cap_ranks;
    char **notices;              // (100) a ring of pending notices
    size_t notice_head, n_notices, notices_dropped;
    char *notice_out;            // the text catalog_next_notice returned last
} ts_catalog;

// Opens dir (a directory) and tells its kind: a TensorBoard log directory
// when projector_config.pbtxt is in it, else a run directory (maybe still
// empty: a run that has not dumped yet). Lists nothing yet. Returns 0, or -1
// naming dir (missing, not a directory, unreadable).
int catalog_open(ts_catalog *cat, const char *dir, ts_error *err);
// Frees the catalog; safe on a zeroed or freed one.
void catalog_free(ts_catalog *cat);

// Reads the directory again and appends the dumps that became complete since
// the last scan, in step order (batches before evaluations at one step). A
// dump is complete once its labels file exists (the writer renames it into
// place last); embeddings alone, names starting with '.', anything that does
// not match the patterns exactly, are ignored. Rank 0 is the batch
// (batch-STEP.rank0.npy, or batch-STEP.npy); other ranks are counted
// (catalog_other_ranks). Skipped with a notice (once each): a second dump of
// a step and kind (the first listed stays, or the first name in byte order);
// a step lower than one of its kind listed by an earlier scan (out of order);
// a step past 63 bits. A TensorBoard directory's blocks are eval dumps at the
// step after the last ':' of tensor_name (no step: the block's position),
// listed once their files exist. Returns the number of new entries, or -1
// naming the directory or projector_config.pbtxt (unreadable; a config that
// does not parse, a block without tensor_path), the catalog unchanged: a
// writer rewriting the config may be mid-write, so a caller following it
// may scan again.
int catalog_scan(ts_catalog *cat, ts_error *err);

// The entries listed so far, and the i-th of them (0 <= i < count; the
// strings as dump_entry says).
size_t catalog_count(const ts_catalog *cat);
dump_entry catalog_entry(ts_catalog *cat, size_t i);
// The next notice not yet returned (one line, no newline, naming the file),
// or NULL. Valid until the next call. At most 100 wait; past that one line
// says how many more were dropped.
const char *catalog_next_notice(ts_catalog *cat);
// The number of distinct ranks other than 0 whose batches were seen
// (complete ones): the caller says it reads rank 0 only.
int catalog_other_ranks(const ts_catalog *cat);
catalog_kind catalog_kind_of(const ts_catalog *cat);
// The bytes the catalog holds (its entries, names, set and notices): what a
// long run's thousands of dumps cost.
size_t catalog_memory(const ts_catalog *cat);

// Joins the catalog's directory and a relative name (an absolute name stays
// as it is) into buf. Returns 0, or -1 when it does not fit in cap.
int catalog_path(const ts_catalog *cat, const char *name, char *buf, size_t cap);
// The full path of an entry's file (DUMP_LABELS / DUMP_IDS: -1 when it has
// none). Returns 0 or -1.
int catalog_entry_path(ts_catalog *cat, size_t i, dump_file which, char *buf, size_t cap);
// run.json and scalars.jsonl: whether each is there (a regular file), and
// its path (0, or -1 when it does not fit).
int catalog_has_run_json(const ts_catalog *cat);
int catalog_has_scalars(const ts_catalog *cat);
int catalog_run_json_path(const ts_catalog *cat, char *buf, size_t cap);
int catalog_scalars_path(const ts_catalog *cat, char *buf, size_t cap);

#endif
