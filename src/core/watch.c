// watch.c: an attached run's dumps as the driver's source (watch.h).
#include <stdio.h>
#include "tripletscope/source.h"
#include "tripletscope/watch.h"

int watch_source_create(struct ts_source *src, const ts_watch_opts *opts, const ts_config *cfg,
                        ts_error *err) {
    (void)src; (void)opts; (void)cfg;
    return ts_fail(err, "--watch: not available yet");
}
