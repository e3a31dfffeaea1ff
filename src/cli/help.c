// help.c: --help. Keep it true: every flag, its default and its range. The
// flags' lines are the flag table's (args.c), in its order.
#include "cli.h"

// --- The text around the flags ---------------------------------------------------

// Above the flags.
static const char intro[] =
"usage: tripletscope [flags]            the interface (q quits, ? explains)\n"
"       tripletscope --headless [flags] JSON lines on stdout\n"
"\n"
"Trains a Siamese (contrastive) and a triplet model side by side on the same\n"
"batches from the same initial weights, and shows why one learns and the other\n"
"stalls: triplet difficulty counts, distances, norms, held-out P@1 and MAP@R.\n";

// Below the flags, after a blank line. TS_DOCDIR, where `make install` puts
// the docs, comes from the Makefile (its PREFIX at build time).
static const char keys[] =
"Keys: space pause, . step, m/M miner, p sampler, +/- margin, n normalise,\n"
"d distance, ]/[ lr, o soft, z reducer, w weight decay, l pair labels, r reset,\n"
"R new seed, e export, v projection, g loss axis (linear, log, recent), ? help,\n"
"q quit.\n"
"\n"
"More: man tripletscope (every flag, key and file format), and the docs:\n"
"metrics.md defines every number, interface.md every panel, failure-modes.md\n"
"every finding; they are in docs/ of a clone, and installed in\n"
"  " TS_DOCDIR "/docs\n";

// --- The flags ---------------------------------------------------------------------

// The text starts in this column; a longer left column would push it out of line.
#define LEFT 19
#define INDENT "                       "   // 2 + LEFT + 2 spaces

// "  --lr F               learning rate, > 0 [0.001]": the left column, then
// the text, each of its later lines indented to the same column.
static void print_flag(FILE *f, const cli_flag *fl) {
    char left[64];
    if (fl->label) snprintf(left, sizeof left, "%s", fl->label);
    else snprintf(left, sizeof left, "%s%s%s", fl->name, fl->arg ? " " : "", fl->arg ? fl->arg : "");
    if (!*fl->help) {
        fprintf(f, "  %s\n", left);
        return;
    }
    fprintf(f, "  %-*s  ", LEFT, left);
    for (const char *p = fl->help; *p; p++) {
        fputc(*p, f);
        if (*p == '\n') fputs(INDENT, f);
    }
    fputc('\n', f);
}

void cli_help(FILE *f) {
    fputs(intro, f);
    for (size_t i = 0; i < cli_n_flags; i++) {
        const cli_flag *fl = &cli_flags[i];
        if (!fl->name) fprintf(f, "\n%s\n", fl->help);   // a section's caption
        else if (fl->help) print_flag(f, fl);
    }
    fputc('\n', f);
    fputs(keys, f);
}
