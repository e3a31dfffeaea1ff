// panels.h: the screen drawn from one runner view: layout, the two model
// columns, the diagnosis panel, the key bar and the help overlay.
#ifndef TS_UI_PANELS_H
#define TS_UI_PANELS_H
#include "term.h"
#include "tripletscope/runner.h"

#define UI_MIN_W 80
#define UI_MIN_H 24

// The interface's own state (nothing here is training state).
typedef struct {
    ui_caps caps;
    int show_proj;        // v: the projection (compact view: instead of the loss)
    int help;             // the help overlay is open
    int help_scroll;      // its first line shown
    int help_lines;       // its length at the last draw (to clamp scrolling)
    char notice[640];     // the session's last notice, and when it came
    double notice_t;
    long notice_seq;      // its sequence number (the session counts notices)
    int notice_repeat;    // how many times in a row it came with the same text
    // Scratch grown with the terminal, so a frame allocates nothing.
    int cap;              // cells each buffer holds
    ui_cell *cells;       // (cap)
    uint8_t *bits, *roles;// (cap)
    int *cand, *cnt;      // (cap) scatter majority vote
    float *f[4];          // (2 * cap_w) per-column values
    int cap_w;
} ui_state;

// Grows the scratch for a W x H terminal. Returns 0, or -1 out of memory.
int panels_reserve(ui_state *u, int W, int H);
void panels_free(ui_state *u);
// Draws the whole screen (not refreshed) from v at time now (seconds).
void panels_draw(ui_state *u, const ts_runner_view *v, double now);
// Draws the help overlay over the screen.
void help_draw(ui_state *u, int W, int H);

#endif
