// scenario.h: --scenario NAME, reproducible stalls for the diagnosis engine.
#ifndef TRIPLETSCOPE_SCENARIO_H
#define TRIPLETSCOPE_SCENARIO_H
#include <stdio.h>
#include "cli.h"

// Applies the scenario's flags to cli (before explicit flags override them).
// Returns 0, or -1 with err naming --scenario when the name is unknown.
int scenario_apply(ts_cli *cli, const char *name, ts_error *err);
// Prints the scenarios, their flags and what they show (--scenario list).
void scenario_list(FILE *f);

#endif
