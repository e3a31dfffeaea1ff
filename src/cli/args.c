// args.c: flags into a configuration. Presets apply first, explicit flags
// override them, whatever their order on the command line.
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "scenario.h"

// ---------------------------------------------------------------------------
// Values

static int parse_long(const char *flag, const char *v, long lo, long hi, long *out,
                      ts_error *err) {
    char *end;
    errno = 0;
    long x = strtol(v, &end, 10);
    if (!*v || *end || errno)
        return ts_fail(err, "%s: expected an integer, got \"%s\"", flag, v);
    if (x < lo || x > hi)
        return ts_fail(err, "%s: must be between %ld and %ld (got %ld)", flag, lo, hi, x);
    *out = x;
    return 0;
}

static int parse_int(const char *flag, const char *v, long lo, long hi, int *out, ts_error *err) {
    long x = 0;
    if (parse_long(flag, v, lo, hi, &x, err)) return -1;
    *out = (int)x;
    return 0;
}

static int parse_float(const char *flag, const char *v, float *out, ts_error *err) {
    char *end;
    errno = 0;
    double x = strtod(v, &end);
    if (!*v || *end || errno == ERANGE)
        return ts_fail(err, "%s: expected a number, got \"%s\"", flag, v);
    if (!isfinite(x)) return ts_fail(err, "%s: must be finite (got %s)", flag, v);
    if (x != 0 && !isnormal((float)x))
        return ts_fail(err, "%s: %s is out of the range of a float", flag, v);
    *out = (float)x;
    return 0;
}

// A size in bytes with an optional K, M, G or T (powers of 1024), e.g. 8G.
static int parse_size(const char *flag, const char *v, uint64_t *out, ts_error *err) {
    char *end;
    errno = 0;
    double x = strtod(v, &end);
    double unit = 1;
    if (*end && !end[1]) {
        const char *units = "KMGT", *u = strchr(units, *end == 'k' ? 'K' : *end);
        if (u) {
            for (long i = 0; i <= u - units; i++) unit *= 1024;
            end++;
        }
    }
    if (!*v || *end || errno || !isfinite(x))
        return ts_fail(err, "%s: expected a size like 512M or 8G, got \"%s\"", flag, v);
    x *= unit;
    if (x < 1024.0 * 1024 || x > 1125899906842624.0)   // 1 MiB .. 1 PiB
        return ts_fail(err, "%s: must be between 1M and 1024T (got %s)", flag, v);
    *out = (uint64_t)x;
    return 0;
}

static int parse_hidden(const char *v, ts_config *c, ts_error *err) {
    c->n_hidden = 0;
    // An empty value is more likely an unset shell variable than a wish for
    // a linear model: that one is spelled out.
    if (!*v) return ts_fail(err, "--hidden: empty value (use --hidden none for no hidden layer)");
    if (strcmp(v, "none") == 0) return 0;
    const char *p = v;
    while (*p) {
        if (c->n_hidden == TS_MAX_LAYERS - 1)
            return ts_fail(err, "--hidden: at most %d hidden layers", TS_MAX_LAYERS - 1);
        char *end;
        errno = 0;
        long x = strtol(p, &end, 10);
        if (end == p || (*end && *end != ',') || errno)
            return ts_fail(err, "--hidden: expected sizes like 256,128, got \"%s\"", v);
        if (x < 1 || x > 65536)
            return ts_fail(err, "--hidden: layer sizes must be between 1 and 65536 (got %ld)", x);
        c->hidden[c->n_hidden++] = (int)x;
        if (*end && !end[1])
            return ts_fail(err, "--hidden: expected sizes like 256,128, got \"%s\"", v);
        p = *end ? end + 1 : end;
    }
    return 0;
}

// The directory is copied into the configuration: a longer one would be cut
// (and an export written elsewhere), an empty one would mean "/".
static int parse_export_dir(const char *v, ts_config *c, ts_error *err) {
    size_t n = strlen(v);
    if (n == 0) return ts_fail(err, "--export-dir: empty value (use . for the current directory)");
    if (n >= sizeof c->export_dir)
        return ts_fail(err, "--export-dir: at most %zu characters (got %zu)",
                       sizeof c->export_dir - 1, n);
    memcpy(c->export_dir, v, n + 1);
    return 0;
}

// ---------------------------------------------------------------------------
// The flags

enum { NO_ARG, ARG };

static const struct flag {
    const char *name;
    int arg;
} flags[] = {
    {"--data", ARG}, {"--data-dir", ARG}, {"--labels", ARG}, {"--label-col", ARG},
    {"--test-frac", ARG}, {"--classes", ARG}, {"--dim", ARG}, {"--noise", ARG},
    {"--samples", ARG}, {"--hidden", ARG}, {"--embed-dim", ARG}, {"--optimizer", ARG},
    {"--lr", ARG}, {"--momentum", ARG}, {"--margin", ARG}, {"--soft", NO_ARG},
    {"--no-soft", NO_ARG}, {"--reduce", ARG}, {"--pair-margin", ARG}, {"--miner", ARG},
    {"--sampler", ARG}, {"--batch", ARG}, {"--k", ARG}, {"--normalize", NO_ARG},
    {"--no-normalize", NO_ARG}, {"--squared", NO_ARG}, {"--no-squared", NO_ARG},
    {"--preset", ARG}, {"--seed", ARG}, {"--steps", ARG}, {"--log-every", ARG},
    {"--eval-every", ARG}, {"--eval-size", ARG}, {"--headless", NO_ARG}, {"--log", ARG},
    {"--script", ARG}, {"--dump-projection", ARG}, {"--models", ARG}, {"--threads", ARG},
    {"--scenario", ARG}, {"--export-dir", ARG}, {"--help", NO_ARG}, {"-h", NO_ARG},
    {"--version", NO_ARG}, {"--max-memory", ARG},
};

static const struct flag *find_flag(const char *name, size_t len) {
    for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++)
        if (strlen(flags[i].name) == len && strncmp(flags[i].name, name, len) == 0)
            return &flags[i];
    return NULL;
}

// The data flags that only some data sets read (see data.h).
static unsigned companion_bit(const char *f) {
    static const struct { const char *flag; unsigned bit; } bits[] = {
        {"--data-dir", TS_GIVEN_DATA_DIR}, {"--labels", TS_GIVEN_LABELS},
        {"--label-col", TS_GIVEN_LABEL_COL}, {"--test-frac", TS_GIVEN_TEST_FRAC},
        {"--classes", TS_GIVEN_CLASSES}, {"--dim", TS_GIVEN_DIM},
        {"--samples", TS_GIVEN_SAMPLES}, {"--noise", TS_GIVEN_NOISE},
    };
    for (size_t i = 0; i < sizeof bits / sizeof bits[0]; i++)
        if (!strcmp(f, bits[i].flag)) return bits[i].bit;
    return 0;
}

static int apply(ts_cli *cli, const char *f, const char *v, ts_error *err) {
    ts_config *c = &cli->cfg;
    ts_settings *s = &c->set;
    ts_data_opts *d = &cli->data;
    long l;
    d->given |= companion_bit(f);
    if (!strcmp(f, "--data")) d->data = v;
    else if (!strcmp(f, "--data-dir")) d->data_dir = v;
    else if (!strcmp(f, "--labels")) d->labels = v;
    else if (!strcmp(f, "--label-col")) return parse_int(f, v, 0, 1 << 20, &d->label_col, err);
    else if (!strcmp(f, "--test-frac")) {
        if (parse_float(f, v, &d->test_frac, err)) return -1;
        if (!(d->test_frac > 0 && d->test_frac < 1))
            return ts_fail(err, "--test-frac: must be between 0 and 1, exclusive (got %s)", v);
    }
    else if (!strcmp(f, "--classes")) return parse_int(f, v, 2, TS_MAX_CLASSES, &d->classes, err);
    else if (!strcmp(f, "--dim")) return parse_int(f, v, 1, 1 << 16, &d->dim, err);
    else if (!strcmp(f, "--samples")) return parse_int(f, v, 4, 10000000, &d->samples, err);
    else if (!strcmp(f, "--noise")) {
        if (parse_float(f, v, &d->noise, err)) return -1;
        if (d->noise < 0) return ts_fail(err, "--noise: must be >= 0 (got %s)", v);
    }
    else if (!strcmp(f, "--hidden")) return parse_hidden(v, c, err);
    else if (!strcmp(f, "--embed-dim")) return parse_int(f, v, 1, 65536, &c->embed_dim, err);
    else if (!strcmp(f, "--optimizer")) {
        if (!strcmp(v, "adam")) c->optimizer = OPT_ADAM;
        else if (!strcmp(v, "sgd")) c->optimizer = OPT_SGD;
        else return ts_fail(err, "--optimizer: expected adam or sgd, got \"%s\"", v);
    }
    else if (!strcmp(f, "--lr")) {
        if (parse_float(f, v, &s->lr, err)) return -1;
        if (!(s->lr > 0)) return ts_fail(err, "--lr: must be > 0 (got %s)", v);
    }
    else if (!strcmp(f, "--momentum")) return parse_float(f, v, &c->momentum, err);
    else if (!strcmp(f, "--margin")) {
        if (parse_float(f, v, &s->margin, err)) return -1;
        if (s->margin < 0) return ts_fail(err, "--margin: must be >= 0 (got %s)", v);
    }
    else if (!strcmp(f, "--pair-margin")) {
        if (parse_float(f, v, &s->pair_margin, err)) return -1;
        if (s->pair_margin < 0) return ts_fail(err, "--pair-margin: must be >= 0 (got %s)", v);
    }
    else if (!strcmp(f, "--soft")) s->soft = 1;
    else if (!strcmp(f, "--no-soft")) s->soft = 0;
    else if (!strcmp(f, "--reduce")) {
        if (!strcmp(v, "mean")) s->reduce = REDUCE_MEAN;
        else if (!strcmp(v, "nonzero")) s->reduce = REDUCE_NONZERO;
        else return ts_fail(err, "--reduce: expected mean or nonzero, got \"%s\"", v);
    }
    else if (!strcmp(f, "--miner")) {
        int m = miner_parse(v);
        if (m < 0)
            return ts_fail(err, "--miner: expected random, all, hard, semihard or hardest-neg, got \"%s\"", v);
        s->miner = (ts_miner)m;
    }
    else if (!strcmp(f, "--sampler")) {
        if (!strcmp(v, "uniform")) s->sampler = SAMPLER_UNIFORM;
        else if (!strcmp(v, "pk")) s->sampler = SAMPLER_PK;
        else return ts_fail(err, "--sampler: expected uniform or pk, got \"%s\"", v);
    }
    else if (!strcmp(f, "--batch")) return parse_int(f, v, 3, 8192, &c->batch, err);
    else if (!strcmp(f, "--k")) return parse_int(f, v, 1, 8192, &c->k, err);
    else if (!strcmp(f, "--normalize")) s->normalize = 1;
    else if (!strcmp(f, "--no-normalize")) s->normalize = 0;
    else if (!strcmp(f, "--squared")) s->squared = 1;
    else if (!strcmp(f, "--no-squared")) s->squared = 0;
    else if (!strcmp(f, "--preset")) { /* applied in the first pass */ }
    else if (!strcmp(f, "--seed")) {
        if (parse_long(f, v, 0, 2147483647L, &l, err)) return -1;
        c->seed = (uint64_t)l;
        d->seed = (uint64_t)l;
    }
    else if (!strcmp(f, "--steps")) return parse_long(f, v, 0, 1000000000L, &c->steps, err);
    else if (!strcmp(f, "--log-every")) return parse_int(f, v, 1, 1 << 30, &c->log_every, err);
    else if (!strcmp(f, "--eval-every")) return parse_int(f, v, 0, 1 << 30, &c->eval_every, err);
    else if (!strcmp(f, "--eval-size")) {
        cli->eval_size_given = 1;
        return parse_int(f, v, 0, 1 << 30, &c->eval_size, err);
    }
    else if (!strcmp(f, "--headless")) cli->headless = 1;
    else if (!strcmp(f, "--log")) cli->log_path = v;
    else if (!strcmp(f, "--script")) cli->script = v;
    else if (!strcmp(f, "--dump-projection")) cli->dump_projection = v;
    else if (!strcmp(f, "--models")) {
        if (!strcmp(v, "both")) c->models = MODELS_BOTH;
        else if (!strcmp(v, "siamese")) c->models = MODELS_SIAMESE;
        else if (!strcmp(v, "triplet")) c->models = MODELS_TRIPLET;
        else return ts_fail(err, "--models: expected both, siamese or triplet, got \"%s\"", v);
    }
    else if (!strcmp(f, "--threads")) return parse_int(f, v, 1, 64, &c->threads, err);
    else if (!strcmp(f, "--scenario")) cli->scenario = v;
    else if (!strcmp(f, "--export-dir")) return parse_export_dir(v, c, err);
    else if (!strcmp(f, "--help") || !strcmp(f, "-h")) cli->help = 1;
    else if (!strcmp(f, "--version")) cli->version = 1;
    else if (!strcmp(f, "--max-memory")) return parse_size(f, v, &d->max_bytes, err);
    return 0;
}

// Splits argv[i] into a known flag and its value (from "--f=v" or argv[i+1]).
static int next_flag(int argc, char **argv, int *i, const struct flag **fl, const char **val,
                     ts_error *err) {
    const char *a = argv[*i];
    const char *eq = strncmp(a, "--", 2) == 0 ? strchr(a, '=') : NULL;
    size_t len = eq ? (size_t)(eq - a) : strlen(a);
    *fl = find_flag(a, len);
    if (!*fl) {
        if (a[0] != '-') return ts_fail(err, "%s: unexpected argument (flags start with --; see --help)", a);
        return ts_fail(err, "%.*s: unknown flag (see --help)", (int)len, a);
    }
    if ((*fl)->arg == NO_ARG) {
        if (eq) return ts_fail(err, "%s: takes no value", (*fl)->name);
        *val = NULL;
    } else if (eq) {
        *val = eq + 1;
    } else {
        if (*i + 1 >= argc) return ts_fail(err, "%s: needs a value", (*fl)->name);
        *val = argv[++*i];
    }
    return 0;
}

int cli_parse(int argc, char **argv, ts_cli *cli, ts_error *err) {
    memset(cli, 0, sizeof *cli);
    config_default(&cli->cfg);
    data_opts_default(&cli->data);
    const struct flag *fl;
    const char *v;
    // First pass: whether the flags parse at all; the preset, then the
    // scenario (which may name a preset of its own), under explicit flags.
    const char *preset = NULL;
    for (int i = 1; i < argc; i++) {
        if (next_flag(argc, argv, &i, &fl, &v, err)) return -1;
        if (!strcmp(fl->name, "--preset")) preset = v;
        if (!strcmp(fl->name, "--scenario")) cli->scenario = v;
    }
    if (cli->scenario && strcmp(cli->scenario, "list") != 0 &&
        scenario_apply(cli, cli->scenario, err))
        return -1;
    if (preset && config_preset(&cli->cfg, preset))
        return ts_fail(err, "--preset: expected seed, seed-small, facenet or batch-hard, got \"%s\"", preset);
    for (int i = 1; i < argc; i++) {
        next_flag(argc, argv, &i, &fl, &v, err);
        if (apply(cli, fl->name, v, err)) return -1;
    }
    if (cli->help || cli->version || (cli->scenario && !strcmp(cli->scenario, "list"))) return 0;
    return config_validate(&cli->cfg, err);
}
