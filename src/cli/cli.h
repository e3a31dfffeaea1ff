// cli.h: command-line parsing and the front ends (headless, interface).
#ifndef TRIPLETSCOPE_CLI_H
#define TRIPLETSCOPE_CLI_H
#include <stdio.h>
#include "tripletscope/data.h"
#include "tripletscope/error.h"
#include "tripletscope/session.h"

typedef struct {
    ts_config cfg;
    ts_data_opts data;
    int headless;
    int help, version;
    int eval_size_given;         // the interface caps evaluation unless told
    const char *log_path;        // --log FILE
    const char *script;          // --script "STEP:KEYS,..."
    const char *dump_projection; // --dump-projection FILE
    const char *scenario;        // --scenario NAME
} ts_cli;

// Parses argv into cli; returns 0, or -1 with a one-line message naming the flag.
int cli_parse(int argc, char **argv, ts_cli *cli, ts_error *err);
// Prints --help: every flag, its default and its range.
void cli_help(FILE *f);

// Loads the data set the flags name; name receives its display name.
int cli_load_data(ts_cli *cli, ts_dataset *train, ts_dataset *test, char *name,
                  size_t name_len, ts_error *err);

// Runs training without the interface, printing JSON lines. Returns the exit status.
int run_headless(ts_cli *cli, const ts_dataset *train, const ts_dataset *test,
                 const char *name);

#endif
