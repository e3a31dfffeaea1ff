// file.h: opening the files tripletscope writes (--log, --dump-projection).
#ifndef TRIPLETSCOPE_FILE_H
#define TRIPLETSCOPE_FILE_H
#include <stdio.h>

// Opens path for writing (created, or truncated) without ever blocking: a
// FIFO that no process reads fails at once instead of hanging in open().
// Returns the stream, or NULL with errno set.
FILE *file_create(const char *path);
// What errno e means for file_create, for a one-line message.
const char *file_error(int e);

#endif
