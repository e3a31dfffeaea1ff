// snapshot.c: what the sources write into a snapshot beside their numbers.
#include <string.h>
#include "tripletscope/snapshot.h"

void snapshot_class_name(ts_snapshot *snap, int c, const char *name) {
    char *dst = snap->class_names[c];
    size_t cap = sizeof snap->class_names[c] - 1, n = strlen(name);
    if (n > cap) {
        n = cap;
        // Back to the start of a UTF-8 character: never half of one.
        while (n > 0 && ((unsigned char)name[n] & 0xC0) == 0x80) n--;
    }
    memcpy(dst, name, n);
    dst[n] = 0;
}
