// pace.c: the speed control's ladder and waits.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tripletscope/pace.h"

static const int rungs[] = {1, 2, 5, 10, 20, 50, 100, 200, 500};
#define N_RUNGS ((int)(sizeof rungs / sizeof rungs[0]))

int pace_faster(int speed) {
    if (speed <= TS_PACE_FULL) return TS_PACE_FULL;
    for (int i = 0; i < N_RUNGS; i++)
        if (rungs[i] > speed) return rungs[i];
    return TS_PACE_FULL;
}

int pace_slower(int speed) {
    if (speed <= TS_PACE_FULL) return rungs[N_RUNGS - 1];
    for (int i = N_RUNGS - 1; i >= 0; i--)
        if (rungs[i] < speed) return rungs[i];
    return rungs[0];
}

int pace_parse(const char *s, int *speed) {
    if (!s) return -1;
    if (!strcmp(s, "full")) {
        *speed = TS_PACE_FULL;
        return 0;
    }
    char *end;
    long x = strtol(s, &end, 10);
    if (*s < '0' || *s > '9' || *end || x < 1 || x > TS_PACE_MAX) return -1;
    *speed = (int)x;
    return 0;
}

double pace_wait(int speed, double last_start, double now) {
    if (speed <= TS_PACE_FULL || last_start < 0) return 0;
    double w = last_start + 1.0 / speed - now;
    return w > 0 ? w : 0;
}

void pace_text(int speed, char *buf, int n) {
    if (speed <= TS_PACE_FULL) snprintf(buf, (size_t)n, "full speed");
    else snprintf(buf, (size_t)n, "%d steps/s", speed);
}
