// cli.h: command-line parsing and the front ends (headless, interface).
#ifndef TRIPLETSCOPE_CLI_H
#define TRIPLETSCOPE_CLI_H
#include <stdio.h>
#include "tripletscope/data.h"
#include "tripletscope/error.h"
#include "tripletscope/config.h"
#include "tripletscope/lesson.h"
#include "tripletscope/watch.h"

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
    ts_watch_opts watch;         // --watch DIR (n_dirs 0: train)
    int follow_given;            // --follow / --no-follow given (the interface follows by default)
    int label_col_name;          // --label-col named a column (only --watch reads names)
    int palette;                 // --palette (the interface's ui_palette; 0: default)
    int steps_given;             // --steps given: the interface pauses there
    int speed;                   // --speed (steps/s; TS_PACE_FULL: full)
    unsigned pause_on;           // --pause-on (TS_PAUSE_ON_* bits)
    int speed_given;             // --speed given (a lesson's pace is 20 steps/s unless told)
    const char *lesson_name;     // --lesson NAME|FILE|list, or NULL
    int lesson_auto;             // --auto: the interface goes on by itself at a lesson's waits
    ts_lesson *lesson;           // the lesson loaded (its flags parsed before the command
                                 // line's), or NULL; owned: cli_free
    char **lesson_argv;          // the words parsed: the program, the lesson's, the command line's
} ts_cli;

// --- The flags ------------------------------------------------------------------
//
// One row a flag (args.c): how its value is parsed and stored, and how --help
// shows it (help.c prints the rows in order). Which data sets read a data
// flag is the data layer's to say (data_flag_given), not a column here.
typedef struct cli_flag cli_flag;
// Parses v (NULL for a flag without a value) into cli; 0, or -1 with err
// naming fl->name.
typedef int cli_set(const cli_flag *fl, const char *v, ts_cli *cli, ts_error *err);
struct cli_flag {
    const char *name;   // "--lr"; NULL: a row that only captions --help's next section
    const char *arg;    // its value's name in --help ("F"); NULL: it takes no value
    cli_set *set;
    size_t at;          // offsetof(ts_cli, ...): where the shared setters store the value
    long lo, hi;        // the shared setters' range; set_on stores lo
    const char *help;   // --help's text, lines joined by \n; NULL: not listed (an alias)
    const char *label;  // --help's left column when it is not "name arg"
};
// Every flag, in --help's order (cli_n_flags rows).
extern const cli_flag cli_flags[];
extern const size_t cli_n_flags;

// Parses argv into cli; returns 0, or -1 with a one-line message naming the flag
// (or the lesson's file and line). With --lesson NAME|FILE, the lesson's flags
// come first and the command line's override or add to them.
int cli_parse(int argc, char **argv, ts_cli *cli, ts_error *err);
// Frees what cli_parse loaded (the lesson); cli's strings from it go too.
void cli_free(ts_cli *cli);
// Prints the embedded lessons, a line each (--lesson list).
void cli_lesson_list(FILE *f);
// Prints --help: every flag, its default and its range.
void cli_help(FILE *f);

// Loads the data set the flags name; name receives its display name.
int cli_load_data(ts_cli *cli, ts_dataset *train, ts_dataset *test, char *name,
                  size_t name_len, ts_error *err);

// Runs training without the interface, printing JSON lines. Returns the exit status.
int run_headless(ts_cli *cli, const ts_dataset *train, const ts_dataset *test,
                 const char *name);

#endif
