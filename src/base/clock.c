// clock.c: a monotonic clock.
#include <time.h>
#include "tripletscope/clock.h"

double clock_now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}
