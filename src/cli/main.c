// main.c: tripletscope's entry point.
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "cli.h"
#include "scenario.h"
#include "../ui/ui.h"
#include "tripletscope/blas.h"

// After --help, --version or --scenario list: their text is the whole
// answer, so losing it (stdout on a full disk) is an error, status 2.
static int stdout_done(void) {
    if (fflush(stdout) == 0 && !ferror(stdout)) return 0;
    fprintf(stderr, "tripletscope: stdout: write failed: %s\n", strerror(errno ? errno : EIO));
    return 2;
}

#define LESSON_SPEED 20   // steps/s: a lesson's pace in the interface without --speed

int main(int argc, char **argv) {
    ts_cli cli;
    ts_error err;
    if (cli_parse(argc, argv, &cli, &err)) {
        fprintf(stderr, "tripletscope: %s\n", err.msg);
        return 2;
    }
    if (cli.help) {
        cli_help(stdout);
        cli_free(&cli);
        return stdout_done();
    }
    if (cli.version) {
        printf("tripletscope %s (%s)\n", TS_VERSION, blas_describe());
        cli_free(&cli);
        return stdout_done();
    }
    if (cli.scenario && strcmp(cli.scenario, "list") == 0) {
        scenario_list(stdout);
        cli_free(&cli);
        return stdout_done();
    }
    if (cli.lesson_name && strcmp(cli.lesson_name, "list") == 0) {
        cli_lesson_list(stdout);
        cli_free(&cli);
        return stdout_done();
    }
    ts_dataset train, test;
    char name[64];
    memset(&train, 0, sizeof train);
    memset(&test, 0, sizeof test);
    if (cli.watch.n_dirs) {   // an attached run: no data set, the dumps are the data
        snprintf(name, sizeof name, "watch");
        if (!cli.headless && !cli.follow_given) cli.watch.follow = 1;
    } else if (cli_load_data(&cli, &train, &test, name, sizeof name, &err)) {
        fprintf(stderr, "tripletscope: %s\n", err.msg);
        cli_free(&cli);
        return 2;
    }
    int status;
    if (cli.headless) {
        status = run_headless(&cli, &train, &test, name);
    } else {
        if (!cli.eval_size_given && !cli.watch.n_dirs) cli.cfg.eval_size = UI_EVAL_SIZE_DEFAULT;
        ts_runner_opts opts = {.script = cli.script, .log_path = cli.log_path,
                               .watch = cli.watch.n_dirs ? &cli.watch : NULL,
                               .speed = cli.speed, .pause_on = cli.pause_on,
                               .lesson = cli.lesson, .lesson_auto = cli.lesson_auto};
        // A lesson goes at a pace a class can follow, unless told otherwise.
        if (cli.lesson && !cli.speed_given) opts.speed = LESSON_SPEED;
        if (cli.steps_given && !cli.watch.n_dirs) {   // the interface pauses at --steps
            opts.pause_at = cli.cfg.steps;
            opts.start_paused = cli.cfg.steps == 0;
        }
        ui_opts ui = {.palette = cli.palette};
        status = ui_run(&cli.cfg, &opts, &ui, &train, &test, name);
    }
    data_free(&train);
    data_free(&test);
    cli_free(&cli);
    return status;
}
