// scenario.c: placeholder (no scenarios yet).
#include <string.h>
#include "scenario.h"

int scenario_apply(ts_cli *cli, const char *name, ts_error *err) {
    (void)cli;
    return ts_fail(err, "--scenario: unknown scenario \"%s\" (see --scenario list)", name);
}

void scenario_list(FILE *f) { fprintf(f, "no scenarios yet\n"); }
