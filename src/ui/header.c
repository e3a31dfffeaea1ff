// header.c: the header row: the program, the data set and its sizes, the
// step, steps/s, RUNNING / PAUSED, the pace, the seed and the preset (or the
// scenario; "preset seed*" once a setting changed), each giving way
// in turn when the row is too narrow. An attached run's header names the
// runs watched and where the timeline stands instead (header_draw_watch).
#include <stdio.h>
#include <string.h>
#include "panels.h"
#include "tripletscope/pace.h"

static void header_draw_watch(const ui_state *u, const ts_runner_view *v, int W);

// --- Header ------------------------------------------------------------------

// What gives way, in order, when the header is too wide: the data set's
// name is shortened (down to 12 columns), then the preset, the seed and
// steps/s with the pace go, then the sizes, then the name shrinks to a few columns, then
// the program's name goes. The step and RUNNING / PAUSED always show.
static const struct {
    int preset, seed, rate, sizes, title, name_min;
} header_fallbacks[] = {
    {1, 1, 1, 1, 1, 12}, {0, 1, 1, 1, 1, 12}, {0, 0, 1, 1, 1, 12},
    {0, 0, 0, 1, 1, 12}, {0, 0, 0, 0, 1, 4},  {0, 0, 0, 0, 0, 1},
};

// The pace segment: "full speed", or "pace 12 steps/s" (< and > change it).
static void pace_segment(char *out, size_t n, int speed) {
    char text[32];
    pace_text(speed, text, sizeof text);
    snprintf(out, n, "%s%s", speed == TS_PACE_FULL ? "" : "pace ", text);
}

void header_draw(const ui_state *u, const ts_runner_view *v, int W) {
    const ts_snapshot *sn = &v->snap;
    if (sn->info.attached) {
        header_draw_watch(u, v, W);
        return;
    }
    enum { DATA, STEP, RATE, STATE, PACE, SEED, PRESET, NSEG };
    char seg[NSEG][128], sizes[64];
    ui_role role[NSEG] = {ROLE_DEFAULT, ROLE_TITLE, ROLE_DEFAULT, ROLE_DEFAULT, ROLE_DEFAULT,
                          ROLE_DEFAULT, ROLE_DIM};
    pace_segment(seg[PACE], sizeof seg[PACE], v->speed);
    if (v->speed != TS_PACE_FULL) role[PACE] = ROLE_WARN;   // slowed on purpose: say so
    snprintf(sizes, sizeof sizes, " %d/%d", sn->info.n_train, sn->info.n_test);
    if (sn->info.batch_fitted_from > 0)   // the default batch cut to a small training set
        snprintf(sizes + strlen(sizes), sizeof sizes - strlen(sizes), ", batch %d fitted",
                 sn->cfg.batch);
    snprintf(seg[STEP], sizeof seg[STEP], "step %ld", sn->step);
    snprintf(seg[RATE], sizeof seg[RATE], v->steps_per_s >= 10 ? "%.0f steps/s" : "%.1f steps/s",
             v->steps_per_s);
    snprintf(seg[STATE], sizeof seg[STATE], "%s",
             sn->diverged ? "DIVERGED PAUSED" : v->running ? "RUNNING" : "PAUSED");
    role[STATE] = sn->diverged ? ROLE_ERROR : v->running ? ROLE_GOOD : ROLE_WARN;
    snprintf(seg[SEED], sizeof seg[SEED], "seed %llu", (unsigned long long)sn->cfg.seed);
    // The scenario, when one was given, names the setup; a * marks settings
    // changed since the start (the core says so; P sets them back).
    snprintf(seg[PRESET], sizeof seg[PRESET], "%s %s%s", sn->cfg.scenario[0] ? "scenario" : "preset",
             sn->cfg.scenario[0] ? sn->cfg.scenario : sn->cfg.preset,
             sn->settings_changed ? "*" : "");
    if (sn->settings_changed) role[PRESET] = ROLE_DEFAULT;
    const char *title = "tripletscope", *sep = u->caps.utf8 ? " │ " : " | ";
    int n_fb = (int)(sizeof header_fallbacks / sizeof header_fallbacks[0]);
    int on[NSEG], fb;
    for (fb = 0; fb < n_fb; fb++) {
        on[DATA] = on[STEP] = on[STATE] = 1;
        on[RATE] = header_fallbacks[fb].rate && v->running;   // paused, it is 0 by definition
        on[PACE] = header_fallbacks[fb].rate;
        // Paused by itself, it says why while there is room ("PAUSED: no_positives raised").
        if (v->pause_why[0] && !sn->diverged && !v->running)
            snprintf(seg[STATE], sizeof seg[STATE], "PAUSED%s%s",
                     header_fallbacks[fb].rate ? ": " : "",
                     header_fallbacks[fb].rate ? v->pause_why : "");
        on[SEED] = header_fallbacks[fb].seed;
        on[PRESET] = header_fallbacks[fb].preset;
        // The width of everything but the name.
        int w = header_fallbacks[fb].title ? text_cols(title) + 3 : 0;
        for (int i = 0; i < NSEG; i++)
            if (on[i] && i != DATA) w += 3 + text_cols(seg[i]);
        if (header_fallbacks[fb].sizes) w += text_cols(sizes);
        int room = W - w, name = text_cols(sn->info.data_name);
        if (room >= name || room >= header_fallbacks[fb].name_min || fb == n_fb - 1) {
            char shown[96];   // the name (< 64 bytes) and an ellipsis
            text_ellipsize(shown, sizeof shown, sn->info.data_name, room, 1, u->caps.utf8);
            snprintf(seg[DATA], sizeof seg[DATA], "%s%s", shown,
                     header_fallbacks[fb].sizes ? sizes : "");
            break;
        }
    }
    int x = 0;
    if (header_fallbacks[fb].title) {
        x += term_text(0, 0, W, ROLE_TITLE, title);
        x += term_text(0, x, W - x, ROLE_DIM, sep);
    }
    for (int i = 0; i < NSEG; i++) {
        if (!on[i]) continue;
        if (i != DATA) x += term_text(0, x, W - x, ROLE_DIM, sep);
        x += term_text(0, x, W - x, role[i], seg[i]);
    }
}

// --- An attached run's header -----------------------------------------------

// The segments of an attached run's header, in their order on the row. The
// names are the elastic one, as the data set's name is above; the others
// have up to three forms, most detailed first.
enum { WS_NAMES, WS_STEP, WS_STATE, WS_DIVERGED, WS_READ, WS_EVAL, WS_RANKS, WS_TB, WS_NSEG };
#define WS_FORMS 3

// The progress bar's cells in each form of the reading segment (0: none).
static const int read_bar_w[WS_FORMS] = {12, 6, 0};

// What gives way, in order: the caveats (eval rows, ranks, TensorBoard)
// shorten, then the timeline's counts, then the paused state's words, then
// the program's name goes, then the eval rows (the least of the caveats:
// the rows are still a fair sample), then "watching", then the ranks and
// TensorBoard, and last the run names shrink to a few columns. The step,
// following / paused, a DIVERGED and the reading progress always stay. -1:
// the segment is off.
static const struct {
    int title, prefix, form[WS_NSEG], name_min;
} watch_fallbacks[] = {
    {1, 1, {0, 0, 0, 0, 0, 0, 0, 0}, 20},  {1, 1, {0, 0, 0, 0, 0, 1, 1, 1}, 20},
    {1, 1, {0, 1, 0, 0, 0, 1, 1, 1}, 20},  {1, 1, {0, 1, 1, 0, 1, 1, 1, 1}, 12},
    {0, 1, {0, 1, 1, 0, 1, 1, 1, 1}, 12},  {0, 1, {0, 1, 1, 0, 1, -1, 1, 2}, 10},
    {0, 0, {0, 2, 1, 0, 2, -1, 1, 2}, 8},  {0, 0, {0, 2, 2, 0, 2, -1, -1, -1}, 4},
    {0, 0, {0, 2, 2, 0, 2, -1, -1, -1}, 1},
};

typedef struct {
    int present;                // it has something to say in this view
    char text[WS_FORMS][128];
    ui_role role;
} watch_seg;

// The runs shown: a column whose model is enabled is a watched run.
static int watched_runs(const ts_snapshot *sn, int *k) {
    int n = 0;
    for (int i = 0; i < MODEL_COUNT; i++)
        if (sn->model[i].enabled) k[n++] = i;
    return n;
}

// "watching NAME and NAME2" in at most room columns (the prefix when
// prefix is set): each name whole when they fit, else the room shared, a
// short name lending the long one what it does not use; names are cut in
// the middle, so both ends show ("resnet-…iplet"). Returns the columns.
static int names_text(char *out, size_t n, const ui_state *u, const ts_snapshot *sn, int room,
                      int prefix) {
    int k[MODEL_COUNT], nn = watched_runs(sn, k);
    const char *pre = prefix ? "watching " : "", *and = " and ";
    if (nn == 0) {
        snprintf(out, n, "%s%s", pre, prefix ? "no run" : "-");
        return text_cols(out);
    }
    const char *name[MODEL_COUNT];
    int want[MODEL_COUNT], give[MODEL_COUNT];
    for (int i = 0; i < nn; i++) {
        name[i] = run_info_model_name(&sn->info, k[i]);
        want[i] = text_cols(name[i]);
    }
    int left = room - text_cols(pre) - (nn > 1 ? text_cols(and) : 0);
    if (left < nn) left = nn;
    if (nn == 1) give[0] = left;
    else {
        give[0] = give[1] = left / 2;
        if (want[0] < give[0]) give[1] = left - want[0];
        else if (want[1] < give[1]) give[0] = left - want[1];
    }
    char cut[MODEL_COUNT][96];
    for (int i = 0; i < nn; i++)
        text_ellipsize(cut[i], sizeof cut[i], name[i], give[i] < want[i] ? give[i] : want[i], 1,
                       u->caps.utf8);
    if (nn == 1) snprintf(out, n, "%s%s", pre, cut[0]);
    else snprintf(out, n, "%s%s%s%s", pre, cut[0], and, cut[1]);
    return text_cols(out);
}

// Columns "watching A and B" takes with every name whole.
static int names_full(const ui_state *u, const ts_snapshot *sn, int prefix) {
    char buf[256];
    return names_text(buf, sizeof buf, u, sn, 1 << 20, prefix);
}

// "eval: 1000 of 10000 rows" (form 0) or "eval 1000/10000" (form 1) for
// the runs whose evaluation subsampled its eval dump (--eval-size).
static int eval_texts(watch_seg *s, const ts_snapshot *sn) {
    const ts_watch_view *w = &sn->watch;
    int k[MODEL_COUNT], nn = watched_runs(sn, k), m = 0, first = -1;
    char a[96] = "", b[96] = "";
    for (int i = 0; i < nn; i++) {
        int r = k[i];
        if (w->eval_used[r] <= 0 || w->eval_used[r] >= w->eval_rows[r]) continue;
        // Two runs subsampled alike say it once.
        if (first >= 0 && w->eval_used[r] == w->eval_used[first] &&
            w->eval_rows[r] == w->eval_rows[first])
            continue;
        size_t la = strlen(a), lb = strlen(b);
        snprintf(a + la, sizeof a - la, "%s%d of %d", m ? ", " : "", w->eval_used[r],
                 w->eval_rows[r]);
        snprintf(b + lb, sizeof b - lb, "%s%d/%d", m ? "," : "", w->eval_used[r], w->eval_rows[r]);
        if (first < 0) first = r;
        m++;
    }
    if (!m) return 0;
    snprintf(s->text[0], sizeof s->text[0], "eval: %s rows", a);
    snprintf(s->text[1], sizeof s->text[1], "eval %s", b);
    snprintf(s->text[2], sizeof s->text[2], "eval %s", b);
    return 1;
}

// "rank 0 of 4 read": a data-parallel run of which rank 0 only is read.
static int ranks_texts(watch_seg *s, const ts_snapshot *sn) {
    const ts_watch_view *w = &sn->watch;
    int k[MODEL_COUNT], nn = watched_runs(sn, k), of[MODEL_COUNT], m = 0;
    for (int i = 0; i < nn; i++)
        if (w->other_ranks[k[i]] > 0 && (m == 0 || w->other_ranks[k[i]] + 1 != of[0]))
            of[m++] = w->other_ranks[k[i]] + 1;
    if (!m) return 0;
    if (m == 1) {
        snprintf(s->text[0], sizeof s->text[0], "rank 0 of %d read", of[0]);
        snprintf(s->text[1], sizeof s->text[1], "rank 0/%d", of[0]);
    } else {
        snprintf(s->text[0], sizeof s->text[0], "rank 0 of %d and of %d read", of[0], of[1]);
        snprintf(s->text[1], sizeof s->text[1], "rank 0/%d,/%d", of[0], of[1]);
    }
    snprintf(s->text[2], sizeof s->text[2], "%s", s->text[1]);
    return 1;
}

// Fills every segment's forms from the view.
static void watch_segments(watch_seg *s, const ts_runner_view *v) {
    const ts_snapshot *sn = &v->snap;
    const ts_watch_view *w = &sn->watch;
    memset(s, 0, sizeof *s * WS_NSEG);
    s[WS_NAMES].present = 1;
    s[WS_NAMES].role = ROLE_DEFAULT;

    watch_seg *t = &s[WS_STEP];
    t->present = 1;
    t->role = ROLE_TITLE;
    if (w->n_steps > 0) {
        snprintf(t->text[0], sizeof t->text[0], "step %ld, %ld of %ld steps", w->shown_step,
                 w->shown_index, w->n_steps);
        snprintf(t->text[1], sizeof t->text[1], "step %ld, %ld/%ld", w->shown_step, w->shown_index,
                 w->n_steps);
        snprintf(t->text[2], sizeof t->text[2], "step %ld", w->shown_step);
    } else {
        snprintf(t->text[0], sizeof t->text[0], "no dump read yet");
        snprintf(t->text[1], sizeof t->text[1], "no dump yet");
        snprintf(t->text[2], sizeof t->text[2], "no dump");
    }

    t = &s[WS_STATE];
    t->present = 1;
    if (w->following) {
        // Not live (no --follow): the newest dump is shown, but no new one will come.
        const char *f = w->live ? "following" : "newest dump";
        for (int i = 0; i < WS_FORMS; i++) snprintf(t->text[i], sizeof t->text[i], "%s", f);
        t->role = ROLE_GOOD;
    } else {
        snprintf(t->text[0], sizeof t->text[0], "paused on step %ld (f follows)", w->shown_step);
        snprintf(t->text[1], sizeof t->text[1], "paused (f follows)");
        snprintf(t->text[2], sizeof t->text[2], "paused");
        t->role = ROLE_WARN;
    }

    t = &s[WS_DIVERGED];
    t->present = sn->diverged;
    t->role = ROLE_ERROR;
    for (int i = 0; i < WS_FORMS; i++) snprintf(t->text[i], sizeof t->text[i], "DIVERGED");

    // Catching up on the dumps already in the directories.
    t = &s[WS_READ];
    t->present = w->n_listed > 0 && w->n_read < w->n_listed;
    t->role = ROLE_DEFAULT;
    if (t->present) {
        snprintf(t->text[0], sizeof t->text[0], "reading dumps %ld/%ld", w->n_read, w->n_listed);
        snprintf(t->text[1], sizeof t->text[1], "reading %ld/%ld", w->n_read, w->n_listed);
        snprintf(t->text[2], sizeof t->text[2], "reading %.0f%%",
                 100.0 * (double)w->n_read / (double)w->n_listed);
    }

    s[WS_EVAL].present = eval_texts(&s[WS_EVAL], sn);
    s[WS_EVAL].role = ROLE_DIM;
    s[WS_RANKS].present = ranks_texts(&s[WS_RANKS], sn);
    s[WS_RANKS].role = ROLE_DEFAULT;

    t = &s[WS_TB];
    for (int k = 0; k < MODEL_COUNT; k++)
        if (sn->model[k].enabled && w->tensorboard[k]) t->present = 1;
    t->role = ROLE_DIM;
    snprintf(t->text[0], sizeof t->text[0], "TensorBoard: held-out dumps only");
    snprintf(t->text[1], sizeof t->text[1], "TensorBoard: eval only");
    snprintf(t->text[2], sizeof t->text[2], "TensorBoard");
}

// Columns segment i takes in form f (its bar included).
static int seg_cols(const watch_seg *s, int i, int f) {
    return text_cols(s[i].text[f]) + (i == WS_READ && read_bar_w[f] ? 1 + read_bar_w[f] : 0);
}

// The reading progress as a bar of w cells: read dumps full, the rest light.
static int draw_read_bar(const ui_state *u, const ts_watch_view *w, int y, int x, int width) {
    ui_cell cells[16];
    wchar_t fills[3];
    bar_fills(u->caps.utf8, 3, fills);   // the light and the full fill
    const wchar_t f[2] = {fills[2], fills[0]};
    const uint8_t roles[2] = {ROLE_GOOD, ROLE_DIM};
    const long counts[2] = {w->n_read, w->n_listed - w->n_read};
    if (width > 16) width = 16;
    bar_stacked(cells, width, counts, 2, f, roles, NULL);
    term_cells(y, x, cells, width);
    return width;
}

static void header_draw_watch(const ui_state *u, const ts_runner_view *v, int W) {
    const ts_snapshot *sn = &v->snap;
    watch_seg s[WS_NSEG];
    watch_segments(s, v);
    const char *title = "tripletscope", *sep = u->caps.utf8 ? " │ " : " | ";
    int n_fb = (int)(sizeof watch_fallbacks / sizeof watch_fallbacks[0]), fb, form[WS_NSEG];
    char names[256];
    for (fb = 0; fb < n_fb; fb++) {
        int w = watch_fallbacks[fb].title ? text_cols(title) + 3 : 0;
        for (int i = 0; i < WS_NSEG; i++) {
            form[i] = s[i].present ? watch_fallbacks[fb].form[i] : -1;
            if (i != WS_NAMES && form[i] >= 0) w += 3 + seg_cols(s, i, form[i]);
        }
        int room = W - w, prefix = watch_fallbacks[fb].prefix;
        int k[MODEL_COUNT], nn = watched_runs(sn, k);
        int least = (prefix ? 9 : 0) + (nn > 1 ? 5 : 0) + watch_fallbacks[fb].name_min * nn;
        if (room >= names_full(u, sn, prefix) || room >= least || fb == n_fb - 1) {
            names_text(names, sizeof names, u, sn, room, prefix);
            break;
        }
    }
    int x = 0, y = 0;
    if (watch_fallbacks[fb].title) {
        x += term_text(y, 0, W, ROLE_TITLE, title);
        x += term_text(y, x, W - x, ROLE_DIM, sep);
    }
    x += term_text(y, x, W - x, s[WS_NAMES].role, names);
    for (int i = 1; i < WS_NSEG; i++) {
        if (form[i] < 0) continue;
        x += term_text(y, x, W - x, ROLE_DIM, sep);
        x += term_text(y, x, W - x, s[i].role, s[i].text[form[i]]);
        if (i == WS_READ && read_bar_w[form[i]] && x + 1 + read_bar_w[form[i]] <= W)
            x += 1 + draw_read_bar(u, &sn->watch, y, x + 1, read_bar_w[form[i]]);
    }
}
