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
#include "ui.h"

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
//
// A palette: each role's colours in a 256-colour table and in one of the
// basic 8 (which 16-colour terminals use too), and the class colours, the
// ones colour alone tells apart first.

typedef struct {
    short fg, bg;     // -1: the terminal's own
    unsigned attrs;   // TERM_BOLD, TERM_DIM
} role_color;

typedef struct {
    const char *name;
    role_color role[2][ROLE_CLASS0];     // [0]: 8 colours, [1]: 256
    short class8[8];                     // n8 of them; a second round is bold
    int n8, apart8;                      // colours, and how many of them tell classes apart
    short class256[UI_CLASS_ROLES];
    int apart256;
} palette_def;

#define B TERM_BOLD
// Roles every palette shares: text, titles, the key bar.
#define PLAIN_ROLES                                                            \
    [ROLE_DEFAULT] = {-1, -1, 0}, [ROLE_DIM] = {-1, -1, TERM_DIM},             \
    [ROLE_TITLE] = {-1, -1, B}, [ROLE_KEY] = {COLOR_BLACK, COLOR_CYAN, 0}

// default: the hues the interface always had (8 basic colours), and a
// tab10-like set of 16 for the classes.
#define DEFAULT_ROLES                                                                        \
    {PLAIN_ROLES, [ROLE_SIAMESE] = {COLOR_CYAN, -1, 0}, [ROLE_TRIPLET] = {COLOR_MAGENTA, -1, 0}, \
     [ROLE_MARKER] = {COLOR_YELLOW, -1, B}, [ROLE_EASY] = {COLOR_GREEN, -1, 0},               \
     [ROLE_SEMI] = {COLOR_YELLOW, -1, 0}, [ROLE_HARD] = {COLOR_RED, -1, 0},                  \
     [ROLE_GOOD] = {COLOR_GREEN, -1, B}, [ROLE_WARN] = {COLOR_YELLOW, -1, B},                \
     [ROLE_ERROR] = {COLOR_RED, -1, B}}

// colorblind: Okabe & Ito's hues (blue, sky blue, orange, yellow,
// vermillion) in xterm's 256 colours, picked so that every pair that must
// differ stays apart under simulated deuteranopia, protanopia and
// tritanopia (Machado et al. 2009, full severity; CIEDE2000 distances, in
// docs/interface.md): easy blue 33, semi-hard yellow 220, hard vermillion
// 160 (closest pair 30); Siamese sky blue 39, triplet orange 214 (51).
// Markers take the terminal's own colour in bold, apart from both curves.
// With 8 colours, the nearest: easy cyan, semi-hard yellow, hard red
// (closest pair 27; green / yellow / red, the default's, fall to 3 under
// protanopia), Siamese cyan, triplet yellow (35).
static const palette_def palettes[UI_PALETTE_COUNT] = {
    [UI_PALETTE_DEFAULT] = {
        "default",
        {DEFAULT_ROLES, DEFAULT_ROLES},
        {COLOR_BLUE, COLOR_YELLOW, COLOR_GREEN, COLOR_RED, COLOR_MAGENTA, COLOR_CYAN, COLOR_WHITE},
        7, 7,
        // Ten well separated classes first (tab10-like), then six more.
        {33, 208, 40, 196, 135, 130, 213, 248, 142, 44, 226, 21, 201, 118, 51, 229},
        UI_CLASS_ROLES,
    },
    [UI_PALETTE_COLORBLIND] = {
        "colorblind",
        {{PLAIN_ROLES, [ROLE_SIAMESE] = {COLOR_CYAN, -1, 0}, [ROLE_TRIPLET] = {COLOR_YELLOW, -1, 0},
          [ROLE_MARKER] = {-1, -1, B}, [ROLE_EASY] = {COLOR_CYAN, -1, 0},
          [ROLE_SEMI] = {COLOR_YELLOW, -1, 0}, [ROLE_HARD] = {COLOR_RED, -1, 0},
          [ROLE_GOOD] = {COLOR_CYAN, -1, B}, [ROLE_WARN] = {COLOR_YELLOW, -1, B},
          [ROLE_ERROR] = {COLOR_RED, -1, B}},
         {PLAIN_ROLES, [ROLE_SIAMESE] = {39, -1, 0}, [ROLE_TRIPLET] = {214, -1, 0},
          [ROLE_MARKER] = {-1, -1, B}, [ROLE_EASY] = {33, -1, 0}, [ROLE_SEMI] = {220, -1, 0},
          [ROLE_HARD] = {160, -1, 0}, [ROLE_GOOD] = {39, -1, B}, [ROLE_WARN] = {214, -1, B},
          [ROLE_ERROR] = {160, -1, B}}},
        // Yellow, cyan, red and blue stay apart (closest pair 27); white,
        // magenta and green do not, beside them.
        {COLOR_YELLOW, COLOR_CYAN, COLOR_RED, COLOR_BLUE, COLOR_WHITE, COLOR_MAGENTA, COLOR_GREEN},
        7, 4,
        // Orange, sky blue, blue, vermillion, grey and white stay apart
        // (closest pair 22); then bluish green, yellow, reddish purple,
        // and the first seven again (glyphs tell those classes apart).
        {214, 39, 25, 160, 244, 15, 36, 220, 175, 214, 39, 25, 160, 244, 15, 36},
        6,
    },
};
#undef B

static const palette_def *palette_of(const ui_caps *caps) {
    int p = caps->palette;
    return &palettes[p >= 0 && p < UI_PALETTE_COUNT ? p : UI_PALETTE_DEFAULT];
}

const char *term_palette_name(int palette) {
    return palette >= 0 && palette < UI_PALETTE_COUNT ? palettes[palette].name : "?";
}

int ui_palette_by_name(const char *name) {
    for (int p = 0; p < UI_PALETTE_COUNT; p++)
        if (strcmp(name, palettes[p].name) == 0) return p;
    return -1;
}

int term_class_colors(const ui_caps *caps) {
    if (!caps->color) return 0;
    const palette_def *p = palette_of(caps);
    return caps->colors >= 256 ? p->apart256 : p->apart8;
}

void term_role_colors(const ui_caps *caps, ui_role r, short *fg, short *bg, unsigned *attrs) {
    const palette_def *p = palette_of(caps);
    int wide = caps->colors >= 256;
    *fg = *bg = -1;
    *attrs = 0;
    if (r < ROLE_CLASS0) {
        const role_color *c = &p->role[wide][r];
        *fg = c->fg;
        *bg = c->bg;
        *attrs = c->attrs;
        return;
    }
    int c = (int)r - ROLE_CLASS0;
    if (c >= UI_CLASS_ROLES) return;
    if (wide) {
        *fg = p->class256[c];
    } else {
        *fg = p->class8[c % p->n8];
        *attrs = (c / p->n8) % 2 ? TERM_BOLD : 0;   // the second round: bright
    }
}

// dflt: the terminal keeps its own foreground and background (-1).
static void roles_init(ui_caps *caps, int dflt) {
    // Monochrome: only what tells the roles apart without colour.
    static const attr_t mono[ROLE_CLASS0] = {
        [ROLE_DIM] = A_DIM, [ROLE_TITLE] = A_BOLD, [ROLE_ERROR] = A_BOLD,
        [ROLE_WARN] = A_BOLD, [ROLE_KEY] = A_REVERSE, [ROLE_MARKER] = A_BOLD};
    for (int r = 0; r < ROLE_COUNT; r++) role_attr[r] = r < ROLE_CLASS0 ? mono[r] : A_NORMAL;
    if (!caps->color) return;
    for (int r = 1; r < ROLE_COUNT; r++) {
        short fg, bg;
        unsigned attrs;
        term_role_colors(caps, (ui_role)r, &fg, &bg, &attrs);
        if (!dflt && fg < 0) fg = COLOR_WHITE;
        if (!dflt && bg < 0) bg = COLOR_BLACK;
        init_pair((short)r, fg, bg);
        role_attr[r] = COLOR_PAIR(r) | (attrs & TERM_BOLD ? A_BOLD : 0) |
                       (attrs & TERM_DIM ? A_DIM : 0);
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
