// fuzz_tsv.c: libFuzzer's entry point for fuzz_tsv (targets.h); built by `make fuzz`.
#include "targets.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) { return fuzz_tsv(data, size); }
