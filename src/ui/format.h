// format.h: the interface's number formats, one for each kind of number it
// shows. Pure (no ncurses), like canvas.h, so the tests read them directly.
#ifndef TS_UI_FORMAT_H
#define TS_UI_FORMAT_H

// A setting's value (a margin, a learning rate) with at least two decimals
// and as many more (up to six) as it takes to be within 0.5 % of v:
// 0.2 -> "0.20", 1.5625 -> "1.56", 0.128 -> "0.128", 0.001 -> "0.001";
// tiny or huge values use %.2e.
void format_setting(char *buf, int n, float v);
// The interface's one format for a measured number: 3 significant digits
// in fixed point when that takes at most maxw characters (trailing zeros
// dropped: 0.007, 1.27, 0.98, 1835), else 2, else an exponent with as many
// digits as fit (1.2e-5, 3e12). NaN and Inf read "nan", "inf", "-inf".
void format_sig3(char *buf, int n, double v, int maxw);
// Two measured numbers shown as a pair (mean and std, min and max) in one
// format: each as format_sig3, but when one of them takes an exponent so
// does the other (3.48e7 and 5.97e6, not 3.48e7 and 5974488). A zero, NaN
// or Inf keeps its own form.
void format_sig3_pair(char *a, char *b, int n, double va, double vb, int maxw);
// A count in at most 5 characters: exact below 10000, else 3 significant
// digits and k, M, G or T (91.2k, 184k, 1.23M).
void format_count(char *buf, int n, long v);

#endif
