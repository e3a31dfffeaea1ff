// watch.h: an attached run as the driver's source: the embeddings a user's
// training loop dumps (docs/dump-format.md), read as they come and measured
// as the trainer measures its own models, under settings the user may
// change to ask "what if" (the setting keys re-measure the dump shown).
//
//   run directory --catalog--> dumps --measure.h / eval.h / pca.h--> tracks
#ifndef TRIPLETSCOPE_WATCH_H
#define TRIPLETSCOPE_WATCH_H
#include <stdint.h>
#include "tripletscope/config.h"
#include "tripletscope/error.h"

// Runs watched side by side at most: one column each.
#define TS_MAX_WATCH 2

// Settings given by flag, which win over a run's run.json.
enum {
    WATCH_GIVEN_MINER = 1 << 0,
    WATCH_GIVEN_MARGIN = 1 << 1,
    WATCH_GIVEN_PAIR_MARGIN = 1 << 2,
    WATCH_GIVEN_DISTANCE = 1 << 3,
    WATCH_GIVEN_NORMALIZE = 1 << 4,
};

typedef struct {
    int n_dirs;
    const char *dir[TS_MAX_WATCH];  // --watch DIR, in order
    int follow;                     // keep watching for new dumps (--follow; the interface's default)
    const char *label_col;          // --label-col for TensorBoard metadata: a name or a number, or NULL
    unsigned given;                 // WATCH_GIVEN_*: the settings flags given
    uint64_t max_bytes;             // what reading one dump may hold (--max-memory; 0: the default)
    int poll_ms;                    // how often a followed directory is listed (0: 200 ms)
} ts_watch_opts;

struct ts_source;
// Opens the runs opts names as a source. cfg gives the settings the flags
// set (used where opts->given says, else run.json's, else the format's
// defaults), the seed, --eval-size and --export-dir. Reads every run.json
// and lists every directory; refuses a directory with no dump, an unreadable
// first dump or two runs of the same loss (the columns are one contrastive
// and one triplet run). Returns 0, or -1 with a one-line message in err.
int watch_source_create(struct ts_source *src, const ts_watch_opts *opts, const ts_config *cfg,
                        ts_error *err);

#endif
