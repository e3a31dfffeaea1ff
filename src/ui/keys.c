// keys.c: every key of the interface, once.
#include <curses.h>
#include <stdio.h>
#include "keys.h"

#define CTRL_KEY(c) ((c) & 0x1f)

static const ui_keydef table[] = {
    {{' '}, {CMD_PAUSE}, "Space", "Spc", "Pause", 1},
    {{'.'}, {CMD_STEP}, ".", ".", "Step", 0},
    {{'<', '>'}, {CMD_SLOWER, CMD_FASTER}, "< >", "</>", "Pace", 0},
    {{'a'}, {CMD_AUTO_PAUSE}, "a", "a", NULL, 0},
    {{'m', 'M'}, {CMD_MINER_NEXT, CMD_MINER_PREV}, "m M", "m/M", "Miner", 1},
    {{'p'}, {CMD_SAMPLER}, "p", "p", "Sampler", 0},
    {{'+', '-'}, {CMD_MARGIN_UP, CMD_MARGIN_DOWN}, "+ -", "+/-", "Margin", 1},
    {{'n'}, {CMD_NORMALIZE}, "n", "n", "Norm", 0},
    {{'d'}, {CMD_DISTANCE}, "d", "d", "Dist", 0},
    {{']', '['}, {CMD_LR_UP, CMD_LR_DOWN}, "] [", "]/[", "LR", 0},
    {{'o'}, {CMD_SOFT}, "o", "o", NULL, 0},
    {{'z'}, {CMD_REDUCE}, "z", "z", "Reduce", 0},
    {{'w'}, {CMD_WEIGHT_DECAY}, "w", "w", NULL, 0},
    {{'l'}, {CMD_PAIR_LABELS}, "l", "l", NULL, 0},
    {{'r'}, {CMD_RESET}, "r", "r", "Reset", 1},
    {{'R'}, {CMD_RESEED}, "R", "R", NULL, 0},
    {{'P'}, {CMD_RESTORE}, "P", "P", NULL, 0},
    {{'e'}, {CMD_EXPORT}, "e", "e", "Export", 0},
    {{'\t', 'i', KEY_BTAB}, {CMD_FINDINGS, CMD_FINDINGS, CMD_FINDINGS_PREV}, "Tab i S-Tab", "Tab",
     "Finding", 1},
    {{'v'}, {CMD_PROJECTION}, "v", "v", "Proj", 1},
    {{'g'}, {CMD_LOSS_AXIS}, "g", "g", "Axis", 0},
    {{'?', KEY_F(1)}, {CMD_HELP, CMD_HELP}, "? F1", "?", "Help", 1},
    {{CTRL_KEY('l')}, {CMD_REDRAW}, "^L", "^L", NULL, 0},
    {{'q', KEY_F(10)}, {CMD_QUIT, CMD_QUIT}, "q F10", "q", "Quit", 1},
    {{KEY_LEFT, KEY_RIGHT}, {CMD_DUMP_PREV, CMD_DUMP_NEXT}, "Left Right", "Lt/Rt", NULL, 0},
    {{KEY_HOME, KEY_END}, {CMD_DUMP_FIRST, CMD_DUMP_LAST}, "Home End", "Hm/End", NULL, 0},
    {{'f'}, {CMD_FOLLOW}, "f", "f", NULL, 0},
};

#define N_KEYS (sizeof table / sizeof table[0])

const ui_keydef *keys_table(int *n) {
    *n = (int)N_KEYS;
    return table;
}

const ui_keydef *keys_find(int ch, ts_command *cmd) {
    for (size_t i = 0; i < N_KEYS; i++)
        for (int k = 0; k < 3 && table[i].keys[k]; k++)
            if (table[i].keys[k] == ch) {
                if (cmd) *cmd = table[i].cmds[k];
                return &table[i];
            }
    return NULL;
}

const ui_keydef *keys_for(ts_command c) {
    for (size_t i = 0; i < N_KEYS; i++)
        for (int k = 0; k < 3 && table[i].keys[k]; k++)
            if (table[i].cmds[k] == c) return &table[i];
    return NULL;
}

int keys_act_watching(const ui_keydef *k) {
    ts_command c = k->cmds[0];
    return c != CMD_PAUSE && c != CMD_STEP && c != CMD_SLOWER && c != CMD_AUTO_PAUSE &&
           c != CMD_SAMPLER && c != CMD_LR_UP && c != CMD_RESEED &&
           c != CMD_WEIGHT_DECAY;
}

void keys_name(ts_command c, char *buf, int n) {
    buf[0] = 0;
    for (size_t i = 0; i < N_KEYS; i++)
        for (int k = 0; k < 3 && table[i].keys[k]; k++)
            if (table[i].cmds[k] == c && table[i].keys[k] > ' ' && table[i].keys[k] < 127) {
                snprintf(buf, (size_t)n, "%c", table[i].keys[k]);
                return;
            }
}

const char *keys_help(const ui_keydef *k) {
    const char *h = command_info(k->cmds[0])->help;
    return h ? h : "";
}

int keys_whatif(ts_command c) {
    switch (c) {
    case CMD_MINER_NEXT: case CMD_MINER_PREV: case CMD_MARGIN_UP: case CMD_MARGIN_DOWN:
    case CMD_NORMALIZE: case CMD_DISTANCE: case CMD_SOFT: case CMD_REDUCE:
    case CMD_PAIR_LABELS:
        return 1;
    default:
        return 0;
    }
}
