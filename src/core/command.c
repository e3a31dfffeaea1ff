// command.c: the table of commands.
#include <string.h>
#include "tripletscope/command.h"
#include "tripletscope/track.h"

// The miner, margin, soft margin and reducer belong to the triplet loss, the
// pair labels to the contrastive loss; the sampler, lr, weight decay and
// distance space are shared, so the batches and the geometry stay common to
// both models.
#define TRIPLET TS_MODEL_BIT(MODEL_TRIPLET)
#define SIAMESE TS_MODEL_BIT(MODEL_SIAMESE)
#define BOTH TS_MODELS_ALL

// In the order scripts' error messages list the letters.
static const struct {
    ts_command cmd;
    ts_command_info info;
} table[] = {
    {CMD_MINER_NEXT, {'m', "miner_next", "miner", TRIPLET, SCOPE_TRAINER, 0,
                      "next / previous miner of the triplet model: random, all, hard, semihard, hardest-neg "
                      "(from offline: m hardest-neg, M semihard)",
                      "change the miner (semi-hard is the least swayed by outliers and wrong labels; batch-hard wants P x K batches)",
                      TS_READ_BIT(READ_MINING)}},
    {CMD_MINER_PREV, {'M', "miner_prev", "miner", TRIPLET, SCOPE_TRAINER, 0, NULL,
                      "change the miner (semi-hard is the least swayed by outliers and wrong labels; batch-hard wants P x K batches)",
                      TS_READ_BIT(READ_MINING)}},
    {CMD_SAMPLER, {'p', "sampler", "sampler", BOTH, SCOPE_TRAINER, 0,
                   "sampler pk / uniform (both models: the batches stay shared)",
                   "sample P x K batches (K samples of each of P classes), not uniformly",
                   TS_READ_BIT(READ_BATCH)}},
    {CMD_MARGIN_UP, {'+', "margin_up", "margin", TRIPLET, SCOPE_TRAINER, 0,
                     "triplet margin x1.25 / /1.25 (also the m of the easy / semi-hard / hard counts)",
                     "change the margin (the +/- keys measure your dumps under another)",
                     TS_READ_BIT(READ_LOSS)}},
    {CMD_MARGIN_DOWN, {'-', "margin_down", "margin", TRIPLET, SCOPE_TRAINER, 0, NULL,
                       "change the margin (the +/- keys measure your dumps under another)",
                       TS_READ_BIT(READ_LOSS)}},
    {CMD_NORMALIZE, {'n', "normalize", "normalize", BOTH, SCOPE_TRAINER, 0,
                     "L2 normalisation of the embeddings on / off (both)",
                     "L2-normalise the embeddings before the loss (or stop, if it does)",
                     TS_READ_BIT(READ_SPACE)}},
    {CMD_DISTANCE, {'d', "distance", "distance", BOTH, SCOPE_TRAINER, 0,
                    "distance L2 -> squared L2 -> cosine (1 - cos) -> L2 (both)",
                    "change the distance the loss uses (euclidean, squared, cosine)",
                    TS_READ_BIT(READ_SPACE)}},
    {CMD_LR_UP, {']', "lr_up", "lr", BOTH, SCOPE_TRAINER, 0, "learning rate x2 / /2 (both)",
                 "raise the learning rate", 0}},
    {CMD_LR_DOWN, {'[', "lr_down", "lr", BOTH, SCOPE_TRAINER, 0, NULL,
                   "lower the learning rate (and add gradient clipping)", 0}},
    {CMD_SOFT, {'o', "soft", "soft", TRIPLET, SCOPE_TRAINER, 0,
                "soft margin softplus(d_ap - d_an) on / off (triplet)",
                "try the soft-margin triplet loss, softplus(d_ap - d_an)", TS_READ_BIT(READ_LOSS)}},
    {CMD_REDUCE, {'z', "reduce", "reduce", TRIPLET, SCOPE_TRAINER, 0,
                  "loss reducer mean / nonzero (mean over all mined, or only the active ones)",
                  "average the loss over the active triplets only (a non-zero reducer)",
                  TS_READ_BIT(READ_LOSS)}},
    {CMD_WEIGHT_DECAY, {'w', "weight_decay", "weight_decay", BOTH, SCOPE_TRAINER, 0,
                        "weight decay 0 -> 0.1 -> 1 -> 10 -> 0 (both; Adam: decoupled, as AdamW)",
                        "regularise: add weight decay (torch.optim.AdamW's weight_decay), stop "
                        "at the best held-out MAP@R, or train on more data", 0}},
    {CMD_PAIR_LABELS, {'l', "pair_labels", "pair_labels", SIAMESE, SCOPE_TRAINER, 0,
                       "Siamese pair labels normal / inverted (y = 1 - y, a teaching bug; watching: "
                       "the loss only)",
                       "your pair labels mean the opposite of what the loss expects: use y = 1 - y",
                       TS_READ_BIT(READ_LOSS)}},
    {CMD_RESET, {'r', "reset", "reset", BOTH, SCOPE_TRAINER, 1,
                 "reset both models: same seed, fresh identical weights, history cleared (watching: "
                 "the run's own settings again)",
                 "restart the run from fresh weights", TS_READ_ALL}},
    {CMD_RESEED, {'R', "reseed", "seed", BOTH, SCOPE_TRAINER, 1,
                  "reset both models with a new seed (seed + 1)", NULL, TS_READ_ALL}},
    {CMD_EXPORT, {'e', "export", NULL, 0, SCOPE_TRAINER, 0,
                  "export the current metrics and the whole history as JSON (the path is shown)", NULL, 0}},
    {CMD_PAUSE, {' ', "pause", NULL, 0, SCOPE_DRIVER, 0, "pause / resume training", NULL, 0}},
    {CMD_STEP, {'.', "step", NULL, 0, SCOPE_DRIVER, 0, "one step while paused", NULL, 0}},
    {CMD_QUIT, {'q', "quit", NULL, 0, SCOPE_DRIVER, 0,
                "quit (training stops, the terminal is restored)", NULL, 0}},
    {CMD_HELP, {'?', "help", NULL, 0, SCOPE_INTERFACE, 0,
                "this help (arrows scroll; ?, F1 or Esc closes)", NULL, 0}},
    {CMD_PROJECTION, {'v', "projection", NULL, 0, SCOPE_INTERFACE, 0,
                      "show / hide the 2D projection (compact view: in place of the loss curve)", NULL, 0}},
    {CMD_REDRAW, {0, "redraw", NULL, 0, SCOPE_INTERFACE, 0, "redraw the screen", NULL, 0}},
    {CMD_DUMP_PREV, {0, "dump_prev", NULL, 0, SCOPE_SOURCE, 0,
                     "watching: the dump before / after the one shown (Left / Right)", NULL, 0}},
    {CMD_DUMP_NEXT, {0, "dump_next", NULL, 0, SCOPE_SOURCE, 0, NULL, NULL, 0}},
    {CMD_DUMP_FIRST, {0, "dump_first", NULL, 0, SCOPE_SOURCE, 0,
                      "watching: the first / the newest dump (Home / End)", NULL, 0}},
    {CMD_DUMP_LAST, {0, "dump_last", NULL, 0, SCOPE_SOURCE, 0, NULL, NULL, 0}},
    {CMD_FOLLOW, {'f', "follow", NULL, 0, SCOPE_SOURCE, 0,
                  "watching: follow the newest dump again as it comes", NULL, 0}},
    {CMD_LOSS_AXIS, {'g', "loss_axis", NULL, 0, SCOPE_INTERFACE, 0,
                     "loss axis: the whole run linear -> log scale -> the last 1000 steps "
                     "(linear) -> the whole run again; paused, the loss at each key marker",
                     NULL, 0}},
    {CMD_SLOWER, {'<', "slower", NULL, 0, SCOPE_DRIVER, 0,
                  "pace slower / faster: 1, 2, 5, 10, 20, 50, 100, 200, 500 steps/s, full speed "
                  "(the header shows it; headless: nothing)",
                  NULL, 0}},
    {CMD_FASTER, {'>', "faster", NULL, 0, SCOPE_DRIVER, 0, NULL, NULL, 0}},
    {CMD_AUTO_PAUSE, {'a', "auto_pause", NULL, 0, SCOPE_DRIVER, 0,
                      "auto-pause on / off: pause when a finding is raised or cleared "
                      "(--pause-on's list; without it, both)",
                      NULL, 0}},
    // Its events name each setting it restores (driver.c: restore_command).
    {CMD_RESTORE, {'P', "restore", "settings", BOTH, SCOPE_TRAINER, 0,
                   "the starting settings again (the preset's or scenario's, with the command "
                   "line's flags); after a divergence, a learning rate at most the preset's, "
                   "and a reset (watching: the runs' own settings, as r)",
                   NULL, TS_READ_ALL}},
    {CMD_FINDINGS, {'i', "findings", NULL, 0, SCOPE_INTERFACE, 0,
                    "the finding view: a finding whole (message, evidence, what it means, what "
                    "each key will change, its docs); Tab next, Shift-Tab back, i or Esc closes",
                    NULL, 0}},
    {CMD_FINDINGS_PREV, {0, "findings_prev", NULL, 0, SCOPE_INTERFACE, 0, NULL, NULL, 0}},
};

#define N_ROWS (sizeof table / sizeof table[0])
_Static_assert(N_ROWS == CMD_COUNT - 1, "one row per command");

static const ts_command_info none = {0, "none", NULL, 0, SCOPE_INTERFACE, 0, NULL, NULL, 0};

const ts_command_info *command_info(ts_command c) {
    for (size_t i = 0; i < N_ROWS; i++)
        if (table[i].cmd == c) return &table[i].info;
    return &none;
}

unsigned command_readings(ts_command c) { return command_info(c)->readings; }

unsigned setting_readings(const char *setting) {
    for (size_t i = 0; i < N_ROWS; i++) {
        const ts_command_info *info = &table[i].info;
        if (info->setting && !info->resets && table[i].cmd != CMD_RESTORE &&
            !strcmp(info->setting, setting))
            return info->readings;
    }
    return TS_READ_ALL;
}

ts_command command_by_letter(int letter) {
    if (letter <= 0 || letter > 255) return CMD_NONE;
    for (size_t i = 0; i < N_ROWS; i++)
        if (table[i].info.letter == letter) return table[i].cmd;
    return CMD_NONE;
}

char command_letter(ts_command c) { return command_info(c)->letter; }

// The table's letters in its order, spelled out so that reading it needs
// no lazily built state shared by threads; tests/test_session.c checks it
// against the table.
const char *command_letters(void) { return "mMp+-nd][ozwlrRe .q?vfg<>aPi"; }
