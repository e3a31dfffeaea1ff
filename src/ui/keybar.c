// keybar.c: the key bar on the last row, from the key table: the entries
// not marked to keep give way, from the right, when the row is too narrow.
#include <string.h>
#include "keys.h"
#include "panels.h"

// --- Key bar -----------------------------------------------------------------

void keybar_draw(const ui_layout *L) {
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
