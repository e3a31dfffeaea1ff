// keybar.c: the key bar on the last row, from the key table: the entries
// not marked to keep give way, from the right, when the row is too narrow.
// Watching a run it shows that mode's keys (keybar_draw_watch).
#include <string.h>
#include "keys.h"
#include "panels.h"

// --- Key bar -----------------------------------------------------------------

// Watching a run: the timeline first (it stands where pause and step stand
// for the trainer), then the what-if keys, then the interface's own. Keys
// that do nothing there (pause, step, the sampler, lr, reseed: the batches,
// lr and seed are the run's) are left out, and so are o and z, for room
// (the help lists them). When the row is too narrow, the entries give way by
// their drop rank (1 first; 0: kept): Home / End first, which Left / Right
// can stand in for; Tab (the finding view) last, which the panel's "+N
// more: Tab" names when findings are left out.
static const struct {
    ts_command cmd;
    const char *word;
    int drop;
} watch_bar[] = {
    {CMD_DUMP_PREV, "Dump", 0},    {CMD_DUMP_FIRST, "First/Last", 4}, {CMD_FOLLOW, "Follow", 0},
    {CMD_MINER_NEXT, "Miner", 0},  {CMD_MARGIN_UP, "Margin", 0},
    {CMD_NORMALIZE, "Norm", 3},    {CMD_DISTANCE, "Dist", 2},         {CMD_RESET, "Reset", 0},
    {CMD_EXPORT, "Export", 1},     {CMD_FINDINGS, "Finding", 5},      {CMD_PROJECTION, "Proj", 0},
    {CMD_HELP, "Help", 0},         {CMD_QUIT, "Quit", 0},
};
#define N_WATCH_BAR ((int)(sizeof watch_bar / sizeof watch_bar[0]))
#define WATCH_BAR_DROPS 5

// How the bar writes the keys of row k: arrows as arrows where UTF-8 has them.
static const char *watch_bar_key(const ui_state *u, const ui_keydef *k) {
    if (k->cmds[0] == CMD_DUMP_PREV && u->caps.utf8) return "←/→";
    return k->bar_key;
}

static void keybar_draw_watch(const ui_state *u, const ui_layout *L) {
    int W = L->W, y = L->y_keys, show[N_WATCH_BAR], wd[N_WATCH_BAR], total = 0;
    const ui_keydef *def[N_WATCH_BAR];
    for (int i = 0; i < N_WATCH_BAR; i++) {
        def[i] = keys_for(watch_bar[i].cmd);
        show[i] = def[i] != NULL;
        wd[i] = show[i] ? text_cols(watch_bar_key(u, def[i])) + text_cols(watch_bar[i].word) + 2 : 0;
        total += wd[i];
    }
    for (int d = 1; d <= WATCH_BAR_DROPS && total > W; d++)
        for (int i = 0; i < N_WATCH_BAR; i++)
            if (show[i] && watch_bar[i].drop == d) {
                show[i] = 0;
                total -= wd[i];
            }
    int x = 0;
    for (int i = 0; i < N_WATCH_BAR && x < W; i++) {
        if (!show[i]) continue;
        x += term_text(y, x, W - x, ROLE_KEY, watch_bar_key(u, def[i]));
        x += term_printf(y, x, W - x, ROLE_DEFAULT, " %s ", watch_bar[i].word);
    }
}

void keybar_draw(const ui_state *u, const ui_layout *L, const ts_snapshot *sn) {
    if (sn->info.attached) {
        keybar_draw_watch(u, L);
        return;
    }
    int n, W = L->W, y = L->y_keys;
    const ui_keydef *t = keys_table(&n);
    int show[32] = {0}, total = 0;
    for (int i = 0; i < n && i < 32; i++)
        if (t[i].bar) {
            show[i] = 1;
            total += (int)(strlen(t[i].bar_key) + strlen(t[i].bar)) + 2;
        }
    // Too narrow: drop the entries not marked to keep, from the right.
    for (int i = n - 1; i >= 0 && total > W; i--)
        if (show[i] && !t[i].bar_keep) {
            show[i] = 0;
            total -= (int)(strlen(t[i].bar_key) + strlen(t[i].bar)) + 2;
        }
    int x = 0;
    for (int i = 0; i < n && x < W; i++) {
        if (!show[i]) continue;
        x += term_text(y, x, W - x, ROLE_KEY, t[i].bar_key);
        x += term_printf(y, x, W - x, ROLE_DEFAULT, " %s ", t[i].bar);
    }
}
