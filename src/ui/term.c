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
#include <termios.h>
#include <unistd.h>
#include "term.h"

static volatile sig_atomic_t active;      // curses is on: restore has work to do
static SCREEN *screen;
static volatile sig_atomic_t got_signal;  // written by the handler only
static struct termios saved_tty;          // the modes before curses, for on_fatal
static volatile sig_atomic_t tty_saved;
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

// Signals that end the run: the loop notices the flag, restores the
// terminal with curses and exits 128 + the signal.
static const int quit_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT,
                                   SIGUSR1, SIGUSR2, SIGALRM, SIGXCPU};
// Signals after which nothing may be trusted, curses least of all.
static const int fatal_signals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGSYS};
// Ignored, so that a --log on a pipe whose reader went away, or past the
// file size limit, fails its write (EPIPE, EFBIG): the interface reports
// that, where the signal would kill it with the terminal in cbreak mode.
static const int ignored_signals[] = {SIGPIPE, SIGXFSZ};

// What on_fatal writes: leave the alternate screen, show the cursor, normal
// attributes, cursor keys back in normal mode (xterm, and what every
// terminal emulator follows). Fixed, because terminfo is not safe here.
static const char leave_screen[] = "\033[0m\033[?1l\033>\033[?25h\033[?1049l";

static void on_signal(int sig) { got_signal = sig; }

// Only async-signal-safe calls: the process may have crashed inside curses
// or malloc. Puts the tty back to its modes from before curses, then dies
// of the signal as if unhandled (the exit status and a core as usual).
static void on_fatal(int sig) {
    if (active && tty_saved) {
        tcsetattr(STDOUT_FILENO, TCSANOW, &saved_tty);
        ssize_t n = write(STDOUT_FILENO, leave_screen, sizeof leave_screen - 1);
        (void)n;   // nothing more to do if it fails
    }
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    sigaction(sig, &dfl, NULL);
    raise(sig);    // pending until the handler returns, then fatal
}

static void install(const int *sigs, size_t n, void (*handler)(int)) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = handler;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < n; i++) sigaction(sigs[i], &sa, NULL);
}

#define INSTALL(sigs, handler) install(sigs, sizeof sigs / sizeof sigs[0], handler)

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
    // curses sets its modes on the output's terminal: the same one on_fatal
    // puts back.
    tty_saved = tcgetattr(STDOUT_FILENO, &saved_tty) == 0;
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
    // and do nothing but note the signal (the loop restores and exits), or,
    // for the fatal ones, restore the tty and die.
    INSTALL(quit_signals, on_signal);
    INSTALL(fatal_signals, on_fatal);
    INSTALL(ignored_signals, SIG_IGN);
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
