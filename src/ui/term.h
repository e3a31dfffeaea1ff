// term.h: the terminal: capabilities detected once, colour roles, start and
// restore (also on signals and fatal errors), and small drawing helpers.
#ifndef TS_UI_TERM_H
#define TS_UI_TERM_H
#include "canvas.h"
#include "tripletscope/error.h"

// What a cell's role means; term.c maps each to colours and attributes
// (monochrome: bold / reverse / dim only).
typedef enum {
    ROLE_DEFAULT,
    ROLE_DIM,        // axes, separators, secondary text
    ROLE_TITLE,      // panel titles
    ROLE_SIAMESE,    // the Siamese model's curve
    ROLE_TRIPLET,    // the triplet model's curve
    ROLE_MARKER,     // setting-change markers and their keys
    ROLE_EASY,
    ROLE_SEMI,
    ROLE_HARD,
    ROLE_GOOD,       // RUNNING, "no problem found"
    ROLE_WARN,       // PAUSED, warnings
    ROLE_ERROR,      // DIVERGED, errors
    ROLE_KEY,        // a key in the key bar (htop style)
    ROLE_CLASS0,     // class c: ROLE_CLASS0 + c % UI_CLASS_ROLES
    ROLE_COUNT = ROLE_CLASS0 + UI_CLASS_ROLES
} ui_role;

typedef struct {
    int utf8;        // the locale's codeset is UTF-8: braille, blocks, lines
    int color;       // has_colors() and NO_COLOR unset or empty
    int colors;      // COLORS when color
    int palette;     // ui_palette (ui.h): --palette, set by the caller before term_start
} ui_caps;

// How many classes colour alone tells apart in the palette: default: 16
// with 256 colours, 7 with 8 or 16 (the eighth would only differ by bold);
// colorblind: 6 with 256, 4 with 8 or 16 (those that stay apart under the
// simulated colour-vision deficiencies); 0 without colour. Beyond it the
// scatter and the legend show one glyph per class.
int term_class_colors(const ui_caps *caps);
// Attributes a role adds to its colours (term_role_colors).
#define TERM_BOLD 1u
#define TERM_DIM 2u
// The colours of role r under caps->palette, from its 256-colour table
// when caps->colors >= 256, else its table of the basic 8: foreground and
// background (-1: the terminal's own) and TERM_BOLD / TERM_DIM. Pure (no
// curses): the tests read the tables through it.
void term_role_colors(const ui_caps *caps, ui_role r, short *fg, short *bg, unsigned *attrs);
// The palette's name ("default", "colorblind").
const char *term_palette_name(int palette);
// Reads the locale (setlocale(LC_ALL, "") but numbers stay in "C", so the
// JSON log keeps its decimal points) and NO_COLOR. Call before term_start
// (it clears caps: set the palette after it).
void term_detect(ui_caps *caps);
// Starts curses on the controlling terminal: cbreak, no echo, keypad,
// hidden cursor, colours when caps->color (cleared if the terminal has none);
// installs an atexit restore and the signal handlers: SIGINT, SIGTERM,
// SIGHUP, SIGQUIT (and SIGUSR1, SIGUSR2, SIGALRM, SIGXCPU) only set the flag
// term_signal() reads; SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT and SIGSYS
// put the tty back to its modes from before curses, leave the alternate
// screen and show the cursor (async-signal-safe calls only), then die of
// the signal; SIGPIPE and SIGXFSZ are ignored, so a write to --log fails
// (and is reported) instead. Returns 0, or -1 with err filled (not a
// terminal).
int term_start(ui_caps *caps, ts_error *err);
// Ends curses and puts the terminal back in normal mode. Idempotent.
void term_restore(void);
// Restores the terminal, then prints "tripletscope: MESSAGE" and exits 1.
void term_fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
// The terminating signal received (SIGINT, SIGTERM, SIGHUP, SIGQUIT, ...),
// or 0.
int term_signal(void);

// --- Drawing -------------------------------------------------------------------

// Writes s (UTF-8 in a UTF-8 locale) at (y, x), at most w columns; returns
// the columns written.
int term_text(int y, int x, int w, ui_role role, const char *s);
// printf into term_text.
int term_printf(int y, int x, int w, ui_role role, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
// Writes n cells from (y, x).
void term_cells(int y, int x, const ui_cell *cells, int n);
// Writes n copies of ch.
void term_fill(int y, int x, int n, wchar_t ch, ui_role role);

#endif
