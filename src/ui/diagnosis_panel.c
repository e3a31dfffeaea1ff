// diagnosis_panel.c: the diagnosis: its rule (with a --log failure or the
// session's last notice) and the engine's findings beneath, each with its
// message and evidence in the rows there are.
#include <stdio.h>
#include <string.h>
#include "evidence.h"
#include "panels.h"

// --- Diagnosis ---------------------------------------------------------------

static ui_role severity_role(ts_severity s) {
    return s == SEV_ERROR ? ROLE_ERROR : s == SEV_WARN ? ROLE_WARN : ROLE_DEFAULT;
}

static const char *severity_tag(ts_severity s) {
    return s == SEV_ERROR ? "ERROR" : s == SEV_WARN ? "WARN " : "INFO ";
}

// Writes s over up to rows rows of w columns from (y, x), broken at
// spaces; what does not fit ends in an ellipsis. Returns the rows used.
static int draw_wrapped(const ui_state *u, int y, int x, int w, int rows, ui_role role,
                        const char *s) {
    int r = 0;
    char buf[640];
    while (*s && r < rows) {
        const char *next;
        int len = text_wrap(s, w, &next);
        if (r == rows - 1 && *next) text_ellipsize(buf, sizeof buf, s, w, 0, u->caps.utf8);
        else snprintf(buf, sizeof buf, "%.*s", len, s);
        term_text(y + r++, x, w, role, buf);
        s = next;
    }
    return r;
}

// Rows s takes wrapped in w columns.
static int wrapped_rows(const char *s, int w) {
    int n = 0;
    while (*s) {
        text_wrap(s, w, &s);
        n++;
    }
    return n;
}

// Columns a watched run's name takes in a finding's head: the longest
// name of the runs shown (and "both"), at most 16, so heads align.
#define HEAD_NAME_MAX 16

static int head_name_cols(const ts_snapshot *sn) {
    int w = 4;   // "both"
    for (int k = 0; k < MODEL_COUNT; k++) {
        int c = text_cols(run_info_model_name(&sn->info, k));
        if (sn->model[k].enabled && c > w) w = c;
    }
    return w < HEAD_NAME_MAX ? w : HEAD_NAME_MAX;
}

// A finding's first row, "WARN  triplet too_hard  press M: ", drawn when
// draw is set; returns where its message starts (continuation rows and the
// evidence align there). The code (the name docs/failure-modes.md files it
// under, and the finding view's title) shows at every width. Watching a
// run, the model is the run's name, and the keys are the what-if keys only
// ("try M:"): no key changes the user's training, whose advice gets a row
// of its own (draw_findings). A marked finding (the one the finding view
// shows, or the run auto-paused at) starts with ">" in column 0 and has its
// code in reverse video (the key bar's role: reverse without colour too).
static int finding_head(const ui_state *u, const ts_snapshot *sn, int y, int W,
                        const ts_finding *f, int draw, int marked) {
    const char *who = run_info_model_name(&sn->info, f->model);
    char part[4][80];
    const ui_role role[4] = {severity_role(f->severity), ROLE_TITLE,
                             marked ? ROLE_KEY : ROLE_DIM, ROLE_MARKER};
    snprintf(part[0], sizeof part[0], "%s", severity_tag(f->severity));
    if (sn->info.attached) {
        int nw = head_name_cols(sn);
        char cut[64];
        text_ellipsize(cut, sizeof cut, who, nw, 1, u->caps.utf8);
        snprintf(part[1], sizeof part[1], "%s%*s", cut, nw - text_cols(cut), "");
    } else {
        snprintf(part[1], sizeof part[1], "%-7s", who);
    }
    snprintf(part[2], sizeof part[2], "%s", diag_code_name(f->code));
    char keys[16];
    if (sn->info.attached) {
        evidence_whatif_keys(keys, sizeof keys, f);
        snprintf(part[3], sizeof part[3], keys[0] ? "try %s:" : "", keys);
    } else {
        evidence_keys(keys, sizeof keys, f);
        snprintf(part[3], sizeof part[3], keys[0] ? "press %s:" : "", keys);
    }
    if (draw && marked) term_text(y, 0, 1, ROLE_KEY, ">");
    int x = 1;
    for (int i = 0; i < 4; i++) {
        if (!part[i][0]) continue;
        if (draw) term_text(y, x, W - x, role[i], part[i]);
        x += text_cols(part[i]) + 1 + (i == 2);   // two spaces after the code
    }
    return x < W - 10 ? x : W - 10;
}

// The message as the panel shows it: a "; see CODE ..." that names a
// finding not on screen (or "the triplet findings" while some are left
// out) is dropped, so that nothing refers to a line the panel cut; the
// finding view (Tab) has the whole message.
static void panel_message(char *out, size_t n, const ts_finding *f,
                          const ts_finding *const *all, int shown, int hidden) {
    snprintf(out, n, "%s", f->message);
    char *see = strstr(out, "; see ");
    if (!see) return;
    int drop = hidden > 0 && strstr(see, "findings") != NULL;
    char words[200];
    snprintf(words, sizeof words, "%s", see + 6);
    for (char *w = strtok(words, " ,"); w && !drop; w = strtok(NULL, " ,")) {
        int code = -1, on = 0;
        for (int c = 0; c < FIND_COUNT; c++)
            if (strcmp(w, diag_code_name((ts_finding_code)c)) == 0) code = c;
        if (code < 0) continue;
        for (int i = 0; i < shown; i++) on |= (int)all[i]->code == code;
        drop = !on;
    }
    if (drop) *see = 0;
}

#define NOTICE_S 10   // seconds a notice stays on the rule

// Takes the session's last notice (an export's path, a refused key). The
// sequence, not the text, says it is new: a key refused twice is answered
// twice, the second time marked as a repeat.
static void take_notice(ui_state *u, const ts_snapshot *sn, double now) {
    if (sn->notice_seq == u->notice_seq) return;
    int same = strcmp(u->notice, sn->notice) == 0 && now - u->notice_t < NOTICE_S;
    u->notice_repeat = same ? u->notice_repeat + 1 : 1;
    memcpy(u->notice, sn->notice, sizeof u->notice);
    u->notice_seq = sn->notice_seq;
    u->notice_t = now;
}

int diagnosis_eval_total(const ts_runner_view *v) { return v->eval_total; }

// An evaluation in progress, in form f (0: the most detailed) of the
// three; the count keeps its width (done padded to total's digits), so the
// text, right-aligned on the rule, does not shift as it counts.
static void eval_text(char *buf, size_t n, const ts_runner_view *v, int waiting, int f,
                      int utf8) {
    int total = diagnosis_eval_total(v), digits = snprintf(NULL, 0, "%d", total);
    char wait[32] = "";
    if (waiting > 0 && f < 2)
        snprintf(wait, sizeof wait, ", %d key%s waiting", waiting, waiting > 1 ? "s" : "");
    else if (waiting > 0) snprintf(wait, sizeof wait, " +%d", waiting);
    // Both models at once: the Siamese one's progress stands for both.
    int both = config_concurrent(&v->snap.cfg);
    const char *who = both ? "both" : v->eval_model == MODEL_SIAMESE ? "Siamese" : "triplet";
    char name[32];
    if (v->snap.info.attached && !both) {   // a watched run by its name
        text_ellipsize(name, sizeof name, run_info_model_name(&v->snap.info, v->eval_model), 16, 1,
                       utf8);
        who = name;
    }
    if (f == 0)
        snprintf(buf, n, "evaluating %s%s%s: %*d of %d held-out queries%s", both ? "" : "the ",
                 who, both ? " models" : " model", digits, v->eval_done, total, wait);
    else if (f == 1)
        snprintf(buf, n, "evaluating %s: %*d/%d%s", who, digits, v->eval_done, total, wait);
    else snprintf(buf, n, "eval %*d/%d%s", digits, v->eval_done, total, wait);
}

// The evaluation's progress in room columns beside a message of want
// columns: the most detailed form that leaves the message whole, else that
// leaves it 20 columns, else the shortest. Returns its columns.
static int eval_fit(char *buf, size_t n, const ui_state *u, const ts_runner_view *v, int room,
                    int want) {
    const int keep[2] = {want, want < 20 ? want : 20};
    for (int pass = 0; pass < 2; pass++)
        for (int f = 0; f < 3; f++) {
            eval_text(buf, n, v, u->keys_waiting, f, u->caps.utf8);
            if (text_cols(buf) + 3 + keep[pass] <= room) return text_cols(buf);
        }
    return text_cols(buf);
}

// Draws the evaluation's progress at the right end of the rule; returns the
// columns it takes from room (its spaces, and a rule cell apart from the
// message), 0 with no evaluation.
static int draw_eval(const ui_state *u, const ts_runner_view *v, int y, int W, int room,
                     int want) {
    if (diagnosis_eval_total(v) <= 0) return 0;
    char buf[128];
    int len = eval_fit(buf, sizeof buf, u, v, room, want);
    term_printf(y, W - len - 3, len + 2, ROLE_DEFAULT, " %s ", buf);
    return len + 3;
}

// The "Diagnosis" rule, with a --log failure or, for a while, the notice,
// and the progress of an evaluation at its right end.
static void draw_rule(ui_state *u, const ts_runner_view *v, int y, int W, double now) {
    term_fill(y, 0, W, u->caps.utf8 ? L'─' : L'-', ROLE_DIM);
    int x = 2 + term_text(y, 2, W - 2, ROLE_TITLE, " Diagnosis ");
    char msg[700], buf[700], rep[16] = "";
    int room = W - x - 3;   // a space either side, and the rule's last cell
    take_notice(u, &v->snap, now);
    int notice = u->notice[0] && now - u->notice_t < NOTICE_S;
    if (v->log_error[0]) snprintf(msg, sizeof msg, "--log %s", v->log_error);
    else if (notice) snprintf(msg, sizeof msg, "%s", u->notice);
    else msg[0] = 0;
    room -= draw_eval(u, v, y, W, room, msg[0] ? text_cols(msg) : 0);
    if (v->log_error[0]) {
        text_ellipsize(buf, sizeof buf, msg, room, 0, u->caps.utf8);
        term_printf(y, x + 1, W - x - 2, ROLE_ERROR, " %s ", buf);
    } else if (notice) {
        // The repeat count stays in view however long the notice.
        if (u->notice_repeat > 1) snprintf(rep, sizeof rep, " (x%d)", u->notice_repeat);
        text_ellipsize(buf, sizeof buf, u->notice, room - (int)strlen(rep), 0, u->caps.utf8);
        term_printf(y, x + 1, W - x - 2, ROLE_WARN, " %s%s ", buf, rep);
    }
}

// The engine's findings in rows y.. (rows of them), most severe first (the
// marked one kept in view: findview_marked). Each
// gets a row; spare rows go first to the messages, then to the evidence,
// most severe first; findings that find no row are counted at the end of
// the last one (which then has a single row: none was spare). Watching a
// run, what to change in its training (the suggestions' advice) comes
// under each message, and takes the spare rows before the messages' rest:
// there it is what "press M" is to a run trained here.
static void draw_findings(const ui_state *u, const ts_runner_view *v, int y, int rows, int W) {
    const ts_snapshot *sn = &v->snap;
    int F = sn->n_findings, shown = F < rows ? F : rows, spare = rows - shown;
    int msg_x[TS_MAX_FINDINGS], msg_rows[TS_MAX_FINDINGS], ev_rows[TS_MAX_FINDINGS];
    int adv_rows[TS_MAX_FINDINGS];
    int mark[TS_MAX_FINDINGS];
    char ev[TS_MAX_FINDINGS][320], adv[TS_MAX_FINDINGS][480], more_text[32];
    char msg[TS_MAX_FINDINGS][200];
    // Most severe first; a marked finding that would get no row takes the
    // last one, so the finding paused at (or shown in the view) is in sight.
    const ts_finding *fs[TS_MAX_FINDINGS];
    for (int i = 0; i < F; i++) fs[i] = &sn->findings[i];
    for (int i = shown; i < F && shown > 0; i++)
        if (findview_marked(u, v, fs[i])) {
            const ts_finding *m = fs[i];
            memmove(&fs[shown], &fs[shown - 1], sizeof fs[0] * (size_t)(i - shown + 1));
            fs[shown - 1] = m;
            break;
        }
    // Saying so plainly when there is nothing teaches what a healthy run
    // looks like.
    if (F == 0) term_text(y, 1, W - 1, ROLE_GOOD, DIAG_NONE_MESSAGE);
    for (int i = 0; i < shown; i++) {
        mark[i] = findview_marked(u, v, fs[i]);
        panel_message(msg[i], sizeof msg[i], fs[i], fs, shown, F - shown);
        msg_x[i] = finding_head(u, sn, y, W, fs[i], 0, mark[i]);
        adv[i][0] = 0;
        if (sn->info.attached) evidence_advice(adv[i], sizeof adv[i], fs[i]);
        int need = adv[i][0] ? wrapped_rows(adv[i], W - msg_x[i]) : 0;
        adv_rows[i] = need < spare ? need : spare;
        spare -= adv_rows[i];
    }
    for (int i = 0; i < shown; i++) {
        int need = wrapped_rows(msg[i], W - msg_x[i]) - 1, add = need < spare ? need : spare;
        msg_rows[i] = 1 + (add > 0 ? add : 0);
        spare -= msg_rows[i] - 1;
    }
    for (int i = 0; i < shown; i++) {
        evidence_format(ev[i], sizeof ev[i], fs[i]);
        int need = ev[i][0] ? wrapped_rows(ev[i], W - msg_x[i]) : 0;
        ev_rows[i] = need < spare ? need : spare;
        spare -= ev_rows[i];
    }
    // The findings left out are counted, and Tab opens them (the finding view).
    int more = F > shown ? snprintf(more_text, sizeof more_text, " +%d more: Tab", F - shown) : 0;
    for (int i = 0; i < shown; i++) {
        finding_head(u, sn, y, W, fs[i], 1, mark[i]);
        int mx = msg_x[i], mw = W - mx - (i == shown - 1 ? more : 0);
        y += draw_wrapped(u, y, mx, mw, msg_rows[i], ROLE_DEFAULT, msg[i]);
        y += draw_wrapped(u, y, mx, mw, adv_rows[i], ROLE_MARKER, adv[i]);
        y += draw_wrapped(u, y, mx, mw, ev_rows[i], ROLE_DIM, ev[i]);
    }
    if (more) term_text(y - 1, W - more, more, ROLE_WARN, more_text);
}

void diagnosis_draw(ui_state *u, const ui_layout *L, const ts_runner_view *v,
                           double now) {
    draw_rule(u, v, L->y_diag, L->W, now);
    draw_findings(u, v, L->y_diag + 1, L->n_diag, L->W);
}
