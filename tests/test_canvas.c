// test_canvas.c: the interface's drawing as pure functions: series, counts
// and points in, cells out (braille canvas, line plot, stacked bar and
// strip, sparkline, scatter), number formats and evidence text, UTF-8 and ASCII.
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>
#include "../src/ui/canvas.h"
#include "../src/ui/evidence.h"
#include "../src/ui/format.h"
#include "../src/ui/term.h"
#include "../src/ui/ui.h"

// --- Fixtures ----------------------------------------------------------------------

static ts_series series;   // large: not on the stack

static void series_of(const float *v, int n) {
    series_clear(&series);
    for (int i = 0; i < n; i++) series_push(&series, i + 1, v[i]);
}

// --- Braille canvas ------------------------------------------------------------------

static void test_dot_bits(void **state) {
    (void)state;
    // Unicode numbering: dots 1 2 3 7 down the left, 4 5 6 8 down the right.
    assert_int_equal(canvas_dot_bit(0, 0), 0x01);
    assert_int_equal(canvas_dot_bit(0, 1), 0x02);
    assert_int_equal(canvas_dot_bit(0, 2), 0x04);
    assert_int_equal(canvas_dot_bit(0, 3), 0x40);
    assert_int_equal(canvas_dot_bit(1, 0), 0x08);
    assert_int_equal(canvas_dot_bit(1, 1), 0x10);
    assert_int_equal(canvas_dot_bit(1, 2), 0x20);
    assert_int_equal(canvas_dot_bit(1, 3), 0x80);
}

static void test_canvas_braille(void **state) {
    (void)state;
    uint8_t bits[6], roles[6];
    ui_cell out[6];
    ui_canvas c;
    canvas_init(&c, 3, 2, bits, roles);            // 6 x 8 dots
    canvas_dot(&c, 0, 0, 1);                       // cell (0, 0), dot 1
    canvas_dot(&c, 3, 7, 2);                       // cell (1, 1), dot 8
    canvas_dot(&c, 3, 4, 5);                       // cell (1, 1), dot 4: last role wins
    canvas_dot(&c, -1, 0, 9);                      // outside: nothing
    canvas_dot(&c, 6, 0, 9);
    canvas_dot(&c, 0, 8, 9);
    canvas_render(&c, 1, out);
    assert_int_equal(out[0].ch, 0x2801);
    assert_int_equal(out[0].role, 1);
    assert_int_equal(out[4].ch, 0x2800 + 0x80 + 0x08);
    assert_int_equal(out[4].role, 5);
    for (int i = 0; i < 6; i++)
        if (i != 0 && i != 4) {
            assert_int_equal(out[i].ch, L' ');
            assert_int_equal(out[i].role, 0);
        }
}

static void test_canvas_vline_and_ascii(void **state) {
    (void)state;
    uint8_t bits[3], roles[3];
    ui_cell out[3];
    ui_canvas c;
    canvas_init(&c, 3, 1, bits, roles);
    canvas_vline(&c, 0, 3, 0, 1);     // full column, either order
    canvas_dot(&c, 2, 0, 1);          // upper half only
    canvas_dot(&c, 5, 3, 1);          // lower half only
    canvas_render(&c, 1, out);
    assert_int_equal(out[0].ch, 0x2800 + 0x01 + 0x02 + 0x04 + 0x40);
    canvas_render(&c, 0, out);
    assert_int_equal(out[0].ch, L':');
    assert_int_equal(out[1].ch, L'\'');
    assert_int_equal(out[2].ch, L'.');
}

// --- Series binned for display -------------------------------------------------------

static void test_series_columns_min_max(void **state) {
    (void)state;
    float v[100], mn[10], mx[10], mean[10];
    for (int i = 0; i < 100; i++) v[i] = (float)i;
    v[37] = 1000.0f;   // a spike survives the compression
    series_of(v, 100);
    series_columns(&series, 10, mn, mx, mean);
    for (int i = 0; i < 10; i++) {
        assert_float_equal(mn[i], 10.0f * i, 1e-6);
        if (i != 3) {
            assert_float_equal(mx[i], 10.0f * i + 9, 1e-6);
            assert_float_equal(mean[i], 10.0f * i + 4.5f, 1e-4);
        }
    }
    assert_float_equal(mx[3], 1000.0f, 1e-6);
}

static void test_series_columns_stretch_and_gaps(void **state) {
    (void)state;
    float v[3] = {1, NAN, 3}, mn[6], mx[6];
    series_of(v, 3);
    series_columns(&series, 6, mn, mx, NULL);   // fewer bins than columns: each spans 2
    assert_float_equal(mn[0], 1, 1e-6);
    assert_float_equal(mn[1], 1, 1e-6);
    assert_true(isnan(mn[2]) && isnan(mx[3]));  // no finite value: a gap
    assert_float_equal(mx[4], 3, 1e-6);
    assert_float_equal(mx[5], 3, 1e-6);
    float lo = 0, hi = 0;
    assert_int_equal(series_range(&series, &lo, &hi), 1);
    assert_float_equal(lo, 1, 1e-6);
    assert_float_equal(hi, 3, 1e-6);
    series_clear(&series);
    assert_int_equal(series_range(&series, &lo, &hi), 0);
    assert_int_equal(series_step_column(&series, 10, 5), -1);
}

static void test_series_step_column(void **state) {
    (void)state;
    float v[100] = {0};
    series_of(v, 100);            // steps 1..100
    assert_int_equal(series_step_column(&series, 10, 0), 0);
    assert_int_equal(series_step_column(&series, 10, 1), 0);
    assert_int_equal(series_step_column(&series, 10, 55), 5);
    assert_int_equal(series_step_column(&series, 10, 100), 9);
    assert_int_equal(series_step_column(&series, 10, 5000), 9);
    series_of(v, 5);              // 5 bins on 10 columns: bin i starts at column 2i
    assert_int_equal(series_step_column(&series, 10, 3), 4);
}

// --- Line plot -------------------------------------------------------------------------

static void test_plot_spike_and_join(void **state) {
    (void)state;
    // 8 values on 8 dot columns (4 cells x 1 row), lo 0 at the bottom dot row.
    float v[8] = {0, 0, 0, 1, 0, 0, 0, 0}, mn[8], mx[8];
    series_of(v, 8);
    uint8_t bits[4], roles[4];
    ui_canvas c;
    canvas_init(&c, 4, 1, bits, roles);
    plot_series(&c, &series, 0, 1, 3, mn, mx);
    // Cell 0: both dot columns on the bottom row.
    assert_int_equal(bits[0], 0x40 | 0x80);
    // Cell 1: left column bottom; right column the spike, all four dots.
    assert_int_equal(bits[1], 0x40 | 0x08 | 0x10 | 0x20 | 0x80);
    // Cell 2: its left column joins down from the spike's bottom: one dot.
    assert_int_equal(bits[2], 0x40 | 0x80);
    assert_int_equal(roles[1], 3);
}

static void test_plot_compressed_min_max(void **state) {
    (void)state;
    // 16 alternating values on 4 dot columns: each column spans 0..1.
    float v[16], mn[4], mx[4];
    for (int i = 0; i < 16; i++) v[i] = (float)(i % 2);
    series_of(v, 16);
    uint8_t bits[2], roles[2];
    ui_canvas c;
    canvas_init(&c, 2, 1, bits, roles);
    plot_series(&c, &series, 0, 1, 1, mn, mx);
    assert_int_equal(bits[0], 0xff);
    assert_int_equal(bits[1], 0xff);
}

static void test_plot_marker_dashed(void **state) {
    (void)state;
    uint8_t bits[2], roles[2];
    ui_canvas c;
    canvas_init(&c, 1, 2, bits, roles);
    plot_marker(&c, 1, 7);
    assert_int_equal(bits[0], 0x08 | 0x20);   // dot rows 0 and 2 of the right column
    assert_int_equal(bits[1], 0x08 | 0x20);
    assert_int_equal(roles[0], 7);
}

// The axis row as text: '-' for the line.
static void axis_text(char *txt, const char *row, int w) {
    for (int i = 0; i < w; i++) txt[i] = row[i] ? row[i] : '-';
    txt[w] = 0;
}

static void test_axis_compose(void **state) {
    (void)state;
    char row[20], txt[21];
    uint8_t key[20];
    // A reset marker at cell 0; m, n, d at cell 10 with z two cells later:
    // no room to the right, so the three end at their marker; neither step
    // label is hidden.
    const int cell[5] = {0, 10, 10, 10, 12};
    const char keys[5] = {'r', 'm', 'n', 'd', 'z'};
    axis_compose(row, key, 20, cell, keys, 5, "1", "2070");
    axis_text(txt, row, 20);
    assert_string_equal(txt, "r-1-----mnd-z---2070");
    assert_true(key[0] && key[8] && key[10] && key[12] && !key[2] && !key[11] && !key[16]);
    // The right side has room: the keys run right from the marker.
    const int cell1[3] = {4, 4, 4};
    const char keys1[3] = {'m', 'n', 'd'};
    axis_compose(row, key, 20, cell1, keys1, 3, "1", "2070");
    axis_text(txt, row, 20);
    assert_string_equal(txt, "1---mnd---------2070");
    // Keys of one step run right; the last label moves left past them.
    const int cell2[3] = {17, 17, 17};
    const char keys2[3] = {'m', 'm', 'p'};
    axis_compose(row, key, 20, cell2, keys2, 3, "1", "2070");
    axis_text(txt, row, 20);
    assert_string_equal(txt, "1-----------2070-mmp");
    // Keys pressed at the last cell (while paused) end at their marker.
    const int cell3[5] = {3, 19, 19, 19, 19};
    const char keys3[5] = {'n', 'm', 'm', '+', '+'};
    axis_compose(row, key, 20, cell3, keys3, 5, "1", "2070");
    axis_text(txt, row, 20);
    assert_string_equal(txt, "1--n-------2070-mm++");
    // No markers: the labels at the ends.
    axis_compose(row, key, 20, NULL, NULL, 0, "1", "2070");
    axis_text(txt, row, 20);
    assert_string_equal(txt, "1---------------2070");
}

// --- Bars and strips ---------------------------------------------------------------------

// --- Loss axis views -------------------------------------------------------------

static ts_series other;   // a second series: large, not on the stack

// The floor is the smallest positive bin minimum or mean, but not below
// hi * 1e-6; the log copy clamps zeros to it; no positive value: 0.
static void test_series_log10_and_floor(void **state) {
    (void)state;
    const float v[5] = {1, 0.1f, 0, 0.01f, 100};
    series_of(v, 5);
    float lo, hi;
    assert_true(series_range(&series, &lo, &hi));
    float floor = series_log_floor(&series, hi);
    assert_float_equal(floor, 0.01f, 1e-7f);
    series_log10(&series, floor, &other);
    assert_int_equal(other.nbins, 5);
    const float want[5] = {0, -1, -2, -2, 2};
    for (int i = 0; i < 5; i++) {
        assert_float_equal(other.bins[i].min, want[i], 1e-5f);
        assert_float_equal(other.bins[i].max, want[i], 1e-5f);
        assert_float_equal(series_bin_mean(&other, i), want[i], 1e-5f);
        assert_int_equal(other.bins[i].step, series.bins[i].step);
    }
    // A tiny value would stretch the axis over 12 decades: hi * 1e-6 instead.
    const float t[3] = {1e-12f, 1, 2};
    series_of(t, 3);
    assert_float_equal(series_log_floor(&series, 2), 2e-6f, 1e-9f);
    // A bin of a zero and a positive value: its mean counts (0.5), its min does not.
    series_clear(&series);
    series.width = 2;
    series_push(&series, 1, 0);
    series_push(&series, 2, 1);
    series_push(&series, 3, 3);
    series_push(&series, 4, 3);
    assert_int_equal(series.nbins, 2);
    assert_float_equal(series_log_floor(&series, 3), 0.5f, 1e-6f);
    // Nothing positive: no log axis.
    const float z[3] = {0, 0, 0};
    series_of(z, 3);
    assert_true(series_log_floor(&series, 0) == 0);
    // NaN stays out.
    const float n[3] = {NAN, 10, 1};
    series_of(n, 3);
    series_log10(&series, 0.5f, &other);
    assert_int_equal(other.bins[0].finite, 0);
    assert_float_equal(other.bins[1].max, 1, 1e-6f);
}

// The recent view: the last N steps from the start of the bin holding the
// first, or the last min_bins bins when those span more; the window copies
// those bins.
static void test_series_recent_window(void **state) {
    (void)state;
    series_clear(&series);
    for (long i = 1; i <= 3000; i++) series_push(&series, i, (float)i);
    int w = series.width;
    assert_true(w > 1);   // bins of several steps each
    long from = series_recent_from(&series, 1000, 32);
    assert_true(from <= 2001 && from > 2001 - w);
    series_window(&series, from, &other);
    assert_int_equal(other.bins[0].step, from);
    assert_int_equal(other.bins[other.nbins - 1].step, series.bins[series.nbins - 1].step);
    assert_true(other.count >= 1000 && other.count < 1000 + w);
    float lo, hi;
    assert_true(series_range(&other, &lo, &hi));
    assert_float_equal(lo, (float)from, 0);
    assert_float_equal(hi, 3000, 0);
    // Ten steps are fewer than 32 bins: the last 32 bins.
    from = series_recent_from(&series, 10, 32);
    assert_int_equal(from, series.bins[series.nbins - 32].step);
    series_window(&series, from, &other);
    assert_int_equal(other.nbins, 32);
    // A run shorter than the window: all of it.
    const float v[5] = {5, 4, 3, 2, 1};
    series_of(v, 5);
    assert_int_equal(series_recent_from(&series, 1000, 32), 1);
    series_window(&series, 0, &other);
    assert_int_equal(other.nbins, 5);
    series_clear(&series);
    assert_int_equal(series_recent_from(&series, 1000, 32), 0);
    series_window(&series, 0, &other);
    assert_int_equal(other.nbins, 0);
}

static void test_series_value_at(void **state) {
    (void)state;
    const float v[4] = {4, 3, 2, 1};
    series_of(v, 4);   // steps 1..4
    assert_float_equal(series_value_at(&series, 1), 4, 0);
    assert_float_equal(series_value_at(&series, 3), 2, 0);
    assert_float_equal(series_value_at(&series, 99), 1, 0);   // past the end: the last
    assert_float_equal(series_value_at(&series, 0), 4, 0);    // before: the first
    series_clear(&series);
    assert_true(isnan(series_value_at(&series, 1)));
}

// Decade ticks of a log axis: each on the row holding its dot, on a row not
// taken and not next to another tick, from the top down.
static void test_log_ticks(void **state) {
    (void)state;
    int row[8], ex[8];
    uint8_t taken[5] = {0};
    // 10^0 .. 10^4 on 5 rows (20 dot rows): 10^3 would sit next to 10^4,
    // 10^1 next to 10^2.
    assert_int_equal(log_ticks(0, 4, 5, taken, row, ex, 8), 3);
    assert_int_equal(row[0], 0);
    assert_int_equal(ex[0], 4);
    assert_int_equal(row[1], 2);
    assert_int_equal(ex[1], 2);
    assert_int_equal(row[2], 4);
    assert_int_equal(ex[2], 0);
    assert_true(taken[0] && !taken[1] && taken[2] && !taken[3] && taken[4]);
    // The top and bottom rows already hold labels.
    memset(taken, 0, sizeof taken);
    taken[0] = taken[4] = 1;
    assert_int_equal(log_ticks(0, 4, 5, taken, row, ex, 8), 2);
    assert_int_equal(row[0], 1);
    assert_int_equal(ex[0], 3);
    assert_int_equal(row[1], 3);
    assert_int_equal(ex[1], 1);
    assert_true(taken[1] && taken[3] && !taken[2]);
    // At most max; only the decades inside the range; none on a flat one.
    memset(taken, 0, sizeof taken);
    assert_int_equal(log_ticks(0, 4, 5, taken, row, ex, 1), 1);
    memset(taken, 0, sizeof taken);
    assert_int_equal(log_ticks(-2.5f, -0.5f, 5, taken, row, ex, 8), 2);
    assert_int_equal(ex[0], -1);
    assert_int_equal(ex[1], -2);
    assert_int_equal(row[0], 1);   // dot row 4.75 -> 5: cell row 1
    assert_int_equal(row[1], 3);   // 14.25 -> 14: cell row 3
    memset(taken, 0, sizeof taken);
    assert_int_equal(log_ticks(-0.9f, -0.1f, 5, taken, row, ex, 8), 0);
    assert_int_equal(log_ticks(1, 1, 5, taken, row, ex, 8), 0);
    assert_int_equal(log_ticks(NAN, 1, 5, taken, row, ex, 8), 0);
}

static void test_bar_proportions(void **state) {
    (void)state;
    const wchar_t fills[3] = {L'a', L'b', L'c'};
    const uint8_t roles[3] = {1, 2, 3};
    ui_cell out[10];
    int wd[3];
    const long c1[3] = {1, 1, 2};
    bar_stacked(out, 8, c1, 3, fills, roles, wd);
    assert_int_equal(wd[0], 2);
    assert_int_equal(wd[1], 2);
    assert_int_equal(wd[2], 4);
    assert_int_equal(out[0].ch, L'a');
    assert_int_equal(out[2].ch, L'b');
    assert_int_equal(out[2].role, 2);
    assert_int_equal(out[7].ch, L'c');
    // Thirds of 10: the leftover cell goes to the first largest remainder.
    const long c2[3] = {5, 5, 5};
    bar_stacked(out, 10, c2, 3, fills, roles, wd);
    assert_int_equal(wd[0] + wd[1] + wd[2], 10);
    assert_int_equal(wd[0], 4);
    assert_int_equal(wd[1], 3);
    // Nothing counted: a blank bar.
    const long c3[3] = {0, 0, 0};
    bar_stacked(out, 10, c3, 3, fills, roles, wd);
    for (int i = 0; i < 10; i++) assert_int_equal(out[i].ch, L' ');
    // A tiny share rounds away; a full one takes everything.
    const long c4[3] = {0, 1, 999};
    bar_stacked(out, 10, c4, 3, fills, roles, wd);
    assert_int_equal(wd[2], 10);
}

// One fill per segment, lighter to denser, in colour as without (the
// signature has no colour to ask about): easy, semi-hard and hard differ by
// texture whatever the palette.
static void test_bar_fills_distinct(void **state) {
    (void)state;
    wchar_t f[3];
    bar_fills(1, 3, f);              // UTF-8: light, medium, full
    assert_int_equal(f[0], L'░');
    assert_int_equal(f[1], L'▒');
    assert_int_equal(f[2], L'█');
    bar_fills(0, 3, f);              // ASCII
    assert_int_equal(f[0], L'.');
    assert_int_equal(f[1], L'+');
    assert_int_equal(f[2], L'#');
    for (int utf8 = 0; utf8 < 2; utf8++) {
        bar_fills(utf8, 3, f);
        assert_true(f[0] != f[1] && f[1] != f[2] && f[0] != f[2]);
    }
}

static void test_strip_stacked(void **state) {
    (void)state;
    // Column 0: half hard (bottom), half easy (top); column 1: NaN;
    // column 2: a quarter hard, a quarter semi, half easy, over 4 rows.
    float hard[3] = {0.5f, NAN, 0.25f}, semi[3] = {0, NAN, 0.25f}, easy[3] = {0.5f, NAN, 0.5f};
    const float *frac[3] = {hard, semi, easy};
    const wchar_t fills[3] = {L'#', L'+', L'.'};
    const uint8_t roles[3] = {3, 2, 1};
    ui_cell out[12];
    strip_stacked(out, 3, 4, frac, 3, fills, roles);
    // Row 0 is the top.
    assert_int_equal(out[0 * 3 + 0].ch, L'.');
    assert_int_equal(out[1 * 3 + 0].ch, L'.');
    assert_int_equal(out[2 * 3 + 0].ch, L'#');
    assert_int_equal(out[3 * 3 + 0].ch, L'#');
    assert_int_equal(out[3 * 3 + 0].role, 3);
    for (int r = 0; r < 4; r++) assert_int_equal(out[r * 3 + 1].ch, L' ');
    assert_int_equal(out[3 * 3 + 2].ch, L'#');
    assert_int_equal(out[2 * 3 + 2].ch, L'+');
    assert_int_equal(out[1 * 3 + 2].ch, L'.');
    assert_int_equal(out[0 * 3 + 2].ch, L'.');
}

// --- Sparkline -------------------------------------------------------------------------

static void test_sparkline_levels(void **state) {
    (void)state;
    float v[10] = {0, 1, 2, 3, 4, 5, 6, 7, NAN, 3.5f};
    ui_cell out[10];
    sparkline(out, v, 10, 0, 7, 1, 4);
    assert_int_equal(out[0].ch, L'▁');
    assert_int_equal(out[7].ch, L'█');
    assert_int_equal(out[9].ch, L'▅');
    assert_int_equal(out[0].role, 4);
    assert_int_equal(out[8].ch, L' ');
    for (int i = 1; i < 8; i++) assert_true(out[i].ch >= out[i - 1].ch);   // monotone
    sparkline(out, v, 10, 0, 7, 0, 4);
    assert_int_equal(out[0].ch, L'_');
    assert_int_equal(out[7].ch, L'#');
    // A flat range gives the middle level.
    sparkline(out, v, 1, 2, 2, 1, 0);
    assert_int_equal(out[0].ch, L'▄');
}

// --- Scatter -----------------------------------------------------------------------------

static void test_scatter_braille_and_glyphs(void **state) {
    (void)state;
    // Corners of [0, 1]^2 on 2 x 2 cells; class 2 twice at the top right.
    const float pts[] = {0, 0, 1, 1, 0.99f, 0.99f, 0, 1, 1, 0};
    const int y[] = {0, 2, 2, 3, 1};
    ui_cell out[4];
    int cand[4], cnt[4];
    uint8_t bits[4];
    scatter_plot(out, 2, 2, pts, y, 5, 0, 1, 0, 1, 1, 10, cand, cnt, bits);
    // (0, 0) is the bottom left: cell row 1, column 0, bottom-left dot.
    assert_int_equal(out[2].ch, 0x2800 + 0x40);
    assert_int_equal(out[2].role, 10 + 0);
    assert_int_equal(out[1].ch, 0x2800 + 0x08);      // top right: right column, top dot
    assert_int_equal(out[1].role, 10 + 2);
    assert_int_equal(out[0].role, 10 + 3);
    assert_int_equal(out[3].role, 10 + 1);
    // Without braille: one glyph a cell, its class's.
    scatter_plot(out, 2, 2, pts, y, 5, 0, 1, 0, 1, 0, 10, cand, cnt, bits);
    assert_int_equal(out[2].ch, scatter_glyph(0));
    assert_int_equal(out[1].ch, scatter_glyph(2));
    assert_int_equal(out[0].ch, scatter_glyph(3));
    for (int c = 0; c < 10; c++)
        for (int d = c + 1; d < 10; d++) assert_true(scatter_glyph(c) != scatter_glyph(d));
}

static void test_scatter_majority(void **state) {
    (void)state;
    // One cell: classes 1, 2, 1, 1 -> 1; NaN points are skipped.
    const float pts[] = {0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, NAN, 0};
    const int y[] = {1, 2, 1, 1, 2};
    ui_cell out[1];
    int cand[1], cnt[1];
    uint8_t bits[1];
    scatter_plot(out, 1, 1, pts, y, 5, 0, 1, 0, 1, 0, 0, cand, cnt, bits);
    assert_int_equal(out[0].ch, scatter_glyph(1));
    assert_int_equal(out[0].role, 1);
}

// --- Numbers ------------------------------------------------------------------------------

static void test_format_setting(void **state) {
    (void)state;
    char b[32];
    format_setting(b, sizeof b, 0.2f);
    assert_string_equal(b, "0.20");
    format_setting(b, sizeof b, 0.2f * 1.25f);
    assert_string_equal(b, "0.25");
    format_setting(b, sizeof b, 1.0f);
    assert_string_equal(b, "1.00");
    format_setting(b, sizeof b, 1.5625f);
    assert_string_equal(b, "1.56");
    format_setting(b, sizeof b, 0.128f);
    assert_string_equal(b, "0.128");
    format_setting(b, sizeof b, 0.001f);
    assert_string_equal(b, "0.001");
    format_setting(b, sizeof b, 0.0f);
    assert_string_equal(b, "0.00");
    format_setting(b, sizeof b, 1e-7f);
    assert_string_equal(b, "1.00e-07");
}

static void test_format_sig3(void **state) {
    (void)state;
    char b[32];
    // Fixed point, 3 significant digits, trailing zeros dropped.
    const struct { double v; int w; const char *want; } cases[] = {
        {0.60912, 6, "0.609"}, {0.007, 6, "0.007"},   {1.27, 7, "1.27"},
        {0.98, 7, "0.98"},     {1834.6, 7, "1835"},   {510.2, 7, "510"},
        {2.0, 7, "2"},         {9.996, 7, "10"},      {-0.0123, 6, "-0.012"},
        {0.0139, 6, "0.0139"}, {0, 6, "0"},           {123456, 6, "123456"},
        // Exponents only where fixed point does not fit, as short as they go.
        {0.000123, 6, "1.2e-4"}, {1.976e-6, 7, "1.98e-6"}, {1234567, 6, "1.23e6"},
        {1e-7, 7, "1e-7"},       {3e12, 4, "3e12"},
        {NAN, 6, "nan"},         {-INFINITY, 6, "-inf"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        format_sig3(b, sizeof b, cases[i].v, cases[i].w);
        assert_string_equal(b, cases[i].want);
        assert_true((int)strlen(b) <= cases[i].w);
    }
}

// A pair takes one format: an exponent in one brings one to the other.
static void test_format_sig3_pair(void **state) {
    (void)state;
    char a[32], b[32];
    const struct { double x, y; int w; const char *wa, *wb; } cases[] = {
        {3.48e7, 5974488, 7, "3.48e7", "5.97e6"},   // was 3.48e7 and 5974488
        {5974488, 3.48e7, 7, "5.97e6", "3.48e7"},
        {1.02, 0.195, 7, "1.02", "0.195"},          // fixed point both: unchanged
        {30795, 6126, 7, "30795", "6126"},
        {9.2e8, 1.65e8, 7, "9.2e8", "1.65e8"},      // exponents both: unchanged
        {3.48e7, 0, 7, "3.48e7", "0"},              // a zero keeps its form
        {1.5e-6, 0.25, 7, "1.5e-6", "2.5e-1"},
        {NAN, 1.976e-6, 7, "nan", "1.98e-6"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        format_sig3_pair(a, b, sizeof a, cases[i].x, cases[i].y, cases[i].w);
        assert_string_equal(a, cases[i].wa);
        assert_string_equal(b, cases[i].wb);
        assert_true((int)strlen(a) <= cases[i].w && (int)strlen(b) <= cases[i].w);
    }
}

// The projection's scale: fixed for unit vectors and for raw ones after the
// first evaluation, never under the points' reach; a collapse under a tenth
// of the margin.
static void test_proj_scale(void **state) {
    (void)state;
    assert_true(proj_half_width(1, 0, 0.8f) == 1.0f);        // normalised: [-1, 1]
    assert_true(proj_half_width(1, 2.0f, 1e-4f) == 1.0f);    // a collapse does not zoom in
    assert_true(proj_half_width(1, 0, 1.7f) == 1.7f);        // nor does a point fall off
    assert_true(proj_half_width(0, 40.0f, 0.01f) == 20.0f);  // raw: the first evaluation's
    assert_true(proj_half_width(0, 40.0f, 35.0f) == 35.0f);  // ... or the reach, if larger
    assert_true(proj_half_width(0, 0, 3.0f) == 3.0f);        // before one: the reach
    assert_true(proj_half_width(0, 0, 0) == 1.0f);           // all at the origin: still a window
    assert_true(proj_half_width(0, NAN, NAN) == 1.0f);
    assert_true(proj_collapsed(3e-4f, 0.2f));
    assert_false(proj_collapsed(0.05f, 0.2f));
    assert_false(proj_collapsed(1.6f, 0.2f));
    assert_false(proj_collapsed(0, 0));       // no margin: no verdict
    assert_false(proj_collapsed(NAN, 0.2f));
}

static void test_format_count(void **state) {
    (void)state;
    char b[32];
    const struct { long v; const char *want; } cases[] = {
        {0, "0"},          {9999, "9999"},    {10000, "10.0k"}, {91234, "91.2k"},
        {183546, "184k"}, {999999, "1.00M"}, {1234567, "1.23M"}, {5000000000L, "5.00G"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        format_count(b, sizeof b, cases[i].v);
        assert_string_equal(b, cases[i].want);
    }
}

// --- Text and legend ----------------------------------------------------------------------

static void test_text_ellipsize(void **state) {
    (void)state;
    char b[64];
    text_ellipsize(b, sizeof b, "fashion", 12, 1, 1);
    assert_string_equal(b, "fashion");                 // fits: whole
    text_ellipsize(b, sizeof b, "my_handwritten_digits_dataset.csv", 16, 1, 1);
    assert_string_equal(b, "my_handw…set.csv");        // middle: both ends show
    assert_int_equal(text_cols(b), 16);
    text_ellipsize(b, sizeof b, "my_handwritten_digits_dataset.csv", 16, 1, 0);
    assert_string_equal(b, "my_hand...et.csv");        // ASCII dots
    text_ellipsize(b, sizeof b, "T-shirt/top", 6, 0, 1);
    assert_string_equal(b, "T-shi…");                  // end
    text_ellipsize(b, sizeof b, "Ankle boot", 1, 0, 1);
    assert_string_equal(b, "A");                       // no room for an ellipsis
    text_ellipsize(b, sizeof b, "é€uro", 4, 0, 1);     // cut at characters, not bytes
    assert_string_equal(b, "é€u…");
}

static void test_text_wrap(void **state) {
    (void)state;
    const char *s = "hard triplets dominate and the loss", *next;
    int len = text_wrap(s, 14, &next);
    assert_int_equal(len, 13);                         // "hard triplets"
    assert_string_equal(next, "dominate and the loss");
    len = text_wrap(s, 13, &next);                     // a space right after the 13th column
    assert_int_equal(len, 13);
    len = text_wrap("abcdefghij klm", 4, &next);       // one long word: broken
    assert_int_equal(len, 4);
    assert_string_equal(next, "efghij klm");
    len = text_wrap("short", 10, &next);
    assert_int_equal(len, 5);
    assert_string_equal(next, "");
}

static void add_num(ts_finding *f, const char *name, double v) {
    ts_evidence *e = &f->evidence[f->n_evidence++];
    snprintf(e->name, sizeof e->name, "%s", name);
    e->kind = EVIDENCE_NUM;
    e->num = v;
}

static void test_evidence_format(void **state) {
    (void)state;
    char b[256];
    ts_finding f;
    memset(&f, 0, sizeof f);
    add_num(&f, "mined_hard", 0.57125);
    add_num(&f, "loss_now", 0.685452);
    add_num(&f, "margin", 1);
    add_num(&f, "window", 50);
    evidence_format(b, sizeof b, &f);
    assert_string_equal(b, "mined_hard=0.571  loss_now=0.685  margin=1  window=50");
    memset(&f, 0, sizeof f);
    add_num(&f, "gap", 0.258446);
    f.evidence[1] = (ts_evidence){"triplet_findings", EVIDENCE_TEXT, 0, "too_hard averaging"};
    f.n_evidence = 2;
    evidence_format(b, sizeof b, &f);
    assert_string_equal(b, "gap=0.258  triplet_findings=too_hard,averaging");
    memset(&f, 0, sizeof f);
    f.evidence[0] = (ts_evidence){"loss", EVIDENCE_TEXT, 0, "nan"};
    f.n_evidence = 1;
    add_num(&f, "lr", 1e30);
    f.evidence[2] = (ts_evidence){"reset", EVIDENCE_FLAG, 1, ""};
    f.n_evidence = 3;
    add_num(&f, "x", NAN);
    evidence_format(b, sizeof b, &f);
    assert_string_equal(b, "loss=nan  lr=1e30  reset=true  x=nan");
    memset(&f, 0, sizeof f);
    evidence_format(b, sizeof b, &f);
    assert_string_equal(b, "");
    for (int i = 0; i < 4; i++) add_num(&f, "abc", i);
    evidence_format(b, 12, &f);   // cut, still a string
    assert_true(strlen(b) < 12);
}

static void test_evidence_keys(void **state) {
    (void)state;
    char b[16];
    ts_finding f;
    memset(&f, 0, sizeof f);
    evidence_keys(b, sizeof b, &f);
    assert_string_equal(b, "");
    f.n_suggest = 2;
    f.suggest[0] = CMD_LR_DOWN;
    f.suggest[1] = CMD_RESET;
    evidence_keys(b, sizeof b, &f);
    assert_string_equal(b, "[r");
    f.suggest[0] = f.suggest[1] = CMD_MINER_PREV;
    evidence_keys(b, sizeof b, &f);
    assert_string_equal(b, "MM");
}

static void test_legend_flow(void **state) {
    (void)state;
    // Entries of 13, 9, 10 columns in 25 columns, two spaces apart.
    const int wd[3] = {13, 9, 10};
    int x[3], row[3];
    assert_int_equal(legend_flow(wd, 3, 25, 2, x, row), 2);
    assert_int_equal(x[0], 0);
    assert_int_equal(x[1], 15);
    assert_int_equal(row[1], 0);
    assert_int_equal(x[2], 0);                         // 15 + 9 + 2 + 10 > 25: next row
    assert_int_equal(row[2], 1);
    assert_int_equal(legend_flow(wd, 3, 34, 1, x, row), 1);
    assert_int_equal(x[2], 24);
    assert_int_equal(legend_flow(wd, 0, 34, 1, x, row), 0);
}

// --- Palettes --------------------------------------------------------------------
//
// The colorblind palette's claim, checked: the colours that must differ
// (easy / semi-hard / hard, the two models, the classes colour alone tells
// apart) stay apart as a viewer with deuteranopia, protanopia or tritanopia
// sees them. Each colour is simulated (Machado, Oliveira and Fernandes 2009,
// severity 1, on linear sRGB) and compared by CIEDE2000; xterm's values for
// the 256 colours and its defaults for the basic 8. A distance of 20 is a
// difference anyone sees at a glance; the default's green and yellow fall
// to about 3 under protanopia.

// xterm's colour n as sRGB 0..255.
static void xterm_rgb(int n, double rgb[3]) {
    static const int basic[16][3] = {
        {0, 0, 0},       {205, 0, 0},     {0, 205, 0},     {205, 205, 0},
        {0, 0, 238},     {205, 0, 205},   {0, 205, 205},   {229, 229, 229},
        {127, 127, 127}, {255, 0, 0},     {0, 255, 0},     {255, 255, 0},
        {92, 92, 255},   {255, 0, 255},   {0, 255, 255},   {255, 255, 255}};
    static const int level[6] = {0, 95, 135, 175, 215, 255};
    if (n < 16) {
        for (int i = 0; i < 3; i++) rgb[i] = basic[n][i];
    } else if (n < 232) {
        n -= 16;
        rgb[0] = level[n / 36];
        rgb[1] = level[(n / 6) % 6];
        rgb[2] = level[n % 6];
    } else {
        rgb[0] = rgb[1] = rgb[2] = 8 + 10 * (n - 232);
    }
}

enum { VISION_NORMAL, VISION_PROTAN, VISION_DEUTAN, VISION_TRITAN, VISIONS };

// CIE L*a*b* of xterm colour n as a viewer of vision v sees it.
static void seen_lab(int n, int v, double lab[3]) {
    static const double machado[VISIONS][3][3] = {
        {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}},
        {{0.152286, 1.052583, -0.204868}, {0.114503, 0.786281, 0.099216},
         {-0.003882, -0.048116, 1.051998}},
        {{0.367322, 0.860646, -0.227968}, {0.280085, 0.672501, 0.047413},
         {-0.011820, 0.042940, 0.968881}},
        {{1.255528, -0.076749, -0.178779}, {-0.078411, 0.930809, 0.147602},
         {0.004733, 0.691367, 0.303900}}};
    double rgb[3], lin[3], sim[3];
    xterm_rgb(n, rgb);
    for (int i = 0; i < 3; i++) {
        double c = rgb[i] / 255.0;
        lin[i] = c <= 0.04045 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4);
    }
    for (int i = 0; i < 3; i++) {
        double t = 0;
        for (int j = 0; j < 3; j++) t += machado[v][i][j] * lin[j];
        sim[i] = t < 0 ? 0 : t > 1 ? 1 : t;
    }
    double X = 0.4124 * sim[0] + 0.3576 * sim[1] + 0.1805 * sim[2];
    double Y = 0.2126 * sim[0] + 0.7152 * sim[1] + 0.0722 * sim[2];
    double Z = 0.0193 * sim[0] + 0.1192 * sim[1] + 0.9505 * sim[2];
    double f[3], r[3] = {X / 0.95047, Y / 1.0, Z / 1.08883};
    for (int i = 0; i < 3; i++) f[i] = r[i] > 0.008856 ? cbrt(r[i]) : 7.787 * r[i] + 16.0 / 116;
    lab[0] = 116 * f[1] - 16;
    lab[1] = 500 * (f[0] - f[1]);
    lab[2] = 200 * (f[1] - f[2]);
}

static double rad(double deg) { return deg * M_PI / 180; }

// CIEDE2000 (Sharma, Wu and Dalal 2005).
static double ciede2000(const double *p, const double *q) {
    double C1 = hypot(p[1], p[2]), C2 = hypot(q[1], q[2]), Cb = (C1 + C2) / 2;
    double G = 0.5 * (1 - sqrt(pow(Cb, 7) / (pow(Cb, 7) + pow(25, 7))));
    double a1 = (1 + G) * p[1], a2 = (1 + G) * q[1];
    double C1p = hypot(a1, p[2]), C2p = hypot(a2, q[2]);
    double h1 = fmod(atan2(p[2], a1) * 180 / M_PI + 360, 360);
    double h2 = fmod(atan2(q[2], a2) * 180 / M_PI + 360, 360);
    double dL = q[0] - p[0], dC = C2p - C1p, dh = h2 - h1;
    if (C1p * C2p == 0) dh = 0;
    else if (dh > 180) dh -= 360;
    else if (dh < -180) dh += 360;
    double dH = 2 * sqrt(C1p * C2p) * sin(rad(dh / 2));
    double Lb = (p[0] + q[0]) / 2, Cbp = (C1p + C2p) / 2, hb;
    if (C1p * C2p == 0) hb = h1 + h2;
    else if (fabs(h1 - h2) <= 180) hb = (h1 + h2) / 2;
    else hb = h1 + h2 < 360 ? (h1 + h2 + 360) / 2 : (h1 + h2 - 360) / 2;
    double T = 1 - 0.17 * cos(rad(hb - 30)) + 0.24 * cos(rad(2 * hb)) +
               0.32 * cos(rad(3 * hb + 6)) - 0.20 * cos(rad(4 * hb - 63));
    double dth = 30 * exp(-pow((hb - 275) / 25, 2));
    double RC = 2 * sqrt(pow(Cbp, 7) / (pow(Cbp, 7) + pow(25, 7)));
    double SL = 1 + 0.015 * pow(Lb - 50, 2) / sqrt(20 + pow(Lb - 50, 2));
    double SC = 1 + 0.045 * Cbp, SH = 1 + 0.015 * Cbp * T, RT = -sin(rad(2 * dth)) * RC;
    return sqrt(pow(dL / SL, 2) + pow(dC / SC, 2) + pow(dH / SH, 2) + RT * (dC / SC) * (dH / SH));
}

// The least distance between any two of colours c (n of them) under any vision.
static double least_apart(const int *c, int n) {
    double least = 1e9;
    for (int v = 0; v < VISIONS; v++)
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++) {
                double a[3], b[3];
                seen_lab(c[i], v, a);
                seen_lab(c[j], v, b);
                double d = ciede2000(a, b);
                if (d < least) least = d;
            }
    return least;
}

// The foreground colours of roles r (n of them) under caps.
static void role_fgs(const ui_caps *caps, const ui_role *r, int n, int *fg) {
    for (int i = 0; i < n; i++) {
        short f, b;
        unsigned attrs;
        term_role_colors(caps, r[i], &f, &b, &attrs);
        assert_true(f >= 0 && f < (caps->colors >= 256 ? 256 : 8));
        fg[i] = f;
    }
}

// A known pair checks the measure itself: CIEDE2000's published example
// (Sharma et al., pair 1) and xterm's red and green under deuteranopia.
static void test_colour_distance(void **state) {
    (void)state;
    const double p[3] = {50.0, 2.6772, -79.7751}, q[3] = {50.0, 0.0, -82.7485};
    assert_float_equal(ciede2000(p, q), 2.0425, 1e-4);
    int rg[2] = {1, 2}, by[2] = {4, 3};
    assert_true(least_apart(rg, 2) < 25);   // red-green: what deuteranopia loses
    assert_true(least_apart(by, 2) > 40);   // blue-yellow: what it keeps
}

static void test_palettes(void **state) {
    (void)state;
    assert_int_equal(ui_palette_by_name("default"), UI_PALETTE_DEFAULT);
    assert_int_equal(ui_palette_by_name("colorblind"), UI_PALETTE_COLORBLIND);
    assert_int_equal(ui_palette_by_name("Colorblind"), -1);
    assert_int_equal(ui_palette_by_name(""), -1);
    assert_string_equal(term_palette_name(UI_PALETTE_COLORBLIND), "colorblind");
    const ui_role diff[3] = {ROLE_EASY, ROLE_SEMI, ROLE_HARD};
    const ui_role models[2] = {ROLE_SIAMESE, ROLE_TRIPLET};
    const int counts[2] = {8, 256};
    for (int k = 0; k < 2; k++) {
        ui_caps caps = {.utf8 = 1, .color = 1, .colors = counts[k], .palette = UI_PALETTE_DEFAULT};
        int fg[16];
        // The default's green / yellow / red: apart in normal vision only.
        role_fgs(&caps, diff, 3, fg);
        assert_true(least_apart(fg, 3) < 10);
        assert_int_equal(term_class_colors(&caps), k ? 16 : 7);
        caps.palette = UI_PALETTE_COLORBLIND;
        role_fgs(&caps, diff, 3, fg);
        assert_true(least_apart(fg, 3) > 25);
        role_fgs(&caps, models, 2, fg);
        assert_true(least_apart(fg, 2) > 30);
        // The markers: the text colour in bold, apart from both curves.
        short f, b;
        unsigned attrs;
        term_role_colors(&caps, ROLE_MARKER, &f, &b, &attrs);
        assert_true(f == -1 && (attrs & TERM_BOLD));
        // The classes colour alone tells apart: 6 with 256 colours, 4 with 8.
        int apart = term_class_colors(&caps);
        assert_int_equal(apart, k ? 6 : 4);
        ui_role cls[16];
        for (int c = 0; c < apart; c++) cls[c] = (ui_role)(ROLE_CLASS0 + c);
        role_fgs(&caps, cls, apart, fg);
        assert_true(least_apart(fg, apart) > 20);
        // One more would not be.
        cls[apart] = (ui_role)(ROLE_CLASS0 + apart);
        role_fgs(&caps, cls, apart + 1, fg);
        assert_true(least_apart(fg, apart + 1) < 20);
    }
    ui_caps mono = {.utf8 = 1, .color = 0, .palette = UI_PALETTE_COLORBLIND};
    assert_int_equal(term_class_colors(&mono), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dot_bits),
        cmocka_unit_test(test_canvas_braille),
        cmocka_unit_test(test_canvas_vline_and_ascii),
        cmocka_unit_test(test_series_columns_min_max),
        cmocka_unit_test(test_series_columns_stretch_and_gaps),
        cmocka_unit_test(test_series_step_column),
        cmocka_unit_test(test_plot_spike_and_join),
        cmocka_unit_test(test_plot_compressed_min_max),
        cmocka_unit_test(test_plot_marker_dashed),
        cmocka_unit_test(test_axis_compose),
        cmocka_unit_test(test_series_log10_and_floor),
        cmocka_unit_test(test_series_recent_window),
        cmocka_unit_test(test_series_value_at),
        cmocka_unit_test(test_log_ticks),
        cmocka_unit_test(test_bar_proportions),
        cmocka_unit_test(test_bar_fills_distinct),
        cmocka_unit_test(test_strip_stacked),
        cmocka_unit_test(test_sparkline_levels),
        cmocka_unit_test(test_scatter_braille_and_glyphs),
        cmocka_unit_test(test_scatter_majority),
        cmocka_unit_test(test_format_setting),
        cmocka_unit_test(test_format_sig3),
        cmocka_unit_test(test_format_sig3_pair),
        cmocka_unit_test(test_proj_scale),
        cmocka_unit_test(test_format_count),
        cmocka_unit_test(test_text_ellipsize),
        cmocka_unit_test(test_text_wrap),
        cmocka_unit_test(test_evidence_format),
        cmocka_unit_test(test_evidence_keys),
        cmocka_unit_test(test_legend_flow),
        cmocka_unit_test(test_colour_distance),
        cmocka_unit_test(test_palettes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
