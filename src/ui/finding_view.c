// finding_view.c: the finding view (Tab / i): one finding whole, in a pane
// that replaces the columns between the header and the Diagnosis rule (the
// rule's notices, the findings and the key bar stay in view): its severity,
// model, code and step, the message wrapped (never cut), the evidence with
// units, what it means and its section of docs/failure-modes.md
// (diag_about.h), and what each suggested key will change now (from the
// settings in force: settings_preview; watching a run, the advice for its
// own training and the what-if keys). Tab / Shift-Tab go to the next /
// previous finding, the arrows and PgUp / PgDn scroll, i or Esc closes;
// every other key acts as it does with the view closed.
#include <curses.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "evidence.h"
#include "keys.h"
#include "panels.h"
#include "tripletscope/clock.h"
#include "tripletscope/diag_about.h"
#include "tripletscope/settings.h"

#define KEY_ESC 27
#define VIEW_LINES 96       // logical lines the view holds (each wraps on screen)
#define VIEW_LINE_LEN 640

// --- Selection -----------------------------------------------------------------------

static int same(const ts_finding *f, int code, int model) {
    return (int)f->code == code && f->model == model;
}

// The index of the selected finding in sn's list, or -1 (none, or gone).
static int selected_index(const ui_state *u, const ts_snapshot *sn) {
    for (int i = 0; i < sn->n_findings; i++)
        if (same(&sn->findings[i], u->find_code, u->find_model)) return i;
    return -1;
}

// The code the run auto-paused at ("too_hard raised": --pause-on), or -1.
static int paused_code(const ts_runner_view *v) {
    if (v->running || !v->pause_why[0]) return -1;
    const char *sp = strchr(v->pause_why, ' ');
    if (!sp || strcmp(sp, " raised") != 0) return -1;
    for (int c = 0; c < FIND_COUNT; c++) {
        const char *name = diag_code_name((ts_finding_code)c);
        if (strlen(name) == (size_t)(sp - v->pause_why) &&
            strncmp(name, v->pause_why, strlen(name)) == 0)
            return c;
    }
    return -1;
}

int findview_marked(const ui_state *u, const ts_runner_view *v, const ts_finding *f) {
    if (u->find_open) return same(f, u->find_code, u->find_model);
    return (int)f->code == paused_code(v);
}

// Applies a pending open and moves to sn's findings: an open selects the
// finding the run auto-paused at, else the first (Shift-Tab: the last);
// each move the next / previous, round the list, from the selected one (or,
// when it is gone, from where it was). Keys come in batches before a frame:
// an open and the moves after it are resolved together.
static void resolve(ui_state *u, const ts_runner_view *v) {
    const ts_snapshot *sn = &v->snap;
    int F = sn->n_findings, move = u->find_move;
    if (F == 0) {
        u->find_move = 0;
        return;
    }
    if (!move && !u->find_opening) return;
    int i = selected_index(u, sn);
    if (u->find_opening) {
        int p = paused_code(v);
        i = u->find_opening == FIND_OPEN ? 0 : F - 1;
        for (int k = 0; k < F && u->find_opening == FIND_OPEN; k++)
            if ((int)sn->findings[k].code == p) {
                i = k;
                break;
            }
    } else if (i < 0) {   // gone: the one in its place is the next
        i = u->find_index < F ? u->find_index : F - 1;
        if (move > 0) move--;
    }
    i = ((i + move) % F + F) % F;
    u->find_opening = u->find_move = 0;
    u->find_code = (int)sn->findings[i].code;
    u->find_model = sn->findings[i].model;
    u->find_scroll = 0;
}

// --- Keys ----------------------------------------------------------------------------

void findview_open(ui_state *u, int last) {
    u->find_open = 1;
    u->find_opening = last ? FIND_OPEN_LAST : FIND_OPEN;
    u->find_move = 0;
    u->find_code = -1;
    u->find_scroll = 0;
}

int findview_key(ui_state *u, int ch) {
    int page = u->find_rows > 2 ? u->find_rows - 1 : 1;
    int max = u->find_lines - u->find_rows;
    if (ch == KEY_ESC || ch == 'i') {
        u->find_open = 0;
        return 1;
    }
    if (ch == '\t') u->find_move++;
    else if (ch == KEY_BTAB) u->find_move--;
    else if (ch == KEY_UP) u->find_scroll--;
    else if (ch == KEY_DOWN) u->find_scroll++;
    else if (ch == KEY_PPAGE) u->find_scroll -= page;
    else if (ch == KEY_NPAGE) u->find_scroll += page;
    else return 0;
    if (ch == '\t' || ch == KEY_BTAB) u->find_scroll = 0;
    if (u->find_scroll > max) u->find_scroll = max;
    if (u->find_scroll < 0) u->find_scroll = 0;
    return 1;
}

// --- Text ----------------------------------------------------------------------------

typedef struct {
    int indent, hang;   // columns before the first row, and before the rows it wraps to
    ui_role role;
    char text[VIEW_LINE_LEN];
} view_line;

typedef struct {
    view_line line[VIEW_LINES];
    int n;
} view_text;

static void add(view_text *t, int indent, int hang, ui_role role, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void add(view_text *t, int indent, int hang, ui_role role, const char *fmt, ...) {
    if (t->n >= VIEW_LINES) return;
    view_line *l = &t->line[t->n++];
    l->indent = indent;
    l->hang = hang;
    l->role = role;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(l->text, sizeof l->text, fmt, ap);
    va_end(ap);
}

static const char *severity_name(ts_severity s) {
    return s == SEV_ERROR ? "ERROR" : s == SEV_WARN ? "WARN" : "INFO";
}

// The evidence, one name a row, the values aligned, each with its unit.
static void add_evidence(view_text *t, const ts_finding *f) {
    int nw = 0;
    for (int i = 0; i < f->n_evidence; i++) {
        int c = (int)strlen(f->evidence[i].name);
        if (c > nw) nw = c;
    }
    // A step finding's numbers are window means (docs/failure-modes.md).
    const ts_evidence *win = finding_evidence(f, "window");
    if (win && win->kind == EVIDENCE_NUM)
        add(t, 0, 0, ROLE_TITLE, "Evidence (means over the last %.0f steps)", win->num);
    else add(t, 0, 0, ROLE_TITLE, "Evidence%s", f->n_evidence ? "" : ": none");
    for (int i = 0; i < f->n_evidence; i++) {
        ts_finding one = *f;   // evidence_format's own formatting, one pair at a time
        one.n_evidence = 1;
        one.evidence[0] = f->evidence[i];
        char pair[160];
        evidence_format(pair, sizeof pair, &one);
        const char *val = strchr(pair, '=');
        val = val ? val + 1 : pair;
        if (f->evidence[i].kind == EVIDENCE_TEXT) val = f->evidence[i].text;   // spaces kept
        const char *unit = diag_evidence_unit(f->evidence[i].name);
        add(t, 2, nw + 4, ROLE_DEFAULT, "%-*s %-8s %s", nw, f->evidence[i].name, val,
            unit ? unit : "");
    }
}

// The key of c, as the panel writes it, n presses: "M", "- x3".
static void key_text(char *buf, size_t n, ts_command c, int presses) {
    char key[8];
    keys_name(c, key, sizeof key);
    if (!key[0]) snprintf(key, sizeof key, "?");
    if (presses > 1) snprintf(buf, n, "%.7s x%d", key, presses & 0xff);
    else snprintf(buf, n, "%s", key);
}

// What each suggested key will change now, in the suggestion's order: a run
// of the same key is one row ("- x3"), and each row starts from the
// settings the rows before leave. Watching a run, the advice for its own
// training, then the what-if keys.
static void add_keys(view_text *t, const ts_snapshot *sn, const ts_finding *f) {
    ts_settings set = sn->cfg.set;
    int watch = sn->info.attached, any = 0;
    add(t, 0, 0, ROLE_TITLE, watch ? "What to change, and the keys to try" : "What to press now");
    if (watch) {
        char adv[480];
        evidence_advice(adv, sizeof adv, f);
        if (adv[0]) {
            add(t, 2, 4, ROLE_MARKER, "%s", adv);
            any = 1;
        }
    }
    for (int i = 0; i < f->n_suggest;) {
        ts_command c = f->suggest[i];
        int n = 1;
        while (i + n < f->n_suggest && f->suggest[i + n] == c) n++;
        i += n;
        if (watch && !keys_whatif(c)) continue;
        const ts_command_info *info = command_info(c);
        char key[24], from[40], to[40], skip[40];
        key_text(key, sizeof key, c, n);
        int kw = (int)strlen(key) + 4;
        any = 1;
        if (c == CMD_SAMPLER && set.miner == MINER_OFFLINE && !watch) {
            add(t, 2, kw, ROLE_DEFAULT, "%s: refused while the miner is offline: press m first", key);
        } else if (settings_preview(&set, c, n, from, to)) {
            add(t, 2, kw, ROLE_DEFAULT, "%s: %s %s -> %s%s", key, info->setting, from, to,
                watch ? " (what if: your dumps measured again)" : "");
            for (int k = 0; k < n; k++) settings_change(&set, c, skip, to);
        } else if (c == CMD_RESET && !watch) {
            add(t, 2, kw, ROLE_DEFAULT, "%s: start both models again from fresh weights, seed %llu, "
                "the settings as they are", key, (unsigned long long)sn->cfg.seed);
        } else if (c == CMD_RESEED && !watch) {
            add(t, 2, kw, ROLE_DEFAULT, "%s: start both models again with seed %llu", key,
                (unsigned long long)sn->cfg.seed + 1);
        } else if (c == CMD_RESET) {
            add(t, 2, kw, ROLE_DEFAULT, "%s: the run's own settings again", key);
        } else {
            const char *h = info->help;
            add(t, 2, kw, ROLE_DEFAULT, "%s: %s", key, h ? h : info->name);
        }
    }
    if (!any)
        add(t, 2, 2, ROLE_DIM, f->n_suggest ? "no what-if key: the fix is in your training"
                                             : "no key: none helps here, or a change already made "
                                               "is taking effect (see what it means)");
}

// The view's text for f (gone: no longer raised, as last seen).
static void build(view_text *t, const ts_snapshot *sn, const ts_finding *f, int gone) {
    const char *who = run_info_model_name(&sn->info, f->model);
    add(t, 0, 2, f->severity == SEV_ERROR ? ROLE_ERROR : f->severity == SEV_WARN ? ROLE_WARN
                                                                                : ROLE_DEFAULT,
        "%s  %s  %s  raised at step %ld", severity_name(f->severity), who,
        diag_code_name(f->code), f->step);
    if (gone) add(t, 0, 0, ROLE_WARN, "no longer raised: as last seen (Tab: the findings raised now)");
    add(t, 0, 0, ROLE_DEFAULT, "%s", f->message);
    add_evidence(t, f);
    const ts_diag_about *a = diag_about(f->code);
    add(t, 0, 0, ROLE_TITLE, "What it means");
    add(t, 2, 2, ROLE_DEFAULT, "%s", a ? a->meaning : "(not described yet)");
    add_keys(t, sn, f);
    add(t, 0, 0, ROLE_TITLE, "Read more");
    add(t, 2, 4, ROLE_DEFAULT, "docs/failure-modes.md, section %s", a ? a->section : "The catalogue");
    add(t, 2, 4, ROLE_DIM, "installed: %s/docs/failure-modes.md", help_docdir());
}

// The session's notice, whole: on the rule now (recent), or the last one.
static void add_notice(view_text *t, const ui_state *u, int recent) {
    add(t, 0, 2, ROLE_WARN, "%s: %s", recent ? "Notice" : "Last notice", u->notice);
}

// --- Drawing -------------------------------------------------------------------------

// Rows t takes wrapped in w columns.
static int text_rows(const view_text *t, int w) {
    int n = 0;
    for (int i = 0; i < t->n; i++) {
        const char *s = t->line[i].text;
        int first = 1;
        if (!*s) n++;
        while (*s) {
            text_wrap(s, w - (first ? t->line[i].indent : t->line[i].hang), &s);
            first = 0;
            n++;
        }
    }
    return n;
}

// Draws the rows of t from row `scroll` on, in rows rows from (y, x).
static void draw_text(const view_text *t, int y, int x, int w, int rows, int scroll) {
    int r = 0;
    for (int i = 0; i < t->n; i++) {
        const view_line *l = &t->line[i];
        const char *s = l->text;
        int first = 1;
        while (*s) {
            int in = first ? l->indent : l->hang;
            const char *next;
            int len = text_wrap(s, w - in, &next);
            if (r >= scroll && r - scroll < rows) {
                char buf[VIEW_LINE_LEN];
                snprintf(buf, sizeof buf, "%.*s", len, s);
                term_text(y + r - scroll, x + in, w - in, l->role, buf);
            }
            r++;
            s = next;
            first = 0;
        }
    }
}

void findview_draw(ui_state *u, const ui_layout *L, const ts_runner_view *v) {
    static view_text t;   // ~60 kB: not on the stack
    const ts_snapshot *sn = &v->snap;
    int W = L->W, y0 = 1, y1 = L->y_diag;   // rows y0 .. y1 - 1
    resolve(u, v);
    for (int y = y0; y < y1; y++) term_fill(y, 0, W, L' ', ROLE_DEFAULT);
    int i = selected_index(u, sn);
    if (i >= 0) {
        u->find_last = sn->findings[i];
        u->find_index = i;
    }
    // The title rule, with the view's keys at its right end.
    term_fill(y0, 0, W, u->caps.utf8 ? L'─' : L'-', ROLE_DIM);
    char title[64];
    if (i >= 0)
        snprintf(title, sizeof title, " Finding %d of %d ", i + 1, sn->n_findings);
    else snprintf(title, sizeof title, u->find_code < 0 ? " Findings: none " : " Finding (cleared) ");
    int x = 2 + term_text(y0, 2, W - 2, ROLE_TITLE, title);
    const char *keys = W >= 100 ? " Tab next  Shift-Tab back  arrows PgUp PgDn scroll  i / Esc close "
                                : " Tab next  S-Tab back  i/Esc close ";
    int kw = text_cols(keys);
    if (x + kw < W - 1) term_text(y0, W - kw - 2, kw, ROLE_DIM, keys);
    int w = W - 2, rows = y1 - y0 - 1;
    t.n = 0;
    // The last notice whole (the rule cuts a long one: an export's failure):
    // first while the rule shows it, after the finding once it has gone.
    int recent = u->notice[0] && clock_now() - u->notice_t < NOTICE_S;
    if (recent) add_notice(&t, u, 1);
    if (i < 0 && u->find_code < 0) {
        add(&t, 0, 0, ROLE_GOOD, "No finding is raised: %s.", DIAG_NONE_MESSAGE);
        add(&t, 0, 0, ROLE_DEFAULT, "A finding shows here once the diagnosis raises one (the "
            "panel below lists them); i or Esc closes this view.");
    } else {
        build(&t, sn, &u->find_last, i < 0);
    }
    if (u->notice[0] && !recent) add_notice(&t, u, 0);
    int total = text_rows(&t, w);
    u->find_lines = total;
    // Longer than the pane: the last row says where the view is.
    int body = total > rows ? rows - 1 : rows;
    u->find_rows = body;
    if (u->find_scroll > total - body) u->find_scroll = total - body > 0 ? total - body : 0;
    draw_text(&t, y0 + 1, 1, w, body, u->find_scroll);
    if (total > rows) {
        char more[96];
        int last = u->find_scroll + body < total ? u->find_scroll + body : total;
        snprintf(more, sizeof more, "rows %d-%d of %d: %s", u->find_scroll + 1, last, total,
                 last < total ? "Down / PgDn for more" : "Up / PgUp back");
        term_text(y1 - 1, 1, w, ROLE_DIM, more);
    }
}
