// keys.c: every key of the interface, once.
#include <curses.h>
#include "keys.h"

#define CTRL_KEY(c) ((c) & 0x1f)

static const ui_keydef table[] = {
    {{' '}, "Space", "Spc", "Pause", 1, ACT_RUNNER, "pause / resume training"},
    {{'.'}, ".", ".", "Step", 0, ACT_RUNNER, "one step while paused"},
    {{'m', 'M'}, "m M", "m/M", "Miner", 1, ACT_RUNNER,
     "next / previous miner of the triplet model: random, all, hard, semihard, hardest-neg"},
    {{'p'}, "p", "p", "Sampler", 0, ACT_RUNNER,
     "sampler pk / uniform (both models: the batches stay shared)"},
    {{'+', '-'}, "+ -", "+/-", "Margin", 1, ACT_RUNNER,
     "triplet margin x1.25 / /1.25 (also the m of the easy / semi-hard / hard counts)"},
    {{'n'}, "n", "n", "Norm", 0, ACT_RUNNER, "L2 normalisation of the embeddings on / off (both)"},
    {{'d'}, "d", "d", "Dist", 0, ACT_RUNNER, "distance L2 / squared L2 (both)"},
    {{']', '['}, "] [", "]/[", "LR", 0, ACT_RUNNER, "learning rate x2 / /2 (both)"},
    {{'o'}, "o", "o", NULL, 0, ACT_RUNNER,
     "soft margin softplus(d_ap - d_an) on / off (triplet)"},
    {{'z'}, "z", "z", "Reduce", 0, ACT_RUNNER,
     "loss reducer mean / nonzero (mean over all mined, or only the active ones)"},
    {{'r'}, "r", "r", "Reset", 1, ACT_RUNNER,
     "reset both models: same seed, fresh identical weights, history cleared"},
    {{'R'}, "R", "R", NULL, 0, ACT_RUNNER, "reset both models with a new seed (seed + 1)"},
    {{'e'}, "e", "e", "Export", 0, ACT_RUNNER,
     "export the current metrics and the whole history as JSON (the path is shown)"},
    {{'v'}, "v", "v", "Proj", 1, ACT_PROJECTION,
     "show / hide the 2D projection (compact view: in place of the loss curve)"},
    {{'?', KEY_F(1)}, "? F1", "?", "Help", 1, ACT_HELP,
     "this help (arrows scroll; ?, F1 or Esc closes)"},
    {{CTRL_KEY('l')}, "^L", "^L", NULL, 0, ACT_REDRAW, "redraw the screen"},
    {{'q', KEY_F(10)}, "q F10", "q", "Quit", 1, ACT_QUIT,
     "quit (training stops, the terminal is restored)"},
};

const ui_keydef *keys_table(int *n) {
    *n = (int)(sizeof table / sizeof table[0]);
    return table;
}

const ui_keydef *keys_find(int ch) {
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        for (int k = 0; k < 3 && table[i].keys[k]; k++)
            if (table[i].keys[k] == ch) return &table[i];
    return NULL;
}
