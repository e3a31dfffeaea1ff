// interface.c: the interface's loop. Training runs in the runner's worker
// thread; this thread reads keys with a timeout, hands them over, and
// redraws at most 30 times a second from its own copy of the latest view,
// as soon as one comes after a frame time that found none.
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "keys.h"
#include "panels.h"
#include "tripletscope/clock.h"
#include "tripletscope/blas.h"
#include "tripletscope/runner.h"
#include "ui.h"

#define FRAME_MS 33                 // ~30 frames a second
#define POLL_MS 4                   // the next look for a view when a frame had none
#define KEY_ESC 27

// --- Keys ----------------------------------------------------------------------------

// The help overlay takes the scrolling keys; ? / F1 / Esc close it.
static void help_key(ui_state *u, int ch) {
    int page = LINES - 6 > 1 ? LINES - 6 : 1;
    int max = u->help_lines - (LINES - 4);
    if (ch == KEY_UP || ch == 'k') u->help_scroll--;
    else if (ch == KEY_DOWN || ch == 'j') u->help_scroll++;
    else if (ch == KEY_PPAGE) u->help_scroll -= page;
    else if (ch == KEY_NPAGE || ch == ' ') u->help_scroll += page;
    else if (ch == KEY_HOME) u->help_scroll = 0;
    else if (ch == KEY_END) u->help_scroll = max;
    else if (ch == '?' || ch == KEY_F(1) || ch == KEY_ESC) u->help = 0;
    if (u->help_scroll > max) u->help_scroll = max;
    if (u->help_scroll < 0) u->help_scroll = 0;
}

// Handles one key; returns 1 to quit.
static int handle_key(ui_state *u, ts_runner *r, int ch) {
    ts_command c = CMD_NONE;
    const ui_keydef *k = keys_find(ch, &c);
    if (k && c == CMD_QUIT) return 1;
    if (k && c == CMD_REDRAW) {
        clearok(curscr, TRUE);
        return 0;
    }
    // Too small a terminal shows only its message: q quits, nothing else acts.
    if (COLS < UI_MIN_W || LINES < UI_MIN_H) return 0;
    if (u->help) {
        help_key(u, ch);
        return 0;
    }
    // The finding view takes its keys; the others act as with it closed.
    if (u->find_open && findview_key(u, ch)) return 0;
    if (!k) return 0;
    if (c == CMD_FINDINGS || c == CMD_FINDINGS_PREV) {
        findview_open(u, c == CMD_FINDINGS_PREV);
    } else if (c == CMD_HELP) {
        u->help = 1;
        u->help_scroll = 0;
    } else if (c == CMD_PROJECTION) {
        u->show_proj = !u->show_proj;
    } else if (c == CMD_LOSS_AXIS) {
        u->loss_view = (u->loss_view + 1) % LOSS_VIEWS;
    } else if (command_info(c)->scope != SCOPE_INTERFACE) {
        if (runner_command(r, c) == 0 && u->evaluating) u->keys_waiting++;
    }
    return 0;
}

// --- Frame log ------------------------------------------------------------------------

// TRIPLETSCOPE_FRAME_LOG=FILE: one line per drawn frame, for bench/ui.sh to
// find the longest gap between frames. A benchmark hook, so its errors are
// ignored; the FILE's own buffer means a frame allocates nothing.
static FILE *frame_log;

static void frame_log_open(void) {
    const char *path = getenv("TRIPLETSCOPE_FRAME_LOG");
    if (path && path[0]) frame_log = fopen(path, "a");
}

// Flushed at every frame: the log is whole however the process ends.
static void frame_log_write(const ts_runner_view *v) {
    if (!frame_log) return;
    fprintf(frame_log, "%.3f %ld %d %d\n", clock_now() * 1000.0, v->snap.step, v->eval_done,
            v->eval_total);
    fflush(frame_log);
}

static void frame_log_close(void) {
    if (frame_log) fclose(frame_log);
    frame_log = NULL;
}

// --- Loop ----------------------------------------------------------------------------

// The worker takes commands between steps, so those given during an
// evaluation wait for its end; the rule counts them until then.
static void note_evaluation(ui_state *u, const ts_runner_view *v) {
    u->evaluating = diagnosis_eval_total(v) > 0;
    if (!u->evaluating) u->keys_waiting = 0;
}

// Milliseconds to the next look for a view after a frame time that found
// none. Views come every 20 ms or so while the worker runs, but not on the
// 33 ms frame grid: looking again only a frame later drew a view up to
// 33 ms late, and a 50 ms pause between two (an evaluation embedding its
// queries) as a 66 ms gap. Paused, only keys change the screen, and they
// wake getch() themselves.
static int next_look(const ts_runner_view *v) {
    return v->running || diagnosis_eval_total(v) > 0 ? POLL_MS : FRAME_MS;
}

// Runs until q (or a script's q, or a signal); returns the exit status.
static int loop(ui_state *u, ts_runner *r) {
    static ts_runner_view view;     // ~1 MB: not on the stack
    long seen = 0;
    int dirty = 1;
    double next_frame = 0;
    runner_view(r, &view, &seen);
    for (;;) {
        int sig = term_signal();
        if (sig) return 128 + sig;
        double now = clock_now();
        int wait = (int)((next_frame - now) * 1000.0);
        timeout(wait < 1 ? 1 : wait > FRAME_MS ? FRAME_MS : wait);
        int ch = getch();
        int resized = 0;
        // Every key waiting now, before the frame.
        while (ch != ERR) {
            if (ch == KEY_RESIZE) resized = 1;
            else if (handle_key(u, r, ch)) return 0;
            dirty = 1;
            timeout(0);
            ch = getch();
        }
        now = clock_now();
        if (now < next_frame && !resized) continue;
        if (runner_view(r, &view, &seen)) {
            dirty = 1;
            note_evaluation(u, &view);
        }
        if (view.quit) return 0;
        if (dirty || resized) {
            panels_draw(u, &view, now);
            refresh();
            frame_log_write(&view);
            dirty = 0;
            next_frame = now + FRAME_MS / 1000.0;
        } else {
            next_frame = now + next_look(&view) / 1000.0;
        }
    }
}

int ui_run(const ts_config *cfg, const ts_runner_opts *opts, const ui_opts *ui,
           const ts_dataset *train, const ts_dataset *test, const char *name) {
    ui_state u;
    memset(&u, 0, sizeof u);
    term_detect(&u.caps);
    u.caps.palette = ui ? ui->palette : UI_PALETTE_DEFAULT;
    ts_error err;
    ts_runner *r;
    if (runner_create(&r, cfg, train, test, name, opts, &err)) {
        fprintf(stderr, "tripletscope: %s\n", err.msg);
        return 2;
    }
    blas_set_threads(config_blas_threads(cfg));
    if (term_start(&u.caps, &err)) {
        runner_free(r, NULL);
        fprintf(stderr, "tripletscope: %s\n", err.msg);
        return 2;
    }
    frame_log_open();
    if (runner_start(r, &err)) term_fatal("%s", err.msg);
    int status = loop(&u, r);
    frame_log_close();
    runner_stop(r);
    term_restore();
    panels_free(&u);
    if (runner_free(r, &err)) {
        fprintf(stderr, "tripletscope: %s\n", err.msg);
        if (status == 0) status = 2;
    }
    return status;
}
