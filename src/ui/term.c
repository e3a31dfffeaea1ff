// term.c: capabilities, curses start and restore, signals, colour roles and
// the text and cell writers every panel uses.
#include <curses.h>
#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "term.h"

static int active;                        // curses is on: restore has work to do
static SCREEN *screen;
static volatile sig_atomic_t got_signal;  // written by the handler only
static attr_t role_attr[ROLE_COUNT];

// --- Capabilities ---------------------------------------------------------------

void term_detect(ui_caps *caps) {
    memset(caps, 0, sizeof *caps);
    setlocale(LC_ALL, "");
    // Numbers in the log and the export are JSON: a decimal comma would
    // break them, whatever the user's locale.
    setlocale(LC_NUMERIC, "C");
    caps->utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
    const char *nc = getenv("NO_COLOR");   // https://no-color.org: set and non-empty
    caps->color = !(nc && nc[0]);
}

// --- Colour roles ---------------------------------------------------------------

// Ten well separated classes first (tab10-like), then six more.
static const short class_256[UI_CLASS_ROLES] = {33, 208, 40, 196, 135, 130, 213, 248,
                                                142, 44, 226, 21, 201, 118, 51, 229};
static const short class_8[7] = {COLOR_BLUE, COLOR_YELLOW, COLOR_GREEN, COLOR_RED,
                                 COLOR_MAGENTA, COLOR_CYAN, COLOR_WHITE};

int term_class_colors(const ui_caps *caps) {
    if (!caps->color) return 0;
    return caps->colors >= 256 ? UI_CLASS_ROLES : (int)(sizeof class_8 / sizeof class_8[0]);
}

// dflt: the terminal keeps its own foreground and background (-1).
static void roles_init(ui_caps *caps, int dflt) {
    // Monochrome: only what tells the roles apart without colour.
    static const attr_t mono[ROLE_CLASS0] = {
        [ROLE_DIM] = A_DIM, [ROLE_TITLE] = A_BOLD, [ROLE_ERROR] = A_BOLD,
        [ROLE_WARN] = A_BOLD, [ROLE_KEY] = A_REVERSE, [ROLE_MARKER] = A_BOLD};
    for (int r = 0; r < ROLE_COUNT; r++) role_attr[r] = r < ROLE_CLASS0 ? mono[r] : A_NORMAL;
    if (!caps->color) return;
    static const struct { short fg, bg; attr_t extra; } spec[ROLE_CLASS0] = {
        [ROLE_DEFAULT] = {-1, -1, 0},           [ROLE_DIM] = {-1, -1, A_DIM},
        [ROLE_TITLE] = {-1, -1, A_BOLD},        [ROLE_SIAMESE] = {COLOR_CYAN, -1, 0},
        [ROLE_TRIPLET] = {COLOR_MAGENTA, -1, 0}, [ROLE_MARKER] = {COLOR_YELLOW, -1, A_BOLD},
        [ROLE_EASY] = {COLOR_GREEN, -1, 0},     [ROLE_SEMI] = {COLOR_YELLOW, -1, 0},
        [ROLE_HARD] = {COLOR_RED, -1, 0},       [ROLE_GOOD] = {COLOR_GREEN, -1, A_BOLD},
        [ROLE_WARN] = {COLOR_YELLOW, -1, A_BOLD}, [ROLE_ERROR] = {COLOR_RED, -1, A_BOLD},
        [ROLE_KEY] = {COLOR_BLACK, COLOR_CYAN, 0}};
    for (int r = 1; r < ROLE_COUNT; r++) {
        short fg, bg = -1;
        attr_t extra = 0;
        if (r < ROLE_CLASS0) {
            fg = spec[r].fg;
            bg = spec[r].bg;
            extra = spec[r].extra;
        } else if (caps->colors >= 256) {
            fg = class_256[r - ROLE_CLASS0];
        } else {
            int c = r - ROLE_CLASS0;
            fg = class_8[c % 7];
            extra = (c / 7) % 2 ? A_BOLD : 0;   // the second round: bright
        }
        if (!dflt && fg < 0) fg = COLOR_WHITE;
        if (!dflt && bg < 0) bg = COLOR_BLACK;
        init_pair((short)r, fg, bg);
        role_attr[r] = COLOR_PAIR(r) | extra;
    }
}

// --- Start, restore, signals ------------------------------------------------------

static void on_signal(int sig) { got_signal = sig; }

int term_signal(void) { return got_signal; }

void term_restore(void) {
    if (!active) return;
    active = 0;
    curs_set(1);
    endwin();
    fflush(stdout);
}

void term_fatal(const char *fmt, ...) {
    term_restore();
    va_list ap;
    va_start(ap, fmt);
    fputs("tripletscope: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

int term_start(ui_caps *caps, ts_error *err) {
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
        return ts_fail(err, "the interface needs a terminal (use --headless for JSON lines)");
    const char *t = getenv("TERM");
    if (!(screen = newterm(NULL, stdout, stdin)))
        return ts_fail(err, "TERM=%s: unknown terminal type (use --headless for JSON lines)",
                       t ? t : "");
    static int registered;
    if (!registered) {
        atexit(term_restore);
        registered = 1;
    }
    active = 1;
    cbreak();          // not raw(): Ctrl-C still raises SIGINT, handled below
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    curs_set(0);
    set_escdelay(25);
    caps->color = caps->color && has_colors();
    int dflt = 0;
    if (caps->color) {
        start_color();
        dflt = use_default_colors() == OK;
        caps->colors = COLORS;
    }
    roles_init(caps, dflt);
    // After newterm: curses installs handlers of its own; these replace them
    // and do nothing but note the signal (the loop restores and exits).
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    return 0;
}

// --- Drawing -------------------------------------------------------------------

static void put_wch(int y, int x, wchar_t ch, ui_role role) {
    cchar_t cc;
    wchar_t w[2] = {ch, 0};
    attr_t a = role_attr[role < ROLE_COUNT ? role : 0];
    setcchar(&cc, w, a & ~A_COLOR, (short)PAIR_NUMBER(a), NULL);
    mvadd_wch(y, x, &cc);
}

int term_text(int y, int x, int w, ui_role role, const char *s) {
    mbstate_t st;
    memset(&st, 0, sizeof st);
    int col = 0;
    size_t len = strlen(s);
    while (len > 0 && col < w) {
        wchar_t wc;
        size_t k = mbrtowc(&wc, s, len, &st);
        if (k == (size_t)-1 || k == (size_t)-2) {   // not valid here: show '?'
            memset(&st, 0, sizeof st);
            wc = L'?';
            k = 1;
        } else if (k == 0) {
            break;
        }
        put_wch(y, x + col, wc, role);
        col++;
        s += k;
        len -= k;
    }
    return col;
}

int term_printf(int y, int x, int w, ui_role role, const char *fmt, ...) {
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return term_text(y, x, w, role, buf);
}

void term_cells(int y, int x, const ui_cell *cells, int n) {
    for (int i = 0; i < n; i++) put_wch(y, x + i, cells[i].ch, (ui_role)cells[i].role);
}

void term_fill(int y, int x, int n, wchar_t ch, ui_role role) {
    for (int i = 0; i < n; i++) put_wch(y, x + i, ch, role);
}
