// help.c: the help overlay: every key (from the key table) and how to read
// each panel. docs/interface.md says the same at more length.
#include <curses.h>
#include <stdio.h>
#include <string.h>
#include "keys.h"
#include "panels.h"

// --- Text ------------------------------------------------------------------------------

enum { HEADING, PARA, KEYS };

static const struct {
    int kind;
    const char *text;
} help_text[] = {
    {HEADING, "Keys (a change applies between two steps, is marked on the curves and logged)"},
    {KEYS, NULL},
    {HEADING, "What you are looking at"},
    {PARA, "Two models of the same shape start from the same weights and see the same batches. "
           "The Siamese model (left) learns with the contrastive loss over every pair of the "
           "batch; the triplet model (right) with the triplet loss over the triplets its miner "
           "picks. Whatever differs between the columns comes from the loss and the mining."},
    {PARA, "Header: data set (train/test samples), step, steps per second (while running), "
           "RUNNING or PAUSED, seed and preset. When it is too narrow, the data set's name is "
           "shortened, then the preset, seed and steps/s go; the step and RUNNING / PAUSED "
           "always stay."},
    {PARA, "Settings line: the miner (triplet) or 'contrastive' with its pair margin (Siamese); "
           "sampler 'pk PxK' (P classes, K samples each) or 'uniform B'; the margin; distance L2 "
           "or L2^2 (squared), on normalised ('norm') or raw embeddings, or 'cos' (1 - cos, "
           "always normalised: n changes nothing then); the reducer; the learning rate. "
           "Narrow columns shorten the labels ('m 0.20' is the margin)."},
    {PARA, "Loss: the whole run, squeezed to the width; each column of dots spans the lowest to "
           "the highest loss of the steps it covers, so spikes stay visible. Labels on the left "
           "give the range. Dashed vertical lines mark setting changes; the keys that made one "
           "are written under it on the axis (several keys at one step side by side). A triplet loss that stays near the margin while "
           "the Siamese loss falls is the stall this tool is about."},
    {PARA, "Difficulty: every valid triplet (anchor, positive, negative) of the batch, measured "
           "on this model's embeddings with the margin m: easy d_an > d_ap + m (no loss), "
           "semi-hard d_ap < d_an <= d_ap + m, hard d_an <= d_ap. The line gives each count "
           "(91.2k: 91 200) and share; narrow columns write e, s, h. 'now' is this batch, easy | "
           "semi-hard | hard from left to right; 'run' is the same split over the whole run, "
           "hard at the bottom, easy on top. A strip rising to all-hard: negatives sit closer "
           "than positives (collapse). All-easy: the margin is met, the loss has nothing left "
           "to push. Without colour: easy, semi-hard, hard are light, medium, full fill "
           "(ASCII . + #)."},
    {PARA, "Triplet row: 'mined' are the triplets the miner picked, with their difficulty; "
           "'active' those with a loss above zero (the only ones that teach). 'no positive': "
           "anchors whose class appears once in the batch (uniform sampling with many classes); "
           "'self-positive': hardest-neg anchors that drew themselves as positive (d_ap = 0). "
           "Siamese row: positive and negative pairs, and the negatives closer than the pair "
           "margin (the ones that push)."},
    {PARA, "norm: mean +- std and [min, max] of the raw embedding norms this batch, then the "
           "mean over the run as a sparkline. Norms falling to zero: collapse; growing without "
           "end: the loss is being met by scaling (unnormalised)."},
    {PARA, "d_ap vs d_an: the mean distance between same-class and between different-class "
           "points of the batch. Learning pulls them apart (d_an above d_ap); shown in warning "
           "colour when d_an is not above d_ap."},
    {PARA, "P@1 and MAP@R: retrieval on held-out data (a fixed subsample), every --eval-every "
           "steps. P@1: the nearest neighbour has the query's class. MAP@R: how well the R "
           "same-class neighbours rank first. Both in [0, 1]; the sparklines are their history."},
    {PARA, "Projection: the held-out embeddings on their first two principal axes (PCA; the "
           "share of variance they explain is in the title), one colour per class, or one "
           "glyph per class without colour or with fewer colours than classes (8-colour "
           "terminals); the legend beneath both scatters names every class. Separate clusters: "
           "a model that learned. One blob: collapse."},
    {PARA, "Diagnosis: what is wrong and why, most severe first: severity, model, (from 120 "
           "columns) the finding's code, the key to try ('press M:'), the message, and, while "
           "rows are spare, the numbers that raised it as name=value (docs/failure-modes.md "
           "explains each). A finding needs to persist over a window of steps before it is "
           "raised or cleared. 'no problem found' is what a healthy run looks like. The rule "
           "above shows a key's notice (an export's path, a refusal) for 10 s; (x2): the same "
           "notice again."},
    {PARA, "Views: from 100x30 everything shows; at 80x24 the compact view hides the projection "
           "(v shows it in place of the loss curve); below 80x24 only a size message shows (q "
           "still quits). --script \"STEP:KEYS,...\" presses keys at given steps; --log FILE "
           "writes the JSON lines of headless mode, events included."},
};

// --- Wrapping -------------------------------------------------------------------------

// Emits line `*line` (0-based over the whole help) when it is in view.
typedef struct {
    int line, scroll, y0, rows, x0, w;
} help_cursor;

static void emit(help_cursor *c, int indent, ui_role role, const char *s, int len) {
    int r = c->line++ - c->scroll;
    if (r < 0 || r >= c->rows) return;
    char buf[256];
    if (len > (int)sizeof buf - 1) len = (int)sizeof buf - 1;
    memcpy(buf, s, (size_t)len);
    buf[len] = 0;
    term_text(c->y0 + r, c->x0 + indent, c->w - indent, role, buf);
}

static void emit_wrapped(help_cursor *c, int indent, int hang, ui_role role, const char *s) {
    int first = 1;
    while (*s) {
        int in = first ? indent : hang;
        const char *next;
        int len = text_wrap(s, c->w - in, &next);
        emit(c, in, role, s, len);
        s = next;
        first = 0;
    }
}

// --- Overlay ---------------------------------------------------------------------------

void help_draw(ui_state *u, int W, int H) {
    int bw = W - 4 < 100 ? W - 4 : 100, bh = H - 2;
    int bx = (W - bw) / 2, by = 1;
    if (bw < 20 || bh < 5) return;
    wchar_t h = u->caps.utf8 ? L'─' : L'-', v = u->caps.utf8 ? L'│' : L'|';
    for (int y = by; y < by + bh; y++) {
        term_fill(y, bx, bw, L' ', ROLE_DEFAULT);
        term_fill(y, bx, 1, v, ROLE_DIM);
        term_fill(y, bx + bw - 1, 1, v, ROLE_DIM);
    }
    term_fill(by, bx, bw, h, ROLE_DIM);
    term_fill(by + bh - 1, bx, bw, h, ROLE_DIM);
    term_text(by, bx + 2, bw - 4, ROLE_TITLE, " tripletscope help ");
    const char *foot = " arrows / PgUp / PgDn scroll   ?, F1 or Esc closes ";
    term_text(by + bh - 1, bx + 2, bw - 4, ROLE_DIM, foot);

    help_cursor c = {0, u->help_scroll, by + 1, bh - 2, bx + 2, bw - 4};
    int nk;
    const ui_keydef *keys = keys_table(&nk);
    for (size_t i = 0; i < sizeof help_text / sizeof help_text[0]; i++) {
        switch (help_text[i].kind) {
        case HEADING:
            if (i > 0) emit(&c, 0, ROLE_DEFAULT, "", 0);
            emit_wrapped(&c, 0, 0, ROLE_TITLE, help_text[i].text);
            break;
        case KEYS:
            for (int k = 0; k < nk; k++) {
                char line[200];
                snprintf(line, sizeof line, "%-7s %s", keys[k].label, keys_help(&keys[k]));
                emit_wrapped(&c, 2, 10, ROLE_DEFAULT, line);
            }
            break;
        default:
            emit_wrapped(&c, 0, 0, ROLE_DEFAULT, help_text[i].text);
            emit(&c, 0, ROLE_DEFAULT, "", 0);
            break;
        }
    }
    u->help_lines = c.line;
    // Clamp the scroll to the text (keys may have scrolled past it).
    int max_scroll = c.line - c.rows > 0 ? c.line - c.rows : 0;
    if (u->help_scroll > max_scroll) u->help_scroll = max_scroll;
}
