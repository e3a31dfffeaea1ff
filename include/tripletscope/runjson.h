// runjson.h: a watched run's run.json (docs/dump-format.md): the settings its
// loss used, so the measurements use them by default.
#ifndef TRIPLETSCOPE_RUNJSON_H
#define TRIPLETSCOPE_RUNJSON_H
#include "tripletscope/error.h"

// Which keys the file set.
enum {
    RUNJSON_NAME = 1 << 0,
    RUNJSON_LOSS = 1 << 1,
    RUNJSON_MINER = 1 << 2,
    RUNJSON_MARGIN = 1 << 3,
    RUNJSON_PAIR_MARGIN = 1 << 4,
    RUNJSON_DISTANCE = 1 << 5,
    RUNJSON_NORMALIZE = 1 << 6,
    RUNJSON_SAMPLER = 1 << 7,
    RUNJSON_SEED = 1 << 8,
};

typedef struct {
    unsigned given;             // RUNJSON_*: the keys present (with the right type)
    char name[48];
    char loss[32], miner[24], distance[16], sampler[16];
    double margin, pair_margin;
    int normalize;
    unsigned long long seed;
} ts_runjson;

// Reads path (a JSON object of at most 64 KiB) into rj. Unknown keys are
// ignored; a known key of the wrong type, or text that is not one JSON
// object, is an error naming the file and the key. Returns 0, or -1.
int runjson_read(const char *path, ts_runjson *rj, ts_error *err);

#endif
