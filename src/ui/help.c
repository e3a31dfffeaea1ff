// help.c: the help overlay: every key (from the key table) and how to read
// each panel. docs/interface.md says the same at more length. Watching a
// run, it starts with what differs there and lists only the keys that act.
#include <curses.h>
#include <stdio.h>
#include <string.h>
#include "keys.h"
#include "panels.h"
#include "ui.h"

// --- Text ------------------------------------------------------------------------------

enum { HEADING, PARA, KEYS, TIMELINE_KEYS, COLOURS };
// Which screens an entry is for: both, the trainer's only, an attached run's only.
enum { ANY, TRAINER, WATCH };

static const struct {
    int kind;
    const char *text;
    int mode;
} help_text[] = {
    {HEADING, "Watching a run", WATCH},
    {PARA, "The columns are your own runs: the embeddings your training loop dumps "
           "(docs/dump-format.md; how to dump them from your loop, Keras or TensorBoard: "
           "docs/attach.md), measured as this tool measures its own models, with the same panels "
           "and findings. Nothing here changes your training.", WATCH},
    {PARA, "Header: the runs watched; the step shown and its place among the steps read ('step "
           "1200, 120 of 500 steps'); 'following' (the newest dump, as it comes) or 'paused on "
           "step S (f follows)'; while the dumps already there are read, 'reading dumps n/N' and "
           "a bar; 'eval: U of R rows' when --eval-size subsampled an eval dump; 'rank 0 of N "
           "read' for a data-parallel run (rank 0 only is read); 'TensorBoard: held-out dumps "
           "only' for a TensorBoard log, which has no training batches.", WATCH},
    {TIMELINE_KEYS, NULL, WATCH},
    {PARA, "What if: m M (miner), + - (margin), n (normalisation), d (distance) and p (sampler) "
           "measure your dumps again under another setting; the settings line shows the one in "
           "force, and r goes back to your run's own. No key acts on your model: a finding's "
           "'try M:' names the what-if key, and the line 'in your training: ...' beneath says what "
           "to change in your own loop.", WATCH},
    {PARA, "Title: the run's name and loss kind; 'loss' is ours, recomputed from the dump under "
           "the settings shown, 'run's' the loss your run logged at that step (scalars.jsonl), "
           "drawn as a second curve on the same axis (in the default colour; without colour or "
           "UTF-8, as a row of dots or stars). Far apart: your loss is not the one the settings "
           "say. Your run's other scalars (lr, ...) follow the settings when there is room.",
     WATCH},
    {HEADING, "Keys (a change applies between two steps, is marked on the curves and logged)",
     TRAINER},
    {HEADING, "Keys (what-if keys measure your dumps again; r goes back to your run's own settings)",
     WATCH},
    {KEYS, NULL, ANY},
    {HEADING, "What you are looking at", ANY},
    {PARA, "Two models of the same shape start from the same weights and see the same batches. "
           "The Siamese model (left) learns with the contrastive loss over every pair of the "
           "batch; the triplet model (right) with the triplet loss over the triplets its miner "
           "picks. Whatever differs between the columns comes from the loss and the mining.", TRAINER},
    {PARA, "Header: data set (train/test samples), step, steps per second (while running), "
           "RUNNING or PAUSED, the pace ('full speed', or 'pace 5 steps/s': < and > change it), "
           "seed and preset (or 'scenario NAME' with --scenario; a * once a key changed a "
           "setting from the starting ones: P sets them back). When it is too narrow, the data set's name is "
           "shortened, then the preset, seed and steps/s with the pace go; the step and "
           "RUNNING / PAUSED always stay. --pause-on (a toggles it) pauses when a finding is "
           "raised or cleared and names it in the notice; --steps N pauses at step N.", TRAINER},
    {PARA, "Settings line: the miner (triplet) or 'contrastive' with its pair margin (Siamese); "
           "sampler 'pk PxK' (P classes, K samples each) or 'uniform B'; the margin; distance L2 "
           "or L2^2 (squared), on normalised ('norm') or raw embeddings, or 'cos' (1 - cos, "
           "always normalised: n changes nothing then); the reducer; the learning rate. "
           "Narrow columns shorten the labels ('m 0.20' is the margin).", ANY},
    {PARA, "Loss: the whole run, squeezed to the width; each column of dots spans the lowest to "
           "the highest loss of the steps it covers, so spikes stay visible. Labels on the left "
           "give the range. Dashed vertical lines mark setting changes; the keys that made one "
           "are written under it on the axis (several keys at one step side by side). A triplet loss that stays near the margin while "
           "the Siamese loss falls is the stall this tool is about. g cycles the axis: linear; "
           "log (the labels say 'log' and give powers of ten; a loss of 0 sits on the bottom "
           "row, labelled <=); 'recent', the last 1000 steps (the axis row says 'recent' and "
           "where they start). Paused, the row under the axis gives the loss at each marker, "
           "'loss m 0.304  n 0.012', the latest when not all fit.", ANY},
    {PARA, "Difficulty: every valid triplet (anchor, positive, negative) of the batch, measured "
           "on this model's embeddings with the margin m: easy d_an > d_ap + m (no loss), "
           "semi-hard d_ap < d_an <= d_ap + m, hard d_an <= d_ap. The line gives each count "
           "(91.2k: 91 200) and share; narrow columns write e, s, h. 'now' is this batch, easy | "
           "semi-hard | hard from left to right; 'run' is the same split over the whole run, "
           "hard at the bottom, easy on top. A strip rising to all-hard: negatives sit closer "
           "than positives (collapse). All-easy: the margin is met, the loss has nothing left "
           "to push. Easy, semi-hard and hard are a light, medium and full fill (ASCII . + #), "
           "in colour as without, so they differ by texture too.", ANY},
    {PARA, "Triplet row: 'mined' are the triplets the miner picked, with their difficulty; "
           "'active' those with a loss above zero (the only ones that teach). 'no positive': "
           "anchors whose class appears once in the batch (uniform sampling with many classes); "
           "'self-positive': hardest-neg anchors that drew themselves as positive (d_ap = 0). "
           "Siamese row: positive and negative pairs, and the negatives closer than the pair "
           "margin (the ones that push).", ANY},
    {PARA, "norm: mean +- std and [min, max] of the raw embedding norms this batch (before "
           "any normalisation: 'raw norm' when the distance normalises), then the "
           "mean over the run as a sparkline. Norms falling to zero: collapse; growing without "
           "end: the loss is being met by scaling (unnormalised).", ANY},
    {PARA, "d_ap vs d_an: the mean distance between same-class and between different-class "
           "points of the batch. Learning pulls them apart (d_an above d_ap); shown in warning "
           "colour when d_an is not above d_ap.", ANY},
    {PARA, "P@1 and MAP@R: retrieval on held-out data (a fixed subsample), every --eval-every "
           "steps. P@1: the nearest neighbour has the query's class. MAP@R: how well the R "
           "same-class neighbours rank first. Both in [0, 1]; the sparklines are their history.", ANY},
    {PARA, "Projection: the held-out embeddings on their first two principal axes (PCA; the "
           "share of variance they explain is in the title), one colour per class, or one "
           "glyph per class without colour or with fewer colours than classes (8-colour "
           "terminals; --palette colorblind past 6 classes, past 4 with 8 colours); the legend beneath both scatters names every class. Separate clusters: "
           "a model that learned. The scale is fixed (+-1 for normalised embeddings, else the "
           "first evaluation's), so a collapse draws as one dot; the title gives the cloud's "
           "extent in distance units beside the margin, and 'collapsed to a point' under a "
           "tenth of it.", ANY},
    {PARA, "Diagnosis: what is wrong and why, most severe first: severity, model, the "
           "finding's code (its name in docs/failure-modes.md), the key to try ('press M:'), the "
           "message, and, while rows are spare, the numbers that raised it as name=value. "
           "'+2 more: Tab': findings without a row. '>' marks the finding the run auto-paused "
           "at, or the one the finding view shows. A finding needs to persist over a window of "
           "steps before it is raised or cleared. 'no problem found' is what a healthy run looks "
           "like. The rule above shows a key's notice (what it changed: 'miner hardest-neg -> "
           "semihard', an export's path, a refusal) for 10 s; (x2): the same notice again. After "
           "a divergence it says what to press: P (the starting settings, the lr at most the "
           "preset's, and a reset), or [ then r.", ANY},
    {PARA, "Finding view (Tab or i): one finding whole in place of the columns: the message "
           "uncut, the evidence with units, what it means, what each suggested key will change "
           "now ('M: miner hardest-neg -> semihard'), and its section of docs/failure-modes.md. "
           "Tab / Shift-Tab: the next / previous finding; arrows, PgUp / PgDn scroll; i or Esc "
           "closes. Every other key acts as usual, and the view follows what it changes. It also "
           "shows the last notice whole ('(i: whole)' on the rule: one cut there).", ANY},
    {PARA, "Lesson (--lesson, docs/lessons.md): the panel above the diagnosis shows the "
           "lesson's latest narration; its rule says what holds the run: 'press M to go on' "
           "(a wait: press the key it names; Space does not pass it) or 'space goes on' (a "
           "pause). --auto goes on by itself after 3 s.", ANY},
    {PARA, "Views: from 100x30 everything shows; at 80x24 the compact view hides the projection "
           "(v shows it in place of the loss curve); below 80x24 only a size message shows (q "
           "still quits). --script \"STEP:KEYS,...\" presses keys at given steps; --log FILE "
           "writes the JSON lines of headless mode, events included.", ANY},
    {COLOURS, NULL, ANY},
    // TS_DOCDIR: where `make install` puts the docs (the Makefile's PREFIX at build time).
    {HEADING, "More", ANY},
    {PARA, "man tripletscope: every flag, key and file format. The docs named here as docs/... "
           "are in a clone's docs/ folder and, installed, in " TS_DOCDIR "/docs: interface.md "
           "(this help at more length), metrics.md (every number), failure-modes.md (every "
           "finding and what fixes it), demos.md (lessons to follow with the keys), lessons.md "
           "(--lesson files), attach.md and dump-format.md (watching your own run).", ANY},
};

const char *help_docdir(void) { return TS_DOCDIR; }

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

// The colours in use: the palette (--palette) and what this terminal gives it.
static void emit_colours(help_cursor *c, const ui_caps *caps) {
    char buf[600];
    const char *name = term_palette_name(caps->palette);
    int cb = caps->palette == UI_PALETTE_COLORBLIND, wide = caps->colors >= 256;
    if (!caps->color)
        snprintf(buf, sizeof buf, "Colours: none (NO_COLOR, or a terminal without colour): "
                 "the fills, glyphs and bold tell apart what colour would (--palette %s has "
                 "nothing to do).", name);
    else if (!cb)
        snprintf(buf, sizeof buf, "Colours: --palette default, %d colours: easy green, "
                 "semi-hard yellow, hard red; Siamese cyan, triplet magenta. --palette colorblind "
                 "keeps them apart under colour blindness.", caps->colors);
    else
        snprintf(buf, sizeof buf, "Colours: --palette colorblind (Okabe & Ito's hues), %s: easy "
                 "%s, semi-hard yellow, hard %s; Siamese %s, triplet %s; markers bold in the "
                 "text colour; %d classes by colour, more by glyph.",
                 wide ? "256 colours" : "this terminal's 8 colours, the nearest to them",
                 wide ? "blue" : "cyan", wide ? "vermillion" : "red", wide ? "sky blue" : "cyan",
                 wide ? "orange" : "yellow", term_class_colors(caps));
    emit_wrapped(c, 0, 0, ROLE_DEFAULT, buf);
    emit(c, 0, ROLE_DEFAULT, "", 0);
}

// A key row of the help: its keys, then its command's help line.
static void emit_key(help_cursor *c, const ui_keydef *k) {
    char line[200];
    snprintf(line, sizeof line, "%-7s %s", k->label, keys_help(k));
    emit_wrapped(c, 2, 10, ROLE_DEFAULT, line);
}

void help_draw(ui_state *u, const ts_snapshot *sn, int W, int H) {
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
    const char *foot = " arrows / PgUp / PgDn scroll   ?, F1 or Esc closes   man tripletscope ";
    if ((int)strlen(foot) > bw - 4) foot = " arrows / PgUp / PgDn scroll   ?, F1 or Esc closes ";
    term_text(by + bh - 1, bx + 2, bw - 4, ROLE_DIM, foot);

    help_cursor c = {0, u->help_scroll, by + 1, bh - 2, bx + 2, bw - 4};
    int nk;
    const ui_keydef *keys = keys_table(&nk);
    int watch = sn->info.attached, first = 1;
    for (size_t i = 0; i < sizeof help_text / sizeof help_text[0]; i++) {
        if (help_text[i].mode != ANY && help_text[i].mode != (watch ? WATCH : TRAINER)) continue;
        switch (help_text[i].kind) {
        case HEADING:
            if (!first) emit(&c, 0, ROLE_DEFAULT, "", 0);
            emit_wrapped(&c, 0, 0, ROLE_TITLE, help_text[i].text);
            break;
        case TIMELINE_KEYS:   // the timeline's keys: which dump is shown
            for (int k = 0; k < nk; k++) {
                if (command_info(keys[k].cmds[0])->scope != SCOPE_SOURCE) continue;
                // Their labels are longer than the others'; the section
                // says "watching" already.
                const char *line_help = keys_help(&keys[k]), *pre = "watching: ";
                if (strncmp(line_help, pre, strlen(pre)) == 0) line_help += strlen(pre);
                char line[200];
                snprintf(line, sizeof line, "%-10s %s", keys[k].label, line_help);
                emit_wrapped(&c, 2, 13, ROLE_DEFAULT, line);
            }
            emit(&c, 0, ROLE_DEFAULT, "", 0);
            break;
        case KEYS:
            // Watching, the timeline's keys have their section above, and
            // the keys that do nothing there are left out.
            for (int k = 0; k < nk; k++)
                if (!watch || (keys_act_watching(&keys[k]) &&
                               command_info(keys[k].cmds[0])->scope != SCOPE_SOURCE))
                    emit_key(&c, &keys[k]);
            break;
        case COLOURS:
            emit_colours(&c, &u->caps);
            break;
        default:
            emit_wrapped(&c, 0, 0, ROLE_DEFAULT, help_text[i].text);
            emit(&c, 0, ROLE_DEFAULT, "", 0);
            break;
        }
        first = 0;
    }
    u->help_lines = c.line;
    // Clamp the scroll to the text (keys may have scrolled past it).
    int max_scroll = c.line - c.rows > 0 ? c.line - c.rows : 0;
    if (u->help_scroll > max_scroll) u->help_scroll = max_scroll;
}
