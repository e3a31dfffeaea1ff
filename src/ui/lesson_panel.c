// lesson_panel.c: a lesson's narration (--lesson) in rows of its own above
// the diagnosis: a rule that says what holds the run ("press M to go on"),
// highlighted, then the latest narration whole, wrapped, with its step.
#include <stdio.h>
#include <string.h>
#include "panels.h"

// Rows the narration may take beneath its rule: enough for 300 bytes at 80
// columns on a tall screen, 4 at 80x24 (docs/lessons.md: about 230
// characters show whole there).
static int text_rows_max(int H) { return H >= 30 ? 6 : 4; }

// What the panel says: the latest narration after its step, or, before
// the first, the lesson's title.
static void body(char *buf, size_t n, const ts_lesson_view *l) {
    if (l->seq > 0) snprintf(buf, n, "step %ld: %s", l->step, l->text);
    else if (l->title[0]) snprintf(buf, n, "%s", l->title);
    else snprintf(buf, n, "lesson %s", l->name);
}

static int wrapped(const char *s, int w) {
    int n = 0;
    while (*s) {
        text_wrap(s, w, &s);
        n++;
    }
    return n;
}

int lesson_panel_rows(const ts_snapshot *sn, int W, int H) {
    const ts_lesson_view *l = &sn->lesson;
    if (!l->active) return 0;
    char text[TS_LESSON_TEXT_MAX + 32];
    body(text, sizeof text, l);
    int r = wrapped(text, W - 2);
    if (r < 1) r = 1;
    if (r > text_rows_max(H)) r = text_rows_max(H);
    return 1 + r;
}

// The hold's prompt on the rule, in the most detailed form that fits room.
static void prompt(char *buf, size_t n, const ts_lesson_view *l, int room) {
    buf[0] = 0;
    if (l->hold == LESSON_HOLD_NONE) return;
    char forms[3][96];
    if (l->hold == LESSON_HOLD_WAIT) {
        snprintf(forms[0], sizeof forms[0], "press %s to go on (the lesson waits for it)%s", l->keys,
                 l->auto_go ? ", or wait" : "");
        snprintf(forms[1], sizeof forms[1], "press %s to go on", l->keys);
        snprintf(forms[2], sizeof forms[2], "press %s", l->keys);
    } else {
        snprintf(forms[0], sizeof forms[0], "paused by the lesson: space goes on%s",
                 l->auto_go ? ", or wait" : "");
        snprintf(forms[1], sizeof forms[1], "space goes on");
        snprintf(forms[2], sizeof forms[2], "space");
    }
    for (int f = 0; f < 3; f++)
        if (text_cols(forms[f]) <= room || f == 2) {
            snprintf(buf, n, "%s", forms[f]);
            return;
        }
}

void lesson_panel_draw(const ui_state *u, const ts_snapshot *sn, int y, int rows, int W) {
    const ts_lesson_view *l = &sn->lesson;
    if (!l->active || rows < 1) return;
    for (int r = 0; r < rows; r++) term_fill(y + r, 0, W, L' ', ROLE_DEFAULT);
    term_fill(y, 0, W, u->caps.utf8 ? L'─' : L'-', ROLE_DIM);
    char head[64];
    if (l->number) snprintf(head, sizeof head, " Lesson %d ", l->number);
    else snprintf(head, sizeof head, " Lesson ");
    int x = 2 + term_text(y, 2, W - 2, ROLE_TITLE, head);
    char p[128];
    prompt(p, sizeof p, l, W - x - 4);
    if (p[0]) term_printf(y, x + 1, W - x - 2, ROLE_WARN, " %s ", p);
    char text[TS_LESSON_TEXT_MAX + 32], line[TS_LESSON_TEXT_MAX + 32];
    body(text, sizeof text, l);
    const char *s = text;
    for (int r = 1; r < rows && *s; r++) {
        const char *next;
        int len = text_wrap(s, W - 2, &next);
        if (r == rows - 1 && *next) text_ellipsize(line, sizeof line, s, W - 2, 0, u->caps.utf8);
        else snprintf(line, sizeof line, "%.*s", len, s);
        term_text(y + r, 1, W - 2, l->seq > 0 ? ROLE_DEFAULT : ROLE_DIM, line);
        s = next;
    }
}
