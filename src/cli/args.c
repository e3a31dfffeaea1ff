// args.c: flags into a configuration. Presets apply first, explicit flags
// override them, whatever their order on the command line.
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "scenario.h"
#include "../ui/ui.h"
#include "tripletscope/driver.h"
#include "tripletscope/pace.h"

// --- Values ------------------------------------------------------------------------

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

// A directory is copied into the configuration (dst, cap bytes): a longer
// one would be cut (and an export or dump written elsewhere), an empty one
// would mean "/".
static int parse_dir(const char *flag, const char *v, char *dst, size_t cap, ts_error *err) {
    size_t n = strlen(v);
    if (n == 0) return ts_fail(err, "%s: empty value (use . for the current directory)", flag);
    if (n >= cap) return ts_fail(err, "%s: at most %zu characters (got %zu)", flag, cap - 1, n);
    memcpy(dst, v, n + 1);
    return 0;
}

// --- Setters ---------------------------------------------------------------------
//
// Each row's set: the shared ones store at the row's offset, within its range;
// a flag of its own kind has a function of its own.

#define AT(field) offsetof(ts_cli, field)

static void *field_of(const cli_flag *fl, ts_cli *cli) { return (char *)cli + fl->at; }

static int set_str(const cli_flag *fl, const char *v, ts_cli *cli, ts_error *err) {
    *(const char **)field_of(fl, cli) = v;
    return 0;
}

// A switch: stores the row's lo in an int.
static int set_on(const cli_flag *fl, const char *v, ts_cli *cli, ts_error *err) {
    *(int *)field_of(fl, cli) = (int)fl->lo;
    return 0;
}

static int set_int(const cli_flag *fl, const char *v, ts_cli *cli, ts_error *err) {
    return parse_int(fl->name, v, fl->lo, fl->hi, field_of(fl, cli), err);
}

static int set_long(const cli_flag *fl, const char *v, ts_cli *cli, ts_error *err) {
    return parse_long(fl->name, v, fl->lo, fl->hi, field_of(fl, cli), err);
}

static int set_size(const cli_flag *fl, const char *v, ts_cli *cli, ts_error *err) {
    return parse_size(fl->name, v, field_of(fl, cli), err);
}

static int set_float(const cli_flag *fl, const char *v, ts_cli *cli, ts_error *err) {
    return parse_float(fl->name, v, field_of(fl, cli), err);
}

static int set_nonneg(const cli_flag *fl, const char *v, ts_cli *cli, ts_error *err) {
    float *x = field_of(fl, cli);
    if (parse_float(fl->name, v, x, err)) return -1;
    if (*x < 0) return ts_fail(err, "%s: must be >= 0 (got %s)", fl->name, v);
    return 0;
}

static int set_positive(const cli_flag *fl, const char *v, ts_cli *cli, ts_error *err) {
    float *x = field_of(fl, cli);
    if (parse_float(fl->name, v, x, err)) return -1;
    if (!(*x > 0)) return ts_fail(err, "%s: must be > 0 (got %s)", fl->name, v);
    return 0;
}

static int set_fraction(const cli_flag *fl, const char *v, ts_cli *cli, ts_error *err) {
    float *x = field_of(fl, cli);
    if (parse_float(fl->name, v, x, err)) return -1;
    if (!(*x > 0 && *x < 1))
        return ts_fail(err, "%s: must be between 0 and 1, exclusive (got %s)", fl->name, v);
    return 0;
}

// The index of v in names (n of them), or -1 with "expected a, b or c" in err.
static int pick(const cli_flag *fl, const char *v, const char *const *names, int n,
                ts_error *err) {
    for (int i = 0; i < n; i++)
        if (!strcmp(v, names[i])) return i;
    char list[128] = "";
    for (int i = 0; i < n; i++)
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s",
                 i == 0 ? "" : i == n - 1 ? " or " : ", ", names[i]);
    return ts_fail(err, "%s: expected %s, got \"%s\"", fl->name, list, v);
}

#define PICK(v, names) pick(fl, v, names, (int)(sizeof names / sizeof names[0]), err)

static int set_optimizer(const cli_flag *fl, const char *v, ts_cli *cli, ts_error *err) {
    static const char *const names[] = {[OPT_ADAM] = "adam", [OPT_SGD] = "sgd"};
    int i = PICK(v, names);
    if (i >= 0) cli->cfg.optimizer = (ts_optim)i;
    return i < 0 ? -1 : 0;
}

static int set_reduce(const cli_flag *fl, const char *v, ts_cli *cli, ts_error *err) {
    static const char *const names[] = {[REDUCE_MEAN] = "mean", [REDUCE_NONZERO] = "nonzero"};
    int i = PICK(v, names);
    if (i >= 0) cli->cfg.set.reduce = (ts_reduce)i;
    return i < 0 ? -1 : 0;
}

static int set_pair_labels(const cli_flag *fl, const char *v, ts_cli *cli, ts_error *err) {
    static const char *const names[] = {[PAIR_LABELS_NORMAL] = "normal",
                                        [PAIR_LABELS_INVERTED] = "inverted"};
    int i = PICK(v, names);
    if (i >= 0) cli->cfg.set.pair_labels = (ts_pair_labels)i;
    return i < 0 ? -1 : 0;
}

static int set_pair_distance(const cli_flag *fl, const char *v, ts_cli *cli, ts_error *err) {
    static const char *const names[] = {[PAIR_DIST_EUCLIDEAN] = "euclidean",
                                        [PAIR_DIST_ELEMENTWISE] = "elementwise"};
    int i = PICK(v, names);
    if (i >= 0) cli->cfg.set.pair_distance = (ts_pair_distance)i;
    return i < 0 ? -1 : 0;
}

static int set_sampler(const cli_flag *fl, const char *v, ts_cli *cli, ts_error *err) {
    static const char *const names[] = {[SAMPLER_UNIFORM] = "uniform", [SAMPLER_PK] = "pk"};
    int i = PICK(v, names);
    if (i >= 0) cli->cfg.set.sampler = (ts_sampler_kind)i;
    return i < 0 ? -1 : 0;
}

static int set_models(const cli_flag *fl, const char *v, ts_cli *cli, ts_error *err) {
    static const char *const names[] = {"both", "siamese", "triplet"};
    static const unsigned sets[] = {TS_MODELS_ALL, TS_MODEL_BIT(MODEL_SIAMESE),
                                    TS_MODEL_BIT(MODEL_TRIPLET)};
    int i = PICK(v, names);
    if (i >= 0) cli->cfg.models = sets[i];
    return i < 0 ? -1 : 0;
}

// The distances' names are the core's (dist.h's table).
static int set_distance(const cli_flag *fl, const char *v, ts_cli *cli, ts_error *err) {
    const char *names[DIST_COUNT];
    for (int d = 0; d < DIST_COUNT; d++) names[d] = distance_name((ts_distance)d);
    int i = pick(fl, v, names, DIST_COUNT, err);
    if (i >= 0) cli->cfg.set.distance = (ts_distance)i;
    return i < 0 ? -1 : 0;
}

// --squared and --no-squared, kept for scripts: the distance in the row's lo.
static int set_distance_to(const cli_flag *fl, const char *v, ts_cli *cli, ts_error *err) {
    cli->cfg.set.distance = (ts_distance)fl->lo;
    return 0;
}

// The miners' names are the core's (miner_parse).
static int set_miner(const cli_flag *fl, const char *v, ts_cli *cli, ts_error *err) {
    int m = miner_parse(v);
    if (m < 0)
        return ts_fail(err, "%s: expected random, all, hard, semihard, hardest-neg or offline, "
                       "got \"%s\"", fl->name, v);
    cli->cfg.set.miner = (ts_miner)m;
    return 0;
}

static int set_hidden(const cli_flag *fl, const char *v, ts_cli *cli, ts_error *err) {
    return parse_hidden(v, &cli->cfg, err);
}

static int set_export_dir(const cli_flag *fl, const char *v, ts_cli *cli, ts_error *err) {
    return parse_dir(fl->name, v, cli->cfg.export_dir, sizeof cli->cfg.export_dir, err);
}

static int set_dump_dir(const cli_flag *fl, const char *v, ts_cli *cli, ts_error *err) {
    return parse_dir(fl->name, v, cli->cfg.dump_dir, sizeof cli->cfg.dump_dir, err);
}

// The seed of the weights and batches and that of the generated sets and the split.
static int set_seed(const cli_flag *fl, const char *v, ts_cli *cli, ts_error *err) {
    long l = 0;
    if (parse_long(fl->name, v, fl->lo, fl->hi, &l, err)) return -1;
    cli->cfg.seed = (uint64_t)l;
    cli->data.seed = (uint64_t)l;
    return 0;
}

// A batch given is kept as given; the default one is fitted to a small
// training set (session_create).
static int set_batch(const cli_flag *fl, const char *v, ts_cli *cli, ts_error *err) {
    cli->cfg.batch_given = 1;
    return set_int(fl, v, cli, err);
}

// The interface caps evaluation unless --eval-size is given (main.c).
static int set_eval_size(const cli_flag *fl, const char *v, ts_cli *cli, ts_error *err) {
    cli->eval_size_given = 1;
    return set_int(fl, v, cli, err);
}

// --watch DIR, given once or twice.
static int set_watch(const cli_flag *fl, const char *v, ts_cli *cli, ts_error *err) {
    if (!*v) return ts_fail(err, "--watch: empty directory name");
    if (cli->watch.n_dirs == TS_MAX_WATCH)
        return ts_fail(err, "--watch: at most %d runs side by side", TS_MAX_WATCH);
    cli->watch.dir[cli->watch.n_dirs++] = v;
    return 0;
}

static int set_follow(const cli_flag *fl, const char *v, ts_cli *cli, ts_error *err) {
    cli->watch.follow = (int)fl->lo;
    cli->follow_given = 1;
    return 0;
}

// A CSV's column is a number; a TensorBoard metadata.tsv's (--watch) a
// number or a header's name.
static int set_label_col(const cli_flag *fl, const char *v, ts_cli *cli, ts_error *err) {
    cli->watch.label_col = v;
    char *end;
    long x = strtol(v, &end, 10);
    if (*v && !*end && x >= 0 && x <= fl->hi) {
        cli->data.label_col = (int)x;
        return 0;
    }
    cli->label_col_name = 1;   // only --watch reads a name: checked once every flag is read
    return 0;
}

// --delimiter: the data layer's names (data_delimiter_parse).
static int set_delimiter(const cli_flag *fl, const char *v, ts_cli *cli, ts_error *err) {
    if (data_delimiter_parse(v, &cli->data.delimiter) == 0) return 0;
    return ts_fail(err, "%s: expected auto, ',', ';', tab, space or another punctuation mark "
                   "such as '|', got \"%s\"", fl->name, v);
}

static int set_palette(const cli_flag *fl, const char *v, ts_cli *cli, ts_error *err) {
    int p = ui_palette_by_name(v);
    if (p < 0) return ts_fail(err, "%s: expected default or colorblind, got \"%s\"", fl->name, v);
    cli->palette = p;
    return 0;
}

// --steps: the interface pauses there (it runs on otherwise).
static int set_steps(const cli_flag *fl, const char *v, ts_cli *cli, ts_error *err) {
    if (set_long(fl, v, cli, err)) return -1;
    cli->steps_given = 1;
    return 0;
}

static int set_speed(const cli_flag *fl, const char *v, ts_cli *cli, ts_error *err) {
    cli->speed_given = 1;
    if (pace_parse(v, &cli->speed) == 0) return 0;
    return ts_fail(err, "%s: expected steps per second, 1..%d, or full, got \"%s\"", fl->name,
                   TS_PACE_MAX, v);
}

// --pause-on raised,cleared: a comma-separated list, "none" for nothing.
static int set_pause_on(const cli_flag *fl, const char *v, ts_cli *cli, ts_error *err) {
    unsigned bits = 0;
    const char *p = v;
    if (strcmp(v, "none") != 0)
        for (;;) {
            size_t len = strcspn(p, ",");
            if (len == 6 && !strncmp(p, "raised", 6)) bits |= TS_PAUSE_ON_RAISED;
            else if (len == 7 && !strncmp(p, "cleared", 7)) bits |= TS_PAUSE_ON_CLEARED;
            else
                return ts_fail(err, "%s: expected raised, cleared, both comma-separated, or none, "
                               "got \"%s\"", fl->name, v);
            if (!p[len]) break;
            p += len + 1;
        }
    cli->pause_on = bits;
    return 0;
}

// Applied in cli_parse's first pass, under every other flag.
static int set_nothing(const cli_flag *fl, const char *v, ts_cli *cli, ts_error *err) {
    return 0;
}

// --- The flags ---------------------------------------------------------------------
//
// Columns: name, value, set, where, lo, hi, --help's text (and left column).
// A new flag is a row here (in --help's order) and, when no setter above
// fits, a function; a data flag that only some data sets read is also a row
// of the data layer's list (data_flag_given).

#define SECTION(caption) {NULL, NULL, NULL, 0, 0, 0, caption, NULL}

const cli_flag cli_flags[] = {
    SECTION("Data"),
    {"--data", "NAME|FILE", set_str, AT(data.data), 0, 0,
     "fashion (when installed, else fashion-small),\n"
     "fashion-small (built in: 10000/2000 of its images),\n"
     "digits, iris, blobs, noise, rings, or a .csv or .tsv\n"
     "(delimited text), .npy or IDX (.gz) file", NULL},
    {"--data-dir", "DIR", set_str, AT(data.data_dir), 0, 0,
     "Fashion-MNIST's IDX files; implies --data fashion\n"
     "[/usr/share/datasets/fashion-mnist]", NULL},
    {"--labels", "FILE", set_str, AT(data.labels), 0, 0,
     "labels for .npy or IDX features (.npy or IDX)", NULL},
    {"--label-col", "N", set_label_col, 0, 0, 1 << 20,
     "CSV label column, 0-based, 0..1048576 [last]; with\n"
     "--watch, a metadata.tsv column: a number or a name", NULL},
    {"--delimiter", "C", set_delimiter, 0, 0, 0,
     "CSV cell separator: auto, ',', ';', tab, space (runs\n"
     "of blanks) or another mark such as '|'; auto takes\n"
     "the first of ; , tab space that splits the first 20\n"
     "lines into one column count above 1 [auto]", NULL},
    {"--class-names", "FILE", set_str, AT(data.class_names), 0, 0,
     "a class name a line for class ids 0..C-1: the labels\n"
     "sorted (integers by value, names in byte order)", NULL},
    {"--test-frac", "F", set_fraction, AT(data.test_frac), 0, 0,
     "held-out fraction where the set has no split, (0,1) [0.2]", NULL},
    {"--classes", "N", set_int, AT(data.classes), 2, TS_MAX_CLASSES,
     "blobs / noise: classes, 2..4096 [10 / 2]", NULL},
    {"--dim", "N", set_int, AT(data.dim), 1, 1 << 16,
     "blobs / noise: features, 1..65536 [16 / 10]", NULL},
    {"--samples", "N", set_int, AT(data.samples), 4, 10000000,
     "blobs / noise / rings: samples, 4..10000000\n"
     "[2000 / 1000 / 2000]", NULL},
    {"--noise", "F", set_nonneg, AT(data.noise), 0, 0,
     "blobs, rings: spread around each centre, >= 0 [1.0]\n"
     "(a data flag the chosen set does not read is an error)", NULL},
    {"--train-size", "N", set_int, AT(data.train_size), 0, 10000000,
     "train on a seeded, stratified subset of N of the\n"
     "training samples (the held-out split stays whole),\n"
     "0..10000000; 0 = all [0]", NULL},
    {"--label-noise", "F", set_nonneg, AT(cfg.label_noise), 0, 0,
     "share of training labels flipped, each to another\n"
     "class, [0,1), seeded, once at the start; held-out\n"
     "labels stay true (a teaching option) [0]", NULL},
    {"--max-memory", "SIZE", set_size, AT(data.max_bytes), 0, 0,
     "most loading the data may hold at once (a file's\n"
     "decompressed bytes and every array), 1M..1024T,\n"
     "e.g. 8G [4G, or half this machine's memory when less]", NULL},

    SECTION("Network and optimizer (both models)"),
    {"--hidden", "LIST", set_hidden, 0, 0, 0,
     "hidden layer sizes 1..65536, at most 7 layers, e.g.\n"
     "256,128; none for no hidden layer (linear) [256,128]", NULL},
    {"--embed-dim", "N", set_int, AT(cfg.embed_dim), 1, 65536,
     "embedding size, 1..65536 [32]", NULL},
    {"--optimizer", "NAME", set_optimizer, 0, 0, 0, "adam or sgd [adam]", NULL},
    {"--lr", "F", set_positive, AT(cfg.set.lr), 0, 0, "learning rate, > 0 [0.001]", NULL},
    {"--momentum", "F", set_float, AT(cfg.momentum), 0, 0, "sgd momentum, [0,1) [0.9]", NULL},
    {"--weight-decay", "F", set_nonneg, AT(cfg.set.weight_decay), 0, 0,
     "weight decay, 0..100: adam decoupled, p *= 1 - lr*F\n"
     "(torch.optim.AdamW), sgd g += F*p (torch.optim.SGD);\n"
     "w steps it 0 -> 0.1 -> 1 -> 10 -> 0 [0]", NULL},

    SECTION("Distance (shared by both models)"),
    {"--normalize", NULL, set_on, AT(cfg.set.normalize), 1, 0,
     "L2-normalise embeddings before distances", NULL},
    {"--no-normalize", NULL, set_on, AT(cfg.set.normalize), 0, 0,
     "use the raw embeddings [default]", NULL},
    {"--distance", "NAME", set_distance, 0, 0, 0,
     "euclidean |a - b|, squared |a - b|^2, or cosine\n"
     "1 - cos(a, b), in [0, 2], of normalised embeddings\n"
     "whatever --normalize says [euclidean]", NULL},
    {"--squared", NULL, set_distance_to, 0, DIST_SQUARED, 0, "--distance squared", NULL},
    {"--no-squared", NULL, set_distance_to, 0, DIST_EUCLIDEAN, 0, "--distance euclidean", NULL},

    SECTION("Losses and mining"),
    {"--pair-margin", "F", set_nonneg, AT(cfg.set.pair_margin), 0, 0,
     "Siamese: contrastive margin, >= 0 [1.0]", NULL},
    {"--pair-labels", "NAME", set_pair_labels, 0, 0, 0,
     "Siamese: normal (y = 1 for the same label), or\n"
     "inverted, y = 1 - y: a teaching bug (Keras examples\n"
     "write y = 1 for similar, Hadsell et al. y = 0); the l\n"
     "key flips it [normal]", NULL},
    {"--pair-distance", "NAME", set_pair_distance, 0, 0, 0,
     "Siamese: the contrastive loss on the distance\n"
     "(euclidean), or on each dimension's |a_k - b_k| as\n"
     "the question's Keras model (elementwise) [euclidean]", NULL},
    {"--margin", "F", set_nonneg, AT(cfg.set.margin), 0, 0,
     "triplet margin m, >= 0; also the counts' m [1.0]", NULL},
    {"--soft", NULL, set_on, AT(cfg.set.soft), 1, 0,
     "triplet: softplus(d_ap - d_an) instead of the hinge", NULL},
    {"--no-soft", NULL, set_on, AT(cfg.set.soft), 0, 0,
     "the hinge relu(d_ap - d_an + m) [default]", NULL},
    {"--reduce", "NAME", set_reduce, 0, 0, 0,
     "mean (over mined triplets) or nonzero (over those with\n"
     "loss > 0) [mean]", NULL},
    {"--miner", "NAME", set_miner, 0, 0, 0,
     "random, all, hard, semihard or hardest-neg (mined\n"
     "online, in each batch), or offline: one triplet per\n"
     "training sample drawn once, trained on in order and\n"
     "never re-mined (batch rounded down to 3 x B/3;\n"
     "uniform only; m leaves it) [hardest-neg]", NULL},
    {"--sampler", "NAME", set_sampler, 0, 0, 0,
     "uniform or pk (P classes x K samples) [uniform]", NULL},
    {"--batch", "N", set_batch, AT(cfg.batch), 3, 8192,
     "batch size B, 3..8192; uniform: at most the training\n"
     "samples [128, fitted to a smaller training set]", NULL},
    // K = 1 parses; config_validate refuses it with pk, where K matters.
    {"--k", "N", set_int, AT(cfg.k), 1, 8192,
     "K samples per class with pk, 2..8192; B must be a\n"
     "multiple of K, and P = B/K from 2 to the classes [16]", NULL},

    SECTION("Presets (applied first; explicit flags override them)"),
    {"--preset", "NAME", set_nothing, 0, 0, 0,
     "seed        the question's mining: uniform, hardest-neg,\n"
     "            raw, margin 1.0 [default]\n"
     "seed-small  the same with its 128-64-16 network,\n"
     "            batches of 32 (k 4)\n"
     "facenet     pk, semihard, normalised, margin 0.2\n"
     "batch-hard  pk, hard, normalised, margin 0.2", NULL},
    {"--scenario", "NAME", set_str, AT(scenario), 0, 0,
     "a reproducible stall (list: --scenario list) [none]", NULL},

    SECTION("Watching your own run (docs/attach.md, docs/dump-format.md)"),
    {"--watch", "DIR", set_watch, 0, 0, 0,
     "read the embeddings a training loop dumps into DIR\n"
     "(or a TensorBoard log directory) instead of training;\n"
     "twice: a contrastive and a triplet run side by side", NULL},
    {"--follow", NULL, set_follow, 0, 1, 0,
     "keep watching for new dumps [the interface: on;\n"
     "headless: off, it ends after the last dump]", NULL},
    {"--no-follow", NULL, set_follow, 0, 0, 0, "read the dumps there are, then stop", NULL},

    SECTION("Running"),
    {"--seed", "N", set_seed, 0, 0, 2147483647L,
     "seed of weights, batches and mining, 0..2147483647 [0]", NULL},
    {"--steps", "N", set_steps, AT(cfg.steps), 0, 1000000000L,
     "steps to train, 0..1000000000 [headless: 1000];\n"
     "the interface pauses at step N when given (space\n"
     "runs on), else trains until q", NULL},
    {"--speed", "N", set_speed, 0, 0, 0,
     "the interface's pace: N steps per second, 1..100000,\n"
     "or full (< and > change it); headless ignores it\n"
     "[full]", NULL},
    {"--pause-on", "LIST", set_pause_on, 0, 0, 0,
     "the interface pauses when a finding is raised,\n"
     "cleared, or either (raised,cleared) and says which\n"
     "(a toggles it); headless ignores it [none]", NULL},
    {"--lesson", "NAME", set_str, AT(lesson_name), 0, 0,
     "run a lesson (docs/lessons.md): its flags (the ones\n"
     "given here override them), narration, and keys at\n"
     "steps; NAME is 1..8 or a name --lesson list prints,\n"
     "or a FILE of your own (a / or .lesson in it); the\n"
     "interface: 20 steps/s unless --speed [none]", NULL},
    {"--auto", NULL, set_on, AT(lesson_auto), 1, 0,
     "with --lesson: the interface goes on by itself where\n"
     "the lesson waits or pauses, after 3 s (headless\n"
     "always does)", NULL},
    {"--headless", NULL, set_on, AT(headless), 1, 0, "no interface: JSON lines on stdout", NULL},
    {"--palette", "NAME", set_palette, 0, 0, 0,
     "the interface's colours: default, or colorblind\n"
     "(Okabe & Ito's hues: easy / semi-hard / hard and the\n"
     "two models stay apart under deuteranopia, protanopia\n"
     "and tritanopia; 8-colour terminals: the nearest 8)\n"
     "[default]", NULL},
    {"--log", "FILE", set_str, AT(log_path), 0, 0,
     "also write the JSON lines to FILE (interface too);\n"
     "headless, a failed write there or on stdout ends\n"
     "the run with status 2", NULL},
    {"--log-every", "N", set_int, AT(cfg.log_every), 1, 1 << 30,
     "a step line per model every N steps, >= 1 [10]", NULL},
    {"--eval-every", "N", set_int, AT(cfg.eval_every), 0, 1 << 30,
     "held-out evaluation every N steps, 0 = at the end [250]", NULL},
    {"--eval-size", "N", set_eval_size, AT(cfg.eval_size), 0, 1 << 30,
     "held-out queries, a stratified subsample; 0 = all\n"
     "(the cost grows as the square)\n"
     "[headless: 10000; interface: 1000]", NULL},
    {"--script", "S", set_str, AT(script), 0, 0,
     "keys at steps, \"STEP:KEYS,...\" e.g. \"300:p,600:mm\";\n"
     "only the keys below; headless, a refused key is a\n"
     "warning on stderr, a failed export (e) ends the run\n"
     "with status 2", NULL},
    {"--dump-projection", "F", set_str, AT(dump_projection), 0, 0,
     "headless: write the final 2D projection as CSV\n"
     "(x,y,label,model)", NULL},
    {"--export-dir", "DIR", set_export_dir, 0, 0, 0,
     "where the e key writes snapshots (it must exist),\n"
     "at most 255 characters [$XDG_DATA_HOME/tripletscope,\n"
     "else ~/.local/share/tripletscope, created]", NULL},
    {"--dump", "DIR", set_dump_dir, 0, 0, 0,
     "write the run directory of docs/dump-format.md:\n"
     "DIR/siamese/, DIR/triplet/ (interface too; a reset\n"
     "stops it), at most 255 characters", NULL},
    {"--dump-every", "N", set_int, AT(cfg.dump_every), 1, 1000000000L,
     "with --dump: each batch's embeddings every N steps,\n"
     "1..1000000000 [--log-every]", NULL},
    {"--models", "WHICH", set_models, 0, 0, 0, "both, siamese or triplet [both]", NULL},
    {"--threads", "N", set_int, AT(cfg.threads), 1, 64,
     "threads to train on, 1..64. Both models: 2 or more\n"
     "step them at once, one thread each (same numbers as\n"
     "1); one model: OpenBLAS threads (a second costs more\n"
     "than it gives) [2 for both models on 2+ cores, else 1]", NULL},
    {"--help", NULL, set_on, AT(help), 1, 0, "", "--help, --version"},
    {"-h", NULL, set_on, AT(help), 1, 0, NULL, NULL},
    {"--version", NULL, set_on, AT(version), 1, 0, NULL, NULL},
};

const size_t cli_n_flags = sizeof cli_flags / sizeof cli_flags[0];

static const cli_flag *find_flag(const char *name, size_t len) {
    for (size_t i = 0; i < cli_n_flags; i++) {
        const char *n = cli_flags[i].name;
        if (n && strlen(n) == len && strncmp(n, name, len) == 0) return &cli_flags[i];
    }
    return NULL;
}

// Splits argv[i] into a known flag and its value (from "--f=v" or argv[i+1]).
static int next_flag(int argc, char **argv, int *i, const cli_flag **fl, const char **val,
                     ts_error *err) {
    const char *a = argv[*i];
    const char *eq = strncmp(a, "--", 2) == 0 ? strchr(a, '=') : NULL;
    size_t len = eq ? (size_t)(eq - a) : strlen(a);
    *fl = find_flag(a, len);
    if (!*fl) {
        if (a[0] != '-') return ts_fail(err, "%s: unexpected argument (flags start with --; see --help)", a);
        return ts_fail(err, "%.*s: unknown flag (see --help)", (int)len, a);
    }
    if (!(*fl)->arg) {
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

// --- Watching ------------------------------------------------------------------------
//
// Flags that set what --watch measures under (they win over run.json), and
// flags that only the trainer reads: given with --watch, those are refused
// rather than silently ignored.
static const struct {
    const char *flag;
    unsigned given;   // WATCH_GIVEN_*, or 0: refused with --watch
} watch_flags[] = {
    {"--miner", WATCH_GIVEN_MINER},          {"--margin", WATCH_GIVEN_MARGIN},
    {"--pair-margin", WATCH_GIVEN_PAIR_MARGIN}, {"--squared", WATCH_GIVEN_DISTANCE},
    {"--no-squared", WATCH_GIVEN_DISTANCE},  {"--distance", WATCH_GIVEN_DISTANCE},
    {"--normalize", WATCH_GIVEN_NORMALIZE},  {"--no-normalize", WATCH_GIVEN_NORMALIZE},
    {"--preset", WATCH_GIVEN_MINER | WATCH_GIVEN_MARGIN | WATCH_GIVEN_NORMALIZE | WATCH_GIVEN_DISTANCE},
    {"--data", 0}, {"--data-dir", 0}, {"--labels", 0}, {"--test-frac", 0}, {"--classes", 0},
    {"--delimiter", 0}, {"--class-names", 0}, {"--train-size", 0},
    {"--dim", 0}, {"--samples", 0}, {"--noise", 0}, {"--hidden", 0}, {"--embed-dim", 0},
    {"--optimizer", 0}, {"--lr", 0}, {"--momentum", 0}, {"--weight-decay", 0}, {"--sampler", 0}, {"--batch", 0},
    {"--k", 0}, {"--scenario", 0}, {"--models", 0}, {"--log-every", 0},
    {"--pair-labels", 0}, {"--pair-distance", 0},
    {"--eval-every", 0}, {"--dump", 0}, {"--dump-every", 0}, {"--label-noise", 0},
};

static int watch_check(int argc, char **argv, ts_cli *cli, ts_error *err) {
    int steps_given = 0;
    for (int i = 1; i < argc; i++) {
        const cli_flag *fl;
        const char *v;
        next_flag(argc, argv, &i, &fl, &v, err);
        steps_given |= !strcmp(fl->name, "--steps");
        for (size_t k = 0; k < sizeof watch_flags / sizeof watch_flags[0]; k++) {
            if (strcmp(fl->name, watch_flags[k].flag)) continue;
            if (!watch_flags[k].given)
                return ts_fail(err, "%s: not with --watch (it sets how tripletscope trains; "
                               "a watched run is trained by its own loop)", fl->name);
            cli->watch.given |= watch_flags[k].given;
        }
    }
    // A watched run's dumps do not say which triplets its loop listed.
    if ((cli->watch.given & WATCH_GIVEN_MINER) && cli->cfg.set.miner == MINER_OFFLINE)
        return ts_fail(err, "--miner offline: not with --watch (a watched run has no training "
                       "set to list triplets from)");
    cli->watch.max_bytes = cli->data.max_bytes;
    if (!steps_given) cli->cfg.steps = -1;   // to the last dump (or on, following)
    // One thread measures the dumps, its products on one OpenBLAS thread as
    // the trainer's are (so a dump's numbers are the trainer's to the bit:
    // sgemm split over threads may round differently); --threads N gives
    // them N (an evaluation of 10 000 x 512: 1.15 s -> 1.05 s on 2 cores).
    cli->cfg.models = TS_MODEL_BIT(MODEL_TRIPLET);
    if (!cli->eval_size_given) cli->cfg.eval_size = TS_EVAL_SIZE_DEFAULT;
    return 0;
}

static int parse_args(int argc, char **argv, ts_cli *cli, ts_error *err) {
    memset(cli, 0, sizeof *cli);
    config_default(&cli->cfg);
    data_opts_default(&cli->data);
    const cli_flag *fl;
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
        cli->data.given |= data_flag_given(fl->name);
        if (fl->set(fl, v, cli, err)) return -1;
    }
    if (cli->help || cli->version || (cli->scenario && !strcmp(cli->scenario, "list"))) return 0;
    if (cli->lesson_name && !strcmp(cli->lesson_name, "list")) return 0;
    if (cli->lesson_auto && !cli->lesson_name) return ts_fail(err, "--auto: only with --lesson NAME|FILE");
    if (cli->watch.n_dirs) return watch_check(argc, argv, cli, err);
    if (cli->label_col_name)
        return ts_fail(err, "--label-col: expected a column number, got \"%s\" (a name is for --watch)",
                       cli->watch.label_col);
    if (cli->follow_given) return ts_fail(err, "--follow: only with --watch DIR");
    return config_validate(&cli->cfg, err);
}

// --- Lessons (--lesson: lesson.h) ------------------------------------------------------
//
// A lesson's flags are parsed before the command line's, so the command
// line's override or add to them (a preset or scenario of the command line
// wins too: the last one given is the one applied). They are checked alone
// first, so that a bad one is named by the lesson's file and line. A lesson
// says what to train and show, not where to write or how to run: those
// flags are the viewer's.
static const char *const lesson_refused[] = {
    "--lesson", "--auto", "--headless", "--help", "-h", "--version", "--log", "--dump",
    "--dump-projection", "--export-dir", "--watch",
};

static int lesson_flags_check(const ts_lesson *l, ts_error *err) {
    int n = l->argc + 1;
    char **words = malloc(sizeof *words * (size_t)(n + 1));
    ts_cli *scratch = malloc(sizeof *scratch);
    int rc = 0;
    if (!words || !scratch) rc = ts_fail(err, "%s: out of memory", l->where);
    if (!rc) {
        words[0] = "tripletscope";
        memcpy(words + 1, l->argv, sizeof *words * (size_t)l->argc);
        words[n] = NULL;
        for (int i = 1; i < n && !rc; i++) {
            const cli_flag *fl;
            const char *v;
            if (next_flag(n, words, &i, &fl, &v, err)) break;   // parse_args says it below
            for (size_t k = 0; k < sizeof lesson_refused / sizeof lesson_refused[0]; k++)
                if (!strcmp(fl->name, lesson_refused[k]))
                    rc = ts_fail(err, "%s:%d: flags: %s is the viewer's to give, not a lesson's",
                                 l->where, l->flags_line, fl->name);
        }
    }
    if (!rc && parse_args(n, words, scratch, err)) {
        char msg[sizeof err->msg];
        snprintf(msg, sizeof msg, "%s", err->msg);
        rc = ts_fail(err, "%s:%d: flags: %s", l->where, l->flags_line, msg);
    }
    free(words);
    free(scratch);
    return rc;
}

int cli_parse(int argc, char **argv, ts_cli *cli, ts_error *err) {
    const char *name = NULL;
    int given = 0;
    for (int i = 1; i < argc; i++) {
        const cli_flag *fl;
        const char *v;
        if (next_flag(argc, argv, &i, &fl, &v, err)) return parse_args(argc, argv, cli, err);
        if (!strcmp(fl->name, "--lesson")) {
            name = v;
            given++;
        }
    }
    if (given > 1) {
        memset(cli, 0, sizeof *cli);
        return ts_fail(err, "--lesson: given twice (one lesson at a time)");
    }
    if (!name || !strcmp(name, "list")) return parse_args(argc, argv, cli, err);
    memset(cli, 0, sizeof *cli);
    ts_lesson *l = calloc(1, sizeof *l);
    if (!l) return ts_fail(err, "--lesson: out of memory");
    if (lesson_load(name, l, err) || lesson_flags_check(l, err)) {
        lesson_free(l);
        free(l);
        return -1;
    }
    int n = 1 + l->argc + argc - 1;
    char **words = malloc(sizeof *words * (size_t)(n + 1));
    if (!words) {
        lesson_free(l);
        free(l);
        return ts_fail(err, "--lesson: out of memory");
    }
    words[0] = argv[0];
    memcpy(words + 1, l->argv, sizeof *words * (size_t)l->argc);
    memcpy(words + 1 + l->argc, argv + 1, sizeof *words * (size_t)(argc - 1));
    words[n] = NULL;
    int rc = parse_args(n, words, cli, err);
    cli->lesson = l;
    cli->lesson_argv = words;
    if (rc) cli_free(cli);
    return rc;
}

void cli_free(ts_cli *cli) {
    if (cli->lesson) lesson_free(cli->lesson);
    free(cli->lesson);
    free(cli->lesson_argv);
    cli->lesson = NULL;
    cli->lesson_argv = NULL;
}

void cli_lesson_list(FILE *f) {
    fprintf(f, "Lessons (--lesson NAME or its number; docs/demos.md tells each, docs/lessons.md\n"
               "the format; flags given with --lesson override the lesson's):\n\n");
    for (int i = 0; i < lesson_embedded_count(); i++) {
        ts_lesson l;
        ts_error err;
        if (lesson_embedded(i, &l, &err)) {
            fprintf(f, "%d  (%s)\n", i + 1, err.msg);
            continue;
        }
        fprintf(f, "%d  %-17s %s\n", l.number, l.name, l.title);
        lesson_free(&l);
    }
    fprintf(f, "\nA lesson of your own: --lesson FILE (a path with a / or ending in .lesson).\n");
}
