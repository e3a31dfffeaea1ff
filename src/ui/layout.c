// layout.c: where each panel goes: the rows of a W x H screen, given to
// the fixed lines first, then the loss curve, then the projection.
//
//   header                                                          row 0
//   Siamese                 loss | Triplet                    loss  titles
//   settings (1-2 rows)          | settings
//   loss curve + axis            | loss curve + axis
//   difficulty counts, bar, strip| ...
//   mined / pairs, no-positive   | ...
//   norms, d_ap vs d_an, P@1     | ...
//   projection                   | projection
//   class legend (shared, full width, 1-3 rows)
//   Diagnosis ----------------------------------------------------
//   findings / warnings
//   key bar                                                         last row
#include <string.h>
#include "panels.h"

// --- Layout ------------------------------------------------------------------

// Rows go, by priority, to the fixed lines, then a loss curve of at least
// 3 rows, then the projection (at least 5); a compact view shows the
// projection only when asked, in place of the loss curve and strip.
void layout_compute(ui_layout *L, int W, int H, int proj_toggled) {
    memset(L, 0, sizeof *L);
    L->W = W;
    L->H = H;
    L->cw = (W - 1) / 2;
    L->x[0] = 0;
    L->x[1] = L->cw + 1;
    L->n_set = L->cw >= 80 ? 1 : 2;
    int strip = H >= 36 ? 3 : H >= 30 ? 2 : 1;
    L->n_diag = H >= 36 ? 4 : H >= 30 ? 3 : 2;
    int fixed = 11 + L->n_set;   // header, titles, counts, bar, 2 extra, norm, dist, eval, rule, keys
    int R = H - fixed - strip - L->n_diag;
    L->compact = R < 10;
    int loss_rows, proj_rows;
    if (!L->compact) {
        loss_rows = (R - 2) * 2 / 5;
        if (loss_rows < 3) loss_rows = 3;
        if (loss_rows > 12) loss_rows = 12;
        proj_rows = R - 2 - loss_rows;
        if (proj_toggled) { loss_rows = R - 1; proj_rows = 0; }
        L->n_strip = strip;
    } else if (proj_toggled) {
        loss_rows = 0;
        proj_rows = R + strip - 1;
        L->n_strip = 0;
    } else {
        loss_rows = R - 1;
        proj_rows = 0;
        L->n_strip = strip;
    }
    int y = 2 + L->n_set;
    if (loss_rows > 0) {
        L->y_loss = y;
        L->n_loss = loss_rows;
        y += loss_rows + 1;
    }
    if (L->compact && proj_rows > 0) {
        L->y_proj = y;
        L->n_proj = proj_rows;
        y += proj_rows + 1;
    }
    L->y_diff = y;
    y += 2 + L->n_strip;
    L->y_extra = y;
    y += 2;
    L->y_norm = y++;
    L->y_dist = y++;
    L->y_eval = y++;
    if (!L->compact && proj_rows > 0) {
        L->y_proj = y;
        L->n_proj = proj_rows;
    }
    L->y_keys = H - 1;
    L->y_diag = H - 2 - L->n_diag;
}
