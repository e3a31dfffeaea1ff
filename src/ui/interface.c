// interface.c: placeholder until the ncurses interface lands: a short
// headless run.
#include "../cli/cli.h"

int run_interface(ts_cli *cli, const ts_dataset *train, const ts_dataset *test,
                  const char *name) {
    if (cli->cfg.steps > 300) cli->cfg.steps = 300;
    return run_headless(cli, train, test, name);
}
