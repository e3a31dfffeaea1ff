// file.c: opening the files tripletscope writes.
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include "tripletscope/file.h"

FILE *file_create(const char *path) {
    // O_NONBLOCK only for the open: on a FIFO without a reader it fails
    // with ENXIO rather than waiting for one; writes block as usual after.
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, 0666);
    if (fd < 0) return NULL;
    int flags = fcntl(fd, F_GETFL);
    FILE *f = flags >= 0 && fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) == 0 ? fdopen(fd, "w") : NULL;
    if (!f) {
        int e = errno;
        close(fd);
        errno = e;
    }
    return f;
}

const char *file_error(int e) {
    return e == ENXIO ? "a FIFO that no process reads" : strerror(e);
}
