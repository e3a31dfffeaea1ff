// targets.h: the fuzz targets of the data loaders and of the dump reader
// (dumpfile.h), shared by the libFuzzer
// binaries (`make fuzz`, tests/fuzz/fuzz_*.c) and the replay of the corpora
// under `make test` (tests/test_fuzz_replay.c).
//
// Each writes its input to files and loads them through data_load, as
// --data FILE does: so the file checks, gzip, the budget, the split and
// standardising all run. Any outcome is fine but a crash or a broken
// promise: a success must be a valid pair of splits, a failure exactly one
// line naming the file or a flag with nothing left allocated. A broken
// promise aborts, so the fuzzer reports it as a crash.
#ifndef TRIPLETSCOPE_FUZZ_TARGETS_H
#define TRIPLETSCOPE_FUZZ_TARGETS_H
#include <stddef.h>
#include <stdint.h>

// What splits an NPY or IDX input into the features' file and the labels'
// (without it the whole input is the features, loaded without --labels).
#define FUZZ_LABELS_SEP "==labels=="

// The budget of every load (--max-memory): small, so that a bomb the
// mutations make is refused in milliseconds and the sanitizers' memory stays low.
#define FUZZ_MAX_BYTES (4u << 20)

// The input as a .csv (label in the last column, then in the first).
int fuzz_csv(const uint8_t *data, size_t size);
// The input as a .npy, then its labels (.npy or IDX) after FUZZ_LABELS_SEP.
int fuzz_npy(const uint8_t *data, size_t size);
// The input as an IDX file (raw or gzip), then its labels after FUZZ_LABELS_SEP.
int fuzz_idx(const uint8_t *data, size_t size);

// The dump reader's own promises: a success is what dumpfile.h says it
// returns; a failure is one line naming the file, nothing left allocated, the
// label map as it was.
//
// The input as a TensorBoard log directory's projector_config.pbtxt (its
// blocks may name t.tsv, in.csv, in.npy, ... which exist): opened and
// scanned twice; entries in step order, every notice one line.
int fuzz_pbtxt(const uint8_t *data, size_t size);
// The input as a dump's embeddings (tensors.tsv, or a .npy by its magic),
// then as its labels (metadata.tsv with the first column, column 1, and a
// column named "label"), and each of its lines as a scalars.jsonl line.
int fuzz_tsv(const uint8_t *data, size_t size);

#endif
