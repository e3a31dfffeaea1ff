// fuzz_npy.c: libFuzzer's entry point for fuzz_npy (targets.h); built by `make fuzz`.
#include "targets.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) { return fuzz_npy(data, size); }
