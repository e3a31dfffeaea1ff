// canvas.c: braille canvas, line plot, stacked bar and strip, sparkline,
// scatter and text fitting. Pure functions over caller-owned buffers: no
// terminal, no allocation.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "canvas.h"

// --- Braille canvas -------------------------------------------------------------

// Unicode braille numbers its dots 1 2 3 7 down the left column and
// 4 5 6 8 down the right: bit of (dx, dy).
static const uint8_t braille_bits[4][2] = {
    {0x01, 0x08}, {0x02, 0x10}, {0x04, 0x20}, {0x40, 0x80}};

uint8_t canvas_dot_bit(int dx, int dy) { return braille_bits[dy & 3][dx & 1]; }

void canvas_init(ui_canvas *c, int w, int h, uint8_t *bits, uint8_t *role) {
    c->w = w;
    c->h = h;
    c->bits = bits;
    c->role = role;
    memset(bits, 0, (size_t)w * h);
    memset(role, 0, (size_t)w * h);
}

void canvas_dot(ui_canvas *c, int x, int y, uint8_t role) {
    if (x < 0 || y < 0 || x >= 2 * c->w || y >= 4 * c->h) return;
    size_t i = (size_t)(y / 4) * c->w + x / 2;
    c->bits[i] |= canvas_dot_bit(x % 2, y % 4);
    c->role[i] = role;
}

void canvas_vline(ui_canvas *c, int x, int y0, int y1, uint8_t role) {
    if (y0 > y1) { int t = y0; y0 = y1; y1 = t; }
    for (int y = y0; y <= y1; y++) canvas_dot(c, x, y, role);
}

void canvas_render(const ui_canvas *c, int utf8, ui_cell *out) {
    const uint8_t upper = 0x01 | 0x08 | 0x02 | 0x10;   // dot rows 0 and 1
    for (int i = 0; i < c->w * c->h; i++) {
        uint8_t b = c->bits[i];
        out[i].role = b ? c->role[i] : 0;
        if (utf8) out[i].ch = b ? (wchar_t)(0x2800 + b) : L' ';
        else if (!b) out[i].ch = L' ';
        else if ((b & upper) && (b & ~upper)) out[i].ch = L':';
        else out[i].ch = (b & upper) ? L'\'' : L'.';
    }
}

// --- Line plot -----------------------------------------------------------------

// Dot row of value v: hi at the top (0), lo at the bottom (rows - 1).
static int value_row(float v, float lo, float hi, int rows) {
    if (!(hi > lo)) return rows / 2;
    float t = (hi - v) / (hi - lo);
    int r = (int)lroundf(t * (float)(rows - 1));
    return r < 0 ? 0 : r >= rows ? rows - 1 : r;
}

void plot_series(ui_canvas *c, const ts_series *s, float lo, float hi, uint8_t role,
                 float *mn, float *mx) {
    int n = 2 * c->w, rows = 4 * c->h;
    series_columns(s, n, mn, mx, NULL);
    int have_prev = 0, ptop = 0, pbot = 0;
    for (int x = 0; x < n; x++) {
        if (!isfinite(mn[x]) || !isfinite(mx[x])) {
            have_prev = 0;   // a gap (no finite value) stays a gap
            continue;
        }
        int top = value_row(mx[x], lo, hi, rows), bot = value_row(mn[x], lo, hi, rows);
        int t = top, b = bot;
        if (have_prev && t > pbot) t = pbot;   // join to the neighbour
        if (have_prev && b < ptop) b = ptop;
        canvas_vline(c, x, t, b, role);
        // The next column joins to what this one drew, so a spike's way
        // back down is drawn once, not twice.
        have_prev = 1;
        ptop = t;
        pbot = b;
    }
}

void plot_marker(ui_canvas *c, int x, uint8_t role) {
    for (int y = 0; y < 4 * c->h; y += 2) canvas_dot(c, x, y, role);
}

// True when cells a..b (clipped to the row) hold nothing.
static int row_free(const char *out, int w, int a, int b) {
    for (int i = a < 0 ? 0 : a; i <= b && i < w; i++)
        if (out[i]) return 0;
    return 1;
}

// Where a label of len cells fits with a free cell either side, searching
// from start in steps of dir; -1 if nowhere.
static int label_slot(const char *out, int w, int len, int start, int dir) {
    for (int s = start; s >= 0 && s + len <= w; s += dir)
        if (row_free(out, w, s - 1, s + len)) return s;
    return -1;
}

void axis_compose(char *out, uint8_t *is_key, int w, const int *cell, const char *key, int n,
                  const char *first, const char *last) {
    memset(out, 0, (size_t)w);
    memset(is_key, 0, (size_t)w);
    // Markers in event order have ascending cells; a group is the markers of
    // one cell. Its keys run right, up to a free cell before the next group;
    // short of room there (the last cell: keys pressed while paused), they
    // end at the marker instead, back to a free cell after the last group.
    int lo = 0;   // the first cell a group may use
    for (int i = 0; i < n;) {
        int j = i, c = cell[i], len = 0;
        while (j < n && cell[j] == c) j++;
        len = j - i;
        int end = j < n ? cell[j] - 1 : w;   // exclusive
        if (end <= c) end = c + 1;
        if (end > w) end = w;
        int start = c;
        if (start + len > end) start = end - len > lo ? end - len : lo;
        if (start > c) start = c;
        for (int k = 0; k < len && start + k < end; k++) {
            out[start + k] = key[i + k];
            is_key[start + k] = 1;
        }
        int used = start + len < end ? start + len : end;
        lo = used + 1;
        i = j;
    }
    // The last step, then the first, moved inward past the keys rather than
    // hidden by them.
    int ll = (int)strlen(last), lf = (int)strlen(first);
    int s = label_slot(out, w, ll, w - ll, -1);
    if (s >= 0) memcpy(out + s, last, (size_t)ll);
    s = label_slot(out, w, lf, 0, 1);
    if (s >= 0) memcpy(out + s, first, (size_t)lf);
}

// --- Loss axis views -------------------------------------------------------------

float series_log_floor(const ts_series *s, float hi) {
    if (!(hi > 0)) return 0;
    float least = hi;
    for (int b = 0; b < s->nbins; b++) {
        const ts_bin *bin = &s->bins[b];
        if (!bin->finite) continue;
        float mean = (float)(bin->sum / bin->finite);
        if (bin->min > 0 && bin->min < least) least = bin->min;
        if (mean > 0 && mean < least) least = mean;
    }
    float limit = hi * 1e-6f;
    return least > limit ? least : limit;
}

static float log_of(float v, float floor) { return log10f(v > floor ? v : floor); }

void series_log10(const ts_series *s, float floor, ts_series *out) {
    *out = *s;
    for (int b = 0; b < out->nbins; b++) {
        ts_bin *bin = &out->bins[b];
        if (!bin->finite) continue;
        float mean = (float)(bin->sum / bin->finite);
        bin->min = log_of(bin->min, floor);
        bin->max = log_of(bin->max, floor);
        bin->sum = (double)log_of(mean, floor) * bin->finite;
    }
    out->last = isfinite(s->last) ? log_of(s->last, floor) : s->last;
}

// The index of the last bin of s starting at or before step (0 when step
// comes before the first); s is not empty.
static int bin_of(const ts_series *s, long step) {
    int lo = 0, hi = s->nbins - 1;
    while (lo < hi) {
        int mid = (lo + hi + 1) / 2;
        if (s->bins[mid].step <= step) lo = mid;
        else hi = mid - 1;
    }
    return lo;
}

long series_recent_from(const ts_series *s, long steps, int min_bins) {
    int nb = s->nbins;
    if (nb <= 0) return 0;
    const ts_bin *last = &s->bins[nb - 1];
    long from = last->step + last->n - steps;   // the last step is last->step + n - 1
    long by_bins = s->bins[nb - min_bins > 0 ? nb - min_bins : 0].step;
    if (by_bins < from) from = by_bins;
    return s->bins[bin_of(s, from)].step;   // where the bin holding it starts
}

void series_window(const ts_series *s, long from, ts_series *out) {
    out->width = s->width;
    out->last = s->last;
    out->nbins = 0;
    out->count = 0;
    if (s->nbins <= 0) return;
    int b0 = bin_of(s, from);
    out->nbins = s->nbins - b0;
    memcpy(out->bins, s->bins + b0, sizeof(ts_bin) * (size_t)out->nbins);
    for (int b = 0; b < out->nbins; b++) out->count += out->bins[b].n;
}

float series_value_at(const ts_series *s, long step) {
    if (s->nbins <= 0) return NAN;
    return series_bin_mean(s, bin_of(s, step));
}

int log_ticks(float lo, float hi, int rows, uint8_t *taken, int *row, int *exp10, int max) {
    int n = 0;
    if (!(hi > lo) || rows <= 0 || !isfinite(lo) || !isfinite(hi)) return 0;
    // At most 64 decades are looked at: more could not be told apart on a screen.
    for (int e = (int)floorf(hi), k = 0; (float)e >= lo && n < max && k < 64; e--, k++) {
        int r = value_row((float)e, lo, hi, 4 * rows) / 4;
        if (taken[r]) continue;
        int near = 0;
        for (int i = 0; i < n; i++) near |= abs(row[i] - r) <= 1;
        if (near) continue;
        taken[r] = 1;
        row[n] = r;
        exp10[n++] = e;
    }
    return n;
}

// --- Bars and strips -------------------------------------------------------------

void bar_fills(int utf8, int n, wchar_t *fills) {
    static const wchar_t fill_utf8[] = L"░▒█▓", fill_ascii[] = L".+#=";
    for (int k = 0; k < n; k++) fills[k] = (utf8 ? fill_utf8 : fill_ascii)[k % 4];
}

void bar_stacked(ui_cell *out, int w, const long *counts, int n, const wchar_t *fills,
                 const uint8_t *roles, int *widths) {
    int wd[16] = {0};
    double rem[16] = {0};
    long total = 0;
    if (n > 16) n = 16;
    for (int k = 0; k < n; k++) total += counts[k] > 0 ? counts[k] : 0;
    int used = 0;
    for (int k = 0; total > 0 && k < n; k++) {
        double exact = (double)(counts[k] > 0 ? counts[k] : 0) * w / (double)total;
        wd[k] = (int)exact;
        rem[k] = exact - wd[k];
        used += wd[k];
    }
    // Largest remainders take the cells rounding left over (lower index on ties).
    while (total > 0 && used < w) {
        int best = 0;
        for (int k = 1; k < n; k++)
            if (rem[k] > rem[best]) best = k;
        wd[best]++;
        rem[best] = -1;
        used++;
    }
    int x = 0;
    for (int k = 0; k < n; k++)
        for (int i = 0; i < wd[k] && x < w; i++, x++) {
            out[x].ch = fills[k];
            out[x].role = roles[k];
        }
    for (; x < w; x++) {
        out[x].ch = L' ';
        out[x].role = 0;
    }
    if (widths)
        for (int k = 0; k < n; k++) widths[k] = wd[k];
}

void strip_stacked(ui_cell *out, int w, int h, const float *const *frac, int n,
                   const wchar_t *fills, const uint8_t *roles) {
    for (int x = 0; x < w; x++) {
        float total = 0;
        int ok = 1, last = -1;
        for (int k = 0; k < n; k++) {
            float f = frac[k][x];
            if (!isfinite(f)) ok = 0;
            else if (f > 0) { total += f; last = k; }
        }
        for (int r = 0; r < h; r++) {
            ui_cell *cell = &out[(size_t)r * w + x];
            cell->ch = L' ';
            cell->role = 0;
            if (!ok || total <= 0) continue;
            float mid = ((float)(h - 1 - r) + 0.5f) / (float)h * total, cum = 0;
            int seg = last;
            for (int k = 0; k < n; k++) {
                cum += frac[k][x] > 0 ? frac[k][x] : 0;
                if (mid < cum) { seg = k; break; }
            }
            cell->ch = fills[seg];
            cell->role = roles[seg];
        }
    }
}

// --- Sparkline -----------------------------------------------------------------

void sparkline(ui_cell *out, const float *v, int n, float lo, float hi, int utf8,
               uint8_t role) {
    static const wchar_t levels_utf8[] = L"▁▂▃▄▅▆▇█", levels_ascii[] = L"_.-:=+*#";
    const wchar_t *lv = utf8 ? levels_utf8 : levels_ascii;
    for (int i = 0; i < n; i++) {
        out[i].role = role;
        if (!isfinite(v[i])) {
            out[i].ch = L' ';
            out[i].role = 0;
            continue;
        }
        int l = 3;
        if (hi > lo) {
            l = (int)((v[i] - lo) / (hi - lo) * 8.0f);
            l = l < 0 ? 0 : l > 7 ? 7 : l;
        }
        out[i].ch = lv[l];
    }
}

// --- Scatter -------------------------------------------------------------------

wchar_t scatter_glyph(int c) {
    static const char glyphs[] = "ox+*#@%&=$ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    return (wchar_t)glyphs[(c < 0 ? 0 : c) % (int)(sizeof glyphs - 1)];
}

// Position of v in [a, b] on n slots (clamped).
static int slot(float v, float a, float b, int n) {
    if (!(b > a)) return n / 2;
    int i = (int)((v - a) / (b - a) * (float)n);
    return i < 0 ? 0 : i >= n ? n - 1 : i;
}

void scatter_plot(ui_cell *out, int w, int h, const float *pts, const int *y, int n,
                  float x0, float x1, float y0, float y1, int braille, uint8_t role0,
                  int *cand, int *cnt, uint8_t *bits) {
    int sw = braille ? 2 : 1, sh = braille ? 4 : 1;
    size_t cells = (size_t)w * h;
    memset(cnt, 0, sizeof(int) * cells);
    memset(bits, 0, cells);
    for (int i = 0; i < n; i++) {
        float px = pts[2 * i], py = pts[2 * i + 1];
        if (!isfinite(px) || !isfinite(py)) continue;
        int dx = slot(px, x0, x1, w * sw), dy = sh * h - 1 - slot(py, y0, y1, h * sh);
        size_t k = (size_t)(dy / sh) * w + dx / sw;
        bits[k] |= braille ? canvas_dot_bit(dx % 2, dy % 4) : 1;
        // Most common class of the cell by majority vote in O(1) memory:
        // exact when one class has most of the cell's points.
        if (cnt[k] == 0) { cand[k] = y[i]; cnt[k] = 1; }
        else if (cand[k] == y[i]) cnt[k]++;
        else cnt[k]--;
    }
    for (size_t k = 0; k < cells; k++) {
        if (!bits[k]) {
            out[k].ch = L' ';
            out[k].role = 0;
            continue;
        }
        out[k].role = (uint8_t)(role0 + cand[k] % UI_CLASS_ROLES);
        out[k].ch = braille ? (wchar_t)(0x2800 + bits[k]) : scatter_glyph(cand[k]);
    }
}

int legend_flow(const int *wd, int n, int w, int gap, int *x, int *row) {
    int cx = 0, r = 0;
    for (int i = 0; i < n; i++) {
        if (cx > 0 && cx + gap + wd[i] > w) {
            r++;
            cx = 0;
        }
        if (cx > 0) cx += gap;
        x[i] = cx;
        row[i] = r;
        cx += wd[i];
    }
    return n > 0 ? r + 1 : 0;
}

// --- Text ----------------------------------------------------------------------

int text_cols(const char *s) {
    int n = 0;
    for (; *s; s++) n += ((unsigned char)*s & 0xc0) != 0x80;
    return n;
}

// Where column col of s starts (its end when s is shorter).
static const char *col_ptr(const char *s, int col) {
    for (; *s; s++)
        if (((unsigned char)*s & 0xc0) != 0x80 && col-- == 0) break;
    return s;
}

void text_ellipsize(char *out, size_t n, const char *s, int cols, int middle, int utf8) {
    int total = text_cols(s);
    const char *dots = utf8 ? "…" : "...";
    int dw = utf8 ? 1 : 3;
    if (total <= cols || cols <= dw) {
        int len = (int)(col_ptr(s, cols < 0 ? 0 : cols) - s);
        snprintf(out, n, "%.*s", len, s);
        return;
    }
    int head = cols - dw, tail = 0;
    if (middle) {
        tail = head / 2;
        head -= tail;
    }
    int hb = (int)(col_ptr(s, head) - s);
    snprintf(out, n, "%.*s%s%s", hb, s, dots, col_ptr(s, total - tail));
}

int text_wrap(const char *s, int w, const char **next) {
    const char *cut = NULL, *p = s;
    int col = 0;
    // Walk the first w columns; a space at column w (just past them) is a
    // clean break too.
    for (; *p && col <= w; p++) {
        if (((unsigned char)*p & 0xc0) == 0x80) continue;
        if (*p == ' ' && p > s) cut = p;
        if (col++ == w) break;
    }
    if (!*p) cut = p;                         // the rest fits
    else if (!cut) cut = col_ptr(s, w);       // one long word: break it
    *next = cut;
    while (**next == ' ') (*next)++;
    return (int)(cut - s);
}

// --- Projection scale ------------------------------------------------------------

float proj_half_width(int unit, float extent0, float reach) {
    float h = unit ? 1.0f : extent0 > 0 && isfinite(extent0) ? 0.5f * extent0 : reach;
    if (isfinite(reach) && reach > h) h = reach;
    return h > 0 && isfinite(h) ? h : 1.0f;
}

int proj_collapsed(float extent, float ref) {
    return ref > 0 && isfinite(extent) && extent < 0.1f * ref;
}
