// canvas.h: the interface's drawing as pure functions (no ncurses): series,
// counts and points in, cells out. Each cell is a glyph and a colour role;
// the panels put the cells on the screen, the tests read them directly. The
// text fitting (ellipsis, wrapping, legend flow) every panel uses is here
// too, for the same reason; the number formats are in format.h.
//
// Glyph sets: with UTF-8, braille (2 x 4 dots a cell), block eighths for
// sparklines and shades for bars; without, ASCII look-alikes. Without
// colour, whatever colour tells apart is told apart by glyph as well.
#ifndef TS_UI_CANVAS_H
#define TS_UI_CANVAS_H
#include <stddef.h>
#include <stdint.h>
#include <wchar.h>
#include "tripletscope/series.h"

typedef struct {
    wchar_t ch;      // the glyph (ASCII only when not UTF-8)
    uint8_t role;    // colour role (term.h's ui_role; 0: default)
} ui_cell;

// --- Braille canvas -------------------------------------------------------------

// A w x h cell grid of 2w x 4h dots; dot (0, 0) is the top left.
typedef struct {
    int w, h;
    uint8_t *bits;   // (h, w) braille dot bits of each cell (U+2800 + bits)
    uint8_t *role;   // (h, w) colour role of each cell: the last dot drawn wins
} ui_canvas;

// Braille dot bit of dot (dx, dy) inside a cell, dx < 2, dy < 4.
uint8_t canvas_dot_bit(int dx, int dy);
// Uses bits and role (each w * h bytes, the caller's) and clears them.
void canvas_init(ui_canvas *c, int w, int h, uint8_t *bits, uint8_t *role);
// Sets dot (x, y); outside the canvas does nothing.
void canvas_dot(ui_canvas *c, int x, int y, uint8_t role);
// Sets the dots (x, y0..y1), either order.
void canvas_vline(ui_canvas *c, int x, int y0, int y1, uint8_t role);
// Turns the canvas into cells (h, w): braille with UTF-8; else per cell ':'
// (dots in both halves), '\'' (upper half only), '.' (lower half only).
void canvas_render(const ui_canvas *c, int utf8, ui_cell *out);

// --- Line plot -----------------------------------------------------------------

// Draws s over the whole canvas width (one dot column each of 2w), each
// dot column spanning its min..max (spikes stay visible), joined to its
// neighbour so the line stays connected; values map [lo, hi] to the
// bottom..top dot. Uses the scratch mn, mx (2w floats each).
void plot_series(ui_canvas *c, const ts_series *s, float lo, float hi, uint8_t role,
                 float *mn, float *mx);
// A dashed vertical marker at dot column x (every other dot row).
void plot_marker(ui_canvas *c, int x, uint8_t role);

// The axis row under a curve, w cells, into out (0: the axis line) and
// is_key (1: a marker's key): the keys of n markers (cell[i] ascending,
// key[i]) under their cells, keys sharing a cell running right from it up to
// a free cell before the next marker, or, short of room there, ending at it
// (as many as fit); then the last and the first step labels, each at its
// end of the row or moved inward past the keys (a free cell apart), never
// hidden by them.
void axis_compose(char *out, uint8_t *is_key, int w, const int *cell, const char *key, int n,
                  const char *first, const char *last);

// --- Loss axis views -------------------------------------------------------------
// The loss panel draws a series as it is (linear), as its log10 (a log
// axis, drawn linearly), or its last steps only (the recent view): each a
// copy of the series' bins, so plot_series draws them all.

// The lowest value a log axis over s shows: the smallest positive bin
// minimum or mean, but not below hi * 1e-6 (one tiny value would squeeze
// the rest into a few rows); values at or below it, zeros included, draw
// on the bottom row. 0 when s has no positive value (hi <= 0).
float series_log_floor(const ts_series *s, float hi);
// out = s with each bin's min, max and mean v as log10(max(v, floor))
// (floor > 0); bins without a finite value stay so.
void series_log10(const ts_series *s, float floor, ts_series *out);
// Where the recent view of s starts: the last `steps` steps (one value a
// step), or its last `min_bins` bins when those span more (a long run's
// bins hold many steps each), from the start of the bin holding the first;
// s's first step when s is shorter. 0 when s is empty.
long series_recent_from(const ts_series *s, long steps, int min_bins);
// out = the bins of s from the one holding step `from` on (all of s when
// from is at or before its first step).
void series_window(const ts_series *s, long from, ts_series *out);
// The mean of the bin of s holding step `step` (the last bin starting at
// or before it): the value a curve shows there. NaN when s is empty or the
// bin has no finite value.
float series_value_at(const ts_series *s, long step);

// The label rows of a log axis over [lo, hi] (log10 of the values) on
// `rows` rows, row 0 the top: the powers of ten inside, each on the row
// holding its dot (as plot_series places it). A tick takes a row that
// taken[] (rows entries) does not hold and that no other tick is next to,
// from the top down; taken[] receives the rows used. Writes up to max ticks
// (row[i], exponent[i]) and returns how many.
int log_ticks(float lo, float hi, int rows, uint8_t *taken, int *row, int *exp10, int max);

// --- Bars and strips -------------------------------------------------------------

// Fill glyphs of n stacked segments, one per segment ("░▒█" or, without
// UTF-8, ".+#"): lighter to denser, in colour as without, so the segments
// differ by texture whatever the colours (a colour-blind viewer, NO_COLOR).
void bar_fills(int utf8, int n, wchar_t *fills);
// Splits w cells among counts (n) in proportion (largest remainder, so the
// widths sum to w when the total is > 0); writes the widths into widths (n)
// if not NULL. An all-zero total gives w blank cells.
void bar_stacked(ui_cell *out, int w, const long *counts, int n, const wchar_t *fills,
                 const uint8_t *roles, int *widths);
// A strip over time, w columns x h rows: column x stacks the fractions
// frac[k][x] (k < n, summing to about 1) from the bottom row up; each cell
// takes the segment covering its middle. NaN columns stay blank.
void strip_stacked(ui_cell *out, int w, int h, const float *const *frac, int n,
                   const wchar_t *fills, const uint8_t *roles);

// --- Sparkline -----------------------------------------------------------------

// One cell per value (n): 8 levels over [lo, hi] ("▁".."█", or "_.-:=+*#").
// NaN gives a blank; a flat range gives the middle level.
void sparkline(ui_cell *out, const float *v, int n, float lo, float hi, int utf8,
               uint8_t role);

// --- Scatter -------------------------------------------------------------------

#define UI_CLASS_ROLES 16   // colour roles for classes; class c uses c % this

// The projection's drawing scale: the half-width h of the window [-h, h] on
// both axes (the points are centred). Of unit vectors (normalised, or cosine)
// h is 1; else extent0 / 2, a scale fixed at the first evaluation (or, before
// one, reach). Never under reach, the largest |coordinate|, so no point
// falls off. It does not follow the cloud down: a collapse draws as one dot.
float proj_half_width(int unit, float extent0, float reach);
// Whether a cloud whose extent (in the distance in use) is extent reads as
// collapsed to a point: under a tenth of ref (the margin, in the same units).
int proj_collapsed(float extent, float ref);

// Glyph of class c without colour (or without braille): ASCII, so it reads
// the same under any locale.
wchar_t scatter_glyph(int c);
// Plots n points pts (n, 2) with labels y (n) over [x0, x1] x [y0, y1] into
// w x h cells (the y axis points up). braille (needs UTF-8 and colour):
// every point is a dot, each cell coloured by its most common class;
// otherwise each cell shows the glyph of its most common class. Class c's
// role is role0 + c % UI_CLASS_ROLES. Uses the scratch cand (w * h ints),
// cnt (w * h ints) and bits (w * h bytes).
void scatter_plot(ui_cell *out, int w, int h, const float *pts, const int *y, int n,
                  float x0, float x1, float y0, float y1, int braille, uint8_t role0,
                  int *cand, int *cnt, uint8_t *bits);

// Lays out n legend entries, wd[i] columns each, left to right over rows of
// w columns with gap columns between entries; an entry never splits. Fills
// x[i] and row[i]; returns the rows used.
int legend_flow(const int *wd, int n, int w, int gap, int *x, int *row);

// --- Text ----------------------------------------------------------------------
// UTF-8 (or ASCII) text, one column a character.

// Columns s takes: every byte but continuation bytes.
int text_cols(const char *s);
// s in at most cols columns into out (n bytes): whole when it fits, else cut
// with an ellipsis ("…", or "..." without UTF-8) at the end, or in the middle
// (middle != 0) so both ends show: "my_handw…aset.csv".
void text_ellipsize(char *out, size_t n, const char *s, int cols, int middle, int utf8);
// The next line of s in w columns, broken at the last space that lets it fit
// (a word longer than w is broken): returns its length in bytes; *next
// receives where the following line starts (its leading spaces skipped).
int text_wrap(const char *s, int w, const char **next);

#endif
