// scenario.c: --scenario NAME, a named set of flags under which one failure
// mode of docs/failure-modes.md reproduces, with the key that clears it.
//
// A scenario's flags are ordinary command-line flags, parsed by cli_parse
// itself into a fresh configuration that then replaces the defaults; so the
// listing (--scenario list) shows exactly what is applied, and explicit flags
// on the command line, applied afterwards, still override any of them.
// The step counts below were measured (seed 0) under each of OpenBLAS's
// kernels this project's machines run (Prescott, Sandybridge, Haswell,
// SkylakeX, Cooperlake, Zen: scripts/kernel-spread.sh), as ranges: float
// results differ between CPUs. tests/cli/diagnose_scenarios.sh checks the
// bounds, which leave room beyond the ranges for other machines.
#include <stdio.h>
#include <string.h>
#include "scenario.h"

// --- The scenarios ---------------------------------------------------------------

#define MAX_FLAGS 24

typedef struct {
    const char *name;
    const char *flags[MAX_FLAGS];   // NULL-terminated: what --scenario NAME sets
    const char *finding;            // the code it raises
    const char *model;              // "triplet", "both", ...
    int raise_by;                   // raised by this step
    int raised_lo, raised_hi;       // the steps it was raised at (measured, across kernels)
    const char *key;                // the key that clears it ("" when none can)
    const char *script;             // a --script that presses it
    int clear_within;               // cleared within this many steps of the key
    int cleared_lo, cleared_hi;     // measured: steps from the key to the cleared line
    const char *note;               // one line on what to watch
} scenario;

static const scenario scenarios[] = {
    {"collapse",
     {"--data", "fashion", "--preset", "batch-hard", "--steps", "500", "--eval-every", "100",
      "--eval-size", "1000", NULL},
     "collapse", "triplet", 100, 56, 56, "m", "150:m", 250, 143, 144,
     "batch-hard on normalised Fashion-MNIST: d_an and d_ap fall to ~0, loss pinned at the margin"},
    {"all-easy",
     {"--data", "digits", "--preset", "facenet", "--margin", "0.04", "--steps", "400",
      "--eval-every", "100", NULL},
     "all_easy", "triplet", 200, 129, 129, "++++++++", "200:++++++++", 100, 50, 50,
     "margin 0.04 on the unit sphere: all easy by step ~100, no gradient, at MAP@R 0.93: converged (info); + asks more"},
    {"no-positives",
     {"--data", "digits", "--preset", "facenet", "--sampler", "uniform", "--batch", "16", "--k", "4",
      "--steps", "300", "--eval-every", "100", NULL},
     "no_positives", "triplet", 100, 50, 50, "p", "100:p", 100, 50, 50,
     "uniform batches of 16 over 10 classes: a fifth of the anchors have no positive"},
    {"self-positive",
     {"--data", "digits", "--preset", "seed-small", "--steps", "300", "--eval-every", "100", NULL},
     "self_positive", "triplet", 100, 50, 50, "M", "100:M", 100, 50, 50,
     "the question's mining at batch 32: ~31 % of anchors draw themselves as positive"},
    {"margin-scale",
     {"--data", "digits", "--preset", "facenet", "--margin", "1.5", "--steps", "500",
      "--eval-every", "100", NULL},
     "margin_scale", "triplet", 300, 240, 240, "-", "300:-", 150, 99, 99,
     "margin 1.5 on the unit sphere: every mined triplet stays active; at 1.2 digits meets it"},
    {"diverged",
     {"--data", "digits", "--lr", "10", "--steps", "300", "--eval-every", "100", NULL},
     "diverged", "triplet", 10, 4, 4, "[r", "", 0, 0, 0,
     "Adam at lr 10: the loss jumps 1.0 -> 1e6 in one step; headless stops, exit 0; [ then r"},
    {"no-signal",
     {"--data", "noise", "--steps", "600", "--eval-every", "50", NULL},
     "no_signal", "both", 500, 400, 400, "", "", 0, 0, 0,
     "random labels: the Siamese loss falls, held-out P@1 stays at chance; no key can help"},
    {"too-hard",
     {"--data", "fashion", "--preset", "seed", "--steps", "400", "--eval-every", "100",
      "--eval-size", "1000", NULL},
     "too_hard", "triplet", 150, 89, 90, "M", "150:M", 100, 50, 50,
     "the question's mining on Fashion-MNIST: ~60 % of mined triplets hard, loss stuck near m"},
    {"norm-drift",
     {"--data", "digits", "--preset", "batch-hard", "--no-normalize", "--soft", "--lr", "0.0003",
      "--steps", "500", "--eval-every", "250", NULL},
     "norm_drift", "triplet", 400, 339, 339, "n", "400:n", 100, 50, 50,
     "soft margin on raw embeddings: norms triple in 200 steps (the loss falls by scaling)"},
    {"averaging",
     {"--data", "fashion", "--preset", "facenet", "--miner", "all", "--reduce", "nonzero",
      "--steps", "520", "--eval-every", "100", "--eval-size", "1000", NULL},
     "averaging", "triplet", 480, 439, 439, "z", "460:z", 100, 50, 50,
     "batch-all, nonzero mean: the loss sits at 0.2 while active falls and MAP@R rises (info)"},
    {"siamese-ahead",
     {"--data", "fashion", "--preset", "seed", "--steps", "1000", "--eval-every", "100",
      "--eval-size", "1000", NULL},
     "siamese_ahead", "both", 300, 200, 300, "pMn-------", "300:pMn-------", 600, 200, 500,
     "the question's setup: Siamese MAP@R about 0.63 vs 0.41; p, M, n and 7 x - catch it up"},
    {"zero-distance",
     {"--data", "digits", "--preset", "facenet", "--k", "200", "--batch", "400", "--steps", "300",
      "--eval-every", "100", NULL},
     "zero_distance", "triplet", 100, 50, 50, "d", "150:d", 100, 50, 50,
     "200 a class of ~144: P x K draws duplicates, 270 pairs at distance 0 a batch (both models)"},
    {"nothing-mined",
     {"--data", "blobs", "--classes", "1000", "--samples", "20000", "--batch", "16", "--k", "4",
      "--miner", "hard", "--steps", "300", "--eval-every", "100", NULL},
     "nothing_mined", "triplet", 100, 50, 50, "p", "150:p", 100, 50, 50,
     "uniform batches of 16 over 1000 classes: 90 % hold no positive pair, batch-hard mines nothing"},
    {"semihard-fallback",
     {"--data", "rings", "--hidden", "none", "--miner", "semihard", "--steps", "300",
      "--eval-every", "100", NULL},
     "semihard_fallback", "triplet", 100, 50, 50, "", "", 0, 0, 0,
     "a ring around a blob, a linear model: ~58 % of the pairs find no negative beyond d_ap (info)"},
    {"static-triplets",
     {"--data", "digits", "--miner", "offline", "--steps", "700", "--eval-every", "100", NULL},
     "static_triplets", "triplet", 450, 335, 349, "m", "500:m", 100, 50, 50,
     "the question's Example 2: one pre-selected triplet per sample, never re-mined, all learned by ~350"},
    {"overfit",
     {"--data", "blobs", "--samples", "5000", "--dim", "2", "--noise", "1.0", "--train-size", "200",
      "--preset", "facenet", "--steps", "1000", "--eval-every", "50", "--eval-size", "1000", NULL},
     "overfit", "triplet", 600, 350, 500, "www", "600:www", 350, 250, 250,
     "200 samples of 10 overlapping 2-D blobs: the loss falls while held-out MAP@R falls from ~100"},
    {"inverted-pairs",
     {"--data", "digits", "--pair-labels", "inverted", "--steps", "300", "--eval-every", "50", NULL},
     "inverted_pairs", "siamese", 100, 90, 90, "l", "150:l", 60, 50, 50,
     "y = 1 - y fed to the contrastive loss: positives as far as negatives, P@1 0.59 vs raw 0.97"},
    {"label-noise",
     {"--data", "digits", "--preset", "seed", "--label-noise", "0.05", "--steps", "300",
      "--eval-every", "100", NULL},
     "label_noise", "triplet", 200, 140, 140, "M", "200:M", 100, 50, 50,
     "5 % of the labels flipped: hardest-neg keeps picking the flipped samples (e lists them)"},
    // Cleared by its key's r (a reset) at once; the test checks that at the
    // lower lr it is not raised again.
    {"dim-collapse",
     {"--data", "digits", "--lr", "0.15", "--steps", "1000", "--eval-every", "100", NULL},
     "dim_collapse", "siamese", 500, 300, 300, "[[[[[r", "500:[[[[[r", 0, 0, 0,
     "Adam at lr 0.15 on raw embeddings: most ReLUs die, rank ~2 of the 9 classes need; [ x5, then r"},
};

// What clears a finding no key can clear, by scenario (else: nothing can,
// the data has nothing to learn).
static const struct {
    const char *scenario, *fix;
} no_key_fixes[] = {
    {"semihard-fallback", "a model that can separate the classes (--hidden 64 does not raise it)"},
};

static const char *no_key_fix(const char *name) {
    for (size_t i = 0; i < sizeof no_key_fixes / sizeof no_key_fixes[0]; i++)
        if (!strcmp(no_key_fixes[i].scenario, name)) return no_key_fixes[i].fix;
    return "the data has nothing to learn";
}

#define N_SCENARIOS (int)(sizeof scenarios / sizeof scenarios[0])

static const scenario *find(const char *name) {
    for (int i = 0; i < N_SCENARIOS; i++)
        if (!strcmp(scenarios[i].name, name)) return &scenarios[i];
    return NULL;
}

// --- Applying ----------------------------------------------------------------------

int scenario_apply(ts_cli *cli, const char *name, ts_error *err) {
    const scenario *sc = find(name);
    if (!sc)
        return ts_fail(err, "--scenario: unknown scenario \"%s\" (see --scenario list)", name);
    // argv: a program name, then the flags (cli_parse only reads them).
    char *argv[MAX_FLAGS + 1];
    int argc = 0;
    argv[argc++] = "tripletscope";
    for (int i = 0; sc->flags[i] && argc < MAX_FLAGS + 1; i++) argv[argc++] = (char *)sc->flags[i];
    ts_cli tmp;
    ts_error e2;
    if (cli_parse(argc, argv, &tmp, &e2))
        return ts_fail(err, "--scenario %s: %s", name, e2.msg);
    cli->cfg = tmp.cfg;
    snprintf(cli->cfg.scenario, sizeof cli->cfg.scenario, "%s", sc->name);
    cli->data = tmp.data;
    cli->data.given = 0;   // the scenario's own companions yield to a user's --data
    cli->eval_size_given |= tmp.eval_size_given;
    return 0;
}

// --- Listing ------------------------------------------------------------------------

static void print_flags(FILE *f, const scenario *sc) {
    for (int i = 0; sc->flags[i]; i++) fprintf(f, "%s%s", i ? " " : "", sc->flags[i]);
}

// "56" or "89-90".
static const char *range(char *buf, size_t n, int lo, int hi) {
    if (lo == hi) snprintf(buf, n, "%d", lo);
    else snprintf(buf, n, "%d-%d", lo, hi);
    return buf;
}

void scenario_list(FILE *f) {
    fprintf(f, "Scenarios (--scenario NAME; explicit flags override theirs; steps measured with\n"
               "seed 0 under OpenBLAS's Prescott, Sandybridge, Haswell, SkylakeX, Cooperlake and\n"
               "Zen kernels: other CPUs may differ by a few steps):\n\n");
    for (int i = 0; i < N_SCENARIOS; i++) {
        const scenario *sc = &scenarios[i];
        char a[32], b[32];
        fprintf(f, "%s\n  flags:  ", sc->name);
        print_flags(f, sc);
        fprintf(f, "\n  raises: %s (%s) within %d steps (at step %s)\n", sc->finding, sc->model,
                sc->raise_by, range(a, sizeof a, sc->raised_lo, sc->raised_hi));
        if (!strcmp(sc->finding, "diverged"))
            fprintf(f, "  clears: [ (repeated until the lr is sane), then r resets it, or P (the preset's lr\n"
                       "          0.001 and a reset) in the interface; headless stops at the finding\n");
        else if (!*sc->key)
            fprintf(f, "  clears: no key can: %s\n", no_key_fix(sc->name));
        else if (sc->key[strlen(sc->key) - 1] == 'r')
            fprintf(f, "  clears: %s: r clears it at once (fresh weights); at the lower lr it is not\n"
                       "          raised again (--script %s)\n", sc->key, sc->script);
        else
            fprintf(f, "  clears: %s within %d steps of the key (%s with --script %s)\n", sc->key,
                    sc->clear_within, range(b, sizeof b, sc->cleared_lo, sc->cleared_hi), sc->script);
        fprintf(f, "  what:   %s\n", sc->note);
        fprintf(f, "  try:    tripletscope --headless --scenario %s%s%s\n\n", sc->name,
                *sc->script ? " --script " : "", sc->script);
    }
    fprintf(f, "See docs/failure-modes.md for each finding and docs/demos.md for the lessons.\n");
}
