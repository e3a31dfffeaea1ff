// panels.h: the screen drawn from one runner view. interface.c needs only
// the state and the entry (panels.c); the rest is what the files drawing
// the screen share, one topic each: the layout (layout.c), the header
// (header.c), a model's column (column.c, with curve.c, counts.c, stats.c
// and projection.c for its panels), the diagnosis (diagnosis_panel.c), the
// key bar (keybar.c) and the help overlay (help.c).
#ifndef TS_UI_PANELS_H
#define TS_UI_PANELS_H
#include "format.h"
#include "term.h"
#include "tripletscope/runner.h"

#define UI_MIN_W 80
#define UI_MIN_H 24

// --- State -------------------------------------------------------------------

// The loss panels' views (g cycles them): the whole run on a linear axis,
// the whole run on a log axis, the last LOSS_RECENT_STEPS steps (linear).
enum { LOSS_LINEAR, LOSS_LOG, LOSS_RECENT, LOSS_VIEWS };
#define LOSS_RECENT_STEPS 1000
#define LOSS_RECENT_MIN_BINS 32   // a long run's bins hold many steps: at least these

// The interface's own state (nothing here is training state).
typedef struct {
    ui_caps caps;
    int show_proj;        // v: the projection (compact view: instead of the loss)
    int loss_view;        // g: LOSS_LINEAR, LOSS_LOG or LOSS_RECENT
    int paused;           // the frame drawn shows a paused run (the curves show values at the keys)
    int help;             // the help overlay is open
    int help_scroll;      // its first line shown
    int help_lines;       // its length at the last draw (to clamp scrolling)
    char notice[640];     // the session's last notice, and when it came
    double notice_t;
    long notice_seq;      // its sequence number (the session counts notices)
    int notice_repeat;    // how many times in a row it came with the same text
    int evaluating;       // the last view read had an evaluation in progress
    int keys_waiting;     // commands given since, which wait for it to end
    // The finding view (Tab / i, finding_view.c): the finding selected by
    // its code and model (-1: none yet), a pending open or move (resolved
    // against the next frame's findings), the selected finding as last seen
    // (shown as such once cleared) and its place then; the scroll.
    int find_open;
    int find_code, find_model;
    int find_opening;     // 0, or FIND_OPEN / FIND_OPEN_LAST pending
    int find_move;        // pending moves: +1 a Tab, -1 a Shift-Tab
    ts_finding find_last;
    int find_index;
    int find_scroll, find_lines, find_rows;   // first row shown; rows in all, in view
    // Scratch grown with the terminal, so a frame allocates nothing.
    int cap;              // cells each buffer holds
    ui_cell *cells;       // (cap)
    uint8_t *bits, *roles;// (cap)
    int *cand, *cnt;      // (cap) scatter majority vote
    float *f[4];          // (2 * cap_w) per-column values
    int cap_w;
    ts_series *view;      // (2) a loss curve and a run's own, as the view draws them
} ui_state;

enum { FIND_OPEN = 2, FIND_OPEN_LAST = 3 };

// --- Entry -------------------------------------------------------------------

// Grows the scratch for a W x H terminal. Returns 0, or -1 out of memory.
int panels_reserve(ui_state *u, int W, int H);
// Frees the scratch (the state itself is the caller's).
void panels_free(ui_state *u);
// Draws the whole screen (not refreshed) from v at time now (seconds).
void panels_draw(ui_state *u, const ts_runner_view *v, double now);

// --- Layout ------------------------------------------------------------------

typedef struct {
    int W, H;
    int cw, x[2];          // column width; the columns' left edges
    int compact;           // the projection does not fit beside the curves
    int n_set;             // settings rows (from row 2)
    int y_loss, n_loss;    // loss canvas rows (0: hidden); the axis row follows
    int y_proj, n_proj;    // projection title row, then n_proj rows (0: hidden)
    int y_leg, n_leg;      // the class legend beneath both scatters, full width
    int y_diff, n_strip;   // counts row, bar row, then n_strip strip rows
    int y_extra;           // two rows: mined / pairs, no-positive / self-positive
    int y_norm, y_dist, y_eval;
    int y_diag, n_diag;    // "Diagnosis" rule, then n_diag rows
    int y_keys;
} ui_layout;

// The rows of every panel on a W x H screen, the projection shown or not
// as v toggled it (the legend's rows are the caller's to carve).
void layout_compute(ui_layout *L, int W, int H, int proj_toggled);

// --- Header ------------------------------------------------------------------

// Draws row 0 in W columns.
void header_draw(const ui_state *u, const ts_runner_view *v, int W);

// --- A model's column ---------------------------------------------------------

#define NUM_W 7   // the widest a measured number gets (format_sig3)

// Draws model k's column: title, settings, then each panel in its rows.
void column_draw(ui_state *u, const ui_layout *L, const ts_snapshot *sn, int k);
// Writes the first of the texts (most detailed first) that fits in w.
void text_fit(int y, int x, int w, ui_role role, const char *const *texts, int n);
// The colour role of model k's curves.
ui_role model_role(ts_model_kind k);

// Columns model m's line takes in form f (0: the most detailed).
typedef int (*form_width)(const ts_snapshot *sn, const ts_model_view *m, int f);

// The first of n forms that fits w in both columns (of the models with a
// step to show), so the same figures read alike side by side.
int common_form(const ts_snapshot *sn, int w, int n, form_width width);

// --- The column's panels -------------------------------------------------------
// Each draws model m's panel in the column at x, w columns wide.

// An attached run's own logged loss, drawn on our loss curve's axis: its
// colour role, and the glyph that tells it from our curve where colour and
// braille cannot (no colour, or no UTF-8): 0 where they can (curve.c).
#define ROLE_RUN_LOSS ROLE_DEFAULT
wchar_t run_loss_glyph(const ui_caps *caps);
// The loss curve and its axis row (curve.c), in L's loss rows.
void curve_draw(ui_state *u, const ui_layout *L, const ts_snapshot *sn, const ts_model_view *m,
                int x, int w);
// The difficulty line, bar and strip (counts.c), from L's counts row.
void counts_draw_difficulty(ui_state *u, const ui_layout *L, const ts_snapshot *sn,
                            const ts_model_view *m, int x, int w);
// What the miner picked or the pairs, then the anchors without a positive
// (counts.c), rows y and y + 1.
void counts_draw_mined(const ts_snapshot *sn, const ts_model_view *m, int y, int x, int w);
// The norms and their sparkline (stats.c), row y.
void stats_draw_norms(ui_state *u, const ts_snapshot *sn, const ts_model_view *m, int y, int x,
                      int w);
// The mean distances d_ap vs d_an (stats.c), row y.
void stats_draw_dist(const ts_snapshot *sn, const ts_model_view *m, int y, int x, int w);
// Held-out P@1 and MAP@R with their sparklines (stats.c), row y.
void stats_draw_eval(ui_state *u, const ts_snapshot *sn, const ts_model_view *m, int y, int x,
                     int w);
// The projection's title and scatter (projection.c), in L's projection rows.
void projection_draw(ui_state *u, const ui_layout *L, const ts_snapshot *sn,
                     const ts_model_view *m, int x, int w);

// --- Class legend --------------------------------------------------------------

// One class legend for both scatters (the models share the classes), in
// full-width rows beneath them.
typedef struct {
    int classes, more;                   // classes named; classes left out (past TS_MAX_LEGEND)
    int n;                               // entries: the classes, then "+more" if any
    int rows, gap, glyphs;               // glyphs: classes told apart by glyph (else colour)
    char name[TS_MAX_LEGEND + 1][32];    // as shown (shortened only when the rows need it)
    int x[TS_MAX_LEGEND + 1], row[TS_MAX_LEGEND + 1];
} ui_legend;

#define LEGEND_ROWS_MAX 3

// Fits the legend in W columns and at most max_rows rows: every class by its
// whole name when that fits, else the names shortened alike.
void legend_plan(ui_legend *g, const ui_state *u, const ts_snapshot *sn, int W, int max_rows);
// Draws the legend planned in g from row y.
void legend_draw(const ui_legend *g, int y);

// --- Diagnosis, key bar, help ----------------------------------------------------

// The "Diagnosis" rule and the findings beneath it, in L's rows.
void diagnosis_draw(ui_state *u, const ui_layout *L, const ts_runner_view *v, double now);
// The queries of the evaluation in progress, 0 when none is. A model's last
// block of queries is published with eval_total 0 but eval_done its total
// (the runner's "done"), while the step, its other model and the
// projection may still be running: that counts as in progress too, until
// the step's own publication clears eval_done.
int diagnosis_eval_total(const ts_runner_view *v);
// The key bar on L's last row (an attached run's keys when sn is one).
void keybar_draw(const ui_state *u, const ui_layout *L, const ts_snapshot *sn);
// The finding view (finding_view.c) in the rows between the header and the
// Diagnosis rule, in place of the columns.
void findview_draw(ui_state *u, const ui_layout *L, const ts_runner_view *v);
// Opens the view on the finding the run auto-paused at, else the first
// (last: the last, for Shift-Tab).
void findview_open(ui_state *u, int last);
// A key while the view is open: Tab / Shift-Tab the next / previous finding,
// the arrows and PgUp / PgDn scroll, i and Esc close. Returns 1 when it took
// the key, 0 to let it act as with the view closed.
int findview_key(ui_state *u, int ch);
// 1 when the panel marks f: the finding the view shows while it is open,
// else the one the run auto-paused at (--pause-on: "<code> raised").
int findview_marked(const ui_state *u, const ts_runner_view *v, const ts_finding *f);
// Where `make install` put the docs (TS_DOCDIR: the Makefile's DOCDIR).
const char *help_docdir(void);
// Draws the help overlay over the screen (with a section on watching a run,
// and only the keys that act there, when sn is one).
void help_draw(ui_state *u, const ts_snapshot *sn, int W, int H);

#endif
